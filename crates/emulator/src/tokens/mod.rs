//! Issued tokens: RS256 ID and access tokens with the claims of protocol reference §9,
//! opaque refresh tokens in rotation chains (30 s reuse grace; reuse after it revokes the
//! chain), and the revoke / introspect / userinfo views of them.

use std::collections::{HashMap, HashSet};

use jsonwebtoken::{Algorithm, Validation};
use serde_json::{json, Value};

use super::keys;
use super::reply::Reply;
use super::{AuthServer, Emulator};
use shared::random;

mod lookup;
pub use lookup::{access_grant, introspect, userinfo};

pub const ACCESS_TOKEN_TTL: i64 = 3600;
pub const ID_TOKEN_TTL: i64 = 3600;
/// A refresh token unused for this long expires (Okta's default idle lifetime: 7 days).
pub const REFRESH_IDLE_TTL: i64 = 7 * 24 * 3600;
/// After rotation the previous refresh token keeps working this long (Okta's default).
pub const REFRESH_REUSE_GRACE: i64 = 30;

/// Who signed in, how, and for which client and scopes: fixed for a token chain.
#[derive(Clone, Debug)]
pub struct Grant {
    pub login: String,
    pub client_id: String,
    pub auth_server: AuthServer,
    pub scopes: Vec<String>,
    pub amr: Vec<&'static str>,
    pub auth_time: i64,
}

impl Grant {
    fn has_scope(&self, s: &str) -> bool {
        self.scopes.iter().any(|x| x == s)
    }
}

struct Chain {
    grant: Grant,
    revoked: bool,
    last_active: i64,
}

struct RefreshEntry {
    chain: u64,
    last_used: i64,
    rotated_at: Option<i64>,
}

struct AccessEntry {
    chain: u64,
    exp: i64,
    revoked: bool,
}

#[derive(Default)]
pub struct TokenStore {
    chains: HashMap<u64, Chain>,
    refresh: HashMap<String, RefreshEntry>,
    access: HashMap<String, AccessEntry>,
    next_chain: u64,
}

impl TokenStore {
    pub fn prune(&mut self, now: i64) {
        self.access.retain(|_, a| a.exp > now - 60);
        self.refresh
            .retain(|_, r| r.last_used > now - REFRESH_IDLE_TTL);
        self.chains
            .retain(|_, c| c.last_active > now - REFRESH_IDLE_TTL - ACCESS_TOKEN_TTL);
    }

    fn refresh_state(&self, token: &str) -> Option<(&RefreshEntry, &Chain)> {
        let entry = self.refresh.get(token)?;
        let chain = self.chains.get(&entry.chain)?;
        Some((entry, chain))
    }

    fn refresh_active(&self, token: &str, now: i64) -> Option<&Grant> {
        let (entry, chain) = self.refresh_state(token)?;
        let fresh = now - entry.last_used <= REFRESH_IDLE_TTL;
        let in_grace = entry
            .rotated_at
            .is_none_or(|at| now - at <= REFRESH_REUSE_GRACE);
        (!chain.revoked && fresh && in_grace).then_some(&chain.grant)
    }

    fn access_active(&self, jti: &str, now: i64) -> Option<&Grant> {
        let entry = self.access.get(jti)?;
        let chain = self.chains.get(&entry.chain)?;
        (!entry.revoked && !chain.revoked && entry.exp > now).then_some(&chain.grant)
    }
}

