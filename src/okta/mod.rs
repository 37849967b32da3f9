//! The Okta client: the only code in the portal that speaks HTTP to Okta.
//!
//! It discovers the authorization server, derives `/challenge` and
//! `/primary-authenticate` from `token_endpoint` (as Okta's own clients do), authenticates
//! as the configured client (`none`, `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt` with a fresh assertion per call), sends the same `scope` on every
//! token call of a flow, forwards the end user's `User-Agent` and `Accept-Language` (and
//! `X-Forwarded-For` only when configured), and turns every answer (both of Okta's error
//! body shapes, any JSON charset, unknown fields ignored) into a typed [`Outcome`].
//! One shared `reqwest::Client` with connect and total timeouts and redirects off.
//! No token, code or password is ever logged.

mod ceiling;
pub mod idtoken;
mod outcome;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use parking_lot::RwLock;
use serde::Deserialize;
use serde_json::{json, Value};

pub use ceiling::{Bucket, Ceiling, Priority};
pub use outcome::{BindingMethod, Challenge, IdClaims, Outcome, TokenSet, Upstream};

use crate::clock::Clock;
use crate::config::{AuthMethod, OktaConfig, Secret};
use crate::metrics::Metrics;
use crate::random;

pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_OTP: &str = "urn:okta:params:oauth:grant-type:otp";
pub const GRANT_OOB: &str = "urn:okta:params:oauth:grant-type:oob";
pub const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the portal authenticates to Okta.
pub enum ClientAuth {
    None,
    Basic(Secret),
    Post(Secret),
    PrivateKeyJwt {
        key: EncodingKey,
        kid: Option<String>,
    },
}

/// The end user's request context forwarded to Okta (protocol reference §2.5).
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    pub user_agent: Option<String>,
    pub accept_language: Option<String>,
    /// Sent as `X-Forwarded-For` only when the portal is configured to.
    pub client_ip: Option<IpAddr>,
    /// Untrusted first-factor attempts get only a share of the capacity toward Okta.
    pub priority: Priority,
}

/// Endpoints found by discovery.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub issuer: String,
    pub token: String,
    pub challenge: String,
    pub primary_authenticate: String,
    pub revoke: Option<String>,
    pub userinfo: Option<String>,
    pub jwks_uri: String,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    revocation_endpoint: Option<String>,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

/// Which kind of call an answer belongs to: Okta's `invalid_grant` and `access_denied`
/// mean different things for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallKind {
    Password,
    PasswordlessStart,
    Code,
    Poll,
    Challenge,
    Refresh,
}

/// Errors of `/userinfo`.
#[derive(Debug)]
pub enum UserinfoError {
    /// The access token is no longer accepted (401/403).
    Unauthorized,
    Upstream(Upstream),
}

pub struct OktaClient {
    http: reqwest::Client,
    issuer: String,
    client_id: String,
    auth: ClientAuth,
    scopes: String,
    grant_types_supported: String,
    forward_client_ip: bool,
    endpoints: RwLock<Option<Arc<Endpoints>>>,
    keys: idtoken::KeyCache,
    clock: Clock,
    metrics: Arc<Metrics>,
    ceiling: Ceiling,
    timeout_ms: u64,
}

pub(crate) fn transport_error(e: &reqwest::Error) -> Upstream {
    if e.is_timeout() {
        Upstream::Timeout
    } else if e.is_connect() {
        Upstream::Connect
    } else {
        Upstream::Malformed
    }
}

