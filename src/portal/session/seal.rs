//! Okta tokens encrypted at rest. A signed-in record reaches the store with its bearer
//! tokens and personal data sealed into one versioned string, so a dump of the store (a
//! Redis `SAVE`, a replica, a backup) holds no usable access or refresh token.
//!
//! What is sealed: in a signed-in record `access_token`, `refresh_token`, `userinfo` and the
//! ID-token claims `name`, `email` and `preferred_username`, a pending account action and
//! the sign-in methods read from MyAccount (phone numbers);
//! in a pre-sign-in record the flow (Okta's `mfa_token` and `oob_code`, a recovery token,
//! the username, `return_to`), the username kept for the form, a pending account
//! action and an approval waiting to become a session (Okta's tokens, whole). What stays
//! readable: the Okta user id (the per-user index needs it), `amr`, `auth_time`, the
//! timestamps, `remember`, the browser summary and IP shown in the list of sessions, the
//! username's keyed digest, and a pending record's notice and restart page.
//!
//! The cipher is XChaCha20-Poly1305 with a random 192-bit nonce per write. Its key is
//! derived with HKDF-SHA256 from `session.secret` under its own purpose string, so it is
//! never the key that signs CSRF tokens and digests usernames; the store never holds it.
//! The associated data is the store key, the user id and the fields that decide what the
//! session may do and how long it lives: a sealed value copied to another session's key, or
//! into a record that names another user, claims other `amr` or an earlier creation time,
//! does not open. Someone who can write to the store but lacks `session.secret` can
//! therefore neither forge a signed-in session nor stretch one.
//!
//! Stored form: `ds1.` then base64url(nonce ‖ ciphertext), in the `access_token` field
//! (a pending record: its `sealed` field); the other sealed fields are empty. A record
//! without it was written by a version that stored tokens in plaintext: it reads as absent
//! (the visitor signs in again), and [`super::Sessions::load`] deletes it when it meets it.
//! A sealed record that does not open (another `session.secret`, a copy under another key,
//! an altered field) also reads as absent, but is left for its TTL: it may belong to an
//! instance configured with another secret, and deleting it would sign that user out there.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use super::record::{Approval, PreAuth, Record, SignedIn};
use super::store::SessionKey;
use crate::config::Secret;
use crate::portal::account::pending::Pending;
use crate::portal::signin::machine::Flow;

/// The version prefix of a sealed value.
const V1: &str = "ds1.";
/// HKDF `info`: this key is for nothing else.
const PURPOSE: &[u8] = b"direct-signin session record sealing v1";
const NONCE_LEN: usize = 24;

/// What a sealed value holds.
#[derive(Serialize, Deserialize)]
struct Vault {
    access_token: String,
    refresh_token: Option<String>,
    userinfo: Option<Value>,
    name: Option<String>,
    email: Option<String>,
    preferred_username: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    pending: Option<Pending>,
    #[serde(default)]
    methods: Option<Value>,
}

/// What a sealed pre-sign-in record holds.
#[derive(Serialize, Deserialize)]
struct PendingVault {
    flow: Option<Flow>,
    username: Option<String>,
    #[serde(default)]
    pending: Option<Pending>,
    #[serde(default)]
    approved: Option<Box<Approval>>,
}

