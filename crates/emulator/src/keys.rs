//! The emulated authorization server's signing keys: RS256, RSA-2048, `kid` = RFC 7638
//! thumbprint (stable for a given key). The seed key ships in `keys/` so start-up never
//! waits for key generation; rotation takes a key generated ahead of time on a blocking
//! thread ([`Spare`]: the command-line emulator makes one at start, every rotation the
//! next), so `POST /emulator/keys/rotate` answers at once even in a debug build (where a
//! 2048-bit key takes a few hundred milliseconds with the bignum crates optimized, and
//! seconds without).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

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

/// A key generated ahead of time for the next rotation.
#[derive(Clone, Default)]
pub struct Spare {
    key: Arc<Mutex<Option<SigningKey>>>,
    making: Arc<AtomicBool>,
}

impl Spare {
    /// Starts making a key on a blocking thread, unless one is there or being made (or no
    /// Tokio runtime runs here).
    pub fn fill(&self) {
        if self.key.lock().is_some() || self.making.swap(true, Ordering::SeqCst) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.making.store(false, Ordering::SeqCst);
            return;
        };
        let spare = self.clone();
        runtime.spawn_blocking(move || {
            if let Ok(key) = Keyring::generate() {
                *spare.key.lock() = Some(key);
            }
            spare.making.store(false, Ordering::SeqCst);
        });
    }

    /// The key made ahead of time, if it is ready.
    pub fn take(&self) -> Option<SigningKey> {
        self.key.lock().take()
    }

    /// The `kid` of the key made ahead of time, if it is ready.
    #[cfg(test)]
    pub fn kid(&self) -> Option<String> {
        self.key.lock().as_ref().map(|k| k.kid.clone())
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

    /// Polls `ready` every 10 ms for at most 30 s (key generation in a debug build).
    async fn until(mut ready: impl FnMut() -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !ready() {
            assert!(std::time::Instant::now() < deadline, "never ready");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rotation_takes_the_key_made_ahead_and_makes_the_next() {
        let emu = crate::Emulator::new(crate::Directory::demo().unwrap(), 1200, true);
        let seed = emu.keys.read().active().kid.clone();
        emu.prepare_key();
        until(|| emu.spare_key.kid().is_some()).await;
        let ahead = emu.spare_key.kid().unwrap();
        assert_ne!(ahead, seed);
        // The answer is the key made ahead: nothing was generated while the call waited.
        let kid = emu.rotate_keys().await.unwrap();
        assert_eq!(kid, ahead);
        assert_eq!(emu.keys.read().active().kid, kid, "it signs from now on");
        let published = emu.keys.read().jwks().to_string();
        assert!(
            published.contains(&kid) && published.contains(&seed),
            "{published}"
        );
        // The next rotation's key is on its way; with none ready, a rotation makes its own.
        until(|| emu.spare_key.kid().is_some()).await;
        let next = emu.spare_key.kid().unwrap();
        assert_ne!(next, kid);
        assert_eq!(emu.rotate_keys().await.unwrap(), next);
        emu.spare_key.take();
        until(|| !emu.spare_key.making.load(Ordering::SeqCst)).await;
        emu.spare_key.take();
        let own = emu.rotate_keys().await.unwrap();
        assert!(![seed, ahead, next].contains(&own));
    }
}
