//! The real users: each a browser of its own (its own cookies, a fixed forwarded address)
//! that signs in with password + TOTP or password + push, stays signed in for a while,
//! re-checks `/account` after every fault, signs out, and starts again.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use testkit::{totp_at, Control};

use crate::browser::Browser;
use crate::fleet::{Fleet, Kind};
use crate::tally::{Check, Tally, Who};

/// Longest a single sign-in may take before it counts as failed (a push waits for the
/// portal's poll interval, 5 s, and longer under faults).
const SIGNIN_LIMIT: Duration = Duration::from_secs(60);
/// Between two users' first sign-ins in the warm-up.
const WARM_UP_SPACING: Duration = Duration::from_millis(200);

/// One real user and their browser.
pub struct RealUser {
    pub login: String,
    password: String,
    kind: Kind,
    browser: Browser,
    used_steps: HashSet<i64>,
    /// Whether the browser holds a session that answered `/account`.
    pub signed_in: bool,
    account_csrf: Option<String>,
}

/// The real users of the fleet's users file, none signed in yet.
pub fn make(fleet: &Fleet) -> Vec<RealUser> {
    fleet
        .users
        .iter()
        .enumerate()
        .map(|(i, spec)| RealUser {
            login: spec.login.clone(),
            password: spec.password.clone(),
            kind: spec.kind,
            browser: Browser::new(
                fleet.http.clone(),
                &fleet.base,
                Some(format!("198.51.{}.{}", 100 + i / 250, i % 250 + 1)),
            ),
            used_steps: HashSet::new(),
            signed_in: false,
            account_csrf: None,
        })
        .collect()
}

/// Every user signs in once, five a second, before the flood: the browsers get their device
/// cookies, as those of people who signed in before.
pub async fn warm_up(users: Vec<RealUser>, fleet: &Fleet, tally: &Tally) -> Vec<RealUser> {
    let tasks: Vec<_> = users
        .into_iter()
        .enumerate()
        .map(|(i, mut u)| {
            let emu = fleet.emu.clone();
            tokio::spawn(async move {
                // Five a second: a crowd of first sign-ins at once would meet the
                // ceiling's untrusted share (browsers without a device cookie yet).
                tokio::time::sleep(WARM_UP_SPACING * i as u32).await;
                let r = u.sign_in(&emu).await;
                (u, r)
            })
        })
        .collect();
    let mut out = vec![];
    for t in tasks {
        if let Ok((mut u, r)) = t.await {
            tally.server_errors(Who::Real, &mut u.browser.server_errors);
            if let Err(e) = &r {
                println!("   {} ({}): {e}", u.login, u.kind.name());
            }
            tally.signin(u.kind.name(), r.err());
            out.push(u);
        }
    }
    out
}

impl RealUser {
    /// A TOTP step the emulator accepts at `now` and this user has not used, or how many
    /// seconds until the next step.
    fn usable_step(&self, now: i64) -> Result<i64, i64> {
        let step = now.div_euclid(30);
        // The step before is accepted only until the boundary: keep a margin.
        let earliest = if now.rem_euclid(30) < 25 {
            step - 1
        } else {
            step
        };
        (earliest..=step + 1)
            .find(|s| !self.used_steps.contains(s))
            .ok_or((step + 1) * 30 - now)
    }

    /// A usable TOTP step, waiting for the next step when all are used.
    async fn fresh_step(&mut self, emu: &Control) -> Result<i64, String> {
        loop {
            match self.usable_step(emu.try_now().await?) {
                Ok(step) => return Ok(step),
                Err(wait) => tokio::time::sleep(Duration::from_secs(wait.max(1) as u64)).await,
            }
        }
    }

    /// How long to stay signed in: a while, and for a TOTP user at least until a code is
    /// usable again (plus a few seconds, so the users do not all sign in at the boundary).
    async fn hold_for(&self, emu: &Control, rng: &mut StdRng) -> Duration {
        let mut ms = rng.gen_range(5_000..12_000);
        if self.kind == Kind::Totp {
            if let Ok(now) = emu.try_now().await {
                if let Err(wait) = self.usable_step(now) {
                    ms = ms.max(wait as u64 * 1000 + rng.gen_range(0..5_000));
                }
            }
        }
        Duration::from_millis(ms)
    }

