//! Languages: every word a page shows comes from a Fluent catalog (`locales/<lang>/*.ftl`,
//! embedded in the binary), looked up by a stable message id.
//!
//! - [`Catalog`] holds one prebuilt, thread-safe `FluentBundle` per offered language, built
//!   once at start-up from the built-in catalogs ([`builtin`]) and the operator's
//!   `i18n.dir` (a message there replaces the built-in one; a new language directory adds
//!   a language). Nothing is parsed or built per request.
//! - [`negotiate`] picks the visitor's language once per request: `?lang=`, then the `lang`
//!   cookie, then `Accept-Language`, then `i18n.fallback`.
//! - [`functions`] are the Tera functions the templates call (`t`, `when`).
//! - Rust code hands pages message ids ([`Msg`] when there are arguments), never sentences.
//!
//! Dates and times are written with a per-locale pattern from the catalog
//! (`datetime-utc`, numeric parts as variables) rather than with `icu_datetime`: the
//! account page shows only numeric UTC times, and a pattern per language is all that needs,
//! without the compiled locale data's build time and binary size.
//!
//! A missing message falls back to the fallback language's, then shows its id (and logs
//! once per lookup at debug level): a page never fails to render for a missing word.

pub mod builtin;
pub mod functions;
mod load;
pub mod negotiate;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use serde::Serialize;
use unic_langid::{CharacterDirection, LanguageIdentifier};

pub use load::build;

/// A message id with its arguments (numbers), for copy that Rust decides on and a page
/// shows: a notice, a password rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Msg {
    /// The message id (kebab-case, in `locales/en/*.ftl`).
    pub id: &'static str,
    /// Its variables.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<&'static str, i64>,
}

impl Msg {
    /// A message without arguments.
    pub fn new(id: &'static str) -> Msg {
        Msg {
            id,
            args: BTreeMap::new(),
        }
    }

    /// With the variable `name` set to `value`.
    pub fn arg(mut self, name: &'static str, value: i64) -> Msg {
        self.args.insert(name, value);
        self
    }
}

/// One offered language: its tag, its writing direction and its prebuilt bundle.
pub struct Language {
    /// The tag as offered and written in `<html lang>` (`en`, `de`).
    pub code: String,
    /// `ltr` or `rtl`.
    pub dir: &'static str,
    /// The language's name in itself (its `language-name`), as the picker shows it.
    pub name: String,
    bundle: FluentBundle<FluentResource>,
}

impl Language {
    fn new(code: &str, id: LanguageIdentifier) -> Language {
        let dir = match id.character_direction() {
            CharacterDirection::RTL => "rtl",
            _ => "ltr",
        };
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Unicode isolation marks around placeables keep a left-to-right name readable in
        // right-to-left text; in left-to-right languages they only get in the way.
        bundle.set_use_isolating(dir == "rtl");
        Language {
            code: code.to_string(),
            dir,
            name: String::new(),
            bundle,
        }
    }

    /// Whether this language's catalog has the message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

/// The offered languages' catalogs, ready for look-ups.
pub struct Catalog {
    /// In the order `i18n.languages` gives them (the picker's order).
    languages: Vec<Language>,
    /// Index of `i18n.fallback` in `languages`.
    fallback: usize,
    /// Test aid (`i18n.pseudo`): every message comes out wrapped in `⟦…⟧`.
    pseudo: bool,
}

impl Catalog {
    /// The offered languages, in the configured order.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// The index of the fallback language.
    pub fn fallback(&self) -> usize {
        self.fallback
    }

    /// The index of the offered language whose tag is `code` (exactly, ASCII case aside).
    pub fn index(&self, code: &str) -> Option<usize> {
        self.languages
            .iter()
            .position(|l| l.code.eq_ignore_ascii_case(code))
    }

    /// The language at `index` (the fallback for an index out of range).
    pub fn language(&self, index: usize) -> &Language {
        self.languages
            .get(index)
            .unwrap_or(&self.languages[self.fallback])
    }

    /// The message `id` in the language at `index`, with `args`; the fallback language's
    /// when that language lacks it; the id itself when no catalog has it.
    pub fn text<'a>(
        &'a self,
        index: usize,
        id: &'a str,
        args: Option<&FluentArgs>,
    ) -> Cow<'a, str> {
        let text = self
            .format(self.language(index), id, args)
            .or_else(|| self.format(&self.languages[self.fallback], id, args));
        match text {
            // (Only found messages are marked: an English sentence passed as an id stays
            // bare, so the pseudo catalog shows it up.)
            Some(text) if self.pseudo => Cow::Owned(format!("⟦{text}⟧")),
            Some(text) => text,
            None => {
                tracing::debug!(id, "a message is in no catalog");
                Cow::Borrowed(id)
            }
        }
    }

    fn format<'a>(
        &'a self,
        language: &'a Language,
        id: &str,
        args: Option<&FluentArgs>,
    ) -> Option<Cow<'a, str>> {
        let (message_id, attribute) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let message = language.bundle.get_message(message_id)?;
        let pattern = match attribute {
            Some(a) => message.get_attribute(a)?.value(),
            None => message.value()?,
        };
        let mut errors = Vec::new();
        let text = language.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::debug!(
                id,
                lang = language.code,
                ?errors,
                "a message did not format cleanly"
            );
        }
        Some(text)
    }
}
