//! The MyAccount Password API: read the password's status and the policy, replace it
//! (`PUT`, no current password: the recovery flow's call) or change it
//! (`POST …/change-password` with the current one). A new password must meet the org's
//! policy (complexity, not part of the username, none of the last N); it takes effect for
//! sign-in at once. Passwords are never logged or echoed.

use rocket::{get, post, put, routes, Route, State};
use serde_json::{json, Value};

use super::{authorize, cause, error, link, ok, parse_body, with_status, Call, Caller, Need};
use crate::directory::{hash_password, verify_password, Violation};
use crate::reply::Reply;
use crate::Emulator;

type Emu = State<std::sync::Arc<Emulator>>;

const READ: Need = Need::Read(&[
    "okta.myAccount.password.read",
    "okta.myAccount.password.manage",
]);
const WRITE: Need = Need::Write("okta.myAccount.password.manage");

pub fn routes() -> Vec<Route> {
    routes![get_password, replace, change, requirements]
}

/// The password enrollment's id, stable per user.
fn password_id(user_id: &str) -> String {
    format!("00T{}", &user_id[3.min(user_id.len())..])
}

fn no_password(caller: &Caller) -> Reply {
    error(
        404,
        "E0000007",
        &format!(
            "Not found: Resource not found: {} (UserProfilePassword)",
            password_id(&caller.user.id)
        ),
        &[],
    )
}

fn password_object(emu: &Emulator, caller: &Caller) -> Value {
    let changed = emu
        .state
        .lock()
        .accounts
        .get(&caller.user.login.to_lowercase())
        .and_then(|a| a.password_changed_at);
    let created = super::iso8601(emu.started_at);
    json!({
        "id": password_id(&caller.user.id),
        "status": "ACTIVE",
        "created": created,
        "lastUpdated": changed.map(super::iso8601).unwrap_or(created),
        "_links": {
            "self": link(format!("{}/idp/myaccount/password", emu.base_url()), &["GET", "DELETE", "PUT"]),
        },
    })
}

#[get("/idp/myaccount/password")]
async fn get_password(call: Call<'_>, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = match authorize(emu, &call, READ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if caller.user.password_hash.is_none() {
        return no_password(&caller);
    }
    ok(password_object(emu, &caller))
}

/// Okta's policy object, as the complexity-requirements operation answers it.
#[get("/idp/myaccount/password/complexity-requirements")]
async fn requirements(call: Call<'_>, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    if let Err(r) = authorize(emu, &call, READ) {
        return r;
    }
    let p = &emu.directory.password_policy;
    ok(json!({
        "complexity": {
            "minLength": p.min_length,
            "minLowerCase": p.min_lower_case,
            "minUpperCase": p.min_upper_case,
            "minNumber": p.min_number,
            "minSymbol": p.min_symbol,
            "excludeUsername": p.exclude_username,
        },
        "age": { "historyCount": p.history_count },
        "description": p.describe(),
    }))
}

fn invalid(summary: &str) -> Reply {
    error(
        400,
        "E0000001",
        "Api validation failed: password",
        &[cause(summary)],
    )
}

/// `PUT /idp/myaccount/password` `{"profile": {"password": …}}` → `201` and the password
/// object.
#[put("/idp/myaccount/password", data = "<body>")]
async fn replace(call: Call<'_>, body: String, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = match authorize(emu, &call, WRITE) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(new) = body["profile"]["password"].as_str().map(str::to_string) else {
        return invalid("profile.password: The field cannot be left blank.");
    };
    if caller.user.password_hash.is_none() {
        return no_password(&caller);
    }
    match set_password(emu, &caller, new).await {
        Ok(()) => with_status(201, Some(password_object(emu, &caller))),
        Err(r) => r,
    }
}

/// `POST /idp/myaccount/password/change-password` `{"oldPassword", "newPassword"}` →
/// `204`.
#[post("/idp/myaccount/password/change-password", data = "<body>")]
async fn change(call: Call<'_>, body: String, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = match authorize(emu, &call, WRITE) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (Some(old), Some(new)) = (
        body["oldPassword"].as_str().map(str::to_string),
        body["newPassword"].as_str().map(str::to_string),
    ) else {
        return error(
            400,
            "E0000001",
            "Api validation failed: oldPassword and newPassword",
            &[cause("oldPassword and newPassword are required.")],
        );
    };
    let Some(hash) = caller.user.password_hash.clone() else {
        return no_password(&caller);
    };
    let matches = tokio::task::spawn_blocking(move || verify_password(&hash, &old))
        .await
        .unwrap_or(false);
    if !matches {
        return error(
            403,
            "E0000014",
            "Update of credentials failed",
            &[cause(
                "oldPassword: The credentials provided were incorrect.",
            )],
        );
    }
    match set_password(emu, &caller, new).await {
        Ok(()) => with_status(204, None),
        Err(r) => r,
    }
}

fn policy_failure(violations: &[Violation]) -> Reply {
    let causes: Vec<Value> = violations
        .iter()
        .map(|v| {
            json!({
                "errorSummary": v.summary,
                "reason": v.reason,
                "location": "profile.password",
                "locationType": "body",
                "domain": "user",
            })
        })
        .collect();
    error(400, "E0000001", "Api validation failed: password", &causes)
}

/// Checks `new` against the policy and the history, then makes it the password.
async fn set_password(emu: &Emulator, caller: &Caller, new: String) -> Result<(), Reply> {
    let policy = emu.directory.password_policy.clone();
    let login = caller.user.login.clone();
    let violations = policy.check(&login, &new);
    if !violations.is_empty() {
        return Err(policy_failure(&violations));
    }
    // The last N passwords, the current one first.
    let mut history = {
        let st = emu.state.lock();
        st.accounts
            .get(&login.to_lowercase())
            .map(|a| a.history.clone())
            .unwrap_or_default()
    };
    if history.is_empty() {
        history.extend(caller.user.password_hash.clone());
    }
    let keep = policy.history_count.max(1);
    history.truncate(keep);
    let checked = history.clone();
    let candidate = new.clone();
    let reused = tokio::task::spawn_blocking(move || {
        checked
            .iter()
            .take(policy.history_count)
            .any(|h| verify_password(h, &candidate))
    })
    .await
    .unwrap_or(true);
    if reused {
        return Err(policy_failure(&[emu
            .directory
            .password_policy
            .history_violation()]));
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|_| error(500, "E0000009", "Internal Server Error", &[]))?
        .map_err(|_| error(500, "E0000009", "Internal Server Error", &[]))?;
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    let account = st.account(&login);
    history.insert(0, hash.clone());
    history.truncate(keep);
    account.history = history;
    account.password_hash = Some(hash);
    account.password_changed_at = Some(now);
    // A new password ends a lockout and the count of failures.
    let record = st.user(&login);
    record.failed_passwords = 0;
    record.locked = false;
    Ok(())
}
