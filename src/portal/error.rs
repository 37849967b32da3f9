//! One error type and one responder: the user sees a generic page with an operation id;
//! the log gets the detail under the same id.

use std::sync::Arc;

use rocket::http::{Header, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use serde_json::json;

use super::views::{self, Brand};
use crate::okta::Upstream;
use crate::portal::session::StoreError;
use crate::random;

/// Why a request could not be served; each becomes an error page or a 4xx/5xx.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Okta failed or could not be reached.
    #[error("Okta: {0}")]
    Upstream(Upstream),
    /// A rate limiter refused the request.
    #[error("rate limited; retry after {retry_after}s")]
    RateLimited {
        /// Seconds until the request may be retried.
        retry_after: i64,
        /// The limiter that refused (a metric label).
        limiter: &'static str,
    },
    /// Okta's policy refuses this way of signing in.
    #[error("the sign-in policy refused this way of signing in")]
    PolicyDenied,
    /// The session or failure store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The CSRF token is missing or wrong.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Our own inconsistency (a flow and an answer that do not fit), not Okta's.
    #[error("internal inconsistency: {0}")]
    Internal(&'static str),
}

impl AppError {
    fn status(&self) -> Status {
        match self {
            AppError::Upstream(Upstream::Timeout) => Status::GatewayTimeout,
            AppError::Upstream(_) => Status::BadGateway,
            AppError::RateLimited { .. } => Status::TooManyRequests,
            AppError::PolicyDenied => Status::Forbidden,
            AppError::Store(_) => Status::ServiceUnavailable,
            AppError::Csrf => Status::Forbidden,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    fn message(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Upstream(_) | AppError::Store(_) => {
                ("error-unavailable-title", "error-unavailable-detail")
            }
            AppError::RateLimited { .. } => {
                ("error-rate-limited-title", "error-rate-limited-detail")
            }
            AppError::PolicyDenied => ("error-policy-title", "error-policy-detail"),
            AppError::Internal(_) => ("error-internal-title", "error-internal-detail"),
            AppError::Csrf => ("error-csrf-title", "error-csrf-detail"),
        }
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let operation_id = random::alphanumeric(12);
        let status = self.status();
        match &self {
            AppError::RateLimited { limiter, .. } => {
                tracing::info!(
                    operation_id,
                    limiter,
                    path = req.uri().path().as_str(),
                    "rate limited"
                )
            }
            AppError::Csrf => tracing::info!(
                operation_id,
                path = req.uri().path().as_str(),
                "CSRF check failed"
            ),
            _ => {
                tracing::warn!(operation_id, error = %self, path = req.uri().path().as_str(), "request failed")
            }
        }
        let (title, detail) = self.message();
        let retry_after = match &self {
            AppError::RateLimited { retry_after, .. } => Some((*retry_after).max(1)),
            _ => None,
        };
        let mut response = error_page(req, status, title, detail, &operation_id, retry_after)?;
        if let Some(secs) = retry_after {
            response.set_header(Header::new("Retry-After", secs.to_string()));
        }
        Ok(response)
    }
}

/// Renders the error page (also used by the catchers).
pub fn error_page(
    req: &Request<'_>,
    status: Status,
    title: &str,
    detail: &str,
    operation_id: &str,
    retry_after: Option<i64>,
) -> response::Result<'static> {
    let brand = req
        .rocket()
        .state::<Arc<Brand>>()
        .cloned()
        .unwrap_or_default();
    let page = json!({
        "title": title,
        "detail": detail,
        "operation_id": operation_id,
        "retry_after": retry_after,
        "status": status.code,
    });
    let template = views::render("error", &brand, None, page);
    let mut response = template.respond_to(req)?;
    response.set_status(status);
    Ok(response)
}

/// A rendered error page for a status (what the catchers answer).
pub struct ErrorPage {
    /// The HTTP status.
    pub status: Status,
    /// The page's heading.
    pub title: &'static str,
    /// The explanation under the heading.
    pub detail: &'static str,
}

impl<'r> Responder<'r, 'static> for ErrorPage {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let operation_id = random::alphanumeric(12);
        if self.status.code >= 500 {
            tracing::warn!(
                operation_id,
                status = self.status.code,
                path = req.uri().path().as_str(),
                "request failed"
            );
        }
        error_page(
            req,
            self.status,
            self.title,
            self.detail,
            &operation_id,
            None,
        )
    }
}
