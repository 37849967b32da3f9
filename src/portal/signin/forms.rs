//! The sign-in forms (field names are product.md §3's contract) and their validation into
//! the service's inputs. A field that fails names itself and a message for the page; the
//! form is then shown again with a 422 and what the visitor typed (never the password).

use rocket::form::{self, FromForm, FromFormField, ValueField};

use super::machine::Method;
use super::service::{PasswordInput, PasswordlessInput};
use crate::portal::guards::WithCsrf;

/// Why a signed-in user is asked to sign in again (`/auth`'s rules `mfa` and `max_age`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepUp {
    /// Two factors are needed: Okta is asked for them (`urn:okta:loa:2fa:any`).
    Mfa,
    /// A sign-in fresher than the session's is needed.
    Fresh,
    /// MyAccount refused an account action as the sign-in is too old: a fresh sign-in
    /// with the `acr_values` Okta asked for (kept with the pending action), then the action.
    Account,
}

/// The `acr_values` that ask Okta for two factors.
pub const TWO_FACTORS: &str = "urn:okta:loa:2fa:any";

impl StepUp {
    /// From the `step_up` parameter.
    pub fn parse(value: Option<&str>) -> Option<StepUp> {
        match value? {
            "mfa" => Some(StepUp::Mfa),
            "fresh" => Some(StepUp::Fresh),
            "account" => Some(StepUp::Account),
            _ => None,
        }
    }

    /// The parameter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            StepUp::Mfa => "mfa",
            StepUp::Fresh => "fresh",
            StepUp::Account => "account",
        }
    }

    /// What Okta is asked for.
    pub fn acr_values(self) -> Option<String> {
        (self == StepUp::Mfa).then(|| TWO_FACTORS.to_string())
    }
}

/// A checkbox: ticked when the field is present, whatever its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checkbox(pub bool);

impl<'v> FromFormField<'v> for Checkbox {
    fn from_value(_: ValueField<'v>) -> form::Result<'v, Self> {
        Ok(Checkbox(true))
    }

    fn default() -> Option<Self> {
        Some(Checkbox(false))
    }
}

// Text fields are `Option`s because Rocket turns a malformed or repeated field into
// `None` there (the form is then shown again with a message), rather than refusing the
// whole form. `validate` reads them through `text`.
fn text(field: &Option<String>) -> &str {
    field.as_deref().unwrap_or_default()
}

/// The field that failed validation and the message shown beside it.
pub type Invalid = (&'static str, &'static str);

/// The sign-in form with a password (`POST /signin`).
#[derive(FromForm)]
pub struct PasswordForm {
    /// The username.
    pub username: Option<String>,
    /// The password.
    pub password: Option<String>,
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
    /// Where to go after sign-in.
    pub return_to: Option<String>,
    /// "Keep me signed in".
    pub remember: Checkbox,
    /// Set on a step-up sign-in (`mfa` or `fresh`): the signed-in user confirms it is them.
    pub step_up: Option<String>,
}

/// The sign-in form for a passwordless method (`POST /signin/passwordless`).
#[derive(FromForm)]
pub struct PasswordlessForm {
    /// The username.
    pub username: Option<String>,
    /// The chosen method (`otp`, `push`, `sms`, `voice`, `email`).
    pub method: Option<String>,
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
    /// Where to go after sign-in.
    pub return_to: Option<String>,
    /// "Keep me signed in".
    pub remember: Checkbox,
    /// Set on a step-up sign-in (`mfa` or `fresh`): the signed-in user confirms it is them.
    pub step_up: Option<String>,
}

/// The choice of a second factor (`POST /signin/factor`).
#[derive(FromForm)]
pub struct FactorForm {
    /// The chosen method.
    pub factor: Option<String>,
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
}

/// A one-time code (`POST /signin/verify`).
#[derive(FromForm)]
pub struct CodeForm {
    /// The code typed.
    pub code: Option<String>,
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
}

/// A form with nothing but its CSRF token (resend, cancel, switch, sign-out).
#[derive(FromForm)]
pub struct EmptyForm {
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
}

/// The sign-out form: its CSRF token and, from an app behind the gateway, where to go next.
#[derive(FromForm)]
pub struct SignoutForm {
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
    /// An allowed absolute URL or a local path to land on after signing out.
    pub return_to: Option<String>,
}

macro_rules! with_csrf {
    ($($form:ty),*) => {$(
        impl WithCsrf for $form {
            fn csrf_token(&self) -> Option<&str> {
                self.csrf_token.as_deref()
            }
        }
    )*};
}
with_csrf!(
    PasswordForm,
    PasswordlessForm,
    FactorForm,
    CodeForm,
    EmptyForm,
    SignoutForm
);

/// A username as typed, trimmed; refused when empty, over 256 characters or with
/// control characters.
pub fn username(raw: &str) -> Result<String, Invalid> {
    let username = raw.trim();
    if username.is_empty() {
        return Err(("username", "invalid-username-empty"));
    }
    if username.chars().count() > 256 || username.chars().any(char::is_control) {
        return Err(("username", "invalid-username"));
    }
    Ok(username.to_string())
}

impl PasswordForm {
    /// The username as typed, to show the form again.
    pub fn typed_username(&self) -> &str {
        text(&self.username)
    }

