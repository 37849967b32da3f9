//! Injected faults (`POST /emulator/faults`): delay, an error status, a malformed body or
//! an org rate limit, for the next `count` calls of one endpoint group.

use serde::Deserialize;

use super::reply::{Body, Reply};
use super::Emulator;

/// Endpoint groups a fault can target.
pub const ENDPOINTS: &[&str] = &[
    "token",
    "challenge",
    "primary-authenticate",
    "revoke",
    "introspect",
    "userinfo",
    "keys",
    "discovery",
    "myaccount",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub endpoint: String,
    pub kind: String,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub count: Option<u32>,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Delay(u64),
    Status(u16),
    Malformed,
    RateLimit,
}

#[derive(Debug)]
pub struct Fault {
    endpoint: &'static str,
    kind: Kind,
    remaining: u32,
}

impl FaultSpec {
    /// Validates the request; the error says which field is wrong.
    pub fn into_fault(self) -> Result<Fault, String> {
        let endpoint = ENDPOINTS
            .iter()
            .find(|e| **e == self.endpoint)
            .ok_or_else(|| format!("endpoint must be one of {}", ENDPOINTS.join(", ")))?;
        let kind = match self.kind.as_str() {
            "delay" => Kind::Delay(
                self.delay_ms
                    .filter(|ms| *ms <= 120_000)
                    .ok_or("delay needs delay_ms (at most 120000)")?,
            ),
            "status" => Kind::Status(
                self.status
                    .filter(|s| (400..=599).contains(s))
                    .ok_or("status needs a status between 400 and 599")?,
            ),
            "malformed" => Kind::Malformed,
            "rate_limit" => Kind::RateLimit,
            _ => return Err("kind must be delay, status, malformed or rate_limit".into()),
        };
        let count = self.count.unwrap_or(1);
        if count == 0 {
            return Err("count must be at least 1".into());
        }
        Ok(Fault {
            endpoint,
            kind,
            remaining: count,
        })
    }
}

#[derive(Default)]
pub struct Faults(Vec<Fault>);

impl Faults {
    pub fn add(&mut self, fault: Fault) {
        self.0.push(fault);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    fn take(&mut self, endpoint: &str) -> Option<Kind> {
        let index = self.0.iter().position(|f| f.endpoint == endpoint)?;
        let fault = &mut self.0[index];
        let kind = fault.kind;
        fault.remaining -= 1;
        if fault.remaining == 0 {
            self.0.remove(index);
        }
        Some(kind)
    }
}

/// Applies the next fault for `endpoint`: `Some(reply)` replaces the real answer; a delay
/// waits (real time: it exercises the client's timeouts) and lets the call go on.
pub async fn apply(emu: &Emulator, endpoint: &str) -> Option<Reply> {
    let kind = emu.faults.lock().take(endpoint)?;
    match kind {
        Kind::Delay(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            None
        }
        Kind::Status(status) if status >= 500 => {
            Some(Reply::okta(status, "E0000009", "Internal Server Error"))
        }
        Kind::Status(429) => Some(rate_limited(emu)),
        Kind::Status(status) => Some(Reply::okta(
            status,
            "E0000001",
            "Api validation failed: injected fault",
        )),
        Kind::Malformed => Some(Reply {
            status: rocket::http::Status::Ok,
            body: Body::Malformed(r#"{"token_type":"Bearer","expires_in":3600,"access_tok"#),
            headers: vec![],
        }),
        Kind::RateLimit => Some(rate_limited(emu)),
    }
}

/// The org-bucket 429 (`E0000047`) body, without headers: a real bucket refusal gets
/// them from the bucket's own figures (`routes::with_rate_headers`).
pub fn bucket_exhausted() -> Reply {
    Reply::okta(
        429,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
    )
}

/// The org-bucket 429 (`E0000047`) with its headers (an injected fault: no real window).
pub fn rate_limited(emu: &Emulator) -> Reply {
    let reset = emu.clock.now() + 60;
    bucket_exhausted()
        .header("X-Rate-Limit-Limit", emu.org_rate_limit.to_string())
        .header("X-Rate-Limit-Remaining", "0")
        .header("X-Rate-Limit-Reset", reset.to_string())
}
