//! The Tera functions the templates call to reach the catalog:
//!
//! - `t(id="signin-title", lang=lang, …)`: the message `id` in `lang`; every other
//!   argument is a Fluent variable (`seconds=page.resend_in`), and `args` may carry a map
//!   of them (a [`Msg`](super::Msg)'s). An empty or missing `id` is the empty string, so
//!   `t(id=page.error, …)` works when there is no error.
//! - `when(at=epoch_seconds, lang=lang)`: a UTC time with the language's `datetime-utc`.
//!
//! Their output is text: Tera escapes it like any other value.

use std::collections::HashMap;
use std::sync::Arc;

use fluent_bundle::{FluentArgs, FluentValue};
use serde_json::Value;

use super::Catalog;

/// `t(id=…, lang=…, …)`.
pub struct Translate(pub Arc<Catalog>);

/// `when(at=…, lang=…)`. Each language's `datetime-utc` pattern is formatted once, with
/// markers for its parts, and split there; a call then only writes the parts between the
/// pieces (a Fluent format with five variables per time shown cost more than the rest of the
/// sessions list). The tests compare it with the catalog's own formatting.
pub struct When {
    catalog: Arc<Catalog>,
    /// Per language (by index): the pattern's pieces.
    patterns: Vec<Vec<Piece>>,
}

/// A piece of a formatted `datetime-utc`: text, or one of the five parts.
enum Piece {
    Text(String),
    Part(usize),
}

/// The parts' variable names, and the private-use characters that mark them while the
/// pattern is formatted (a catalog's text never holds them).
const PARTS: [(&str, char); 5] = [
    ("year", '\u{E000}'),
    ("month", '\u{E001}'),
    ("day", '\u{E002}'),
    ("hour", '\u{E003}'),
    ("minute", '\u{E004}'),
];

impl When {
    /// The function for `catalog`, its patterns split once.
    pub fn new(catalog: Arc<Catalog>) -> When {
        let patterns = (0..catalog.languages().len())
            .map(|lang| {
                let mut fluent = FluentArgs::new();
                for (name, marker) in PARTS {
                    fluent.set(name, FluentValue::from(marker.to_string()));
                }
                let formatted = catalog.text(lang, "datetime-utc", Some(&fluent));
                let mut pieces = Vec::new();
                let mut text = String::new();
                for c in formatted.chars() {
                    match PARTS.iter().position(|(_, marker)| *marker == c) {
                        Some(part) => {
                            if !text.is_empty() {
                                pieces.push(Piece::Text(std::mem::take(&mut text)));
                            }
                            pieces.push(Piece::Part(part));
                        }
                        None => text.push(c),
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(text));
                }
                pieces
            })
            .collect();
        When { catalog, patterns }
    }
}

fn lang_of(catalog: &Catalog, args: &HashMap<String, Value>) -> usize {
    args.get("lang")
        .and_then(Value::as_str)
        .and_then(|code| catalog.index(code))
        .unwrap_or(catalog.fallback())
}

fn fluent_value(value: &Value) -> Option<FluentValue<'_>> {
    match value {
        Value::String(s) => Some(FluentValue::from(s.as_str())),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(FluentValue::from(i)),
            None => n.as_f64().map(FluentValue::from),
        },
        _ => None,
    }
}

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let Some(id) = args
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
        else {
            return Ok(Value::String(String::new()));
        };
        let lang = lang_of(&self.0, args);
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            if name == "args" {
                if let Value::Object(map) = value {
                    for (k, v) in map {
                        if let Some(v) = fluent_value(v) {
                            fluent.set(k.as_str(), v);
                        }
                    }
                }
            } else if name != "id" && name != "lang" {
                if let Some(v) = fluent_value(value) {
                    fluent.set(name.as_str(), v);
                }
            }
        }
        let fluent = (fluent.iter().next().is_some()).then_some(&fluent);
        Ok(Value::String(self.0.text(lang, id, fluent).into_owned()))
    }
}

impl tera::Function for When {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let Some(at) = args.get("at").and_then(Value::as_i64) else {
            return Ok(Value::String(String::new()));
        };
        let Ok(t) = rocket::time::OffsetDateTime::from_unix_timestamp(at) else {
            return Ok(Value::String(String::new()));
        };
        let lang = lang_of(&self.catalog, args);
        let parts = [
            t.year(),
            t.month() as u8 as i32,
            t.day() as i32,
            t.hour() as i32,
            t.minute() as i32,
        ];
        let mut out = String::with_capacity(32);
        for piece in self.patterns.get(lang).into_iter().flatten() {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Part(0) => {
                    use std::fmt::Write;
                    let _ = write!(out, "{:04}", parts[0]);
                }
                Piece::Part(i) => {
                    let v = parts[*i];
                    out.push(char::from(b'0' + (v / 10 % 10) as u8));
                    out.push(char::from(b'0' + (v % 10) as u8));
                }
            }
        }
        Ok(Value::String(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::I18nConfig;
    use tera::Function;

    /// `when` as the catalog itself formats it, with the five parts as variables.
    fn by_fluent(catalog: &Catalog, lang: usize, at: i64) -> String {
        let t = rocket::time::OffsetDateTime::from_unix_timestamp(at).unwrap();
        let mut fluent = FluentArgs::new();
        fluent.set("year", FluentValue::from(format!("{:04}", t.year())));
        fluent.set(
            "month",
            FluentValue::from(format!("{:02}", t.month() as u8)),
        );
        fluent.set("day", FluentValue::from(format!("{:02}", t.day())));
        fluent.set("hour", FluentValue::from(format!("{:02}", t.hour())));
        fluent.set("minute", FluentValue::from(format!("{:02}", t.minute())));
        catalog
            .text(lang, "datetime-utc", Some(&fluent))
            .into_owned()
    }

    #[test]
    fn a_time_reads_as_the_catalog_formats_it_in_every_language() {
        for pseudo in [false, true] {
            let catalog = Arc::new(
                super::super::build(&I18nConfig {
                    pseudo,
                    ..I18nConfig::default()
                })
                .unwrap(),
            );
            let when = When::new(catalog.clone());
            for (lang, language) in catalog.languages().iter().enumerate() {
                for at in [0, 1_796_318_216, 951_782_400, 4_102_444_799, 1_000_000_000] {
                    let args = HashMap::from([
                        ("at".to_string(), Value::from(at)),
                        ("lang".to_string(), Value::from(language.code.as_str())),
                    ]);
                    let got = when.call(&args).unwrap();
                    assert_eq!(
                        got.as_str().unwrap(),
                        by_fluent(&catalog, lang, at),
                        "{}",
                        language.code
                    );
                }
            }
            let none = when.call(&HashMap::new()).unwrap();
            assert_eq!(none.as_str(), Some(""));
        }
    }
}
