//! Code and delivery floods (issue 8, item 9) against a fresh emulator and portal as
//! processes, the portal trusting 127.0.0.1 as a proxy, every request with a random
//! `X-Forwarded-For`:
//! - `otp-flood`: passwordless OTP starts for carol and made-up names, each followed by
//!   random six-digit codes, then "try another way" and the same factor again, over and
//!   over; what reached the emulator is its `failed_codes` per real account;
//! - `push-flood`: passwordless push and SMS starts for carol, dave (whose policy refuses
//!   passwordless push: a decoy) and made-up names, some flows polled like the wait page
//!   does; what reached real users is the emulator's `pushes_sent` and `messages_sent`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::attack::random_ip;
use crate::browser::{Answer, Browser};
use crate::procs::memory_kib;
use crate::report::Tally;
use crate::scenario::{panics_in, start_pair, Pair};
use crate::{Options, ALICE, BOB, CAROL, DAVE};

/// Wrong codes a flood client tries in one flow before it asks for another way.
const CODES_PER_FLOW: usize = 6;
/// Flows one flood client runs in one browser ("try another way", then the same factor).
const FLOWS_PER_BROWSER: usize = 3;

/// What a code or delivery flood measured.
pub struct CodeMeasured {
    pub title: &'static str,
    /// New browsers (flows) per second over all clients.
    pub rate: f64,
    pub elapsed: Duration,
    pub concurrency: usize,
    pub usernames: usize,
    pub tally: Arc<Tally>,
    /// `GET /emulator/users/{login}` of carol, bob, alice and dave after the flood.
    pub users: Vec<(String, Value)>,
    /// Codes that signed a flood client in (must stay empty).
    pub break_ins: Vec<String>,
    pub rss_before: u64,
    pub rss_after: u64,
    pub rss_peak: u64,
    pub metrics: String,
    pub stats: Value,
    pub portal_exit: Option<String>,
    pub panics: usize,
    pub portal_log: std::path::PathBuf,
}

struct Flood {
    base: String,
    http: reqwest::Client,
    usernames: Vec<String>,
    start: Instant,
    deadline: Instant,
    /// Time between two new browsers, over all clients (`--code-rate`).
    interval: Duration,
    next: AtomicU64,
    tally: Arc<Tally>,
    break_ins: Mutex<Vec<String>>,
}

fn who(user: &str) -> &'static str {
    match user {
        CAROL => "carol",
        DAVE => "dave",
        BOB => "bob",
        _ => "made-up",
    }
}

impl Flood {
    /// Waits for this client's next browser, at the flood's pace; false when the flood is
    /// over.
    async fn next_browser(&self) -> bool {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let due = self.start + self.interval.mul_f64(i as f64);
        if due >= self.deadline {
            return false;
        }
        tokio::time::sleep_until(due.into()).await;
        true
    }

