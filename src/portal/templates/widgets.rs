//! The forms' building blocks as template functions: `field(…)` (a labelled input with its
//! hint and error), `option(…)` (a method choice) and `picker(…)` (the language links every
//! page ends with). They were Tera macros, and a macro
//! call (a fresh frame, its arguments copied in, its body rendered to a string of its own)
//! cost more than the rest of a page's markup around it; a page holds several. The
//! functions write the same markup, byte for byte (the tests render the old macros beside
//! them), and escape every value as Tera's autoescape did. The macros `m::field` and
//! `m::option` stay, calling these, for templates written against them.

use std::borrow::Cow;
use std::collections::HashMap;

use tera::{Function, Value};

use super::icons::Icon;

/// A value as Tera writes it in `{{ … }}` (before escaping).
fn text(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(Value::Number(n)) => Cow::Owned(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => f.to_string(),
            _ => String::new(),
        }),
        Some(Value::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Some(Value::Array(items)) => {
            let items: Vec<Cow<'_, str>> = items.iter().map(|v| text(Some(v))).collect();
            Cow::Owned(format!("[{}]", items.join(", ")))
        }
        Some(Value::Object(_)) => Cow::Borrowed("[object]"),
    }
}

/// A value as Tera's `{% if %}` reads it.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// Writes `s` to `out` escaped as Tera's autoescape escapes it (`tera::escape_html`: the
/// same six characters, the same entities), without a string of its own.
fn escape_into(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'/' => "&#x2F;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// Writes the argument `name` (or `default` when it is not given) to `out`, escaped.
fn put(out: &mut String, args: &HashMap<String, Value>, name: &str, default: &str) {
    match args.get(name) {
        Some(v) => escape_into(out, &text(Some(v))),
        None => escape_into(out, default),
    }
}

fn required<'a>(args: &'a HashMap<String, Value>, name: &str, of: &str) -> tera::Result<&'a Value> {
    args.get(name)
        .ok_or_else(|| tera::Error::msg(format!("{of}() needs the argument `{name}`")))
}

/// `field(name, label, type="text", value="", autocomplete="", error="", error_field="",
/// hint="", extra="", dir="")`: the input `name`, labelled; its error (when `error` is set
/// and `error_field` is `name`) announced, tied to it and focused. `extra` holds attributes
/// the templates write themselves (never user or Okta data) and is not escaped.
pub struct Field(pub Icon);

