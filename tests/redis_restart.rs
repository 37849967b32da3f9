//! Redis going away and coming back: a command that meets the connection a restart broke
//! is run once more on a fresh one instead of failing the request; readiness follows Redis
//! within a second each way; while Redis is down a page is the "try again" page with an
//! operation id, never a 500. Each test runs its own `redis-server` (Debian's package;
//! `scripts/test` installs it) on a free port, with an append-only file so a restart keeps
//! the data, and kills it on the way out. Without `redis-server` these tests fail.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use direct_signin::config::{Config, Secret, StoreKind};
use direct_signin::portal::session::redis::RedisStore;
use direct_signin::portal::session::{PreAuth, Record, SessionKey, SessionStore};
use direct_signin::portal::{self, stores};
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::local::asynchronous::Client;
use testkit::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

/// A `redis-server` of this test's own, on a fixed port across restarts.
struct OwnRedis {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

impl OwnRedis {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!(
            "direct-signin-redis-{}",
            direct_signin::random::alphanumeric(10)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = OwnRedis {
            port,
            dir,
            child: None,
        };
        redis.up();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts the server and waits until it answers.
    fn up(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server; scripts/test installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server at once (no shutdown), as a crash would.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn restart(&mut self) {
        self.kill();
        self.up();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn pending() -> Record {
    Record::PreAuth(PreAuth {
        created_at: 1,
        last_seen: 1,
        ..PreAuth::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_after_a_redis_restart_is_run_again_on_a_fresh_connection() {
    let mut redis = OwnRedis::start();
    let store = RedisStore::new(stores::connect(&redis.url()).await.unwrap(), "t:");
    let key = SessionKey("k1".into());
    store.save(&key, &pending(), 600).await.unwrap();

    // What the restart does to a command that is not run again (a lease claim may not run
    // twice): it meets the broken connection. This is the failure the retry is for.
    redis.restart();
    assert!(
        store.claim("flow", 1_000).await.is_err(),
        "a command on the connection the restart broke fails"
    );

    // A read after the next restart is run once more on the new connection: the session
    // written before both restarts is there, and no request failed.
    redis.restart();
    let loaded = store
        .load(&key)
        .await
        .expect("the read is run again, not failed");
    assert!(matches!(loaded, Some(Record::PreAuth(_))));
    redis.restart();
    store
        .save(&key, &pending(), 600)
        .await
        .expect("a write of the same value is run again too");
    redis.restart();
    store.delete(&key).await.expect("and a delete");
    assert!(store.load(&key).await.unwrap().is_none());
}

async fn portal_on(redis: &OwnRedis, emu: &testkit::TestEmulator) -> Client {
    let mut config = Config::default();
    config.okta.issuer = Some(emu.issuer());
    config.okta.client_id = Some(DEMO_CLIENT_ID.into());
    config.okta.client_secret = Some(Secret::new(DEMO_CLIENT_SECRET));
    config.session.secret = Some(Secret::new("redis-restart-test-secret-0123456789"));
    config.session.store = StoreKind::Redis;
    config.redis.url = redis.url();
    config.validate(false).unwrap();
    let figment =
        Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
    let rocket = portal::assemble(figment, config, emu.clock())
        .await
        .unwrap();
    Client::untracked(rocket).await.unwrap()
}

/// Asks `/readyz` until its session store field is `want`; the time it took.
async fn until_ready_is(client: &Client, want: bool) -> Duration {
    let start = Instant::now();
    loop {
        let r = client.get("/readyz").dispatch().await;
        let body: serde_json::Value =
            serde_json::from_str(&r.into_string().await.unwrap()).unwrap();
        if body["session_store"] == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "readiness never turned {want}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_redis_and_a_page_without_it_is_the_try_again_page() {
    let mut redis = OwnRedis::start();
    let emu = testkit::start().await;
    let client = portal_on(&redis, &emu).await;
    assert!(until_ready_is(&client, true).await < Duration::from_secs(1));

    redis.kill();
    let lost = until_ready_is(&client, false).await;
    assert!(
        lost < Duration::from_secs(1),
        "not ready {lost:?} after Redis went"
    );
    // A visitor meanwhile: the "try again" page with an operation id, not a 500.
    let r = client
        .get("/signin")
        .cookie(rocket::http::Cookie::new(
            "__Host-sid",
            "a".repeat(43), // a well-formed id, so the store is asked
        ))
        .dispatch()
        .await;
    assert_eq!(r.status().code, 503);
    let page = r.into_string().await.unwrap();
    assert!(page.contains("id=\"operation-id\""), "{page}");

    redis.up();
    let back = until_ready_is(&client, true).await;
    assert!(
        back < Duration::from_secs(1),
        "ready {back:?} after Redis came back"
    );
    let r = client.get("/signin").dispatch().await;
    assert_eq!(r.status().code, 200);
}
