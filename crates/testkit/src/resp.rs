//! A finished HTTP exchange with the emulator, and the checks its OAuth answers need.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// A finished HTTP exchange.
#[derive(Debug)]
pub struct Resp {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub text: String,
    /// `Value::Null` when the body is not JSON.
    pub json: Value,
}

impl Resp {
    /// Reads a response to the end.
    pub async fn read(resp: reqwest::Response) -> Result<Resp, String> {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            text,
            json,
        })
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The OAuth `error` (or management-shape `errorCode`).
    pub fn error(&self) -> &str {
        self.json["error"]
            .as_str()
            .or_else(|| self.json["errorCode"].as_str())
            .unwrap_or("")
    }

    /// Asserts the status and the `error` / `errorCode`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, error: &str) -> &Self {
        assert_eq!(
            (self.status, self.error()),
            (status, error),
            "unexpected answer: {} {}",
            self.status,
            self.text
        );
        self
    }

    /// Asserts a 200 and returns the JSON body.
    #[track_caller]
    pub fn expect_ok(&self) -> &Value {
        assert_eq!(
            self.status, 200,
            "expected 200, got {} {}",
            self.status, self.text
        );
        &self.json
    }

    /// Asserts a 200 token response and returns it.
    #[track_caller]
    pub fn expect_tokens(&self) -> &Value {
        let body = self.expect_ok();
        assert_eq!(body["token_type"], "Bearer", "{}", self.text);
        assert!(body["access_token"].is_string(), "{}", self.text);
        body
    }

    /// Asserts `403 mfa_required` and returns the `mfa_token`.
    #[track_caller]
    pub fn expect_mfa_required(&self) -> String {
        self.expect_error(403, "mfa_required");
        self.json["mfa_token"]
            .as_str()
            .unwrap_or_else(|| panic!("mfa_required without mfa_token: {}", self.text))
            .to_string()
    }

    /// A string field of the JSON body; panics when there is none.
    #[track_caller]
    pub fn str(&self, field: &str) -> String {
        self.json[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string field '{field}' in {}", self.text))
            .to_string()
    }
}
