//! The recovery intent of direct authentication (self-service password reset): the same
//! grants, asked with `intent=recovery` (Okta's Swift client) or
//! `prompt=recover_authenticator` (Okta's Kotlin client) and only MyAccount password
//! scopes; one factor the password policy's recovery rule allows (email, SMS, voice or
//! push by default, never the password) earns an access token for
//! `PUT /idp/myaccount/password`, with no ID or refresh token. See
//! `docs/okta-myaccount-and-recovery.md` §2.

use super::directory::{Factor, User};
use super::params::Params;
use super::reply::Reply;
use super::state::Binding;

/// The `intent` value of a recovery flow.
pub const INTENT_RECOVERY: &str = "recovery";
/// The Kotlin client's `prompt` value for recovery.
pub const PROMPT_RECOVER: &str = "recover_authenticator";
/// The scopes a recovery flow may ask for.
pub const RECOVERY_SCOPES: &[&str] = &[
    "okta.myAccount.password.manage",
    "okta.myAccount.password.read",
];

/// The flow's intent from `intent` and `prompt`: `Some("recovery")` or `None` (sign-in).
pub fn intent(params: &Params) -> Result<Option<String>, Reply> {
    let by_intent = match params.get("intent") {
        None => false,
        Some(INTENT_RECOVERY) => true,
        Some(other) => {
            return Err(Reply::invalid_request(format!(
                "'{other}' is an invalid intent."
            )))
        }
    };
    let by_prompt =
        match params.get("prompt") {
            None => false,
            Some(PROMPT_RECOVER) => true,
            Some(_) => return Err(Reply::invalid_request(
                "Invalid value for 'prompt' parameter. Supported values: [recover_authenticator]",
            )),
        };
    Ok((by_intent || by_prompt).then(|| INTENT_RECOVERY.to_string()))
}

/// Whether the flow recovers a password rather than signing in.
pub fn is_recovery(binding: &Binding) -> bool {
    binding.intent.as_deref() == Some(INTENT_RECOVERY)
}

/// A recovery flow may ask only for the MyAccount password scopes.
pub fn check_scopes(scopes: &[String]) -> Result<(), Reply> {
    if let Some(bad) = scopes
        .iter()
        .find(|s| !RECOVERY_SCOPES.contains(&s.as_str()))
    {
        return Err(Reply::invalid_scope(format!(
            "scope '{bad}' cannot be requested with intent '{INTENT_RECOVERY}'."
        )));
    }
    Ok(())
}

/// The refusal of a factor the recovery policy does not list.
pub fn factor_not_allowed() -> Reply {
    Reply::access_denied(
        "Unable to prompt for the requested authenticators. Review the recovery policy's \
         requirements or request another authenticator and try again.",
    )
}

/// Whether `factor` may recover `user`'s password.
pub fn check_factor(user: &User, factor: Factor) -> Result<(), Reply> {
    if user.password_hash.is_none() {
        return Err(Reply::access_denied(
            "Password recovery is not enabled for the user.",
        ));
    }
    if user.recovery.is_empty() {
        return Err(Reply::access_denied(
            "Recovery policy does not specify any authenticators that can be used for recovery.",
        ));
    }
    if !user.recovery.contains(&factor) {
        return Err(factor_not_allowed());
    }
    Ok(())
}
