//! Which language a request is answered in, decided once per request (`local_cache`):
//!
//! 1. `?lang=xx`, when it names an offered language (remembered in the `lang` cookie);
//! 2. the `lang` cookie;
//! 3. `Accept-Language`, by q-value (`q=0` excluded; `de-CH` is served `de`);
//! 4. `i18n.fallback`.
//!
//! A tag matches an offered language exactly, or by its primary language subtag. No
//! step allocates beyond the header's parse (and that only when steps 1–2 do not decide).

use rocket::http::{Cookie, SameSite};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde::Serialize;

use super::Catalog;

/// The cookie that keeps a language chosen with `?lang=`.
pub const COOKIE: &str = "lang";

/// The longest `Accept-Language` header read; a longer one is ignored.
const MAX_HEADER: usize = 512;

/// The language chosen for this request (an index into [`Catalog::languages`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// Index of the language in the catalog.
    pub index: usize,
    /// Whether `?lang=` chose it (so the answer sets the cookie).
    pub from_query: bool,
}

/// The language chosen for `req` (computed on first use, then cached for the request).
pub fn chosen(req: &Request<'_>, catalog: &Catalog) -> Chosen {
    *req.local_cache(|| {
        let query = req.query_value::<&str>("lang").and_then(Result::ok);
        let cookie = req.cookies().get(COOKIE).map(|c| c.value());
        negotiate(
            catalog,
            query,
            cookie,
            req.headers().get_one("Accept-Language"),
        )
    })
}

/// The negotiation itself, from the query's `lang`, the cookie and `Accept-Language`.
pub fn negotiate(
    catalog: &Catalog,
    query: Option<&str>,
    cookie: Option<&str>,
    accept: Option<&str>,
) -> Chosen {
    if let Some(index) = query.and_then(|q| find(catalog, q)) {
        return Chosen {
            index,
            from_query: true,
        };
    }
    let index = cookie
        .and_then(|c| find(catalog, c))
        .or_else(|| accept.and_then(|a| from_header(catalog, a)))
        .unwrap_or(catalog.fallback());
    Chosen {
        index,
        from_query: false,
    }
}

/// The first offered language of an `Accept-Language` header, by q-value.
fn from_header(catalog: &Catalog, header: &str) -> Option<usize> {
    if header.len() > MAX_HEADER {
        return None;
    }
    accept_language::parse_with_quality(header)
        .iter()
        .filter(|(_, q)| *q > 0.0)
        .find_map(|(tag, _)| find(catalog, tag))
}

/// The offered language `tag` names: exactly, or by its primary subtag.
fn find(catalog: &Catalog, tag: &str) -> Option<usize> {
    if tag.is_empty() || tag.len() > 35 {
        return None;
    }
    catalog.index(tag).or_else(|| {
        let primary = primary(tag);
        catalog
            .languages()
            .iter()
            .position(|l| primary.eq_ignore_ascii_case(self::primary(&l.code)))
    })
}

fn primary(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// The `lang` cookie for `code`: a year, Lax, Secure like the session cookie, on `path`.
pub fn cookie(code: &str, path: &str) -> Cookie<'static> {
    Cookie::build((COOKIE, code.to_string()))
        .path(if path.is_empty() { "/" } else { path }.to_string())
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(rocket::time::Duration::days(365))
        .build()
}

/// One entry of the language picker: the language and the link that picks it: this page,
/// its other query parameters kept, with `lang=`. The link is query-only (`?…&lang=de`),
/// so it never echoes the path (a 404 for `/metrics` stays the same as any other 404).
#[derive(Debug, Serialize)]
pub struct Pick<'a> {
    /// The language's tag.
    pub code: &'a str,
    /// The language's name in itself.
    pub name: &'a str,
    /// This page with `lang=code`.
    pub href: String,
    /// Whether it is the page's language.
    pub current: bool,
}

/// The picker's links for `req`, whose language is `current`.
pub fn picker<'a>(req: &Request<'_>, catalog: &'a Catalog, current: usize) -> Vec<Pick<'a>> {
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    if let Some(query) = req.uri().query() {
        for (name, value) in query.segments() {
            if name != "lang" {
                kept.append_pair(name, value);
            }
        }
    }
    let kept = kept.finish();
    catalog
        .languages()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let sep = if kept.is_empty() { "" } else { "&" };
            Pick {
                code: &l.code,
                name: &l.name,
                href: format!("?{kept}{sep}lang={}", l.code),
                current: i == current,
            }
        })
        .collect()
}

/// The request's language as a guard, for a handler that needs it.
#[derive(Clone, Copy, Debug)]
pub struct Lang(pub Chosen);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match req
            .rocket()
            .state::<std::sync::Arc<crate::portal::Portal>>()
        {
            Some(portal) => Outcome::Success(Lang(chosen(req, portal.templates.catalog()))),
            None => Outcome::Forward(rocket::http::Status::InternalServerError),
        }
    }
}
