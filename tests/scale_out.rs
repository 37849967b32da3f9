//! Scale-out: portal instances that share a Redis session store share sign-in flows and
//! sessions. A flow started on one instance finishes on another; a restart loses nothing.
//! Needs a Redis server at `REDIS_URL` (default `redis://127.0.0.1:6379/0`); `scripts/test`
//! starts one when none is running. Without Redis these tests fail, they do not skip.

use std::sync::Arc;

use direct_signin::config::{Config, Secret};
use direct_signin::emulator::{self, EmulatorOptions, RunningEmulator};
use direct_signin::portal::abuse::failures::RedisFailures;
use direct_signin::portal::session::redis::RedisStore;
use direct_signin::portal::session::SessionStore;
use direct_signin::portal::{self, Parts};
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie};
use rocket::local::asynchronous::{Client, LocalResponse};
use totp_rs::{Algorithm, Secret as TotpSecret, TOTP};

const SID: &str = "__Host-sid";

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

struct Cluster {
    emu: RunningEmulator,
    config: Config,
    prefix: String,
}

impl Cluster {
    async fn new() -> Self {
        let emu = emulator::spawn(EmulatorOptions {
            port: 0,
            log_level: LogLevel::Off,
            ..EmulatorOptions::default()
        })
        .await
        .unwrap();
        let mut config = Config::default();
        config.okta.issuer = Some(emu.issuer());
        config.okta.client_id = Some(emulator::DEMO_CLIENT_ID.into());
        config.okta.client_secret = Some(Secret::new(emulator::DEMO_CLIENT_SECRET));
        config.session.secret = Some(Secret::new("scale-out-secret-shared-by-instances"));
        config.session.store = "redis".into();
        config.session.redis_url = redis_url();
        let prefix = format!(
            "direct-signin-test:{}:",
            direct_signin::random::alphanumeric(12)
        );
        config.session.redis_prefix = prefix.clone();
        config.network.trusted_proxies = vec!["127.0.0.1".into()];
        config.protection.failure_floor_ms = 0;
        config.validate(false).unwrap();
        Cluster {
            emu,
            config,
            prefix,
        }
    }

    /// One more portal instance on the shared store.
    async fn instance(&self) -> Client {
        let store = RedisStore::connect(&redis_url(), &self.prefix)
            .await
            .expect("a Redis server at REDIS_URL (scripts/test starts one)");
        let figment =
            Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
        let rocket = portal::build(
            figment,
            self.config.clone(),
            Parts {
                clock: self.emu.emulator.clock.clone(),
                store: Some(Arc::new(store) as Arc<dyn SessionStore>),
                failures: Some(Arc::new(
                    RedisFailures::connect(&redis_url(), &self.prefix)
                        .await
                        .unwrap(),
                )),
            },
        )
        .unwrap();
        Client::untracked(rocket).await.unwrap()
    }

    async fn totp(&self) -> String {
        let now = self.emu.emulator.clock.now() as u64;
        let secret = TotpSecret::Encoded(emulator::DEMO_TOTP_SECRET.into())
            .to_bytes()
            .unwrap();
        TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret).generate(now)
    }
}

fn csrf_of(body: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).expect("a form") + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

fn new_sid(r: &LocalResponse<'_>) -> Option<String> {
    r.cookies().get(SID).map(|c| c.value().to_string())
}

async fn post(
    client: &Client,
    path: &str,
    sid: &str,
    form: &str,
) -> (u16, Option<String>, Option<String>) {
    let r = client
        .post(path.to_string())
        .header(ContentType::Form)
        .cookie(Cookie::new(SID, sid.to_string()))
        .body(form)
        .dispatch()
        .await;
    let location = r.headers().get_one("Location").map(str::to_string);
    (r.status().code, location, new_sid(&r))
}

