//! The operational endpoints: liveness, readiness (session store and Okta discovery),
//! Prometheus metrics for allowed clients only, and the brand's colours as CSS.

use std::sync::Arc;

use rocket::http::Status;
use rocket::{get, routes, Route, State};
use serde_json::{json, Value};

use super::security::{ClientIp, MetricsAllowList};
use super::Portal;

/// The operations routes: `/brand.css`, `/healthz`, `/readyz` and `/metrics`.
pub fn routes() -> Vec<Route> {
    routes![brand_css, healthz, readyz, metrics]
}

type App = State<Arc<Portal>>;

/// Brand colours as CSS (the CSP forbids inline styles), worked out once at start. The
/// colour changes only with the configuration, so browsers may keep it for an hour instead
/// of asking again on every page.
#[get("/brand.css")]
fn brand_css(app: &App) -> BrandCss {
    BrandCss(app.brand.css.clone())
}

/// `/brand.css` with its content type and an hour's caching.
struct BrandCss(String);

impl<'r> rocket::response::Responder<'r, 'static> for BrandCss {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build_from(self.0.respond_to(req)?)
            .header(rocket::http::ContentType::CSS)
            .raw_header("Cache-Control", "public, max-age=3600")
            .ok()
    }
}

#[get("/healthz")]
fn healthz() -> &'static str {
    "ok"
}

#[get("/readyz")]
async fn readyz(app: &App) -> (Status, rocket::serde::json::Json<Value>) {
    let store = app.sessions.store.ping().await.is_ok();
    let okta = app.signin.okta.is_ready();
    let status = if store && okta {
        Status::Ok
    } else {
        Status::ServiceUnavailable
    };
    (
        status,
        rocket::serde::json::Json(json!({"session_store": store, "okta_discovery": okta})),
    )
}

/// The Prometheus metrics, for clients in `network.metrics_allowed` only (the client IP
/// as [`ClientIp`] sees it). Anyone else gets the same 404 as an unknown path: the route
/// is not advertised.
#[get("/metrics")]
fn metrics(client: ClientIp, app: &App) -> Result<(rocket::http::ContentType, String), Status> {
    if !MetricsAllowList::from_config(&app.config.network.metrics_allowed).allows(client.0) {
        return Err(Status::NotFound);
    }
    Ok((
        rocket::http::ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        app.signin.metrics.render(),
    ))
}
