//! The Okta client: the only code in the portal that speaks HTTP to Okta.
//!
//! It discovers the authorization server, derives `/challenge` and
//! `/primary-authenticate` from `token_endpoint` (as Okta's own clients do), authenticates
//! as the configured client (`none`, `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt` with a fresh assertion per call), sends the same `scope` on every
//! token call of a flow, forwards the end user's `User-Agent` and `Accept-Language` (and
//! `X-Forwarded-For` only when configured), and turns every answer (both of Okta's error
//! body shapes, any JSON charset, unknown fields ignored) into a typed [`Answer`].
//! One shared `reqwest::Client` with connect and total timeouts and redirects off.
//! No token, code or password is ever logged.
//!
//! The parts, one file each:
//! - `client_auth`: how the portal authenticates to Okta (`private_key_jwt` assertions);
//! - `discovery`: the discovery document, the endpoints derived from it, readiness;
//! - `transport`: sending one request (the local ceiling, forwarded headers, metrics,
//!   error mapping);
//! - `grants`: the calls of the sign-in flows, token renewal and revocation;
//! - `answer`: reading Okta's answer bodies into an [`Answer`];
//! - `userinfo`: `/userinfo`, typed and checked against the session's subject;
//! - `myaccount`: the MyAccount API (password, phones, authenticators) and its step-up
//!   challenge;
//! - `outcome` and `numbers`: the result types, and Okta's numbers bounded;
//! - `idtoken` and `ceiling`: ID-token validation and the local ceiling toward Okta.

mod answer;
mod ceiling;
mod client_auth;
pub mod crypto;
mod discovery;
mod grants;
pub mod idtoken;
pub mod myaccount;
mod numbers;
mod outcome;
mod transport;
mod userinfo;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;

pub use ceiling::{Bucket, Ceiling, FleetRate, Priority};
pub use client_auth::ClientAuth;
pub use discovery::Endpoints;
pub use grants::RevokeError;
pub use myaccount::{AccountError, PasswordRules, StepUpChallenge};
pub use outcome::{Answer, BindingMethod, Challenge, IdClaims, TokenSet, Upstream};
pub(crate) use transport::transport_error;
pub use userinfo::{UserInfo, UserinfoError};

use crate::clock::Clock;
use crate::config::OktaConfig;
use crate::metrics::Metrics;

/// `grant_type` of the password grant (flow A).
pub const GRANT_PASSWORD: &str = "password";
/// `grant_type` of a one-time passcode as the first factor (flow E).
pub const GRANT_OTP: &str = "urn:okta:params:oauth:grant-type:otp";
/// `grant_type` of a first-factor out-of-band challenge (flows F–H).
pub const GRANT_OOB: &str = "urn:okta:params:oauth:grant-type:oob";
/// `grant_type` of an OTP as the second factor (flow B).
pub const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// `grant_type` of an out-of-band second factor (flows C, D).
pub const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";

/// The end user's request context forwarded to Okta (protocol reference §2.5).
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    /// Forwarded as `User-Agent`.
    pub user_agent: Option<String>,
    /// Forwarded as `Accept-Language`.
    pub accept_language: Option<String>,
    /// Sent as `X-Forwarded-For` only when the portal is configured to.
    pub client_ip: Option<IpAddr>,
    /// Untrusted first-factor attempts get only a share of the capacity toward Okta.
    pub priority: Priority,
    /// Sent as `acr_values` (the same on every call of a flow, as Okta requires).
    pub acr_values: Option<String>,
    /// A password recovery: `intent=recovery` and the recovery scope instead of the
    /// configured ones; a success is a recovery token, not a sign-in.
    pub recovery: bool,
}

/// The portal's client of one Okta authorization server.
pub struct OktaClient {
    http: reqwest::Client,
    issuer: String,
    client_id: String,
    auth: ClientAuth,
    scopes: String,
    groups_claim: String,
    grant_types_supported: String,
    forward_client_ip: bool,
    endpoints: RwLock<Option<Arc<Endpoints>>>,
    keys: idtoken::KeyCache,
    clock: Clock,
    metrics: Arc<Metrics>,
    ceiling: Ceiling,
    timeout_ms: u64,
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
        let auth = ClientAuth::from_config(config)?;
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
            groups_claim: config.groups_claim.clone(),
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

    /// The configured issuer, without a trailing slash.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The configured client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}
