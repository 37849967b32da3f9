//! The home and account pages' contexts.

use rocket::http::Status;
use serde::Serialize;
use serde_json::Value;

use crate::portal::session::{Current, SessionKey, SignedIn, User};
use crate::portal::views::{self, format_time, Reply};
use crate::portal::Portal;

#[derive(Serialize)]
struct HomeUser<'a> {
    name: String,
    email: Option<&'a str>,
}

#[derive(Serialize)]
struct HomePage<'a> {
    user: Option<HomeUser<'a>>,
}

/// The home page, with the user's name when signed in.
pub fn home(app: &Portal, current: &Current) -> Reply {
    let user = current.signed_in().map(|s| HomeUser {
        name: s
            .name
            .clone()
            .or_else(|| s.preferred_username.clone())
            .unwrap_or_else(|| "you".into()),
        email: s.email.as_deref(),
    });
    let csrf = current
        .id
        .as_deref()
        .filter(|_| user.is_some())
        .map(|id| app.sessions.csrf_token(id));
    let page = views::render("home", &app.brand, csrf.as_deref(), HomePage { user });
    Reply::Page(Status::Ok, page)
}

#[derive(Serialize)]
struct SessionRow {
    current: bool,
    device: String,
    ip: Option<String>,
    signed_in_at: String,
    last_seen: String,
    remember: bool,
}

#[derive(Serialize)]
struct Claim {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct AccountPage<'a> {
    name: Option<&'a str>,
    email: Option<&'a str>,
    preferred_username: Option<&'a str>,
    sub: &'a str,
    amr: &'a [String],
    groups: &'a [String],
    auth_time: String,
    remember: bool,
    sessions: Vec<SessionRow>,
    userinfo: Option<Vec<Claim>>,
}

/// `/userinfo`'s claims as rows of text.
fn claims(info: Value) -> Vec<Claim> {
    let Value::Object(map) = info else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(name, v)| Claim {
            name,
            value: match v {
                Value::String(s) => s,
                other => other.to_string(),
            },
        })
        .collect()
}

/// The account page: the user's claims, Okta's `/userinfo` answer (`None`: not available) and the
/// user's active sessions.
pub fn account(
    app: &Portal,
    user: &User<'_>,
    info: Option<Value>,
    sessions: Vec<(SessionKey, SignedIn)>,
) -> Reply {
    let s = user.session;
    let current_key = app.sessions.key_of(user.id);
    let sessions = sessions
        .into_iter()
        .map(|(key, other)| SessionRow {
            current: key == current_key,
            device: other.device.unwrap_or_else(|| "Unknown browser".into()),
            ip: other.ip,
            signed_in_at: format_time(other.created_at),
            last_seen: format_time(other.last_seen),
            remember: other.remember,
        })
        .collect();
    let page = AccountPage {
        name: s.name.as_deref(),
        email: s.email.as_deref(),
        preferred_username: s.preferred_username.as_deref(),
        sub: &s.user_id,
        amr: &s.amr,
        groups: &s.groups,
        auth_time: format_time(s.auth_time),
        remember: s.remember,
        sessions,
        userinfo: info.map(claims),
    };
    let csrf = app.sessions.csrf_token(user.id);
    Reply::Page(
        Status::Ok,
        views::render("account", &app.brand, Some(&csrf), page),
    )
}
