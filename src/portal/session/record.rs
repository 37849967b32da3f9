//! What a session holds. Everything is server-side; the browser holds only the opaque id.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Secret;
use crate::portal::signin::machine::{Flow, Notice};

// A pending record (with its flow) is the larger one now; boxing it too would touch every
// construction and match of `Record` for no measurable gain.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Record {
    /// A visitor who has not signed in yet, possibly with a sign-in in progress. (Stored
    /// under its earlier name, so records written by previous versions still read.)
    #[serde(rename = "Pending")]
    PreAuth(PreAuth),
    SignedIn(Box<SignedIn>),
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

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PreAuth {
    pub flow: Option<Flow>,
    /// The username to put back in the sign-in form after a restart.
    pub username: Option<String>,
    pub notice: Option<Notice>,
    pub created_at: i64,
    pub last_seen: i64,
    /// In the stored form only: `flow` and `username` sealed (see [`super::seal`]), as the
    /// flow holds Okta's `mfa_token` and `oob_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedIn {
    /// Okta user id (`sub`).
    pub user_id: String,
    /// Keyed digest of the username used to sign in (what audit events carry).
    #[serde(default)]
    pub user_digest: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub preferred_username: Option<String>,
    pub amr: Vec<String>,
    /// The user's groups from the ID token (`okta.groups_claim`).
    #[serde(default)]
    pub groups: Vec<String>,
    pub auth_time: i64,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub access_expires_at: i64,
    /// `/userinfo`, fetched once and again after each token renewal.
    pub userinfo: Option<Value>,
    pub created_at: i64,
    pub last_seen: i64,
    pub remember: bool,
    /// A short description of the browser, for the list of active sessions.
    pub device: Option<String>,
    pub ip: Option<String>,
}
