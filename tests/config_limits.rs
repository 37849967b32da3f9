//! The configuration's numeric bounds against the portal they configure: with every
//! protection key at its smallest or largest accepted value the portal builds and its
//! limiters, failure counts and Okta ceiling answer without a panic; values just past a
//! bound (those that made governor panic at start: "a positive period") are refused by
//! `Config::validate`, naming the key, before anything is built.

use std::net::IpAddr;
use std::sync::Arc;

use direct_signin::clock::Clock;
use direct_signin::config::{Config, ProtectionConfig};
use direct_signin::okta::{Bucket, Ceiling, Priority};
use direct_signin::portal::abuse::limiter::{KeyedLimiter, MemoryLimiter};
use direct_signin::portal::abuse::{Action, Delivery};
use direct_signin::portal::{build, Parts, Portal};

fn config(protection: ProtectionConfig) -> Config {
    let mut c = Config::default();
    // Never called: building the client does not reach Okta.
    c.okta.issuer = Some("http://127.0.0.1:9/oauth2/default".into());
    c.okta.client_id = Some("limits".into());
    c.protection = protection;
    c
}

/// Builds the portal from `config` and drives every limiter and counter once or twice.
async fn build_and_exercise(config: Config) {
    config.validate(false).expect("accepted");
    let rocket = build(Config::figment(), config, Parts::default()).expect("builds");
    let portal = rocket.state::<Arc<Portal>>().expect("the portal state");
    let protection = &portal.protection;
    let ip: IpAddr = "192.0.2.7".parse().unwrap();
    for _ in 0..3 {
        for action in [Action::SignIn, Action::Code, Action::Resend, Action::Poll] {
            let _ = protection.check_ip(ip, action).await;
        }
        let _ = protection
            .check_username("pat@example.com", false, ip)
            .await;
        let _ = protection.check_username("pat@example.com", true, ip).await;
        for kind in [
            Delivery::Push,
            Delivery::FirstFactorPhone,
            Delivery::Message,
        ] {
            let _ = protection.check_delivery("pat@example.com", kind, ip).await;
        }
        let _ = protection.check_free_start(ip).await;
        if let Ok(admission) = protection
            .admit_password("pat@example.com", false, ip)
            .await
        {
            admission.end().await;
        }
        protection
            .password_failed("pat@example.com", false, ip)
            .await
            .unwrap();
        protection
            .password_failed("pat@example.com", true, ip)
            .await
            .unwrap();
        if let Ok(admission) = protection.admit_code("pat@example.com", ip).await {
            admission.end().await;
        }
        protection.code_failed("pat@example.com").await.unwrap();
    }
    protection.prune();
    let _ = protection.tracked_keys();
}

#[rocket::async_test]
async fn the_portal_builds_and_runs_with_the_largest_accepted_values() {
    build_and_exercise(config(ProtectionConfig::largest())).await;
}

#[rocket::async_test]
async fn the_portal_builds_and_runs_with_the_smallest_accepted_values() {
    build_and_exercise(config(ProtectionConfig::smallest())).await;
}

#[test]
fn the_limiters_and_the_ceiling_start_with_the_largest_accepted_values() {
    let c = config(ProtectionConfig::largest());
    c.validate(false).unwrap();
    let clock = Clock::new();
    let l = MemoryLimiter::per_minute(&clock, c.protection.ip_signin_per_minute, 3);
    assert!(l.check("k").is_ok());
    let ceiling = Ceiling::new(
        c.protection.okta_calls_per_second,
        c.protection.okta_untrusted_share,
        c.protection.okta_max_concurrent,
        clock,
    );
    assert!(ceiling.admit(Bucket::Token, Priority::Untrusted).is_ok());
}

/// Values that panicked in governor, or wrapped, are refused before anything is built.
#[test]
fn values_that_panicked_at_start_are_refused_by_validate() {
    for (key, tweak) in [
        (
            "protection.ip_signin_per_minute",
            (|p| p.ip_signin_per_minute = 1_000_000) as fn(&mut ProtectionConfig),
        ),
        ("protection.ip_poll_per_minute", |p| {
            p.ip_poll_per_minute = 60_001
        }),
        ("protection.username_per_second", |p| {
            p.username_per_second = 1001.0
        }),
        ("protection.username_per_second", |p| {
            p.username_per_second = 0.0
        }),
        ("protection.okta_calls_per_second", |p| {
            p.okta_calls_per_second = u32::MAX
        }),
        ("protection.free_starts_per_second", |p| {
            p.free_starts_per_second = 0
        }),
        ("protection.deliveries_outstanding", |p| {
            p.deliveries_outstanding = u32::MAX
        }),
    ] {
        let mut protection = ProtectionConfig::default();
        tweak(&mut protection);
        let c = config(protection);
        let e = c.validate(false).expect_err(key).to_string();
        assert!(e.contains(key), "{key}: {e}");
        // And the figment path refuses it too, naming the key.
        let e = Config::from_figment(
            &Config::figment()
                .merge(("okta.issuer", "http://127.0.0.1:9/oauth2/default"))
                .merge(("okta.client_id", "limits"))
                .merge(("protection", &c.protection)),
        )
        .expect_err(key)
        .to_string();
        assert!(e.contains(key), "{key}: {e}");
    }
}