    fn made_up<'a>(&'a self, rng: &mut StdRng) -> &'a str {
        &self.usernames[rng.gen_range(0..self.usernames.len())]
    }

    /// A fresh browser from a random address, on the sign-in form; `None` (tallied) when
    /// the form did not come.
    async fn fresh(&self, rng: &mut StdRng) -> Option<(Browser, String)> {
        let mut b = Browser::new(self.http.clone(), &self.base, Some(random_ip(rng)));
        let form = b.get("/signin").await;
        match form.as_ref().ok().and_then(Answer::csrf) {
            Some(csrf) => Some((b, csrf)),
            None => {
                self.tally.answer("GET /signin", &form);
                None
            }
        }
    }

    /// GETs `path` and returns its CSRF token.
    async fn csrf_of(&self, b: &mut Browser, path: &str) -> Option<String> {
        b.get(path).await.ok().as_ref().and_then(Answer::csrf)
    }

    async fn otp_worker(self: Arc<Self>, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        while self.next_browser().await {
            let Some((mut b, mut csrf)) = self.fresh(&mut rng).await else {
                continue;
            };
            // Half the flows name carol, the other half a made-up name.
            let user = if rng.gen_bool(0.5) {
                CAROL.to_string()
            } else {
                self.made_up(&mut rng).to_string()
            };
            let row = |what: &str| format!("{what} ({})", who(&user));
            'flows: for _ in 0..FLOWS_PER_BROWSER {
                if Instant::now() >= self.deadline {
                    break;
                }
                b.forwarded_for = Some(random_ip(&mut rng));
                let a = b
                    .post(
                        "/signin/passwordless",
                        &[
                            ("username", user.as_str()),
                            ("method", "otp"),
                            ("csrf_token", csrf.as_str()),
                        ],
                    )
                    .await;
                self.tally.answer(&row("OTP start"), &a);
                let Ok(a) = a else { break };
                if a.status != 303 || a.location.as_deref() != Some("/signin/verify") {
                    break;
                }
                match self.csrf_of(&mut b, "/signin/verify").await {
                    Some(t) => csrf = t,
                    None => break,
                }
                for _ in 0..CODES_PER_FLOW {
                    b.forwarded_for = Some(random_ip(&mut rng));
                    let code = format!("{:06}", rng.gen_range(0..1_000_000u32));
                    let a = b
                        .post(
                            "/signin/verify",
                            &[("code", code.as_str()), ("csrf_token", csrf.as_str())],
                        )
                        .await;
                    self.tally.answer(&row("code"), &a);
                    let Ok(a) = a else { break 'flows };
                    if let Some(t) = a.csrf() {
                        csrf = t;
                    }
                    match (a.status, a.location.as_deref()) {
                        (401 | 429 | 422, _) => {}
                        (303, Some(to)) if !to.starts_with("/signin") => {
                            self.break_ins
                                .lock()
                                .push(format!("{} signed in (redirect to {to})", who(&user)));
                            break 'flows;
                        }
                        // The flow ended (too many codes, expired): start another.
                        (303, _) => break,
                        _ => break 'flows,
                    }
                }
                // "Try another way", then the same factor again in the same browser.
                b.forwarded_for = Some(random_ip(&mut rng));
                let a = b
                    .post("/signin/switch", &[("csrf_token", csrf.as_str())])
                    .await;
                self.tally.answer(&row("try another way"), &a);
                let to = match &a {
                    Ok(a) if a.status == 303 => a.location.clone().unwrap_or_default(),
                    _ => "/signin".to_string(),
                };
                match self.csrf_of(&mut b, &to).await {
                    Some(t) => csrf = t,
                    None => match self.csrf_of(&mut b, "/signin").await {
                        Some(t) => csrf = t,
                        None => break,
                    },
                }
            }
        }
    }

    async fn push_worker(self: Arc<Self>, seed: u64, poller: bool) {
        let mut rng = StdRng::seed_from_u64(seed);
        while self.next_browser().await {
            let Some((mut b, csrf)) = self.fresh(&mut rng).await else {
                continue;
            };
            let user = match rng.gen_range(0..100) {
                0..=34 => CAROL.to_string(),
                35..=69 => DAVE.to_string(),
                _ => self.made_up(&mut rng).to_string(),
            };
            let method = if rng.gen_bool(0.6) { "push" } else { "sms" };
            let row = |what: &str| format!("{what} ({})", who(&user));
            let a = b
                .post(
                    "/signin/passwordless",
                    &[
                        ("username", user.as_str()),
                        ("method", method),
                        ("csrf_token", csrf.as_str()),
                    ],
                )
                .await;
            self.tally.answer(&row(&format!("{method} start")), &a);
            let Ok(a) = a else { continue };
            match a.location.as_deref() {
                Some("/signin/wait") if poller => {
                    // Like the wait page's script: a status poll every second for 12 s
                    // (the portal decides when a poll reaches Okta).
                    for _ in 0..12 {
                        if Instant::now() >= self.deadline {
                            break;
                        }
                        b.forwarded_for = Some(random_ip(&mut rng));
                        let a = b.get("/signin/wait/status").await;
                        self.tally.answer(&row("wait status poll"), &a);
                        let pending = a
                            .ok()
                            .and_then(|a| serde_json::from_str::<Value>(&a.body).ok())
                            .is_some_and(|v| v["state"] == "pending");
                        if !pending {
                            break;
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                Some("/signin/verify") => {
                    // An SMS flow: ask for the code again at once.
                    let Some(csrf) = self.csrf_of(&mut b, "/signin/verify").await else {
                        continue;
                    };
                    b.forwarded_for = Some(random_ip(&mut rng));
                    let a = b
                        .post("/signin/resend", &[("csrf_token", csrf.as_str())])
                        .await;
                    self.tally.answer(&row("resend"), &a);
                }
                _ => {}
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Otp,
    Push,
}

pub async fn run(o: &Options, kind: Kind, secret: &str, seed: u64) -> Result<CodeMeasured, String> {
    let (slug, title) = match kind {
        Kind::Otp => ("otp-flood", "OTP flood"),
        Kind::Push => ("push-flood", "push flood"),
    };
    let Pair {
        emulator,
        mut portal,
        emu,
        base,
        plain,
        portal_log,
    } = start_pair(slug, true, secret).await?;
    let mut rng = StdRng::seed_from_u64(seed);
    let usernames: Vec<String> = (0..o.usernames)
        .map(|_| format!("user-{:08x}@example.org", rng.gen::<u32>()))
        .collect();
    let (rss_before, _) = memory_kib(portal.pid());
    let started = Instant::now();
    let flood = Arc::new(Flood {
        base: base.clone(),
        http: plain.clone(),
        usernames,
        start: started,
        deadline: started + Duration::from_secs_f64(o.code_seconds),
        interval: Duration::from_secs_f64(1.0 / o.code_rate),
        next: AtomicU64::new(0),
        tally: Arc::new(Tally::default()),
        break_ins: Mutex::new(vec![]),
    });
    let concurrency = o.code_concurrency;
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let seed = seed ^ ((w as u64 + 1) * 0x9e37_79b9);
            match kind {
                Kind::Otp => tokio::spawn(flood.clone().otp_worker(seed)),
                Kind::Push => tokio::spawn(flood.clone().push_worker(seed, w % 2 == 0)),
            }
        })
        .collect();
    let stragglers = flood.deadline + Duration::from_secs(30);
    for w in workers {
        let abort = w.abort_handle();
        if tokio::time::timeout_at(stragglers.into(), w).await.is_err() {
            abort.abort();
        }
    }
    let elapsed = started.elapsed();
    let portal_exit = portal.exited();
    let (rss_after, rss_peak) = memory_kib(portal.pid());
    let mut users = vec![];
    for login in [CAROL, BOB, ALICE, DAVE] {
        users.push((login.to_string(), emu.try_user(login).await?));
    }
    let stats = emu.try_stats().await?;
    let metrics = match plain.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    drop(portal);
    drop(emulator);
    let break_ins = flood.break_ins.lock().clone();
    Ok(CodeMeasured {
        title,
        rate: o.code_rate,
        elapsed,
        concurrency,
        usernames: o.usernames,
        tally: flood.tally.clone(),
        users,
        break_ins,
        rss_before,
        rss_after,
        rss_peak,
        metrics,
        stats,
        portal_exit,
        panics: panics_in(&portal_log),
        portal_log,
    })
}
