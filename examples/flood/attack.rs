//! The attacker: workers that send wrong passwords at a steady pace, each with its own
//! cookies and CSRF token, switching to a fresh "browser" every few attempts.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::browser::Browser;
use crate::{Scenario, ALICE, ATTEMPTS_PER_JAR, BOB, BOB_FORWARDED_IP, DAVE};

#[derive(Default)]
pub struct AttackCounts {
    pub sent: AtomicU64,
    pub s303: AtomicU64,
    pub s401: AtomicU64,
    pub s429: AtomicU64,
    pub other: AtomicU64,
    pub errors: AtomicU64,
    pub other_statuses: Mutex<BTreeMap<u16, u64>>,
    pub last_error: Mutex<Option<String>>,
    pub wrong_ms: Mutex<Vec<f64>>,
    pub limited_ms: Mutex<Vec<f64>>,
    pub real_user_attempts: AtomicU64,
    /// Wrong passwords on bob that the portal forwarded (answered 401).
    pub bob_forwarded: AtomicU64,
}

pub struct Attack {
    pub scenario: Scenario,
    pub base: String,
    pub http: reqwest::Client,
    pub usernames: Vec<String>,
    pub attempts: u64,
    pub start: Instant,
    pub deadline: Instant,
    pub interval: Duration,
    pub next: AtomicU64,
    pub counts: AttackCounts,
}

pub fn random_ip(rng: &mut StdRng) -> String {
    loop {
        let ip = Ipv4Addr::from(rng.gen::<u32>());
        if !(ip.is_loopback() || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast())
            && ip.to_string() != BOB_FORWARDED_IP
        {
            return ip.to_string();
        }
    }
}

impl Attack {
    /// 10 % of the attempts name bob, 5 % alice, 5 % dave, the rest a random one of the
    /// made-up usernames.
    pub fn pick<'a>(&'a self, rng: &mut StdRng) -> &'a str {
        match rng.gen_range(0..100) {
            0..=9 => BOB,
            10..=14 => ALICE,
            15..=19 => DAVE,
            _ => &self.usernames[rng.gen_range(0..self.usernames.len())],
        }
    }

    pub async fn worker(self: Arc<Self>, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut session: Option<(Browser, String)> = None;
        let mut used = 0u32;
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.attempts {
                return;
            }
            let due = self.start + self.interval * i as u32;
            if due >= self.deadline {
                return;
            }
            tokio::time::sleep_until(due.into()).await;
            let forwarded = (self.scenario == Scenario::ManyIps).then(|| random_ip(&mut rng));
            if session.is_none() || used >= ATTEMPTS_PER_JAR {
                let mut b = Browser::new(self.http.clone(), &self.base, forwarded.clone());
                match b.get("/signin").await {
                    Ok(a) => match a.csrf() {
                        Some(token) => session = Some((b, token)),
                        None => {
                            self.tally_other(a.status);
                            continue;
                        }
                    },
                    Err(e) => {
                        self.tally_error(e);
                        continue;
                    }
                }
                used = 0;
            }
            let Some((browser, csrf)) = session.as_mut() else {
                continue;
            };
            browser.forwarded_for = forwarded;
            used += 1;
            let user = self.pick(&mut rng).to_string();
            if !user.ends_with("@example.org") {
                self.counts
                    .real_user_attempts
                    .fetch_add(1, Ordering::Relaxed);
            }
            let password = format!("Wr0ng-{:08x}!", rng.gen::<u32>());
            self.counts.sent.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let answer = browser
                .post(
                    "/signin",
                    &[
                        ("username", &user),
                        ("password", &password),
                        ("csrf_token", csrf.as_str()),
                    ],
                )
                .await;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            match answer {
                Ok(a) => {
                    match a.status {
                        303 => self.counts.s303.fetch_add(1, Ordering::Relaxed),
                        401 => {
                            if user == BOB {
                                self.counts.bob_forwarded.fetch_add(1, Ordering::Relaxed);
                            }
                            self.counts.wrong_ms.lock().push(ms);
                            self.counts.s401.fetch_add(1, Ordering::Relaxed)
                        }
                        429 => {
                            self.counts.limited_ms.lock().push(ms);
                            self.counts.s429.fetch_add(1, Ordering::Relaxed)
                        }
                        other => {
                            self.tally_other(other);
                            0
                        }
                    };
                    if let Some(token) = a.csrf() {
                        *csrf = token;
                    }
                    if a.status == 403 {
                        session = None;
                    }
                }
                Err(e) => {
                    self.tally_error(e);
                    session = None;
                }
            }
        }
    }

    pub fn tally_other(&self, status: u16) {
        self.counts.other.fetch_add(1, Ordering::Relaxed);
        *self.counts.other_statuses.lock().entry(status).or_default() += 1;
    }

    pub fn tally_error(&self, e: String) {
        self.counts.errors.fetch_add(1, Ordering::Relaxed);
        *self.counts.last_error.lock() = Some(e);
    }
}
