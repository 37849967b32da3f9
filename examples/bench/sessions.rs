//! `bench sessions --count N [--redis URL]`: memory per live signed-in session.
//!
//! Memory store: builds the portal's session service (`Sessions` over `MemoryStore`, so
//! records are sealed exactly as the portal seals them) in this process, reads VmRSS,
//! creates N signed-in sessions with Okta-sized contents (a ~1 KB access-token JWT, a
//! refresh token, the ID token's claims, a `/userinfo` answer, the browser summary and
//! IP), reads VmRSS again: (after − before) ÷ N.
//!
//! Redis (`--redis URL`): the same sessions through `RedisStore`, then `MEMORY USAGE` of
//! each session's `s:` key and its user's `u:` index (one session per user).
//! With `--keep` (the `scale` stage) the sessions stay in Redis and only Redis's
//! `used_memory` before and after is read; `--from K` numbers the users from K, so a
//! store can be topped up to a larger count.
//! Prints one JSON object on stdout.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use direct_signin::clock::Clock;
use direct_signin::config::SessionConfig;
use direct_signin::portal::session::redis::RedisStore;
use direct_signin::portal::session::{MemoryStore, SessionStore, Sessions, SignedIn};
use direct_signin::random;
use direct_signin::secret::Secret;
use serde_json::json;

/// An access token shaped like Okta's: RS256 JWT with Okta's claims, ~1 KB.
fn access_token(i: usize, now: i64) -> String {
    let header = json!({"kid": random::alphanumeric(43), "alg": "RS256"});
    let claims = json!({
        "ver": 1, "jti": format!("AT.{}", random::token(32)),
        "iss": "https://example.okta.com/oauth2/default", "aud": "api://default",
        "iat": now, "exp": now + 3600, "cid": "0oa1bench2client3id4x",
        "uid": format!("00u{}", random::alphanumeric(17)),
        "scp": ["openid", "profile", "email", "offline_access", "groups"],
        "auth_time": now, "sub": format!("user{i}@bench.example"),
        "groups": ["customers"],
    });
    let b64 = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    // An RS256 signature of a 2048-bit key: 256 bytes, 342 characters.
    let signature = URL_SAFE_NO_PAD.encode(
        (0..256)
            .map(|_| random::in_range(0..256) as u8)
            .collect::<Vec<u8>>(),
    );
    format!("{}.{}.{signature}", b64(&header), b64(&claims))
}

fn session(i: usize, now: i64, sessions: &Sessions) -> SignedIn {
    let login = format!("user{i}@bench.example");
    let sub = format!("00u{}", random::alphanumeric(17));
    SignedIn {
        user_id: sub.clone(),
        user_digest: sessions.username_digest(&login),
        name: Some(format!("Bench User {i}")),
        email: Some(login.clone()),
        preferred_username: Some(login.clone()),
        amr: vec!["pwd".into()],
        email_verified: Some(true),
        groups: vec!["customers".into()],
        auth_time: now,
        access_token: Secret::new(access_token(i, now)),
        // Okta's refresh tokens are 43-character opaque strings.
        refresh_token: Some(Secret::new(random::token(32))),
        access_expires_at: now + 3600,
        userinfo: Some(json!({
            "sub": sub, "name": format!("Bench User {i}"), "locale": "en_US",
            "email": login, "preferred_username": login, "given_name": "Bench",
            "family_name": format!("User {i}"), "zoneinfo": "America/Los_Angeles",
            "updated_at": now - 86_400, "email_verified": true, "groups": ["customers"],
        })),
        created_at: now,
        last_seen: now,
        remember: false,
        device: Some("Chrome on macOS".into()),
        ip: Some(format!("198.51.{}.{}", (i / 250) % 250, i % 250 + 1)),
        pending: None,
        methods: None,
    }
}

/// Redis's `used_memory` (bytes), from `INFO memory`.
async fn used_memory(mut conn: redis::aio::ConnectionManager) -> Result<u64, String> {
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| "no used_memory in INFO memory".to_string())
}

