//! Credential-stuffing flood simulation (issue 4, item 4): a measurement, not a test.
//!
//! Run it with `scripts/flood` (which builds the release binary and this example first).
//! For each scenario it starts a fresh emulator and a fresh portal as processes on
//! loopback ports, then:
//! - floods `POST /signin` with thousands of wrong passwords over many usernames, among
//!   them three real users (bob, alice, dave), from many concurrent clients that each keep
//!   their own cookies and CSRF token;
//! - meanwhile signs the real user bob in repeatedly, like a browser that kept the device
//!   cookie of an earlier sign-in: password, then a TOTP code, then sign-out;
//! - prints what the attacker got, what reached the emulator ("Okta"), whether bob got
//!   locked, bob's sign-in latency, and the portal's memory.
//!
//! Scenario "one IP": every attack request comes from 127.0.0.1 with no
//! `X-Forwarded-For`; bob comes from 127.0.0.2 (another loopback address: the attacker
//! is not on bob's network). Scenario "many IPs": the portal trusts 127.0.0.1 as a proxy
//! and every attack request carries a different random `X-Forwarded-For`; bob's requests
//! carry his own, fixed one.
//!
//! Bob's TOTP codes: the emulator accepts a code of the current 30 s step or the one
//! before or after, each once. So that bob can sign in more often than once per 30 s, the
//! simulation moves the emulator's clock forward by up to 105 s per scenario (the portal
//! accepts ID tokens issued up to 120 s in its future). A forward jump can only split the
//! emulator's one-second windows, never fill them.
//!
//! Bob's sign-in latency runs from `GET /signin` to the account page (seven requests:
//! form, password, factor page, factor choice, code page, code, account page).
//!
//! Exit status: 0 when the protections held; 1 when bob got locked at the emulator, when
//! the emulator saw more than 4 `/token` requests in one second for any username, when
//! bob never signed in during a flood, when his browser got no device cookie, or when the
//! portal exited or panicked; 2 when the simulation itself could not run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret as TotpSecret, TOTP};

const BOB: &str = "bob@example.com";
const ALICE: &str = "alice@example.com";
const DAVE: &str = "dave@example.com";
const PASSWORD: &str = "Sup3r-Secret!";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
const CLIENT_ID: &str = "demo-portal";
const CLIENT_SECRET: &str = "demo-portal-secret";
/// Okta's per-username limit on `/token`.
const OKTA_PER_USER_PER_SECOND: u64 = 4;
/// How far the emulator's clock may be moved (the portal tolerates 120 s of `iat` skew).
const MAX_CLOCK_ADVANCE: i64 = 105;
/// Bob's own address: another loopback address in "one IP", a forwarded one in "many IPs".
const BOB_SOCKET_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const BOB_FORWARDED_IP: &str = "203.0.113.77";
/// Attack clients switch to a fresh cookie jar (a new "browser") after this many attempts.
const ATTEMPTS_PER_JAR: u32 = 10;
const DEVICE_COOKIE: &str = "__Host-device";

// ------------------------------------------------------------------------ options

#[derive(Clone, Debug)]
struct Options {
    attempts: u64,
    seconds: f64,
    usernames: usize,
    concurrency: usize,
    bob_signins: usize,
    scenarios: Vec<Scenario>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    OneIp,
    ManyIps,
}

impl Scenario {
    fn title(self) -> &'static str {
        match self {
            Scenario::OneIp => "one IP",
            Scenario::ManyIps => "many IPs",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Scenario::OneIp => "one-ip",
            Scenario::ManyIps => "many-ips",
        }
    }
}

const USAGE: &str = "usage: flood [--attempts N] [--seconds S] [--usernames N] [--concurrency N] \
[--bob-signins N] [--scenario one-ip|many-ips|both]";

