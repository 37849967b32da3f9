//! The functions against the macros and loop they replace, byte for byte.

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
    cases.push(json!({"name": "username", "label": "Username", "value": hostile, "dir": "auto"}));
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
fn values_are_escaped_as_tera_escapes_them() {
    for s in [
        "",
        "plain",
        r#"<a href="/x?a=1&b='2'">é/ü</a>"#,
        "&&//''",
        "ends with <",
    ] {
        let mut out = String::from("»");
        escape_into(&mut out, s);
        assert_eq!(out, format!("»{}", tera::escape_html(s)));
    }
}

#[test]
fn a_missing_name_or_label_is_an_error_not_a_panic() {
    let field = Field(Icon::new());
    let args = HashMap::from([("name".to_string(), json!("x"))]);
    assert!(field.call(&args).is_err());
    assert!(field.call(&HashMap::new()).is_err());
    assert!(Choice(Icon::new()).call(&args).is_err());
    // Without `error_field`, an error names no field (the macro's default was ""); with it,
    // the field is marked.
    let mut a = HashMap::from([
        ("name".to_string(), json!("x")),
        ("label".to_string(), json!("L")),
        ("error".to_string(), json!("E")),
    ]);
    let html = field.call(&a).unwrap();
    assert!(!html.as_str().unwrap().contains("field-invalid"));
    a.insert("error_field".to_string(), json!("x"));
    let html = field.call(&a).unwrap();
    assert!(html.as_str().unwrap().contains("field-invalid"));
}
