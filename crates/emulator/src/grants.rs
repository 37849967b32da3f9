//! `POST /v1/token`: the password, primary OTP and OOB, MFA OTP and OOB, and refresh
//! grants (protocol reference §3, flows A–H). Each grant parses and checks its request,
//! applies the per-username limit, then asks the policy whether to issue tokens or to
//! answer `mfa_required`.

use parking_lot::MutexGuard;
use serde_json::Value;
use totp_rs::{Algorithm, TOTP};

use super::directory::{verify_password, Client, Factor, Status, User};
use super::flows::{
    self, check_binding, needs_more, redeem_oob, remaining_mfa_grants, require_mfa, GRANT_MFA_OOB,
    GRANT_MFA_OTP, GRANT_MFA_WEBAUTHN, GRANT_OOB, GRANT_OTP, GRANT_PASSWORD, GRANT_REFRESH,
    GRANT_WEBAUTHN,
};
use super::limits::USER_TOKEN_REQUESTS_PER_SECOND;
use super::params::Params;
use super::recovery::{self, is_recovery};
use super::reply::Reply;
use super::state::{Binding, State, LOCKOUT_THRESHOLD, MAX_WRONG_CODES};
use super::tokens::{self, Grant};
use super::{AuthServer, Emulator};

const KNOWN_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
    "groups",
];

/// Grant types a client may list in `grant_types_supported`.
const KNOWN_GRANTS: &[&str] = &[
    GRANT_PASSWORD,
    GRANT_OTP,
    GRANT_OOB,
    GRANT_MFA_OTP,
    GRANT_MFA_OOB,
    GRANT_WEBAUTHN,
    GRANT_MFA_WEBAUTHN,
    GRANT_REFRESH,
    "authorization_code",
    "client_credentials",
];

/// One `/token` request, already client-authenticated.
pub struct TokenRequest<'a> {
    pub emu: &'a Emulator,
    pub auth_server: &'a AuthServer,
    pub client: &'a Client,
    pub params: &'a Params,
}

pub async fn token(req: TokenRequest<'_>) -> Result<Value, Reply> {
    let grant_type = req.params.require("grant_type")?;
    let supported = match req.params.list("grant_types_supported") {
        Some(list) => {
            if let Some(bad) = list.iter().find(|g| !KNOWN_GRANTS.contains(&g.as_str())) {
                return Err(Reply::invalid_request(format!(
                    "'{bad}' in grant_types_supported is not a grant type."
                )));
            }
            Some(list)
        }
        None => None,
    };
    let supported = supported.as_deref();
    match grant_type {
        GRANT_PASSWORD => password(&req, supported).await,
        GRANT_OTP => primary_otp(&req, supported),
        GRANT_OOB => primary_oob(&req, supported),
        GRANT_MFA_OTP => mfa_otp(&req),
        GRANT_MFA_OOB => mfa_oob(&req),
        GRANT_REFRESH => {
            let token = req.params.require("refresh_token")?;
            let requested = match req.params.list("scope") {
                Some(list) => Some(known_scopes(list)?),
                None => None,
            };
            tokens::refresh(req.emu, &req.client.id, req.auth_server, token, requested)
        }
        _ => Err(Reply::oauth(
            400,
            "unsupported_grant_type",
            format!("The grant type '{grant_type}' is not supported by this authorization server."),
        )),
    }
}

