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
    let mut cmd = Command::new("wrk");
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
    text.lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output for {url}: {text}"))
}
