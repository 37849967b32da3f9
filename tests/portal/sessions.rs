//! Sessions: the cookie, a new id at sign-in, idle and absolute timeouts, "Keep me signed
//! in", sign-out (revocation at Okta, the old cookie dead) and sign-out everywhere.

use std::sync::Arc;

use base64::Engine;
use direct_signin::clock::Clock;
use direct_signin::portal::abuse::failures::FailureBook;
use direct_signin::portal::session::{
    LeaseToken, MemoryStore, Record, SessionKey, SessionStore, Sessions, StoreError,
};
use direct_signin::portal::signin::machine::{Factor, Issued, Step};
use direct_signin::portal::stores::Stores;
use direct_signin::portal::{self, Parts};
use parking_lot::Mutex;
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Header};
use rocket::local::asynchronous::Client;

use crate::common::{session_key, Page, Portal, PASSWORD, SID};

/// The attributes of a `Set-Cookie` header, lower-cased names, and its value.
fn cookie_parts(header: &str) -> (String, Vec<(String, String)>) {
    let mut parts = header.split(';').map(str::trim);
    let first = parts.next().unwrap();
    let value = first.split_once('=').unwrap().1.to_string();
    let attrs = parts
        .filter(|a| !a.is_empty())
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), v.to_string()),
            None => (a.to_ascii_lowercase(), String::new()),
        })
        .collect();
    (value, attrs)
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[track_caller]
fn assert_host_cookie(header: &str) -> String {
    let (value, attrs) = cookie_parts(header);
    assert!(attr(&attrs, "secure").is_some(), "Secure: {header}");
    assert!(attr(&attrs, "httponly").is_some(), "HttpOnly: {header}");
    assert_eq!(
        attr(&attrs, "samesite")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("lax"),
        "{header}"
    );
    assert_eq!(attr(&attrs, "path"), Some("/"), "{header}");
    assert!(attr(&attrs, "domain").is_none(), "no Domain: {header}");
    value
}

