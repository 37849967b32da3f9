//! Multi-step sign-in transactions: the policy decision after each factor, starting OOB
//! challenges (push, SMS, voice, email), redeeming or polling them, and the per-flow
//! binding rules (protocol reference §2.4, §4–§7).

use serde_json::{json, Map, Value};

use super::directory::{Factor, User};
use super::reply::Reply;
use super::state::{
    Binding, Message, MfaTxn, OobTxn, PushStatus, State, MAX_WRONG_CODES, MFA_TOKEN_TTL, OOB_TTL,
    PUSH_INTERVAL,
};
use shared::random;

pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_OTP: &str = "urn:okta:params:oauth:grant-type:otp";
pub const GRANT_OOB: &str = "urn:okta:params:oauth:grant-type:oob";
pub const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
pub const GRANT_WEBAUTHN: &str = "urn:okta:params:oauth:grant-type:webauthn";
pub const GRANT_MFA_WEBAUTHN: &str = "urn:okta:params:oauth:grant-type:mfa-webauthn";
pub const GRANT_REFRESH: &str = "refresh_token";

/// Checks a follow-up request against the flow it continues.
pub fn check_binding(flow: &mut Binding, request: &Binding) -> Result<(), Reply> {
    if flow.client_id != request.client_id {
        return Err(Reply::invalid_client(
            "The client_id differs from the one that started this flow.",
        ));
    }
    if flow.auth_server != request.auth_server {
        return Err(Reply::invalid_request(
            "This flow was started on a different authorization server.",
        ));
    }
    // A flow started outside /token (primary-authenticate) gets its scope and intent
    // from its first /token call: Okta's clients send `intent` to /token only.
    let first_token_call = flow.scope.is_none() && request.scope.is_some();
    match (&flow.scope, &request.scope) {
        // `/challenge` carries no scope: nothing to compare.
        (_, None) => {}
        (None, Some(scope)) => flow.scope = Some(scope.clone()),
        (Some(a), Some(b)) if same_scopes(a, b) => {}
        _ => {
            return Err(Reply::invalid_scope(
                "The scope differs from the one this flow started with.",
            ))
        }
    }
    if flow.acr_values != request.acr_values {
        return Err(Reply::invalid_request(
            "The acr_values differ from the ones this flow started with.",
        ));
    }
    match (&flow.intent, &request.intent) {
        (a, b) if a == b => {}
        // `/challenge` carries neither scope nor intent.
        (_, None) if request.scope.is_none() => {}
        (None, Some(intent)) if first_token_call => flow.intent = Some(intent.clone()),
        _ => {
            return Err(Reply::invalid_request(
                "The intent differs from the one this flow started with.",
            ))
        }
    }
    Ok(())
}

fn same_scopes(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// The `acr_values` that ask for two factors: always, or when the user has a second one.
pub const ACR_2FA: &str = "urn:okta:loa:2fa:any";
/// Two factors when the user has a second one enrolled, else one.
pub const ACR_2FA_IF_POSSIBLE: &str = "urn:okta:loa:2fa:any:ifpossible";

/// How many factors the policy, raised by the flow's `acr_values`, wants.
pub fn factors_wanted(user: &User, satisfied: &[Factor], acr_values: Option<&str>) -> usize {
    let asked: Vec<&str> = acr_values.unwrap_or_default().split_whitespace().collect();
    let two = asked.contains(&ACR_2FA)
        || (asked.contains(&ACR_2FA_IF_POSSIBLE)
            && !remaining_mfa_grants(user, satisfied).is_empty());
    let policy = user.policy.factors as usize;
    if two {
        policy.max(2)
    } else {
        policy
    }
}

/// What the policy (and the flow's `acr_values`) wants after `satisfied`.
pub fn needs_more(user: &User, satisfied: &[Factor], acr_values: Option<&str>) -> bool {
    satisfied.len() < factors_wanted(user, satisfied, acr_values)
}

/// The MFA grants this user could still complete after `satisfied`.
pub fn remaining_mfa_grants(user: &User, satisfied: &[Factor]) -> Vec<&'static str> {
    let unused = |f: Factor| {
        user.enrolled(f)
            && !satisfied
                .iter()
                .any(|s| s.authenticator() == f.authenticator())
    };
    let mut grants = vec![];
    if unused(Factor::Totp) {
        grants.push(GRANT_MFA_OTP);
    }
    if [Factor::Push, Factor::Sms, Factor::Voice, Factor::Email]
        .into_iter()
        .any(unused)
    {
        grants.push(GRANT_MFA_OOB);
    }
    grants
}

