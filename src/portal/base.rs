//! Where the portal is mounted: at the root (the standalone portal, `""`) or under a base
//! path inside a host Rocket app (`"/sso"`). Every URL the portal writes (links, form
//! actions, assets, redirects, the gateway's sign-in `Location`) goes through
//! [`Base::url`], so the same code serves both.
//!
//! A base is one or more path segments of unreserved characters (`A-Z a-z 0-9 - . _ ~`),
//! never `.` or `..`: nothing in it needs escaping in a URL, an HTML attribute or a
//! `return_to`, and it cannot climb out of itself.

use std::fmt;

/// The portal's mount point: `""` at the root, else `/seg[/seg…]` without a trailing `/`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Base(String);

impl Base {
    /// The root: the standalone portal.
    pub fn root() -> Base {
        Base(String::new())
    }

    /// A base path such as `/sso` (`/` is the root; one trailing `/` is ignored). Refused:
    /// no leading `/`, an empty, `.` or `..` segment, or a character outside
    /// `A-Z a-z 0-9 - . _ ~`.
    pub fn new(path: &str) -> Result<Base, String> {
        let Some(rest) = path.strip_prefix('/') else {
            return Err(format!("the base path {path:?} must start with /"));
        };
        if rest.is_empty() {
            return Ok(Base::root());
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        for segment in rest.split('/') {
            let unreserved = segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if segment.is_empty() || segment == "." || segment == ".." || !unreserved {
                return Err(format!(
                    "the base path {path:?} must be /segments of A-Z a-z 0-9 - . _ ~ \
                     (no empty, . or .. segment)"
                ));
            }
        }
        Ok(Base(format!("/{rest}")))
    }

    /// `""` at the root, else the base (`/sso`): what precedes every portal path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the root (the standalone portal).
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Where Rocket mounts the routes: `/` or the base.
    pub fn mount_point(&self) -> &str {
        if self.is_root() {
            "/"
        } else {
            &self.0
        }
    }

    /// The portal's `path` (which starts with `/`) under the base: `/signin` →
    /// `/sso/signin`; `/` is the portal's home (`/` at the root, `/sso` under it).
    pub fn url(&self, path: &str) -> String {
        match path {
            "/" => self.mount_point().to_string(),
            _ => format!("{}{path}", self.0),
        }
    }

    /// Whether a request for `path` is the portal's (at the root: every request).
    pub fn contains(&self, path: &str) -> bool {
        self.is_root()
            || path
                .strip_prefix(self.0.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_is_a_plain_path_or_the_root() {
        assert_eq!(Base::new("/").unwrap(), Base::root());
        assert_eq!(Base::new("/sso").unwrap().as_str(), "/sso");
        assert_eq!(Base::new("/sso/").unwrap().as_str(), "/sso");
        assert_eq!(Base::new("/a/b-c.d_e~").unwrap().as_str(), "/a/b-c.d_e~");
        for bad in [
            "", "sso", "//", "/sso//x", "/./x", "/..", "/a b", "/é", "/a?b", "/a#b", "/a%2f",
            "/<x>", "/a\"b",
        ] {
            assert!(Base::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls_and_requests_under_a_base() {
        let root = Base::root();
        assert_eq!(root.url("/signin"), "/signin");
        assert_eq!(root.url("/"), "/");
        assert_eq!(root.mount_point(), "/");
        assert!(root.contains("/anything"));
        let sso = Base::new("/sso").unwrap();
        assert_eq!(
            sso.url("/signin?notice=signed_out"),
            "/sso/signin?notice=signed_out"
        );
        assert_eq!(sso.url("/"), "/sso");
        assert_eq!(sso.mount_point(), "/sso");
        assert!(sso.contains("/sso"));
        assert!(sso.contains("/sso/signin"));
        assert!(!sso.contains("/ssox"));
        assert!(!sso.contains("/"));
        assert!(!sso.contains("/app/sso"));
    }
}
