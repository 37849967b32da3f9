//! One simulated attacker's attempt of `slow-week`, and the real users' sign-ins.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::attack::random_ip;
use testkit::{totp_at, Control};

use crate::browser::{Answer, Browser};
use crate::report::Tally;
use crate::{CAROL, PASSWORD};

use super::*;

/// One wrong password for `user` from a fresh browser at a random address.
pub(super) async fn wrong_password(
    http: reqwest::Client,
    base: String,
    user: &'static str,
    seed: u64,
    tally: Arc<Tally>,
) -> Option<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut b = Browser::new(http, &base, Some(random_ip(&mut rng)));
    let form = b.get("/signin").await;
    let Some(csrf) = form.as_ref().ok().and_then(Answer::csrf) else {
        tally.answer("GET /signin", &form);
        return None;
    };
    let password = format!("Wr0ng-{:08x}!", rng.gen::<u32>());
    let a = b
        .post(
            "/signin",
            &[
                ("username", user),
                ("password", &password),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    tally.answer("wrong password", &a);
    Some(outcome(&a))
}

/// A passwordless OTP flow for carol with `CODES_PER_FLOW` random codes; the outcomes of
/// the codes (or of the start, when it did not reach the code page).
pub(super) async fn wrong_codes(
    http: reqwest::Client,
    base: String,
    seed: u64,
    tally: Arc<Tally>,
) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut b = Browser::new(http, &base, Some(random_ip(&mut rng)));
    let form = b.get("/signin").await;
    let Some(mut csrf) = form.as_ref().ok().and_then(Answer::csrf) else {
        tally.answer("GET /signin", &form);
        return vec![];
    };
    let a = b
        .post(
            "/signin/passwordless",
            &[
                ("username", CAROL),
                ("method", "otp"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    tally.answer("OTP start (carol)", &a);
    match &a {
        Ok(a) if a.status == 303 && a.location.as_deref() == Some("/signin/verify") => {}
        _ => return vec![format!("start {}", outcome(&a))],
    }
    match b
        .get("/signin/verify")
        .await
        .ok()
        .as_ref()
        .and_then(Answer::csrf)
    {
        Some(t) => csrf = t,
        None => return vec![],
    }
    let mut out = vec![];
    for _ in 0..CODES_PER_FLOW {
        b.forwarded_for = Some(random_ip(&mut rng));
        let code = format!("{:06}", rng.gen_range(0..1_000_000u32));
        let a = b
            .post("/signin/verify", &[("code", &code), ("csrf_token", &csrf)])
            .await;
        tally.answer("wrong code (carol)", &a);
        out.push(outcome(&a));
        match &a {
            Ok(a) => {
                if let Some(t) = a.csrf() {
                    csrf = t;
                }
                if a.status == 303 {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    out
}

pub(super) fn outcome(a: &Result<Answer, String>) -> String {
    match a {
        Ok(a) if a.status == 303 => format!("303 {}", a.location.as_deref().unwrap_or("")),
        Ok(a) => a.status.to_string(),
        Err(_) => "error".into(),
    }
}

/// A sign-in with the right password, expected to end on `/account`.
pub(super) async fn password_only(b: &mut Browser, user: &str) -> Result<(), String> {
    let form = b.get("/signin").await?;
    let csrf = form.csrf().ok_or("no CSRF token on /signin")?;
    let a = b
        .post(
            "/signin",
            &[
                ("username", user),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await?;
    match a.location.as_deref() {
        Some("/account") if a.status == 303 => Ok(()),
        _ => Err(format!("password: {}", a.describe())),
    }
}

/// Carol's passwordless OTP sign-in with the right code (the demo users share one TOTP
/// secret, the kit's `totp_at`).
pub(super) async fn carol_otp(b: &mut Browser, emu: &Control) -> Result<(), String> {
    let form = b.get("/signin").await?;
    let csrf = form.csrf().ok_or("no CSRF token on /signin")?;
    let a = b
        .post(
            "/signin/passwordless",
            &[
                ("username", CAROL),
                ("method", "otp"),
                ("csrf_token", &csrf),
            ],
        )
        .await?;
    if a.location.as_deref() != Some("/signin/verify") {
        return Err(format!("start: {}", a.describe()));
    }
    let page = b.get("/signin/verify").await?;
    let csrf = page.csrf().ok_or("no CSRF token on /signin/verify")?;
    // Carol's own used steps are separate from bob's at the emulator: the current step.
    let now = emu.try_now().await?;
    let code = totp_at(now);
    let a = b
        .post("/signin/verify", &[("code", &code), ("csrf_token", &csrf)])
        .await?;
    match a.location.as_deref() {
        Some("/account") if a.status == 303 => Ok(()),
        _ => Err(format!("code: {}", a.describe())),
    }
}
