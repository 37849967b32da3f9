//! The control API under `/emulator` (product.md §2): outbox, pushes (approve with the
//! number, deny), faults, clock, key rotation, reset, plus read-only user status and
//! traffic stats for tests and abuse and chaos simulations.

use std::sync::Arc;

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, get, post, routes, Route, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::FaultSpec;
use super::flows::{answer_push, PushAnswerError};
use super::state::PushStatus;
use super::Emulator;

type Emu = State<Arc<Emulator>>;
type ApiResult = Result<Json<Value>, (Status, Json<Value>)>;

fn api_error(status: Status, message: &str) -> (Status, Json<Value>) {
    (status, Json(json!({"error": message})))
}

pub fn routes() -> Vec<Route> {
    routes![
        outbox,
        pushes,
        approve,
        deny,
        add_fault,
        clear_faults,
        clock,
        advance_clock,
        rotate_keys,
        reset,
        user_status,
        stats,
        token_calls
    ]
}

/// Messages sent to `user` (all users when omitted), newest first.
pub fn outbox_for(emu: &Emulator, user: Option<&str>) -> Vec<super::state::Message> {
    let st = emu.state.lock();
    st.outbox
        .iter()
        .rev()
        .filter(|m| user.is_none_or(|u| m.login.eq_ignore_ascii_case(u.trim())))
        .cloned()
        .collect()
}

/// Pending pushes of `user` (all users when omitted), newest first.
pub fn pushes_for(emu: &Emulator, user: Option<&str>) -> Vec<Value> {
    let now = emu.clock.now();
    let st = emu.state.lock();
    let mut list: Vec<_> = st
        .oob
        .values()
        .filter(|t| t.push_id.is_some() && t.status == PushStatus::Pending && t.expires_at > now)
        .filter(|t| user.is_none_or(|u| t.login.eq_ignore_ascii_case(u.trim())))
        .collect();
    list.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    list.into_iter()
        .map(|t| {
            json!({
                "id": t.push_id,
                "numbers": t.numbers,
                "created_at": t.created_at,
                "user": t.login,
            })
        })
        .collect()
}

#[get("/emulator/outbox?<user>")]
fn outbox(user: Option<&str>, emu: &Emu) -> Json<Value> {
    Json(json!(outbox_for(emu, user)))
}

#[get("/emulator/pushes?<user>")]
fn pushes(user: Option<&str>, emu: &Emu) -> Json<Value> {
    Json(json!(pushes_for(emu, user)))
}

#[derive(Deserialize)]
struct ApproveBody {
    number: Option<u32>,
}

pub fn answer(emu: &Emulator, id: &str, approve: bool, number: Option<u32>) -> ApiResult {
    let now = emu.clock.now();
    match answer_push(&mut emu.state.lock(), id, approve, number, now) {
        Ok(status) => Ok(Json(json!({"id": id, "status": status}))),
        Err(PushAnswerError::NotFound) => {
            Err(api_error(Status::NotFound, "no pending push with that id"))
        }
        Err(PushAnswerError::NumberRequired) => Err(api_error(
            Status::BadRequest,
            "this push uses number challenge: send {\"number\": N}",
        )),
    }
}

#[post("/emulator/pushes/<id>/approve", data = "<body>")]
fn approve(id: &str, body: Option<Json<ApproveBody>>, emu: &Emu) -> ApiResult {
    answer(emu, id, true, body.and_then(|b| b.number))
}

#[post("/emulator/pushes/<id>/deny")]
fn deny(id: &str, emu: &Emu) -> ApiResult {
    answer(emu, id, false, None)
}

#[post("/emulator/faults", data = "<spec>")]
fn add_fault(spec: Json<FaultSpec>, emu: &Emu) -> ApiResult {
    let fault = spec
        .into_inner()
        .into_fault()
        .map_err(|e| api_error(Status::BadRequest, &e))?;
    emu.faults.lock().add(fault);
    Ok(Json(json!({"ok": true})))
}

#[delete("/emulator/faults")]
fn clear_faults(emu: &Emu) -> Json<Value> {
    emu.faults.lock().clear();
    Json(json!({"ok": true}))
}

#[get("/emulator/clock")]
fn clock(emu: &Emu) -> Json<Value> {
    Json(json!({"now": emu.clock.now()}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_seconds: i64,
}

#[post("/emulator/clock", data = "<body>")]
fn advance_clock(body: Json<Advance>, emu: &Emu) -> ApiResult {
    if !(0..=10 * 365 * 24 * 3600).contains(&body.advance_seconds) {
        return Err(api_error(
            Status::BadRequest,
            "advance_seconds must be between 0 and ten years",
        ));
    }
    emu.clock.advance_secs(body.advance_seconds);
    Ok(Json(json!({"now": emu.clock.now()})))
}

#[post("/emulator/keys/rotate")]
async fn rotate_keys(emu: &Emu) -> ApiResult {
    let kid = emu
        .rotate_keys()
        .await
        .map_err(|e| api_error(Status::InternalServerError, &e))?;
    Ok(Json(json!({"kid": kid})))
}

#[post("/emulator/reset")]
fn reset(emu: &Emu) -> Json<Value> {
    emu.reset();
    Json(json!({"ok": true}))
}

#[get("/emulator/users/<login>")]
fn user_status(login: &str, emu: &Emu) -> ApiResult {
    let user = emu
        .directory
        .user(login)
        .ok_or_else(|| api_error(Status::NotFound, "no such user"))?;
    let mut st = emu.state.lock();
    let stats = st.limits.user_stats(&user.login);
    let phones: Vec<Value> = st
        .phones(user)
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "phoneNumber": p.number,
                "status": if p.verified { "VERIFIED" } else { "UNVERIFIED" },
            })
        })
        .collect();
    let password_changed_at = st.account(&user.login).password_changed_at;
    let record = st.user(&user.login);
    Ok(Json(json!({
        "login": user.login,
        "status": if user.status == super::directory::Status::Active { "active" } else { "suspended" },
        "locked": record.locked,
        "failed_passwords": record.failed_passwords,
        "failed_codes": record.failed_codes,
        "pushes_sent": record.pushes_sent,
        "messages_sent": record.messages_sent,
        "token_traffic": stats,
        "phones": phones,
        "password_changed_at": password_changed_at,
    })))
}

#[get("/emulator/stats")]
fn stats(emu: &Emu) -> Json<Value> {
    let st = emu.state.lock();
    let locked: Vec<&String> = st
        .users
        .iter()
        .filter(|(_, u)| u.locked)
        .map(|(k, _)| k)
        .collect();
    Json(json!({
        "token_traffic": st.limits.all_user_stats(),
        "locked_users": locked,
    }))
}

/// Every `/token` request that reached the emulator (`total`, injected faults included)
/// and the arrival times, emulator clock in milliseconds, of those from `since` (ms) on:
/// a chaos run turns them into calls per second.
#[get("/emulator/token-calls?<since>")]
fn token_calls(since: Option<i64>, emu: &Emu) -> Json<Value> {
    let (total, arrivals) = emu.state.lock().limits.token_arrivals(since.unwrap_or(0));
    Json(json!({"total": total, "arrivals_ms": arrivals}))
}
