//! Rendering: every page gets the brand, the CSRF token for its forms, the portal's base
//! path (`base`: `""` at the root, `/sso` when mounted under it; every link, form action
//! and asset URL starts with it) and its own `page` context. Templates
//! (`templates/*.html.tera`) autoescape; nothing a user or Okta supplied is marked safe.
//! Pages are rendered by the portal's own [`Templates`](super::templates::Templates), found
//! through the portal's state when the response is written.
//!
//! Every page also gets the visitor's language ([`i18n::negotiate`](super::i18n::negotiate)):
//! `lang` (its tag, for `<html lang>` and the catalog look-ups), `dir` (`ltr`/`rtl`) and
//! `languages` (the picker's links), and every page answer carries
//! `Vary: Accept-Language, Cookie` (and the `lang` cookie when `?lang=` chose it).

use std::sync::Arc;

use rocket::http::{ContentType, Status};
use rocket::response::{self, Redirect, Responder};
use rocket::Request;
use serde::Serialize;
use serde_json::{json, Value};

use super::i18n::{negotiate, Msg};
use crate::config::BrandingConfig;
use crate::portal::signin::machine::Notice;

/// Branding as the templates see it (from `[branding]`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Brand {
    /// Product name shown in titles and headers.
    pub product_name: String,
    /// URL of the logo; `None`: no logo.
    pub logo_url: Option<String>,
    /// The brand colour (hex, e.g. `#1f4fd1`).
    pub primary_color: String,
    /// URL of the support link; `None`: no link.
    pub support_url: Option<String>,
    /// `/brand.css`, worked out once from the colour.
    #[serde(skip)]
    pub css: String,
}

impl From<&BrandingConfig> for Brand {
    fn from(b: &BrandingConfig) -> Self {
        Brand {
            product_name: b.product_name.clone(),
            logo_url: b.logo_url.clone(),
            primary_color: b.primary_color.clone(),
            css: brand_css(&b.primary_color),
            support_url: b.support_url.clone(),
        }
    }
}

/// A page to render: the template `name` and its context (the base path is added when
/// the response is written).
pub struct View {
    name: &'static str,
    context: Value,
}

/// The template `name` with the brand, the CSRF token for its forms (`None`: no forms) and
/// the page's data.
pub fn render(
    name: &'static str,
    brand: &Brand,
    csrf_token: Option<&str>,
    page: impl Serialize,
) -> View {
    View {
        name,
        context: json!({"brand": brand, "csrf_token": csrf_token, "page": page}),
    }
}

impl<'r> Responder<'r, 'static> for View {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let Some(portal) = req.rocket().state::<Arc<super::Portal>>() else {
            tracing::error!(
                template = self.name,
                "a page was rendered without the portal's state"
            );
            return Err(Status::InternalServerError);
        };
        let mut context = match tera::Context::from_value(self.context) {
            Ok(context) => context,
            Err(e) => {
                tracing::error!(template = self.name, error = %e, "a page context is not an object");
                return Err(Status::InternalServerError);
            }
        };
        context.insert("base", portal.base.as_str());
        let catalog = portal.templates.catalog();
        let chosen = negotiate::chosen(req, catalog);
        let language = catalog.language(chosen.index);
        context.insert("lang", &language.code);
        context.insert("dir", language.dir);
        context.insert("languages", &negotiate::picker(req, catalog, chosen.index));
        remember_language(req, portal);
        match portal.templates.render(self.name, &context) {
            Ok(html) => {
                let mut response = (ContentType::HTML, html).respond_to(req)?;
                response.set_raw_header("Vary", "Accept-Language, Cookie");
                Ok(response)
            }
            Err(e) => {
                tracing::error!(template = self.name, error = %e, "a page could not be rendered");
                Err(Status::InternalServerError)
            }
        }
    }
}

/// Sets the `lang` cookie when `?lang=` chose the request's language.
fn remember_language(req: &Request<'_>, portal: &super::Portal) {
    let catalog = portal.templates.catalog();
    let chosen = negotiate::chosen(req, catalog);
    if chosen.from_query {
        let code = &catalog.language(chosen.index).code;
        req.cookies()
            .add(negotiate::cookie(code, portal.base.as_str()));
    }
}

