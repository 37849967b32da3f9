//! The small HTML helpers tests repeat on portal pages.

/// What precedes the CSRF token in every portal form: `name="csrf_token" value="`.
pub const CSRF_MARKER: &str = "name=\"csrf_token\" value=\"";

/// The value of the first `name="csrf_token" value="…"` on a page, if any.
pub fn csrf_token(body: &str) -> Option<String> {
    let start = body.find(CSRF_MARKER)? + CSRF_MARKER.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_string())
}

/// Undoes Tera's HTML escaping.
pub fn unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
