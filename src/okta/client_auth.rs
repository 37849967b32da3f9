//! How the portal authenticates to Okta as its client: `none`, `client_secret_basic`,
//! `client_secret_post`, or `private_key_jwt` with a fresh signed assertion per call
//! (audience: the URL of the endpoint called, protocol reference §2.2).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::{OktaClient, Upstream};
use crate::config::{AuthMethod, OktaConfig, Secret};
use crate::random;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long a client assertion is valid, in seconds.
const ASSERTION_LIFETIME: i64 = 600;

/// How the portal authenticates to Okta.
pub enum ClientAuth {
    /// A public client: only `client_id` in the form.
    None,
    /// `client_secret_basic`: the secret in an `Authorization: Basic` header.
    Basic(Secret),
    /// `client_secret_post`: the secret in the form.
    Post(Secret),
    /// `private_key_jwt`: an RS256 assertion signed with this key, `kid` in its header.
    PrivateKeyJwt {
        /// The RSA private key that signs the assertion.
        key: EncodingKey,
        /// The `kid` header to set; `None`: no `kid`.
        kid: Option<String>,
    },
}

impl ClientAuth {
    /// The method configured in `okta.auth_method`, or inferred from which credential is
    /// set (a private key file: `private_key_jwt`; a secret: `client_secret_basic`).
    pub fn from_config(config: &OktaConfig) -> Result<Self, String> {
        Ok(
            match (
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
                    return Err(
                        "okta.auth_method private_key_jwt needs okta.private_key_file".into(),
                    )
                }
                (Some(AuthMethod::ClientSecretPost), Some(s), _) => ClientAuth::Post(s.clone()),
                (Some(AuthMethod::ClientSecretBasic) | None, Some(s), _) => {
                    ClientAuth::Basic(s.clone())
                }
                (Some(m), None, _) => {
                    return Err(format!("okta.auth_method {m} needs okta.client_secret"))
                }
                (None, None, None) => ClientAuth::None,
            },
        )
    }
}

impl OktaClient {
    /// Adds the client's credentials to a form POST to `url`.
    pub(super) fn authenticate(
        &self,
        mut request: reqwest::RequestBuilder,
        form: &mut Vec<(&str, String)>,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, Upstream> {
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
        Ok(request)
    }

    /// A fresh `private_key_jwt` assertion for `audience`.
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
            "exp": now + ASSERTION_LIFETIME,
            "jti": random::token(16),
        });
        jsonwebtoken::encode(&header, &claims, key).map_err(|_| Upstream::Malformed)
    }
}