    /// Approves this user's newest pending push at the emulator (waits up to 10 s for it).
    async fn approve_push(&self, emu: &Control) -> Result<(), String> {
        let started = Instant::now();
        loop {
            let pushes = emu
                .try_get_json(&format!("/emulator/pushes?user={}", self.login))
                .await?;
            if let Some(id) = pushes.get(0).and_then(|p| p["id"].as_str()) {
                let url = emu.url(&format!("/emulator/pushes/{id}/approve"));
                let r = emu.try_send(emu.http.post(url)).await?;
                return match r.status {
                    200 => Ok(()),
                    s => Err(format!("approve: {s} {}", r.text)),
                };
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err("no pending push at the emulator".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits on `/signin/wait/status` until the push is approved (then follows the
    /// redirect) or denied or expired.
    async fn wait_for_push(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            let a = self.browser.get("/signin/wait/status").await?;
            let status: Value = serde_json::from_str(&a.body)
                .map_err(|_| format!("wait status: {} (not JSON)", a.status))?;
            match status["state"].as_str() {
                Some("approved") => return Ok(()),
                Some("pending") if started.elapsed() < Duration::from_secs(40) => {
                    tokio::time::sleep(Duration::from_secs(1)).await
                }
                other => return Err(format!("wait status: {} {other:?}", a.status)),
            }
        }
    }

    /// One sign-in through every step, ending on `/account`.
    async fn sign_in_steps(&mut self, emu: &Control) -> Result<(), String> {
        match self.kind {
            Kind::Totp => {
                let step = self.fresh_step(emu).await?;
                self.browser
                    .password_then_factor(&self.login, &self.password, "otp", "/signin/verify")
                    .await?;
                self.used_steps.insert(step);
                self.browser.enter_code(&totp_at(step * 30)).await?;
            }
            Kind::Push => {
                self.browser
                    .password_then_factor(&self.login, &self.password, "push", "/signin/wait")
                    .await?;
                let page = self.browser.get("/signin/wait").await?;
                if page.status != 200 {
                    return Err(format!("wait page: {}", page.describe()));
                }
                self.approve_push(emu).await?;
                self.wait_for_push().await?;
            }
        }
        let account = self.browser.get("/account").await?;
        if account.status != 200 {
            return Err(format!("account page: {}", account.describe()));
        }
        self.account_csrf = account.csrf();
        self.signed_in = true;
        Ok(())
    }

    /// One sign-in, bounded in time.
    pub async fn sign_in(&mut self, emu: &Control) -> Result<(), String> {
        match tokio::time::timeout(SIGNIN_LIMIT, self.sign_in_steps(emu)).await {
            Ok(r) => r,
            Err(_) => Err(format!("no sign-in within {} s", SIGNIN_LIMIT.as_secs())),
        }
    }

    /// `GET /account`: alive (200), lost (sent to sign in), or no clear answer after six
    /// tries a second apart.
    async fn check(&mut self, tally: &Tally) -> Check {
        for _ in 0..6 {
            let a = self.browser.get("/account").await;
            tally.server_errors(Who::Real, &mut self.browser.server_errors);
            match a {
                Ok(a) if a.status == 200 => {
                    self.account_csrf = a.csrf();
                    return Check::Alive;
                }
                Ok(a)
                    if a.status == 303
                        && a.location.as_deref().unwrap_or("").starts_with("/signin") =>
                {
                    return Check::Lost
                }
                Ok(_) => {}
                Err(_) => tally.transport_error(Who::Real),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Check::Unreachable
    }

    /// Re-checks the session, records the outcome; `false` when it is lost.
    async fn recheck(&mut self, tally: &Tally) -> bool {
        let c = self.check(tally).await;
        tally.check(c, &self.login);
        if c == Check::Lost {
            println!(
                "   t={:5.1}  session lost: {} ({}) was sent to sign in",
                tally.now(),
                self.login,
                self.kind.name()
            );
            self.signed_in = false;
            false
        } else {
            true
        }
    }

    async fn sign_out(&mut self, tally: &Tally) -> bool {
        let Some(csrf) = self.account_csrf.clone() else {
            return false;
        };
        let a = self
            .browser
            .post("/signout", &[("csrf_token", &csrf)])
            .await;
        tally.server_errors(Who::Real, &mut self.browser.server_errors);
        let ok = matches!(&a, Ok(a) if a.status == 303);
        if a.is_err() {
            tally.transport_error(Who::Real);
        }
        tally.signout(ok);
        ok
    }

    /// Signs in, holds the session (re-checking it after each fault), signs out, again,
    /// until `deadline`: whatever is under way then is dropped, not counted.
    pub async fn run(
        mut self,
        emu: Control,
        tally: std::sync::Arc<Tally>,
        faults: tokio::sync::watch::Receiver<u64>,
        deadline: Instant,
    ) -> RealUser {
        tokio::select! {
            _ = self.cycle(&emu, &tally, faults, deadline) => {}
            _ = tokio::time::sleep_until(deadline.into()) => {}
        }
        self
    }

    async fn cycle(
        &mut self,
        emu: &Control,
        tally: &Tally,
        mut faults: tokio::sync::watch::Receiver<u64>,
        deadline: Instant,
    ) {
        let mut rng = StdRng::from_entropy();
        while Instant::now() < deadline {
            if !self.signed_in {
                let r = self.sign_in(emu).await;
                tally.server_errors(Who::Real, &mut self.browser.server_errors);
                if let Err(e) = &r {
                    println!(
                        "   t={:5.1}  sign-in failed: {} ({}): {e}",
                        tally.now(),
                        self.login,
                        self.kind.name()
                    );
                }
                let failed = r.is_err();
                tally.signin(self.kind.name(), r.err());
                faults.borrow_and_update();
                if failed {
                    let pause = rng.gen_range(2000..4000);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                    continue;
                }
            }
            let hold = Instant::now() + self.hold_for(emu, &mut rng).await;
            let mut alive = true;
            while alive && Instant::now() < hold {
                tokio::select! {
                    _ = tokio::time::sleep_until(hold.into()) => {}
                    changed = faults.changed() => {
                        if changed.is_err() {
                            break;
                        }
                        alive = self.recheck(tally).await;
                    }
                }
            }
            if !alive {
                continue;
            }
            // One last look before signing out, then the sign-out.
            if self.recheck(tally).await && self.sign_out(tally).await {
                self.signed_in = false;
                self.account_csrf = None;
            }
            let pause = rng.gen_range(1000..3000);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }
}
