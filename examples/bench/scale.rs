//! The `scale` stage: how the cost of a page grows with the number of sessions in Redis
//! (the steps of `--scale-sessions`, by default 10,000, 100,000 and 1,000,000) and with
//! the number of connections at once (wrk at 1 to 256 connections on the memory store).
//!
//! Redis is filled through the portal's own `RedisStore` (`bench sessions --keep`, sealed
//! Okta-sized records and their user indexes, topped up from one step to the next); at each
//! step a portal on that Redis serves `/account` to a signed-in browser under wrk, and Redis's
//! `used_memory` gives the bytes per session.

use serde_json::json;

use super::load;
use super::stages::{say, Bench};

/// wrk's connections at each step of the concurrency sweep.
const CONNECTIONS: [usize; 5] = [1, 4, 16, 64, 256];

impl Bench {
    fn latency_rows(&mut self, what: &str, l: &load::Latency) {
        self.row("scale", format!("{what} requests/s"), l.rps, "req/s");
        self.row("scale", format!("{what} p50"), l.p50_ms, "ms");
        self.row("scale", format!("{what} p99"), l.p99_ms, "ms");
    }

    /// `/account` on the memory-store portal at `base`, at each of [`CONNECTIONS`].
    pub(crate) async fn concurrency(&mut self, base: &str) -> Result<(), String> {
        self.stage("scale: /account at 1 to 256 connections (memory store)");
        let b = self.signed_in(base, 5).await?;
        let cookie = b.jar.header().unwrap_or_default();
        let headers = [("Cookie", cookie.as_str()), ("Accept", "text/html")];
        let mut sweep = Vec::new();
        for c in CONNECTIONS {
            let l = load::wrk_latency(&format!("{base}/account"), &headers, self.o.seconds, c)?;
            self.latency_rows(&format!("memory store, {c} connections: /account"), &l);
            sweep.push(
                json!({"connections": c, "rps": l.rps, "p50_ms": l.p50_ms, "p99_ms": l.p99_ms}),
            );
        }
        self.extra.insert("concurrency".into(), json!(sweep));
        Ok(())
    }

    /// `/account` and bytes per session with Redis holding each of `--scale-sessions`.
    pub(crate) async fn sessions_in_redis(&mut self, url: &str) -> Result<(), String> {
        let steps = self.o.scale_sessions.clone();
        self.stage(&format!("scale: Redis holding {steps:?} sessions"));
        let (_portal, base) = self.start_portal("portal-scale", Some(url)).await?;
        let b = self.signed_in(&base, 4).await?;
        let cookie = b.jar.header().unwrap_or_default();
        let headers = [("Cookie", cookie.as_str()), ("Accept", "text/html")];
        let mut filled = 0usize;
        let mut first_used: Option<u64> = None;
        let mut rows = Vec::new();
        for n in steps {
            say(format!("  filling Redis to {n} sessions"));
            let r = self.bench_sessions(vec![
                "sessions".into(),
                "--count".into(),
                (n - filled).to_string(),
                "--from".into(),
                filled.to_string(),
                "--redis".into(),
                url.into(),
                "--keep".into(),
            ])?;
            let before = r["redis_used_memory_before"].as_u64().unwrap_or(0);
            let after = r["redis_used_memory_after"].as_u64().unwrap_or(0);
            let base_used = *first_used.get_or_insert(before);
            filled = n;
            let per = after.saturating_sub(base_used) as f64 / n as f64;
            let l = load::wrk_latency(
                &format!("{base}/account"),
                &headers,
                self.o.seconds,
                self.o.connections,
            )?;
            self.row(
                "scale",
                format!("Redis with {n} sessions: bytes per session (used_memory)"),
                per.round(),
                "B",
            );
            self.latency_rows(&format!("Redis with {n} sessions: /account"), &l);
            rows.push(
                json!({"sessions": n, "bytes_per_session": per.round(), "used_memory": after,
                             "rps": l.rps, "p50_ms": l.p50_ms, "p99_ms": l.p99_ms}),
            );
        }
        self.extra.insert("redis_scale".into(), json!(rows));
        Ok(())
    }
}
