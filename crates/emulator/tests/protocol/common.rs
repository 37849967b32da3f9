//! Test harness: one emulator per test on an ephemeral port, spoken to only over HTTP
//! (its OAuth endpoints and its `/emulator/...` control API), as an outside client would.
//! The helpers read like the protocol reference's flow sequences (§15).
//! Spawning, the control API, TOTP codes and the demo constants come from the shared
//! test kit (`crates/testkit`); this file holds the OAuth side.

use std::ops::Deref;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use okta_emulator::EmulatorOptions;
use serde_json::{json, Value};
use testkit::demo::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT_CLIENT_ID, DEMO_JWT_CLIENT_KEY_PEM,
    DEMO_PUBLIC_CLIENT_ID,
};
use testkit::{Control, TestEmulator};

pub use testkit::demo::{ALICE, BOB, CAROL, DAVE, ERIN, PASSWORD};
pub use testkit::{totp_at, Resp};

pub const SCOPE: &str = "openid profile email offline_access";

pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_OTP: &str = "urn:okta:params:oauth:grant-type:otp";
pub const GRANT_OOB: &str = "urn:okta:params:oauth:grant-type:oob";
pub const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The emulator's shipped signing key: an RSA key that is *not* the `demo-jwt` client's.
pub const OTHER_RSA_KEY_PEM: &str = testkit::demo::SIGNING_KEY_PEM;

/// Which authorization server a call goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum As {
    /// `/oauth2/default/v1/...`
    Default,
    /// `/oauth2/v1/...`
    Org,
}

/// How the client authenticates (protocol reference §2.2).
#[derive(Clone, Debug)]
pub enum Auth {
    /// `demo-portal`, `client_secret_basic`.
    Basic,
    /// `demo-portal`, `client_secret_post`.
    Post,
    /// `demo-public`, `none` (only `client_id`).
    Public,
    /// `demo-jwt`, `private_key_jwt` with a fresh assertion for the exact endpoint URL.
    Jwt,
    /// Nothing at all.
    Nothing,
    /// Any `Authorization` header value, plus extra body fields.
    Custom {
        authorization: Option<String>,
        fields: Vec<(String, String)>,
    },
}

/// An emulator of the kit, with the OAuth calls of the protocol reference on top. Derefs
/// to the kit's [`TestEmulator`] (and so to its control client).
pub struct Emu {
    pub kit: TestEmulator,
}

impl Deref for Emu {
    type Target = TestEmulator;

    fn deref(&self) -> &TestEmulator {
        &self.kit
    }
}

impl Emu {
    pub async fn start() -> Emu {
        Self::start_with(EmulatorOptions::default()).await
    }

    /// Starts an emulator on a free port; `options.port` and log level are overridden.
    pub async fn start_with(options: EmulatorOptions) -> Emu {
        Emu {
            kit: testkit::start_with(options).await,
        }
    }

    fn control(&self) -> &Control {
        &self.kit.control
    }

    pub fn issuer(&self, a: As) -> String {
        match a {
            As::Default => self.control().issuer(),
            As::Org => self.base_url().to_string(),
        }
    }

    /// Full URL of `/v1/{name}` on an authorization server.
    pub fn endpoint(&self, a: As, name: &str) -> String {
        match a {
            As::Default => format!("{}/v1/{name}", self.control().issuer()),
            As::Org => format!("{}/oauth2/v1/{name}", self.base_url()),
        }
    }

