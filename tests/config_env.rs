//! The environment variables of the README's configuration table reach their keys, the
//! old names included (outside tests rely on them). One test in its own binary: it sets
//! process-wide variables, which no other test may see.

use std::path::PathBuf;

use direct_signin::config::{AuthMethod, Config, IpNet, Method, StoreKind};

fn set(vars: &[(&str, &str)]) {
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
}

fn clear(vars: &[(&str, &str)]) {
    for (k, _) in vars {
        std::env::remove_var(k);
    }
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

#[test]
fn every_documented_variable_reaches_its_key() {
    let dir = std::env::temp_dir().join(format!(
        "config-env-{}",
        direct_signin::random::alphanumeric(10)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let client: PathBuf = dir.join("client");
    let session: PathBuf = dir.join("session");
    std::fs::write(&client, "client-secret-in-a-file\n").unwrap();
    std::fs::write(&session, "0123456789abcdef0123456789abcdef-file\n").unwrap();

    // The old names, as deployments and outside tests set them today.
    let old = [
        ("OKTA_OAUTH2_ISSUER", "http://127.0.0.1:9/oauth2/default"),
        ("OKTA_OAUTH2_CLIENT_ID", "env-client"),
        ("OKTA_OAUTH2_CLIENT_SECRET", "env-client-secret"),
        ("DIRECT_SIGNIN_OKTA__AUTH_METHOD", "client_secret_post"),
        ("DIRECT_SIGNIN_SESSION__STORE", "redis"),
        (
            "DIRECT_SIGNIN_SESSION__SECRET",
            "0123456789abcdef0123456789abcdef",
        ),
        (
            "DIRECT_SIGNIN_SESSION__REDIS_URL",
            "redis://127.0.0.1:6379/3",
        ),
        ("DIRECT_SIGNIN_SESSION__REDIS_PREFIX", "env-old:"),
        ("DIRECT_SIGNIN_SESSION__IDLE_TIMEOUT", "900"),
        (
            "DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES",
            r#"["127.0.0.1", "10.0.0.0/8"]"#,
        ),
        (
            "DIRECT_SIGNIN_NETWORK__METRICS_ALLOWED",
            r#"["192.0.2.0/24"]"#,
        ),
        ("DIRECT_SIGNIN_SIGNIN__PASSWORDLESS", r#"["push", "otp"]"#),
        ("DIRECT_SIGNIN_SIGNIN__SECOND_FACTORS", r#"["email"]"#),
        ("DIRECT_SIGNIN_SIGNIN__DEFAULT_RETURN_TO", "/home"),
        ("DIRECT_SIGNIN_PROTECTION__IP_SIGNIN_PER_MINUTE", "40"),
        ("DIRECT_SIGNIN_PROTECTION__OKTA_AUTO_UNLOCK", "1800"),
    ];
    set(&old);
    let c = Config::from_figment(&Config::figment()).expect("the old names load");
    assert_eq!(c.okta.client_id.as_deref(), Some("env-client"));
    assert_eq!(
        c.okta.client_secret.as_ref().unwrap().expose(),
        "env-client-secret"
    );
    assert_eq!(c.okta.auth_method, Some(AuthMethod::ClientSecretPost));
    assert_eq!(c.session.store, StoreKind::Redis);
    assert_eq!(c.redis.url, "redis://127.0.0.1:6379/3");
    assert_eq!(c.redis.prefix, "env-old:");
    assert_eq!(c.session.idle_timeout, 900);
    assert_eq!(
        c.network.trusted_proxies,
        nets(&["127.0.0.1/32", "10.0.0.0/8"])
    );
    assert_eq!(c.network.metrics_allowed, nets(&["192.0.2.0/24"]));
    assert_eq!(c.signin.passwordless, vec![Method::Push, Method::Otp]);
    assert_eq!(c.signin.second_factors, vec![Method::Email]);
    assert_eq!(c.signin.default_return_to, "/home");
    assert_eq!(c.protection.ip_signin_per_minute, 40);
    assert_eq!(c.protection.okta_auto_unlock, Some(1800));

    // A new name beside its old one is refused, naming both.
    set(&[("DIRECT_SIGNIN_REDIS__URL", "redis://127.0.0.1:6379/4")]);
    let e = Config::from_figment(&Config::figment())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("redis.url") && e.contains("session.redis_url"),
        "{e}"
    );
    clear(&old);

    // The new names.
    let new = [
        ("OKTA_OAUTH2_ISSUER", "http://127.0.0.1:9/oauth2/default"),
        ("OKTA_OAUTH2_CLIENT_ID", "env-client"),
        (
            "DIRECT_SIGNIN_OKTA__CLIENT_SECRET_FILE",
            client.to_str().unwrap(),
        ),
        ("DIRECT_SIGNIN_SESSION__STORE", "redis"),
        (
            "DIRECT_SIGNIN_SESSION__SECRET_FILE",
            session.to_str().unwrap(),
        ),
        ("DIRECT_SIGNIN_REDIS__URL", "redis://127.0.0.1:6379/4"),
        ("DIRECT_SIGNIN_REDIS__PREFIX", "env-new:"),
        ("DIRECT_SIGNIN_I18N__LANGUAGES", "de, en"),
        ("DIRECT_SIGNIN_I18N__FALLBACK", "de"),
        ("DIRECT_SIGNIN_I18N__DIR", dir.to_str().unwrap()),
    ];
    set(&new);
    let c = Config::from_figment(&Config::figment()).expect("the new names load");
    assert_eq!(
        c.okta.client_secret.as_ref().unwrap().expose(),
        "client-secret-in-a-file"
    );
    assert_eq!(
        c.session.secret.as_ref().unwrap().expose(),
        "0123456789abcdef0123456789abcdef-file"
    );
    assert_eq!(c.redis.url, "redis://127.0.0.1:6379/4");
    assert_eq!(c.redis.prefix, "env-new:");
    assert_eq!(c.i18n.languages, ["de", "en"]);
    assert_eq!(c.i18n.fallback, "de");
    assert_eq!(c.i18n.dir.as_deref(), Some(dir.as_path()));

    // Sentinel and Cluster, lists given as comma-separated strings.
    let modes = [
        ("DIRECT_SIGNIN_REDIS__MODE", "sentinel"),
        (
            "DIRECT_SIGNIN_REDIS__SENTINELS",
            "127.0.0.1:26379,127.0.0.1:26380",
        ),
        ("DIRECT_SIGNIN_REDIS__MASTER_NAME", "chaos"),
        (
            "DIRECT_SIGNIN_REDIS__NODES",
            "redis://127.0.0.1:7000,redis://127.0.0.1:7001",
        ),
    ];
    set(&modes);
    let c = Config::from_figment(&Config::figment()).expect("sentinel mode loads");
    assert_eq!(
        c.redis.mode,
        direct_signin::config::redis::RedisMode::Sentinel
    );
    assert_eq!(c.redis.sentinels, ["127.0.0.1:26379", "127.0.0.1:26380"]);
    assert_eq!(c.redis.master_name, "chaos");
    assert_eq!(c.redis.nodes.len(), 2);
    std::env::set_var("DIRECT_SIGNIN_REDIS__SENTINELS", "127.0.0.1:26379");
    let c = Config::from_figment(&Config::figment()).expect("one Sentinel");
    assert_eq!(c.redis.sentinels, ["127.0.0.1:26379"]);
    std::env::set_var("DIRECT_SIGNIN_REDIS__MODE", "cluster");
    let c = Config::from_figment(&Config::figment()).expect("cluster mode loads");
    assert_eq!(
        c.redis.mode,
        direct_signin::config::redis::RedisMode::Cluster
    );
    clear(&modes);

    // A secret under both names is refused, naming both.
    set(&[("OKTA_OAUTH2_CLIENT_SECRET", "also-set")]);
    let e = Config::from_figment(&Config::figment())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("okta.client_secret") && e.contains("okta.client_secret_file"),
        "{e}"
    );
    std::env::remove_var("OKTA_OAUTH2_CLIENT_SECRET");

    // Typed values are refused when read, naming the key.
    for (var, value, key) in [
        ("DIRECT_SIGNIN_SESSION__STORE", "postgres", "session.store"),
        (
            "DIRECT_SIGNIN_OKTA__AUTH_METHOD",
            "client_secret_jwt",
            "okta.auth_method",
        ),
        (
            "DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES",
            r#"["proxy.example"]"#,
            "network.trusted_proxies",
        ),
        (
            "DIRECT_SIGNIN_SIGNIN__PASSWORDLESS",
            r#"["fax"]"#,
            "signin.passwordless",
        ),
        (
            "DIRECT_SIGNIN_SIGNIN__DEFAULT_RETURN_TO",
            "https://evil.example/",
            "signin.default_return_to",
        ),
        (
            "DIRECT_SIGNIN_PROTECTION__IP_SIGNIN_PER_MINUTE",
            "1000000",
            "protection.ip_signin_per_minute",
        ),
        ("DIRECT_SIGNIN_I18N__FALLBACK", "sv", "i18n.fallback"),
    ] {
        std::env::set_var(var, value);
        let e = Config::from_figment(&Config::figment())
            .expect_err(var)
            .to_string();
        // figment spells the key as the variable does (`SESSION.STORE`).
        assert!(e.to_lowercase().contains(key), "{var}={value}: {e}");
        std::env::remove_var(var);
    }
    clear(&new);
    std::fs::remove_dir_all(&dir).unwrap();
}
