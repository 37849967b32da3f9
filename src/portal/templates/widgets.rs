//! The forms' building blocks as template functions: `field(…)` (a labelled input with its
//! hint and error), `option(…)` (a method choice) and `picker(…)` (the language links every
//! page ends with). They were Tera macros, and a macro
//! call (a fresh frame, its arguments copied in, its body rendered to a string of its own)
//! cost more than the rest of a page's markup around it; a page holds several. The
//! functions write the same markup, byte for byte (the tests render the old macros beside
//! them), and escape every value as Tera's autoescape did. The macros `m::field` and
//! `m::option` stay, calling these, for templates written against them.

use std::collections::HashMap;
use std::fmt::Write;

use tera::{escape_html, Function, Value};

use super::icons::Icon;

/// A value as Tera writes it in `{{ … }}` (before escaping).
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => f.to_string(),
            _ => String::new(),
        },
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|v| text(Some(v))).collect();
            format!("[{}]", items.join(", "))
        }
        Some(Value::Object(_)) => "[object]".to_string(),
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

/// The argument `name` written escaped, or `default` when it is not given.
fn escaped(args: &HashMap<String, Value>, name: &str, default: &str) -> String {
    match args.get(name) {
        Some(v) => escape_html(&text(Some(v))),
        None => escape_html(default),
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
        let label = escape_html(&text(Some(required(args, "label", "field")?)));
        let name = escape_html(&text(Some(name_value)));
        let error_field = args.get("error_field").cloned().unwrap_or(Value::from(""));
        let invalid = truthy(args.get("error")) && &error_field == name_value;
        let has_hint = truthy(args.get("hint"));
        let extra = text(args.get("extra"));
        let mut out = String::with_capacity(512);
        // (Writing to a String cannot fail.)
        let _ = write!(
            out,
            "\n\n<div class=\"field{}\">\n  <label for=\"{name}\">{label}</label>\n  ",
            if invalid { " field-invalid" } else { "" }
        );
        if has_hint {
            let hint = escaped(args, "hint", "");
            let _ = write!(out, "<p class=\"hint\" id=\"{name}-hint\">{hint}</p>");
        }
        let _ = write!(
            out,
            "\n  <input id=\"{name}\" name=\"{name}\" type=\"{}\" value=\"{}\"",
            escaped(args, "type", "text"),
            escaped(args, "value", "")
        );
        if truthy(args.get("dir")) {
            let _ = write!(out, " dir=\"{}\"", escaped(args, "dir", ""));
        }
        if truthy(args.get("autocomplete")) {
            let _ = write!(
                out,
                " autocomplete=\"{}\"",
                escaped(args, "autocomplete", "")
            );
        }
        if invalid {
            let _ = write!(
                out,
                " aria-invalid=\"true\" aria-describedby=\"{name}-error"
            );
            if has_hint {
                let _ = write!(out, " {name}-hint");
            }
            out.push('"');
        } else if has_hint {
            let _ = write!(out, " aria-describedby=\"{name}-hint\"");
        }
        if invalid && !extra.contains("autofocus") {
            out.push_str(" autofocus");
        }
        let _ = write!(out, " {extra}>\n  ");
        if invalid {
            let _ = write!(
                out,
                "<p class=\"field-error\" id=\"{name}-error\">{}<span>{}</span></p>",
                self.0.draw("warning"),
                escaped(args, "error", "")
            );
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
        let name_value = required(args, "name", "option")?;
        let value_value = required(args, "value", "option")?;
        let label = escape_html(&text(Some(required(args, "label", "option")?)));
        let name = escape_html(&text(Some(name_value)));
        let value = escape_html(&text(Some(value_value)));
        let mut out = String::with_capacity(1024);
        let _ = write!(
            out,
            "\n<button type=\"submit\" class=\"option\" name=\"{name}\" value=\"{value}\""
        );
        if name_value.as_str() == Some("method") {
            let _ = write!(
                out,
                " formaction=\"{}/signin/passwordless\" formnovalidate",
                escaped(args, "base", "")
            );
        }
        let icon = self.0.draw(value_value.as_str().unwrap_or(""));
        let _ = write!(
            out,
            ">\n  <span class=\"option-icon\">{icon}</span>\n  <span class=\"option-label\">{label}</span>\n  {}\n</button>\n",
            self.0.draw("chevron")
        );
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
        let mut out = String::with_capacity(128 * languages.len());
        let _ = write!(
            out,
            "<nav class=\"languages\" aria-label=\"{}\">\n    <ul>",
            escaped(args, "label", "")
        );
        for l in languages {
            let field = |name: &str| escape_html(&text(l.get(name)));
            let code = field("code");
            let _ = write!(
                out,
                "<li><a href=\"{}\" hreflang=\"{code}\" lang=\"{code}\"{}>{}</a></li>",
                field("href"),
                if truthy(l.get("current")) {
                    " aria-current=\"true\""
                } else {
                    ""
                },
                field("name")
            );
        }
        out.push_str("</ul>\n  </nav>");
        Ok(Value::String(out))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tera::{Context, Tera};

    /// The macros as they were written before these functions, to render beside them.
    const OLD_MACROS: &str = r#"{% macro field(name, label, type="text", value="", autocomplete="", error="", error_field="", hint="", extra="", dir="") %}
{% set invalid = error and error_field == name %}
<div class="field{% if invalid %} field-invalid{% endif %}">
  <label for="{{ name }}">{{ label }}</label>
  {% if hint %}<p class="hint" id="{{ name }}-hint">{{ hint }}</p>{% endif %}
  <input id="{{ name }}" name="{{ name }}" type="{{ type }}" value="{{ value }}"{% if dir %} dir="{{ dir }}"{% endif %}{% if autocomplete %} autocomplete="{{ autocomplete }}"{% endif %}{% if invalid %} aria-invalid="true" aria-describedby="{{ name }}-error{% if hint %} {{ name }}-hint{% endif %}"{% elif hint %} aria-describedby="{{ name }}-hint"{% endif %}{% if invalid and extra is not containing("autofocus") %} autofocus{% endif %} {{ extra | safe }}>
  {% if invalid %}<p class="field-error" id="{{ name }}-error">{{ icon(name="warning") }}<span>{{ error }}</span></p>{% endif %}
</div>
{% endmacro field %}
{% macro option(name, value, label, base="") %}
<button type="submit" class="option" name="{{ name }}" value="{{ value }}"{% if name == "method" %} formaction="{{ base }}/signin/passwordless" formnovalidate{% endif %}>
  <span class="option-icon">{{ icon(name=value) }}</span>
  <span class="option-label">{{ label }}</span>
  {{ icon(name="chevron") }}
</button>
{% endmacro option %}"#;

    fn tera() -> Tera {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![""]);
        tera.register_function("icon", Icon::new());
        tera.register_function("field", Field(Icon::new()));
        tera.register_function("option", Choice(Icon::new()));
        tera.add_raw_templates([
            ("old", OLD_MACROS),
            (
                "by_macro",
                r#"{% import "old" as m %}{% if kind == "field" %}{{ m::field(name=a.name, label=a.label, type=a.type | default(value="text"), value=a.value | default(value=""), autocomplete=a.autocomplete | default(value=""), error=a.error | default(value=""), error_field=a.error_field | default(value=""), hint=a.hint | default(value=""), extra=a.extra | default(value=""), dir=a.dir | default(value="")) }}{% else %}{{ m::option(name=a.name, value=a.value, label=a.label, base=a.base | default(value="")) }}{% endif %}"#,
            ),
            (
                "by_function",
                r#"{% if kind == "field" %}{{ field(name=a.name, label=a.label, type=a.type | default(value="text"), value=a.value | default(value=""), autocomplete=a.autocomplete | default(value=""), error=a.error | default(value=""), error_field=a.error_field | default(value=""), hint=a.hint | default(value=""), extra=a.extra | default(value=""), dir=a.dir | default(value="")) }}{% else %}{{ option(name=a.name, value=a.value, label=a.label, base=a.base | default(value="")) }}{% endif %}"#,
            ),
        ])
        .unwrap();
        tera
    }

    fn both(kind: &str, a: serde_json::Value) -> (String, String) {
        let tera = tera();
        let mut c = Context::new();
        c.insert("kind", kind);
        c.insert("a", &a);
        (
            tera.render("by_macro", &c).unwrap(),
            tera.render("by_function", &c).unwrap(),
        )
    }

    #[test]
    fn a_field_is_written_as_the_macro_wrote_it() {
        let hostile = r#"<b>"it's" & </b>"#;
        let mut cases = vec![];
        for error in [
            json!(""),
            json!("Wrong password"),
            json!(hostile),
            json!(null),
        ] {
            for error_field in [json!("password"), json!("username"), json!(null)] {
                for hint in [json!(""), json!("At least 12 characters"), json!(hostile)] {
                    for extra in [json!(""), json!(r#"autofocus required"#), json!("required")] {
                        cases.push(json!({"name": "password", "label": hostile, "type": "password",
                            "autocomplete": "current-password", "error": error, "error_field": error_field,
                            "hint": hint, "extra": extra}));
                    }
                }
            }
        }
        cases.push(
            json!({"name": "username", "label": "Username", "value": hostile, "dir": "auto"}),
        );
        cases.push(
            json!({"name": "phone", "label": "Phone", "value": null, "dir": "ltr", "type": "tel"}),
        );
        cases.push(json!({"name": "n", "label": "L", "value": 42, "autocomplete": ""}));
        cases.push(json!({"name": "f", "label": 1.0, "value": 2.5, "hint": 0, "error": true, "error_field": "f"}));
        cases.push(json!({"name": "a", "label": ["x", 1], "value": {"k": "v"}, "dir": false}));
        for a in cases {
            let (by_macro, by_function) = both("field", a.clone());
            assert_eq!(by_function, by_macro, "{a}");
        }
    }

    #[test]
    fn an_option_is_written_as_the_macro_wrote_it() {
        for a in [
            json!({"name": "method", "value": "push", "label": "Okta Verify", "base": "/auth-portal"}),
            json!({"name": "method", "value": "email", "label": "<Email & co>"}),
            json!({"name": "factor", "value": "otp", "label": "Code"}),
            json!({"name": "factor", "value": "nope\"><script>", "label": "x"}),
        ] {
            let (by_macro, by_function) = both("option", a.clone());
            assert_eq!(by_function, by_macro, "{a}");
        }
    }

    #[test]
    fn the_picker_is_written_as_the_loop_wrote_it() {
        let old = r#"{% if languages | length > 1 %}<nav class="languages" aria-label="{{ label }}">
    <ul>{% for l in languages %}<li><a href="{{ l.href }}" hreflang="{{ l.code }}" lang="{{ l.code }}"{% if l.current %} aria-current="true"{% endif %}>{{ l.name }}</a></li>{% endfor %}</ul>
  </nav>{% endif %}"#;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![""]);
        tera.register_function("picker", Picker);
        tera.add_raw_templates([
            ("old", old),
            ("new", "{{ picker(languages=languages, label=label) }}"),
        ])
        .unwrap();
        let hostile = r#"<i>"x" & 'y'</i>"#;
        for languages in [
            json!([]),
            json!([{"code": "en", "name": "English", "href": "?lang=en", "current": true}]),
            json!([
                {"code": "en", "name": "English", "href": "/signin?lang=en", "current": false},
                {"code": "ar", "name": "العربية", "href": "/signin?a=1&lang=ar", "current": true},
                {"code": hostile, "name": hostile, "href": hostile, "current": false},
            ]),
        ] {
            let mut c = Context::new();
            c.insert("languages", &languages);
            c.insert("label", hostile);
            assert_eq!(
                tera.render("new", &c).unwrap(),
                tera.render("old", &c).unwrap(),
                "{languages}"
            );
        }
        assert!(Picker.call(&HashMap::new()).is_err());
    }

    #[test]
    fn a_missing_name_or_label_is_an_error_not_a_panic() {
        let field = Field(Icon::new());
        let args = HashMap::from([("name".to_string(), json!("x"))]);
        assert!(field.call(&args).is_err());
        assert!(field.call(&HashMap::new()).is_err());
        assert!(Choice(Icon::new()).call(&args).is_err());
    }
}