    /// POSTs a form to `url`, adding client authentication.
    pub async fn post_form(&self, url: &str, auth: &Auth, params: &[(&str, &str)]) -> Resp {
        let mut fields: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut req = self.http.post(url).header("Accept", "application/json");
        match auth {
            Auth::Basic => {
                let creds = STANDARD.encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"));
                req = req.header("Authorization", format!("Basic {creds}"));
            }
            Auth::Post => {
                fields.push(("client_id".into(), DEMO_CLIENT_ID.into()));
                fields.push(("client_secret".into(), DEMO_CLIENT_SECRET.into()));
            }
            Auth::Public => fields.push(("client_id".into(), DEMO_PUBLIC_CLIENT_ID.into())),
            Auth::Jwt => {
                let assertion = self.client_assertion(url, &unique_jti(), 300, None).await;
                fields.push(("client_id".into(), DEMO_JWT_CLIENT_ID.into()));
                fields.push(("client_assertion_type".into(), ASSERTION_TYPE.into()));
                fields.push(("client_assertion".into(), assertion));
            }
            Auth::Nothing => {}
            Auth::Custom {
                authorization,
                fields: extra,
            } => {
                if let Some(value) = authorization {
                    req = req.header("Authorization", value);
                }
                fields.extend(extra.iter().cloned());
            }
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter())
            .finish();
        self.send(
            req.header("Content-Type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    /// `POST {as}/v1/{name}` as `demo-portal` with `client_secret_basic`.
    pub async fn call(&self, name: &str, params: &[(&str, &str)]) -> Resp {
        self.post_form(&self.endpoint(As::Default, name), &Auth::Basic, params)
            .await
    }

    /// `POST /oauth2/default/v1/token` as `demo-portal`.
    pub async fn token(&self, params: &[(&str, &str)]) -> Resp {
        self.call("token", params).await
    }

    pub async fn challenge(&self, params: &[(&str, &str)]) -> Resp {
        self.call("challenge", params).await
    }

    pub async fn primary_authenticate(&self, params: &[(&str, &str)]) -> Resp {
        self.call("primary-authenticate", params).await
    }

    // ---- flow steps -------------------------------------------------------------------

    /// Flow A.1: the password grant with [`SCOPE`].
    pub async fn password(&self, username: &str, password: &str) -> Resp {
        self.token(&[
            ("grant_type", GRANT_PASSWORD),
            ("username", username),
            ("password", password),
            ("scope", SCOPE),
        ])
        .await
    }

    /// Flow B.1–B.2: bob's password, answered by `mfa_required`.
    pub async fn mfa_token(&self, username: &str) -> String {
        self.password(username, PASSWORD)
            .await
            .expect_mfa_required()
    }

    /// `POST /challenge` for an OOB channel.
    pub async fn challenge_oob(&self, mfa_token: &str, channel: &str) -> Resp {
        self.challenge(&[
            ("mfa_token", mfa_token),
            ("challenge_types_supported", GRANT_MFA_OOB),
            ("channel_hint", channel),
        ])
        .await
    }

    /// The mfa-oob grant (poll or redeem).
    pub async fn mfa_oob(
        &self,
        mfa_token: &str,
        oob_code: &str,
        binding_code: Option<&str>,
    ) -> Resp {
        let mut params = vec![
            ("grant_type", GRANT_MFA_OOB),
            ("mfa_token", mfa_token),
            ("oob_code", oob_code),
            ("scope", SCOPE),
        ];
        if let Some(code) = binding_code {
            params.push(("binding_code", code));
        }
        self.token(&params).await
    }

    /// The mfa-otp grant.
    pub async fn mfa_otp(&self, mfa_token: &str, otp: &str) -> Resp {
        self.token(&[
            ("grant_type", GRANT_MFA_OTP),
            ("mfa_token", mfa_token),
            ("otp", otp),
            ("scope", SCOPE),
        ])
        .await
    }

    /// `POST /primary-authenticate` for an OOB channel.
    pub async fn primary_oob(&self, login: &str, channel: &str) -> Resp {
        self.primary_authenticate(&[
            ("login_hint", login),
            ("challenge_hint", GRANT_OOB),
            ("channel_hint", channel),
        ])
        .await
    }

    /// The primary oob grant (poll or redeem).
    pub async fn oob_grant(&self, oob_code: &str, binding_code: Option<&str>) -> Resp {
        let mut params = vec![
            ("grant_type", GRANT_OOB),
            ("oob_code", oob_code),
            ("scope", SCOPE),
        ];
        if let Some(code) = binding_code {
            params.push(("binding_code", code));
        }
        self.token(&params).await
    }

    // ---- tokens -----------------------------------------------------------------------

    pub async fn jwks(&self, a: As) -> Value {
        let r = self.send(self.http.get(self.endpoint(a, "keys"))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    }

    /// Verifies `token`'s RS256 signature against the published JWKS, its issuer and
    /// audience; returns its claims.
    pub async fn verify(&self, token: &str, a: As, audience: &str) -> Value {
        verify_with(&self.jwks(a).await, token, &self.issuer(a), audience)
    }

    /// Signs arbitrary assertion claims with the `demo-jwt` key (or `pem`).
    pub fn sign_assertion(claims: &Value, pem: Option<&str>) -> String {
        let key = EncodingKey::from_rsa_pem(pem.unwrap_or(DEMO_JWT_CLIENT_KEY_PEM).as_bytes())
            .expect("an RSA PEM key");
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &key).unwrap()
    }

    /// A `private_key_jwt` assertion for `aud`, signed with the `demo-jwt` key (or `pem`).
    pub async fn client_assertion(
        &self,
        aud: &str,
        jti: &str,
        exp_in: i64,
        pem: Option<&str>,
    ) -> String {
        let now = self.now().await;
        let claims = json!({
            "iss": DEMO_JWT_CLIENT_ID,
            "sub": DEMO_JWT_CLIENT_ID,
            "aud": aud,
            "iat": now,
            "exp": now + exp_in,
            "jti": jti,
        });
        Self::sign_assertion(&claims, pem)
    }

    /// Full password + TOTP sign-in for bob; returns the token response.
    pub async fn bob_tokens(&self) -> Value {
        let mfa = self.mfa_token(BOB).await;
        let code = self.totp().await;
        self.mfa_otp(&mfa, &code).await.expect_tokens().clone()
    }

    /// Password sign-in for alice; returns the token response.
    pub async fn alice_tokens(&self) -> Value {
        self.password(ALICE, PASSWORD).await.expect_tokens().clone()
    }
}

pub fn unique_jti() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("jti-{nanos}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// Verifies a JWT against a JWKS document (by `kid`), issuer and audience.
#[track_caller]
pub fn verify_with(jwks: &Value, token: &str, issuer: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).expect("a JWT header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("a kid in the JWT header");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("kid {kid} is not in the JWKS"));
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("an RSA JWK");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("token does not verify: {e}"))
        .claims
}

/// The JWT's claims without verifying anything.
pub fn claims_of(token: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// `amr` of an ID token as strings.
pub fn amr(id_token: &str) -> Vec<String> {
    claims_of(id_token)["amr"]
        .as_array()
        .expect("amr is an array")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

pub use crate::common_myaccount::*;