fn parse_options() -> Result<Options, String> {
    let mut o = Options {
        attempts: 3000,
        seconds: 60.0,
        usernames: 200,
        concurrency: 48,
        bob_signins: 8,
        scenarios: vec![Scenario::OneIp, Scenario::ManyIps],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = || format!("{flag}: not a valid value: {value}");
        match flag.as_str() {
            "--attempts" => o.attempts = value.parse().map_err(|_| bad())?,
            "--seconds" => o.seconds = value.parse().map_err(|_| bad())?,
            "--usernames" => o.usernames = value.parse().map_err(|_| bad())?,
            "--concurrency" => o.concurrency = value.parse().map_err(|_| bad())?,
            "--bob-signins" => o.bob_signins = value.parse().map_err(|_| bad())?,
            "--scenario" => {
                o.scenarios = match value.as_str() {
                    "one-ip" => vec![Scenario::OneIp],
                    "many-ips" => vec![Scenario::ManyIps],
                    "both" => vec![Scenario::OneIp, Scenario::ManyIps],
                    _ => return Err(format!("--scenario: one-ip, many-ips or both\n{USAGE}")),
                }
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    // Everything stays bounded, whatever is asked.
    o.attempts = o.attempts.clamp(1, 20_000);
    o.seconds = o.seconds.clamp(5.0, 120.0);
    o.usernames = o.usernames.clamp(1, 5_000);
    o.concurrency = o.concurrency.clamp(1, 256);
    o.bob_signins = o.bob_signins.clamp(1, 20);
    Ok(o)
}

// ------------------------------------------------------------------------ processes

/// A child process that is killed when dropped (also on errors and on Ctrl-C).
struct Proc {
    child: Child,
}

impl Proc {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two distinct free ports (both listeners are held until both are known).
fn free_ports() -> Result<(u16, u16), String> {
    let bind = || TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"));
    let (a, b) = (bind()?, bind()?);
    let port = |l: &TcpListener| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string());
    Ok((port(&a)?, port(&b)?))
}

fn binary() -> PathBuf {
    // This example lives in target/release/examples/; the binary in target/release/.
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(|d| d.join("direct-signin")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/direct-signin")
        })
}

fn spawn(args: &[&str], env: &[(&str, String)], log: &Path) -> Result<Proc, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let bin = binary();
    let mut cmd = Command::new(&bin);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    Ok(Proc { child })
}

/// The resident and peak memory of a process, in KiB (`/proc/<pid>/status`).
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

// ------------------------------------------------------------------------ a tiny browser

/// Cookies by name. The portal's cookies are `Secure` and `__Host-` prefixed, which
/// generic cookie stores refuse to send over plain http to 127.0.0.1; a browser behind
/// TLS would send them, so this jar does.
#[derive(Clone, Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn absorb(&mut self, headers: &reqwest::header::HeaderMap) {
        for h in headers.get_all(reqwest::header::SET_COOKIE) {
            let Ok(line) = h.to_str() else { continue };
            let mut parts = line.split(';');
            let Some((name, value)) = parts.next().and_then(|kv| kv.split_once('=')) else {
                continue;
            };
            let expired = parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("max-age=-") || a.contains("1970")
            });
            if expired || value.is_empty() {
                self.0.remove(name.trim());
            } else {
                self.0
                    .insert(name.trim().to_string(), value.trim().to_string());
            }
        }
    }

    fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Answer {
    fn csrf(&self) -> Option<String> {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_string())
    }

    fn describe(&self) -> String {
        format!(
            "{} {}",
            self.status,
            self.location.as_deref().unwrap_or_default()
        )
    }
}

/// One browser: its own cookies, optionally its own forwarded address.
struct Browser {
    http: reqwest::Client,
    base: String,
    jar: Jar,
    forwarded_for: Option<String>,
}