/// Opens an MFA transaction and returns the `403 mfa_required` answer.
pub fn require_mfa(
    state: &mut State,
    user: &User,
    binding: Binding,
    satisfied: Vec<Factor>,
    grant_types_supported: Option<&[String]>,
    now: i64,
) -> Reply {
    if let Some(supported) = grant_types_supported {
        let possible = remaining_mfa_grants(user, &satisfied);
        if !possible.iter().any(|g| supported.iter().any(|s| s == g)) {
            return Reply::access_denied(
                "The grant_types_supported cannot satisfy the sign-in policy.",
            );
        }
    }
    let mfa_token = format!("mt_{}", random::alphanumeric(24));
    state.mfa.insert(
        mfa_token.clone(),
        MfaTxn {
            login: user.login.clone(),
            binding,
            satisfied,
            expires_at: now + MFA_TOKEN_TTL,
            wrong_codes: 0,
        },
    );
    let mut reply = Reply::oauth(
        403,
        "mfa_required",
        "The sign-in policy requires an additional factor.",
    );
    if let super::reply::Body::Json(Value::Object(map)) = &mut reply.body {
        map.insert("mfa_token".into(), Value::String(mfa_token));
    }
    reply
}

/// Starts an OOB challenge for `factor` and returns its response body (without
/// `challenge_type`, which only `/challenge` adds).
pub fn start_oob(
    state: &mut State,
    user: &User,
    factor: Factor,
    binding: Binding,
    mfa_token: Option<String>,
    now: i64,
) -> Result<Map<String, Value>, Reply> {
    let code = random::digits(6);
    let (binding_method, binding_code, numbers, push_id) = match factor {
        Factor::Push if user.number_challenge() => {
            let answer = random::in_range(10..100);
            let mut numbers = [answer, 0, 0];
            for i in 1..3 {
                numbers[i] = loop {
                    let n = random::in_range(10..100);
                    if !numbers[..i].contains(&n) {
                        break n;
                    }
                };
            }
            let swap = random::in_range(0..3) as usize;
            numbers.swap(0, swap);
            (
                "transfer",
                Some(answer.to_string()),
                Some(numbers),
                Some(random::alphanumeric(16)),
            )
        }
        Factor::Push => ("none", None, None, Some(random::alphanumeric(16))),
        Factor::Sms | Factor::Voice | Factor::Email => ("prompt", Some(code.clone()), None, None),
        Factor::Password | Factor::Totp => {
            return Err(Reply::invalid_request("That factor is not out-of-band."))
        }
    };
    if matches!(factor, Factor::Sms | Factor::Voice) {
        let number = user.destination(factor);
        if let Err(reset) = state.limits.phone_send(&number, now) {
            return Err(Reply::oauth(
                429,
                "invalid_grant",
                "A code was sent to this phone number less than 30 seconds ago.",
            )
            .header("X-Rate-Limit-Limit", "1")
            .header("X-Rate-Limit-Remaining", "0")
            .header("X-Rate-Limit-Reset", reset.to_string()));
        }
    }
    let record = state.user(&user.login);
    if push_id.is_some() {
        record.pushes_sent += 1;
    } else {
        record.messages_sent += 1;
    }
    if binding_method == "prompt" {
        state.outbox.push(Message {
            channel: factor.channel(),
            to: user.destination(factor),
            code,
            sent_at: now,
            login: user.login.clone(),
        });
    }
    let oob_code = format!("ft{}", random::alphanumeric(32));
    if let Some(id) = &push_id {
        state.pushes.insert(id.clone(), oob_code.clone());
    }
    let mut body = Map::new();
    body.insert("oob_code".into(), json!(oob_code));
    body.insert("expires_in".into(), json!(OOB_TTL));
    if factor == Factor::Push {
        body.insert("interval".into(), json!(PUSH_INTERVAL));
    }
    body.insert("channel".into(), json!(factor.channel()));
    body.insert("binding_method".into(), json!(binding_method));
    if binding_method == "transfer" {
        body.insert("binding_code".into(), json!(binding_code));
    }
    state.oob.insert(
        oob_code,
        OobTxn {
            login: user.login.clone(),
            binding,
            mfa_token,
            factor,
            binding_method,
            binding_code,
            status: PushStatus::Pending,
            created_at: now,
            expires_at: now + OOB_TTL,
            interval: PUSH_INTERVAL,
            last_poll_ms: None,
            wrong_codes: 0,
            push_id,
            numbers,
        },
    );
    Ok(body)
}