fn rss_kib() -> u64 {
    super::procs::status_field(std::process::id(), "VmRSS:")
}

pub async fn run(
    count: usize,
    redis: Option<String>,
    from: usize,
    keep: bool,
) -> Result<(), String> {
    let clock = Clock::new();
    let now = clock.now();
    let key = b"bench-secret-bench-secret-bench-secret".to_vec();
    let (store, conn): (Arc<dyn SessionStore>, _) = match &redis {
        None => (Arc::new(MemoryStore::new(clock.clone())), None),
        Some(url) => {
            let client = redis::Client::open(url.as_str()).map_err(|e| e.to_string())?;
            let conn = redis::aio::ConnectionManager::new(client)
                .await
                .map_err(|e| e.to_string())?;
            (
                Arc::new(RedisStore::new(conn.clone(), "bench:")),
                Some(conn),
            )
        }
    };
    let sessions = Sessions::new(store, clock, SessionConfig::default(), key);
    // Warm up allocator and lazies with a few sessions that are not counted.
    for i in 0..100 {
        sessions
            .create_signed_in(session(count + i, now, &sessions))
            .await
            .map_err(|e| format!("{e:?}"))?;
    }
    let sample = access_token(0, now).len();
    let used_before = match (&conn, keep) {
        (Some(conn), true) => used_memory(conn.clone()).await?,
        _ => 0,
    };
    let before = rss_kib();
    if keep {
        // Many writes in flight at once: a million sessions one round trip at a time
        // would take minutes.
        let sessions = Arc::new(sessions);
        let end = from + count;
        let mut start = from;
        while start < end {
            let mut batch = tokio::task::JoinSet::new();
            for i in start..(start + 64).min(end) {
                let sessions = sessions.clone();
                batch.spawn(async move {
                    sessions
                        .create_signed_in(session(i, now, &sessions))
                        .await
                        .map(|_| ())
                        .map_err(|e| format!("{e:?}"))
                });
            }
            while let Some(done) = batch.join_next().await {
                done.map_err(|e| e.to_string())??;
            }
            start += 64;
        }
    } else {
        for i in from..from + count {
            sessions
                .create_signed_in(session(i, now, &sessions))
                .await
                .map_err(|e| format!("{e:?}"))?;
        }
    }
    let after = rss_kib();
    let mut out = json!({
        "sessions": count,
        "access_token_bytes": sample,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "bytes_per_session": (after.saturating_sub(before) as f64 * 1024.0 / count as f64).round(),
    });
    if let (Some(conn), true) = (&conn, keep) {
        let used_after = used_memory(conn.clone()).await?;
        out["redis_used_memory_before"] = json!(used_before);
        out["redis_used_memory_after"] = json!(used_after);
    } else if let Some(mut conn) = conn {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("bench:s:*")
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let index: Vec<String> = redis::cmd("KEYS")
            .arg("bench:u:*")
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let usage = |keys: Vec<String>| {
            let mut conn = conn.clone();
            async move {
                let mut total = 0u64;
                let n = keys.len().max(1) as f64;
                for k in keys {
                    let bytes: Option<u64> = redis::cmd("MEMORY")
                        .arg("USAGE")
                        .arg(&k)
                        .arg("SAMPLES")
                        .arg(0)
                        .query_async(&mut conn)
                        .await
                        .map_err(|e| e.to_string())?;
                    total += bytes.unwrap_or(0);
                }
                Ok::<f64, String>(total as f64 / n)
            }
        };
        let (s, u) = (keys.len(), index.len());
        let per_record = usage(keys).await?;
        let per_index = usage(index).await?;
        out["redis_session_keys"] = json!(s);
        out["redis_index_keys"] = json!(u);
        out["redis_bytes_per_record"] = json!(per_record.round());
        out["redis_bytes_per_index"] = json!(per_index.round());
        out["redis_bytes_per_session"] = json!((per_record + per_index).round());
        let _: () = redis::cmd("FLUSHDB")
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!("{out}");
    Ok(())
}
