//! The portal's own Tera instance: it renders every page itself rather than through
//! `rocket_dyn_templates`' fairing, so a host app that attaches its own
//! `Template::fairing()` with its own `template_dir` and the portal mounted inside it never
//! see each other's templates.
//!
//! Templates are `*.html.tera` files under one directory, named as `rocket_dyn_templates`
//! names them (`signin.html.tera` is `signin`, `a/b.html.tera` is `a/b`), with autoescape
//! on for all of them. In debug builds a render first reloads them when a file changed
//! (one `stat` per file), so template edits show without a restart, as they did with the
//! fairing.
//!
//! Every Tera instance it builds has the catalog's functions (`t`, `when`: see
//! [`i18n::functions`](super::i18n::functions)) registered, so templates hold no words.
//! The templates are loaded once per offered language, each `t(id="…", lang=lang)` without
//! variables already resolved to its text ([`words`]); a page renders from its language's
//! set. Debug builds also render every page from the templates as written and refuse a
//! page whose two renderings differ, so the whole test suite checks the resolution.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::{Mutex, RwLock};
use tera::{Context, Tera};

mod icons;
mod widgets;
mod words;

use super::i18n::functions::{Translate, When};
use super::i18n::Catalog;

/// The suffix of a template file.
const SUFFIX: &str = ".html.tera";

/// The templates of a directory as Tera instances.
struct Sets {
    /// One per offered language (by its index in the catalog), its words resolved.
    by_language: Vec<Tera>,
    /// As written (debug builds only: each render is checked against it).
    plain: Option<Tera>,
}

/// The templates of one directory, ready to render.
pub struct Templates {
    dir: PathBuf,
    catalog: Arc<Catalog>,
    tera: RwLock<Sets>,
    /// The newest modification time seen at the last load (debug builds reload past it).
    loaded: Mutex<Option<SystemTime>>,
}

impl Templates {
    /// Loads every `*.html.tera` under `dir`; an error names the directory and the
    /// template that does not parse. The templates look their words up in `catalog`.
    pub fn load(dir: &Path, catalog: Arc<Catalog>) -> Result<Templates, String> {
        let (tera, newest) = load(dir, &catalog)?;
        Ok(Templates {
            dir: dir.to_path_buf(),
            catalog,
            tera: RwLock::new(tera),
            loaded: Mutex::new(newest),
        })
    }

    /// The catalog the templates look their words up in.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Renders `name` with `context`; the error is for the log (it names the template).
    pub fn render(&self, name: &str, context: &Context) -> Result<String, String> {
        if cfg!(debug_assertions) {
            self.reload_if_changed();
        }
        let lang = context
            .get("lang")
            .and_then(serde_json::Value::as_str)
            .and_then(|code| self.catalog.index(code))
            .unwrap_or(self.catalog.fallback());
        let sets = self.tera.read();
        let Some(tera) = sets.by_language.get(lang) else {
            return Err(format!("no templates for language {lang}"));
        };
        let html = tera.render(name, context).map_err(|e| describe(&e))?;
        if let Some(plain) = &sets.plain {
            let expected = plain.render(name, context).map_err(|e| describe(&e))?;
            if html != expected {
                // (Where, not what: a page can hold a username.)
                let at = html
                    .bytes()
                    .zip(expected.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(html.len().min(expected.len()));
                return Err(format!(
                    "{name}: the page from its language's templates differs from the one \
                     rendered as written, from byte {at} ({} and {} bytes)",
                    html.len(),
                    expected.len()
                ));
            }
        }
        Ok(html)
    }

    /// Reloads the templates when a file is newer than the last load. A template that no
    /// longer parses is logged and the last good set kept.
    fn reload_if_changed(&self) {
        let newest = newest_change(&self.dir);
        let mut loaded = self.loaded.lock();
        if newest <= *loaded {
            return;
        }
        match load(&self.dir, &self.catalog) {
            Ok((tera, newest)) => {
                *self.tera.write() = tera;
                *loaded = newest;
            }
            Err(e) => {
                tracing::warn!(error = %e, "templates changed but do not load; keeping the last good ones");
                *loaded = newest;
            }
        }
    }
}

/// Every template file under `dir` with its name.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Some(name) = path
                .strip_prefix(dir)
                .ok()
                .and_then(|rel| rel.to_str())
                .and_then(|rel| rel.strip_suffix(SUFFIX))
            {
                out.push((path.clone(), name.replace('\\', "/")));
            }
        }
    }
    out.sort();
    out
}

/// The newest modification time of the template files under `dir`.
fn newest_change(dir: &Path) -> Option<SystemTime> {
    files(dir)
        .iter()
        .filter_map(|(path, _)| std::fs::metadata(path).ok()?.modified().ok())
        .max()
}

