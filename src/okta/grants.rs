//! The calls of the sign-in flows (protocol reference §3–§5): the password, OTP and OOB
//! grants and their MFA forms, `/primary-authenticate` and `/challenge`, token renewal
//! with a refresh token, and revocation (§8.1, §8.2). Every token call sends the same `scope`; the
//! first call of a flow also sends `grant_types_supported`.

use std::fmt;

use super::answer::{self, CallKind};
use super::transport::{Reply, Unanswered};
use super::{
    Answer, CallContext, OktaClient, Upstream, GRANT_MFA_OOB, GRANT_MFA_OTP, GRANT_OOB, GRANT_OTP,
    GRANT_PASSWORD,
};

impl OktaClient {
    /// A `/token` call; validates the ID token of a success.
    async fn token(
        &self,
        kind: CallKind,
        mut form: Vec<(&str, String)>,
        first_call: bool,
        ctx: &CallContext,
    ) -> Answer {
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(e) => return Answer::Upstream(e),
        };
        if ctx.recovery {
            // Both SDKs: the recovery intent and the MyAccount password scope only.
            form.push(("scope", super::myaccount::RECOVERY_SCOPE.to_string()));
            form.push(("intent", "recovery".to_string()));
        } else {
            form.push(("scope", self.scopes.clone()));
        }
        if first_call && !self.grant_types_supported.is_empty() {
            form.push(("grant_types_supported", self.grant_types_supported.clone()));
        }
        let Reply {
            status,
            reset,
            body,
        } = match self.post(&endpoints.token, form, ctx).await {
            Ok(r) => r,
            Err(e) => return e.into(),
        };
        if status != 200 {
            return answer::interpret_error(kind, status, reset, &body);
        }
        if ctx.recovery {
            return answer::recovery_token(&body);
        }
        match self.token_set(&endpoints, body).await {
            Ok(t) => Answer::Tokens(Box::new(t)),
            Err(e) => Answer::Upstream(e),
        }
    }

    /// Flow A step 1: the password grant.
    pub async fn password(&self, ctx: &CallContext, username: &str, password: &str) -> Answer {
        let form = vec![
            ("grant_type", GRANT_PASSWORD.to_string()),
            ("username", username.to_string()),
            ("password", password.to_string()),
        ];
        self.token(CallKind::Password, form, true, ctx).await
    }

    /// Flow E: a one-time passcode as the first factor.
    pub async fn primary_otp(&self, ctx: &CallContext, login_hint: &str, otp: &str) -> Answer {
        let form = vec![
            ("grant_type", GRANT_OTP.to_string()),
            ("login_hint", login_hint.to_string()),
            ("otp", otp.to_string()),
        ];
        self.token(CallKind::Code, form, true, ctx).await
    }

    /// Flow B step 4: an OTP as the second factor.
    pub async fn mfa_otp(&self, ctx: &CallContext, mfa_token: &str, otp: &str) -> Answer {
        let form = vec![
            ("grant_type", GRANT_MFA_OTP.to_string()),
            ("mfa_token", mfa_token.to_string()),
            ("otp", otp.to_string()),
        ];
        self.token(CallKind::Code, form, false, ctx).await
    }

    /// Redeems (`binding_code` given: SMS, voice, email) or polls (push) an OOB challenge;
    /// `mfa_token` selects the MFA grant.
    pub async fn redeem_oob(
        &self,
        ctx: &CallContext,
        mfa_token: Option<&str>,
        oob_code: &str,
        binding_code: Option<&str>,
    ) -> Answer {
        let mut form = vec![("oob_code", oob_code.to_string())];
        match mfa_token {
            Some(m) => {
                form.push(("grant_type", GRANT_MFA_OOB.to_string()));
                form.push(("mfa_token", m.to_string()));
            }
            None => form.push(("grant_type", GRANT_OOB.to_string())),
        }
        let kind = match binding_code {
            Some(code) => {
                form.push(("binding_code", code.to_string()));
                CallKind::Code
            }
            None => CallKind::Poll,
        };
        self.token(
            kind,
            form,
            mfa_token.is_none() && binding_code.is_none(),
            ctx,
        )
        .await
    }

    /// Flows F–H step 1: start a first-factor OOB challenge.
    pub async fn primary_authenticate(
        &self,
        ctx: &CallContext,
        login_hint: &str,
        channel: &str,
    ) -> Answer {
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(e) => return Answer::Upstream(e),
        };
        let mut form = vec![
            ("login_hint", login_hint.to_string()),
            ("challenge_hint", GRANT_OOB.to_string()),
            ("channel_hint", channel.to_string()),
        ];
        // Okta's SDKs say the intent only at /token; said here too, the recovery policy
        // (not the sign-in one) picks the factors from the start (recovery doc §2).
        if ctx.recovery {
            form.push(("intent", "recovery".to_string()));
        }
        self.challenge_call(
            CallKind::PasswordlessStart,
            &endpoints.primary_authenticate,
            form,
            channel,
            ctx,
        )
        .await
    }

    /// Flows B–D step 3: a second-factor challenge; `channel` `None` asks for an OTP.
    pub async fn challenge(
        &self,
        ctx: &CallContext,
        mfa_token: &str,
        channel: Option<&str>,
    ) -> Answer {
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(e) => return Answer::Upstream(e),
        };
        let mut form = vec![("mfa_token", mfa_token.to_string())];
        match channel {
            Some(c) => {
                form.push(("challenge_types_supported", GRANT_MFA_OOB.to_string()));
                form.push(("channel_hint", c.to_string()));
            }
            None => form.push(("challenge_types_supported", GRANT_MFA_OTP.to_string())),
        }
        self.challenge_call(
            CallKind::Challenge,
            &endpoints.challenge,
            form,
            channel.unwrap_or("otp"),
            ctx,
        )
        .await
    }

    async fn challenge_call(
        &self,
        kind: CallKind,
        url: &str,
        form: Vec<(&str, String)>,
        requested_channel: &str,
        ctx: &CallContext,
    ) -> Answer {
        let Reply {
            status,
            reset,
            body,
        } = match self.post(url, form, ctx).await {
            Ok(r) => r,
            Err(e) => return e.into(),
        };
        if status != 200 {
            return answer::interpret_error(kind, status, reset, &body);
        }
        if body["challenge_type"].as_str() == Some(GRANT_MFA_OTP) && body.get("oob_code").is_none()
        {
            return Answer::OtpExpected;
        }
        match answer::parse_challenge(&body, requested_channel) {
            Some(c) => Answer::Challenge(c),
            None => Answer::Upstream(Upstream::Malformed),
        }
    }

    /// A recovery's new password, with the recovery token (`PUT /idp/myaccount/password`).
    pub async fn recover_password(&self, token: &str, password: &str) -> Answer {
        use super::AccountError as E;
        match self.reset_password(token, password).await {
            Ok(()) => Answer::PasswordChanged,
            Err(E::WeakPassword(rules)) => Answer::PasswordRejected(rules),
            Err(E::Unauthorized | E::StepUp(_) | E::NotFound) => Answer::Expired,
            Err(E::RateLimited(reset)) => Answer::RateLimited { reset },
            Err(E::HeldBack(until)) => Answer::HeldBack { until },
            Err(E::Upstream(e)) => Answer::Upstream(e),
            Err(other) => Answer::Upstream(Upstream::Status(400, Some(other.label().into()))),
        }
    }

    /// Renews tokens with a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Answer {
        let form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh_token.to_string()),
        ];
        self.token(CallKind::Refresh, form, false, &CallContext::default())
            .await
    }

    /// Revokes a token (`token_type_hint` `refresh_token` or `access_token`).
    pub async fn revoke(&self, token: &str, hint: &str) -> Result<(), RevokeError> {
        let endpoints = self.endpoints().await?;
        let url = endpoints
            .revoke
            .clone()
            .unwrap_or_else(|| endpoints.token.replace("/token", "/revoke"));
        let form = vec![
            ("token", token.to_string()),
            ("token_type_hint", hint.to_string()),
        ];
        match self.post(&url, form, &CallContext::default()).await? {
            Reply { status: 200, .. } => Ok(()),
            Reply { status, body, .. } => Err(RevokeError::Upstream(Upstream::Status(
                status,
                answer::error_code(&body).map(str::to_string),
            ))),
        }
    }
}

impl From<Unanswered> for Answer {
    fn from(e: Unanswered) -> Self {
        match e {
            Unanswered::HeldBack { until } => Answer::HeldBack { until },
            Unanswered::Upstream(e) => Answer::Upstream(e),
        }
    }
}

/// Why a token could not be revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeError {
    /// Not sent: this instance's ceiling toward Okta held it back.
    HeldBack {
        /// When calls pass again, epoch seconds.
        until: i64,
    },
    /// Okta could not be used, or refused the revocation.
    Upstream(Upstream),
}

impl From<Upstream> for RevokeError {
    fn from(e: Upstream) -> Self {
        RevokeError::Upstream(e)
    }
}

impl From<Unanswered> for RevokeError {
    fn from(e: Unanswered) -> Self {
        match e {
            Unanswered::HeldBack { until } => RevokeError::HeldBack { until },
            Unanswered::Upstream(e) => RevokeError::Upstream(e),
        }
    }
}

impl fmt::Display for RevokeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevokeError::HeldBack { .. } => f.write_str("held back by the local ceiling"),
            RevokeError::Upstream(e) => write!(f, "{e}"),
        }
    }
}
