//! Request guards for a host app's own routes: [`SignedIn`] (who is signed in, from the
//! portal's session) and [`Allowed<P>`] (signed in and passing the rules of a
//! [`Policy`]: groups, emails, two factors, sign-in age, judged exactly as the gateway's
//! `/auth` judges them).
//!
//! They read the session as the portal's own pages do: the same cookie, the same session
//! manager, the idle and absolute timeouts checked on every load, activity recorded at
//! most once a minute (the portal's `User` guard underneath). No Okta call is made.
//!
//! Not signed in, [`SignedIn`] *forwards* with 401: a `rank = 2` route can serve the
//! anonymous case, `Option<SignedIn>` gives `None`, and otherwise Rocket's 401 catcher
//! answers; [`super::catchers()`] has one that sends a browser to sign in. A session store
//! failure is an error with 503, never a panic.

use std::marker::PhantomData;
use std::sync::Arc;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::portal::gateway::auth::identity;
use crate::portal::gateway::rules::{Identity, Rules, Verdict};
use crate::portal::session::{Sessions, StoreError, User};

/// The signed-in user, as the portal's session knows them.
#[derive(Clone)]
pub struct SignedIn {
    who: Identity,
    csrf_token: String,
}

impl SignedIn {
    /// The user's Okta ID (`sub`).
    pub fn sub(&self) -> &str {
        &self.who.sub
    }

    /// The user's email address, only when Okta has not marked it unverified (as the
    /// gateway's headers and rules treat it).
    pub fn email(&self) -> Option<&str> {
        self.who.email.as_deref()
    }

    /// The display name (`name`), when Okta gave one.
    pub fn name(&self) -> Option<&str> {
        self.who.name.as_deref()
    }

    /// The Okta login (`preferred_username`), when Okta gave one.
    pub fn preferred_username(&self) -> Option<&str> {
        self.who.preferred_username.as_deref()
    }

    /// A name to greet the user with: the display name, else the login, else the Okta ID.
    pub fn display_name(&self) -> &str {
        self.name()
            .or(self.preferred_username())
            .unwrap_or(self.sub())
    }

    /// The user's groups (`okta.groups_claim` of the ID token).
    pub fn groups(&self) -> &[String] {
        &self.who.groups
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.who.groups.iter().any(|g| g == group)
    }

    /// How the user signed in (`amr` values: `pwd`, `otp`, `sms`, `mfa`, …).
    pub fn amr(&self) -> &[String] {
        &self.who.amr
    }

    /// When the user signed in (epoch seconds).
    pub fn auth_time(&self) -> i64 {
        self.who.auth_time
    }

    /// Whether this sign-in used two factors (Okta's `mfa`, or two distinct factor kinds),
    /// as the gateway's `mfa=1` rule decides it.
    pub fn used_two_factors(&self) -> bool {
        self.who.used_two_factors()
    }

    /// The identity the gateway's rules judge.
    pub fn identity(&self) -> &Identity {
        &self.who
    }

    /// The CSRF token of this session, for a form the host posts to the portal (sign-out:
    /// `POST <base>/signout` with `csrf_token`, and optionally `return_to`). Do not log it.
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl std::fmt::Debug for SignedIn {
    // The CSRF token is left out: it is derived from the session id.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("sub", &self.who.sub)
            .field("groups", &self.who.groups)
            .field("amr", &self.who.amr)
            .field("auth_time", &self.who.auth_time)
            .finish_non_exhaustive()
    }
}

/// Why the sign-in page is wanted, for the 401 catcher: set when a guard stepped up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StepUp(pub Option<&'static str>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedIn {
    type Error = StoreError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = match req.guard::<User<'_>>().await {
            Outcome::Success(user) => user,
            Outcome::Forward(_) => return Outcome::Forward(Status::Unauthorized),
            Outcome::Error(e) => return Outcome::Error(e),
        };
        let Some(sessions) = req.rocket().state::<Arc<Sessions>>() else {
            return Outcome::Error((
                Status::ServiceUnavailable,
                StoreError("direct-signin is not attached".into()),
            ));
        };
        Outcome::Success(SignedIn {
            who: identity(user.session),
            csrf_token: sessions.csrf_token(user.id),
        })
    }
}

/// The rules a route's users must pass, for [`Allowed`]: e.g. the group `admins`.
///
/// ```
/// use direct_signin::embed::Policy;
/// use direct_signin::portal::gateway::rules::Rules;
///
/// struct Admins;
/// impl Policy for Admins {
///     fn rules() -> Rules {
///         Rules { groups: vec!["admins".into()], ..Rules::default() }
///     }
/// }
/// ```
pub trait Policy: Send + Sync + 'static {
    /// The rules, all required together (see the gateway's `/auth` rules).
    fn rules() -> Rules;
}

/// A signed-in user who passes `P`'s rules. Not signed in: forwards with 401, as
/// [`SignedIn`]. Signed in but refused (group, email, domain): an error with 403. Signed
/// in but not with two factors, or not recently enough: forwards with 401 and the 401
/// catcher of [`super::catchers()`] sends the browser to a step-up sign-in.
pub struct Allowed<P: Policy> {
    /// The user.
    pub user: SignedIn,
    policy: PhantomData<P>,
}

impl<P: Policy> std::ops::Deref for Allowed<P> {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.user
    }
}

/// Why [`Allowed`] refused.
#[derive(Debug)]
pub enum NotAllowed {
    /// The session store failed.
    Store(StoreError),
    /// Signed in, but the rules refuse this user.
    Refused,
}

#[rocket::async_trait]
impl<'r, P: Policy> FromRequest<'r> for Allowed<P> {
    type Error = NotAllowed;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = match req.guard::<SignedIn>().await {
            Outcome::Success(user) => user,
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error((status, e)) => return Outcome::Error((status, NotAllowed::Store(e))),
        };
        let Some(sessions) = req.rocket().state::<Arc<Sessions>>() else {
            return Outcome::Forward(Status::Unauthorized);
        };
        match P::rules().judge(&user.who, sessions.clock().now()) {
            Verdict::Allow => Outcome::Success(Allowed {
                user,
                policy: PhantomData,
            }),
            Verdict::Deny => Outcome::Error((Status::Forbidden, NotAllowed::Refused)),
            Verdict::StepUp { mfa, .. } => {
                let missing_factor = mfa && !user.used_two_factors();
                req.local_cache(|| StepUp(Some(if missing_factor { "mfa" } else { "fresh" })));
                Outcome::Forward(Status::Unauthorized)
            }
        }
    }
}
