//! Building the [`Catalog`] at start-up: the built-in files of each offered language, then
//! the operator's `i18n.dir/<lang>/*.ftl` on top (a message there replaces the built-in
//! one). Any file that does not parse refuses the start, naming the file and the line.

use std::path::Path;

use fluent_bundle::FluentResource;
use unic_langid::LanguageIdentifier;

use super::{builtin, Catalog, Language};
use crate::config::I18nConfig;

/// The catalog `config` asks for: its languages (built in, or in `i18n.dir`), its
/// fallback, and the overrides of `i18n.dir`. The error names the key or the file.
pub fn build(config: &I18nConfig) -> Result<Catalog, String> {
    let offered = config.offered();
    let mut languages = Vec::with_capacity(offered.len());
    for code in &offered {
        let id: LanguageIdentifier = code
            .parse()
            .map_err(|_| format!("i18n.languages: `{code}` is not a language tag"))?;
        let mut language = Language::new(code, id);
        let mut found = false;
        if let Some(files) = builtin::files(code) {
            found = true;
            for (name, text) in files {
                let resource = parse(name, text.to_string())?;
                language
                    .bundle
                    .add_resource(resource)
                    .map_err(|e| format!("locales/{name}: {e:?}"))?;
            }
        }
        if let Some(dir) = &config.dir {
            let lang_dir = dir.join(code);
            if lang_dir.is_dir() {
                found = true;
                for path in ftl_files(&lang_dir)? {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("i18n.dir: {}: {e}", path.display()))?;
                    let resource = parse(&path.display().to_string(), text)?;
                    language.bundle.add_resource_overriding(resource);
                }
            }
        }
        if !found {
            return Err(format!(
                "i18n.languages: `{code}` is neither built in ({}) nor a directory in i18n.dir",
                builtin::codes().collect::<Vec<_>>().join(", ")
            ));
        }
        languages.push(language);
    }
    let fallback = languages
        .iter()
        .position(|l| l.code.eq_ignore_ascii_case(&config.fallback))
        .ok_or_else(|| {
            format!(
                "i18n.fallback: `{}` is not one of i18n.languages",
                config.fallback
            )
        })?;
    let mut catalog = Catalog {
        languages,
        fallback,
        pseudo: config.pseudo,
    };
    // Each language's own name, for the picker on every page (looked up once).
    let names: Vec<String> = (0..catalog.languages.len())
        .map(|i| catalog.text(i, "language-name", None).into_owned())
        .collect();
    for (language, name) in catalog.languages.iter_mut().zip(names) {
        language.name = name;
    }
    Ok(catalog)
}

/// The `*.ftl` files directly in `dir`, sorted (later files win on a repeated id).
fn ftl_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("i18n.dir: {}: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .collect();
    files.sort();
    Ok(files)
}

/// Parses one file; an error names `name` and the line of the first entry that does
/// not parse.
pub(super) fn parse(name: &str, text: String) -> Result<FluentResource, String> {
    FluentResource::try_new(text).map_err(|(resource, errors)| {
        let source = resource.source();
        let first = &errors[0];
        // The entry's start: its slice skips the blank lines before it; else the position.
        let at = first
            .slice
            .as_ref()
            .map(|s| {
                let start = s.start.min(source.len());
                start + source[start..].len() - source[start..].trim_start().len()
            })
            .unwrap_or(first.pos.start)
            .min(source.len());
        let line = source[..at].matches('\n').count() + 1;
        format!(
            "{name}, line {line}: {} ({} error(s) in the file)",
            first.kind,
            errors.len()
        )
    })
}
