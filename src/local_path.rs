//! Local paths: what a redirect may use as its target without leaving this site. Shared
//! by the configuration (`signin.default_return_to`, a [`LocalPath`]) and the portal's
//! `return_to` handling (`portal::security::safe_return_to`), so both apply one rule.

use std::fmt;
use std::ops::Deref;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rocket::http::uri::Reference;
use serde::{Deserialize, Serialize};

/// The longest `return_to` kept (after percent-encoding); a longer one falls back to the
/// default.
const MAX_RETURN_TO: usize = 1024;

/// Bytes percent-encoded in a `return_to` path: all but RFC 3986's unreserved characters,
/// sub-delimiters, `:`, `@` and `/`. `%` is handled apart (a valid escape is kept).
const PATH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// The query and the fragment may also hold `?`.
const QUERY_ENCODE: &AsciiSet = &PATH_ENCODE.remove(b'?');

/// Percent-encodes what `set` names, keeping escapes that are already valid (`%20`) and
/// encoding a `%` that starts none (`%zz` becomes `%25zz`).
fn encode_part(part: &str, set: &'static AsciiSet, out: &mut String) {
    let mut rest = part;
    while let Some(at) = rest.find('%') {
        out.extend(utf8_percent_encode(&rest[..at], set));
        let escape = rest.as_bytes().get(at + 1..at + 3);
        if escape.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            out.push_str(&rest[at..at + 3]);
            rest = &rest[at + 3..];
        } else {
            out.push_str("%25");
            rest = &rest[at + 1..];
        }
    }
    out.extend(utf8_percent_encode(rest, set));
}

/// `path` as a local redirect target, percent-encoded where it must be; `None` when it is
/// not local or cannot be made valid. Local means: one leading `/`, no scheme or
/// authority, no backslash (browsers read `/\host` as `//host`), no control characters
/// (browsers drop tabs and newlines, so `/\t/host` would become `//host`), no `.` or `..`
/// segment. The result is checked with Rocket's own parser ([`Reference`], what
/// `Redirect::to` uses), so a redirect to it never fails.
pub fn local_target(path: &str) -> Option<String> {
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.contains('\\')
        || path.chars().any(char::is_control)
    {
        return None;
    }
    let (before_fragment, fragment) = match path.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (path, None),
    };
    let (path_part, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    let mut encoded = String::with_capacity(path.len());
    encode_part(path_part, PATH_ENCODE, &mut encoded);
    if let Some(q) = query {
        encoded.push('?');
        encode_part(q, QUERY_ENCODE, &mut encoded);
    }
    if let Some(f) = fragment {
        encoded.push('#');
        encode_part(f, QUERY_ENCODE, &mut encoded);
    }
    if encoded.len() > MAX_RETURN_TO {
        return None;
    }
    let uri = Reference::parse(&encoded).ok()?;
    let uri_path = uri.path().as_str();
    let dot_segment = percent_decode_str(uri_path)
        .decode_utf8_lossy()
        .split('/')
        .any(|s| s == "." || s == "..");
    if uri.scheme().is_some()
        || uri.authority().is_some()
        || !uri_path.starts_with('/')
        || uri_path.starts_with("//")
        || dot_segment
    {
        return None;
    }
    Some(encoded)
}

/// Whether `path` is a local path that a redirect can use as it is (see `local_target`;
/// nothing in it needs encoding).
pub fn is_local_path(path: &str) -> bool {
    local_target(path).as_deref() == Some(path)
}

/// A path that [`is_local_path`] accepts as it is, e.g. `/account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalPath(String);

impl LocalPath {
    /// `path` when it is local and needs no encoding.
    pub fn new(path: impl Into<String>) -> Result<Self, String> {
        let path = path.into();
        if is_local_path(&path) {
            Ok(LocalPath(path))
        } else {
            Err(format!(
                "'{path}' is not a local path such as /account (one leading '/', no scheme or host, nothing to encode)"
            ))
        }
    }

    /// The path as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LocalPath {
    type Error = String;
    fn try_from(path: String) -> Result<Self, String> {
        LocalPath::new(path)
    }
}

impl TryFrom<&str> for LocalPath {
    type Error = String;
    fn try_from(path: &str) -> Result<Self, String> {
        LocalPath::new(path)
    }
}

impl From<LocalPath> for String {
    fn from(path: LocalPath) -> String {
        path.0
    }
}

impl Deref for LocalPath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LocalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for LocalPath {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for LocalPath {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_parse_and_others_are_refused() {
        assert_eq!(LocalPath::new("/account").unwrap(), "/account");
        assert_eq!(LocalPath::new("/a/b?c=d#e").unwrap().as_str(), "/a/b?c=d#e");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "evil",
            "",
            "/\\evil",
            "/a b",
            "/caf\u{e9}",
        ] {
            assert!(LocalPath::new(bad).is_err(), "{bad:?}");
        }
    }
}
