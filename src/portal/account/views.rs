//! The home and account pages' contexts.

use rocket::http::Status;
use serde::Serialize;
use serde_json::Value;

use super::service;
use crate::okta::myaccount::{Authenticator, Phone};
use crate::portal::error::AppError;
use crate::portal::guards::Visitor;
use crate::portal::i18n::Msg;
use crate::portal::session::{Current, SessionKey, SignedIn, User};
use crate::portal::views::{self, Reply};
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
            .unwrap_or_default(),
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
    /// `None`: an unknown browser.
    device: Option<String>,
    ip: Option<String>,
    /// Seconds since the epoch (the template writes them for the language).
    signed_in_at: i64,
    last_seen: i64,
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
    auth_time: i64,
    remember: bool,
    sessions: Vec<SessionRow>,
    userinfo: Option<Vec<Claim>>,
    methods: Option<Methods>,
    done: Option<&'static str>,
    error: Option<FormError>,
}

/// A refused account form: which form, which field, the message (and a refused
/// password's rules in words).
#[derive(Clone, Debug, Serialize)]
pub struct FormError {
    /// `password` or `phone`.
    pub form: &'static str,
    /// The field in error (empty: the form as a whole).
    pub field: &'static str,
    /// The message's id.
    pub message: &'static str,
    /// A refused password's rules, as messages.
    pub rules: Vec<Msg>,
}

impl FormError {
    /// An error beside `field` of `form`.
    pub fn new(form: &'static str, field: &'static str, message: &'static str) -> Self {
        FormError {
            form,
            field,
            message,
            rules: Vec::new(),
        }
    }

    /// With a refused password's rules.
    pub fn with_rules(mut self, rules: Vec<Msg>) -> Self {
        self.rules = rules;
        self
    }
}

/// The user's sign-in methods from MyAccount.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct Methods {
    authenticators: Vec<Authenticator>,
    phones: Vec<Phone>,
}

/// The message id of the line shown after an account action.
fn done_text(done: &str) -> Option<&'static str> {
    Some(match done {
        "password_changed" => "done-password-changed",
        "phone_added" => "done-phone-added",
        "code_sent" => "done-code-sent",
        "phone_verified" => "done-phone-verified",
        "phone_removed" => "done-phone-removed",
        _ => return None,
    })
}

/// The account page: every panel, an action's result line and a refused form's error.
pub async fn account_with(
    v: &Visitor<'_>,
    user: &User<'_>,
    status: Status,
    done: Option<&str>,
    error: Option<FormError>,
) -> Result<Reply, AppError> {
    let (info, methods) = service::profile(v.app, user.id, user.session).await?;
    let sessions = v.app.sessions.of_user(&user.session.user_id).await?;
    let methods = methods.and_then(|m| serde_json::from_value::<Methods>(m).ok());
    let extra = Extra {
        methods,
        done: done.and_then(done_text),
        error,
    };
    Ok(account(v.app, user, info, sessions, status, extra))
}

/// What the account page shows besides the session's own facts.
struct Extra {
    methods: Option<Methods>,
    done: Option<&'static str>,
    error: Option<FormError>,
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
fn account(
    app: &Portal,
    user: &User<'_>,
    info: Option<Value>,
    sessions: Vec<(SessionKey, SignedIn)>,
    status: Status,
    extra: Extra,
) -> Reply {
    let s = user.session;
    let current_key = app.sessions.key_of(user.id);
    let sessions = sessions
        .into_iter()
        .map(|(key, other)| SessionRow {
            current: key == current_key,
            device: other.device,
            ip: other.ip,
            signed_in_at: other.created_at,
            last_seen: other.last_seen,
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
        auth_time: s.auth_time,
        remember: s.remember,
        sessions,
        userinfo: info.map(claims),
        methods: extra.methods,
        done: extra.done,
        error: extra.error,
    };
    let csrf = app.sessions.csrf_token(user.id);
    Reply::Page(
        status,
        views::render("account", &app.brand, Some(&csrf), page),
    )
}
