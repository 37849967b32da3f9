//! The rules a protected location sets on its auth URL (`/auth?allowed_groups=a,b&mfa=1`),
//! all required together, and the verdict for a signed-in user.

use rocket::form::FromForm;

/// Who is asking, as the session knows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The user's Okta ID.
    pub sub: String,
    /// The user's email address, when known.
    pub email: Option<String>,
    /// The user's display name, when known.
    pub name: Option<String>,
    /// The user's Okta login, when known.
    pub preferred_username: Option<String>,
    /// The user's Okta groups.
    pub groups: Vec<String>,
    /// How the user authenticated (`amr` values).
    pub amr: Vec<String>,
    /// When the user authenticated (epoch seconds).
    pub auth_time: i64,
}

impl Identity {
    /// Whether this sign-in used two factors: Okta's `mfa` value, or two distinct factor
    /// kinds among the `amr` values (RFC 8176).
    pub fn used_two_factors(&self) -> bool {
        const FACTORS: [&str; 10] = [
            "pwd", "otp", "sms", "tel", "swk", "hwk", "kba", "pop", "fpt", "face",
        ];
        if self.amr.iter().any(|a| a == "mfa") {
            return true;
        }
        let mut kinds: Vec<&str> = self
            .amr
            .iter()
            .map(String::as_str)
            .filter(|a| FACTORS.contains(a))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds.len() >= 2
    }
}

/// The query of the auth URL, as the proxy configuration writes it.
#[derive(Debug, Default, FromForm, PartialEq, Eq)]
pub struct RuleQuery {
    /// Comma-separated groups, one of which the user must be in.
    pub allowed_groups: Option<String>,
    /// Comma-separated email addresses, one of which must be the user's.
    pub allowed_emails: Option<String>,
    /// Comma-separated email domains (a leading `@` allowed), one of which must be the user's.
    pub allowed_email_domains: Option<String>,
    /// `1`/`true`: two factors are required; `0`/`false` or absent: not.
    pub mfa: Option<String>,
    /// The oldest sign-in accepted, in seconds since `auth_time`.
    pub max_age: Option<String>,
}

/// The rules, parsed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Any one of these groups.
    pub groups: Vec<String>,
    /// One of these addresses (compared case-insensitively).
    pub emails: Vec<String>,
    /// An address at one of these domains.
    pub email_domains: Vec<String>,
    /// Whether the sign-in must have used two factors.
    pub mfa: bool,
    /// The oldest sign-in accepted, in seconds since `auth_time`; `None`: any age.
    pub max_age: Option<i64>,
}

/// What `/auth` answers a signed-in user.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 200: the user may see this location.
    Allow,
    /// 403: the user may not see this location.
    Deny,
    /// A second factor or a fresher sign-in is needed. (Answered with a 403 until the
    /// step-up sign-in is built: see `auth::answer`.)
    StepUp {
        /// Whether two factors are required.
        mfa: bool,
        /// The oldest sign-in accepted, in seconds; `None`: any age.
        max_age: Option<i64>,
    },
}

