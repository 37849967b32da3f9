//! ID-token validation (protocol reference §9.3): RS256 only, `kid` looked up in a cached
//! JWKS that is refetched when a token names an unknown `kid` (at most once per
//! [`REFETCH_MIN_INTERVAL`] on the portal's clock, so forged `kid`s cannot cause a refetch
//! storm), exact `iss`,
//! `aud` = client id, `exp`/`iat` on the portal's clock with a small skew, `at_hash`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use parking_lot::RwLock;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::outcome::{IdClaims, Upstream};
use crate::clock::Clock;

/// Allowed clock difference with Okta.
pub const CLOCK_SKEW: i64 = 120;
/// Minimum time between two JWKS fetches caused by unknown `kid`s.
pub const REFETCH_MIN_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
}

/// Signing keys by `kid`.
#[derive(Default)]
pub struct KeyCache {
    keys: RwLock<HashMap<String, DecodingKey>>,
    /// When the JWKS was last fetched, in milliseconds on `clock`.
    last_fetch: parking_lot::Mutex<Option<i64>>,
    fetch_lock: tokio::sync::Mutex<()>,
    clock: Clock,
}

impl KeyCache {
    /// An empty cache whose refetch limit reads `clock` (like every other window).
    pub fn new(clock: Clock) -> Self {
        KeyCache {
            clock,
            ..KeyCache::default()
        }
    }

    /// Replaces the cached keys with the JWKS at `jwks_uri`.
    pub async fn refresh(&self, http: &reqwest::Client, jwks_uri: &str) -> Result<usize, Upstream> {
        *self.last_fetch.lock() = Some(self.clock.now_ms());
        let response = http
            .get(jwks_uri)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| super::transport_error(&e))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| super::transport_error(&e))?;
        if status != 200 {
            return Err(Upstream::Status(status, None));
        }
        let jwks: Jwks = serde_json::from_slice(&bytes).map_err(|_| Upstream::Malformed)?;
        let keys: HashMap<String, DecodingKey> = jwks
            .keys
            .into_iter()
            .filter(|k| k.kty == "RSA" && k.use_.as_deref().is_none_or(|u| u == "sig"))
            .filter_map(|k| {
                let key =
                    DecodingKey::from_rsa_components(k.n.as_deref()?, k.e.as_deref()?).ok()?;
                Some((k.kid?, key))
            })
            .collect();
        let count = keys.len();
        *self.keys.write() = keys;
        Ok(count)
    }

    async fn key(
        &self,
        http: &reqwest::Client,
        jwks_uri: &str,
        kid: &str,
    ) -> Result<DecodingKey, Upstream> {
        if let Some(key) = self.keys.read().get(kid) {
            return Ok(key.clone());
        }
        // One fetch at a time; whoever waited re-checks the cache first.
        let _guard = self.fetch_lock.lock().await;
        if let Some(key) = self.keys.read().get(kid) {
            return Ok(key.clone());
        }
        let now = self.clock.now_ms();
        let recent = self
            .last_fetch
            .lock()
            .is_some_and(|at| now - at < REFETCH_MIN_INTERVAL.as_millis() as i64);
        if !recent {
            self.refresh(http, jwks_uri).await?;
        }
        self.keys
            .read()
            .get(kid)
            .cloned()
            .ok_or_else(|| Upstream::InvalidIdToken("unknown kid".into()))
    }
}

/// What an ID token must match.
pub struct Expectations<'a> {
    /// `iss`, exactly.
    pub issuer: &'a str,
    /// `aud`.
    pub client_id: &'a str,
    /// The access token issued with it, checked against `at_hash` when given.
    pub access_token: Option<&'a str>,
    /// The portal's clock, for `exp` and `iat`.
    pub clock: &'a Clock,
    /// The claim that carries the user's groups (`okta.groups_claim`).
    pub groups_claim: &'a str,
}

/// A claim that is a list of strings (or one string), with anything else left out.
fn string_list(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .take(1000)
            .collect(),
        _ => Vec::new(),
    }
}

/// Validates `token` and returns its claims; an unknown `kid` refetches the JWKS at
/// `jwks_uri` (rate-limited by the cache).
pub async fn validate(
    cache: &KeyCache,
    http: &reqwest::Client,
    jwks_uri: &str,
    token: &str,
    expect: &Expectations<'_>,
) -> Result<IdClaims, Upstream> {
    let bad = |why: &str| Upstream::InvalidIdToken(why.to_string());
    let header = jsonwebtoken::decode_header(token).map_err(|_| bad("not a JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(bad("alg is not RS256"));
    }
    let kid = header.kid.ok_or_else(|| bad("no kid"))?;
    let key = cache.key(http, jwks_uri, &kid).await?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_issuer(&[expect.issuer]);
    validation.set_audience(&[expect.client_id]);
    validation.required_spec_claims = HashSet::from(["iss", "aud", "sub", "exp"].map(String::from));
    let data =
        jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::InvalidIssuer => bad("wrong iss"),
                ErrorKind::InvalidAudience => bad("wrong aud"),
                ErrorKind::InvalidSignature => bad("bad signature"),
                ErrorKind::MissingRequiredClaim(c) => bad(&format!("missing {c}")),
                _ => bad("undecodable"),
            }
        })?;
    let raw = data.claims;
    let mut claims: IdClaims = serde_json::from_value(raw.clone()).map_err(|_| bad("claims"))?;
    claims.groups = string_list(&raw[expect.groups_claim]);
    let now = expect.clock.now();
    if claims.exp + CLOCK_SKEW <= now {
        return Err(bad("expired"));
    }
    if claims.iat > now + CLOCK_SKEW {
        return Err(bad("iat in the future"));
    }
    if claims.sub.is_empty() {
        return Err(bad("empty sub"));
    }
    if let (Some(at_hash), Some(access)) = (raw["at_hash"].as_str(), expect.access_token) {
        let digest = Sha256::digest(access.as_bytes());
        if URL_SAFE_NO_PAD.encode(&digest[..16]) != at_hash {
            return Err(bad("at_hash mismatch"));
        }
    }
    Ok(claims)
}
