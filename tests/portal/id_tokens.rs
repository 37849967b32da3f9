//! ID-token validation (`direct_signin::okta::idtoken::validate`) against tokens crafted
//! here and signed with the emulator's seed key, whose JWKS a spawned emulator serves; and
//! key rotation through a full sign-in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use direct_signin::clock::Clock;
use direct_signin::okta::idtoken::{
    validate, Expectations, KeyCache, CLOCK_SKEW, REFETCH_MIN_INTERVAL,
};
use direct_signin::okta::{IdClaims, Upstream};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use testkit::demo::{DEMO_CLIENT_ID, DEMO_JWT_CLIENT_KEY_PEM, SIGNING_KEY_PEM};
use testkit::TestEmulator;

use crate::common::Portal;

const SEED_KEY: &[u8] = SIGNING_KEY_PEM.as_bytes();
/// A key the emulator does not publish.
const OTHER_KEY: &[u8] = DEMO_JWT_CLIENT_KEY_PEM.as_bytes();

struct Keys {
    emu: TestEmulator,
    issuer: String,
    jwks_uri: String,
    kid: String,
    jwks: Value,
    http: reqwest::Client,
    cache: KeyCache,
    clock: Clock,
}

impl Keys {
    async fn start() -> Keys {
        let emu = testkit::start().await;
        let issuer = emu.issuer();
        let jwks_uri = format!("{issuer}/v1/keys");
        let http = reqwest::Client::new();
        let jwks = emu.get_json("/oauth2/default/v1/keys").await;
        let kid = jwks["keys"][0]["kid"].as_str().expect("a kid").to_string();
        let clock = emu.clock();
        let cache = KeyCache::new(clock.clone());
        Keys {
            emu,
            issuer,
            jwks_uri,
            kid,
            jwks,
            http,
            cache,
            clock,
        }
    }

    fn claims(&self) -> Value {
        let now = self.clock.now();
        json!({
            "iss": self.issuer,
            "aud": DEMO_CLIENT_ID,
            "sub": "00u-test-user",
            "name": "Test User",
            "amr": ["pwd"],
            "iat": now,
            "exp": now + 3600,
        })
    }

    fn sign(&self, claims: &Value) -> String {
        sign_with(SEED_KEY, Some(&self.kid), claims)
    }

    async fn check(&self, token: &str, access_token: Option<&str>) -> Result<IdClaims, Upstream> {
        let expect = Expectations {
            issuer: &self.issuer,
            client_id: DEMO_CLIENT_ID,
            access_token,
            clock: &self.clock,
            groups_claim: "groups",
        };
        validate(&self.cache, &self.http, &self.jwks_uri, token, &expect).await
    }
}