fn known_scopes(list: Vec<String>) -> Result<Vec<String>, Reply> {
    let mut out: Vec<String> = vec![];
    for s in list {
        if !KNOWN_SCOPES.contains(&s.as_str()) && !super::myaccount::SCOPES.contains(&s.as_str()) {
            return Err(Reply::invalid_scope(format!(
                "The scope '{s}' is not allowed."
            )));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

impl TokenRequest<'_> {
    fn scopes(&self) -> Result<Vec<String>, Reply> {
        let list = self
            .params
            .list("scope")
            .ok_or_else(|| Reply::invalid_scope("The 'scope' parameter must be provided."))?;
        known_scopes(list)
    }

    fn binding(&self) -> Result<Binding, Reply> {
        Ok(Binding {
            client_id: self.client.id.clone(),
            auth_server: self.auth_server.key(),
            scope: Some(self.scopes()?),
            acr_values: self.params.get("acr_values").map(str::to_string),
            intent: recovery::intent(self.params)?,
        })
    }

    fn user(&self, st: &State, login: &str) -> Option<std::sync::Arc<User>> {
        self.emu.user_in(st, login)
    }

    /// Counts the request against the username's 4/s limit.
    fn user_limit(&self, st: &mut State, login: &str) -> Result<(), Reply> {
        let now_ms = self.emu.clock.now_ms();
        if st.limits.user_token_request(login, now_ms) {
            return Ok(());
        }
        let reset = st.limits.user_reset(login, now_ms);
        // The per-username limit is the one that applies: report its figures, not the
        // org bucket's (`routes::with_rate_headers` keeps headers already set).
        Err(Reply::oauth(
            429,
            "invalid_grant",
            "Too many requests for this user; try again later.",
        )
        .header(
            "X-Rate-Limit-Limit",
            USER_TOKEN_REQUESTS_PER_SECOND.to_string(),
        )
        .header("X-Rate-Limit-Remaining", "0")
        .header("X-Rate-Limit-Reset", reset.to_string()))
    }

    /// Tokens when the policy is satisfied, otherwise `mfa_required`.
    fn finish(
        &self,
        mut st: MutexGuard<'_, State>,
        user: &User,
        binding: Binding,
        satisfied: Vec<Factor>,
        supported: Option<&[String]>,
    ) -> Result<Value, Reply> {
        let now = self.emu.clock.now();
        let recovering = is_recovery(&binding);
        if recovering {
            // One factor the recovery policy allows is the whole recovery flow.
            recovery::check_scopes(binding.scope.as_deref().unwrap_or_default())?;
            for factor in &satisfied {
                recovery::check_factor(user, *factor)?;
            }
        } else if needs_more(user, &satisfied, binding.acr_values.as_deref()) {
            // Two factors asked for (acr_values) from a user who has no second one.
            if remaining_mfa_grants(user, &satisfied).is_empty() {
                return Err(policy_denied());
            }
            return Err(require_mfa(
                &mut st, user, binding, satisfied, supported, now,
            ));
        }
        drop(st);
        let mut amr: Vec<&'static str> = satisfied.iter().map(|f| f.amr()).collect();
        if satisfied.len() > 1 {
            amr.push("mfa");
        }
        let grant = Grant {
            login: user.login.clone(),
            client_id: binding.client_id,
            auth_server: self.auth_server.clone(),
            scopes: binding.scope.unwrap_or_default(),
            amr,
            auth_time: now,
        };
        Ok(tokens::issue(self.emu, grant, None))
    }
}

fn invalid_credentials() -> Reply {
    Reply::invalid_grant("The credentials provided were invalid.")
}

fn unknown_login_hint() -> Reply {
    Reply::invalid_grant("The login_hint does not identify exactly one user.")
}

fn policy_denied() -> Reply {
    Reply::access_denied("The sign-in policy cannot be satisfied with this factor.")
}

/// Flow A (and the first step of B–D).
async fn password(req: &TokenRequest<'_>, supported: Option<&[String]>) -> Result<Value, Reply> {
    let username = req.params.require("username")?.to_string();
    let password = req.params.require("password")?.to_string();
    let binding = req.binding()?;
    if is_recovery(&binding) {
        // A forgotten password cannot recover itself.
        recovery::check_scopes(binding.scope.as_deref().unwrap_or_default())?;
        return Err(recovery::factor_not_allowed());
    }
    req.user_limit(&mut req.emu.state.lock(), &username)?;
    let user = req.emu.user(&username);
    // A miss costs what a hit costs: an unknown user is checked against a decoy hash.
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| req.emu.directory.decoy_hash.clone());
    let matches = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false);
    let mut st = req.emu.state.lock();
    let Some(user) = user else {
        return Err(invalid_credentials());
    };
    if user.status != Status::Active || user.password_hash.is_none() {
        return Err(invalid_credentials());
    }
    let record = st.user(&user.login);
    if record.locked {
        return Err(invalid_credentials());
    }
    if !matches {
        record.failed_passwords += 1;
        if record.failed_passwords >= LOCKOUT_THRESHOLD {
            record.locked = true;
        }
        return Err(invalid_credentials());
    }
    record.failed_passwords = 0;
    req.finish(st, &user, binding, vec![Factor::Password], supported)
}

/// Flow E: one-time passcode as the first factor.
fn primary_otp(req: &TokenRequest<'_>, supported: Option<&[String]>) -> Result<Value, Reply> {
    let login = req.params.require("login_hint")?;
    let otp = req.params.require("otp")?;
    let binding = req.binding()?;
    let mut st = req.emu.state.lock();
    req.user_limit(&mut st, login)?;
    let user = req.user(&st, login).ok_or_else(unknown_login_hint)?;
    if user.status != Status::Active || st.is_locked(&user.login) {
        return Err(unknown_login_hint());
    }
    if is_recovery(&binding) {
        recovery::check_scopes(binding.scope.as_deref().unwrap_or_default())?;
        recovery::check_factor(&user, Factor::Totp)?;
    } else if user.policy.password_required {
        return Err(policy_denied());
    }
    if !verify_totp(&mut st, &user, otp, req.emu.clock.now()) {
        st.user(&user.login).failed_codes += 1;
        return Err(Reply::invalid_grant("The one-time passcode is invalid."));
    }
    req.finish(st, &user, binding, vec![Factor::Totp], supported)
}