    /// The service's input, with `return_to` already made safe.
    pub fn validate(&self, return_to: String) -> Result<PasswordInput, Invalid> {
        let username = username(text(&self.username))?;
        let password = text(&self.password);
        if password.is_empty() {
            return Err(("password", "invalid-password-empty"));
        }
        if password.len() > 1024 {
            return Err(("password", "invalid-password-long"));
        }
        Ok(PasswordInput {
            username,
            password: password.to_string(),
            return_to,
            remember: self.remember.0,
            acr_values: None,
        })
    }
}

impl PasswordlessForm {
    /// The username as typed, to show the form again.
    pub fn typed_username(&self) -> &str {
        text(&self.username)
    }

    /// The service's input, if `method` is one of the `offered` ones.
    pub fn validate(
        &self,
        return_to: String,
        offered: &[Method],
    ) -> Result<PasswordlessInput, Invalid> {
        let username = username(text(&self.username))?;
        let method = Method::parse(text(&self.method))
            .filter(|m| offered.contains(m))
            .ok_or(("method", "invalid-method"))?;
        Ok(PasswordlessInput {
            username,
            method,
            return_to,
            remember: self.remember.0,
            acr_values: None,
        })
    }
}

impl CodeForm {
    /// The code as typed (the machine checks its shape for the step's method).
    pub fn code(&self) -> String {
        text(&self.code).to_string()
    }
}

impl FactorForm {
    /// The chosen factor, if it is one of the `offered` ones.
    pub fn validate(&self, offered: &[Method]) -> Result<Method, Invalid> {
        Method::parse(text(&self.factor))
            .filter(|m| offered.contains(m))
            .ok_or(("factor", "invalid-factor"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_bounded() {
        assert_eq!(
            username("  alice@example.com ").unwrap(),
            "alice@example.com"
        );
        assert_eq!(username("   ").unwrap_err().1, "invalid-username-empty");
        assert!(username(&"a".repeat(257)).is_err());
        assert!(username("al\u{7}ice").is_err());
    }

    #[test]
    fn a_method_that_is_not_offered_is_refused() {
        let form = PasswordlessForm {
            username: Some("carol".into()),
            method: Some("sms".into()),
            csrf_token: None,
            return_to: None,
            remember: Checkbox(false),
            step_up: None,
        };
        assert_eq!(
            form.validate("/".into(), &[Method::Email]).err(),
            Some(("method", "invalid-method"))
        );
        assert!(form.validate("/".into(), &[Method::Sms]).is_ok());
    }
}