fn sign_with(pem: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

#[track_caller]
fn assert_invalid(result: Result<IdClaims, Upstream>, why: &str) {
    match result {
        Err(Upstream::InvalidIdToken(reason)) => assert_eq!(reason, why),
        other => panic!("expected an invalid ID token ({why}), got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_formed_token_is_accepted() {
    let k = Keys::start().await;
    assert_eq!(k.jwks["keys"][0]["alg"], "RS256");
    let claims = k.check(&k.sign(&k.claims()), None).await.expect("valid");
    assert_eq!(claims.sub, "00u-test-user");
    assert_eq!(claims.amr, vec!["pwd".to_string()]);
    // at_hash binds the access token.
    let access = "an-access-token";
    let digest = Sha256::digest(access.as_bytes());
    let mut c = k.claims();
    c["at_hash"] = json!(URL_SAFE_NO_PAD.encode(&digest[..16]));
    let token = k.sign(&c);
    k.check(&token, Some(access))
        .await
        .expect("matching at_hash");
    assert_invalid(
        k.check(&token, Some("another-access-token")).await,
        "at_hash mismatch",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_come_from_the_configured_claim_as_a_list_or_one_string() {
    let k = Keys::start().await;
    let mut c = k.claims();
    c["groups"] = json!(["admins", "staff", 7]);
    let claims = k.check(&k.sign(&c), None).await.expect("valid");
    assert_eq!(
        claims.groups,
        vec!["admins".to_string(), "staff".to_string()]
    );
    c["groups"] = json!("admins");
    assert_eq!(
        k.check(&k.sign(&c), None).await.unwrap().groups,
        vec!["admins"]
    );
    c["groups"] = json!({"not": "a list"});
    assert!(k.check(&k.sign(&c), None).await.unwrap().groups.is_empty());
    // Another claim name: only that one counts.
    let mut other = k.claims();
    other["okta_groups"] = json!(["staff"]);
    other["groups"] = json!(["admins"]);
    let expect = Expectations {
        issuer: &k.issuer,
        client_id: DEMO_CLIENT_ID,
        access_token: None,
        clock: &k.clock,
        groups_claim: "okta_groups",
    };
    let claims = validate(&k.cache, &k.http, &k.jwks_uri, &k.sign(&other), &expect)
        .await
        .unwrap();
    assert_eq!(claims.groups, vec!["staff"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_issuer_is_refused() {
    let k = Keys::start().await;
    for iss in [
        format!("{}/oauth2/other", k.emu.base_url()),
        k.emu.base_url().to_string(),
        "https://evil.example".into(),
    ] {
        let mut c = k.claims();
        c["iss"] = json!(iss);
        assert_invalid(k.check(&k.sign(&c), None).await, "wrong iss");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_audience_is_refused() {
    let k = Keys::start().await;
    for aud in [
        json!("demo-public"),
        json!(["someone-else"]),
        json!("api://default"),
    ] {
        let mut c = k.claims();
        c["aud"] = aud;
        assert_invalid(k.check(&k.sign(&c), None).await, "wrong aud");
    }
    let mut c = k.claims();
    c.as_object_mut().unwrap().remove("aud");
    assert!(matches!(
        k.check(&k.sign(&c), None).await,
        Err(Upstream::InvalidIdToken(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_is_checked_with_a_small_skew() {
    let k = Keys::start().await;
    let now = k.clock.now();
    let mut c = k.claims();
    c["iat"] = json!(now - 7200);
    c["exp"] = json!(now - CLOCK_SKEW - 5);
    assert_invalid(k.check(&k.sign(&c), None).await, "expired");
    // Within the skew: accepted.
    c["exp"] = json!(now - CLOCK_SKEW / 2);
    k.check(&k.sign(&c), None)
        .await
        .expect("within the allowed skew");
    // Issued in the future beyond the skew.
    let mut c = k.claims();
    c["iat"] = json!(now + CLOCK_SKEW + 60);
    assert_invalid(k.check(&k.sign(&c), None).await, "iat in the future");
    // A valid token expires when the (shared) clock moves past exp + skew.
    let token = k.sign(&k.claims());
    k.check(&token, None).await.expect("fresh");
    k.clock.advance_secs(3600 + CLOCK_SKEW + 1);
    assert_invalid(k.check(&token, None).await, "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alg_none_is_refused() {
    let k = Keys::start().await;
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": k.kid});
        let token = format!("{}.{}.", b64(&header), b64(&k.claims()));
        assert!(
            matches!(
                k.check(&token, None).await,
                Err(Upstream::InvalidIdToken(_))
            ),
            "{alg}"
        );
        // A signature copied from a valid token does not help.
        let valid = k.sign(&k.claims());
        let signature = valid.rsplit('.').next().unwrap();
        let token = format!("{}.{}.{signature}", b64(&header), b64(&k.claims()));
        assert!(
            matches!(
                k.check(&token, None).await,
                Err(Upstream::InvalidIdToken(_))
            ),
            "{alg}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hs256_is_refused() {
    let k = Keys::start().await;
    // The classic confusion attack: HMAC keyed with the public key's material.
    let public_n = k.jwks["keys"][0]["n"].as_str().unwrap().to_string();
    for secret in [
        public_n.as_bytes().to_vec(),
        SEED_KEY.to_vec(),
        b"secret".to_vec(),
    ] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(k.kid.clone());
        let token =
            jsonwebtoken::encode(&header, &k.claims(), &EncodingKey::from_secret(&secret)).unwrap();
        assert_invalid(k.check(&token, None).await, "alg is not RS256");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_missing_kid_and_foreign_signature_are_refused() {
    let k = Keys::start().await;
    k.check(&k.sign(&k.claims()), None)
        .await
        .expect("warms the key cache");
    assert_invalid(
        k.check(
            &sign_with(OTHER_KEY, Some("not-published"), &k.claims()),
            None,
        )
        .await,
        "unknown kid",
    );
    assert_invalid(
        k.check(&sign_with(SEED_KEY, None, &k.claims()), None).await,
        "no kid",
    );
    // Signed by another key under the published kid.
    assert_invalid(
        k.check(&sign_with(OTHER_KEY, Some(&k.kid), &k.claims()), None)
            .await,
        "bad signature",
    );
    // A tampered payload.
    let token = k.sign(&k.claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut c = k.claims();
    c["sub"] = json!("00u-someone-else");
    let forged = format!("{}.{}.{}", parts[0], b64(&c), parts[2]);
    assert_invalid(k.check(&forged, None).await, "bad signature");
    assert_invalid(k.check("not-a-jwt", None).await, "not a JWT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_refetches_the_jwks_at_most_once_per_window() {
    let k = Keys::start().await;
    k.check(&k.sign(&k.claims()), None)
        .await
        .expect("cold cache: fetched");
    // The next JWKS fetch fails, so we can see whether one happens.
    k.emu.fault("keys", "status", json!({"status": 500})).await;
    // Within the window, unknown kids cause no fetch (no refetch storm).
    for i in 0..5 {
        let token = sign_with(OTHER_KEY, Some(&format!("forged-{i}")), &k.claims());
        assert_invalid(k.check(&token, None).await, "unknown kid");
    }
    k.check(&k.sign(&k.claims()), None)
        .await
        .expect("the cached key still works");
    // Once the window has passed on the clock, an unknown kid refetches (and hits the fault).
    k.clock
        .advance_secs(REFETCH_MIN_INTERVAL.as_secs() as i64 + 1);
    let token = sign_with(OTHER_KEY, Some("forged-late"), &k.claims());
    assert!(matches!(
        k.check(&token, None).await,
        Err(Upstream::Status(500, _))
    ));
    k.clock
        .advance_secs(REFETCH_MIN_INTERVAL.as_secs() as i64 + 1);
    assert_invalid(k.check(&token, None).await, "unknown kid");
    k.check(&k.sign(&k.claims()), None)
        .await
        .expect("the refetched JWKS still has the seed key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_then_a_full_sign_in() {
    let p = Portal::start().await;
    // The portal has the seed key from discovery.
    p.sign_in_alice().await;
    let before = p.emu_get("/oauth2/default/v1/keys").await;
    let rotated = p.emu.rotate_keys().await.json;
    let new_kid = rotated["kid"].as_str().expect("the new kid").to_string();
    let after = p.emu_get("/oauth2/default/v1/keys").await;
    assert_eq!(
        after["keys"].as_array().unwrap().len(),
        before["keys"].as_array().unwrap().len() + 1
    );
    // Sign in again: the ID token names a kid the portal has not seen.
    let q = p.browser().await;
    q.sign_in_alice().await;
    assert_eq!(q.get("/account").await.status, 200);
    let s = q.signed_in().await.unwrap();
    assert!(s.amr.contains(&"pwd".to_string()));
    // And the portal that was already running (its cache holds only the seed key): it
    // refetches the JWKS for the unknown kid once its anti-storm window has passed.
    p.advance(REFETCH_MIN_INTERVAL.as_secs() as i64 + 1).await;
    p.get("/account").await;
    p.post("/signout", &[])
        .await
        .assert_redirect("/signin?notice=signed_out");
    p.sign_in_alice().await;
    assert!(p.signed_in().await.is_some());
    assert_eq!(p.get("/account").await.status, 200);
    let jwks = p.emu_get("/oauth2/default/v1/keys").await;
    assert!(jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|key| key["kid"] == new_kid.as_str()));
}
