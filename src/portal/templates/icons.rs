//! The pages' line icons, as the template function `icon(name=…)`: a 24×24 SVG, decorative
//! (the text beside it says what it means). Each is written once here and handed out as
//! it is: a Tera macro choosing among a dozen names by comparing strings cost more than the
//! rest of a page's markup.

use std::collections::HashMap;

use tera::{Function, Value};

/// Each icon's drawing: the inside of its `<svg>`.
const DRAWINGS: [(&str, &str); 12] = [
    (
        "otp",
        r#"<circle cx="12" cy="13.5" r="7.5"/><path d="M12 10v3.5l2.5 2"/><path d="M9.5 3h5M12 3v3"/>"#,
    ),
    (
        "push",
        r#"<rect x="6.5" y="2.5" width="11" height="19" rx="2.5"/><path d="M10.5 18.5h3"/><path d="M9.5 10.5l2 2 3.5-3.5"/>"#,
    ),
    (
        "sms",
        r#"<path d="M4 5.5h16v10.5h-9.5l-5 3.75V16H4z"/><path d="M8.5 10.75h.01M12 10.75h.01M15.5 10.75h.01"/>"#,
    ),
    (
        "voice",
        r#"<rect x="4.5" y="2.5" width="10" height="19" rx="2.5"/><path d="M8.5 18.5h2"/><path d="M17.5 9c.9.8 1.4 1.8 1.4 3s-.5 2.2-1.4 3"/><path d="M20 6.5c1.6 1.5 2.4 3.4 2.4 5.5s-.8 4-2.4 5.5"/>"#,
    ),
    (
        "email",
        r#"<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3.5 6.5l8.5 6.5 8.5-6.5"/>"#,
    ),
    (
        "lock",
        r#"<rect x="5" y="10.5" width="14" height="10.5" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/><path d="M12 14.5v2.5"/>"#,
    ),
    (
        "user",
        r#"<circle cx="12" cy="8" r="4"/><path d="M4.5 20.5c.6-3.8 3.7-6.5 7.5-6.5s6.9 2.7 7.5 6.5"/>"#,
    ),
    ("chevron", r#"<path d="M9 6l6 6-6 6"/>"#),
    (
        "info",
        r#"<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.5h.01"/>"#,
    ),
    (
        "warning",
        r#"<path d="M10.3 4.2L2.6 18a2 2 0 0 0 1.7 3h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0z"/><path d="M12 9.5v4.5M12 17.5h.01"/>"#,
    ),
    (
        "check",
        r#"<circle cx="12" cy="12" r="9"/><path d="M8 12.5l2.7 2.7L16 9.8"/>"#,
    ),
    (
        "shield",
        r#"<path d="M12 3l7.5 3v5.5c0 4.6-3.2 8.4-7.5 9.5-4.3-1.1-7.5-4.9-7.5-9.5V6z"/><path d="M9 12l2.2 2.2L15.5 10"/>"#,
    ),
];

/// `icon(name="lock")`: the icon's whole `<svg>` element, marked safe (it is written here,
/// never from input). An unknown name is an empty frame, as the macro it replaces drew.
#[derive(Clone)]
pub struct Icon {
    svgs: HashMap<&'static str, String>,
    empty: String,
}

fn svg(name: &str, drawing: &str) -> String {
    format!(
        r#"<svg class="icon icon-{name}" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{drawing}</svg>"#
    )
}

impl Icon {
    pub fn new() -> Icon {
        Icon {
            svgs: DRAWINGS.iter().map(|(n, d)| (*n, svg(n, d))).collect(),
            empty: svg("", ""),
        }
    }

    /// The `<svg>` of `name` (an empty frame for a name it does not know).
    pub fn draw(&self, name: &str) -> &str {
        // Only the templates name icons; an unknown one is their typo, drawn empty (its
        // name kept out of the markup: it could come from a context value).
        self.svgs.get(name).unwrap_or(&self.empty)
    }
}

impl Function for Icon {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = args.get("name").and_then(Value::as_str).unwrap_or("");
        Ok(Value::String(self.draw(name).to_string()))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(name: &str) -> String {
        let args = HashMap::from([("name".to_string(), Value::from(name))]);
        Icon::new()
            .call(&args)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn each_icon_is_a_decorative_svg_of_its_name() {
        for (name, drawing) in DRAWINGS {
            let svg = draw(name);
            assert!(svg.starts_with(&format!(r#"<svg class="icon icon-{name}" "#)));
            assert!(svg.contains(r#"aria-hidden="true" focusable="false">"#));
            assert!(svg.ends_with(&format!("{drawing}</svg>")));
        }
        assert!(Icon::new().is_safe());
    }

    #[test]
    fn an_unknown_name_draws_an_empty_frame_without_the_name() {
        let svg = draw("<script>");
        assert!(!svg.contains("script"));
        assert!(svg.ends_with("></svg>"));
    }
}