/// Seals and opens signed-in records with a key derived from `session.secret`.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// A sealer whose key is derived (HKDF-SHA256) from `secret`.
    pub fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(None, secret)
            .expand(PURPOSE, &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Sealer {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// What the seal binds besides its own content: the store key, and the fields that
    /// decide what the session may do and how long it lives. They stay readable, but a
    /// record whose user, `amr`, `auth_time`, creation time or "remember" flag was altered
    /// in the store does not open. (`last_seen` is not bound: only the idle timeout reads
    /// it, and the absolute timeout, from the bound creation time, still ends the session.)
    fn aad(key: &SessionKey, s: &SignedIn) -> Vec<u8> {
        let bound = serde_json::json!([
            key.0,
            s.user_id,
            s.user_digest,
            s.amr,
            s.auth_time,
            s.created_at,
            s.remember,
        ]);
        let mut aad = V1.as_bytes().to_vec();
        aad.extend_from_slice(bound.to_string().as_bytes());
        aad
    }

    fn seal_bytes(&self, aad: &[u8], plain: &[u8]) -> Result<String, SealError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| SealError)?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{V1}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    fn open_bytes(&self, aad: &[u8], value: &str) -> Result<Vec<u8>, SealError> {
        let encoded = value.strip_prefix(V1).ok_or(SealError)?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| SealError)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| SealError)
    }

    fn pending_aad(key: &SessionKey, p: &PreAuth) -> Vec<u8> {
        let bound = serde_json::json!(["pending", key.0, p.created_at]);
        let mut aad = V1.as_bytes().to_vec();
        aad.extend_from_slice(bound.to_string().as_bytes());
        aad
    }

    /// The form of a pre-sign-in record to store under `key`: its flow (with Okta's
    /// `mfa_token` and `oob_code`) and username sealed. One with neither is stored as is.
    pub fn seal_pending(&self, key: &SessionKey, pre: &PreAuth) -> Result<PreAuth, SealError> {
        if !holds_secrets(pre) {
            return Ok(PreAuth {
                sealed: None,
                ..pre.clone()
            });
        }
        let vault = PendingVault {
            flow: pre.flow.clone(),
            username: pre.username.clone(),
            pending: pre.pending.clone(),
            approved: pre.approved.clone(),
        };
        let plain = serde_json::to_vec(&vault).map_err(|_| SealError)?;
        Ok(PreAuth {
            flow: None,
            username: None,
            pending: None,
            approved: None,
            sealed: Some(self.seal_bytes(&Self::pending_aad(key, pre), &plain)?),
            ..pre.clone()
        })
    }

    /// A stored pre-sign-in record, opened; an error when it holds a flow or username in
    /// plaintext (written before sealing) or a seal that does not open under `key`.
    pub fn open_pending(&self, key: &SessionKey, stored: &PreAuth) -> Result<PreAuth, SealError> {
        let Some(sealed) = &stored.sealed else {
            if !holds_secrets(stored) {
                return Ok(stored.clone());
            }
            return Err(SealError);
        };
        let plain = self.open_bytes(&Self::pending_aad(key, stored), sealed)?;
        let vault: PendingVault = serde_json::from_slice(&plain).map_err(|_| SealError)?;
        Ok(PreAuth {
            flow: vault.flow,
            username: vault.username,
            pending: vault.pending,
            approved: vault.approved,
            sealed: None,
            ..stored.clone()
        })
    }

    /// The form of `session` to store under `key`: its secrets sealed.
    pub fn seal(&self, key: &SessionKey, session: &SignedIn) -> Result<SignedIn, SealError> {
        let vault = Vault {
            access_token: session.access_token.expose().to_string(),
            refresh_token: session
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_string()),
            userinfo: session.userinfo.clone(),
            name: session.name.clone(),
            email: session.email.clone(),
            preferred_username: session.preferred_username.clone(),
            groups: session.groups.clone(),
            pending: session.pending.clone(),
            methods: session.methods.clone(),
        };
        let plain = serde_json::to_vec(&vault).map_err(|_| SealError)?;
        let sealed = self.seal_bytes(&Self::aad(key, session), &plain)?;
        let mut stored = session.clone();
        stored.access_token = Secret::new(sealed);
        stored.refresh_token = None;
        stored.userinfo = None;
        stored.name = None;
        stored.email = None;
        stored.preferred_username = None;
        stored.groups = Vec::new();
        stored.pending = None;
        stored.methods = None;
        Ok(stored)
    }

    /// The session stored under `key`, its secrets opened; an error when the value is not
    /// sealed (a record from before sealing), was sealed for another key or user, or was
    /// altered.
    pub fn open(&self, key: &SessionKey, stored: &SignedIn) -> Result<SignedIn, SealError> {
        let plain = self.open_bytes(&Self::aad(key, stored), stored.access_token.expose())?;
        let vault: Vault = serde_json::from_slice(&plain).map_err(|_| SealError)?;
        let mut session = stored.clone();
        session.access_token = Secret::new(vault.access_token);
        session.refresh_token = vault.refresh_token.map(Secret::new);
        session.userinfo = vault.userinfo;
        session.name = vault.name;
        session.email = vault.email;
        session.preferred_username = vault.preferred_username;
        session.groups = vault.groups;
        session.pending = vault.pending;
        session.methods = vault.methods;
        Ok(session)
    }
}

/// Whether a stored record holds in plaintext what this version seals (it was written by
/// a version from before sealing).
pub fn is_plaintext(stored: &Record) -> bool {
    match stored {
        Record::SignedIn(s) => !s.access_token.expose().starts_with(V1),
        Record::PreAuth(p) => {
            p.sealed.is_none() && (p.flow.is_some() || p.username.is_some() || p.approved.is_some())
        }
    }
}

/// Whether a pre-sign-in record holds anything that is sealed at rest.
fn holds_secrets(pre: &PreAuth) -> bool {
    pre.flow.is_some() || pre.username.is_some() || pre.pending.is_some() || pre.approved.is_some()
}

