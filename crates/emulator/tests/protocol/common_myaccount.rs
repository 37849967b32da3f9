//! MyAccount and recovery helpers of the test harness (docs/okta-myaccount-and-recovery.md):
//! MyAccount calls with the v1 `Accept` header, sign-ins that ask for MyAccount scopes, and
//! the recovery flow as Okta's clients run it. Re-exported by `common`.

use serde_json::Value;

use crate::common::*;

/// The `Accept` header every MyAccount call needs.
pub const ACCEPT_V1: &str = "application/json; okta-version=1.0.0";
pub const PASSWORD_MANAGE: &str = "okta.myAccount.password.manage";
pub const PHONE_MANAGE: &str = "okta.myAccount.phone.manage";
pub const PHONE_READ: &str = "okta.myAccount.phone.read";

impl Emu {
    /// A MyAccount call with a bearer token (`None`: no `Authorization`), the v1 `Accept`
    /// header and an optional JSON body.
    pub async fn myaccount(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}/idp/myaccount{path}", self.base_url()))
            .header("Accept", ACCEPT_V1);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.send(req).await
    }

    /// Bob's access token (password + email code) with `scope`.
    pub async fn bob_token_with(&self, scope: &str) -> String {
        // Two /token calls: stay under the 4 per second per username across calls.
        self.advance(1).await;
        let mfa = self
            .token(&[
                ("grant_type", GRANT_PASSWORD),
                ("username", BOB),
                ("password", PASSWORD),
                ("scope", scope),
            ])
            .await
            .expect_mfa_required();
        // An email code as the second factor: any number of sign-ins in one TOTP step.
        let oob = self
            .challenge(&[
                ("mfa_token", &mfa),
                ("challenge_types_supported", GRANT_MFA_OOB),
                ("channel_hint", "email"),
            ])
            .await
            .str("oob_code");
        let code = self.last_code(BOB).await;
        self.token(&[
            ("grant_type", GRANT_MFA_OOB),
            ("mfa_token", &mfa),
            ("oob_code", &oob),
            ("binding_code", &code),
            ("scope", scope),
        ])
        .await
        .str("access_token")
    }

    /// A password sign-in for a one-factor user with `scope`: the token response.
    pub async fn password_with(&self, login: &str, password: &str, scope: &str) -> Resp {
        self.token(&[
            ("grant_type", GRANT_PASSWORD),
            ("username", login),
            ("password", password),
            ("scope", scope),
        ])
        .await
    }

    /// A recovery flow as Okta's Swift client runs it: `/primary-authenticate` (no intent)
    /// on `channel`, then the oob grant with `intent=recovery` and the password scope; the
    /// token response. SMS, voice and email codes are read from the outbox, a push is
    /// approved.
    pub async fn recover(&self, login: &str, channel: &str, extra: &[(&str, &str)]) -> Resp {
        let oob = self.primary_oob(login, channel).await.str("oob_code");
        let code = if channel == "push" {
            let id = self.push_id(login).await;
            self.approve(&id, None).await;
            None
        } else {
            Some(self.last_code(login).await)
        };
        let mut params = vec![
            ("grant_type", GRANT_OOB),
            ("oob_code", oob.as_str()),
            ("scope", PASSWORD_MANAGE),
        ];
        if let Some(c) = &code {
            params.push(("binding_code", c.as_str()));
        }
        if extra.is_empty() {
            params.push(("intent", "recovery"));
        }
        params.extend_from_slice(extra);
        self.token(&params).await
    }
}
