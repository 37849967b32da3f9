//! The MyAccount API (`/idp/myaccount/…` on the org's host): a signed-in user's own
//! password, phones and authenticators (`docs/okta-myaccount-and-recovery.md` §3–§7).
//!
//! Every call carries a bearer access token of either authorization server and
//! `Accept: application/json; okta-version=1.0.0`; each operation names the scopes that
//! admit it, and writes (POST, PUT, DELETE) also need an authentication at most 15 minutes
//! old, or Okta's `insufficient_authentication_context` challenge answers. Errors are in
//! Okta's management shape (`errorCode`, `errorSummary`, `errorCauses`).

use std::sync::Arc;

use rocket::http::Status;
use rocket::request::{self, FromRequest, Request};
use rocket::Route;
use serde_json::{json, Value};

use super::directory::User;
use super::reply::{Body, Reply};
use super::tokens::{access_grant, Grant};
use super::Emulator;

mod authenticators;
mod password;
mod phones;

/// The MyAccount scopes a client may ask for (Okta's list; the emulator serves the
/// password, phone and authenticators ones).
pub const SCOPES: &[&str] = &[
    "okta.myAccount.password.manage",
    "okta.myAccount.password.read",
    "okta.myAccount.phone.manage",
    "okta.myAccount.phone.read",
    "okta.myAccount.authenticators.manage",
    "okta.myAccount.authenticators.read",
    "okta.myAccount.email.manage",
    "okta.myAccount.email.read",
    "okta.myAccount.profile.manage",
    "okta.myAccount.profile.read",
];

/// How old (seconds since `auth_time`) a token may be for a write.
pub const MAX_AUTH_AGE: i64 = 900;
/// The `acr_values` Okta's challenge asks for.
pub const CHALLENGE_ACR: &str = "urn:okta:loa:2fa:any:ifpossible";
const REALM: &str = "IdpMyAccountAPI";
const MEDIA_TYPE: &str = "application/json;okta-version=1.0.0";

pub fn routes() -> Vec<Route> {
    let mut all = phones::routes();
    all.extend(password::routes());
    all.extend(authenticators::routes());
    all
}

/// The headers a MyAccount call is judged by.
pub struct Call<'r> {
    authorization: Option<&'r str>,
    accept: Option<&'r str>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Call<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(Call {
            authorization: req.headers().get_one("Authorization"),
            accept: req.headers().get_one("Accept"),
        })
    }
}

impl Call<'_> {
    fn bearer(&self) -> Option<&str> {
        let (scheme, token) = self.authorization?.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }

    /// Whether `Accept` names API version 1.0.0.
    fn versioned(&self) -> bool {
        self.accept.is_some_and(|a| {
            a.split(',').any(|media| {
                media.split(';').skip(1).any(|p| {
                    p.replace(' ', "")
                        .eq_ignore_ascii_case("okta-version=1.0.0")
                })
            })
        })
    }
}

/// The signed-in user a call acts for.
pub struct Caller {
    pub user: Arc<User>,
    pub grant: Grant,
}

/// What an operation needs of the token.
#[derive(Clone, Copy)]
pub enum Need {
    /// Any of these scopes.
    Read(&'static [&'static str]),
    /// This scope, and an authentication at most [`MAX_AUTH_AGE`] old.
    Write(&'static str),
}

/// Okta's management-shape error with causes, as MyAccount sends it.
pub fn error(status: u16, code: &'static str, summary: &str, causes: &[Value]) -> Reply {
    let mut reply = Reply::okta(status, code, summary);
    if let Body::Json(body) = &mut reply.body {
        body["errorCauses"] = json!(causes);
    }
    typed(reply)
}

/// A cause of an error: `{"errorSummary": …}`.
pub fn cause(summary: &str) -> Value {
    json!({ "errorSummary": summary })
}

fn typed(reply: Reply) -> Reply {
    reply
        .header("Content-Type", MEDIA_TYPE)
        .header("Cache-Control", "no-store")
}

/// `200` with a JSON body.
pub fn ok(value: Value) -> Reply {
    typed(Reply::json(value))
}

/// A body-less answer (`204`) or a JSON one with another status (`201`).
pub fn with_status(status: u16, value: Option<Value>) -> Reply {
    let reply = Reply {
        status: Status::new(status),
        body: value.map(Body::Json).unwrap_or(Body::Empty),
        headers: vec![],
    };
    typed(reply)
}