/// Mints tokens for `grant`, continuing `chain` when refreshing.
pub fn issue(emu: &Emulator, grant: Grant, chain: Option<u64>) -> Value {
    let now = emu.clock.now();
    let access_jti = format!("AT.{}", random::token(24));
    let refresh_token = {
        let mut st = emu.state.lock();
        let tokens = &mut st.tokens;
        let chain_id = chain.unwrap_or_else(|| {
            tokens.next_chain += 1;
            tokens.chains.insert(
                tokens.next_chain,
                Chain {
                    grant: grant.clone(),
                    revoked: false,
                    last_active: now,
                },
            );
            tokens.next_chain
        });
        if let Some(c) = tokens.chains.get_mut(&chain_id) {
            c.last_active = now;
        }
        tokens.access.insert(
            access_jti.clone(),
            AccessEntry {
                chain: chain_id,
                exp: now + ACCESS_TOKEN_TTL,
                revoked: false,
            },
        );
        grant.has_scope("offline_access").then(|| {
            let token = random::token(32);
            tokens.refresh.insert(
                token.clone(),
                RefreshEntry {
                    chain: chain_id,
                    last_used: now,
                    rotated_at: None,
                },
            );
            token
        })
    };
    let user = emu
        .directory
        .user(&grant.login)
        .expect("grants are only made for known users");
    let key = emu.keys.read().active();
    let issuer = emu.issuer(&grant.auth_server);
    let access_token = keys::sign(
        &key,
        &json!({
            "ver": 1,
            "jti": access_jti,
            "iss": issuer,
            "aud": emu.audience(&grant.auth_server),
            "iat": now,
            "exp": now + ACCESS_TOKEN_TTL,
            "cid": grant.client_id,
            "uid": user.id,
            "scp": grant.scopes,
            "auth_time": grant.auth_time,
            "sub": user.login,
        }),
    );
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL,
        "access_token": access_token,
        "scope": grant.scopes.join(" "),
    });
    if grant.has_scope("openid") {
        let mut claims = json!({
            "ver": 1,
            "sub": user.id,
            "iss": issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL,
            "jti": format!("ID.{}", random::token(24)),
            "amr": grant.amr,
            "idp": emu.directory.org_id,
            "auth_time": grant.auth_time,
            "at_hash": keys::at_hash(&access_token),
        });
        if grant.has_scope("profile") {
            claims["name"] = json!(user.name);
            claims["preferred_username"] = json!(user.login);
        }
        if grant.has_scope("email") {
            claims["email"] = json!(user.email);
            claims["email_verified"] = json!(true);
        }
        // A groups claim included in the `groups` scope, as an Okta admin configures it.
        if grant.has_scope("groups") {
            claims["groups"] = json!(user.groups);
        }
        body["id_token"] = json!(keys::sign(&key, &claims));
    }
    if let Some(token) = refresh_token {
        body["refresh_token"] = json!(token);
    }
    body
}

/// The `refresh_token` grant with rotation.
pub fn refresh(
    emu: &Emulator,
    client_id: &str,
    auth_server: &AuthServer,
    token: &str,
    requested: Option<Vec<String>>,
) -> Result<Value, Reply> {
    let now = emu.clock.now();
    let invalid = || Reply::invalid_grant("The refresh token is invalid or expired.");
    let (grant, chain) = {
        let mut st = emu.state.lock();
        let tokens = &mut st.tokens;
        let entry = tokens.refresh.get_mut(token).ok_or_else(invalid)?;
        let chain_id = entry.chain;
        let chain = tokens.chains.get_mut(&chain_id).ok_or_else(invalid)?;
        if chain.revoked
            || chain.grant.client_id != client_id
            || &chain.grant.auth_server != auth_server
            || now - entry.last_used > REFRESH_IDLE_TTL
        {
            return Err(invalid());
        }
        if let Some(rotated) = entry.rotated_at {
            if now - rotated > REFRESH_REUSE_GRACE {
                // Reuse of a rotated token: assume theft and end the whole chain.
                chain.revoked = true;
                return Err(invalid());
            }
        }
        let mut grant = chain.grant.clone();
        if let Some(requested) = requested {
            if requested.iter().any(|s| !grant.has_scope(s)) {
                return Err(Reply::invalid_scope(
                    "The requested scopes exceed those originally granted.",
                ));
            }
            grant.scopes = requested;
        }
        entry.rotated_at.get_or_insert(now);
        entry.last_used = now;
        (grant, chain_id)
    };
    Ok(issue(emu, grant, Some(chain)))
}

/// Verifies a JWT issued by this emulator (any published key; expiry not checked here).
pub fn verify_jwt(emu: &Emulator, token: &str) -> Option<Value> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let key = emu.keys.read().find(header.kid.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Value>(token, &key.decoding, &validation)
        .ok()
        .map(|d| d.claims)
}

/// The `scp` claim of an access token this emulator signed.
fn token_scopes(claims: &Value) -> Vec<String> {
    claims["scp"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `/revoke`: always succeeds; revokes only the caller's own tokens.
pub fn revoke(emu: &Emulator, client_id: &str, token: &str) {
    {
        let mut st = emu.state.lock();
        let tokens = &mut st.tokens;
        if let Some(entry) = tokens.refresh.get(token) {
            if let Some(chain) = tokens.chains.get_mut(&entry.chain) {
                if chain.grant.client_id == client_id {
                    chain.revoked = true;
                }
            }
            return;
        }
    }
    let Some(claims) = verify_jwt(emu, token) else {
        return;
    };
    let (Some(jti), Some(cid)) = (claims["jti"].as_str(), claims["cid"].as_str()) else {
        return;
    };
    if cid == client_id {
        if let Some(entry) = emu.state.lock().tokens.access.get_mut(jti) {
            entry.revoked = true;
        }
    }
}
