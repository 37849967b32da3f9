//! Many concurrent push waits on one instance: `flows` passwordless push sign-ins are
//! started (one user each, each browser behind its own forwarded address, as separate
//! people are) and never approved; each browser then polls `/signin/wait/status` every
//! 2 s, as `static/wait.js` does. Measured over a window once every flow is waiting:
//! the polls that reached Okta per second (the emulator's per-username `/token` counts,
//! summed over the push users, before and after the window), the portal's RSS, and the
//! latency percentiles of the status endpoint as the browsers saw it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use testkit::control::Control;
use tokio::sync::Semaphore;

use super::browser::{http_client, Browser};
use super::procs::Proc;
use super::users;

/// What `static/wait.js` waits between two polls.
const POLL_EVERY: Duration = Duration::from_secs(2);

pub struct Waits {
    pub flows: usize,
    pub failed_starts: usize,
    pub start_seconds: f64,
    pub window_seconds: f64,
    pub okta_polls_per_second: f64,
    pub status_requests_per_second: f64,
    pub rss_before_mib: f64,
    pub rss_waiting_mib: f64,
    /// The portal's open file descriptors (mostly the browsers' connections) mid-window.
    pub fds_waiting: usize,
    /// CPU used during the window, in % of one core: the portal, the emulator, this driver.
    pub portal_cpu_percent: f64,
    pub emulator_cpu_percent: f64,
    pub driver_cpu_percent: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub not_pending: usize,
    /// The portal's calls to Okta during the window by `endpoint/result`
    /// (`okta_requests_total` of `/metrics`).
    pub okta_results: std::collections::BTreeMap<String, f64>,
}

/// `okta_requests_total` of the portal's `/metrics`, by `endpoint/result`.
async fn okta_requests(
    http: &reqwest::Client,
    base: &str,
) -> std::collections::BTreeMap<String, f64> {
    let text = match http.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let label = |line: &str, name: &str| {
        line.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string)
    };
    text.lines()
        .filter(|l| l.contains("okta_requests_total{"))
        .filter_map(|l| {
            let value = l.rsplit(' ').next()?.parse::<f64>().ok()?;
            Some((
                format!("{}/{}", label(l, "endpoint")?, label(l, "result")?),
                value,
            ))
        })
        .collect()
}

/// A distinct forwarded address per flow (198.18.0.0/15, the benchmarking range).
fn address(i: usize) -> String {
    format!("198.{}.{}.{}", 18 + (i >> 16) % 2, (i >> 8) % 256, i % 256)
}

