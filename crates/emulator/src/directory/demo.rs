//! The built-in demo org (product.md §2): five users with their factors, groups and
//! policies, and the demo clients.

use super::*;

impl Directory {
    /// The built-in demo org (product.md §2).
    pub fn demo() -> Result<Self, DirectoryError> {
        let phone = |n: &str| UserFile::phone(n);
        let users = vec![
            UserFile::new("alice@example.com", "Alice Anderson", 1, true)
                .password()
                .groups(&["customers"]),
            UserFile::new("bob@example.com", "Bob Brown", 2, false)
                .password()
                .totp()
                .with_phone(phone("+1 555 0100"))
                .email()
                .push(false)
                .groups(&["admins", "staff"]),
            UserFile::new("carol@example.com", "Carol Clark", 1, false)
                .totp()
                .push(true)
                .email()
                .with_phone(phone("+1 555 0101"))
                .groups(&["customers"]),
            UserFile::new("dave@example.com", "Dave Davis", 2, true)
                .password()
                .push(true)
                .groups(&["staff"]),
            UserFile {
                status: Status::Suspended,
                ..UserFile::new("erin@example.com", "Erin Evans", 1, true).password()
            },
        ];
        Self::build(OrgFile {
            users,
            clients: None,
            password_policy: None,
        })
    }
}

pub(super) fn demo_clients() -> Result<Vec<Client>, DirectoryError> {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(DEMO_JWT_CLIENT_KEY_PEM)
        .map_err(|e| DirectoryError(format!("demo-jwt key: {e}")))?;
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| DirectoryError(format!("demo-jwt key: {e}")))?;
    Ok(vec![
        Client {
            id: DEMO_CLIENT_ID.into(),
            auth: ClientAuth::Secret(DEMO_CLIENT_SECRET.into()),
        },
        Client {
            id: DEMO_PUBLIC_CLIENT_ID.into(),
            auth: ClientAuth::None,
        },
        ClientFile {
            client_id: DEMO_JWT_CLIENT_ID.into(),
            client_secret: None,
            public_key_pem: Some(public_pem),
        }
        .into_client(0)?,
    ])
}
