//! `/auth` as a reverse proxy asks it (nginx `auth_request`, Caddy `forward_auth`):
//! who is signed in, the rules of a location, identity headers, the signed assertion and
//! its key set, and where a browser is sent to sign in.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rocket::http::Header;
use serde_json::Value;

use crate::common::*;

/// A portal behind a proxy at 127.0.0.1, asking Okta for groups.
async fn gateway() -> Portal {
    Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.okta.scopes = "openid profile email offline_access groups".into();
        c.gateway.allowed_hosts = vec!["app.example.com".into()];
    })
    .await
}

/// `/auth` as nginx asks it for `https://app.example.com/reports?y=1`, from a browser.
async fn ask(p: &Portal, query: &str, accept: &str) -> Page {
    let r = p
        .client
        .get(format!("/auth{query}"))
        .header(Header::new(
            "X-Original-URL",
            "https://app.example.com/reports?y=1",
        ))
        .header(Header::new("Accept", accept.to_string()))
        .dispatch()
        .await;
    p.page(r).await
}

const HTML: &str = "text/html,application/xhtml+xml";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_browsers_are_sent_to_sign_in_and_api_clients_are_not() {
    let p = gateway().await;
    let page = ask(&p, "", HTML).await;
    assert_eq!(page.status, 401);
    // No gateway.public_url: the sign-in page on the visitor's own host.
    assert_eq!(
        page.header("Location"),
        Some("/signin?return_to=https%3A%2F%2Fapp.example.com%2Freports%3Fy%3D1")
    );
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
    assert!(page.body.is_empty());
    let api = ask(&p, "", "application/json").await;
    assert_eq!(api.status, 401);
    assert!(api.header("Location").is_none());
    // Caddy and Traefik pass the answer back: they ask for a redirect instead.
    let caddy = ask(&p, "?redirect=1", HTML).await;
    assert_eq!(caddy.status, 302);
    assert!(caddy
        .header("Location")
        .unwrap()
        .starts_with("/signin?return_to="));
    // Every method a proxy forwards is answered.
    let r = p
        .client
        .post("/auth")
        .header(Header::new("Accept", HTML))
        .dispatch()
        .await;
    assert_eq!(r.status().code, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_subdomain_gets_the_whole_url_back() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.gateway.public_url = Some("https://signin.example.com".into());
        c.gateway.allowed_hosts = vec![".example.com".into()];
    })
    .await;
    assert_eq!(
        ask(&p, "", HTML).await.header("Location"),
        Some("https://signin.example.com/signin?return_to=https%3A%2F%2Fapp.example.com%2Freports%3Fy%3D1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_urls_from_an_untrusted_peer_are_ignored() {
    let p = Portal::start().await;
    let page = ask(&p, "", HTML).await;
    assert_eq!(page.status, 401);
    assert_eq!(page.header("Location"), Some("/signin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_user_gets_identity_headers_and_a_verifiable_assertion() {
    let p = gateway().await;
    p.sign_in_alice().await;
    let page = ask(&p, "", HTML).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.is_empty());
    // An answer for the proxy, not a document: no CSP, framing or server headers.
    for document_header in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Permissions-Policy",
        "Server",
    ] {
        assert!(page.header(document_header).is_none(), "{document_header}");
    }
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
    assert_eq!(
        page.header("X-Auth-Request-User"),
        Some("alice@example.com")
    );
    assert_eq!(
        page.header("X-Auth-Request-Email"),
        Some("alice@example.com")
    );
    assert_eq!(page.header("X-Auth-Request-Groups"), Some("customers"));
    assert_eq!(page.header("Remote-User"), Some("alice@example.com"));
    assert_eq!(page.header("Remote-Name"), Some("Alice Anderson"));
    assert_eq!(page.header("Remote-Groups"), Some("customers"));
    // Okta's tokens stay in the portal.
    assert!(page.header("X-Auth-Request-Access-Token").is_none());
    let token = page.header("X-Signin-Assertion").expect("an assertion");
    let jwks = p.get("/.well-known/jwks.json").await.json();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwks["keys"][0].clone()).unwrap();
    let mut v = Validation::new(Algorithm::ES256);
    v.set_audience(&["app.example.com"]);
    v.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(&jwk).unwrap(), &v)
        .expect("the assertion verifies against the published key")
        .claims;
    assert!(claims["sub"].as_str().unwrap().starts_with("00u"));
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["groups"], serde_json::json!(["customers"]));
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!(lifetime > 0 && lifetime <= 60, "{lifetime}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_refuse_who_does_not_match_and_malformed_rules_are_a_400() {
    let p = gateway().await;
    p.sign_in_alice().await;
    assert_eq!(
        ask(&p, "?allowed_groups=customers,staff", HTML)
            .await
            .status,
        200
    );
    let refused = ask(&p, "?allowed_groups=admins", HTML).await;
    assert_eq!(refused.status, 403);
    // The 403 is a page Caddy and Traefik show: it keeps the document headers.
    assert!(refused
        .header("Content-Security-Policy")
        .is_some_and(|csp| csp.contains("frame-ancestors 'none'")));
    assert_eq!(refused.header("X-Frame-Options"), Some("DENY"));
    assert_eq!(
        ask(&p, "?allowed_email_domains=example.com", HTML)
            .await
            .status,
        200
    );
    assert_eq!(
        ask(&p, "?allowed_emails=bob@example.com", HTML)
            .await
            .status,
        403
    );
    // A password-only session is not a two-factor one: a step-up sign-in.
    let step_up = ask(&p, "?mfa=1", HTML).await;
    assert_eq!(step_up.status, 401);
    assert!(step_up
        .header("Location")
        .unwrap()
        .ends_with("&step_up=mfa"));
    assert_eq!(ask(&p, "?max_age=soon", HTML).await.status, 400);
    let bob = gateway().await;
    bob.sign_in_bob_with_otp().await;
    let page = ask(&bob, "?allowed_groups=admins&mfa=1", HTML).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("X-Auth-Request-Groups"), Some("admins,staff"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_lands_back_on_an_allowed_absolute_url_only() {
    let p = gateway().await;
    p.get("/signin?return_to=https%3A%2F%2Fapp.example.com%2Freports")
        .await;
    p.post(
        "/signin",
        &[
            ("username", "alice@example.com"),
            ("password", PASSWORD),
            ("return_to", "https://app.example.com/reports"),
        ],
    )
    .await
    .assert_redirect("https://app.example.com/reports");
    let other = gateway().await;
    other.get("/signin").await;
    other
        .post(
            "/signin",
            &[
                ("username", "alice@example.com"),
                ("password", PASSWORD),
                ("return_to", "https://evil.example.org/"),
            ],
        )
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absolute_return_to_on_the_host_the_form_was_sent_to_is_accepted() {
    for (host, lands) in [
        ("app.internal:8443", "https://app.internal:8443/reports"),
        ("other.internal:8443", "/account"),
    ] {
        let p = Portal::start().await;
        p.get("/signin").await;
        let fields = [
            ("username", "alice@example.com"),
            ("password", PASSWORD),
            ("return_to", "https://app.internal:8443/reports"),
        ];
        p.post_with("/signin", &fields, vec![Header::new("Host", host)])
            .await
            .assert_redirect(lands);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_honours_an_allowed_return_to_only() {
    for (return_to, lands) in [
        (
            "https://app.example.com/goodbye",
            "https://app.example.com/goodbye",
        ),
        ("https://evil.example.org/", "/signin?notice=signed_out"),
        ("/", "/"),
    ] {
        let p = gateway().await;
        p.sign_in_alice().await;
        p.get("/account").await;
        p.post("/signout", &[("return_to", return_to)])
            .await
            .assert_redirect(lands);
        assert_eq!(
            ask(&p, "", HTML).await.status,
            401,
            "{return_to}: signed out"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_ends_access_through_the_gateway() {
    let p = gateway().await;
    p.sign_in_alice().await;
    assert_eq!(ask(&p, "", HTML).await.status, 200);
    p.get("/account").await;
    p.post("/signout", &[]).await;
    assert_eq!(ask(&p, "", HTML).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_domain_shares_the_session_as_a_secure_cookie() {
    let p = Portal::with(|c| c.session.cookie_domain = Some("example.com".into())).await;
    let page = p.get("/signin").await;
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Secure-sid="))
        .expect("the shared session cookie")
        .to_string();
    for part in [
        "Domain=example.com",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(page
        .set_cookies()
        .iter()
        .all(|c| !c.starts_with("__Host-sid=")));
    // The portal reads it back: a sign-in works with it.
    p.sign_in_alice().await;
    assert_eq!(p.get("/account").await.status, 200);
    let mut bad = p.config.session.clone();
    bad.cookie_domain = Some("not a domain".into());
    let e = bad.validate().unwrap_err().to_string();
    assert!(e.contains("session.cookie_domain"), "{e}");
}

/// Follows `/auth`'s Location to the step-up form: the username fixed and read-only.
async fn step_up_form(p: &Portal, location: &str, user: &str) -> Page {
    let page = p.get(location).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.input_value("username").as_deref(), Some(user));
    assert!(
        page.body.contains("readonly"),
        "the username cannot be changed"
    );
    assert!(page.text().contains("confirm it's you"), "{}", page.text());
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_sign_in_steps_up_to_a_fresh_one_for_the_same_user() {
    let p = gateway().await;
    p.sign_in_alice().await;
    assert_eq!(ask(&p, "?max_age=600", HTML).await.status, 200);
    p.advance(601).await;
    let page = ask(&p, "?max_age=600", HTML).await;
    assert_eq!(page.status, 401);
    let location = page.header("Location").unwrap().to_string();
    assert!(location.ends_with("&step_up=fresh"), "{location}");
    step_up_form(&p, &location, "alice@example.com").await;
    // The username is the session's, whatever the form says.
    p.post(
        "/signin",
        &[
            ("username", "bob@example.com"),
            ("password", PASSWORD),
            ("return_to", "https://app.example.com/reports?y=1"),
            ("step_up", "fresh"),
        ],
    )
    .await
    .assert_redirect("https://app.example.com/reports?y=1");
    let page = ask(&p, "?max_age=600", HTML).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("X-Auth-Request-User"),
        Some("alice@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_factor_sign_in_steps_up_to_two_factors_asked_of_okta() {
    let p = gateway().await;
    // carol signs in with her authenticator code alone (her policy wants one factor).
    p.passwordless_start("carol@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let page = ask(&p, "?mfa=1", HTML).await;
    assert_eq!(page.status, 401);
    let location = page.header("Location").unwrap().to_string();
    assert!(location.ends_with("&step_up=mfa"), "{location}");
    step_up_form(&p, &location, "carol@example.com").await;
    // The step-up asks Okta for two factors: after the code, a second factor.
    p.advance(30).await;
    p.post(
        "/signin/passwordless",
        &[
            ("username", "carol@example.com"),
            ("method", "otp"),
            ("return_to", "https://app.example.com/reports?y=1"),
            ("step_up", "mfa"),
        ],
    )
    .await
    .assert_redirect("/signin/verify");
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "email")])
        .await
        .assert_redirect("/signin/verify");
    let code = p.outbox_code("carol@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("https://app.example.com/reports?y=1");
    let page = ask(&p, "?mfa=1", HTML).await;
    assert_eq!(page.status, 200, "two factors now");
    assert_eq!(
        page.header("X-Auth-Request-User"),
        Some("carol@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_up_okta_cannot_give_is_refused_not_looped() {
    // alice has no second factor: Okta refuses two, and the page says so.
    let p = gateway().await;
    p.sign_in_alice().await;
    let location = ask(&p, "?mfa=1", HTML)
        .await
        .header("Location")
        .unwrap()
        .to_string();
    step_up_form(&p, &location, "alice@example.com").await;
    let page = p
        .post(
            "/signin",
            &[
                ("username", "alice@example.com"),
                ("password", PASSWORD),
                ("step_up", "mfa"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
}