async fn push_tokens(control: &Control) -> Result<u64, String> {
    let stats = control.try_stats().await?;
    let traffic = stats["token_traffic"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    Ok(traffic
        .iter()
        .filter(|(login, _)| login.starts_with("push"))
        .map(|(_, t)| t["token_requests"].as_u64().unwrap_or(0))
        .sum())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

pub async fn run(
    portal: &Proc,
    emulator: &Proc,
    base: &str,
    control: &Control,
    flows: usize,
    window: Duration,
    say: impl Fn(String),
) -> Result<Waits, String> {
    let http = http_client(None)?;
    let rss_before = portal.rss_kib();
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::<f64>::with_capacity(flows * 20)));
    let not_pending = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(Mutex::new(Vec::<String>::new()));
    // Starts run a few hundred at a time (each waits out the portal's 400 ms floor).
    let gate = Arc::new(Semaphore::new(256));
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(flows);
    for i in 0..flows {
        let (http, base) = (http.clone(), base.to_string());
        let (measuring, stop, latencies, not_pending, started, failed, gate) = (
            measuring.clone(),
            stop.clone(),
            latencies.clone(),
            not_pending.clone(),
            started.clone(),
            failed.clone(),
            gate.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut b = Browser::new(http, &base, Some(address(i)));
            let user = users::push_user(i);
            let start = async {
                let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                let form = b.get("/signin").await?;
                let token = form.csrf().ok_or("no CSRF token on /signin")?;
                let a = b
                    .post(
                        "/signin/passwordless",
                        &[
                            ("username", user.as_str()),
                            ("method", "push"),
                            ("csrf_token", &token),
                        ],
                    )
                    .await?;
                if a.status != 303 || a.location.as_deref() != Some("/signin/wait") {
                    return Err(format!("push start for {user}: {}", a.describe()));
                }
                let page = b.get("/signin/wait").await?;
                if page.status != 200 {
                    return Err(format!("wait page for {user}: {}", page.describe()));
                }
                Ok::<(), String>(())
            };
            if let Err(e) = start.await {
                failed.lock().push(e);
                return;
            }
            started.fetch_add(1, Ordering::Relaxed);
            let cookie = b.jar.header().unwrap_or_default();
            let url = format!("{base}/signin/wait/status");
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(POLL_EVERY).await;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let sent = Instant::now();
                let answer = b
                    .http
                    .get(&url)
                    .header("Accept", "application/json")
                    .header("Sec-Fetch-Site", "same-origin")
                    .header("Cookie", &cookie)
                    .header("X-Forwarded-For", address(i))
                    .send()
                    .await;
                let state = match answer {
                    Ok(r) if r.status().is_success() => r
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v["state"].as_str().map(str::to_string)),
                    _ => None,
                };
                if measuring.load(Ordering::Relaxed) {
                    latencies.lock().push(sent.elapsed().as_secs_f64() * 1000.0);
                    if state.as_deref() != Some("pending") {
                        not_pending.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // Every flow started (or one failed).
    let mut last = Instant::now();
    loop {
        let (n, errors) = (started.load(Ordering::Relaxed), failed.lock().len());
        // A start that fails (the machine overloaded: Okta's answer later than the
        // portal's timeout) is counted; past a tenth of them the figures mean nothing.
        if errors > flows / 10 {
            stop.store(true, Ordering::Relaxed);
            return Err(format!(
                "{errors} push starts failed, e.g. {}",
                failed.lock()[0]
            ));
        }
        if n + errors >= flows {
            break;
        }
        if last.elapsed() >= Duration::from_secs(5) {
            say(format!(
                "  {n} of {flows} push waits started ({:.0} s)",
                t0.elapsed().as_secs_f64()
            ));
            last = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let start_seconds = t0.elapsed().as_secs_f64();
    let failed_starts = failed.lock().clone();
    let flows = started.load(Ordering::Relaxed);
    if let Some(e) = failed_starts.first() {
        say(format!(
            "  {} push starts failed (e.g. {e}); measuring the {flows} that wait",
            failed_starts.len()
        ));
    }
    say(format!(
        "  all {flows} waiting after {start_seconds:.0} s; settling 6 s, then measuring {} s",
        window.as_secs()
    ));
    // Let every flow's rhythm toward Okta settle (one interval and more).
    tokio::time::sleep(Duration::from_secs(6)).await;
    let tokens_before = push_tokens(control).await?;
    let metrics_before = okta_requests(&http, base).await;
    let cpu = || {
        (
            portal.cpu_seconds(),
            emulator.cpu_seconds(),
            super::procs::cpu_seconds(std::process::id()),
        )
    };
    let cpu_before = cpu();
    measuring.store(true, Ordering::Relaxed);
    let w0 = Instant::now();
    tokio::time::sleep(window / 2).await;
    let rss_waiting = portal.rss_kib();
    let fds_waiting = std::fs::read_dir(format!("/proc/{}/fd", portal.pid()))
        .map(|d| d.count())
        .unwrap_or(0);
    tokio::time::sleep(window - window / 2).await;
    measuring.store(false, Ordering::Relaxed);
    let window_seconds = w0.elapsed().as_secs_f64();
    let cpu_after = cpu();
    let percent = |a: f64, b: f64| (b - a) * 100.0 / window_seconds;
    let tokens_after = push_tokens(control).await?;
    let metrics_after = okta_requests(&http, base).await;
    let okta_results = metrics_after
        .iter()
        .map(|(k, v)| (k.clone(), v - metrics_before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, d)| *d > 0.0)
        .collect();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let mut lat = std::mem::take(&mut *latencies.lock());
    lat.sort_by(|a, b| a.total_cmp(b));
    Ok(Waits {
        flows,
        failed_starts: failed_starts.len(),
        start_seconds,
        window_seconds,
        okta_polls_per_second: (tokens_after - tokens_before) as f64 / window_seconds,
        status_requests_per_second: lat.len() as f64 / window_seconds,
        rss_before_mib: super::procs::mib(rss_before),
        rss_waiting_mib: super::procs::mib(rss_waiting),
        fds_waiting,
        portal_cpu_percent: percent(cpu_before.0, cpu_after.0),
        emulator_cpu_percent: percent(cpu_before.1, cpu_after.1),
        driver_cpu_percent: percent(cpu_before.2, cpu_after.2),
        p50_ms: percentile(&lat, 50.0),
        p99_ms: percentile(&lat, 99.0),
        max_ms: lat.last().copied().unwrap_or(0.0),
        not_pending: not_pending.load(Ordering::Relaxed),
        okta_results,
    })
}
