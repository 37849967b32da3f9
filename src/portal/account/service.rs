//! The account's service work: the access token renewed with the refresh token when it
//! has expired and `/userinfo` fetched once per token (kept in the session, so later views
//! cost no Okta call); token revocation; sign-out and sign-out everywhere.

use std::sync::Arc;

use super::super::error::AppError;
use super::super::session::{Current, Record, SignedIn, User};
use super::super::Portal;
use crate::okta::{Answer, UserinfoError};
use serde_json::Value;

/// What the account page shows from Okta: `/userinfo` and the sign-in methods from
/// MyAccount, each fetched once and kept (sealed) in the session, the access token renewed
/// first when it has expired. A page view with both kept costs no Okta call and no write;
/// otherwise one write records what was fetched.
pub async fn profile(
    app: &Portal,
    id: &str,
    session: &SignedIn,
) -> Result<(Option<Value>, Option<Value>), AppError> {
    let now = app.sessions.clock().now();
    let fresh = session.access_expires_at > now + 30;
    if fresh && session.userinfo.is_some() && session.methods.is_some() {
        return Ok((session.userinfo.clone(), session.methods.clone()));
    }
    let mut updated = session.clone();
    // `session` is the copy loaded before the guard's idle-timeout touch; this request is
    // activity, so record it rather than write back the stale `last_seen`.
    updated.last_seen = updated.last_seen.max(now);
    if !fresh {
        let Some(refresh) = &session.refresh_token else {
            return Ok((None, None));
        };
        match app.signin.okta.refresh(refresh.expose()).await {
            Answer::Tokens(tokens) => {
                updated.access_token = tokens.access_token;
                if tokens.refresh_token.is_some() {
                    updated.refresh_token = tokens.refresh_token;
                }
                updated.access_expires_at = now + tokens.expires_in;
                updated.userinfo = None;
                updated.methods = None;
            }
            other => {
                tracing::warn!(outcome = other.label(), "could not renew the access token");
                return Ok((None, None));
            }
        }
    }
    let token = updated.access_token.expose().to_string();
    let okta = &app.signin.okta;
    if updated.userinfo.is_none() {
        match okta.userinfo(&token, &session.user_id).await {
            Ok(info) => updated.userinfo = Some(info.into()),
            Err(UserinfoError::Unauthorized) => {
                tracing::warn!("userinfo refused the access token")
            }
            Err(e) => tracing::warn!(error = %e, "userinfo failed"),
        }
    }
    if updated.methods.is_none() {
        let (authenticators, phones) =
            tokio::join!(okta.authenticators(&token), okta.phones(&token));
        updated.methods = Some(match (authenticators, phones) {
            (Ok(authenticators), Ok(phones)) => {
                serde_json::json!({"authenticators": authenticators, "phones": phones})
            }
            (a, p) => {
                let why = a.err().or(p.err()).map(|e| e.label()).unwrap_or_default();
                tracing::warn!(
                    error = why,
                    "the sign-in methods could not be read from MyAccount"
                );
                unavailable()
            }
        });
    }
    let found = (updated.userinfo.clone(), updated.methods.clone());
    // Only over the session as it still is: signed out meanwhile, it stays gone, and
    // tokens renewed for it here are revoked rather than left live and unrecorded.
    let updated = Record::SignedIn(Arc::new(updated));
    if !app.sessions.update(id, &updated).await? {
        if let (false, Record::SignedIn(renewed)) = (fresh, &updated) {
            revoke(app, renewed).await;
        }
        return Ok((None, None));
    }
    Ok(found)
}

/// Forgets the sign-in methods kept in the session after an account action changed them:
/// the next account page reads them from MyAccount again.
pub async fn methods_changed(app: &Portal, id: &str, session: &SignedIn) -> Result<(), AppError> {
    let mut updated = session.clone();
    updated.methods = None;
    updated.last_seen = updated.last_seen.max(app.sessions.clock().now());
    app.sessions
        .update(id, &Record::SignedIn(Arc::new(updated)))
        .await?;
    Ok(())
}

/// Revokes a session's tokens at Okta. Failures are logged: the local session ends anyway.
pub async fn revoke(app: &Portal, session: &SignedIn) {
    let okta = &app.signin.okta;
    let refresh = async {
        match &session.refresh_token {
            Some(t) => okta.revoke(t.expose(), "refresh_token").await,
            None => Ok(()),
        }
    };
    let access = okta.revoke(session.access_token.expose(), "access_token");
    let (r, a) = tokio::join!(refresh, access);
    for (kind, result) in [("refresh_token", r), ("access_token", a)] {
        if let Err(e) = result {
            tracing::warn!(token = kind, error = %e, "token revocation failed; the local session is ended anyway");
        }
    }
}

/// Ends this browser's session: its tokens revoked at Okta, the session deleted (a
/// pre-sign-in session too).
pub async fn sign_out(app: &Portal, current: &Current) -> Result<(), AppError> {
    if let (Some(id), Some(session)) = (&current.id, current.signed_in()) {
        revoke(app, session).await;
        app.sessions.delete(id).await?;
        tracing::info!(target: "audit", event = "signout", user = %session.user_digest);
    } else if let Some(id) = &current.id {
        app.sessions.delete(id).await?;
    }
    Ok(())
}

/// Ends every session of this user, on every device, each one's tokens revoked.
pub async fn sign_out_everywhere(app: &Portal, user: &User<'_>) -> Result<(), AppError> {
    let all = app.sessions.of_user(&user.session.user_id).await?;
    for (key, session) in &all {
        revoke(app, session).await;
        app.sessions.delete_key(key).await?;
    }
    app.sessions.delete(user.id).await?;
    tracing::info!(target: "audit", event = "signout_everywhere", sessions = all.len(), user = %user.session.user_digest);
    Ok(())
}

/// What the session keeps when MyAccount did not answer: not `null`, which reads back from
/// the store as "not fetched yet" (an `Option<Value>` takes `null` as `None`) and so asked
/// MyAccount again on every page view.
fn unavailable() -> Value {
    serde_json::json!({"unavailable": true})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::session::SignedIn;

    #[test]
    fn methods_myaccount_did_not_give_stay_asked_for_after_a_round_trip() {
        let mut record: serde_json::Map<String, Value> =
            serde_json::from_value(serde_json::json!({
                "user_id": "00u1", "name": null, "email": null, "preferred_username": null,
                "amr": ["pwd"], "auth_time": 1, "access_token": "at", "refresh_token": null,
                "access_expires_at": 2, "userinfo": null, "created_at": 1, "last_seen": 1,
                "remember": false, "device": null, "ip": null
            }))
            .unwrap();
        record.insert("methods".into(), unavailable());
        let session: SignedIn = serde_json::from_value(Value::Object(record)).unwrap();
        let again: SignedIn =
            serde_json::from_str(&serde_json::to_string(&session).unwrap()).unwrap();
        assert!(again.methods.is_some(), "kept as asked, not asked again");
        // And the page shows no methods for it (as for a failure).
        assert!(serde_json::from_value::<super::super::views::Methods>(unavailable()).is_err());
    }
}
