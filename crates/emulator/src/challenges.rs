//! `POST /v1/challenge` (second factor, after `mfa_required`) and
//! `POST /v1/primary-authenticate` with its deprecated twin `/v1/oob-authenticate`
//! (first factor OOB): protocol reference §4 and §5.

use serde_json::{json, Value};

use super::directory::{Client, Factor, Status};
use super::flows::{
    remaining_mfa_grants, start_oob, GRANT_MFA_OOB, GRANT_MFA_OTP, GRANT_MFA_WEBAUTHN, GRANT_OOB,
    GRANT_WEBAUTHN,
};
use super::params::Params;
use super::reply::Reply;
use super::state::Binding;
use super::{AuthServer, Emulator};

fn binding(client: &Client, auth_server: &AuthServer, params: &Params) -> Result<Binding, Reply> {
    Ok(Binding {
        client_id: client.id.clone(),
        auth_server: auth_server.key(),
        scope: None,
        acr_values: params.get("acr_values").map(str::to_string),
        intent: super::recovery::intent(params)?,
    })
}

fn reject_scope(params: &Params) -> Result<(), Reply> {
    if params.get("scope").is_some() {
        return Err(Reply::invalid_scope(
            "The 'scope' parameter is not allowed on this endpoint.",
        ));
    }
    Ok(())
}

fn channel(params: &Params) -> Result<Option<Factor>, Reply> {
    match params.get("channel_hint") {
        None => Ok(None),
        Some(hint) => Factor::from_channel(hint).map(Some).ok_or_else(|| {
            Reply::invalid_request(format!("The channel_hint '{hint}' is not supported."))
        }),
    }
}

fn not_enrolled() -> Reply {
    Reply::access_denied("The user is not enrolled in the requested authenticator.")
}

/// `/primary-authenticate` (`deprecated`: `/oob-authenticate`, where `challenge_hint` may
/// be omitted).
pub fn primary_authenticate(
    emu: &Emulator,
    auth_server: &AuthServer,
    client: &Client,
    params: &Params,
    deprecated: bool,
) -> Result<Value, Reply> {
    let login = params.require("login_hint")?;
    match params.get("challenge_hint") {
        Some(GRANT_OOB) => {}
        None if deprecated => {}
        Some(GRANT_WEBAUTHN) => {
            return Err(Reply::invalid_request(
                "WebAuthn challenges are not supported by this authorization server.",
            ))
        }
        Some(other) => {
            return Err(Reply::invalid_request(format!(
                "The challenge_hint '{other}' is not supported."
            )))
        }
        None => {
            return Err(Reply::invalid_request(
                "The 'challenge_hint' parameter is required.",
            ))
        }
    }
    let factor = channel(params)?
        .ok_or_else(|| Reply::invalid_request("The 'channel_hint' parameter is required."))?;
    reject_scope(params)?;
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    let unknown = || Reply::invalid_grant("The login_hint does not identify exactly one user.");
    let request = binding(client, auth_server, params)?;
    let user = emu.user_in(&st, login).ok_or_else(unknown)?;
    if user.status != Status::Active || st.is_locked(&user.login) {
        return Err(unknown());
    }
    if super::recovery::is_recovery(&request) {
        // The recovery policy, not the sign-in policy, decides (when the client says so
        // here; Okta's clients say it only at /token, which checks again).
        super::recovery::check_factor(&user, factor)?;
    } else if user.policy.password_required {
        return Err(Reply::access_denied(
            "The sign-in policy cannot be satisfied with this factor.",
        ));
    }
    if !user.enrolled(factor) {
        return Err(not_enrolled());
    }
    let body = start_oob(&mut st, &user, factor, request, None, now)?;
    Ok(Value::Object(body))
}

/// `/challenge` after `mfa_required`.
pub fn challenge(
    emu: &Emulator,
    auth_server: &AuthServer,
    client: &Client,
    params: &Params,
) -> Result<Value, Reply> {
    let mfa_token = params.require("mfa_token")?;
    let types = params.list("challenge_types_supported").ok_or_else(|| {
        Reply::invalid_request("The 'challenge_types_supported' parameter is required.")
    })?;
    if let Some(bad) = types
        .iter()
        .find(|t| ![GRANT_MFA_OOB, GRANT_MFA_OTP, GRANT_MFA_WEBAUTHN].contains(&t.as_str()))
    {
        return Err(Reply::invalid_request(format!(
            "'{bad}' is not a supported challenge type."
        )));
    }
    let factor = channel(params)?;
    reject_scope(params)?;
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    let request = binding(client, auth_server, params)?;
    let txn = match st.mfa.get_mut(mfa_token) {
        Some(t) if t.expires_at > now => t,
        _ => return Err(Reply::expired_token()),
    };
    // /challenge carries no scope: everything else must match.
    super::flows::check_binding(&mut txn.binding.clone(), &request)?;
    let login = txn.login.clone();
    let satisfied = txn.satisfied.clone();
    let user = emu.user_in(&st, &login).ok_or_else(Reply::expired_token)?;
    let offered = |g: &str| types.iter().any(|t| t == g);
    let cannot =
        || Reply::access_denied("The requested challenge types cannot satisfy the sign-in policy.");
    let possible = remaining_mfa_grants(&user, &satisfied);
    let Some(factor) = factor else {
        if offered(GRANT_MFA_OTP) && possible.contains(&GRANT_MFA_OTP) {
            return Ok(json!({"challenge_type": GRANT_MFA_OTP}));
        }
        if offered(GRANT_MFA_OOB) {
            return Err(Reply::invalid_request(
                "The 'channel_hint' parameter is required for an out-of-band challenge.",
            ));
        }
        return Err(cannot());
    };
    if !offered(GRANT_MFA_OOB) {
        return Err(cannot());
    }
    if !user.enrolled(factor) {
        return Err(not_enrolled());
    }
    if satisfied
        .iter()
        .any(|f| f.authenticator() == factor.authenticator())
    {
        return Err(Reply::access_denied(
            "This authenticator was already used in this sign-in.",
        ));
    }
    let mut body = start_oob(
        &mut st,
        &user,
        factor,
        request,
        Some(mfa_token.to_string()),
        now,
    )?;
    body.insert("challenge_type".into(), json!(GRANT_MFA_OOB));
    Ok(Value::Object(body))
}
