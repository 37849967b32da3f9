//! The signed identity assertion (`X-Signin-Assertion`): a short-lived ES256 JWT an
//! upstream app can verify against the portal's `/.well-known/jwks.json` instead of
//! trusting a header. The key is an operator's P-256 key (PKCS#8 PEM, shared by every
//! instance) or, when none is configured, one generated at start (then each instance has
//! its own, and a restart changes it).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The longest an assertion lives.
pub const MAX_LIFETIME: i64 = 60;

/// Who the assertion says the user is.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Claims<'a> {
    /// The portal's issuer (its public URL).
    pub iss: &'a str,
    /// The app's host, from the original URL.
    pub aud: &'a str,
    /// The user's Okta ID.
    pub sub: &'a str,
    /// The user's email address, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// The user's groups.
    pub groups: &'a [String],
    /// How the user authenticated (`pwd`, `otp` …).
    pub amr: &'a [String],
    /// When the user authenticated (epoch seconds).
    pub auth_time: i64,
    /// When the assertion was issued (epoch seconds).
    pub iat: i64,
    /// When the assertion expires (epoch seconds, at most `MAX_LIFETIME` after `iat`).
    pub exp: i64,
}

/// Signs assertions and publishes the public key.
pub struct Signer {
    key: EncodingKey,
    kid: String,
    jwk: Value,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("kid", &self.kid).finish()
    }
}

impl Signer {
    /// From a PKCS#8 PEM P-256 private key.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let key = SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| format!("not a PKCS#8 P-256 private key: {e}"))?;
        Self::from_key(&key)
    }

    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, String> {
        Self::from_key(&SigningKey::random(&mut rand::rngs::OsRng))
    }

    fn from_key(key: &SigningKey) -> Result<Self, String> {
        let point = key.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("the public key has no affine coordinates".into());
        };
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        // RFC 7638: the thumbprint of the required members in lexicographic order.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| format!("could not encode the key: {e}"))?;
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| format!("could not load the key: {e}"))?;
        Ok(Signer {
            key: encoding,
            jwk: json!({
                "kty": "EC", "crv": "P-256", "x": x, "y": y,
                "use": "sig", "alg": "ES256", "kid": kid,
            }),
            kid,
        })
    }

    /// The key set to publish at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({"keys": [self.jwk]})
    }

    /// The `kid` of the signing key (as published in the JWKS).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A signed assertion; `exp` is capped at [`MAX_LIFETIME`] after `iat`.
    pub fn sign(&self, claims: &Claims<'_>) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        let capped = Claims {
            exp: claims.exp.min(claims.iat + MAX_LIFETIME),
            ..*claims
        };
        jsonwebtoken::encode(&header, &capped, &self.key).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    fn claims<'a>(groups: &'a [String], amr: &'a [String]) -> Claims<'a> {
        Claims {
            iss: "https://signin.example.com",
            aud: "app.example.com",
            sub: "00u1",
            email: Some("bob@example.com"),
            groups,
            amr,
            auth_time: 1_000,
            iat: 2_000,
            exp: 9_999,
        }
    }

    #[test]
    fn an_assertion_verifies_against_the_published_key_and_lives_a_minute_at_most() {
        let signer = Signer::generate().unwrap();
        let groups = vec!["admins".to_string()];
        let amr = vec!["pwd".to_string(), "otp".to_string()];
        let token = signer.sign(&claims(&groups, &amr)).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(signer.jwks()["keys"][0].clone()).unwrap();
        let key = DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&["app.example.com"]);
        validation.set_issuer(&["https://signin.example.com"]);
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
        assert_eq!(data.header.kid.as_deref(), Some(signer.kid()));
        assert_eq!(data.claims["sub"], "00u1");
        assert_eq!(data.claims["groups"], json!(["admins"]));
        assert_eq!(data.claims["exp"], 2_000 + MAX_LIFETIME);
        // Another key does not verify it.
        let other = Signer::generate().unwrap();
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(other.jwks()["keys"][0].clone()).unwrap();
        let wrong = DecodingKey::from_jwk(&jwk).unwrap();
        assert!(jsonwebtoken::decode::<Value>(&token, &wrong, &validation).is_err());
    }

    #[test]
    fn a_configured_key_keeps_its_kid_across_instances() {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let one = Signer::from_pem(&pem).unwrap();
        let two = Signer::from_pem(&pem).unwrap();
        assert_eq!(one.kid(), two.kid());
        assert!(Signer::from_pem("not a key").is_err());
    }
}
