//! `[signin]`: which factors the sign-in pages offer and where a sign-in lands.
//!
//! The lists are typed: an unknown method is refused when the configuration is read,
//! naming the key; `default_return_to` is a [`LocalPath`].

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::local_path::LocalPath;
use crate::method::Method;

/// `[signin]`: the factors offered and where to go after sign-in.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SigninConfig {
    /// Passwordless first factors offered on the sign-in page.
    pub passwordless: Vec<Method>,
    /// Second factors offered after `mfa_required`.
    pub second_factors: Vec<Method>,
    /// Where to go after sign-in when no `return_to` is given.
    pub default_return_to: LocalPath,
}

impl Default for SigninConfig {
    fn default() -> Self {
        SigninConfig {
            passwordless: Method::ALL.to_vec(),
            second_factors: Method::ALL.to_vec(),
            default_return_to: LocalPath::new("/account").expect("a local path"),
        }
    }
}

impl SigninConfig {
    /// Everything here is checked by its type when read.
    pub fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;

    #[test]
    fn methods_parse_and_unknown_ones_are_refused() {
        let c = with("[signin]\npasswordless = [\"push\", \"otp\"]\nsecond_factors = []").unwrap();
        assert_eq!(c.signin.passwordless, vec![Method::Push, Method::Otp]);
        assert!(c.signin.second_factors.is_empty());
        assert_eq!(with("").unwrap().signin.passwordless, Method::ALL.to_vec());
        let e = with("[signin]\nsecond_factors = [\"otp\", \"carrier-pigeon\"]").unwrap_err();
        assert!(e.to_string().contains("signin.second_factors"), "{e}");
        let e = with("[signin]\npasswordless = [\"OTP\"]").unwrap_err();
        assert!(e.to_string().contains("signin.passwordless"), "{e}");
    }

    #[test]
    fn default_return_to_is_a_local_path() {
        let c = with("[signin]\ndefault_return_to = \"/home?tab=1\"").unwrap();
        assert_eq!(c.signin.default_return_to, "/home?tab=1");
        for bad in ["https://evil.example/", "//evil.example", "account", "/a b"] {
            let e = with(&format!("[signin]\ndefault_return_to = \"{bad}\"")).unwrap_err();
            assert!(
                e.to_string().contains("signin.default_return_to"),
                "{bad}: {e}"
            );
        }
    }
}
