//! The portal inside a host Rocket app (issue 10, item 4): the example app of
//! `examples/rocket_app` (its own builder, reused here), the portal under `/sso`, driven
//! with Rocket's tracked local client against the test kit's emulator.
//!
//! Covered: an anonymous browser is sent to `/sso/signin?return_to=…` (an API client gets
//! a bare 401); the sign-in forms, links and assets under `/sso` carry the prefix, and the
//! flow's redirects stay under it; after sign-in the host page shows the user's name and
//! groups; the `admins` page refuses alice and serves bob (after his second factor); a
//! two-factor policy steps a one-factor session up; sign-out under `/sso` ends access to
//! the host's pages; the host's own templates render through its own `Template` fairing;
//! the portal's CSP is on its pages and never on the host's; the stage fails the launch,
//! without a panic, when attached twice or given a bad base.

#[path = "../../examples/rocket_app/app.rs"]
#[allow(dead_code)]
mod app;
mod harness;

use direct_signin::config::Config;
use direct_signin::embed::DirectSignin;
use rocket::http::Header;
use rocket::local::asynchronous::Client;
use testkit::demo::{ALICE, BOB, PASSWORD};

use harness::{figment, Host, Page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_signs_in_through_sso_sees_the_host_page_and_signs_out() {
    let h = Host::start().await;

    // The host's public page renders with its own templates, without the portal's CSP.
    let home = h.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("id=\"app-main\""), "{}", home.body);
    assert!(home.body.contains("You are not signed in"));
    assert_eq!(
        home.csp, None,
        "the portal's CSP is not on the host's pages"
    );

    // Anonymous: sent to the sign-in under /sso, with the page asked for.
    h.get("/dashboard")
        .await
        .assert_redirect("/sso/signin?return_to=%2Fdashboard");

    // The sign-in page: the portal's, under /sso, every URL with the prefix.
    let form = h.get("/sso/signin?return_to=%2Fdashboard").await;
    assert_eq!(form.status, 200);
    assert!(form
        .csp
        .as_deref()
        .unwrap_or_default()
        .contains("default-src 'none'"));
    for url in [
        "action=\"/sso/signin\"",
        "formaction=\"/sso/signin/passwordless\"",
        "href=\"/sso/static/app.css\"",
        "href=\"/sso/brand.css\"",
        "href=\"/sso/static/favicon.svg\"",
        "name=\"return_to\" value=\"/dashboard\"",
    ] {
        assert!(form.body.contains(url), "{url} in {}", form.body);
    }
    for unprefixed in ["\"/signin", "\"/static/", "\"/brand.css", "\"/account"] {
        assert!(
            !form.body.contains(unprefixed),
            "{unprefixed} in {}",
            form.body
        );
    }
    assert_eq!(h.get("/sso/static/app.css").await.status, 200);
    assert_eq!(h.get("/sso/brand.css").await.status, 200);

    // Signed in: back on the host page, with alice's name and groups.
    let signed_in = h.sign_in(ALICE, "%2Fdashboard").await;
    signed_in.assert_redirect("/dashboard");
    let cookie = signed_in
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-sid="))
        .expect("a new session cookie");
    assert!(
        cookie.contains("; Path=/") && cookie.contains("; Secure"),
        "{cookie}"
    );
    let dashboard = h.get("/dashboard").await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.body);
    assert!(dashboard
        .body
        .contains("<span id=\"user-name\">Alice Anderson</span>"));
    assert!(dashboard
        .body
        .contains("<span id=\"user-groups\">customers</span>"));
    assert!(dashboard.body.contains("Email: alice@example.com"));
    assert!(!dashboard.body.contains("(two factors)"));
    assert_eq!(dashboard.csp, None);
    assert!(h
        .get("/")
        .await
        .body
        .contains("Signed in as Alice Anderson."));

    // The admins page refuses her, with the portal's page (not a sign-in loop).
    let admin = h.get("/admin").await;
    assert_eq!(admin.status, 403);
    assert!(
        admin.body.contains("You don't have access to this page"),
        "{}",
        admin.body
    );
    assert_eq!(admin.csp, None);

    // Sign-out from the host page's form, under /sso: back to the host's home...
    h.post("/sso/signout", &dashboard, &[("return_to", "/")])
        .await
        .assert_redirect("/");
    // ...and the host page is closed again.
    h.get("/dashboard")
        .await
        .assert_redirect("/sso/signin?return_to=%2Fdashboard");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_reaches_the_admins_page_through_his_second_factor_under_sso() {
    let h = Host::start().await;
    h.get("/admin")
        .await
        .assert_redirect("/sso/signin?return_to=%2Fadmin");
    // Every step of the flow stays under /sso.
    h.sign_in(BOB, "%2Fadmin")
        .await
        .assert_redirect("/sso/signin/factor");
    let factor = h.get("/sso/signin/factor").await;
    assert_eq!(factor.status, 200);
    assert!(factor.body.contains("action=\"/sso/signin/factor\""));
    assert!(factor.body.contains("action=\"/sso/signin/cancel\""));
    h.post("/sso/signin/factor", &factor, &[("factor", "otp")])
        .await
        .assert_redirect("/sso/signin/verify");
    let verify = h.get("/sso/signin/verify").await;
    assert!(verify.body.contains("action=\"/sso/signin/verify\""));
    assert!(verify.body.contains("action=\"/sso/signin/switch\""));
    let code = h.emu.totp().await;
    h.post("/sso/signin/verify", &verify, &[("code", &code)])
        .await
        .assert_redirect("/admin");
    let admin = h.get("/admin").await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert!(
        admin.body.contains("Only admins see this, Bob"),
        "{}",
        admin.body
    );
    let dashboard = h.get("/dashboard").await;
    assert!(dashboard
        .body
        .contains("<span id=\"user-groups\">admins, staff</span>"));
    assert!(dashboard.body.contains("(two factors)"));
    // Two factors: the step-up policy lets him through.
    let secure = h.get("/secure").await;
    assert_eq!(
        (secure.status, secure.body.as_str()),
        (200, "two factors: true")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_factor_session_is_stepped_up_and_api_clients_get_a_bare_401() {
    let h = Host::start().await;
    let api = h.client.get("/dashboard").dispatch().await;
    assert_eq!(api.status().code, 401);
    assert_eq!(api.headers().get_one("Location"), None);
    let xhr = h
        .client
        .get("/dashboard")
        .header(Header::new("Accept", "text/html"))
        .header(Header::new("X-Requested-With", "XMLHttpRequest"))
        .dispatch()
        .await;
    assert_eq!(xhr.status().code, 401);

    h.sign_in(ALICE, "%2Fsecure")
        .await
        .assert_redirect("/secure");
    // Password only: sent to a step-up sign-in under /sso, back to the page after.
    h.get("/secure")
        .await
        .assert_redirect("/sso/signin?return_to=%2Fsecure&step_up=mfa");
    let step_up = h.get("/sso/signin?return_to=%2Fsecure&step_up=mfa").await;
    assert_eq!(step_up.status, 200);
    assert!(step_up.body.contains("name=\"step_up\" value=\"mfa\""));
    assert!(step_up.body.contains("value=\"alice@example.com\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_pages_under_sso_keep_their_prefix() {
    let h = Host::start().await;
    // The portal's own account page, anonymous: its sign-in, under /sso, comes back to it.
    h.get("/sso/account")
        .await
        .assert_redirect("/sso/signin?return_to=%2Fsso%2Faccount");
    // The gateway's /auth is under /sso too, and so is the sign-in it sends browsers to.
    let auth = h.get("/sso/auth").await;
    assert_eq!(
        (auth.status, auth.location.as_deref()),
        (401, Some("/sso/signin"))
    );
    // Under /sso the portal's own catcher answers, not the host's 403 catcher: a form
    // whose CSRF token is wrong gets the "page has expired" answer.
    let form = h.get("/sso/signin").await;
    let stale = Page {
        body: form.body.replace(
            "name=\"csrf_token\" value=\"",
            "name=\"csrf_token\" value=\"x",
        ),
        ..form
    };
    let refused = h
        .post(
            "/sso/signin",
            &stale,
            &[("username", ALICE), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("This page has expired"),
        "{}",
        refused.body
    );
    // Without return_to, a sign-in lands on the portal's account page under /sso.
    let form = h.get("/sso/signin").await;
    assert!(
        form.body
            .contains("name=\"return_to\" value=\"/sso/account\""),
        "{}",
        form.body
    );
    h.post(
        "/sso/signin",
        &form,
        &[
            ("username", ALICE),
            ("password", PASSWORD),
            ("return_to", ""),
        ],
    )
    .await
    .assert_redirect("/sso/account");
    let account = h.get("/sso/account").await;
    assert_eq!(account.status, 200);
    assert!(account.body.contains("action=\"/sso/signout\""));
    assert!(account.body.contains("action=\"/sso/signout/everywhere\""));
    assert!(account.csp.is_some());
    // Signed in, a return_to into the sign-in under the base is refused like /signin.
    h.get("/sso/signin?return_to=%2Fsso%2Fsignin%2Ffactor")
        .await
        .assert_redirect("/sso/account");
    h.get("/sso/signin?return_to=%2Fdashboard%3Fa%3D1")
        .await
        .assert_redirect("/dashboard?a=1");
    // The portal's home under /sso, linking under it.
    let home = h.get("/sso/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/sso/account\""));
    let errors = h.get("/sso/no-such-page").await;
    assert_eq!(errors.status, 404);
    assert!(
        errors.body.contains("href=\"/sso/signin\""),
        "the portal's catcher under /sso"
    );
    let host_404 = h.get("/no-such-page").await;
    assert_eq!(host_404.status, 404);
    assert!(
        !host_404.body.contains("/sso/static/app.css"),
        "the host's 404, not the portal's"
    );
    // Sign-out without return_to: the sign-in page under /sso with its notice.
    h.post("/sso/signout", &account, &[])
        .await
        .assert_redirect("/sso/signin?notice=signed_out");
}

/// Whether igniting `rocket` fails in the stage (and only there).
async fn stage_fails(rocket: rocket::Rocket<rocket::Build>) -> bool {
    match Client::tracked(rocket).await {
        Ok(_) => false,
        Err(e) => match e.kind() {
            rocket::error::ErrorKind::FailedFairings(failed) => {
                failed.iter().all(|f| f.name == "direct-signin")
            }
            _ => false,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stage_fails_the_launch_without_panicking_on_a_bad_setup() {
    let emu = testkit::start().await;
    let twice = rocket::custom(figment(&emu))
        .attach(DirectSignin::at("/a"))
        .attach(DirectSignin::at("/b"));
    assert!(stage_fails(twice).await, "attached twice");
    let bad_base = rocket::custom(figment(&emu)).attach(DirectSignin::at("sso"));
    assert!(stage_fails(bad_base).await, "a base without /");
    let bad_config = rocket::custom(figment(&emu).merge(("session.idle_timeout", -1)))
        .attach(DirectSignin::at("/sso"));
    assert!(stage_fails(bad_config).await, "an invalid key");
    // The same keys as the standalone portal: a valid figment ignites.
    let ok = rocket::custom(figment(&emu)).attach(DirectSignin::at("/sso"));
    let client = Client::tracked(ok).await.expect("ignites");
    let config = client
        .rocket()
        .state::<std::sync::Arc<direct_signin::portal::Portal>>()
        .map(|p| p.config.clone())
        .unwrap_or_else(Config::default);
    assert_eq!(config.okta.issuer.as_deref(), Some(emu.issuer().as_str()));
}
