//! `slow-week`: a week of slow guessing (issue 8, item 9). Wrong passwords for alice, bob
//! and dave and wrong passwordless-OTP codes for carol, each from a fresh browser at a
//! random forwarded address, about `--per-day` times a day per account, for `--days`
//! simulated days.
//!
//! The portal's failure memory and Okta's lockout count both depend on time, so the portal
//! and the emulator must see ONE clock that moves: both run in this process, on real
//! loopback ports, the portal built by `direct_signin::portal::build` with the emulator's
//! `Clock` (as the `cargo run` demo and tests/portal/common.rs do), and the clock is moved
//! through the emulator's `POST /emulator/clock`. The portal's configuration is the
//! default one plus the environment (`DIRECT_SIGNIN_*`), with 127.0.0.1 as a trusted
//! proxy.
//!
//! Time advances in ticks of 3 to 5 hours (random, 4 on average); in each tick every
//! account gets one attempt, all accounts at once. Each day ends with a reading of the
//! emulator's counters, so the figures are per simulated day.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use direct_signin::config::{Config, Secret};
use okta_emulator::EmulatorOptions;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use serde_json::Value;

use crate::attack::random_ip;
use crate::bob::Bob;
use testkit::Control;

use crate::browser::{http_client, Browser};
use crate::procs::free_ports;
use crate::report::Tally;
use crate::{Options, ALICE, BOB, CAROL, CLIENT_ID, CLIENT_SECRET, DAVE};

mod attempts;
use attempts::{carol_otp, password_only, wrong_codes, wrong_password};

/// The accounts under slow attack: three by password, carol by code.
pub const PASSWORD_ACCOUNTS: [&str; 3] = [ALICE, BOB, DAVE];
/// Wrong codes per carol flow.
pub const CODES_PER_FLOW: usize = 3;
const DAY: i64 = 86_400;

/// Panics anywhere in this process (the in-process portal's among them).
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// One account's figures for one simulated day.
#[derive(Clone, Debug, Default)]
pub struct Day {
    /// Wrong passwords or codes sent to the portal.
    pub sent: u64,
    /// The portal's answers to them, by status.
    pub answers: BTreeMap<String, u64>,
    /// Wrong passwords (alice, bob, dave: their `/token` calls) or wrong codes (carol:
    /// `failed_codes`) that reached the emulator that day.
    pub reached: u64,
    /// The emulator's consecutive failed passwords at the end of the day.
    pub consecutive: u64,
    pub locked: bool,
}

pub struct WeekMeasured {
    pub days: usize,
    pub per_day: usize,
    pub elapsed: Duration,
    /// Per account, per day.
    pub accounts: Vec<(String, Vec<Day>)>,
    pub tally: Arc<Tally>,
    /// After the week: can the real users still sign in? (`None`: not measured)
    pub after: Vec<(String, Option<Result<(), String>>)>,
    pub locked_users: Vec<String>,
    pub stats: Value,
    pub metrics: String,
    pub portal_crashed: Option<String>,
    pub panics: usize,
    pub clock_moved: i64,
}

fn count_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        previous(info);
    }));
}

/// The in-process portal on a loopback port, sharing `clock`.
async fn start_portal(
    issuer: String,
    clock: direct_signin::clock::Clock,
    secret: &str,
) -> Result<
    (
        String,
        rocket::Shutdown,
        tokio::task::JoinHandle<Result<(), String>>,
    ),
    String,
