//! Complete sign-ins as a browser makes them (each in a fresh cookie jar), and the CPU
//! they cost the server: the server process's own CPU time (`/proc/<pid>/stat`, user +
//! system, all threads) before and after a batch, divided by the sign-ins completed. The
//! emulator, Redis and the load generator are other processes, so their CPU is not in it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use testkit::control::Control;

use super::browser::{http_client, Answer, Browser};
use super::procs::Proc;
use super::users;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// GET /signin, POST /signin (Okta /token), GET /account (Okta /userinfo).
    Password,
    /// Password, then the factor choice and an authenticator code (two /token calls).
    PasswordTotp,
    /// Passwordless email: the start (/challenge... /token), the code, the account page.
    Email,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Password => "password only",
            Kind::PasswordTotp => "password + TOTP",
            Kind::Email => "passwordless email",
        }
    }

    pub fn user(self, i: usize) -> String {
        match self {
            Kind::Password => users::password_user(i),
            Kind::PasswordTotp => users::totp_user(i),
            Kind::Email => users::email_user(i),
        }
    }
}

fn expect(a: &Answer, to: &str, what: &str) -> Result<(), String> {
    if a.status == 303 && a.location.as_deref() == Some(to) {
        Ok(())
    } else {
        Err(format!(
            "{what}: expected 303 to {to}, got {}",
            a.describe()
        ))
    }
}

fn csrf(a: &Answer, page: &str) -> Result<String, String> {
    if a.status != 200 {
        return Err(format!("{page}: {}", a.describe()));
    }
    a.csrf().ok_or_else(|| format!("no CSRF token on {page}"))
}

/// One complete sign-in of `user`, ending with the account page (200).
pub async fn sign_in(
    b: &mut Browser,
    kind: Kind,
    user: &str,
    control: &Control,
) -> Result<(), String> {
    let form = b.get("/signin").await?;
    let token = csrf(&form, "/signin")?;
    match kind {
        Kind::Password | Kind::PasswordTotp => {
            let a = b
                .post(
                    "/signin",
                    &[
                        ("username", user),
                        ("password", users::PASSWORD),
                        ("csrf_token", &token),
                    ],
                )
                .await?;
            if kind == Kind::Password {
                expect(&a, "/account", "password")?;
            } else {
                expect(&a, "/signin/factor", "password")?;
                let page = b.get("/signin/factor").await?;
                let token = csrf(&page, "/signin/factor")?;
                let a = b
                    .post(
                        "/signin/factor",
                        &[("factor", "otp"), ("csrf_token", &token)],
                    )
                    .await?;
                expect(&a, "/signin/verify", "factor")?;
                let page = b.get("/signin/verify").await?;
                let token = csrf(&page, "/signin/verify")?;
                // The emulator's clock is not moved in the bench: the real time's step.
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                let code = testkit::totp::totp_at(now);
                let a = b
                    .post("/signin/verify", &[("code", &code), ("csrf_token", &token)])
                    .await?;
                expect(&a, "/account", "code")?;
            }
        }
        Kind::Email => {
            let a = b
                .post(
                    "/signin/passwordless",
                    &[
                        ("username", user),
                        ("method", "email"),
                        ("csrf_token", &token),
                    ],
                )
                .await?;
            expect(&a, "/signin/verify", "passwordless start")?;
            let page = b.get("/signin/verify").await?;
            let token = csrf(&page, "/signin/verify")?;
            let code = control
                .outbox(user)
                .await
                .first()
                .and_then(|m| m["code"].as_str().map(str::to_string))
                .ok_or("no email code in the emulator's outbox")?;
            let a = b
                .post("/signin/verify", &[("code", &code), ("csrf_token", &token)])
                .await?;
            expect(&a, "/account", "code")?;
        }
    }
    let account = b.get("/account").await?;
    if account.status != 200 {
        return Err(format!("/account: {}", account.describe()));
    }
    Ok(())
}

/// What a batch of sign-ins cost the server.
#[derive(Clone, Debug)]
pub struct Cost {
    pub signins: usize,
    pub cpu_ms_per_signin: f64,
    pub signins_per_second: f64,
}

/// `count` sign-ins of users `first..first+count` (each user once), `concurrency` at a
/// time, each in a fresh browser; the server's CPU time around the batch.
pub async fn batch(
    server: &Proc,
    base: &str,
    control: &Control,
    kind: Kind,
    first: usize,
    count: usize,
    concurrency: usize,
) -> Result<Cost, String> {
    let http = http_client(None)?;
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (http, next, base, control) = (
            http.clone(),
            next.clone(),
            base.to_string(),
            control.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<(), String>(());
                }
                let user = kind.user(first + i);
                let mut b = Browser::new(http.clone(), &base, None);
                sign_in(&mut b, kind, &user, &control)
                    .await
                    .map_err(|e| format!("{} sign-in of {user}: {e}", kind.title()))?;
            }
        }));
    }
    for w in workers {
        w.await.map_err(|e| e.to_string())??;
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds() - cpu_before;
    Ok(Cost {
        signins: count,
        cpu_ms_per_signin: cpu * 1000.0 / count as f64,
        signins_per_second: count as f64 / wall,
    })
}