impl OktaClient {
    /// Builds the client from validated configuration. `grant_types` lists the grants
    /// the portal is configured to complete (sent as `grant_types_supported`).
    pub fn new(
        config: &OktaConfig,
        grant_types: &[&str],
        forward_client_ip: bool,
        clock: Clock,
        metrics: Arc<Metrics>,
        ceiling: Ceiling,
    ) -> Result<Self, String> {
        let issuer = config
            .issuer
            .clone()
            .filter(|i| !i.is_empty())
            .ok_or("okta.issuer is not set")?
            .trim_end_matches('/')
            .to_string();
        let client_id = config
            .client_id
            .clone()
            .ok_or("okta.client_id is not set")?;
        let auth = match (
            config.auth_method,
            &config.client_secret,
            &config.private_key_file,
        ) {
            (Some(AuthMethod::None), _, _) => ClientAuth::None,
            (Some(AuthMethod::PrivateKeyJwt), _, Some(path)) | (None, None, Some(path)) => {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("okta.private_key_file {}: {e}", path.display()))?;
                let key = EncodingKey::from_rsa_pem(&pem)
                    .map_err(|e| format!("okta.private_key_file {}: {e}", path.display()))?;
                ClientAuth::PrivateKeyJwt {
                    key,
                    kid: config.private_key_id.clone(),
                }
            }
            (Some(AuthMethod::PrivateKeyJwt), _, None) => {
                return Err("okta.auth_method private_key_jwt needs okta.private_key_file".into())
            }
            (Some(AuthMethod::ClientSecretPost), Some(s), _) => ClientAuth::Post(s.clone()),
            (Some(AuthMethod::ClientSecretBasic) | None, Some(s), _) => {
                ClientAuth::Basic(s.clone())
            }
            (Some(m), None, _) => {
                return Err(format!("okta.auth_method {m} needs okta.client_secret"))
            }
            (None, None, None) => ClientAuth::None,
        };
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(OktaClient {
            http,
            issuer,
            client_id,
            auth,
            scopes: config
                .scopes
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            grant_types_supported: grant_types.join(" "),
            forward_client_ip,
            endpoints: RwLock::new(None),
            keys: idtoken::KeyCache::new(clock.clone()),
            clock,
            metrics,
            ceiling,
            timeout_ms: config.timeout_ms,
        })
    }

    /// The longest one grant call can take: the token request, and the discovery and key
    /// fetches its ID token may need first, each bounded by `okta.timeout_ms`.
    pub fn call_budget_ms(&self) -> i64 {
        i64::try_from(self.timeout_ms.saturating_mul(3)).unwrap_or(i64::MAX)
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether discovery has succeeded.
    pub fn is_ready(&self) -> bool {
        self.endpoints.read().is_some()
    }

    /// Fetches the discovery document and the JWKS.
    pub async fn discover(&self) -> Result<Arc<Endpoints>, Upstream> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let response = self
            .http
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        if status != 200 {
            return Err(Upstream::Status(status, None));
        }
        let doc: Discovery = serde_json::from_slice(&bytes).map_err(|_| Upstream::Malformed)?;
        if doc.issuer.trim_end_matches('/') != self.issuer {
            tracing::error!(
                configured = %self.issuer,
                discovered = %doc.issuer,
                "the discovery document's issuer differs from okta.issuer"
            );
            return Err(Upstream::Malformed);
        }
        // Okta's own clients derive these two from `token_endpoint`; an unusual token URL
        // falls back to the issuer's `/v1` base.
        let base = doc
            .token_endpoint
            .strip_suffix("/token")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/v1", doc.issuer.trim_end_matches('/')));
        let endpoints = Arc::new(Endpoints {
            issuer: doc.issuer.clone(),
            challenge: format!("{base}/challenge"),
            primary_authenticate: format!("{base}/primary-authenticate"),
            token: doc.token_endpoint,
            revoke: doc.revocation_endpoint,
            userinfo: doc.userinfo_endpoint,
            jwks_uri: doc.jwks_uri,
        });
        self.keys.refresh(&self.http, &endpoints.jwks_uri).await?;
        *self.endpoints.write() = Some(endpoints.clone());
        Ok(endpoints)
    }

    /// Retries discovery with backoff until it succeeds (run at start in the background).
    pub async fn discover_until_ready(self: Arc<Self>) {
        let mut delay = Duration::from_millis(250);
        loop {
            match self.discover().await {
                Ok(_) => {
                    tracing::info!(issuer = %self.issuer, "Okta discovery complete");
                    return;
                }
                Err(e) => {
                    tracing::warn!(issuer = %self.issuer, error = %e, "Okta discovery failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    async fn endpoints(&self) -> Result<Arc<Endpoints>, Upstream> {
        if let Some(e) = self.endpoints.read().clone() {
            return Ok(e);
        }
        self.discover().await
    }

    fn assertion(&self, audience: &str) -> Result<String, Upstream> {
        let ClientAuth::PrivateKeyJwt { key, kid } = &self.auth else {
            return Err(Upstream::Malformed);
        };
        let now = self.clock.now();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = kid.clone();
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "iat": now,
            "exp": now + 600,
            "jti": random::token(16),
        });
        jsonwebtoken::encode(&header, &claims, key).map_err(|_| Upstream::Malformed)
    }

    /// Sends one form POST with client authentication and returns status, headers of
    /// interest and the parsed JSON body (`Value::Null` for an empty body).
    async fn post(
        &self,
        url: &str,
        mut form: Vec<(&str, String)>,
        ctx: &CallContext,
    ) -> Result<(u16, Option<i64>, Value), Upstream> {
        let mut request = self.http.post(url).header("Accept", "application/json");
        match &self.auth {
            ClientAuth::None => form.push(("client_id", self.client_id.clone())),
            ClientAuth::Basic(secret) => {
                let enc =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let creds = format!("{}:{}", enc(&self.client_id), enc(secret.expose()));
                request =
                    request.header("Authorization", format!("Basic {}", STANDARD.encode(creds)));
            }
            ClientAuth::Post(secret) => {
                form.push(("client_id", self.client_id.clone()));
                form.push(("client_secret", secret.expose().to_string()));
            }
            ClientAuth::PrivateKeyJwt { .. } => {
                form.push(("client_id", self.client_id.clone()));
                form.push(("client_assertion_type", ASSERTION_TYPE.to_string()));
                form.push(("client_assertion", self.assertion(url)?));
            }
        }
        if let Some(ua) = &ctx.user_agent {
            request = request.header("User-Agent", ua.as_str());
        }
        if let Some(lang) = &ctx.accept_language {
            request = request.header("Accept-Language", lang.as_str());
        }
        if let (true, Some(ip)) = (self.forward_client_ip, ctx.client_ip) {
            request = request.header("X-Forwarded-For", ip.to_string());
        }
        let endpoint = url.rsplit('/').next().unwrap_or_default().to_string();
        let bucket = if endpoint == "token" {
            Bucket::Token
        } else {
            Bucket::Other
        };
        let _permit = match self.ceiling.admit(bucket, ctx.priority) {
            Ok(permit) => permit,
            Err(reset) => {
                // Refused here: answered like Okta's own org-wide 429.
                self.metrics
                    .okta_call(&endpoint, "held_by_ceiling", Duration::ZERO);
                return Ok((429, Some(reset), json!({"errorCode": "local_ceiling"})));
            }
        };
        let started = Instant::now();
        let result = request.form(&form).send().await;
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                let err = transport_error(&e);
                self.metrics
                    .okta_call(&endpoint, "transport_error", started.elapsed());
                tracing::warn!(endpoint, error = %err, "Okta call failed");
                return Err(err);
            }
        };
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        let reset = outcome::rate_limit_reset(
            self.clock.now(),
            header("X-Rate-Limit-Reset"),
            header("Retry-After"),
        );
        let request_id = response
            .headers()
            .get("X-Okta-Request-Id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|_| {
                tracing::warn!(endpoint, status, okta_request_id = %request_id, "Okta sent a body that is not JSON");
                self.metrics.okta_call(&endpoint, "malformed", started.elapsed());
                Upstream::Malformed
            })?
        };
        if status == 429 {
            self.ceiling.observe_429(bucket, reset, &body);
        }
        let code =
            outcome::error_code(&body).unwrap_or(if status < 300 { "ok" } else { "unknown" });
        self.metrics.okta_call(&endpoint, code, started.elapsed());
        tracing::debug!(endpoint, status, error = code, okta_request_id = %request_id, elapsed_ms = started.elapsed().as_millis() as u64, "Okta call");
        Ok((status, reset, body))
    }

    fn interpret_error(kind: CallKind, status: u16, reset: Option<i64>, body: &Value) -> Outcome {
        let code = outcome::error_code(body).unwrap_or_default();
        match (status, code) {
            (429, _) => Outcome::RateLimited { reset },
            // The error code decides, whatever the status (lenient toward stand-ins).
            (_, "mfa_required") => match body["mfa_token"].as_str() {
                Some(t) if !t.is_empty() => Outcome::MfaRequired {
                    mfa_token: t.to_string(),
                },
                _ => Outcome::Upstream(Upstream::Malformed),
            },
            (_, "authorization_pending") => Outcome::Pending,
            (_, "slow_down") => Outcome::SlowDown,
            (_, "invalid_grant") => match kind {
                CallKind::Password | CallKind::PasswordlessStart => Outcome::InvalidCredentials,
                CallKind::Code => Outcome::InvalidCode,
                CallKind::Poll => Outcome::Denied,
                CallKind::Challenge | CallKind::Refresh => Outcome::Expired,
            },
            (_, "access_denied") => match kind {
                CallKind::Code | CallKind::Poll | CallKind::Refresh => Outcome::Expired,
                _ => Outcome::PolicyDenied,
            },
            (s, c) => {
                Outcome::Upstream(Upstream::Status(s, (!c.is_empty()).then(|| c.to_string())))
            }
        }
    }

    /// A `/token` call; validates the ID token of a success.
    async fn token(
        &self,
        kind: CallKind,
        mut form: Vec<(&str, String)>,
        first_call: bool,
        ctx: &CallContext,
    ) -> Outcome {
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(e) => return Outcome::Upstream(e),
        };
        form.push(("scope", self.scopes.clone()));
        if first_call && !self.grant_types_supported.is_empty() {
            form.push(("grant_types_supported", self.grant_types_supported.clone()));
        }
        let (status, reset, body) = match self.post(&endpoints.token, form, ctx).await {
            Ok(r) => r,
            Err(e) => return Outcome::Upstream(e),
        };
        if status != 200 {
            return Self::interpret_error(kind, status, reset, &body);
        }
        match self.token_set(&endpoints, body).await {
            Ok(t) => Outcome::Tokens(Box::new(t)),
            Err(e) => Outcome::Upstream(e),
        }
    }

    async fn token_set(&self, endpoints: &Endpoints, body: Value) -> Result<TokenSet, Upstream> {
        let text = |k: &str| {
            body[k]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let access = text("access_token").ok_or(Upstream::Malformed)?;
        let id_token = text("id_token").ok_or(Upstream::Malformed)?;
        let claims = idtoken::validate(
            &self.keys,
            &self.http,
            &endpoints.jwks_uri,
            &id_token,
            &idtoken::Expectations {
                issuer: &endpoints.issuer,
                client_id: &self.client_id,
                access_token: Some(&access),
                clock: &self.clock,
            },
        )
        .await?;
        Ok(TokenSet {
            access_token: Secret::new(access),
            refresh_token: text("refresh_token").map(Secret::new),
            id_token: Secret::new(id_token),
            expires_in: outcome::access_token_lifetime(&body["expires_in"]),
            scope: text("scope").unwrap_or_default(),
            claims,
        })
    }

    /// Flow A step 1: the password grant.
    pub async fn password(&self, ctx: &CallContext, username: &str, password: &str) -> Outcome {
        let form = vec![
            ("grant_type", GRANT_PASSWORD.to_string()),
            ("username", username.to_string()),
            ("password", password.to_string()),
        ];
        self.token(CallKind::Password, form, true, ctx).await
    }

    /// Flow E: a one-time passcode as the first factor.
    pub async fn primary_otp(&self, ctx: &CallContext, login_hint: &str, otp: &str) -> Outcome {
        let form = vec![
            ("grant_type", GRANT_OTP.to_string()),
            ("login_hint", login_hint.to_string()),
            ("otp", otp.to_string()),
        ];
        self.token(CallKind::Code, form, true, ctx).await
    }

    /// Flow B step 4: an OTP as the second factor.
    pub async fn mfa_otp(&self, ctx: &CallContext, mfa_token: &str, otp: &str) -> Outcome {
        let form = vec![
            ("grant_type", GRANT_MFA_OTP.to_string()),
            ("mfa_token", mfa_token.to_string()),
            ("otp", otp.to_string()),
        ];
        self.token(CallKind::Code, form, false, ctx).await
    }

    /// Redeems (`binding_code` given: SMS, voice, email) or polls (push) an OOB challenge;
    /// `mfa_token` selects the MFA grant.
    pub async fn redeem_oob(
        &self,
        ctx: &CallContext,
        mfa_token: Option<&str>,
        oob_code: &str,
        binding_code: Option<&str>,
    ) -> Outcome {
        let mut form = vec![("oob_code", oob_code.to_string())];
        match mfa_token {
            Some(m) => {
                form.push(("grant_type", GRANT_MFA_OOB.to_string()));
                form.push(("mfa_token", m.to_string()));
            }
            None => form.push(("grant_type", GRANT_OOB.to_string())),
        }
        let kind = match binding_code {
            Some(code) => {
                form.push(("binding_code", code.to_string()));
                CallKind::Code
            }
            None => CallKind::Poll,
        };
        self.token(
            kind,
            form,
            mfa_token.is_none() && binding_code.is_none(),
            ctx,
        )
        .await
    }

    /// Flows F–H step 1: start a first-factor OOB challenge.
    pub async fn primary_authenticate(
        &self,
        ctx: &CallContext,
        login_hint: &str,
        channel: &str,
    ) -> Outcome {
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(e) => return Outcome::Upstream(e),
        };
        let form = vec![
            ("login_hint", login_hint.to_string()),
            ("challenge_hint", GRANT_OOB.to_string()),
            ("channel_hint", channel.to_string()),
        ];
        self.challenge_call(
            CallKind::PasswordlessStart,
            &endpoints.primary_authenticate,
            form,
            channel,
            ctx,
        )
        .await
    }

    /// Flows B–D step 3: a second-factor challenge; `channel` `None` asks for an OTP.
    pub async fn challenge(
        &self,
        ctx: &CallContext,
        mfa_token: &str,
        channel: Option<&str>,
    ) -> Outcome {
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(e) => return Outcome::Upstream(e),
        };
        let mut form = vec![("mfa_token", mfa_token.to_string())];
        match channel {
            Some(c) => {
                form.push(("challenge_types_supported", GRANT_MFA_OOB.to_string()));
                form.push(("channel_hint", c.to_string()));
            }
            None => form.push(("challenge_types_supported", GRANT_MFA_OTP.to_string())),
        }
        self.challenge_call(
            CallKind::Challenge,
            &endpoints.challenge,
            form,
            channel.unwrap_or("otp"),
            ctx,
        )
        .await
    }

    async fn challenge_call(
        &self,
        kind: CallKind,
        url: &str,
        form: Vec<(&str, String)>,
        requested_channel: &str,
        ctx: &CallContext,
    ) -> Outcome {
        let (status, reset, body) = match self.post(url, form, ctx).await {
            Ok(r) => r,
            Err(e) => return Outcome::Upstream(e),
        };
        if status != 200 {
            return Self::interpret_error(kind, status, reset, &body);
        }
        if body["challenge_type"].as_str() == Some(GRANT_MFA_OTP) && body.get("oob_code").is_none()
        {
            return Outcome::OtpExpected;
        }
        match parse_challenge(&body, requested_channel) {
            Some(c) => Outcome::Challenge(c),
            None => Outcome::Upstream(Upstream::Malformed),
        }
    }

    /// Renews tokens with a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Outcome {
        let form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh_token.to_string()),
        ];
        self.token(CallKind::Refresh, form, false, &CallContext::default())
            .await
    }

    /// Revokes a token (`token_type_hint` `refresh_token` or `access_token`).
    pub async fn revoke(&self, token: &str, hint: &str) -> Result<(), Upstream> {
        let endpoints = self.endpoints().await?;
        let url = endpoints
            .revoke
            .clone()
            .unwrap_or_else(|| endpoints.token.replace("/token", "/revoke"));
        let form = vec![
            ("token", token.to_string()),
            ("token_type_hint", hint.to_string()),
        ];
        match self.post(&url, form, &CallContext::default()).await? {
            (200, _, _) => Ok(()),
            (status, _, body) => Err(Upstream::Status(
                status,
                outcome::error_code(&body).map(str::to_string),
            )),
        }
    }

    /// `/userinfo` with the user's access token.
    pub async fn userinfo(&self, access_token: &str) -> Result<Value, UserinfoError> {
        let endpoints = self.endpoints().await.map_err(UserinfoError::Upstream)?;
        let url = endpoints
            .userinfo
            .clone()
            .unwrap_or_else(|| endpoints.token.replace("/token", "/userinfo"));
        let started = Instant::now();
        let response = self
            .http
            .get(&url)
            .bearer_auth(access_token)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| UserinfoError::Upstream(transport_error(&e)))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| UserinfoError::Upstream(transport_error(&e)))?;
        self.metrics
            .okta_call("userinfo", &status.to_string(), started.elapsed());
        match status {
            200 => serde_json::from_slice(&bytes)
                .map_err(|_| UserinfoError::Upstream(Upstream::Malformed)),
            401 | 403 => Err(UserinfoError::Unauthorized),
            s => Err(UserinfoError::Upstream(Upstream::Status(s, None))),
        }
    }
}

