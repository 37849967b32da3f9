//! The shield around a flow's steps: before the machine runs, wrong-code budgets, free
//! passwordless starts and which answers must wait for the failure floor; after it, what
//! the attempt earned. Also what each Okta call delivers and the priority it goes at.

use super::{Attempt, Driven, SigninService};
use crate::okta::{CallContext, Priority};
use crate::portal::abuse::{Admission, Delivery};
use crate::portal::error::AppError;
use crate::portal::session::{PreAuth, StoreError};
use crate::portal::signin::machine::{Call, Event, Failure, Method, Notice, Page, Rejection, Step};

/// What the shield decided before the machine ran, settled once the outcome is known.
pub(super) struct Shielding {
    /// Held while a code is on its way (it counts against the code budget meanwhile).
    pub(super) code: Option<Admission>,
    /// The answer must not come faster than the failure floor (a decoy would otherwise
    /// answer without Okta's latency).
    pub(super) floor: bool,
    /// A browser with a device cookie for this flow's username.
    pub(super) device: bool,
}

impl SigninService {
    /// The shield's checks before the machine sees `event` (the username is the flow's).
    pub(super) async fn shield(
        &self,
        attempt: &Attempt<'_>,
        pre: &PreAuth,
        event: &Event,
        username: Option<&str>,
        now: i64,
    ) -> Result<Shielding, AppError> {
        let ip = client_ip(attempt.ctx);
        let device = username.is_some_and(|u| attempt.has_device_cookie(&self.protection, u));
        let step = pre.flow.as_ref().map(|f| &f.step);
        let mut shielding = Shielding {
            code: None,
            floor: false,
            device,
        };
        match event {
            Event::StartPasswordless { method, .. } => {
                if *method == Method::Otp {
                    self.protection.check_free_start(ip).await?;
                }
                shielding.floor = true;
            }
            Event::SubmitCode(_) => {
                if let (Some(Step::EnterCode { .. }), Some(user)) = (step, username) {
                    shielding.code = Some(self.protection.admit_code(user, ip).await?);
                    shielding.floor = true;
                }
            }
            // A recovery's factor: known and unknown names alike ask Okta for a challenge,
            // and an unknown one is answered sooner; the floor hides that.
            Event::ChooseFactor(_) => {
                shielding.floor = matches!(step, Some(Step::ChooseRecovery { .. }))
            }
            Event::Resend => shielding.floor = matches!(step, Some(Step::EnterCode { .. })),
            Event::Poll => {
                shielding.floor = matches!(step, Some(Step::WaitPush { next_poll_at, .. }) if now >= *next_poll_at)
            }
            _ => {}
        }
        Ok(shielding)
    }

    /// Records what a code attempt earned: a wrong code, or one whose answer was lost
    /// (Okta may have counted it), counts; a completed sign-in restarts the count.
    pub(super) async fn settle(
        &self,
        shielding: Shielding,
        username: Option<&str>,
        result: &Result<Driven, AppError>,
    ) -> Result<(), StoreError> {
        let Some(user) = username else {
            return Ok(());
        };
        // A completed sign-in, or a recovery's proven factor, restarts the code count.
        if let Ok(Driven::SignedIn { .. } | Driven::Show(Page::NewPassword)) = result {
            self.protection.codes_ok(user).await?;
        }
        if let Some(admission) = shielding.code {
            let wrong = matches!(
                result,
                Ok(Driven::Reject(Rejection::InvalidCode, _)
                    | Driven::Restart(Notice::TooManyAttempts, _)
                    | Driven::Fail(Failure::Upstream(_)))
            );
            if wrong {
                self.protection.code_failed(user).await?;
            }
            admission.end().await;
        }
        Ok(())
    }
}

pub(super) fn client_ip(ctx: &CallContext) -> std::net::IpAddr {
    ctx.client_ip
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))
}

/// What a call delivers to the user's devices, if anything.
pub(super) fn delivery(call: &Call) -> Option<Delivery> {
    let (channel, first_factor) = match call {
        Call::PrimaryAuthenticate { channel, .. } => (*channel, true),
        Call::Challenge {
            channel: Some(channel),
            ..
        } => (*channel, false),
        _ => return None,
    };
    Some(match channel {
        "push" => Delivery::Push,
        "sms" | "voice" if first_factor => Delivery::FirstFactorPhone,
        _ => Delivery::Message,
    })
}

/// Calls from a flow that has passed a first factor (they carry an `mfa_token`) or from a
/// browser with a device cookie go at normal priority; the rest (passwords, passwordless
/// starts, codes, resends and polls) only get the untrusted share of the ceiling.
pub(super) fn priority(call: &Call, device: bool) -> Priority {
    let mfa = match call {
        // A reset comes after a proven factor.
        Call::Challenge { .. } | Call::MfaOtp { .. } | Call::ResetPassword { .. } => true,
        Call::RedeemOob { mfa_token, .. } => mfa_token.is_some(),
        _ => false,
    };
    if mfa || device {
        Priority::Normal
    } else {
        Priority::Untrusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_calls_past_a_first_factor_or_from_a_device_cookie_go_at_normal_priority() {
        let mfa = || "mfa".to_string();
        let untrusted_first_factor = [
            Call::Password {
                username: "u".into(),
                password: "p".into(),
            },
            Call::PrimaryOtp {
                username: "u".into(),
                otp: "1".into(),
            },
            Call::PrimaryAuthenticate {
                username: "u".into(),
                channel: "sms",
            },
            Call::RedeemOob {
                mfa_token: None,
                oob_code: "o".into(),
                binding_code: Some("1".into()),
            },
        ];
        for call in &untrusted_first_factor {
            assert_eq!(priority(call, false), Priority::Untrusted, "{call:?}");
            assert_eq!(priority(call, true), Priority::Normal, "{call:?}");
        }
        for call in [
            Call::Challenge {
                mfa_token: mfa(),
                channel: Some("sms"),
            },
            Call::MfaOtp {
                mfa_token: mfa(),
                otp: "1".into(),
            },
            Call::RedeemOob {
                mfa_token: Some(mfa()),
                oob_code: "o".into(),
                binding_code: None,
            },
        ] {
            assert_eq!(priority(&call, false), Priority::Normal, "{call:?}");
        }
    }

    #[test]
    fn deliveries_by_kind() {
        let start = |channel| Call::PrimaryAuthenticate {
            username: "u".into(),
            channel,
        };
        let challenge = |channel| Call::Challenge {
            mfa_token: "m".into(),
            channel: Some(channel),
        };
        assert_eq!(delivery(&start("sms")), Some(Delivery::FirstFactorPhone));
        assert_eq!(delivery(&start("voice")), Some(Delivery::FirstFactorPhone));
        assert_eq!(delivery(&start("push")), Some(Delivery::Push));
        assert_eq!(delivery(&start("email")), Some(Delivery::Message));
        assert_eq!(delivery(&challenge("sms")), Some(Delivery::Message));
        assert_eq!(delivery(&challenge("push")), Some(Delivery::Push));
        assert_eq!(
            delivery(&Call::MfaOtp {
                mfa_token: "m".into(),
                otp: "1".into()
            }),
            None
        );
    }
}