/// Flows F–H: redeem or poll a primary OOB challenge.
fn primary_oob(req: &TokenRequest<'_>, supported: Option<&[String]>) -> Result<Value, Reply> {
    let oob_code = req.params.require("oob_code")?;
    let binding = req.binding()?;
    let mut st = req.emu.state.lock();
    let txn = st.oob.get_mut(oob_code).ok_or_else(Reply::expired_token)?;
    if txn.mfa_token.is_some() {
        return Err(Reply::invalid_request(
            "This oob_code belongs to an MFA flow; use the mfa-oob grant with its mfa_token.",
        ));
    }
    check_binding(&mut txn.binding, &binding)?;
    let login = txn.login.clone();
    req.user_limit(&mut st, &login)?;
    let factor = redeem_oob(
        &mut st,
        oob_code,
        req.params.get("binding_code"),
        req.emu.clock.now_ms(),
    )?;
    let user = req.user(&st, &login).ok_or_else(Reply::expired_token)?;
    req.finish(st, &user, binding, vec![factor], supported)
}

/// Looks up a live MFA transaction and checks the request against it.
fn mfa_txn<'s>(
    st: &'s mut State,
    mfa_token: &str,
    binding: &Binding,
    now: i64,
) -> Result<&'s mut super::state::MfaTxn, Reply> {
    let expired = st.mfa.get(mfa_token).is_none_or(|t| t.expires_at <= now);
    if expired {
        st.mfa.remove(mfa_token);
        return Err(Reply::expired_token());
    }
    let txn = st.mfa.get_mut(mfa_token).ok_or_else(Reply::expired_token)?;
    check_binding(&mut txn.binding, binding)?;
    Ok(txn)
}

/// Flow B, step 4: an OTP as the second factor.
fn mfa_otp(req: &TokenRequest<'_>) -> Result<Value, Reply> {
    let mfa_token = req.params.require("mfa_token")?;
    let otp = req.params.require("otp")?;
    let binding = req.binding()?;
    let now = req.emu.clock.now();
    let mut st = req.emu.state.lock();
    let txn = mfa_txn(&mut st, mfa_token, &binding, now)?;
    let login = txn.login.clone();
    let used_otp = txn.satisfied.contains(&Factor::Totp);
    req.user_limit(&mut st, &login)?;
    let user = req.user(&st, &login).ok_or_else(Reply::expired_token)?;
    if !user.enrolled(Factor::Totp) {
        return Err(Reply::access_denied(
            "The user is not enrolled in an OTP authenticator.",
        ));
    }
    if used_otp {
        return Err(Reply::access_denied(
            "This authenticator was already used in this sign-in.",
        ));
    }
    if !verify_totp(&mut st, &user, otp, now) {
        st.user(&user.login).failed_codes += 1;
        if let Some(txn) = st.mfa.get_mut(mfa_token) {
            txn.wrong_codes += 1;
            if txn.wrong_codes >= MAX_WRONG_CODES {
                st.mfa.remove(mfa_token);
            }
        }
        return Err(Reply::invalid_grant("The one-time passcode is invalid."));
    }
    let txn = st.mfa.remove(mfa_token).ok_or_else(Reply::expired_token)?;
    let mut satisfied = txn.satisfied;
    satisfied.push(Factor::Totp);
    req.finish(st, &user, binding, satisfied, None)
}

/// Flows C, D and H (MFA variant): redeem or poll a second-factor OOB challenge.
fn mfa_oob(req: &TokenRequest<'_>) -> Result<Value, Reply> {
    let mfa_token = req.params.require("mfa_token")?;
    let oob_code = req.params.require("oob_code")?;
    let binding = req.binding()?;
    let now_ms = req.emu.clock.now_ms();
    let mut st = req.emu.state.lock();
    let login = mfa_txn(&mut st, mfa_token, &binding, now_ms.div_euclid(1000))?
        .login
        .clone();
    let oob = st.oob.get(oob_code).ok_or_else(Reply::expired_token)?;
    if oob.mfa_token.as_deref() != Some(mfa_token) {
        return Err(Reply::invalid_request(
            "The oob_code was not issued for this mfa_token.",
        ));
    }
    req.user_limit(&mut st, &login)?;
    let factor = redeem_oob(&mut st, oob_code, req.params.get("binding_code"), now_ms)?;
    let txn = st.mfa.remove(mfa_token).ok_or_else(Reply::expired_token)?;
    let user = req.user(&st, &login).ok_or_else(Reply::expired_token)?;
    let mut satisfied = txn.satisfied;
    satisfied.push(factor);
    req.finish(st, &user, binding, satisfied, None)
}

/// RFC 6238 (SHA-1, 6 digits, 30 s), one step either side, and no code accepted twice.
fn verify_totp(st: &mut State, user: &User, code: &str, now: i64) -> bool {
    let Some(secret) = &user.totp_secret else {
        return false;
    };
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret.clone());
    let now = now.max(0) as u64;
    let step_now = now / 30;
    for step in [step_now.saturating_sub(1), step_now, step_now + 1] {
        if flows::constant_time_eq(&totp.generate(step * 30), code) {
            let record = st.user(&user.login);
            if record.used_totp_steps.contains(&step) {
                return false;
            }
            record.used_totp_steps.push(step);
            if record.used_totp_steps.len() > 8 {
                record.used_totp_steps.remove(0);
            }
            return true;
        }
    }
    false
}
