//! A host Rocket app with the portal inside it (issue 10, item 4): `cargo run --example
//! rocket_app`, then open <http://127.0.0.1:8000/>.
//!
//! The portal is mounted under `/sso` ([`direct_signin::embed::DirectSignin`]); the app's
//! own pages (in `app.rs`, rendered with its own `Template` fairing and templates) use the
//! portal's `SignedIn` guard. With no `okta.issuer` configured, a debug build starts the
//! embedded Okta emulator demo on port 8001, as `cargo run` does: sign in as
//! `alice@example.com` (customers) or `bob@example.com` (admins, staff, and a TOTP code:
//! `oathtool --totp -b JBSWY3DPEHPK3PXP`), password `Sup3r-Secret!`.
//!
//! `tests/embed/` drives the same [`app::rocket`].

mod app;

#[rocket::main]
async fn main() -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter("info,rocket=warn,_=warn")
        .init();
    let rocket = app::rocket(direct_signin::config::Config::figment());
    rocket.launch().await.map_err(|e| e.to_string())?;
    Ok(())
}
