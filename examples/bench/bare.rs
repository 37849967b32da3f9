//! `bench bare --port P`: a bare Rocket route that renders the account page with the
//! portal's own templates and rendering (`Templates`, the same context shape and values as
//! a password-only user's `/account`), and nothing else: no session, no guards, no CSRF
//! derivation, no security headers (an empty Shield, as the portal itself attaches); its
//! context is a copy made per request, as a page's context is. The
//! difference between it and the portal's `/account` is what sessions, guards and headers
//! cost.

use std::sync::Arc;

use direct_signin::portal::templates::Templates;
use direct_signin::portal::views::Brand;
use rocket::http::ContentType;
use rocket::shield::Shield;
use rocket::{get, routes, State};
use serde_json::{json, Value};

struct Page {
    templates: Templates,
    context: tera::Context,
}

/// The context the portal builds for a password-only bench user signed in once (one
/// session row, `/userinfo` as the emulator answers it), with the default brand.
fn context(catalog: &direct_signin::portal::i18n::Catalog) -> Result<tera::Context, String> {
    let brand = Brand::from(&direct_signin::config::BrandingConfig::default());
    let page = json!({
        "name": "Password User 0",
        "email": "pw0@bench.example",
        "preferred_username": "pw0@bench.example",
        "sub": "00u8f3kq2ZbenchUser0",
        "amr": ["pwd"],
        "groups": ["customers"],
        "auth_time": 1_796_226_120,
        "remember": false,
        "sessions": [{"current": true, "device": null, "ip": "127.0.0.1",
                      "signed_in_at": 1_796_226_120, "last_seen": 1_796_226_120,
                      "remember": false}],
        "userinfo": [
            {"name": "sub", "value": "00u8f3kq2ZbenchUser0"},
            {"name": "name", "value": "Password User 0"},
            {"name": "preferred_username", "value": "pw0@bench.example"},
            {"name": "email", "value": "pw0@bench.example"},
            {"name": "email_verified", "value": "true"},
            {"name": "groups", "value": "[\"customers\"]"},
        ],
    });
    let value: Value = json!({
        "brand": brand,
        "csrf_token": "q1Xw3c0P8bXnS2d7hT9mVfL4kR6yZ0aE1gH3jK5nM7o",
        "page": page,
    });
    let mut context = tera::Context::from_value(value).map_err(|e| e.to_string())?;
    context.insert("base", "");
    // The language the portal negotiates for a visitor with no preference, and its picker.
    context.insert("lang", "en");
    context.insert("dir", "ltr");
    let languages: Vec<Value> = catalog
        .languages()
        .iter()
        .map(|l| json!({"code": l.code, "name": l.name, "href": format!("?lang={}", l.code), "current": l.code == "en"}))
        .collect();
    context.insert("languages", &languages);
    Ok(context)
}

#[get("/account")]
fn account(page: &State<Arc<Page>>) -> Result<(ContentType, String), rocket::http::Status> {
    // A page's context is made for each request, as any app's is (and the portal's): a
    // copy of the kept one costs what building it from its values does.
    let context = page.context.clone();
    page.templates
        .render("account", &context)
        .map(|html| (ContentType::HTML, html))
        .map_err(|_| rocket::http::Status::InternalServerError)
}

#[get("/healthz")]
fn healthz() -> &'static str {
    "ok"
}

pub async fn serve(port: u16) -> Result<(), String> {
    let catalog = Arc::new(direct_signin::portal::i18n::build(&Default::default())?);
    let context = context(&catalog)?;
    let templates = Templates::load(&super::procs::root().join("templates"), catalog)?;
    let page = Arc::new(Page { templates, context });
    // Check once that it renders.
    page.templates.render("account", &page.context)?;
    let config = rocket::Config {
        port,
        address: std::net::Ipv4Addr::LOCALHOST.into(),
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::release_default()
    };
    rocket::custom(config)
        .attach(Shield::new())
        .manage(page)
        .mount("/", routes![account, healthz])
        .launch()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
