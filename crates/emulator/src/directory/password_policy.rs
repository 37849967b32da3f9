//! The org's password policy (Okta's `settings.password.complexity` and `age.historyCount`
//! of a PASSWORD policy), checked when a user sets a new password through the MyAccount
//! API. Field names follow Okta's policy object; the defaults are Okta's default policy
//! (see `docs/okta-myaccount-and-recovery.md` §5).

use serde::{Deserialize, Serialize};

/// The complexity and history rules a new password must meet.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    #[serde(default = "default_min_length")]
    pub min_length: usize,
    /// Whether a lower-case letter is required (0 or 1, as Okta).
    #[serde(default = "one")]
    pub min_lower_case: u8,
    /// Whether an upper-case letter is required (0 or 1).
    #[serde(default = "one")]
    pub min_upper_case: u8,
    /// Whether a digit is required (0 or 1).
    #[serde(default = "one")]
    pub min_number: u8,
    /// Whether a symbol is required (0 or 1).
    #[serde(default)]
    pub min_symbol: u8,
    /// Whether the password may not contain parts of the username.
    #[serde(default = "yes")]
    pub exclude_username: bool,
    /// How many of the latest passwords (the current one included) may not be reused.
    #[serde(default = "default_history")]
    pub history_count: usize,
}

fn default_min_length() -> usize {
    8
}
fn default_history() -> usize {
    4
}
fn one() -> u8 {
    1
}
fn yes() -> bool {
    true
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: default_min_length(),
            min_lower_case: 1,
            min_upper_case: 1,
            min_number: 1,
            min_symbol: 0,
            exclude_username: true,
            history_count: default_history(),
        }
    }
}

/// One rule a candidate password breaks: Okta's `reason` code and its sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// `LENGTH_MINIMUM`, `LOWER_CASE_REQUIRED`, `UPPER_CASE_REQUIRED`, `NUMBER_REQUIRED`,
    /// `SYMBOL_REQUIRED`, `USERNAME_INCLUDED` or `PASSWORD_HISTORY`.
    pub reason: &'static str,
    /// The sentence Okta puts in the error cause.
    pub summary: String,
}

/// A character-class rule: how many wanted, the test, Okta's reason, what it asks for.
type Rule = (u8, fn(char) -> bool, &'static str, &'static str);

/// Characters that split a username into the parts a password may not contain.
const USERNAME_DELIMITERS: &[char] = &['@', '.', ',', '-', '_', '#', '+', ' '];

impl PasswordPolicy {
    /// Okta's one-line summary of the requirements ("at least 8 characters, a lowercase
    /// letter, …").
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("at least {} characters", self.min_length)];
        if self.min_lower_case > 0 {
            parts.push("a lowercase letter".into());
        }
        if self.min_upper_case > 0 {
            parts.push("an uppercase letter".into());
        }
        if self.min_number > 0 {
            parts.push("a number".into());
        }
        if self.min_symbol > 0 {
            parts.push("a symbol".into());
        }
        if self.exclude_username {
            parts.push("no parts of your username".into());
        }
        let mut text = format!("Password requirements: {}.", parts.join(", "));
        if self.history_count > 0 {
            text.push_str(&format!(
                " Your password cannot be any of your last {} passwords.",
                self.history_count
            ));
        }
        text
    }

    /// The complexity rules `password` breaks for the user `login` (history is checked
    /// apart: it needs the stored hashes).
    pub fn check(&self, login: &str, password: &str) -> Vec<Violation> {
        let mut out = vec![];
        let v = |reason, summary: String| Violation { reason, summary };
        if password.chars().count() < self.min_length {
            out.push(v(
                "LENGTH_MINIMUM",
                format!(
                    "password: Passwords must be at least {} characters in length",
                    self.min_length
                ),
            ));
        }
        let rules: [Rule; 4] = [
            (
                self.min_lower_case,
                char::is_lowercase,
                "LOWER_CASE_REQUIRED",
                "a lowercase letter",
            ),
            (
                self.min_upper_case,
                char::is_uppercase,
                "UPPER_CASE_REQUIRED",
                "an uppercase letter",
            ),
            (
                self.min_number,
                |c| c.is_ascii_digit(),
                "NUMBER_REQUIRED",
                "a number",
            ),
            (
                self.min_symbol,
                |c| !c.is_alphanumeric() && !c.is_whitespace(),
                "SYMBOL_REQUIRED",
                "a symbol",
            ),
        ];
        for (wanted, test, reason, what) in rules {
            if wanted > 0 && !password.chars().any(test) {
                out.push(v(
                    reason,
                    format!("password: Password requirements: at least 0 characters, {what}."),
                ));
            }
        }
        if self.exclude_username && contains_username_part(login, password) {
            out.push(v(
                "USERNAME_INCLUDED",
                "password: Password requirements: no parts of your username.".into(),
            ));
        }
        out
    }

    /// The violation for a password found among the last `history_count` ones.
    pub fn history_violation(&self) -> Violation {
        Violation {
            reason: "PASSWORD_HISTORY",
            summary: format!(
                "password: Password cannot be your current password or any of your last {} passwords.",
                self.history_count
            ),
        }
    }
}

/// Whether `password` contains (case-insensitively) a part of `login` of three or more
/// characters, the parts split at `@ . , - _ # +`.
fn contains_username_part(login: &str, password: &str) -> bool {
    let password = password.to_lowercase();
    login
        .to_lowercase()
        .split(USERNAME_DELIMITERS)
        .filter(|part| part.chars().count() >= 3)
        .any(|part| password.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(p: &PasswordPolicy, login: &str, pw: &str) -> Vec<&'static str> {
        p.check(login, pw).into_iter().map(|v| v.reason).collect()
    }

    #[test]
    fn default_policy_rules() {
        let p = PasswordPolicy::default();
        assert!(reasons(&p, "bob@example.com", "Tr1cky-Horse").is_empty());
        assert_eq!(
            reasons(&p, "bob@example.com", "short1A"),
            vec!["LENGTH_MINIMUM"]
        );
        assert_eq!(
            reasons(&p, "bob@example.com", "alllowercase"),
            vec!["UPPER_CASE_REQUIRED", "NUMBER_REQUIRED"]
        );
        assert_eq!(
            reasons(&p, "bob@example.com", "ItsBob2024!"),
            vec!["USERNAME_INCLUDED"]
        );
        assert_eq!(
            reasons(&p, "bob@example.com", "Example2024x"),
            vec!["USERNAME_INCLUDED"]
        );
        // "com" is a part too, but only parts of three or more characters count.
        assert!(reasons(&p, "al@x.io", "Alpha-Beta9").is_empty());
    }

    #[test]
    fn symbols_and_description() {
        let p = PasswordPolicy {
            min_symbol: 1,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            reasons(&p, "x@example.com", "NoSymbol123"),
            vec!["SYMBOL_REQUIRED"]
        );
        assert!(p.describe().contains("a symbol"));
        assert!(p.describe().contains("last 4 passwords"));
    }
}