async fn get(client: &Client, path: &str, sid: &str) -> (u16, String) {
    let r = client
        .get(path.to_string())
        .cookie(Cookie::new(SID, sid.to_string()))
        .dispatch()
        .await;
    let status = r.status().code;
    (status, r.into_string().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_started_on_one_instance_finishes_on_another_and_survives_restarts() {
    let cluster = Cluster::new().await;
    let a = cluster.instance().await;
    let b = cluster.instance().await;

    // Instance A: the sign-in page and the password step.
    let page = a.get("/signin").dispatch().await;
    let sid = new_sid(&page).expect("a pre-sign-in cookie");
    let csrf = csrf_of(&page.into_string().await.unwrap());
    let form = format!("username=bob%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}");
    assert_eq!(
        post(&a, "/signin", &sid, &form).await.1.as_deref(),
        Some("/signin/factor")
    );

    // Instance B sees the flow and takes the next step with the same CSRF token.
    let (status, body) = get(&b, "/signin/factor", &sid).await;
    assert_eq!(status, 200, "the flow is visible on another instance");
    assert!(body.contains("value=\"otp\""));
    let form = format!("factor=otp&csrf_token={csrf}");
    assert_eq!(
        post(&b, "/signin/factor", &sid, &form).await.1.as_deref(),
        Some("/signin/verify")
    );

    // Back on A: the code completes the sign-in with a fresh session id.
    let code = cluster.totp().await;
    let (status, location, signed_in) = post(
        &a,
        "/signin/verify",
        &sid,
        &format!("code={code}&csrf_token={csrf}"),
    )
    .await;
    assert_eq!((status, location.as_deref()), (303, Some("/account")));
    let signed_in = signed_in.expect("a new session cookie");
    assert_ne!(signed_in, sid);

    // B serves the signed-in session; the pre-sign-in one is gone everywhere.
    let (status, body) = get(&b, "/account", &signed_in).await;
    assert_eq!(status, 200);
    assert!(body.contains("Bob Brown"));
    assert_eq!(get(&b, "/signin/factor", &sid).await.0, 303);

    // Every instance restarts: nothing is lost.
    drop(a);
    drop(b);
    let c = cluster.instance().await;
    let (status, body) = get(&c, "/account", &signed_in).await;
    assert_eq!(status, 200, "the session outlives the instances");
    assert!(body.contains("Bob Brown"));

    // Sign-out on one instance ends the session for all of them.
    let d = cluster.instance().await;
    let csrf = csrf_of(&body);
    assert_eq!(
        post(&c, "/signout", &signed_in, &format!("csrf_token={csrf}"))
            .await
            .0,
        303
    );
    assert_eq!(get(&d, "/account", &signed_in).await.0, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_lease_is_shared_between_instances() {
    let cluster = Cluster::new().await;
    let one = RedisStore::connect(&redis_url(), &cluster.prefix)
        .await
        .unwrap();
    let two = RedisStore::connect(&redis_url(), &cluster.prefix)
        .await
        .unwrap();
    assert!(one.claim("flow:x", 5_000).await.unwrap());
    assert!(
        !two.claim("flow:x", 5_000).await.unwrap(),
        "a second instance cannot drive the same flow"
    );
    one.release("flow:x").await.unwrap();
    assert!(two.claim("flow:x", 5_000).await.unwrap());
    two.ping().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attack_spread_over_instances_gets_one_failure_budget_not_one_per_instance() {
    let cluster = Cluster::new().await;
    let instances = [cluster.instance().await, cluster.instance().await];
    let mut statuses = vec![];
    for i in 0..10usize {
        let client = &instances[i % 2];
        let page = client.get("/signin").dispatch().await;
        let sid = new_sid(&page).unwrap();
        let csrf = csrf_of(&page.into_string().await.unwrap());
        let r = client
            .post("/signin")
            .header(ContentType::Form)
            .header(rocket::http::Header::new(
                "X-Forwarded-For",
                format!("198.51.100.{i}"),
            ))
            .cookie(Cookie::new(SID, sid))
            .body(format!(
                "username=alice%40example.com&password=wrong&csrf_token={csrf}"
            ))
            .dispatch()
            .await;
        statuses.push(r.status().code);
        cluster.emu.emulator.clock.advance_secs(60);
    }
    let forwarded = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        forwarded, 4,
        "one budget across both instances: {statuses:?}"
    );
    let at_okta: serde_json::Value = reqwest::get(format!(
        "{}/emulator/users/alice@example.com",
        cluster.emu.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(at_okta["failed_passwords"], 4);
    assert_eq!(at_okta["locked"], false);
}