impl Browser {
    fn new(http: reqwest::Client, base: &str, forwarded_for: Option<String>) -> Self {
        Browser {
            http,
            base: base.to_string(),
            jar: Jar::default(),
            forwarded_for,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Result<Answer, String> {
        let mut request = request
            .header("Sec-Fetch-Site", "same-origin")
            .header("Accept", "text/html");
        if let Some(cookie) = self.jar.header() {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        if let Some(ip) = &self.forwarded_for {
            request = request.header("X-Forwarded-For", ip.as_str());
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        self.jar.absorb(response.headers());
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            location,
            body,
        })
    }

    async fn get(&mut self, path: &str) -> Result<Answer, String> {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Answer, String> {
        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                form.append_pair(k, v);
            }
            form.finish()
        };
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.send(request).await
    }
}

fn http_client(local: Option<IpAddr>) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .local_address(local)
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())
}

// ------------------------------------------------------------------------ the emulator

struct Emulator {
    http: reqwest::Client,
    base: String,
}

impl Emulator {
    async fn get(&self, path: &str) -> Result<Value, String> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| format!("emulator {path}: {e}"))?;
        r.json().await.map_err(|e| format!("emulator {path}: {e}"))
    }

    async fn now(&self) -> Result<i64, String> {
        self.get("/emulator/clock").await?["now"]
            .as_i64()
            .ok_or_else(|| "emulator clock: no `now`".to_string())
    }

    async fn advance(&self, seconds: i64) -> Result<i64, String> {
        let r = self
            .http
            .post(format!("{}/emulator/clock", self.base))
            .json(&json!({ "advance_seconds": seconds }))
            .send()
            .await
            .map_err(|e| format!("emulator clock: {e}"))?;
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        v["now"]
            .as_i64()
            .ok_or_else(|| "emulator clock: no `now`".into())
    }
}

// ------------------------------------------------------------------------ the real user

/// Bob's browser. It keeps its cookies (so the device cookie of the last sign-in) across
/// sign-ins; each sign-in starts at the form and ends with a sign-out.
struct Bob {
    browser: Browser,
    used_steps: HashSet<i64>,
    advanced: i64,
    totp: TOTP,
    /// Whether the browser held a device cookie after its last sign-in.
    device_cookie: bool,
}

#[derive(Default)]
struct BobFigures {
    tries: usize,
    ok: usize,
    latencies_ms: Vec<f64>,
    failures: Vec<String>,
    clock_advanced: i64,
}

