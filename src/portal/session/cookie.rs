//! The session cookie: `__Host-sid` (host-only: browsers insist on `Secure`, `Path=/` and
//! no `Domain`, so no sibling subdomain can set or shadow it), or, when
//! `session.cookie_domain` is set for sign-in on one subdomain and apps on others,
//! `__Secure-sid` with that `Domain` (every subdomain then receives it, and any of them
//! could set one: the trade-off of sharing a sign-in across hosts).

use rocket::http::{Cookie, CookieJar, SameSite};

use super::{Current, Sessions, COOKIE, SHARED_COOKIE};

impl Sessions {
    /// The cookie's name: [`COOKIE`], or [`SHARED_COOKIE`] with a `cookie_domain`.
    pub fn cookie_name(&self) -> &'static str {
        match self.config.cookie_domain {
            Some(_) => SHARED_COOKIE,
            None => COOKIE,
        }
    }

    fn cookie_base(&self, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::build((self.cookie_name(), value))
            .path("/")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Lax)
            .build();
        if let Some(domain) = &self.config.cookie_domain {
            cookie.set_domain(domain.clone());
        }
        cookie
    }

    /// The cookie carrying `id`; persistent for `max_age` seconds when given.
    pub fn cookie(&self, id: String, max_age: Option<i64>) -> Cookie<'static> {
        let mut cookie = self.cookie_base(id);
        if let Some(age) = max_age {
            cookie.set_max_age(rocket::time::Duration::seconds(age));
        }
        cookie
    }

    /// Sets the cookie for a signed-in session.
    pub fn set_signed_in_cookie(&self, jar: &CookieJar<'_>, id: String, remember: bool) {
        let max_age = remember.then_some(self.config.remember_absolute_timeout);
        jar.add(self.cookie(id, max_age));
    }

    /// Expires the session cookie in the browser.
    pub fn expire_cookie(&self, jar: &CookieJar<'_>) {
        jar.remove(self.cookie_base(String::new()));
    }

    /// The id of the visitor's session, creating (and setting) a fresh one when the
    /// visitor has none: forms need an id to derive their CSRF token from. Nothing is
    /// stored until a sign-in starts.
    pub fn ensure_id(&self, jar: &CookieJar<'_>, current: &Current) -> String {
        match &current.id {
            Some(id) => id.clone(),
            None => {
                let id = Self::new_id();
                jar.add(self.cookie(id.clone(), None));
                id
            }
        }
    }
}