/// A record that cannot be sealed or opened; it says nothing more, on purpose.
#[derive(Debug, thiserror::Error)]
#[error("the session record is not sealed for this key")]
pub struct SealError;

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SignedIn {
        SignedIn {
            user_id: "00u1".into(),
            user_digest: "d".into(),
            name: Some("Alice Example".into()),
            email: Some("alice@example.com".into()),
            preferred_username: Some("alice@example.com".into()),
            amr: vec!["pwd".into()],
            groups: vec!["staff".into()],
            email_verified: Some(true),
            auth_time: 1,
            access_token: Secret::new("access-token-value"),
            refresh_token: Some(Secret::new("refresh-token-value")),
            access_expires_at: 2,
            userinfo: Some(serde_json::json!({"sub": "00u1"})),
            created_at: 1,
            last_seen: 1,
            remember: false,
            device: None,
            ip: None,
            pending: None,
            methods: None,
        }
    }

    fn key(k: &str) -> SessionKey {
        SessionKey(k.into())
    }

    #[test]
    fn sealed_records_hold_no_token_and_open_back() {
        let sealer = Sealer::new(b"secret");
        let stored = sealer.seal(&key("k1"), &session()).unwrap();
        let json = serde_json::to_string(&stored).unwrap();
        for secret in [
            "access-token-value",
            "refresh-token-value",
            "alice@example.com",
            "Alice Example",
        ] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(stored.access_token.expose().starts_with("ds1."));
        let opened = sealer.open(&key("k1"), &stored).unwrap();
        assert_eq!(opened.access_token.expose(), "access-token-value");
        assert_eq!(
            opened.refresh_token.unwrap().expose(),
            "refresh-token-value"
        );
        assert_eq!(opened.email.as_deref(), Some("alice@example.com"));
        assert_eq!(opened.userinfo, session().userinfo);
    }

    #[test]
    fn a_sealed_value_opens_only_under_its_key_user_and_secret() {
        let sealer = Sealer::new(b"secret");
        let stored = sealer.seal(&key("k1"), &session()).unwrap();
        assert!(sealer.open(&key("k2"), &stored).is_err(), "another key");
        let mut other_user = stored.clone();
        other_user.user_id = "00u2".into();
        assert!(
            sealer.open(&key("k1"), &other_user).is_err(),
            "another user"
        );
        assert!(
            Sealer::new(b"other").open(&key("k1"), &stored).is_err(),
            "another secret"
        );
        let mut altered = stored.clone();
        let mut value = altered.access_token.expose().to_string();
        value.pop();
        value.push(if stored.access_token.expose().ends_with('A') {
            'B'
        } else {
            'A'
        });
        altered.access_token = Secret::new(value);
        assert!(sealer.open(&key("k1"), &altered).is_err(), "altered");
    }

    #[test]
    fn a_plaintext_record_from_before_sealing_does_not_open() {
        let sealer = Sealer::new(b"secret");
        assert!(sealer.open(&key("k1"), &session()).is_err());
        assert!(is_plaintext(&Record::SignedIn(std::sync::Arc::new(
            session()
        ))));
        let sealed = sealer.seal(&key("k1"), &session()).unwrap();
        assert!(!is_plaintext(&Record::SignedIn(std::sync::Arc::new(
            sealed
        ))));
    }

    #[test]
    fn a_pending_flow_is_sealed_and_bound_to_its_key() {
        let sealer = Sealer::new(b"secret");
        let pre = PreAuth {
            username: Some("carol@example.com".into()),
            created_at: 5,
            last_seen: 5,
            ..PreAuth::default()
        };
        let stored = sealer.seal_pending(&key("k1"), &pre).unwrap();
        let json = serde_json::to_string(&stored).unwrap();
        assert!(!json.contains("carol"), "{json}");
        let opened = sealer.open_pending(&key("k1"), &stored).unwrap();
        assert_eq!(opened.username, pre.username);
        assert!(opened.sealed.is_none());
        assert!(sealer.open_pending(&key("k2"), &stored).is_err());
        assert!(sealer.open_pending(&key("k1"), &pre).is_err(), "plaintext");
        let empty = PreAuth::default();
        assert!(
            sealer.open_pending(&key("k1"), &empty).is_ok(),
            "nothing to seal"
        );
    }

    #[test]
    fn each_write_uses_a_fresh_nonce() {
        let sealer = Sealer::new(b"secret");
        let a = sealer.seal(&key("k1"), &session()).unwrap();
        let b = sealer.seal(&key("k1"), &session()).unwrap();
        assert_ne!(a.access_token.expose(), b.access_token.expose());
    }
}
