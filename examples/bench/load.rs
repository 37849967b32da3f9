//! Saturating load with wrk (one thread, run on this process's core: the script pins the
//! bench driver, and so wrk, to the load generator's core).

use std::process::Command;

/// Requests per second of `url` with `headers` over `seconds` and `connections`; an error
/// when any answer was not 2xx or 3xx (the figure would measure an error page).
pub fn wrk(
    url: &str,
    headers: &[(&str, &str)],
    seconds: u64,
    connections: usize,
) -> Result<f64, String> {
    run(url, headers, seconds, connections, false).map(|(rps, _)| rps)
}

/// What `wrk --latency` says: requests per second, and the p50 and p99 latency (ms).
pub struct Latency {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// As [`wrk`], with the latency distribution.
pub fn wrk_latency(
    url: &str,
    headers: &[(&str, &str)],
    seconds: u64,
    connections: usize,
) -> Result<Latency, String> {
    let (rps, text) = run(url, headers, seconds, connections, true)?;
    let at = |pct: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(pct))
            .and_then(|v| millis(v.trim()))
            .ok_or_else(|| format!("no {pct} latency in wrk's output for {url}"))
    };
    Ok(Latency {
        rps,
        p50_ms: at("50%")?,
        p99_ms: at("99%")?,
    })
}

/// wrk's duration (`812.00us`, `1.23ms`, `2.01s`) in milliseconds.
fn millis(v: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

fn run(
    url: &str,
    headers: &[(&str, &str)],
    seconds: u64,
    connections: usize,
    latency: bool,
) -> Result<(f64, String), String> {
    let mut cmd = Command::new("wrk");
    if latency {
        cmd.arg("--latency");
    }
    cmd.arg("-t1")
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"));
    for (k, v) in headers {
        cmd.arg("-H").arg(format!("{k}: {v}"));
    }
    cmd.arg(url);
    let out = cmd.output().map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed on {url}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if let Some(line) = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses"))
    {
        return Err(format!("wrk on {url}: {}", line.trim()));
    }
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output for {url}: {text}"))?;
    Ok((rps, text.into_owned()))
}