impl Function for Field {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name_value = required(args, "name", "field")?;
        let label = required(args, "label", "field")?;
        let name = &text(Some(name_value));
        // (`error_field` defaults to "", as the macro's did.)
        let names_this = match args.get("error_field") {
            Some(field) => field == name_value,
            None => name_value.as_str() == Some(""),
        };
        let invalid = truthy(args.get("error")) && names_this;
        let has_hint = truthy(args.get("hint"));
        let extra = text(args.get("extra"));
        let mut out = String::with_capacity(512);
        let put_name = |out: &mut String| escape_into(out, name);
        out.push_str("\n\n<div class=\"field");
        if invalid {
            out.push_str(" field-invalid");
        }
        out.push_str("\">\n  <label for=\"");
        put_name(&mut out);
        out.push_str("\">");
        escape_into(&mut out, &text(Some(label)));
        out.push_str("</label>\n  ");
        if has_hint {
            out.push_str("<p class=\"hint\" id=\"");
            put_name(&mut out);
            out.push_str("-hint\">");
            put(&mut out, args, "hint", "");
            out.push_str("</p>");
        }
        out.push_str("\n  <input id=\"");
        put_name(&mut out);
        out.push_str("\" name=\"");
        put_name(&mut out);
        out.push_str("\" type=\"");
        put(&mut out, args, "type", "text");
        out.push_str("\" value=\"");
        put(&mut out, args, "value", "");
        out.push('"');
        if truthy(args.get("dir")) {
            out.push_str(" dir=\"");
            put(&mut out, args, "dir", "");
            out.push('"');
        }
        if truthy(args.get("autocomplete")) {
            out.push_str(" autocomplete=\"");
            put(&mut out, args, "autocomplete", "");
            out.push('"');
        }
        if invalid {
            out.push_str(" aria-invalid=\"true\" aria-describedby=\"");
            put_name(&mut out);
            out.push_str("-error");
            if has_hint {
                out.push(' ');
                put_name(&mut out);
                out.push_str("-hint");
            }
            out.push('"');
        } else if has_hint {
            out.push_str(" aria-describedby=\"");
            put_name(&mut out);
            out.push_str("-hint\"");
        }
        if invalid && !extra.contains("autofocus") {
            out.push_str(" autofocus");
        }
        out.push(' ');
        out.push_str(&extra);
        out.push_str(">\n  ");
        if invalid {
            out.push_str("<p class=\"field-error\" id=\"");
            put_name(&mut out);
            out.push_str("-error\">");
            out.push_str(self.0.draw("warning"));
            out.push_str("<span>");
            put(&mut out, args, "error", "");
            out.push_str("</span></p>");
        }
        out.push_str("\n</div>\n");
        Ok(Value::String(out))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `option(name, value, label, base="")`: a submit button choosing `value` (its icon, its
/// label, a chevron); a `method` choice posts to the passwordless start.
pub struct Choice(pub Icon);

impl Function for Choice {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = required(args, "name", "option")?;
        let value = required(args, "value", "option")?;
        let label = required(args, "label", "option")?;
        let mut out = String::with_capacity(1024);
        out.push_str("\n<button type=\"submit\" class=\"option\" name=\"");
        escape_into(&mut out, &text(Some(name)));
        out.push_str("\" value=\"");
        escape_into(&mut out, &text(Some(value)));
        out.push('"');
        if name.as_str() == Some("method") {
            out.push_str(" formaction=\"");
            put(&mut out, args, "base", "");
            out.push_str("/signin/passwordless\" formnovalidate");
        }
        out.push_str(">\n  <span class=\"option-icon\">");
        out.push_str(self.0.draw(value.as_str().unwrap_or("")));
        out.push_str("</span>\n  <span class=\"option-label\">");
        escape_into(&mut out, &text(Some(label)));
        out.push_str("</span>\n  ");
        out.push_str(self.0.draw("chevron"));
        out.push_str("\n</button>\n");
        Ok(Value::String(out))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `picker(languages=languages, label=…)`: the language links (`languages` as the pages'
/// context holds them: `href`, `code`, `name`, `current`), in a `<nav>` named `label`; nothing
/// when only one language is offered. A loop of look-ups in Tera cost more than the rest of
/// a page's footer.
pub struct Picker;

impl Function for Picker {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let languages = match args.get("languages") {
            Some(Value::Array(languages)) => languages,
            _ => return Err(tera::Error::msg("picker() needs `languages`, a list")),
        };
        if languages.len() < 2 {
            return Ok(Value::String(String::new()));
        }
        let mut out = String::with_capacity(160 * languages.len());
        out.push_str("<nav class=\"languages\" aria-label=\"");
        put(&mut out, args, "label", "");
        out.push_str("\">\n    <ul>");
        for l in languages {
            let code = text(l.get("code"));
            out.push_str("<li><a href=\"");
            escape_into(&mut out, &text(l.get("href")));
            out.push_str("\" hreflang=\"");
            escape_into(&mut out, &code);
            out.push_str("\" lang=\"");
            escape_into(&mut out, &code);
            out.push('"');
            if truthy(l.get("current")) {
                out.push_str(" aria-current=\"true\"");
            }
            out.push('>');
            escape_into(&mut out, &text(l.get("name")));
            out.push_str("</a></li>");
        }
        out.push_str("</ul>\n  </nav>");
        Ok(Value::String(out))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests;