> {
    let (port, _) = free_ports()?;
    let figment = Config::figment()
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge(("log_level", LogLevel::Off))
        .merge(("cli_colors", false));
    let mut config: Config = figment.extract().map_err(|e| e.to_string())?;
    config.okta.issuer = Some(issuer);
    config.okta.client_id = Some(CLIENT_ID.into());
    config.okta.client_secret = Some(Secret::new(CLIENT_SECRET));
    config.session.secret = Some(Secret::new(secret));
    config.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    config
        .validate(false)
        .map_err(|e| format!("portal configuration: {e}"))?;
    // In-memory session and failure stores (the defaults), on the emulator's clock.
    let parts = direct_signin::portal::Parts {
        clock,
        stores: None,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let rocket = direct_signin::portal::build(figment, config, parts)?.attach(AdHoc::on_liftoff(
        "Report readiness",
        move |rocket| {
            Box::pin(async move {
                let _ = tx.send(rocket.shutdown());
            })
        },
    ));
    let task =
        tokio::spawn(async move { rocket.launch().await.map(|_| ()).map_err(|e| e.to_string()) });
    match rx.await {
        Ok(shutdown) => Ok((format!("http://127.0.0.1:{port}"), shutdown, task)),
        Err(_) => Err(match task.await {
            Ok(Err(e)) => format!("the portal failed to start: {e}"),
            _ => "the portal failed to start".into(),
        }),
    }
}

async fn user(emu: &Control, login: &str) -> Result<Value, String> {
    emu.try_user(login).await
}

fn n(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or(0)
}

/// What the emulator counts as "reached" for an account: its `/token` calls (all wrong
/// passwords here), or carol's wrong codes.
fn reached_so_far(login: &str, v: &Value) -> u64 {
    if login == CAROL {
        n(v, "failed_codes")
    } else {
        n(&v["token_traffic"], "token_requests")
    }
}

pub async fn run(o: &Options, secret: &str, seed: u64) -> Result<WeekMeasured, String> {
    count_panics();
    let running = testkit::try_start_with(EmulatorOptions::default()).await?;
    let clock = running.clock();
    let (base, shutdown, mut portal_task) = start_portal(running.issuer(), clock, secret).await?;
    let http = http_client(None)?;
    let emu = Control::with_client(http.clone(), running.base_url());
    // Readiness follows Okta discovery, which the portal runs in the background: wait
    // for it (bounded), as an operator's health check would.
    let mut ready = 0;
    for _ in 0..100 {
        ready = http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        if ready == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if ready != 200 {
        return Err(format!("the in-process portal is not ready ({ready})"));
    }

    let accounts: Vec<&'static str> = PASSWORD_ACCOUNTS.iter().copied().chain([CAROL]).collect();
    let tally = Arc::new(Tally::default());
    let mut rng = StdRng::seed_from_u64(seed);
    let start = emu.try_now().await?;
    let end = start + o.days as i64 * DAY;
    let mean_tick = DAY / o.per_day.max(1) as i64;
    let mut days: Vec<Vec<Day>> = vec![vec![Day::default(); o.days]; accounts.len()];
    let mut seen: Vec<u64> = vec![0; accounts.len()];
    let started = Instant::now();
    let mut now = start;
    let mut portal_crashed = None;
    let mut day = 0usize;
    'week: loop {
        // The next tick: 3/4 to 5/4 of the mean spacing.
        let tick = rng.gen_range(mean_tick * 3 / 4..=mean_tick * 5 / 4);
        let at = now + tick;
        // The days that end before the next tick: read the emulator's counters.
        while day < o.days && at >= start + (day as i64 + 1) * DAY {
            let day_end = start + (day as i64 + 1) * DAY;
            now = emu.try_advance((day_end - now).max(0)).await?;
            for (i, login) in accounts.iter().enumerate() {
                let v = user(&emu, login).await?;
                let total = reached_so_far(login, &v);
                let d = &mut days[i][day];
                d.reached = total - seen[i];
                seen[i] = total;
                d.consecutive = n(&v, "failed_passwords");
                d.locked = v["locked"].as_bool().unwrap_or(false);
            }
            day += 1;
        }
        if at >= end || day >= o.days {
            break;
        }
        now = emu.try_advance((at - now).max(0)).await?;
        let mut tasks = tokio::task::JoinSet::new();
        for (i, login) in accounts.iter().copied().enumerate() {
            let (http, base, tally, s) = (http.clone(), base.clone(), tally.clone(), rng.gen());
            tasks.spawn(async move {
                let outcomes = if login == CAROL {
                    wrong_codes(http, base, s, tally).await
                } else {
                    wrong_password(http, base, login, s, tally)
                        .await
                        .into_iter()
                        .collect()
                };
                (i, outcomes)
            });
        }
        while let Some(done) = tasks.join_next().await {
            let Ok((i, outcomes)) = done else {
                portal_crashed = Some("a simulation task panicked".to_string());
                break 'week;
            };
            let d = &mut days[i][day];
            for answer in outcomes {
                if !answer.starts_with("start") {
                    d.sent += 1;
                }
                *d.answers.entry(answer).or_default() += 1;
            }
        }
        if portal_task.is_finished() {
            portal_crashed = Some("the in-process portal stopped".to_string());
            break;
        }
    }
    let elapsed = started.elapsed();

    // After the week: the real users sign in with their right credentials, each from a
    // fresh browser (no device cookie) at a new address.
    let mut after = vec![];
    let mut b = Browser::new(http.clone(), &base, Some(random_ip(&mut rng)));
    after.push((ALICE.to_string(), Some(password_only(&mut b, ALICE).await)));
    let mut bob = Bob::new(Browser::new(http.clone(), &base, Some(random_ip(&mut rng))));
    let bob_result = match bob.fresh_step(&emu).await {
        Ok(Ok(step)) => bob.sign_in(step).await.map(|_| ()),
        Ok(Err(_)) => Err("no fresh TOTP step".into()),
        Err(e) => Err(e),
    };
    after.push((BOB.to_string(), Some(bob_result)));
    let carol = {
        let mut b = Browser::new(http.clone(), &base, Some(random_ip(&mut rng)));
        carol_otp(&mut b, &emu).await
    };
    after.push((CAROL.to_string(), Some(carol)));
    // Dave's second factor is a push with number challenge: not measured.
    after.push((DAVE.to_string(), None));

    let stats = emu.try_stats().await?;
    let locked_users = stats["locked_users"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let metrics = match http.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    if portal_crashed.is_none() && portal_task.is_finished() {
        portal_crashed = Some("the in-process portal stopped".into());
    }
    shutdown.notify();
    let _ = tokio::time::timeout(Duration::from_secs(5), &mut portal_task).await;
    let clock_moved = emu.try_now().await.unwrap_or(now) - start;
    drop(running);
    Ok(WeekMeasured {
        days: o.days,
        per_day: o.per_day,
        elapsed,
        accounts: accounts.iter().map(|a| a.to_string()).zip(days).collect(),
        tally,
        after,
        locked_users,
        stats,
        metrics,
        portal_crashed,
        panics: PANICS.load(Ordering::Relaxed),
        clock_moved,
    })
}
