//! The harness of the embed tests: the example host app (its own builder, plus a
//! two-factor route) against a fresh test-kit emulator, and one browser (Rocket's tracked
//! client) on it.

use direct_signin::embed::{Allowed, Policy};
use direct_signin::portal::gateway::rules::Rules;
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Header};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, routes};
use testkit::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, PASSWORD};
use testkit::html::{csrf_token, unescape};
use testkit::TestEmulator;

use crate::app;

/// A page as the browser got it (the body with Tera's escaping undone).
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub csp: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(
            (self.status, self.location.as_deref()),
            (303, Some(to)),
            "{}",
            self.body
        );
    }
}

/// The example app (plus `/secure`) against a fresh emulator, and one browser on it.
pub struct Host {
    pub client: Client,
    pub emu: TestEmulator,
}

/// Two factors required (a step-up for a one-factor session).
struct TwoFactors;

impl Policy for TwoFactors {
    fn rules() -> Rules {
        Rules {
            mfa: true,
            ..Rules::default()
        }
    }
}

#[get("/secure")]
fn secure(user: Allowed<TwoFactors>) -> String {
    format!("two factors: {}", user.used_two_factors())
}

/// The host's figment: Rocket's debug defaults and the portal's keys, as a host's
/// `Rocket.toml` would give them.
pub fn figment(emu: &TestEmulator) -> Figment {
    Figment::from(rocket::Config::debug_default())
        .merge(("log_level", LogLevel::Off))
        .merge(("okta.issuer", emu.issuer()))
        .merge(("okta.client_id", DEMO_CLIENT_ID))
        .merge(("okta.client_secret", DEMO_CLIENT_SECRET))
        .merge(("okta.scopes", "openid profile email offline_access groups"))
        .merge(("session.secret", "test-secret-test-secret-test-secret!"))
}

impl Host {
    pub async fn start() -> Host {
        let emu = testkit::start().await;
        let rocket = app::rocket(figment(&emu)).mount("/", routes![secure]);
        let client = Client::tracked(rocket).await.expect("the host app ignites");
        Host { client, emu }
    }

    async fn page(response: LocalResponse<'_>) -> Page {
        let header = |name: &str| response.headers().get_one(name).map(str::to_string);
        let (location, csp) = (header("Location"), header("Content-Security-Policy"));
        let status = response.status().code;
        let set_cookies = response
            .headers()
            .get("Set-Cookie")
            .map(str::to_string)
            .collect();
        let body = unescape(&response.into_string().await.unwrap_or_default());
        Page {
            status,
            location,
            csp,
            set_cookies,
            body,
        }
    }

    /// A browser's GET (`Accept: text/html`).
    pub async fn get(&self, path: &str) -> Page {
        let request = self.client.get(path.to_string());
        Self::page(
            request
                .header(Header::new("Accept", "text/html"))
                .dispatch()
                .await,
        )
        .await
    }

    /// A form POST with `csrf_token` from `from` (a page that has forms).
    pub async fn post(&self, path: &str, from: &Page, fields: &[(&str, &str)]) -> Page {
        let token = csrf_token(&from.body).expect("the page has a CSRF token");
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("csrf_token", &token);
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        let request = self.client.post(path.to_string()).header(ContentType::Form);
        Self::page(request.body(form.finish()).dispatch().await).await
    }

    /// Follows the redirect to the sign-in page for `return_to` and signs in with a
    /// password there; answers where the sign-in sent the browser.
    pub async fn sign_in(&self, user: &str, return_to: &str) -> Page {
        let form = self
            .get(&format!("/sso/signin?return_to={return_to}"))
            .await;
        assert_eq!(form.status, 200);
        let return_to = form
            .body
            .split("name=\"return_to\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the form keeps return_to")
            .to_string();
        self.post(
            "/sso/signin",
            &form,
            &[
                ("username", user),
                ("password", PASSWORD),
                ("return_to", &return_to),
            ],
        )
        .await
    }
}
