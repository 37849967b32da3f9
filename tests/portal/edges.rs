//! Input edges (issue 8): hostile `return_to` values through the real routes,
//! `X-Forwarded-For` entries with ports and brackets, usernames that differ only by case,
//! spaces or Unicode compatibility forms, and `/metrics` behind its allow-list. Each
//! refusal is attributed to its limiter by the `rate_limit_rejections_total` metric.

use rocket::http::uri::Reference;
use rocket::http::Header;

use crate::common::{Page, Portal, PASSWORD, POLL_DUE};

fn xff(value: &str) -> Vec<Header<'static>> {
    vec![Header::new("X-Forwarded-For", value.to_string())]
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Rejections counted for `limiter` (0 when none yet).
async fn rejections(p: &Portal, limiter: &str) -> u64 {
    let line = format!("direct_signin_rate_limit_rejections_total{{limiter=\"{limiter}\"}} ");
    p.get("/metrics")
        .await
        .body
        .lines()
        .find_map(|l| l.strip_prefix(line.as_str())?.trim().parse().ok())
        .unwrap_or(0)
}

/// A 303 whose `Location` Rocket's parser accepts, that a browser resolves on the portal's
/// own origin, with a new session cookie.
#[track_caller]
fn assert_local_sign_in(page: &Page, given: &str, expected: &str) {
    assert_eq!(
        page.status, 303,
        "{given:?}: expected a 303, got {}\n{}",
        page.status, page.body
    );
    let location = page.location.as_deref().expect("a Location");
    assert_eq!(location, expected, "{given:?}");
    assert!(
        Reference::parse(location).is_ok(),
        "{given:?}: {location:?} parses"
    );
    let resolved = url::Url::parse("https://portal.example/signin")
        .unwrap()
        .join(location)
        .unwrap();
    assert_eq!(
        resolved.origin().unicode_serialization(),
        "https://portal.example",
        "{given:?}: {location:?} stays on the portal"
    );
    assert!(
        page.session_cookie().is_some(),
        "{given:?}: the session cookie is set"
    );
}

/// The page with its operation id (different on every error page) blanked.
fn without_operation_id(page: &Page) -> String {
    let id = page.operation_id().expect("an operation id");
    page.body.replace(&id, "OPERATION")
}

