//! The real user: bob's browser signs in with his password and a TOTP code, keeps his
//! device cookie, and signs out, while the flood runs.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use testkit::{totp_at, Control};

use crate::browser::Browser;
use crate::{BOB, DEVICE_COOKIE, MAX_CLOCK_ADVANCE, PASSWORD};

/// Bob's browser. It keeps its cookies (so the device cookie of the last sign-in) across
/// sign-ins; each sign-in starts at the form and ends with a sign-out.
pub struct Bob {
    pub browser: Browser,
    pub used_steps: HashSet<i64>,
    pub advanced: i64,
    /// Whether the browser held a device cookie after its last sign-in.
    pub device_cookie: bool,
}

#[derive(Default)]
pub struct BobFigures {
    pub tries: usize,
    pub ok: usize,
    pub latencies_ms: Vec<f64>,
    pub failures: Vec<String>,
    pub clock_advanced: i64,
}

impl Bob {
    pub fn new(browser: Browser) -> Self {
        Bob {
            browser,
            used_steps: HashSet::new(),
            advanced: 0,
            device_cookie: false,
        }
    }

    /// A TOTP time step the emulator will accept and that has not been used yet, moving
    /// the emulator's clock when allowed; `Err(seconds)` when the only way is to wait
    /// that long for the next step.
    pub async fn fresh_step(&mut self, emu: &Control) -> Result<Result<i64, i64>, String> {
        loop {
            let now = emu.try_now().await?;
            let step = now.div_euclid(30);
            // The step before is accepted only until the boundary: keep a margin for a
            // slow sign-in under the flood.
            let earliest = if now.rem_euclid(30) < 25 {
                step - 1
            } else {
                step
            };
            if let Some(s) = (earliest..=step + 1).find(|s| !self.used_steps.contains(s)) {
                return Ok(Ok(s));
            }
            let to_next = (step + 1) * 30 - now;
            if self.advanced + to_next > MAX_CLOCK_ADVANCE {
                return Ok(Err(to_next));
            }
            emu.try_advance(to_next).await?;
            self.advanced += to_next;
        }
    }

    /// One complete sign-in; `Ok(latency)` when it reached `/account`.
    pub async fn sign_in(&mut self, step: i64) -> Result<Duration, String> {
        let b = &mut self.browser;
        let started = Instant::now();
        b.password_then_factor(BOB, PASSWORD, "otp", "/signin/verify")
            .await?;
        let code = totp_at(step * 30);
        self.used_steps.insert(step);
        b.enter_code(&code).await?;
        let account = b.get("/account").await?;
        let latency = started.elapsed();
        if account.status != 200 {
            return Err(format!("account page: {}", account.describe()));
        }
        self.device_cookie = b.jar.0.contains_key(DEVICE_COOKIE);
        let csrf = account.csrf().ok_or("no CSRF token on /account")?;
        let out = b.post("/signout", &[("csrf_token", &csrf)]).await?;
        if out.status != 303 {
            return Err(format!("sign-out: {}", out.describe()));
        }
        Ok(latency)
    }

    /// Signs in up to `count` times, spread evenly until `until`.
    pub async fn during_flood(
        &mut self,
        emu: &Control,
        count: usize,
        start: Instant,
        until: Instant,
    ) -> BobFigures {
        let mut f = BobFigures::default();
        let first = start + Duration::from_secs(2);
        let spacing = until.saturating_duration_since(first) / count as u32;
        for k in 0..count {
            let due = first + spacing * k as u32;
            tokio::time::sleep_until(due.into()).await;
            let step = loop {
                match self.fresh_step(emu).await {
                    Ok(Ok(step)) => break Some(step),
                    Ok(Err(wait)) if Instant::now() + Duration::from_secs(wait as u64) < until => {
                        tokio::time::sleep(Duration::from_millis(wait as u64 * 1000 + 200)).await
                    }
                    Ok(Err(_)) => break None,
                    Err(e) => {
                        f.failures.push(e);
                        break None;
                    }
                }
            };
            let Some(step) = step else { break };
            if Instant::now() >= until {
                break;
            }
            f.tries += 1;
            match self.sign_in(step).await {
                Ok(latency) => {
                    f.ok += 1;
                    f.latencies_ms.push(latency.as_secs_f64() * 1000.0);
                }
                Err(e) => f.failures.push(e),
            }
        }
        f.clock_advanced = self.advanced;
        f
    }
}
