//! A tiny browser (its own cookies, optionally its own forwarded address) and a client for
//! the emulator's control API.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use serde_json::{json, Value};

/// Cookies by name. The portal's cookies are `Secure` and `__Host-` prefixed, which
/// generic cookie stores refuse to send over plain http to 127.0.0.1; a browser behind
/// TLS would send them, so this jar does.
#[derive(Clone, Default)]
pub struct Jar(pub BTreeMap<String, String>);

impl Jar {
    pub fn absorb(&mut self, headers: &reqwest::header::HeaderMap) {
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

    pub fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn csrf(&self) -> Option<String> {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_string())
    }

    pub fn describe(&self) -> String {
        format!(
            "{} {}",
            self.status,
            self.location.as_deref().unwrap_or_default()
        )
    }
}

/// One browser: its own cookies, optionally its own forwarded address.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub jar: Jar,
    pub forwarded_for: Option<String>,
}

impl Browser {
    pub fn new(http: reqwest::Client, base: &str, forwarded_for: Option<String>) -> Self {
        Browser {
            http,
            base: base.to_string(),
            jar: Jar::default(),
            forwarded_for,
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Result<Answer, String> {
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

    pub async fn get(&mut self, path: &str) -> Result<Answer, String> {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Answer, String> {
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

pub fn http_client(local: Option<IpAddr>) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .local_address(local)
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())
}

pub struct Emulator {
    pub http: reqwest::Client,
    pub base: String,
}

impl Emulator {
    pub async fn get(&self, path: &str) -> Result<Value, String> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| format!("emulator {path}: {e}"))?;
        r.json().await.map_err(|e| format!("emulator {path}: {e}"))
    }

    pub async fn now(&self) -> Result<i64, String> {
        self.get("/emulator/clock").await?["now"]
            .as_i64()
            .ok_or_else(|| "emulator clock: no `now`".to_string())
    }

    pub async fn advance(&self, seconds: i64) -> Result<i64, String> {
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
