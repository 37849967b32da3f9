//! Rendering: every page gets the brand, the CSRF token for its forms, and its own
//! `page` context. Templates (`templates/*.html.tera`) autoescape; nothing a user or Okta
//! supplied is marked safe.

use rocket::http::Status;
use rocket::response::{self, Redirect, Responder};
use rocket::Request;
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::json;

use crate::config::BrandingConfig;
use crate::portal::signin::machine::Notice;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Brand {
    pub product_name: String,
    pub logo_url: Option<String>,
    pub primary_color: String,
    pub support_url: Option<String>,
}

impl From<&BrandingConfig> for Brand {
    fn from(b: &BrandingConfig) -> Self {
        Brand {
            product_name: b.product_name.clone(),
            logo_url: b.logo_url.clone(),
            primary_color: b.primary_color.clone(),
            support_url: b.support_url.clone(),
        }
    }
}

pub fn render(
    name: &'static str,
    brand: &Brand,
    csrf_token: Option<&str>,
    page: impl Serialize,
) -> Template {
    Template::render(
        name,
        json!({"brand": brand, "csrf_token": csrf_token, "page": page}),
    )
}

/// The one line shown for a notice, and whether it is good news.
pub fn notice_text(notice: Notice) -> (String, &'static str) {
    let text = match notice {
        Notice::Expired => {
            "That step took too long and has expired. Please start again.".to_string()
        }
        Notice::Cancelled => "Sign-in cancelled.".to_string(),
        Notice::Denied => "The sign-in request was denied on your device.".to_string(),
        Notice::CodeSent => "We sent you a code.".to_string(),
        Notice::CodeResent => "We sent you a new code.".to_string(),
        Notice::ResendWait(s) => format!("You can ask for a new code in {s} seconds."),
        Notice::ResendLimit => {
            "You have asked for too many codes. Use the last one we sent, or start again."
                .to_string()
        }
        Notice::MethodUnavailable => {
            "That method isn't available for your account. Please choose another.".to_string()
        }
        Notice::TooManyAttempts => "Too many wrong codes. Please start again.".to_string(),
        Notice::ChooseAnother => "Please choose another way to verify.".to_string(),
        Notice::SignedOut => "You have been signed out.".to_string(),
        Notice::SessionEnded => "Your session has ended. Please sign in again.".to_string(),
    };
    let kind = match notice {
        Notice::CodeSent | Notice::CodeResent | Notice::SignedOut | Notice::Cancelled => "info",
        _ => "warning",
    };
    (text, kind)
}

/// A page or a redirect.
pub enum Reply {
    Redirect(Redirect),
    Page(Status, Template),
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Reply::Redirect(r) => r.respond_to(req),
            Reply::Page(status, template) => {
                let mut response = template.respond_to(req)?;
                response.set_status(status);
                Ok(response)
            }
        }
    }
}

/// `2026-11-21 10:58 UTC`.
pub fn format_time(epoch: i64) -> String {
    rocket::time::OffsetDateTime::from_unix_timestamp(epoch)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}
