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

/// `when(at=…, lang=…)`.
pub struct When(pub Arc<Catalog>);

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
        let lang = lang_of(&self.0, args);
        let parts = [
            ("year", format!("{:04}", t.year())),
            ("month", format!("{:02}", t.month() as u8)),
            ("day", format!("{:02}", t.day())),
            ("hour", format!("{:02}", t.hour())),
            ("minute", format!("{:02}", t.minute())),
        ];
        let mut fluent = FluentArgs::new();
        for (name, value) in &parts {
            fluent.set(*name, FluentValue::from(value.as_str()));
        }
        Ok(Value::String(
            self.0
                .text(lang, "datetime-utc", Some(&fluent))
                .into_owned(),
        ))
    }
}
