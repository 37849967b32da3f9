//! One scenario: a fresh emulator and portal, bob's first sign-in, the flood with bob
//! signing in during it, then what the emulator and the portal saw.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::attack::{Attack, AttackCounts};
use crate::bob::Bob;
use testkit::Control;

use crate::browser::{http_client, Browser};
use crate::procs::{free_ports, memory_kib, spawn, wait_ready, Proc};
use crate::report::Measured;
use crate::{
    Options, Scenario, ALICE, BOB, BOB_FORWARDED_IP, BOB_SOCKET_IP, CLIENT_ID, CLIENT_SECRET, DAVE,
    DEVICE_COOKIE,
};

/// A fresh emulator and portal as child processes on loopback ports, both ready.
pub struct Pair {
    pub emulator: Proc,
    pub portal: Proc,
    pub emu: Control,
    pub base: String,
    pub plain: reqwest::Client,
    pub portal_log: PathBuf,
}

/// Starts a fresh emulator and portal (logs `target/flood/{slug}-*.log`); with
/// `trusted_proxy`, the portal trusts 127.0.0.1 as a proxy (`X-Forwarded-For` counts).
pub async fn start_pair(slug: &str, trusted_proxy: bool, secret: &str) -> Result<Pair, String> {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/flood");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let (emu_port, portal_port) = free_ports()?;
    let emu_log = logs.join(format!("{slug}-emulator.log"));
    let portal_log = logs.join(format!("{slug}-portal.log"));
    let plain = http_client(None)?;

    let mut emulator = spawn(
        &["emulator", "--port", &emu_port.to_string()],
        &[],
        &emu_log,
    )?;
    let emu = Control::with_client(plain.clone(), &format!("http://127.0.0.1:{emu_port}"));
    wait_ready(
        &plain,
        &emu.url("/emulator/clock"),
        &mut emulator,
        "emulator",
        &emu_log,
    )
    .await?;

    let mut env = vec![
        (
            "OKTA_OAUTH2_ISSUER",
            format!("http://127.0.0.1:{emu_port}/oauth2/default"),
        ),
        ("OKTA_OAUTH2_CLIENT_ID", CLIENT_ID.to_string()),
        ("OKTA_OAUTH2_CLIENT_SECRET", CLIENT_SECRET.to_string()),
        ("ROCKET_ADDRESS", "127.0.0.1".to_string()),
        ("ROCKET_PORT", portal_port.to_string()),
        ("DIRECT_SIGNIN_SESSION__SECRET", secret.to_string()),
    ];
    if trusted_proxy {
        env.push((
            "DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES",
            r#"["127.0.0.1"]"#.to_string(),
        ));
    }
    let mut portal = spawn(&[], &env, &portal_log)?;
    let base = format!("http://127.0.0.1:{portal_port}");
    wait_ready(
        &plain,
        &format!("{base}/readyz"),
        &mut portal,
        "portal",
        &portal_log,
    )
    .await?;
    Ok(Pair {
        emulator,
        portal,
        emu,
        base,
        plain,
        portal_log,
    })
}

/// Panics in a portal log.
pub fn panics_in(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("panicked"))
        .count()
}

pub async fn run(
    o: &Options,
    scenario: Scenario,
    secret: &str,
    seed: u64,
) -> Result<Measured, String> {
    let Pair {
        emulator,
        mut portal,
        emu,
        base,
        plain,
        portal_log,
    } = start_pair(scenario.slug(), scenario == Scenario::ManyIps, secret).await?;

    // Bob's browser, and one sign-in before the flood: the device cookie, and the
    // latency with no flood.
    let (bob_http, bob_forwarded) = match scenario {
        Scenario::OneIp => (http_client(Some(IpAddr::V4(BOB_SOCKET_IP)))?, None),
        _ => (plain.clone(), Some(BOB_FORWARDED_IP.to_string())),
    };
    let mut bob = Bob::new(Browser::new(bob_http, &base, bob_forwarded));
    let step = match bob.fresh_step(&emu).await? {
        Ok(step) => step,
        Err(_) => return Err("no TOTP step for bob's first sign-in".into()),
    };
    let baseline = bob
        .sign_in(step)
        .await
        .map_err(|e| format!("bob's sign-in before the flood failed: {e}"))?;
    let device_before = bob.browser.jar.0.contains_key(DEVICE_COOKIE);

    let (rss_before, _) = memory_kib(portal.pid());
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(o.seconds);
    let mut rng = StdRng::seed_from_u64(seed);
    let usernames: Vec<String> = (0..o.usernames)
        .map(|_| format!("user-{:08x}@example.org", rng.gen::<u32>()))
        .collect();
    let attack = Arc::new(Attack {
        scenario,
        base: base.clone(),
        http: plain.clone(),
        usernames,
        attempts: o.attempts,
        start: started,
        deadline,
        interval: Duration::from_secs_f64(o.seconds / o.attempts as f64),
        next: AtomicU64::new(0),
        counts: AttackCounts::default(),
    });
    let workers: Vec<_> = (0..o.concurrency)
        .map(|w| tokio::spawn(attack.clone().worker(seed ^ ((w as u64 + 1) * 0x9e37_79b9))))
        .collect();
    let bob_figures = bob
        .during_flood(&emu, o.bob_signins, started, deadline)
        .await;
    // A worker stops after its last attempt; requests time out after 20 s.
    let stragglers = Instant::now() + Duration::from_secs(30);
    for w in workers {
        let abort = w.abort_handle();
        if tokio::time::timeout_at(stragglers.into(), w).await.is_err() {
            abort.abort();
        }
    }
    let portal_exit = portal.exited();
    let elapsed = started.elapsed();
    let (rss_after, rss_peak) = memory_kib(portal.pid());

    // What reached the emulator.
    let stats = emu.try_stats().await?;
    let bob_status = emu.try_user(BOB).await?;
    let alice_status = emu.try_user(ALICE).await?;
    let dave_status = emu.try_user(DAVE).await?;
    let metrics = match plain.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    drop(portal);
    drop(emulator);
    let panics = panics_in(&portal_log);

    Ok(Measured {
        scenario,
        elapsed,
        attack,
        bob: bob_figures,
        baseline,
        device_before,
        device_after: bob.device_cookie,
        rss_before,
        rss_after,
        rss_peak,
        stats,
        bob_status,
        alice_status,
        dave_status,
        metrics,
        portal_exit,
        panics,
        portal_log,
    })
}
