//! Loading as a whole: errors naming keys, the real figment, timeouts, `*_file` secrets.

use super::*;
use rocket::figment::providers::{Format, Toml};

/// The configuration from our defaults and `toml` (as one profile of `Rocket.toml`).
pub fn with(toml: &str) -> Result<Config, ConfigError> {
    let figment = Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(toml));
    Config::from_figment(&figment)
}

#[test]
fn errors_name_the_key() {
    let e = with("[okta]\nissuer = \"ftp://x\"\nclient_id = \"a\"").unwrap_err();
    assert!(e.to_string().contains("okta.issuer"), "{e}");
    let e = with("[okta]\nissuer = \"https://x.okta.com\"").unwrap_err();
    assert!(e.to_string().contains("okta.client_id"), "{e}");
    let e = with("[branding]\nprimary_color = \"blue\"").unwrap_err();
    assert!(e.to_string().contains("branding.primary_color"), "{e}");
    let e = with("[okta]\nscopes = \"profile\"").unwrap_err();
    assert!(e.to_string().contains("okta.scopes"), "{e}");
    let e = with("[session]\nidle_timeout = \"soon\"").unwrap_err();
    assert!(e.to_string().contains("session.idle_timeout"), "{e}");
}

#[test]
fn release_refuses_plain_http_and_missing_issuer() {
    let mut c = Config::default();
    assert!(c.validate(true).is_err());
    c.okta.issuer = Some("http://okta.example.com/oauth2/default".into());
    c.okta.client_id = Some("x".into());
    assert!(c.validate(true).is_err());
    assert!(c.validate(false).is_ok());
    c.okta.issuer = Some("http://127.0.0.1:8001/oauth2/default".into());
    assert!(
        c.validate(true).is_ok(),
        "one instance may run with a generated secret"
    );
    c.session.store = StoreKind::Redis;
    let e = c.validate(true).unwrap_err();
    assert!(e.to_string().contains("session.secret"), "{e}");
    c.session.secret = Some(Secret::new("0123456789abcdef0123456789abcdef"));
    assert!(c.validate(true).is_ok());
    c.protection.device_failure_budget = 6;
    let e = c.validate(true).unwrap_err();
    assert!(
        e.to_string()
            .contains("protection.anonymous_failure_budget"),
        "{e}"
    );
}

#[test]
fn the_real_figment_extracts_with_defaults() {
    // Rocket's own keys (e.g. `limits`) live in the same figment as ours.
    let config = Config::from_figment(&Config::figment()).expect("defaults are valid");
    assert_eq!(config.protection.okta_lockout_threshold, 10);
    let figment = Config::figment()
        .merge(("protection.anonymous_failure_budget", 9))
        .merge(("session.idle_timeout", 60));
    let e = Config::from_figment(&figment).unwrap_err();
    assert!(
        e.to_string()
            .contains("protection.anonymous_failure_budget"),
        "{e}"
    );
}

#[test]
fn timeouts_that_would_overflow_are_refused_naming_the_key() {
    #[track_caller]
    fn refused_naming(tweak: impl FnOnce(&mut Config), key: &str) {
        let mut c = Config::default();
        tweak(&mut c);
        let e = c.validate(false).expect_err(key);
        assert!(e.to_string().contains(key), "{key}: {e}");
    }
    // `now + timeout` (and `4 * pending_timeout`) overflowed i64.
    refused_naming(
        |c| c.session.absolute_timeout = i64::MAX,
        "session.absolute_timeout",
    );
    refused_naming(
        |c| {
            c.session.idle_timeout = i64::MAX;
            c.session.absolute_timeout = i64::MAX;
        },
        "session.idle_timeout",
    );
    refused_naming(
        |c| c.session.pending_timeout = i64::MAX / 2,
        "session.pending_timeout",
    );
    let mut c = Config::default();
    c.session.remember_absolute_timeout = MAX_SECONDS;
    c.session.remember_idle_timeout = MAX_SECONDS;
    c.validate(false).expect("the largest values are accepted");
}

/// A file in a fresh temporary directory, removed with it.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(content: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("config-{}", crate::random::token(9)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret");
        std::fs::write(&path, content).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[test]
fn secrets_come_from_files_too() {
    let session = TempFile::new("0123456789abcdef0123456789abcdef-from-file\n");
    let client = TempFile::new("client-secret-from-file\r\n");
    let c = with(&format!(
        "[okta]\nclient_secret_file = {:?}\n[session]\nsecret_file = {:?}\nstore = \"redis\"",
        client.0, session.0
    ))
    .unwrap();
    assert_eq!(
        c.session.secret.as_ref().unwrap().expose(),
        "0123456789abcdef0123456789abcdef-from-file"
    );
    assert_eq!(
        c.okta.client_secret.as_ref().unwrap().expose(),
        "client-secret-from-file"
    );
    assert_eq!(c.session.secret_file, None, "read into session.secret");
    c.validate(false).unwrap();
    // The environment variable's name maps onto the key.
    let figment = Config::figment().merge(("okta.client_secret_file", &client.0));
    let c = Config::from_figment(&figment).unwrap();
    assert_eq!(
        c.okta.client_secret.unwrap().expose(),
        "client-secret-from-file"
    );
}

#[test]
fn a_secret_and_its_file_together_are_refused_naming_both() {
    let file = TempFile::new("0123456789abcdef0123456789abcdef\n");
    let e = with(&format!(
        "[session]\nsecret = \"0123456789abcdef0123456789abcdef\"\nsecret_file = {:?}",
        file.0
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("session.secret") && e.contains("session.secret_file"),
        "{e}"
    );
    let e = with(&format!(
        "[okta]\nclient_secret = \"x\"\nclient_secret_file = {:?}",
        file.0
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("okta.client_secret") && e.contains("okta.client_secret_file"),
        "{e}"
    );
    // Set in code and never read: validation refuses both too.
    let mut c = Config::default();
    c.session.secret = Some(Secret::new("0123456789abcdef0123456789abcdef"));
    c.session.secret_file = Some(file.0.clone());
    assert!(c.validate(false).is_err());
}

#[test]
fn an_unreadable_secret_file_is_refused_naming_the_key() {
    let e = with("[session]\nsecret_file = \"/nonexistent/direct-signin/secret\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("session.secret_file"), "{e}");
    assert!(e.contains("/nonexistent/direct-signin/secret"), "{e}");
    let e = with("[okta]\nclient_secret_file = \"/nonexistent/client\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("okta.client_secret_file"), "{e}");
    let empty = TempFile::new("\n");
    let e = with(&format!("[okta]\nclient_secret_file = {:?}", empty.0))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("okta.client_secret_file") && e.contains("empty"),
        "{e}"
    );
    // A secret file still has to hold a long enough secret.
    let short = TempFile::new("short\n");
    let e = with(&format!("[session]\nsecret_file = {:?}", short.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("session.secret"), "{e}");
}
