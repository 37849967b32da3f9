//! What a session holds. Everything is server-side; the browser holds only the opaque id.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Secret;
use crate::portal::account::pending::Pending;
use crate::portal::signin::machine::{Flow, Notice, Page};

// A pending record (with its flow) is the larger one now; boxing it too would touch every
// construction and match of `Record` for no measurable gain.
/// A stored session: before or after sign-in.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Record {
    /// A visitor who has not signed in yet, possibly with a sign-in in progress. (Stored
    /// under its earlier name, so records written by previous versions still read.)
    #[serde(rename = "Pending")]
    PreAuth(PreAuth),
    /// A signed-in user.
    SignedIn(Arc<SignedIn>),
}

impl Record {
    /// The Okta user id of a signed-in session.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Record::SignedIn(s) => Some(&s.user_id),
            Record::PreAuth(_) => None,
        }
    }
}

/// A visitor who has not signed in yet.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PreAuth {
    /// The sign-in in progress; `None`: none (the sign-in page).
    pub flow: Option<Flow>,
    /// The username to put back in the sign-in form after a restart.
    pub username: Option<String>,
    /// The message to show on the next sign-in page, if any.
    pub notice: Option<Notice>,
    /// When the record was created (epoch seconds).
    pub created_at: i64,
    /// When the visitor was last active (epoch seconds, written at most once a minute).
    pub last_seen: i64,
    /// An account action waiting for this step-up sign-in (sealed at rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// A push approved while no browser was asking (a poll made ahead of the wait page's
    /// status request): the signed-in session waiting for the browser's next request to
    /// create it and set its cookie (sealed at rest: it holds Okta's tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<Box<Approval>>,
    /// The page the last restart led to (`notice` says why), for a status request that
    /// finds the flow ended by a poll made ahead: a recovery restarts at its own form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_to: Option<Page>,
    /// In the stored form only: `flow`, `username`, `pending` and `approved` sealed (see
    /// [`super::seal`]), as the flow holds Okta's `mfa_token` and `oob_code`, an approval
    /// Okta's tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
}

/// A completed sign-in not yet turned into a session: what the browser's next request
/// commits (see `PreAuth::approved`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Approval {
    /// The session to create, built when Okta's tokens came (`remember` included).
    pub session: Box<SignedIn>,
    /// Where to send the user.
    pub return_to: String,
    /// The username signed in with (renews the device cookie; sealed with the rest).
    pub username: Option<String>,
}

/// A signed-in session: who the user is, how they signed in, and Okta's tokens.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedIn {
    /// Okta user id (`sub`).
    pub user_id: String,
    /// Keyed digest of the username used to sign in (what audit events carry).
    #[serde(default)]
    pub user_digest: String,
    /// The user's display name (ID token).
    pub name: Option<String>,
    /// The user's email address (ID token).
    pub email: Option<String>,
    /// The user's Okta login (ID token).
    pub preferred_username: Option<String>,
    /// How the user authenticated (the ID token's `amr`).
    pub amr: Vec<String>,
    /// Whether Okta said the email is verified (`None`: not said).
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// The user's groups from the ID token (`okta.groups_claim`).
    #[serde(default)]
    pub groups: Vec<String>,
    /// When the user authenticated (epoch seconds; the sign-in time when Okta did not say).
    pub auth_time: i64,
    /// Okta's access token.
    pub access_token: Secret,
    /// Okta's refresh token; `None` when Okta issued none (no `offline_access`).
    pub refresh_token: Option<Secret>,
    /// When the access token expires (epoch seconds).
    pub access_expires_at: i64,
    /// `/userinfo`, fetched once and again after each token renewal.
    pub userinfo: Option<Value>,
    /// When the user signed in (epoch seconds).
    pub created_at: i64,
    /// When the user was last active (epoch seconds, written at most once a minute).
    pub last_seen: i64,
    /// Whether the user asked to be remembered (longer timeouts, a persistent cookie).
    pub remember: bool,
    /// A short description of the browser, for the list of active sessions.
    pub device: Option<String>,
    /// The client IP at sign-in, when known.
    pub ip: Option<String>,
    /// The sign-in methods from MyAccount (authenticators and phones), fetched for the first
    /// account page and again after each account action, so a page view costs no Okta call;
    /// `None`: not fetched yet; `Some(null)`: MyAccount did not answer (not asked again until
    /// an action or a token renewal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Value>,
    /// An account action waiting for a step-up sign-in (sealed at rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

#[cfg(test)]
impl SignedIn {
    /// A password sign-in of the user `00u1` with placeholder tokens, for unit tests to
    /// change what they are about (`SignedIn { field, ..SignedIn::fixture() }`).
    pub(crate) fn fixture() -> Self {
        SignedIn {
            user_id: "00u1".into(),
            user_digest: String::new(),
            name: None,
            email: None,
            preferred_username: None,
            amr: vec!["pwd".into()],
            email_verified: None,
            groups: vec![],
            auth_time: 1,
            access_token: crate::config::Secret::new("at"),
            refresh_token: None,
            access_expires_at: 2,
            userinfo: None,
            created_at: 1,
            last_seen: 1,
            remember: false,
            device: None,
            ip: None,
            pending: None,
            methods: None,
        }
    }
}