/// The brand's custom properties for `/brand.css`: `--brand` as configured, `--brand-ink`
/// (text on the brand colour: white or near-black, whichever contrasts more) and
/// `--brand-text` (the brand colour used as text on white, darkened until it reaches the
/// 4.5:1 contrast of WCAG AA), so any `branding.primary_color` stays readable.
pub fn brand_css(primary: &str) -> String {
    let Some(rgb) = parse_hex(primary) else {
        return format!(":root {{ --brand: {primary}; }}\n");
    };
    let ink = if contrast(luminance(rgb), luminance(WHITE))
        >= contrast(luminance(rgb), luminance(DARK_INK))
    {
        "#ffffff"
    } else {
        "#16191f"
    };
    let mut text = rgb;
    let mut step = 0;
    while contrast(luminance(text), luminance(WHITE)) < 4.5 && step < 20 {
        step += 1;
        let keep = 1.0 - 0.05 * f64::from(step);
        text = rgb.map(|c| (f64::from(c) * keep).round() as u8);
    }
    format!(
        ":root {{ --brand: {primary}; --brand-ink: {ink}; --brand-text: #{:02x}{:02x}{:02x}; }}\n",
        text[0], text[1], text[2]
    )
}

const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const DARK_INK: [u8; 3] = [0x16, 0x19, 0x1f];

/// `#1f4fd1` or `#14d` (the configuration has been validated already).
fn parse_hex(color: &str) -> Option<[u8; 3]> {
    let hex = color.strip_prefix('#')?;
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    match digits[..] {
        [r, g, b] => Some([r * 17, g * 17, b * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
        _ => None,
    }
}

/// WCAG 2 relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let [r, g, b] = rgb.map(|c| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The one line shown for a notice (a message id, with its variables), and whether it is
/// good news.
pub fn notice_text(notice: Notice) -> (Msg, &'static str) {
    let msg = match notice {
        Notice::Expired => Msg::new("notice-expired"),
        Notice::Cancelled => Msg::new("notice-cancelled"),
        Notice::Denied => Msg::new("notice-denied"),
        Notice::CodeSent => Msg::new("notice-code-sent"),
        Notice::CodeResent => Msg::new("notice-code-resent"),
        Notice::ResendWait(s) => Msg::new("notice-resend-wait").arg("seconds", s),
        Notice::ResendLimit => Msg::new("notice-resend-limit"),
        Notice::MethodUnavailable => Msg::new("notice-method-unavailable"),
        Notice::TooManyAttempts => Msg::new("notice-too-many-attempts"),
        Notice::ChooseAnother => Msg::new("notice-choose-another"),
        Notice::SignedOut => Msg::new("notice-signed-out"),
        Notice::SessionEnded => Msg::new("notice-session-ended"),
        Notice::ConfirmIdentity => Msg::new("notice-confirm-identity"),
        Notice::PasswordChanged => Msg::new("notice-password-changed"),
        Notice::ConfirmChange => Msg::new("notice-confirm-change"),
    };
    let kind = match notice {
        Notice::CodeSent
        | Notice::CodeResent
        | Notice::SignedOut
        | Notice::Cancelled
        | Notice::PasswordChanged => "info",
        _ => "warning",
    };
    (msg, kind)
}

/// A page or a redirect.
pub enum Reply {
    /// A redirect (boxed: a `Redirect` is several times the size of a page).
    Redirect(Box<Redirect>),
    /// A rendered page with this status.
    Page(Status, View),
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Reply::Redirect(r) => {
                if let Some(portal) = req.rocket().state::<Arc<super::Portal>>() {
                    remember_language(req, portal);
                }
                r.respond_to(req)
            }
            Reply::Page(status, template) => {
                let mut response = template.respond_to(req)?;
                response.set_status(status);
                Ok(response)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_css_keeps_text_readable_on_any_primary_colour() {
        // The default blue: white ink, used as text unchanged.
        assert_eq!(
            brand_css("#1f4fd1"),
            ":root { --brand: #1f4fd1; --brand-ink: #ffffff; --brand-text: #1f4fd1; }\n"
        );
        // A light yellow: dark ink on it, and a darker shade of it for text on white.
        let css = brand_css("#fc0");
        assert!(css.contains("--brand: #fc0;"), "{css}");
        assert!(css.contains("--brand-ink: #16191f;"), "{css}");
        let text = css.split("--brand-text: #").nth(1).unwrap();
        let rgb = parse_hex(&format!("#{}", &text[..6])).unwrap();
        assert!(contrast(luminance(rgb), luminance(WHITE)) >= 4.5, "{css}");
        // Something that is not a hex colour is passed through untouched.
        assert_eq!(brand_css("red"), ":root { --brand: red; }\n");
    }

    #[test]
    fn contrast_matches_wcag() {
        let black_on_white = contrast(luminance([0, 0, 0]), luminance(WHITE));
        assert!((black_on_white - 21.0).abs() < 1e-9);
        assert_eq!(parse_hex("#abc"), Some([0xaa, 0xbb, 0xcc]));
        assert_eq!(parse_hex("#1f4fd1"), Some([0x1f, 0x4f, 0xd1]));
        assert_eq!(parse_hex("1f4fd1"), None);
    }
}
