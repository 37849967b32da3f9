//! The emulated authorization server's signing keys: RS256, RSA-2048, `kid` = RFC 7638
//! thumbprint (stable for a given key). The seed key ships in `keys/` so start-up never
//! waits for key generation; rotation generates a fresh key on a blocking thread.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SEED_KEY_PEM: &str = include_str!("../keys/emulator-signing.pem");

pub struct SigningKey {
    pub kid: String,
    n: String,
    e: String,
    encoding: EncodingKey,
    pub decoding: DecodingKey,
}

impl SigningKey {
    fn from_private(key: &RsaPrivateKey) -> Result<Self, String> {
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // RFC 7638: members in lexicographic order, no white space.
        let thumbprint_input = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
        let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
        let pem = key
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
        drop(der);
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| e.to_string())?;
        Ok(SigningKey {
            kid,
            n,
            e,
            encoding,
            decoding,
        })
    }

    fn jwk(&self) -> Value {
        json!({"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e})
    }
}

/// Published keys; the last one signs.
pub struct Keyring {
    keys: Vec<Arc<SigningKey>>,
}

impl Keyring {
    pub fn seed() -> Self {
        let key = RsaPrivateKey::from_pkcs8_pem(SEED_KEY_PEM).expect("shipped seed key parses");
        Keyring {
            keys: vec![Arc::new(
                SigningKey::from_private(&key).expect("shipped seed key converts"),
            )],
        }
    }

    /// Generates a new RSA-2048 key (CPU-heavy: call from a blocking thread).
    pub fn generate() -> Result<SigningKey, String> {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| e.to_string())?;
        SigningKey::from_private(&key)
    }

    /// Publishes `key` and signs with it from now on; the old keys stay published
    /// (the oldest is dropped beyond three, as Okta publishes two or three).
    pub fn rotate_to(&mut self, key: SigningKey) {
        self.keys.push(Arc::new(key));
        if self.keys.len() > 3 {
            self.keys.remove(0);
        }
    }

    pub fn active(&self) -> Arc<SigningKey> {
        self.keys.last().expect("a keyring is never empty").clone()
    }

    pub fn find(&self, kid: &str) -> Option<Arc<SigningKey>> {
        self.keys.iter().find(|k| k.kid == kid).cloned()
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": self.keys.iter().rev().map(|k| k.jwk()).collect::<Vec<_>>()})
    }
}

/// Signs `claims` as an RS256 JWT with the active key.
pub fn sign(key: &SigningKey, claims: &impl Serialize) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).expect("RS256 signing cannot fail")
}

/// `at_hash`: left half of SHA-256 of the access token, base64url (OIDC core §3.1.3.6).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_kid_is_stable_and_tokens_verify() {
        let a = Keyring::seed();
        let b = Keyring::seed();
        assert_eq!(a.active().kid, b.active().kid);
        let token = sign(&a.active(), &json!({"sub": "x", "exp": 4_000_000_000u64}));
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(a.active().kid.as_str()));
        let validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        jsonwebtoken::decode::<Value>(&token, &a.active().decoding, &validation).unwrap();
    }
}