impl Bob {
    fn new(browser: Browser) -> Self {
        let secret = TotpSecret::Encoded(TOTP_SECRET.into())
            .to_bytes()
            .expect("the demo TOTP secret is valid base32");
        Bob {
            browser,
            used_steps: HashSet::new(),
            advanced: 0,
            device_cookie: false,
            totp: TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret),
        }
    }

    /// A TOTP time step the emulator will accept and that has not been used yet, moving
    /// the emulator's clock when allowed; `Err(seconds)` when the only way is to wait
    /// that long for the next step.
    async fn fresh_step(&mut self, emu: &Emulator) -> Result<Result<i64, i64>, String> {
        loop {
            let now = emu.now().await?;
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
            emu.advance(to_next).await?;
            self.advanced += to_next;
        }
    }

    /// One complete sign-in; `Ok(latency)` when it reached `/account`.
    async fn sign_in(&mut self, step: i64) -> Result<Duration, String> {
        let b = &mut self.browser;
        let expect = |a: &Answer, to: &str, what: &str| -> Result<(), String> {
            if a.status == 303 && a.location.as_deref() == Some(to) {
                Ok(())
            } else {
                Err(format!("{what}: {}", a.describe()))
            }
        };
        let started = Instant::now();
        let form = b.get("/signin").await?;
        let csrf = form.csrf().ok_or("no CSRF token on /signin")?;
        let a = b
            .post(
                "/signin",
                &[
                    ("username", BOB),
                    ("password", PASSWORD),
                    ("csrf_token", &csrf),
                ],
            )
            .await?;
        expect(&a, "/signin/factor", "password")?;
        let page = b.get("/signin/factor").await?;
        let csrf = page.csrf().ok_or("no CSRF token on /signin/factor")?;
        let a = b
            .post(
                "/signin/factor",
                &[("factor", "otp"), ("csrf_token", &csrf)],
            )
            .await?;
        expect(&a, "/signin/verify", "factor")?;
        let page = b.get("/signin/verify").await?;
        let csrf = page.csrf().ok_or("no CSRF token on /signin/verify")?;
        let code = self.totp.generate((step * 30) as u64);
        self.used_steps.insert(step);
        let a = b
            .post("/signin/verify", &[("code", &code), ("csrf_token", &csrf)])
            .await?;
        expect(&a, "/account", "code")?;
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
    async fn during_flood(
        &mut self,
        emu: &Emulator,
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

// ------------------------------------------------------------------------ the attacker

#[derive(Default)]
struct AttackCounts {
    sent: AtomicU64,
    s303: AtomicU64,
    s401: AtomicU64,
    s429: AtomicU64,
    other: AtomicU64,
    errors: AtomicU64,
    other_statuses: Mutex<BTreeMap<u16, u64>>,
    last_error: Mutex<Option<String>>,
    wrong_ms: Mutex<Vec<f64>>,
    limited_ms: Mutex<Vec<f64>>,
    real_user_attempts: AtomicU64,
    /// Wrong passwords on bob that the portal forwarded (answered 401).
    bob_forwarded: AtomicU64,
}

struct Attack {
    scenario: Scenario,
    base: String,
    http: reqwest::Client,
    usernames: Vec<String>,
    attempts: u64,
    start: Instant,
    deadline: Instant,
    interval: Duration,
    next: AtomicU64,
    counts: AttackCounts,
}

fn random_ip(rng: &mut StdRng) -> String {
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
    fn pick<'a>(&'a self, rng: &mut StdRng) -> &'a str {
        match rng.gen_range(0..100) {
            0..=9 => BOB,
            10..=14 => ALICE,
            15..=19 => DAVE,
            _ => &self.usernames[rng.gen_range(0..self.usernames.len())],
        }
    }

    async fn worker(self: Arc<Self>, seed: u64) {
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

    fn tally_other(&self, status: u16) {
        self.counts.other.fetch_add(1, Ordering::Relaxed);
        *self.counts.other_statuses.lock().entry(status).or_default() += 1;
    }

    fn tally_error(&self, e: String) {
        self.counts.errors.fetch_add(1, Ordering::Relaxed);
        *self.counts.last_error.lock() = Some(e);
    }
}

// ------------------------------------------------------------------------ figures

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds, or "-" when there was nothing to measure.
fn ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{v:.0} ms")
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

struct Report {
    scenario: Scenario,
    failed_checks: Vec<String>,
    summary: BTreeMap<&'static str, String>,
}

fn metric_lines(metrics: &str, name: &str, label: &str) -> Vec<(String, f64)> {
    let prefix = format!("direct_signin_{name}{{");
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (labels, value) = rest.split_once("} ")?;
            let key = labels
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| label.split('+').any(|want| want == *k))
                .map(|(_, v)| v.trim_matches('"').to_string())
                .collect::<Vec<_>>()
                .join(" ");
            Some((key, value.trim().parse().ok()?))
        })
        .collect()
}

// ------------------------------------------------------------------------ a scenario

async fn wait_ready(
    http: &reqwest::Client,
    url: &str,
    proc: &mut Proc,
    what: &str,
    log: &Path,
) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if let Some(status) = proc.exited() {
            return Err(format!(
                "the {what} exited ({status}); see {}",
                log.display()
            ));
        }
        if let Ok(r) = http.get(url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "the {what} was not ready within 30 s; see {}",
        log.display()
    ))
}