#[track_caller]
fn assert_random_id(value: &str) {
    assert_eq!(value.len(), 43, "{value}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .expect("base64url");
    assert_eq!(bytes.len(), 32, "256 bits");
}

async fn account_redirects_to_signin(p: &Portal, sid: &str) {
    let fresh = p.browser().await;
    fresh
        .get_as("/account", sid)
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_attributes() {
    let p = Portal::start().await;
    let page = p.get("/signin").await;
    let header = page
        .session_cookie()
        .expect("the sign-in page sets a session cookie");
    let pre = assert_host_cookie(header);
    assert_random_id(&pre);
    let (_, attrs) = cookie_parts(header);
    assert!(
        attr(&attrs, "max-age").is_none() && attr(&attrs, "expires").is_none(),
        "a browser-session cookie"
    );
    // Another visitor gets another id.
    let q = p.browser().await;
    let other = assert_host_cookie(q.get("/signin").await.session_cookie().unwrap());
    assert_ne!(pre, other);
    // Signing in sets a new cookie with the same attributes.
    let page = p
        .post(
            "/signin",
            &[("username", "alice@example.com"), ("password", PASSWORD)],
        )
        .await;
    page.assert_redirect("/account");
    let header = page.session_cookie().expect("sign-in sets a new cookie");
    let signed_in = assert_host_cookie(header);
    assert_random_id(&signed_in);
    let (_, attrs) = cookie_parts(header);
    assert!(
        attr(&attrs, "max-age").is_none() && attr(&attrs, "expires").is_none(),
        "{header}"
    );
    // Nothing but the opaque id and the signed device cookie reach the browser.
    let mut cookies: Vec<String> = p
        .client
        .cookies()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    cookies.sort();
    assert_eq!(cookies, vec!["__Host-device".to_string(), SID.to_string()]);
    let device = p
        .client
        .cookies()
        .get("__Host-device")
        .unwrap()
        .value()
        .to_string();
    assert!(
        device.starts_with("v1.") && !device.contains("alice"),
        "{device}"
    );
    let set = page
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__Host-device="))
        .map(|(_, v)| v.clone())
        .expect("the device cookie is set at sign-in");
    assert_host_cookie(&set);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_id_is_rotated_at_sign_in() {
    let p = Portal::start().await;
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    let pre = p.session_id().unwrap();
    assert!(
        p.record_of(&pre).await.is_some(),
        "the flow lives in the pre-sign-in session"
    );
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let post = p.session_id().unwrap();
    assert_ne!(pre, post, "a new id at sign-in");
    assert!(
        p.record_of(&pre).await.is_none(),
        "the pre-sign-in session is destroyed"
    );
    assert!(p.signed_in().await.is_some());
    // The old cookie value, replayed from another browser, is not signed in.
    let fresh = p.browser().await;
    fresh
        .get_as("/account", &pre)
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
    let home = fresh.get_as("/", &pre).await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("Bob"), "{}", home.body);
    assert!(p.record_of(&pre).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_and_touch() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    // 29 minutes idle: still signed in, and this visit counts as activity.
    p.advance(29 * 60).await;
    assert_eq!(p.get("/account").await.status, 200);
    // Another 29 minutes (58 since sign-in): still signed in thanks to the touch.
    p.advance(29 * 60).await;
    assert_eq!(p.get("/account").await.status, 200);
    // 30 minutes idle: gone.
    p.advance(30 * 60).await;
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
    assert!(
        p.record_of(&sid).await.is_none(),
        "the expired session is deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_ends_within_seconds_of_the_limit() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    p.advance(30 * 60 - 5).await;
    // Looked at without a visit (any page visit is activity and would renew it).
    assert!(
        p.record_of(&sid).await.is_some(),
        "still signed in just before the limit"
    );
    p.advance(6).await;
    let home = p.get("/").await;
    assert!(
        !home.body.contains("Alice"),
        "signed out after 30 minutes idle"
    );
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_timeout_despite_activity() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let step = 25 * 60;
    let mut elapsed = 0;
    while elapsed + step < 12 * 3600 {
        p.advance(step).await;
        elapsed += step;
        let page = p.get("/account").await;
        assert_eq!(page.status, 200, "after {elapsed} s: {:?}", page.location);
    }
    p.advance(step).await;
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_me_signed_in_uses_the_longer_limits() {
    let p = Portal::start().await;
    p.get("/signin").await;
    let page = p
        .post(
            "/signin",
            &[
                ("username", "alice@example.com"),
                ("password", PASSWORD),
                ("remember", "yes"),
            ],
        )
        .await;
    page.assert_redirect("/account");
    let header = page.session_cookie().unwrap();
    assert_host_cookie(header);
    let (_, attrs) = cookie_parts(header);
    assert_eq!(
        attr(&attrs, "max-age"),
        Some("2592000"),
        "persistent for the absolute limit: {header}"
    );
    assert!(p.signed_in().await.unwrap().remember);
    assert!(p
        .get("/account")
        .await
        .body
        .contains("Kept signed in</dt><dd>Yes"));
    // Idle past the short limit: still signed in.
    p.advance(31 * 60).await;
    assert_eq!(p.get("/account").await.status, 200);
    // Activity every 6 days keeps it alive up to the 30-day absolute limit.
    for day in [6, 12, 18, 24] {
        p.advance(6 * 24 * 3600).await;
        assert_eq!(p.get("/account").await.status, 200, "day {day}");
    }
    p.advance(6 * 24 * 3600).await;
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_me_signed_in_idle_limit() {
    let p = Portal::start().await;
    p.get("/signin").await;
    p.post(
        "/signin",
        &[
            ("username", "alice@example.com"),
            ("password", PASSWORD),
            ("remember", "yes"),
        ],
    )
    .await
    .assert_redirect("/account");
    p.advance(7 * 24 * 3600 - 5).await;
    assert_eq!(p.get("/account").await.status, 200);
    p.advance(7 * 24 * 3600).await;
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
}

async fn sign_out(p: &Portal) -> Page {
    let account = p.get("/account").await;
    assert_eq!(account.status, 200);
    p.post("/signout", &[]).await
}

#[track_caller]
fn assert_signed_out(page: &Page) {
    page.assert_redirect("/signin?notice=signed_out");
    let clear = page.header("Clear-Site-Data").expect("Clear-Site-Data");
    assert!(
        clear.contains("\"cache\"") && clear.contains("\"storage\""),
        "{clear}"
    );
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
    let header = page.session_cookie().expect("the cookie is expired");
    let (value, attrs) = cookie_parts(header);
    assert!(value.is_empty(), "{header}");
    assert_eq!(attr(&attrs, "max-age"), Some("0"), "{header}");
    // A browser ignores a `__Host-` cookie (even a removal) without Secure and Path=/.
    assert!(attr(&attrs, "secure").is_some(), "{header}");
    assert_eq!(attr(&attrs, "path"), Some("/"), "{header}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_revokes_and_kills_the_cookie() {
    let p = Portal::start().await;
    p.sign_in_bob_with_otp().await;
    let sid = p.session_id().unwrap();
    let session = p.signed_in().await.unwrap();
    let refresh = session
        .refresh_token
        .clone()
        .expect("offline_access gives a refresh token");
    let access = session.access_token.clone();
    assert_eq!(p.introspect(refresh.expose()).await["active"], true);
    assert_eq!(p.introspect(access.expose()).await["active"], true);

    // Control: the cookie value works from another browser while the session lives.
    let other = p.browser().await;
    assert_eq!(other.get_as("/account", &sid).await.status, 200);

    let page = sign_out(&p).await;
    assert_signed_out(&page);
    assert!(p.session_id().is_none(), "the browser dropped the cookie");
    assert!(p.record_of(&sid).await.is_none(), "the session is deleted");
    assert_eq!(
        p.introspect(refresh.expose()).await["active"],
        false,
        "refresh token revoked"
    );
    assert_eq!(
        p.introspect(access.expose()).await["active"],
        false,
        "access token revoked"
    );
    let signin = p.get("/signin?notice=signed_out").await;
    assert!(signin.body.contains("You have been signed out."));
    p.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
    // The old cookie value is dead.
    account_redirects_to_signin(&p, &sid).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_ends_the_session_when_okta_revoke_fails() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    let refresh = p.signed_in().await.unwrap().refresh_token.unwrap();
    p.fault(
        "revoke",
        "status",
        serde_json::json!({"status": 503, "count": 2}),
    )
    .await;
    let page = sign_out(&p).await;
    assert_signed_out(&page);
    assert!(p.record_of(&sid).await.is_none());
    account_redirects_to_signin(&p, &sid).await;
    // The fault really hit: Okta still has the token (nothing the portal could do).
    assert_eq!(p.introspect(refresh.expose()).await["active"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_needs_csrf() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    p.get("/account").await;
    assert_eq!(p.post_without_csrf("/signout", &[]).await.status, 403);
    assert_eq!(
        p.post("/signout", &[("csrf_token", "nope")]).await.status,
        403
    );
    assert_eq!(p.get("/account").await.status, 200, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_lists_sessions_and_sign_out_everywhere_ends_them() {
    let a = Portal::start().await;
    a.sign_in_alice().await;
    let b = a.browser().await;
    b.get("/signin").await;
    let firefox = Header::new(
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    );
    b.post_with(
        "/signin",
        &[("username", "alice@example.com"), ("password", PASSWORD)],
        vec![firefox],
    )
    .await
    .assert_redirect("/account");
    // Someone else's session must survive.
    let c = a.browser().await;
    c.sign_in_bob_with_otp().await;

    let (sid_a, sid_b, sid_c) = (
        a.session_id().unwrap(),
        b.session_id().unwrap(),
        c.session_id().unwrap(),
    );
    assert!(sid_a != sid_b);
    let (sa, sb) = (a.signed_in().await.unwrap(), b.signed_in().await.unwrap());
    assert_eq!(sa.user_id, sb.user_id);
    let refresh = [sa.refresh_token.unwrap(), sb.refresh_token.unwrap()];

    let account = a.get("/account").await;
    assert_eq!(account.status, 200);
    let table = account
        .body
        .split("id=\"sessions\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(
        table.matches("<tr").count() - 1,
        2,
        "two sessions of alice: {table}"
    );
    assert!(table.contains("Firefox on Linux"), "{table}");
    assert_eq!(table.matches("this browser").count(), 1);

    let page = a.post("/signout/everywhere", &[]).await;
    assert_signed_out(&page);
    for sid in [&sid_a, &sid_b] {
        assert!(
            a.record_of(sid).await.is_none(),
            "every session of alice is deleted"
        );
    }
    assert!(a.store.user_sessions(&sa.user_id).await.unwrap().is_empty());
    for token in &refresh {
        assert_eq!(a.introspect(token.expose()).await["active"], false);
    }
    b.get("/account")
        .await
        .assert_redirect("/signin?return_to=%2Faccount");
    account_redirects_to_signin(&a, &sid_a).await;
    // Bob is still signed in.
    assert!(c.record_of(&sid_c).await.is_some());
    assert_eq!(c.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_keys_are_digests_of_the_cookie() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    let user = p.signed_in().await.unwrap().user_id;
    let keys = p.store.user_sessions(&user).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].0, session_key(&sid));
    assert_ne!(keys[0].0, sid);
}

// ------------------------------------------------------------ store integrity

/// A request in flight loaded the session before `POST /signout` and writes its copy back
/// afterwards (the `User` guard's touch, the account page's renewal): the session stays
/// gone and the old cookie stays dead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_copy_written_back_after_sign_out_does_not_revive_the_session() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    let sessions = p.sessions();
    let mut stale = sessions.load(&sid).await.unwrap().expect("signed in");
    let user = stale.user_id().unwrap().to_string();
    assert_signed_out(&sign_out(&p).await);

    p.advance(120).await;
    sessions.touch(&sid, &mut stale).await.unwrap();
    assert!(
        !sessions.update(&sid, &stale).await.unwrap(),
        "nothing to update"
    );
    sessions.save(&sid, &stale).await.unwrap();
    assert!(p.record_of(&sid).await.is_none(), "the session stays gone");
    assert!(p.store.user_sessions(&user).await.unwrap().is_empty());
    account_redirects_to_signin(&p, &sid).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_session_is_still_written_back() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    let sessions = p.sessions();
    let mut record = sessions.load(&sid).await.unwrap().unwrap();
    p.advance(120).await;
    sessions.touch(&sid, &mut record).await.unwrap();
    let Some(Record::SignedIn(stored)) = p.record_of(&sid).await else {
        panic!("still signed in");
    };
    assert_eq!(stored.last_seen, p.clock.now(), "the touch was written");
}

/// Every token string of a signed-in session, as the portal holds it.
async fn tokens_of(p: &Portal) -> Vec<String> {
    let s = p.signed_in().await.expect("signed in");
    let mut tokens = vec![s.access_token.expose().to_string()];
    tokens.extend(s.refresh_token.map(|t| t.expose().to_string()));
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_holds_no_okta_token_and_a_moved_record_does_not_open() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    // The account page renews nothing yet but caches /userinfo: written back sealed too.
    assert_eq!(p.get("/account").await.status, 200);
    let tokens = tokens_of(&p).await;
    assert_eq!(tokens.len(), 2, "an access and a refresh token");
    let key = SessionKey(session_key(&sid));
    let raw = p.store.load(&key).await.unwrap().expect("stored");
    let dump = serde_json::to_string(&raw).unwrap();
    let Record::SignedIn(sealed) = &raw else {
        panic!("a signed-in record");
    };
    for token in &tokens {
        assert!(!dump.contains(token.as_str()), "a token in the store");
        assert!(!format!("{raw:?}").contains(token.as_str()));
    }
    assert!(sealed.refresh_token.is_none() && sealed.userinfo.is_none());
    assert!(!dump.contains("alice@example.com"), "{dump}");

    // Copied under another session's key, the record does not open: that cookie is not
    // signed in.
    let other = direct_signin::random::token(32);
    let other_key = SessionKey(session_key(&other));
    p.store.save(&other_key, &raw, 600).await.unwrap();
    account_redirects_to_signin(&p, &other).await;
    assert!(p.sessions().load(&other).await.unwrap().is_none());
    // The original still works.
    assert_eq!(p.get("/account").await.status, 200);
}

/// A record written by a version that stored tokens in plaintext reads as absent (the
/// visitor signs in again) and is deleted when met.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plaintext_record_from_before_sealing_reads_as_signed_out() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let sid = p.session_id().unwrap();
    let opened = p.record_of(&sid).await.expect("signed in");
    let key = SessionKey(session_key(&sid));
    p.store.save(&key, &opened, 600).await.unwrap();
    account_redirects_to_signin(&p, &sid).await;
    assert!(p.store.load(&key).await.unwrap().is_none(), "deleted");
}

/// Delegates to the memory store; when the sign-in driver takes a flow lease, its lease
/// runs out at once (the clock jumps past it) and another request takes the flow, as if
/// this one had stalled.
struct StolenLeases {
    inner: Arc<MemoryStore>,
    clock: Clock,
    thief: Mutex<Option<(String, LeaseToken)>>,
}

#[async_trait::async_trait]
impl SessionStore for StolenLeases {
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError> {
        self.inner.load(key).await
    }
    async fn save(&self, key: &SessionKey, r: &Record, ttl: i64) -> Result<(), StoreError> {
        self.inner.save(key, r, ttl).await
    }
    async fn update(&self, key: &SessionKey, r: &Record, ttl: i64) -> Result<bool, StoreError> {
        self.inner.update(key, r, ttl).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError> {
        self.inner.user_sessions(user).await
    }
    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<Option<LeaseToken>, StoreError> {
        let token = self.inner.claim(name, ttl_ms).await?;
        if token.is_some() {
            self.clock.advance_secs(ttl_ms / 1000 + 1);
            let stolen = self.inner.claim(name, 30_000).await?.expect("ran out");
            *self.thief.lock() = Some((name.to_string(), stolen));
        }
        Ok(token)
    }
    async fn release(&self, name: &str, token: &LeaseToken) -> Result<bool, StoreError> {
        self.inner.release(name, token).await
    }
    async fn extend(&self, name: &str, token: &LeaseToken, ttl: i64) -> Result<bool, StoreError> {
        self.inner.extend(name, token, ttl).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A portal instance on the test portal's emulator, clock and configuration, over `store`.
async fn client_over(p: &Portal, store: Arc<dyn SessionStore>) -> Client {
    let figment =
        Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
    let rocket = portal::build(
        figment,
        p.config.clone(),
        Parts {
            clock: p.clock.clone(),
            stores: Some(Stores {
                sessions: store,
                failures: Arc::new(FailureBook::default()),
                limits: Default::default(),
            }),
        },
    )
    .unwrap();
    Client::tracked(rocket).await.unwrap()
}

/// The CSRF token of the sign-in form (the client keeps the pre-sign-in cookie).
async fn csrf_on(client: &Client) -> String {
    let body = client
        .get("/signin")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    testkit::html::csrf_token(&body).expect("a form")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_whose_lease_ran_out_calls_no_okta_and_leaves_the_new_holder_alone() {
    let p = Portal::start().await;
    let store = Arc::new(StolenLeases {
        inner: p.store.clone(),
        clock: p.clock.clone(),
        thief: Mutex::new(None),
    });
    let client = client_over(&p, store.clone()).await;
    let csrf = csrf_on(&client).await;
    let before = p.token_requests("alice@example.com").await;

    let r = client
        .post("/signin")
        .header(ContentType::Form)
        .body(format!(
            "username=alice%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(r.status().code, 303, "busy: back to the page");
    assert_ne!(r.headers().get_one("Location"), Some("/account"));
    assert!(r.cookies().get(SID).is_none_or(|c| !c.value().is_empty()));
    assert_eq!(
        p.token_requests("alice@example.com").await,
        before,
        "no Okta call started on a lease that ran out"
    );
    let (name, thief) = store.thief.lock().clone().expect("the lease was taken");
    assert!(
        p.store.claim(&name, 1_000).await.unwrap().is_none(),
        "the new holder still holds the flow"
    );
    assert!(p.store.release(&name, &thief).await.unwrap());
}

/// A flow waiting for a push holds Okta's `mfa_token` and `oob_code`: with both, anyone
/// could poll for the user's tokens once the push is approved. The store holds them sealed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_flow_holds_no_mfa_token_or_oob_code_in_the_store() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "push").await;
    let sid = p.session_id().unwrap();
    let Some(Record::PreAuth(pre)) = p.record_of(&sid).await else {
        panic!("a flow in progress");
    };
    let flow = pre.flow.expect("opened, the flow is there");
    let Step::WaitPush {
        factor: Factor::Second(mfa),
        issued: Issued::Okta(oob),
        ..
    } = &flow.step
    else {
        panic!("waiting for a push: {:?}", flow.step);
    };
    let raw = p
        .store
        .load(&SessionKey(session_key(&sid)))
        .await
        .unwrap()
        .unwrap();
    let dump = serde_json::to_string(&raw).unwrap();
    for secret in [&mfa.mfa_token, &oob.oob_code] {
        assert!(!dump.contains(secret.as_str()), "{dump}");
    }
    assert!(!dump.contains("bob@example.com"), "{dump}");
    // The flow goes on from the sealed record.
    p.answer_push("bob@example.com", true, None).await;
    p.advance(5).await;
    p.get("/signin/wait").await.assert_redirect("/account");
    assert!(p.signed_in().await.is_some());
}

/// Delegates to the memory store, except that a sign-out lands just before every
/// write-back of an existing session: the session is deleted, then the write is tried.
struct SignOutFirst {
    inner: Arc<MemoryStore>,
    attempted: Mutex<Option<(SessionKey, Record)>>,
}

#[async_trait::async_trait]
impl SessionStore for SignOutFirst {
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError> {
        self.inner.load(key).await
    }
    async fn save(&self, key: &SessionKey, r: &Record, ttl: i64) -> Result<(), StoreError> {
        self.inner.save(key, r, ttl).await
    }
    async fn update(&self, key: &SessionKey, r: &Record, ttl: i64) -> Result<bool, StoreError> {
        self.inner.delete(key).await?;
        *self.attempted.lock() = Some((key.clone(), r.clone()));
        self.inner.update(key, r, ttl).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError> {
        self.inner.user_sessions(user).await
    }
    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<Option<LeaseToken>, StoreError> {
        self.inner.claim(name, ttl_ms).await
    }
    async fn release(&self, name: &str, token: &LeaseToken) -> Result<bool, StoreError> {
        self.inner.release(name, token).await
    }
    async fn extend(&self, name: &str, token: &LeaseToken, ttl: i64) -> Result<bool, StoreError> {
        self.inner.extend(name, token, ttl).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The account page renews an expired access token while a sign-out ends the session:
/// the renewal is not written back, the session stays gone, and the renewed tokens (which
/// the sign-out could not know of) are revoked instead of left live and unrecorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_racing_sign_out_is_not_written_back_and_its_tokens_are_revoked() {
    let p = Portal::with(|c| c.session.idle_timeout = 2 * 3600).await;
    let store = Arc::new(SignOutFirst {
        inner: p.store.clone(),
        attempted: Mutex::new(None),
    });
    let client = client_over(&p, store.clone()).await;
    let csrf = csrf_on(&client).await;
    let r = client
        .post("/signin")
        .header(ContentType::Form)
        .body(format!(
            "username=alice%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(r.headers().get_one("Location"), Some("/account"));
    let sid = r.cookies().get(SID).unwrap().value().to_string();
    drop(r);
    let sessions = client.rocket().state::<Arc<Sessions>>().unwrap().clone();
    let Some(Record::SignedIn(before)) = sessions.load(&sid).await.unwrap() else {
        panic!("signed in");
    };

    p.advance(3600).await;
    let account = client.get("/account").dispatch().await;
    assert_eq!(account.status().code, 200);
    drop(account);
    assert!(p.record_of(&sid).await.is_none(), "the session stays gone");
    assert!(sessions.load(&sid).await.unwrap().is_none());
    let (key, attempted) = store
        .attempted
        .lock()
        .clone()
        .expect("a write-back was tried");
    let Some(Record::SignedIn(renewed)) = sessions.open(&key, attempted) else {
        panic!("the renewed session");
    };
    assert_ne!(
        renewed.access_token.expose(),
        before.access_token.expose(),
        "the token was renewed"
    );
    assert_eq!(
        p.introspect(renewed.access_token.expose()).await["active"],
        false,
        "the renewed access token is revoked"
    );
    if let Some(refresh) = &renewed.refresh_token {
        assert_eq!(p.introspect(refresh.expose()).await["active"], false);
    }
}
