//! A portal's answer as a test reads it: status, redirect, headers, body, and what a page
//! holds (form values, notices, the operation id).

use serde_json::Value;

use super::{unescape, SID};

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every `Set-Cookie` header of the response.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Set-Cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The `Set-Cookie` header for the session cookie, if the response sets one.
    pub fn session_cookie(&self) -> Option<&str> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{SID}=")))
    }

    /// The value of the `value` attribute of the input named `name`.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\"");
        let at = self.body.find(&marker)?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag_end = at + self.body[at..].find('>')?;
        let tag = &self.body[tag_start..tag_end];
        let v = tag.find("value=\"")? + "value=\"".len();
        let end = tag[v..].find('"')? + v;
        Some(unescape(&tag[v..end]))
    }

    /// The number shown in `id="binding-code"` on the push wait page.
    pub fn binding_code(&self) -> Option<u64> {
        self.body
            .split("id=\"binding-code\"")
            .nth(1)
            .and_then(|s| s.split('>').nth(1))
            .and_then(|s| s.split('<').next())
            .and_then(|s| s.trim().parse().ok())
    }

    /// The body with Tera's HTML escaping undone (for matching text with apostrophes).
    pub fn text(&self) -> String {
        unescape(&self.body)
    }

    /// How many one-line notices the page shows.
    pub fn notices(&self) -> usize {
        self.body.matches("class=\"notice ").count()
    }

    /// The operation id on an error page.
    pub fn operation_id(&self) -> Option<String> {
        let marker = "id=\"operation-id\">";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('<')? + start;
        Some(self.body[start..end].to_string())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(
            self.status, 303,
            "expected a 303 to {to}, got {} {:?}\n{}",
            self.status, self.location, self.body
        );
        assert_eq!(self.location.as_deref(), Some(to));
    }
}
