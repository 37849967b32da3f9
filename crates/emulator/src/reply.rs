//! One response type for every emulator endpoint, and Okta's two error body shapes:
//! the OAuth shape (`error`, `error_description`, maybe `mfa_token`) and the management
//! shape (`errorCode`, `errorSummary`, …) used for org rate limits, 404s and 5xx.

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::Request;
use serde_json::{json, Value};
use std::io::Cursor;

/// A finished HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: Status,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Debug)]
pub enum Body {
    Json(Value),
    /// Bytes sent as `application/json` even though they are not (the `malformed` fault).
    Malformed(&'static str),
    Empty,
}

impl Reply {
    pub fn json(value: Value) -> Self {
        Reply {
            status: Status::Ok,
            body: Body::Json(value),
            headers: vec![],
        }
    }

    pub fn empty() -> Self {
        Reply {
            status: Status::Ok,
            body: Body::Empty,
            headers: vec![],
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// OAuth-shape error.
    pub fn oauth(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        Reply {
            status: Status::new(status),
            body: Body::Json(json!({"error": error, "error_description": description.into()})),
            headers: vec![],
        }
    }

    /// Management-shape error (`errorCode` …).
    pub fn okta(status: u16, code: &'static str, summary: impl Into<String>) -> Self {
        Reply {
            status: Status::new(status),
            body: Body::Json(json!({
                "errorCode": code,
                "errorSummary": summary.into(),
                "errorLink": code,
                "errorId": format!("oae{}", shared::random::alphanumeric(19)),
                "errorCauses": [],
            })),
            headers: vec![],
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::oauth(400, "invalid_request", description)
    }
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::oauth(400, "invalid_grant", description)
    }
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::oauth(401, "invalid_client", description)
    }
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::oauth(400, "invalid_scope", description)
    }
    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::oauth(403, "access_denied", description)
    }
    /// `403 access_denied` for an `mfa_token` or `oob_code` that is expired, consumed or unknown.
    pub fn expired_token() -> Self {
        Self::access_denied("The mfa_token or oob_code is invalid, expired or already used.")
    }
    pub fn not_found(what: &str) -> Self {
        Self::okta(
            404,
            "E0000007",
            format!("Not found: Resource not found: {what}"),
        )
    }

    /// The error's `error` (or `errorCode`) value.
    #[cfg(test)]
    pub fn error_code(&self) -> Option<&str> {
        match &self.body {
            Body::Json(v) => v
                .get("error")
                .or_else(|| v.get("errorCode"))
                .and_then(Value::as_str),
            _ => None,
        }
    }
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut builder = Response::build();
        builder.status(self.status);
        match self.body {
            Body::Json(value) => {
                let text = value.to_string();
                builder
                    .header(ContentType::JSON)
                    .sized_body(text.len(), Cursor::new(text));
            }
            Body::Malformed(text) => {
                builder
                    .header(ContentType::JSON)
                    .sized_body(text.len(), Cursor::new(text));
            }
            Body::Empty => {}
        }
        for (name, value) in self.headers {
            builder.header(Header::new(name, value));
        }
        builder.ok()
    }
}