/// Hostile values, and where sign-in must land for each.
fn hostile_return_to() -> Vec<(String, String)> {
    let long = format!("/{}", "a".repeat(2000));
    [
        ("/x\"y", "/x%22y"),
        ("/<script>", "/%3Cscript%3E"),
        ("/a|b", "/a%7Cb"),
        ("/`x`", "/%60x%60"),
        ("/{a}", "/%7Ba%7D"),
        ("/café", "/caf%C3%A9"),
        ("/café?q=<x>", "/caf%C3%A9?q=%3Cx%3E"),
        ("/a b", "/a%20b"),
        ("/%zz", "/%25zz"),
        ("/a^b?c=[d]#e f", "/a%5Eb?c=%5Bd%5D#e%20f"),
        ("//evil.example", "/account"),
        ("/\\evil.example", "/account"),
        ("/\t/evil.example", "/account"),
        ("/signin/verify", "/account"),
        ("/%73ignin", "/account"),
        (long.as_str(), "/account"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_return_to_never_breaks_a_sign_in() {
    let p = Portal::with(|c| {
        c.protection.ip_signin_per_minute = 600;
    })
    .await;
    for (given, expected) in hostile_return_to() {
        // Through the sign-in page's hidden field, as a browser following a crafted link.
        let b = p.browser().await;
        p.advance(2).await;
        let page = b
            .get(&format!("/signin?return_to={}", urlencode(&given)))
            .await;
        assert_eq!(page.status, 200, "{given:?}");
        let hidden = page.input_value("return_to").expect("a hidden return_to");
        assert_eq!(
            hidden, expected,
            "{given:?}: the form carries the safe value"
        );
        let signed_in = b
            .post(
                "/signin",
                &[
                    ("username", "alice@example.com"),
                    ("password", PASSWORD),
                    ("return_to", &hidden),
                ],
            )
            .await;
        assert_local_sign_in(&signed_in, &given, &expected);
        assert!(b.signed_in().await.is_some(), "{given:?}: signed in");
        // Posted as it is, by a form elsewhere.
        let b = p.browser().await;
        p.advance(2).await;
        b.get("/signin").await;
        let signed_in = b
            .post(
                "/signin",
                &[
                    ("username", "alice@example.com"),
                    ("password", PASSWORD),
                    ("return_to", &given),
                ],
            )
            .await;
        assert_local_sign_in(&signed_in, &given, &expected);
        assert!(b.signed_in().await.is_some(), "{given:?}: signed in");
        // Already signed in: the sign-in page sends the browser on, validly too.
        let again = b
            .get(&format!("/signin?return_to={}", urlencode(&given)))
            .await;
        assert_eq!(again.status, 303, "{given:?}");
        assert_eq!(again.location.as_deref(), Some(expected.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_approval_redirects_to_an_encoded_return_to() {
    let p = Portal::start().await;
    for (given, expected) in [
        ("/<script>?q=\"x\"", "/%3Cscript%3E?q=%22x%22"),
        ("/café|{x}", "/caf%C3%A9%7C%7Bx%7D"),
    ] {
        let b = p.browser().await;
        p.advance(2).await;
        b.get("/signin").await;
        b.post(
            "/signin",
            &[
                ("username", "bob@example.com"),
                ("password", PASSWORD),
                ("return_to", given),
            ],
        )
        .await
        .assert_redirect("/signin/factor");
        b.get("/signin/factor").await;
        b.post("/signin/factor", &[("factor", "push")])
            .await
            .assert_redirect("/signin/wait");
        assert_eq!(b.get("/signin/wait").await.status, 200);
        b.answer_push("bob@example.com", true, None).await;
        p.advance(POLL_DUE).await;
        let status = b.settled_status().await;
        assert_eq!(status["state"], "approved", "{status}");
        let redirect = status["redirect"].as_str().unwrap();
        assert_eq!(redirect, expected, "{given:?}");
        assert!(Reference::parse(redirect).is_ok(), "{redirect:?} parses");
        assert!(b.signed_in().await.is_some(), "{given:?}: signed in");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_suffixed_forwarded_for_entries_get_their_own_ip_buckets() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.ip_signin_per_minute = 3;
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let attempt = |n: usize, header: String| {
        let p = &p;
        async move {
            let user = format!("edge{n}@example.com");
            p.post_with(
                "/signin",
                &[("username", &user), ("password", "x")],
                xff(&header),
            )
            .await
            .status
        }
    };
    // One client behind the proxy, its source port changing: one bucket of 3.
    let mut statuses = vec![];
    for (n, port) in [1111, 2222, 3333, 4444].into_iter().enumerate() {
        statuses.push(attempt(n, format!("198.51.100.7:{port}")).await);
    }
    assert_eq!(statuses, vec![401, 401, 401, 429]);
    assert_eq!(rejections(&p, "ip_signin").await, 1);
    // Other clients, written with ports or brackets, are not that client (nor the proxy).
    for (n, header) in [
        "198.51.100.8:5678",
        "[2001:db8::1]:443",
        "[2001:db8:0:1::1]",
        "unknown, 198.51.100.9:80",
        "203.0.113.5:1, 127.0.0.1:8080",
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(attempt(10 + n, header.to_string()).await, 401, "{header}");
    }
    assert_eq!(
        rejections(&p, "ip_signin").await,
        1,
        "no other client was refused by the per-IP limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_that_differ_by_case_spaces_or_nfkc_share_one_budget() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let spellings = [
        "Bob@Example.com",
        " bob@example.com ",
        "ｂｏｂ@ｅｘａｍｐｌｅ.ｃｏｍ",
        "\u{00A0}bo\u{200B}b@example.com\u{3000}",
        "ＢＯＢ@EXAMPLE.COM",
    ];
    let mut statuses = vec![];
    for (i, user) in spellings.iter().enumerate() {
        // Past the backoff; each attempt from its own IP (not the per-IP+username limit).
        p.advance(60).await;
        let page = p
            .post_with(
                "/signin",
                &[("username", user), ("password", "wrong-password")],
                xff(&format!("198.51.100.{}", 20 + i)),
            )
            .await;
        statuses.push(page.status);
    }
    assert_eq!(statuses, vec![401, 401, 401, 401, 429]);
    assert_eq!(
        rejections(&p, "username_failure_budget").await,
        1,
        "the fifth spelling is refused by the username's failure budget"
    );
    for other in ["username_backoff", "ip_username_failures", "ip_signin"] {
        assert_eq!(rejections(&p, other).await, 0, "{other}");
    }
    assert!(
        p.emu.user("bob@example.com").await["failed_passwords"]
            .as_u64()
            .unwrap()
            <= 4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_name_sent_to_okta_stays_as_typed() {
    // The budget key is normalized; the login is not: Okta decides who it is.
    let p = Portal::start().await;
    p.get("/signin").await;
    p.post(
        "/signin",
        &[("username", " Alice@Example.com "), ("password", PASSWORD)],
    )
    .await
    .assert_redirect("/account");
    let fullwidth = p.browser().await;
    fullwidth.get("/signin").await;
    let page = fullwidth
        .post(
            "/signin",
            &[
                ("username", "ａｌｉｃｅ@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        page.status, 401,
        "the emulator, like Okta, knows no fullwidth alice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_answer_only_allowed_clients() {
    let p =
        Portal::with(|c| c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let unknown_path = p.get("/no-such-page").await;
    assert_eq!(unknown_path.status, 404);
    // Loopback (the local client's peer) is allowed by default.
    let ok = p.get("/metrics").await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("direct_signin_"), "{}", ok.body);
    // A public client behind the trusted proxy: a plain 404, like any unknown path.
    for header in ["203.0.113.9", "203.0.113.9:4444", "[2001:db8::5]:443"] {
        let hidden = p
            .get_with("/metrics", Header::new("X-Forwarded-For", header))
            .await;
        assert_eq!(hidden.status, 404, "{header}");
        assert_eq!(
            without_operation_id(&hidden),
            without_operation_id(&unknown_path),
            "{header}: not advertised"
        );
    }
    // Several header lines are one list: the public client is left of the proxy's line.
    let r = p
        .client
        .get("/metrics")
        .header(Header::new("X-Forwarded-For", "203.0.113.9"))
        .header(Header::new("X-Forwarded-For", "127.0.0.1"))
        .dispatch()
        .await;
    assert_eq!(p.page(r).await.status, 404, "two X-Forwarded-For lines");
    // A public peer without a proxy.
    let r = p
        .client
        .get("/metrics")
        .remote("198.51.100.3:40000".parse().unwrap())
        .dispatch()
        .await;
    assert_eq!(p.page(r).await.status, 404);
    // The allow-list is configurable: a monitoring network, loopback no longer in it.
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.network.metrics_allowed = vec!["203.0.113.0/24".parse().unwrap()];
    })
    .await;
    assert_eq!(
        p.get_with("/metrics", Header::new("X-Forwarded-For", "203.0.113.9"))
            .await
            .status,
        200
    );
    assert_eq!(p.get("/metrics").await.status, 404);
}