fn parse_challenge(body: &Value, requested_channel: &str) -> Option<Challenge> {
    let oob_code = body["oob_code"]
        .as_str()
        .filter(|s| !s.is_empty())?
        .to_string();
    let channel = body["channel"]
        .as_str()
        .unwrap_or(requested_channel)
        .to_string();
    if !["push", "sms", "voice", "email"].contains(&channel.as_str()) {
        return None;
    }
    let binding_method = match body["binding_method"].as_str() {
        Some("none") => BindingMethod::None,
        Some("transfer") => BindingMethod::Transfer,
        Some("prompt") => BindingMethod::Prompt,
        // Lenient: infer from the channel when absent.
        None if channel == "push" => BindingMethod::None,
        None => BindingMethod::Prompt,
        Some(_) => return None,
    };
    let binding_code = match &body["binding_code"] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if binding_method == BindingMethod::Transfer && binding_code.is_none() {
        return None;
    }
    Some(Challenge {
        oob_code,
        expires_in: outcome::challenge_lifetime(&body["expires_in"]),
        interval: outcome::poll_interval(&body["interval"]),
        channel,
        binding_method,
        binding_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_interpreted_by_call_kind() {
        let grant = json!({"error": "invalid_grant"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Password, 400, None, &grant),
            Outcome::InvalidCredentials
        ));
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Code, 400, None, &grant),
            Outcome::InvalidCode
        ));
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Poll, 400, None, &grant),
            Outcome::Denied
        ));
        let denied = json!({"error": "access_denied"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Poll, 403, None, &denied),
            Outcome::Expired
        ));
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Password, 403, None, &denied),
            Outcome::PolicyDenied
        ));
        let org = json!({"errorCode": "E0000047"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Password, 429, Some(9), &org),
            Outcome::RateLimited { reset: Some(9) }
        ));
        let five = json!({"errorCode": "E0000009"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Code, 503, None, &five),
            Outcome::Upstream(Upstream::Status(503, Some(_)))
        ));
        let pending = json!({"error": "authorization_pending"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Poll, 401, None, &pending),
            Outcome::Pending
        ));
        let mfa_400 = json!({"error": "mfa_required", "mfa_token": "m"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Password, 400, None, &mfa_400),
            Outcome::MfaRequired { .. }
        ));
        let mfa = json!({"error": "mfa_required"});
        assert!(matches!(
            OktaClient::interpret_error(CallKind::Password, 403, None, &mfa),
            Outcome::Upstream(Upstream::Malformed)
        ));
    }

    #[test]
    fn challenges_are_parsed_leniently_but_safely() {
        let c = parse_challenge(&json!({"oob_code": "x", "channel": "push", "binding_method": "transfer", "binding_code": 37, "interval": 5, "extra": 1}), "push").unwrap();
        assert_eq!(c.binding_code.as_deref(), Some("37"));
        assert_eq!(c.expires_in, 300);
        assert!(parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "binding_method": "transfer"}),
            "push"
        )
        .is_none());
        assert!(parse_challenge(&json!({"oob_code": "x", "channel": "fax"}), "push").is_none());
        assert!(parse_challenge(
            &json!({"oob_code": "x", "channel": "sms", "binding_method": "magic"}),
            "sms"
        )
        .is_none());
        let sms = parse_challenge(&json!({"oob_code": "x"}), "sms").unwrap();
        assert_eq!(sms.binding_method, BindingMethod::Prompt);
        let strings = parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "expires_in": "120", "interval": "3"}),
            "push",
        )
        .unwrap();
        assert_eq!((strings.expires_in, strings.interval), (120, Some(3)));
    }

    #[test]
    fn challenge_numbers_out_of_range_are_clamped() {
        let huge = parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "expires_in": 18446744073709551615u64, "interval": "-5"}),
            "push",
        )
        .unwrap();
        assert_eq!((huge.expires_in, huge.interval), (3600, Some(1)));
        let wrapping = parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "expires_in": i64::MAX, "interval": i64::MAX}),
            "push",
        )
        .unwrap();
        assert_eq!((wrapping.expires_in, wrapping.interval), (3600, Some(60)));
        let negative = parse_challenge(
            &json!({"oob_code": "x", "channel": "sms", "expires_in": -300}),
            "sms",
        )
        .unwrap();
        assert_eq!((negative.expires_in, negative.interval), (1, None));
    }
}
