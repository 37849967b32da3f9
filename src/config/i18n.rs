//! `[i18n]`: the languages the pages are offered in, the fallback, and an operator's
//! directory of catalog overrides.
//!
//! `languages` takes a list or a comma-separated string (so
//! `DIRECT_SIGNIN_I18N__LANGUAGES=en,de` works); empty means every built-in language.
//! Whether each language exists (built in or in `dir`) is checked when the catalog is
//! built at ignite; here: the tags' shape, the fallback among them, the directory readable.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};

use super::{invalid, ConfigError};

/// The languages built into the binary, in the picker's default order.
pub const BUILT_IN: &[&str] = &["en", "de", "fr", "es", "ja", "ar"];

/// `[i18n]`: languages offered, fallback, overrides.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct I18nConfig {
    /// The languages offered (tags such as `en`, `de`); empty: every built-in language.
    #[serde(default, deserialize_with = "list")]
    pub languages: Vec<String>,
    /// The language for a visitor whose language is not offered.
    pub fallback: String,
    /// A directory of `<lang>/*.ftl` files whose messages replace the built-in ones.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// Test aid: every message is shown wrapped in `⟦…⟧` (finds words that bypass the
    /// catalog). Never for production.
    #[serde(default)]
    pub pseudo: bool,
}

impl Default for I18nConfig {
    fn default() -> Self {
        I18nConfig {
            languages: Vec::new(),
            fallback: "en".into(),
            dir: None,
            pseudo: false,
        }
    }
}

/// A list, or one comma-separated string.
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        One(String),
        Many(Vec<String>),
    }
    let items = match Either::deserialize(d)? {
        Either::One(s) => s.split(',').map(str::to_string).collect(),
        Either::Many(v) => v,
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}

impl I18nConfig {
    /// The offered languages: `languages`, or every built-in one.
    pub fn offered(&self) -> Vec<String> {
        if self.languages.is_empty() {
            BUILT_IN.iter().map(|s| s.to_string()).collect()
        } else {
            self.languages.clone()
        }
    }

    /// Checks the tags, that the fallback is offered, and that `dir` can be read.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let offered = self.offered();
        for tag in &offered {
            let ok = !tag.is_empty()
                && tag.len() <= 35
                && tag.split('-').all(|p| {
                    !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())
                })
                && tag
                    .chars()
                    .take_while(|c| *c != '-')
                    .all(|c| c.is_ascii_alphabetic());
            if !ok {
                return Err(invalid(
                    "i18n.languages",
                    format!("`{tag}` is not a language tag such as en or de"),
                ));
            }
        }
        if !offered
            .iter()
            .any(|l| l.eq_ignore_ascii_case(&self.fallback))
        {
            return Err(invalid(
                "i18n.fallback",
                format!(
                    "`{}` is not one of the offered languages ({})",
                    self.fallback,
                    offered.join(", ")
                ),
            ));
        }
        if let Some(dir) = &self.dir {
            if let Err(e) = std::fs::read_dir(dir) {
                return Err(invalid(
                    "i18n.dir",
                    format!("{} cannot be read: {e}", dir.display()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;

    #[test]
    fn languages_take_a_list_or_a_comma_separated_string() {
        let c = with("[i18n]\nlanguages = \"en, de\"").unwrap();
        assert_eq!(c.i18n.languages, ["en", "de"]);
        let c = with("[i18n]\nlanguages = [\"de\", \"en\"]\nfallback = \"de\"").unwrap();
        assert_eq!(c.i18n.offered(), ["de", "en"]);
        assert_eq!(with("").unwrap().i18n.offered(), super::BUILT_IN);
    }

    #[test]
    fn bad_values_are_refused_naming_the_key() {
        for (toml, key) in [
            ("[i18n]\nlanguages = \"en, d e\"", "i18n.languages"),
            ("[i18n]\nlanguages = \"de\"", "i18n.fallback"),
            ("[i18n]\nfallback = \"sv\"", "i18n.fallback"),
            ("[i18n]\ndir = \"/nonexistent/i18n\"", "i18n.dir"),
        ] {
            let e = with(toml).unwrap_err().to_string();
            assert!(e.contains(key), "{toml}: {e}");
        }
    }
}
