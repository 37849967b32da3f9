//! A tiny browser (its own cookies, optionally its own forwarded address), and the steps
//! of a password + second-factor sign-in it takes. The emulator's control API is the test
//! kit's client (`testkit::Control`). The chaos run (`examples/chaos`) uses this module too.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

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
        testkit::html::csrf_token(&self.body)
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
    /// The 5xx statuses answered so far, for a caller that counts them (and drains this).
    pub server_errors: Vec<u16>,
}

impl Browser {
    pub fn new(http: reqwest::Client, base: &str, forwarded_for: Option<String>) -> Self {
        Browser {
            http,
            base: base.to_string(),
            jar: Jar::default(),
            forwarded_for,
            server_errors: Vec::new(),
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
        if status >= 500 {
            self.server_errors.push(status);
        }
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

impl Browser {
    /// The password step and the choice of a second factor: the form, `POST /signin`
    /// (expecting the factor page), the factor page, `POST /signin/factor` with `factor`,
    /// expecting a redirect to `next` (`/signin/verify` for a code, `/signin/wait` for a
    /// push).
    pub async fn password_then_factor(
        &mut self,
        username: &str,
        password: &str,
        factor: &str,
        next: &str,
    ) -> Result<(), String> {
        let form = self.get("/signin").await?;
        let csrf = form.csrf().ok_or("no CSRF token on /signin")?;
        let a = self
            .post(
                "/signin",
                &[
                    ("username", username),
                    ("password", password),
                    ("csrf_token", &csrf),
                ],
            )
            .await?;
        expect_redirect(&a, "/signin/factor", "password")?;
        let page = self.get("/signin/factor").await?;
        let csrf = page.csrf().ok_or("no CSRF token on /signin/factor")?;
        let a = self
            .post(
                "/signin/factor",
                &[("factor", factor), ("csrf_token", &csrf)],
            )
            .await?;
        expect_redirect(&a, next, "factor")
    }

    /// The code step: the code page, then `POST /signin/verify`, expecting `/account`.
    pub async fn enter_code(&mut self, code: &str) -> Result<(), String> {
        let page = self.get("/signin/verify").await?;
        let csrf = page.csrf().ok_or("no CSRF token on /signin/verify")?;
        let a = self
            .post("/signin/verify", &[("code", code), ("csrf_token", &csrf)])
            .await?;
        expect_redirect(&a, "/account", "code")
    }
}

/// `Ok` when `a` is a 303 to `to`; else what came instead, named `what`.
pub fn expect_redirect(a: &Answer, to: &str, what: &str) -> Result<(), String> {
    if a.status == 303 && a.location.as_deref() == Some(to) {
        Ok(())
    } else {
        Err(format!("{what}: {}", a.describe()))
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