fn load(dir: &Path, catalog: &Arc<Catalog>) -> Result<(Sets, Option<SystemTime>), String> {
    let found = files(dir);
    if found.is_empty() {
        return Err(format!("no *{SUFFIX} templates in {}", dir.display()));
    }
    let sources = found
        .iter()
        .map(|(path, name)| {
            std::fs::read_to_string(path)
                .map(|source| (name.clone(), source))
                .map_err(|e| format!("template {}: {e}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let newest = newest_change(dir);
    let plain = build(
        catalog,
        sources.iter().map(|(n, s)| (n.as_str(), s.clone())),
    )
    .map_err(|e| format!("templates in {}: {e}", dir.display()))?;
    let mut by_language = Vec::with_capacity(catalog.languages().len());
    for lang in 0..catalog.languages().len() {
        let text = |id: &str| catalog.text(lang, id, None).into_owned();
        let resolved = sources
            .iter()
            .map(|(name, source)| (name.as_str(), words::resolve(source, &text)));
        match build(catalog, resolved) {
            Ok(tera) => by_language.push(tera),
            // (Not expected: a literal in place of a call parses wherever the call did.)
            Err(e) => {
                tracing::warn!(error = %e, "templates with their words resolved do not load; using them as written");
                by_language.push(plain.clone());
            }
        }
    }
    let plain = cfg!(debug_assertions).then_some(plain);
    Ok((Sets { by_language, plain }, newest))
}

/// A Tera instance of `templates` (name, source), with the catalog's functions.
fn build<'a>(
    catalog: &Arc<Catalog>,
    templates: impl IntoIterator<Item = (&'a str, String)>,
) -> Result<Tera, String> {
    let mut tera = Tera::default();
    // Every template is a `.html.tera` file (`files` finds no others), and their names
    // drop the suffix: all are escaped.
    tera.autoescape_on(vec![""]);
    tera.register_function("t", Translate(catalog.clone()));
    tera.register_function("when", When::new(catalog.clone()));
    let icons = icons::Icon::new();
    tera.register_function("field", widgets::Field(icons.clone()));
    tera.register_function("option", widgets::Choice(icons.clone()));
    tera.register_function("picker", widgets::Picker);
    tera.register_function("icon", icons);
    tera.add_raw_templates(templates)
        .map_err(|e| describe(&e))?;
    Ok(tera)
}

/// Tera's error with its causes (the first line alone rarely says what is wrong).
fn describe(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Arc<Catalog> {
        Arc::new(crate::portal::i18n::build(&Default::default()).unwrap())
    }

    fn shipped() -> Templates {
        Templates::load(
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
            catalog(),
        )
        .unwrap()
    }

    #[test]
    fn the_shipped_templates_load_under_their_short_names_and_escape() {
        let t = shipped();
        let mut context = Context::new();
        context.insert("brand", &serde_json::json!({"product_name": "<b>Acme</b>"}));
        context.insert("base", "");
        context.insert("lang", "en");
        context.insert("dir", "ltr");
        context.insert("languages", &serde_json::json!([]));
        context.insert(
            "page",
            &serde_json::json!({"title": "<script>", "detail": "x", "operation_id": "1"}),
        );
        let html = t.render("error", &context).unwrap();
        assert!(html.contains("&lt;b&gt;Acme&lt;&#x2F;b&gt;"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(t.render("nope", &context).is_err());
    }

    #[test]
    #[cfg(debug_assertions)]
    fn an_edited_template_is_picked_up_in_debug_builds() {
        let dir = std::env::temp_dir().join(format!("templates-{}", crate::random::token(8)));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let file = dir.join("sub/page.html.tera");
        std::fs::write(&file, "one {{ x }}").unwrap();
        let t = Templates::load(&dir, catalog()).unwrap();
        let mut context = Context::new();
        context.insert("x", "<&>");
        assert_eq!(t.render("sub/page", &context).unwrap(), "one &lt;&amp;&gt;");
        std::fs::write(&file, "two {{ x }}").unwrap();
        // A later modification time than the load saw, whatever the clock's resolution.
        let later = SystemTime::now() + std::time::Duration::from_secs(10);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(t.render("sub/page", &context).unwrap(), "two &lt;&amp;&gt;");
        // A broken edit keeps the last good templates.
        std::fs::write(&file, "three {{ x").unwrap();
        let even_later = later + std::time::Duration::from_secs(10);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(even_later)
            .unwrap();
        assert_eq!(t.render("sub/page", &context).unwrap(), "two &lt;&amp;&gt;");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_without_templates_is_refused() {
        let empty = std::env::temp_dir().join(format!("no-templates-{}", crate::random::token(8)));
        std::fs::create_dir_all(&empty).unwrap();
        let e = Templates::load(&empty, catalog()).err().unwrap();
        assert!(e.contains("no *.html.tera templates"), "{e}");
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
