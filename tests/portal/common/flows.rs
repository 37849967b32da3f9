//! Whole steps of the sign-in flows, as one browser takes them.

use super::{Page, Portal, PASSWORD};

impl Portal {
    /// GET /signin then POST the password.
    pub async fn password_step(&self, user: &str, password: &str) -> Page {
        let page = self.get("/signin").await;
        assert_eq!(page.status, 200);
        self.post("/signin", &[("username", user), ("password", password)])
            .await
    }

    /// Signs in a password-only user and lands on /account.
    pub async fn sign_in_alice(&self) {
        self.password_step("alice@example.com", PASSWORD)
            .await
            .assert_redirect("/account");
    }

    /// Password, then choose `factor` on `/signin/factor`; answers the redirect to the
    /// factor's page (`/signin/verify` or `/signin/wait`).
    pub async fn mfa_start(&self, user: &str, factor: &str) -> Page {
        self.password_step(user, PASSWORD)
            .await
            .assert_redirect("/signin/factor");
        let page = self.get("/signin/factor").await;
        assert_eq!(page.status, 200);
        self.post("/signin/factor", &[("factor", factor)]).await
    }

    /// From the factor page: chooses push and opens the wait page.
    pub async fn wait_for_push(&self) -> Page {
        self.get("/signin/factor").await;
        self.post("/signin/factor", &[("factor", "push")])
            .await
            .assert_redirect("/signin/wait");
        self.get("/signin/wait").await
    }

    /// Starts a passwordless sign-in with `method`.
    pub async fn passwordless_start(&self, user: &str, method: &str) -> Page {
        let page = self.get("/signin").await;
        assert_eq!(page.status, 200);
        self.post(
            "/signin/passwordless",
            &[("username", user), ("method", method)],
        )
        .await
    }

    /// Password then OTP for bob.
    pub async fn sign_in_bob_with_otp(&self) {
        self.password_step("bob@example.com", PASSWORD)
            .await
            .assert_redirect("/signin/factor");
        self.get("/signin/factor").await;
        self.post("/signin/factor", &[("factor", "otp")])
            .await
            .assert_redirect("/signin/verify");
        self.get("/signin/verify").await;
        let code = self.totp().await;
        self.post("/signin/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
    }
}
