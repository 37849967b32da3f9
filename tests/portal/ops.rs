//! Operational endpoints: liveness, readiness (session store and Okta discovery) and the
//! Prometheus sign-in funnel.

use crate::common::Portal;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_needs_okta_discovery() {
    // An issuer nobody answers at: alive, but not ready.
    let p =
        Portal::with(|c| c.okta.issuer = Some("http://127.0.0.1:9/oauth2/default".into())).await;
    assert_eq!(p.get("/healthz").await.status, 200);
    let ready = p.get("/readyz").await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["okta_discovery"], false);
    assert_eq!(ready.json()["session_store"], true);
    // With the emulator behind it, discovery completes and the portal is ready.
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let ready = p.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.json()["okta_discovery"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_the_sign_in_funnel_and_okta_calls() {
    let p = Portal::start().await;
    p.sign_in_bob_with_otp().await;
    let metrics = p.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    for line in [
        "direct_signin_signin_funnel_total{step=\"started\"} 1",
        "direct_signin_signin_funnel_total{step=\"mfa_required\"} 1",
        "direct_signin_signin_funnel_total{step=\"succeeded\"} 1",
        "direct_signin_okta_requests_total{endpoint=\"token\",result=\"mfa_required\"} 1",
        "direct_signin_okta_requests_total{endpoint=\"token\",result=\"ok\"} 1",
        "direct_signin_okta_request_duration_seconds_count{endpoint=\"token\"} 2",
    ] {
        assert!(metrics.body.contains(line), "{line}\n{}", metrics.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brand_css_is_cached_by_browsers_and_pages_are_not() {
    let p = Portal::with(|c| c.branding.primary_color = "#fc0".into()).await;
    let css = p.get("/brand.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("Cache-Control"), Some("public, max-age=3600"));
    assert!(css.body.contains("--brand: #fc0;"), "{}", css.body);
    assert_eq!(
        p.get("/signin").await.header("Cache-Control"),
        Some("no-store")
    );
}
