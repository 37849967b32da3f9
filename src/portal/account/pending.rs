//! An account action Okta refused because the sign-in is too old
//! (`insufficient_authentication_context`), kept server-side while the user signs in again,
//! then retried once. It lives sealed in the session record (the signed-in one, then the
//! step-up's pre-sign-in one, then the new signed-in one), never in a page, cookie or URL,
//! and is dropped after [`PENDING_TTL`] or when another user signs in.
//!
//! Passwords: the current password is never kept past its request. A password change
//! interrupted by a step-up keeps only the **new** password, sealed, for at most
//! [`PENDING_TTL`]; after the fresh sign-in (which proves who the user is, with the
//! factors Okta asked for) it is set with `PUT /idp/myaccount/password`, which needs no
//! current password. Nothing the user typed has to be typed again.

use serde::{Deserialize, Serialize};

use crate::okta::myaccount::PhoneMethod;

/// How long a pending action waits for the step-up sign-in (seconds).
pub const PENDING_TTL: i64 = 600;

/// What the user asked for.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Set this new password (after a step-up: no current password needed).
    SetPassword {
        /// The new password, as typed.
        new_password: String,
    },
    /// Add this phone number.
    AddPhone {
        /// The number, E.164.
        number: String,
    },
    /// Send a code to this phone.
    ChallengePhone {
        /// Okta's phone id.
        id: String,
        /// By SMS or call.
        method: PhoneMethod,
    },
    /// Verify this phone with the code typed.
    VerifyPhone {
        /// Okta's phone id.
        id: String,
        /// The code typed.
        code: String,
    },
    /// Remove this phone.
    RemovePhone {
        /// Okta's phone id.
        id: String,
    },
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::SetPassword { .. } => "SetPassword",
            Action::AddPhone { .. } => "AddPhone",
            Action::ChallengePhone { .. } => "ChallengePhone",
            Action::VerifyPhone { .. } => "VerifyPhone",
            Action::RemovePhone { .. } => "RemovePhone",
        })
    }
}

/// An action waiting for a step-up sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// Whose action it is (the Okta user id): no one else's sign-in picks it up.
    pub user_id: String,
    /// What to do.
    pub action: Action,
    /// What Okta asked the new sign-in for (`acr_values` of its challenge).
    pub acr_values: Option<String>,
    /// When it was asked for (epoch seconds).
    pub created_at: i64,
}

impl Pending {
    /// Whether it may still be carried out at `now`.
    pub fn live(&self, now: i64) -> bool {
        now < self.created_at + PENDING_TTL
    }
}
