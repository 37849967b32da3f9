//! CSRF, cross-site POSTs, `return_to`, and malformed input.

use rocket::http::Header;

use crate::common::{Portal, PASSWORD, POLL_DUE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_missing_or_wrong_is_refused_on_every_form() {
    let p = Portal::start().await;
    p.get("/signin").await;
    let user = "bob@example.com";
    let forms: [(&str, Vec<(&str, &str)>); 6] = [
        ("/signin", vec![("username", user), ("password", PASSWORD)]),
        (
            "/signin/passwordless",
            vec![("username", user), ("method", "sms")],
        ),
        ("/signin/factor", vec![("factor", "sms")]),
        ("/signin/verify", vec![("code", "123456")]),
        ("/signin/resend", vec![]),
        ("/signin/cancel", vec![]),
    ];
    for (path, fields) in &forms {
        let page = p.post_without_csrf(path, fields).await;
        assert_eq!(page.status, 403, "{path} without a token");
        let mut wrong = fields.clone();
        wrong.push(("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert_eq!(
            p.post(path, &wrong).await.status,
            403,
            "{path} with a wrong token"
        );
    }
    // A token of another visitor's session does not work either.
    let q = p.browser().await;
    q.get("/signin").await;
    let theirs = q.csrf().unwrap();
    let page = p
        .post(
            "/signin",
            &[
                ("username", user),
                ("password", PASSWORD),
                ("csrf_token", &theirs),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(p.token_requests(user).await, 0, "nothing reached Okta");
    assert!(p.outbox(user).await.is_empty());
    // With the right token everything works.
    p.get("/signin").await;
    p.post("/signin", &[("username", user), ("password", PASSWORD)])
        .await
        .assert_redirect("/signin/factor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_refusal_page() {
    let p = Portal::start().await;
    p.get("/signin").await;
    let page = p
        .post_without_csrf(
            "/signin",
            &[("username", "alice@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(page.text().contains("This page has expired"));
    assert!(page.operation_id().is_some());
    assert!(p.signed_in().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused() {
    let p = Portal::start().await;
    p.get("/signin").await;
    let cross = || vec![Header::new("Sec-Fetch-Site", "cross-site")];
    let page = p
        .post_with(
            "/signin",
            &[("username", "alice@example.com"), ("password", PASSWORD)],
            cross(),
        )
        .await;
    assert_eq!(
        page.status, 403,
        "a valid token does not make a cross-site POST acceptable"
    );
    assert_eq!(p.token_requests("alice@example.com").await, 0);
    assert!(p.signed_in().await.is_none());
    // Same-origin and same-site (and browsers that send nothing) are fine.
    let page = p
        .post_with(
            "/signin",
            &[("username", "alice@example.com"), ("password", PASSWORD)],
            vec![Header::new("Sec-Fetch-Site", "same-origin")],
        )
        .await;
    page.assert_redirect("/account");
    // Sign-out too.
    p.get("/account").await;
    assert_eq!(p.post_with("/signout", &[], cross()).await.status, 403);
    assert_eq!(
        p.post_with("/signout/everywhere", &[], cross())
            .await
            .status,
        403
    );
    assert_eq!(p.get("/account").await.status, 200, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_to_another_host_is_refused() {
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
    ] {
        let p = Portal::start().await;
        let page = p
            .get(&format!("/signin?return_to={}", urlencode(evil)))
            .await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.input_value("return_to").as_deref(),
            Some("/account"),
            "{evil}"
        );
        let page = p
            .post(
                "/signin",
                &[
                    ("username", "alice@example.com"),
                    ("password", PASSWORD),
                    ("return_to", evil),
                ],
            )
            .await;
        page.assert_redirect("/account");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_return_to_is_honoured_through_mfa() {
    let p = Portal::start().await;
    // An anonymous visit of a protected page remembers where to come back.
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
    let page = p.get("/signin?return_to=%2Faccount%3Ftab%3Dsessions").await;
    assert_eq!(
        page.input_value("return_to").as_deref(),
        Some("/account?tab=sessions")
    );
    p.post(
        "/signin",
        &[
            ("username", "bob@example.com"),
            ("password", PASSWORD),
            ("return_to", "/account?tab=sessions"),
        ],
    )
    .await
    .assert_redirect("/signin/factor");
    p.wait_for_push().await;
    p.answer_push("bob@example.com", true, None).await;
    p.advance(POLL_DUE).await;
    let status = p.settled_status().await;
    assert_eq!(status["redirect"], "/account?tab=sessions", "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_return_to_password_only() {
    let p = Portal::start().await;
    p.get("/signin?return_to=/").await;
    p.post(
        "/signin",
        &[
            ("username", "alice@example.com"),
            ("password", PASSWORD),
            ("return_to", "/"),
        ],
    )
    .await
    .assert_redirect("/");
    let home = p.get("/").await;
    assert!(home.body.contains("Alice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_username_is_refused_with_the_form() {
    let p = Portal::start().await;
    p.get("/signin").await;
    for username in ["", "   "] {
        let page = p
            .post("/signin", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("Enter your username."));
        assert!(page.body.contains("aria-invalid=\"true\""));
        assert!(
            page.body.contains("name=\"password\""),
            "the form is re-rendered"
        );
        let page = p
            .post(
                "/signin/passwordless",
                &[("username", username), ("method", "sms")],
            )
            .await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("Enter your username."));
    }
    assert_eq!(
        p.emu.stats().await["token_traffic"]
            .as_object()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlong_or_control_character_username_is_refused() {
    let p = Portal::start().await;
    p.get("/signin").await;
    let long = format!("{}@example.com", "a".repeat(300));
    let page = p
        .post("/signin", &[("username", &long), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("That username is not valid."));
    assert_eq!(
        page.input_value("username").as_deref(),
        Some(long.as_str()),
        "what was typed is kept"
    );
    let page = p
        .post(
            "/signin",
            &[("username", "bob\u{0}@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        p.emu.stats().await["token_traffic"]
            .as_object()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_password_keeps_the_username() {
    let p = Portal::start().await;
    p.get("/signin").await;
    let page = p
        .post(
            "/signin",
            &[("username", "alice@example.com"), ("password", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter your password."));
    assert_eq!(
        page.input_value("username").as_deref(),
        Some("alice@example.com")
    );
    let page = p
        .post(
            "/signin",
            &[
                ("username", "alice@example.com"),
                ("password", &"x".repeat(2000)),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("That password is too long."));
    assert_eq!(p.token_requests("alice@example.com").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_keeps_the_username() {
    let p = Portal::start().await;
    let page = p.password_step("alice@example.com", "wrong").await;
    assert_eq!(page.status, 401);
    assert!(page
        .body
        .contains("Your username or password is incorrect."));
    assert_eq!(
        page.input_value("username").as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        page.input_value("password").as_deref(),
        Some(""),
        "the password is never echoed"
    );
    assert!(!page.body.contains("wrong\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_method_is_refused() {
    let p = Portal::start().await;
    p.get("/signin").await;
    for method in ["", "fax", "OTP"] {
        let page = p
            .post(
                "/signin/passwordless",
                &[("username", "carol@example.com"), ("method", method)],
            )
            .await;
        assert_eq!(page.status, 422, "{method}");
        assert!(page.body.contains("Choose a way to sign in."));
        assert_eq!(
            page.input_value("username").as_deref(),
            Some("carol@example.com")
        );
    }
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    let page = p
        .post("/signin/factor", &[("factor", "carrier-pigeon")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose one of the options."));
    assert!(page.body.contains("name=\"factor\" value=\"otp\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_numeric_sms_code_is_refused_and_nothing_is_lost() {
    let p = Portal::start().await;
    let user = "bob@example.com";
    p.mfa_start(user, "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let before = p.token_requests(user).await;
    for (code, message) in [
        ("12ab56", "The code is made of digits only."),
        ("", "Enter the code."),
        ("1234567890123", "That code is too long."),
    ] {
        let page = p.post("/signin/verify", &[("code", code)]).await;
        assert_eq!(page.status, 422, "{code}: {}", page.body);
        assert!(page.body.contains(message), "{code}");
        assert!(page.body.contains("aria-invalid=\"true\""));
        assert!(
            page.body.contains("autocomplete=\"one-time-code\""),
            "the form is re-rendered"
        );
        assert_eq!(
            page.input_value("username").as_deref(),
            Some(user),
            "the username is kept"
        );
    }
    assert_eq!(
        p.token_requests(user).await,
        before,
        "no malformed code reached Okta"
    );
    // The step is intact: the real code (spaces and dashes tolerated) signs in.
    let code = p.outbox_code(user).await;
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    p.post("/signin/verify", &[("code", &spaced)])
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_form_bodies_are_4xx() {
    // Every body carries the visitor's valid CSRF token, so each status below is the one
    // the malformed part earns itself, not the CSRF refusal.
    let p = Portal::start().await;
    p.get("/signin").await;
    let csrf = p.csrf().unwrap();
    let post = |body: String, content_type: rocket::http::ContentType| {
        let p = &p;
        async move {
            let r = p
                .client
                .post("/signin")
                .header(content_type)
                .body(body)
                .dispatch()
                .await;
            p.page(r).await
        }
    };
    // Bodies Rocket parses, whose fields the handler refuses: 422, the form re-rendered.
    for (body, message) in [
        // A field name that is no field: no username.
        (format!("%%%&csrf_token={csrf}"), "Enter your username."),
        (format!("csrf_token={csrf}&%%%"), "Enter your username."),
        // Two usernames: Rocket keeps neither.
        (
            format!("csrf_token={csrf}&username=a&username=b&password=x"),
            "Enter your username.",
        ),
        (
            format!("csrf_token={csrf}&username=a%00b&password=x"),
            "That username is not valid.",
        ),
        (
            format!("csrf_token={csrf}&username=a%0Ab&password=x"),
            "That username is not valid.",
        ),
        (
            format!("csrf_token={csrf}&username=a@example.com"),
            "Enter your password.",
        ),
    ] {
        let page = post(body.clone(), rocket::http::ContentType::Form).await;
        assert_eq!(page.status, 422, "{body}: {}", page.body);
        assert!(page.text().contains(message), "{body}: {message}");
        assert!(
            page.body.contains("name=\"password\""),
            "{body}: the form is re-rendered"
        );
    }
    // A body over Rocket's form limit is refused before any handler: 413.
    let huge = format!(
        "csrf_token={csrf}&username=a&password={}",
        "x".repeat(64 * 1024)
    );
    let page = post(huge, rocket::http::ContentType::Form).await;
    assert_eq!(page.status, 413);
    assert!(page
        .text()
        .contains("Something in the request was not right"));
    assert!(page.header("Retry-After").is_none());
    // Not a form at all: 415.
    let page = post("{}".into(), rocket::http::ContentType::JSON).await;
    assert_eq!(page.status, 415);
    assert!(
        !page.body.contains("name=\"password\""),
        "no form for a body that is no form"
    );
    assert_eq!(
        p.emu.stats().await["token_traffic"]
            .as_object()
            .unwrap()
            .len(),
        0,
        "nothing reached Okta"
    );
    // A bad percent escape is taken literally (Rocket decodes leniently): just a name
    // Okta does not know, which earns the ordinary wrong-credentials answer.
    let page = post(
        format!("csrf_token={csrf}&username=%ZZ&password=x"),
        rocket::http::ContentType::Form,
    )
    .await;
    assert_eq!(page.status, 401, "{}", page.body);
    assert!(page
        .text()
        .contains("Your username or password is incorrect."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_needs_the_visitors_csrf_token() {
    let p = Portal::start().await;
    let user = "bob@example.com";
    p.mfa_start(user, "sms")
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(verify.body.contains("action=\"/signin/switch\""));
    let q = p.browser().await;
    q.get("/signin").await;
    let theirs = q.csrf().unwrap();
    for (what, token) in [
        ("no token", None),
        (
            "a wrong token",
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ),
        ("another session's token", Some(theirs.as_str())),
    ] {
        let page = match token {
            None => p.post_without_csrf("/signin/switch", &[]).await,
            Some(t) => p.post("/signin/switch", &[("csrf_token", t)]).await,
        };
        assert_eq!(page.status, 403, "{what}");
        assert!(page.text().contains("This page has expired"), "{what}");
        let still = p.get("/signin/verify").await;
        assert_eq!(
            still.status, 200,
            "{what}: the flow is still at the code step"
        );
        assert!(still.body.contains("autocomplete=\"one-time-code\""));
    }
    assert_eq!(p.outbox(user).await.len(), 1, "no other challenge was sent");
    // The step is intact: the code sent before signs in.
    let code = p.outbox_code(user).await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_everywhere_needs_the_sessions_csrf_token() {
    let a = Portal::start().await;
    a.sign_in_alice().await;
    let b = a.browser().await;
    b.sign_in_alice().await;
    assert_eq!(b.get("/account").await.status, 200);
    let theirs = b.csrf().unwrap();
    let (sid_a, sid_b) = (a.session_id().unwrap(), b.session_id().unwrap());
    let refresh = a.signed_in().await.unwrap().refresh_token.unwrap();
    assert_eq!(a.get("/account").await.status, 200);
    for (what, token) in [
        ("no token", None),
        (
            "a wrong token",
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ),
        ("another session's token", Some(theirs.as_str())),
    ] {
        let page = match token {
            None => a.post_without_csrf("/signout/everywhere", &[]).await,
            Some(t) => a.post("/signout/everywhere", &[("csrf_token", t)]).await,
        };
        assert_eq!(page.status, 403, "{what}");
        assert!(page.session_cookie().is_none(), "{what}: no cookie change");
        for sid in [&sid_a, &sid_b] {
            assert!(a.record_of(sid).await.is_some(), "{what}: sessions alive");
        }
        assert_eq!(a.get("/account").await.status, 200, "{what}");
        assert_eq!(b.get("/account").await.status, 200, "{what}");
        assert_eq!(
            a.introspect(refresh.expose()).await["active"],
            true,
            "{what}: nothing revoked at Okta"
        );
    }
    // With this session's own token it works (so the refusals above were the token's).
    a.get("/account").await;
    let page = a.post("/signout/everywhere", &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    for sid in [&sid_a, &sid_b] {
        assert!(a.record_of(sid).await.is_none());
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