async fn run_scenario(
    o: &Options,
    scenario: Scenario,
    secret: &str,
    seed: u64,
) -> Result<Report, String> {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/flood");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let (emu_port, portal_port) = free_ports()?;
    let emu_log = logs.join(format!("{}-emulator.log", scenario.slug()));
    let portal_log = logs.join(format!("{}-portal.log", scenario.slug()));
    let plain = http_client(None)?;

    let mut emulator = spawn(
        &["emulator", "--port", &emu_port.to_string()],
        &[],
        &emu_log,
    )?;
    let emu = Emulator {
        http: plain.clone(),
        base: format!("http://127.0.0.1:{emu_port}"),
    };
    wait_ready(
        &plain,
        &format!("{}/emulator/clock", emu.base),
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
    if scenario == Scenario::ManyIps {
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

    // Bob's browser, and one sign-in before the flood: the device cookie, and the
    // latency with no flood.
    let (bob_http, bob_forwarded) = match scenario {
        Scenario::OneIp => (http_client(Some(IpAddr::V4(BOB_SOCKET_IP)))?, None),
        Scenario::ManyIps => (plain.clone(), Some(BOB_FORWARDED_IP.to_string())),
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
    let stats = emu.get("/emulator/stats").await?;
    let bob_status = emu.get(&format!("/emulator/users/{BOB}")).await?;
    let alice_status = emu.get(&format!("/emulator/users/{ALICE}")).await?;
    let dave_status = emu.get(&format!("/emulator/users/{DAVE}")).await?;
    let metrics = match plain.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    drop(portal);
    drop(emulator);
    let panics = std::fs::read_to_string(&portal_log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("panicked"))
        .count();

    let traffic: HashMap<String, Value> = stats["token_traffic"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let field = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let total_token: u64 = traffic.values().map(|v| field(v, "token_requests")).sum();
    let okta_429: u64 = traffic.values().map(|v| field(v, "rate_limited")).sum();
    let (max_user, max_per_second) = traffic
        .iter()
        .map(|(k, v)| (k.clone(), field(v, "max_per_second")))
        .max_by_key(|(k, n)| (*n, k == BOB))
        .unwrap_or_default();
    let bob_traffic = traffic.get(BOB).cloned().unwrap_or(Value::Null);
    let bob_locked = bob_status["locked"].as_bool().unwrap_or(true);
    let locked_users: Vec<String> = stats["locked_users"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    // Bob's own /token calls: a password and a TOTP grant per sign-in.
    let bob_own = 2 * (1 + bob_figures.ok as u64);

    let c = &attack.counts;
    let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let sent = n(&c.sent);
    let wrong_ms = sorted(c.wrong_ms.lock().clone());
    let limited_ms = sorted(c.limited_ms.lock().clone());
    let lat = sorted(bob_figures.latencies_ms.clone());

    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {label:<38} {value}");
    };
    let _ = writeln!(
        out,
        "\n== Scenario {}: {}",
        match scenario {
            Scenario::OneIp => "A",
            Scenario::ManyIps => "B",
        },
        match scenario {
            Scenario::OneIp =>
                "one IP (attacker 127.0.0.1, no X-Forwarded-For; bob from 127.0.0.2)",
            Scenario::ManyIps =>
                "many IPs (trusted proxy 127.0.0.1, a random X-Forwarded-For per attempt; bob as 203.0.113.77)",
        }
    );
    line(
        &mut out,
        "attempts sent",
        format!(
            "{sent} wrong passwords in {:.1} s, {} clients, {} usernames + bob, alice, dave ({} of the attempts)",
            elapsed.as_secs_f64(),
            o.concurrency,
            o.usernames,
            n(&c.real_user_attempts)
        ),
    );
    let others = c.other_statuses.lock().clone();
    line(
        &mut out,
        "portal answers",
        format!(
            "303: {}  401: {}  429: {}  other: {}{}  transport errors: {}{}",
            n(&c.s303),
            n(&c.s401),
            n(&c.s429),
            n(&c.other),
            if others.is_empty() {
                String::new()
            } else {
                format!(" {others:?}")
            },
            n(&c.errors),
            c.last_error
                .lock()
                .as_ref()
                .map(|e| format!(" (last: {e})"))
                .unwrap_or_default()
        ),
    );
    line(
        &mut out,
        "answer time 401 / 429 (median)",
        format!(
            "{} / {}",
            ms(percentile(&wrong_ms, 50.0)),
            ms(percentile(&limited_ms, 50.0))
        ),
    );
    line(
        &mut out,
        "/token calls that reached the emulator",
        format!(
            "{total_token} over {} usernames (bob's own sign-ins: {bob_own}); Okta 429s: {okta_429}",
            traffic.len()
        ),
    );
    line(
        &mut out,
        "max per username per second at emulator",
        format!(
            "{max_per_second} ({max_user}); bob: {} ({} calls, {} answered 429)",
            field(&bob_traffic, "max_per_second"),
            field(&bob_traffic, "token_requests"),
            field(&bob_traffic, "rate_limited")
        ),
    );
    line(
        &mut out,
        "wrong passwords on bob forwarded",
        format!(
            "{} of the attempts on bob reached the emulator",
            n(&c.bob_forwarded)
        ),
    );
    line(
        &mut out,
        "bob locked at the emulator",
        format!(
            "{} (consecutive failed passwords now: {}); alice {}, dave {}; locked users: {}",
            if bob_locked { "YES" } else { "no" },
            field(&bob_status, "failed_passwords"),
            field(&alice_status, "failed_passwords"),
            field(&dave_status, "failed_passwords"),
            if locked_users.is_empty() {
                "none".to_string()
            } else {
                locked_users.join(", ")
            }
        ),
    );
    line(
        &mut out,
        "bob's browser holds a device cookie",
        format!(
            "{} after the sign-in before the flood, {} at the end",
            if device_before { "yes" } else { "NO" },
            if bob.device_cookie { "yes" } else { "NO" }
        ),
    );
    line(
        &mut out,
        "bob's sign-ins during the flood",
        format!(
            "{} of {} succeeded (password + TOTP, device cookie kept){}",
            bob_figures.ok,
            bob_figures.tries,
            if bob_figures.failures.is_empty() {
                String::new()
            } else {
                format!("; failures: {}", bob_figures.failures.join(" | "))
            }
        ),
    );
    line(
        &mut out,
        "bob's sign-in latency",
        format!(
            "median {}, p99 {} (n = {}; before the flood: {})",
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 99.0)),
            lat.len(),
            ms(baseline.as_secs_f64() * 1000.0)
        ),
    );
    line(
        &mut out,
        "portal memory (VmRSS)",
        format!(
            "{} before, {} after (peak {})",
            mib(rss_before),
            mib(rss_after),
            mib(rss_peak)
        ),
    );
    line(
        &mut out,
        "portal process",
        format!(
            "{}; {} panic(s) in its log ({})",
            match &portal_exit {
                None => "ran through the flood".to_string(),
                Some(status) => format!("EXITED during the flood ({status})"),
            },
            panics,
            portal_log.display()
        ),
    );
    let limiters = metric_lines(&metrics, "rate_limit_rejections_total", "limiter");
    line(
        &mut out,
        "portal rate-limit rejections",
        limiters
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let okta_calls = metric_lines(&metrics, "okta_requests_total", "endpoint+result");
    line(
        &mut out,
        "portal calls to Okta",
        okta_calls
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    line(
        &mut out,
        "emulator clock moved (TOTP steps)",
        format!("{} s", bob_figures.clock_advanced),
    );
    print!("{out}");

    let mut failed = vec![];
    if bob_locked {
        failed.push(format!(
            "{}: bob is locked at the emulator",
            scenario.title()
        ));
    }
    if max_per_second > OKTA_PER_USER_PER_SECOND {
        failed.push(format!(
            "{}: the emulator saw {max_per_second} /token calls in one second for {max_user} (Okta allows {OKTA_PER_USER_PER_SECOND})",
            scenario.title()
        ));
    }
    if let Some(status) = &portal_exit {
        failed.push(format!(
            "{}: the portal exited during the flood ({status})",
            scenario.title()
        ));
    }
    if panics > 0 {
        failed.push(format!(
            "{}: {panics} panic(s) in the portal's log",
            scenario.title()
        ));
    }
    if !device_before {
        failed.push(format!(
            "{}: no device cookie after bob's complete sign-in (the device-cookie budget cannot help him)",
            scenario.title()
        ));
    }
    if bob_figures.ok == 0 {
        failed.push(format!(
            "{}: bob never signed in during the flood",
            scenario.title()
        ));
    }

    let mut summary = BTreeMap::new();
    summary.insert(
        "attempts",
        format!("{sent} in {:.0} s", elapsed.as_secs_f64()),
    );
    summary.insert(
        "answers",
        format!(
            "{} / {} / {}",
            n(&c.s401),
            n(&c.s429),
            n(&c.other) + n(&c.s303) + n(&c.errors)
        ),
    );
    summary.insert("reached", format!("{total_token}"));
    summary.insert(
        "max",
        format!(
            "{max_per_second} (bob {})",
            field(&bob_traffic, "max_per_second")
        ),
    );
    summary.insert("locked", if bob_locked { "yes" } else { "no" }.to_string());
    summary.insert("bob", format!("{}/{}", bob_figures.ok, bob_figures.tries));
    summary.insert(
        "latency",
        format!(
            "{} / {}",
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 99.0))
        ),
    );
    summary.insert(
        "memory",
        format!("{} → {}", mib(rss_before), mib(rss_after)),
    );
    Ok(Report {
        scenario,
        failed_checks: failed,
        summary,
    })
}

async fn run(o: Options) -> Result<Vec<Report>, String> {
    let mut seed_rng = StdRng::from_entropy();
    let secret: String = (0..48)
        .map(|_| char::from(seed_rng.gen_range(b'a'..=b'z')))
        .collect();
    let inherited: Vec<String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("DIRECT_SIGNIN_") || k.starts_with("ROCKET_"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    println!(
        "Flood simulation: {} wrong passwords over {:.0} s per scenario, {} concurrent clients, \
         {} made-up usernames plus bob (10 %), alice (5 %), dave (5 %); bob signs in up to {} times \
         during each flood (password + TOTP).",
        o.attempts, o.seconds, o.concurrency, o.usernames, o.bob_signins
    );
    println!("Binary: {}", binary().display());
    if !inherited.is_empty() {
        println!("Inherited configuration: {}", inherited.join(" "));
    }
    let mut reports = vec![];
    for scenario in &o.scenarios {
        reports.push(run_scenario(&o, *scenario, &secret, seed_rng.gen()).await?);
    }
    Ok(reports)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // Ctrl-C drops the run, and with it the child processes.
    let result = tokio::select! {
        r = run(options) => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".to_string()),
    };
    let reports = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("\nflood: {e}");
            return ExitCode::from(2);
        }
    };
    println!("\n== Summary (attempts sent | portal 401 / 429 / other | /token calls at the emulator | max per username per second | bob locked | bob signed in | bob latency median / p99 | portal RSS)");
    for r in &reports {
        let s = &r.summary;
        println!(
            "  {:<9} | {} | {} | {} | {} | {} | {} | {} | {}",
            r.scenario.title(),
            s["attempts"],
            s["answers"],
            s["reached"],
            s["max"],
            s["locked"],
            s["bob"],
            s["latency"],
            s["memory"]
        );
    }
    let failed: Vec<&String> = reports.iter().flat_map(|r| &r.failed_checks).collect();
    if failed.is_empty() {
        println!("\nThe protections held: bob was never locked, no username went over {OKTA_PER_USER_PER_SECOND}/s at the emulator, bob signed in during every flood.");
        ExitCode::SUCCESS
    } else {
        println!("\n!!!!!!!! PROTECTION FAILED !!!!!!!!");
        for f in failed {
            println!("  - {f}");
        }
        ExitCode::from(1)
    }
}