/// A HAL link: `{"href": …, "hints": {"allow": [...]}}`.
pub fn link(href: String, allow: &[&str]) -> Value {
    json!({ "href": href, "hints": { "allow": allow } })
}

/// The JSON object of a request body (Okta: `E0000003` when it is not JSON).
pub fn parse_body(body: &str) -> Result<Value, Reply> {
    match serde_json::from_str::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(error(
            400,
            "E0000003",
            "The request body was not well-formed.",
            &[],
        )),
    }
}

fn challenge_header(error: &str, description: &str, extra: &str) -> String {
    format!(r#"Bearer realm="{REALM}", error="{error}", error_description="{description}"{extra}"#)
}

fn invalid_token() -> Reply {
    error(401, "E0000011", "Invalid token provided", &[]).header(
        "WWW-Authenticate",
        challenge_header("invalid_token", "The access token is invalid.", ""),
    )
}

/// Okta's answer to a write with an authentication older than 15 minutes.
pub fn insufficient_authentication() -> Reply {
    let description = "The access token requires additional assurance to access the resource";
    error(
        403,
        "E0000006",
        "You do not have permission to perform the requested action",
        &[cause(description)],
    )
    .header(
        "WWW-Authenticate",
        challenge_header(
            "insufficient_authentication_context",
            description,
            &format!(r#", max_age={MAX_AUTH_AGE}, acr_values="{CHALLENGE_ACR}""#),
        ),
    )
}

/// Checks the token, the API version, the scopes and (for writes) the authentication's
/// age; the user the call acts for.
pub fn authorize(emu: &Emulator, call: &Call<'_>, need: Need) -> Result<Caller, Reply> {
    let token = call.bearer().ok_or_else(invalid_token)?;
    let grant = access_grant(emu, token).ok_or_else(invalid_token)?;
    let user = emu
        .user(&grant.login)
        .filter(|u| u.status == super::directory::Status::Active)
        .ok_or_else(invalid_token)?;
    if !call.versioned() {
        return Err(error(
            406,
            "E0000001",
            "Api validation failed: Accept",
            &[cause(
                "A valid API version is required: Accept: application/json; okta-version=1.0.0",
            )],
        ));
    }
    let has = |s: &str| grant.scopes.iter().any(|g| g == s);
    let (ok, wanted) = match need {
        Need::Read(any) => (any.iter().any(|s| has(s)), any.join(" ")),
        Need::Write(scope) => (has(scope), scope.to_string()),
    };
    if !ok {
        return Err(error(
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            &[],
        )
        .header(
            "WWW-Authenticate",
            challenge_header(
                "insufficient_scope",
                "The access token provided does not contain the required scopes.",
                &format!(r#", scope="{wanted}""#),
            ),
        ));
    }
    if matches!(need, Need::Write(_)) && emu.clock.now() - grant.auth_time > MAX_AUTH_AGE {
        return Err(insufficient_authentication());
    }
    Ok(Caller { user, grant })
}

/// Okta's 2FA-if-possible rule for enrolling and removing factors: a user with two or
/// more authenticators must have used two of them for the token.
pub fn require_two_factors_if_possible(caller: &Caller) -> Result<(), Reply> {
    use super::directory::Factor;
    let mut enrolled: Vec<&str> = [
        Factor::Password,
        Factor::Totp,
        Factor::Sms,
        Factor::Voice,
        Factor::Email,
        Factor::Push,
    ]
    .into_iter()
    .filter(|f| caller.user.enrolled(*f))
    .map(|f| f.authenticator())
    .collect();
    enrolled.dedup();
    let used = caller.grant.amr.iter().filter(|m| **m != "mfa").count();
    if enrolled.len() >= 2 && used < 2 {
        return Err(insufficient_authentication());
    }
    Ok(())
}

/// Okta's timestamp format (`2020-01-14T20:05:32.000Z`) for epoch seconds.
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_okta_style() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_579_032_332), "2020-01-14T20:05:32.000Z");
        assert_eq!(iso8601(951_825_600), "2000-02-29T12:00:00.000Z");
    }

    #[test]
    fn accept_must_name_the_version() {
        let call = |accept| Call {
            authorization: None,
            accept,
        };
        assert!(call(Some("application/json; okta-version=1.0.0")).versioned());
        assert!(call(Some("application/json;okta-version=1.0.0")).versioned());
        assert!(!call(Some("application/json")).versioned());
        assert!(!call(None).versioned());
    }
}
