//! The `--users FILE` format: a JSON org (users with their factors and policy, and
//! optionally clients) read into the [`super::Directory`].

use super::*;

/// The `--users FILE` format.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrgFile {
    pub(super) users: Vec<UserFile>,
    #[serde(default)]
    pub(super) clients: Option<Vec<ClientFile>>,
    /// The org's password policy; Okta's defaults when absent.
    #[serde(default)]
    pub(super) password_policy: Option<PasswordPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UserFile {
    pub(super) login: String,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) email: Option<String>,
    #[serde(default)]
    pub(super) status: Status,
    pub(super) policy: Policy,
    /// Plain text, hashed at load.
    #[serde(default)]
    pub(super) password: Option<String>,
    /// Or an Argon2 PHC string.
    #[serde(default)]
    pub(super) password_hash: Option<String>,
    #[serde(default)]
    pub(super) totp_secret: Option<String>,
    #[serde(default)]
    pub(super) phone: Option<Phone>,
    #[serde(default)]
    pub(super) email_otp: bool,
    #[serde(default)]
    pub(super) push: Option<Push>,
    /// Okta group names, issued as the `groups` claim when the `groups` scope is asked.
    #[serde(default)]
    pub(super) groups: Vec<String>,
    /// Channels the user may recover a password with (`email`, `sms`, `voice`, `push`,
    /// `otp`); default: email, sms, voice and push.
    #[serde(default)]
    pub(super) recovery: Option<Vec<String>>,
}

impl UserFile {
    pub(super) fn new(login: &str, name: &str, factors: u8, password_required: bool) -> Self {
        UserFile {
            login: login.into(),
            name: Some(name.into()),
            email: None,
            status: Status::Active,
            policy: Policy {
                factors,
                password_required,
            },
            password: None,
            password_hash: None,
            totp_secret: None,
            phone: None,
            email_otp: false,
            push: None,
            groups: Vec::new(),
            recovery: None,
        }
    }

    pub(super) fn groups(mut self, groups: &[&str]) -> Self {
        self.groups = groups.iter().map(|g| g.to_string()).collect();
        self
    }
    pub(super) fn phone(number: &str) -> Phone {
        Phone {
            number: number.into(),
            sms: true,
            voice: true,
        }
    }
    pub(super) fn password(mut self) -> Self {
        self.password = Some(DEMO_PASSWORD.into());
        self
    }
    pub(super) fn totp(mut self) -> Self {
        self.totp_secret = Some(DEMO_TOTP_SECRET.into());
        self
    }
    pub(super) fn with_phone(mut self, phone: Phone) -> Self {
        self.phone = Some(phone);
        self
    }
    pub(super) fn email(mut self) -> Self {
        self.email_otp = true;
        self
    }
    pub(super) fn push(mut self, number_challenge: bool) -> Self {
        self.push = Some(Push { number_challenge });
        self
    }

    pub(super) fn into_user(self, index: usize) -> Result<User, DirectoryError> {
        let err = |m: String| DirectoryError(format!("users[{index}] ({}): {m}", self.login));
        if !(1..=2).contains(&self.policy.factors) {
            return Err(err("policy.factors must be 1 or 2".into()));
        }
        let password_hash = match (&self.password, &self.password_hash) {
            (Some(_), Some(_)) => {
                return Err(err("give password or password_hash, not both".into()))
            }
            (Some(p), None) => Some(hash_password(p)?),
            (None, Some(h)) => {
                PasswordHash::new(h).map_err(|e| err(format!("password_hash: {e}")))?;
                Some(h.clone())
            }
            (None, None) => None,
        };
        if self.policy.password_required && password_hash.is_none() {
            return Err(err(
                "policy requires a password but the user has none".into()
            ));
        }
        let totp_secret = match &self.totp_secret {
            Some(s) => Some(
                totp_rs::Secret::Encoded(s.clone())
                    .to_bytes()
                    .map_err(|e| err(format!("totp_secret is not base32: {e:?}")))?,
            ),
            None => None,
        };
        let recovery = match &self.recovery {
            None => vec![Factor::Email, Factor::Sms, Factor::Voice, Factor::Push],
            Some(list) => list
                .iter()
                .map(|c| match c.as_str() {
                    "otp" => Ok(Factor::Totp),
                    other => Factor::from_channel(other)
                        .ok_or_else(|| err(format!("recovery: unknown channel {other:?}"))),
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let id = format!("00u{}", &hex_digest(&self.login.to_lowercase())[..17]);
        Ok(User {
            id,
            email: self.email.clone().unwrap_or_else(|| self.login.clone()),
            name: self.name.clone().unwrap_or_else(|| self.login.clone()),
            login: self.login,
            status: self.status,
            policy: self.policy,
            password_hash,
            totp_secret,
            phone: self.phone,
            email_otp: self.email_otp,
            push: self.push,
            groups: self.groups,
            recovery,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientFile {
    pub(super) client_id: String,
    #[serde(default)]
    pub(super) client_secret: Option<String>,
    /// SPKI PEM of the key the client signs `private_key_jwt` assertions with.
    #[serde(default)]
    pub(super) public_key_pem: Option<String>,
}

impl ClientFile {
    pub(super) fn into_client(self, index: usize) -> Result<Client, DirectoryError> {
        let auth = match (self.client_secret, self.public_key_pem) {
            (Some(_), Some(_)) => {
                return Err(DirectoryError(format!(
                    "clients[{index}]: give client_secret or public_key_pem, not both"
                )))
            }
            (Some(secret), None) => ClientAuth::Secret(secret),
            (None, Some(pem)) => {
                rsa::RsaPublicKey::from_public_key_pem(&pem).map_err(|e| {
                    DirectoryError(format!("clients[{index}]: public_key_pem: {e}"))
                })?;
                let key = DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| {
                    DirectoryError(format!("clients[{index}]: public_key_pem: {e}"))
                })?;
                ClientAuth::PrivateKeyJwt(vec![key])
            }
            (None, None) => ClientAuth::None,
        };
        Ok(Client {
            id: self.client_id,
            auth,
        })
    }
}

pub(super) fn hex_digest(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