/// Redeems (prompt) or polls (push) an OOB transaction. On success the transaction is
/// consumed and its factor returned.
pub fn redeem_oob(
    state: &mut State,
    oob_code: &str,
    binding_code: Option<&str>,
    now_ms: i64,
) -> Result<Factor, Reply> {
    let now = now_ms.div_euclid(1000);
    let Some(txn) = state.oob.get_mut(oob_code) else {
        return Err(Reply::expired_token());
    };
    if txn.expires_at <= now {
        remove_oob(state, oob_code);
        return Err(Reply::expired_token());
    }
    if txn.binding_method == "prompt" {
        let expected = txn.binding_code.as_deref().unwrap_or_default();
        let given = binding_code.unwrap_or_default();
        if given.is_empty() || !constant_time_eq(given, expected) {
            txn.wrong_codes += 1;
            let burnt = txn.wrong_codes >= MAX_WRONG_CODES;
            let login = txn.login.clone();
            if burnt {
                remove_oob(state, oob_code);
            }
            state.user(&login).failed_codes += 1;
            return Err(Reply::invalid_grant("The binding_code is invalid."));
        }
        let factor = txn.factor;
        remove_oob(state, oob_code);
        return Ok(factor);
    }
    // Push: polled.
    if let Some(last) = txn.last_poll_ms {
        if now_ms - last < txn.interval * 1000 {
            txn.last_poll_ms = Some(now_ms);
            txn.interval += 5;
            return Err(Reply::oauth(
                400,
                "slow_down",
                "Polling too frequently; wait longer between requests.",
            ));
        }
    }
    txn.last_poll_ms = Some(now_ms);
    match txn.status {
        PushStatus::Pending => Err(Reply::oauth(
            400,
            "authorization_pending",
            "The push has not been answered yet.",
        )),
        PushStatus::Denied => Err(Reply::invalid_grant("The user rejected the push.")),
        PushStatus::Approved => {
            let factor = txn.factor;
            remove_oob(state, oob_code);
            Ok(factor)
        }
    }
}

pub fn remove_oob(state: &mut State, oob_code: &str) {
    if let Some(txn) = state.oob.remove(oob_code) {
        if let Some(id) = txn.push_id {
            state.pushes.remove(&id);
        }
    }
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Answers a push from the simulated Okta Verify. `number` is required with number
/// challenge; a wrong number rejects the push, as Okta Verify does.
pub fn answer_push(
    state: &mut State,
    push_id: &str,
    approve: bool,
    number: Option<u32>,
    now: i64,
) -> Result<PushStatus, PushAnswerError> {
    let code = state
        .pushes
        .get(push_id)
        .cloned()
        .ok_or(PushAnswerError::NotFound)?;
    let txn = state.oob.get_mut(&code).ok_or(PushAnswerError::NotFound)?;
    if txn.status != PushStatus::Pending || txn.expires_at <= now {
        return Err(PushAnswerError::NotFound);
    }
    txn.status = if !approve {
        PushStatus::Denied
    } else if txn.numbers.is_some() {
        let Some(number) = number else {
            return Err(PushAnswerError::NumberRequired);
        };
        if Some(number.to_string()) == txn.binding_code {
            PushStatus::Approved
        } else {
            PushStatus::Denied
        }
    } else {
        PushStatus::Approved
    };
    Ok(txn.status)
}

#[derive(Debug, PartialEq, Eq)]
pub enum PushAnswerError {
    NotFound,
    NumberRequired,
}