fn list(value: &Option<String>) -> Vec<String> {
    value
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

impl Rules {
    /// Parses the rules; an error names the parameter that is not right (an operator's
    /// mistake in the proxy configuration, answered with a 400).
    pub fn parse(q: &RuleQuery) -> Result<Rules, String> {
        let mfa = match q.mfa.as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(_) => return Err("mfa must be 1 or 0".into()),
        };
        let max_age = match q.max_age.as_deref() {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (0..=10 * 365 * 86_400).contains(&n) => Some(n),
                _ => return Err("max_age must be a number of seconds".into()),
            },
        };
        Ok(Rules {
            groups: list(&q.allowed_groups),
            emails: list(&q.allowed_emails)
                .into_iter()
                .map(|e| e.to_lowercase())
                .collect(),
            email_domains: list(&q.allowed_email_domains)
                .into_iter()
                .map(|d| d.trim_start_matches('@').to_lowercase())
                .collect(),
            mfa,
            max_age,
        })
    }

    /// The verdict for `who` at `now`: who they are first (403), then how they signed in
    /// (a step-up).
    pub fn judge(&self, who: &Identity, now: i64) -> Verdict {
        let email = who.email.as_deref().map(str::to_lowercase);
        let in_group = self.groups.is_empty() || who.groups.iter().any(|g| self.groups.contains(g));
        let listed =
            self.emails.is_empty() || email.as_ref().is_some_and(|e| self.emails.contains(e));
        let domain = self.email_domains.is_empty()
            || email
                .as_deref()
                .and_then(|e| e.rsplit_once('@'))
                .is_some_and(|(_, d)| self.email_domains.iter().any(|x| x == d));
        if !(in_group && listed && domain) {
            return Verdict::Deny;
        }
        let needs_mfa = self.mfa && !who.used_two_factors();
        let too_old = self.max_age.is_some_and(|age| now - who.auth_time > age);
        if needs_mfa || too_old {
            return Verdict::StepUp {
                mfa: self.mfa,
                max_age: self.max_age,
            };
        }
        Verdict::Allow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bob() -> Identity {
        Identity {
            sub: "00u1".into(),
            email: Some("Bob@Example.com".into()),
            groups: vec!["admins".into(), "staff".into()],
            amr: vec!["pwd".into()],
            auth_time: 1_000,
            ..Identity::default()
        }
    }

    fn rules(q: RuleQuery) -> Rules {
        Rules::parse(&q).unwrap()
    }

    #[test]
    fn no_rules_allow_anyone_signed_in() {
        assert_eq!(
            rules(<RuleQuery as Default>::default()).judge(&bob(), 2_000),
            Verdict::Allow
        );
    }

    #[test]
    fn groups_emails_and_domains_are_all_required() {
        let q = |groups: &str, domains: &str| RuleQuery {
            allowed_groups: Some(groups.into()),
            allowed_email_domains: Some(domains.into()),
            ..<RuleQuery as Default>::default()
        };
        assert_eq!(
            rules(q("customers, staff", "example.com")).judge(&bob(), 0),
            Verdict::Allow
        );
        assert_eq!(
            rules(q("customers", "example.com")).judge(&bob(), 0),
            Verdict::Deny
        );
        assert_eq!(
            rules(q("staff", "@other.org")).judge(&bob(), 0),
            Verdict::Deny
        );
        let listed = RuleQuery {
            allowed_emails: Some("bob@example.com".into()),
            ..<RuleQuery as Default>::default()
        };
        assert_eq!(rules(listed).judge(&bob(), 0), Verdict::Allow);
        let other = RuleQuery {
            allowed_emails: Some("alice@example.com".into()),
            ..<RuleQuery as Default>::default()
        };
        assert_eq!(rules(other).judge(&bob(), 0), Verdict::Deny);
        let no_email = Identity {
            email: None,
            ..bob()
        };
        let domains = RuleQuery {
            allowed_email_domains: Some("example.com".into()),
            ..<RuleQuery as Default>::default()
        };
        assert_eq!(rules(domains).judge(&no_email, 0), Verdict::Deny);
    }

    #[test]
    fn a_password_only_or_old_sign_in_steps_up() {
        let mfa = rules(RuleQuery {
            mfa: Some("1".into()),
            ..<RuleQuery as Default>::default()
        });
        assert_eq!(
            mfa.judge(&bob(), 2_000),
            Verdict::StepUp {
                mfa: true,
                max_age: None
            }
        );
        let strong = Identity {
            amr: vec!["pwd".into(), "otp".into()],
            ..bob()
        };
        assert_eq!(mfa.judge(&strong, 2_000), Verdict::Allow);
        let okta_mfa = Identity {
            amr: vec!["mfa".into()],
            ..bob()
        };
        assert_eq!(mfa.judge(&okta_mfa, 2_000), Verdict::Allow);
        let fresh = rules(RuleQuery {
            max_age: Some("600".into()),
            ..<RuleQuery as Default>::default()
        });
        assert_eq!(fresh.judge(&bob(), 1_600), Verdict::Allow);
        assert!(matches!(fresh.judge(&bob(), 1_601), Verdict::StepUp { .. }));
        // Who they are comes first: a refused group is a 403, not a step-up.
        let both = rules(RuleQuery {
            allowed_groups: Some("customers".into()),
            mfa: Some("1".into()),
            ..<RuleQuery as Default>::default()
        });
        assert_eq!(both.judge(&bob(), 2_000), Verdict::Deny);
    }

    #[test]
    fn malformed_rules_are_refused() {
        for q in [
            RuleQuery {
                mfa: Some("yes please".into()),
                ..<RuleQuery as Default>::default()
            },
            RuleQuery {
                max_age: Some("-1".into()),
                ..<RuleQuery as Default>::default()
            },
            RuleQuery {
                max_age: Some("soon".into()),
                ..<RuleQuery as Default>::default()
            },
        ] {
            assert!(Rules::parse(&q).is_err(), "{q:?}");
        }
    }
}
