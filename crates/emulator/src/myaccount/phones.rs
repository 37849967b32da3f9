//! The MyAccount Phone API: list, add (`UNVERIFIED`), challenge by SMS or call (a
//! six-digit code to the outbox, valid five minutes, at most one per number per 30 s),
//! verify (→ `VERIFIED`, and from then on the phone signs the user in by SMS or voice)
//! and delete.

use rocket::{delete, get, post, routes, Route, State};
use serde_json::{json, Value};

use super::{authorize, cause, error, link, ok, parse_body, with_status, Call, Need};
use crate::accounts::{new_phone_id, MyPhone, PhoneChallenge};
use crate::directory::{Factor, User};
use crate::flows::constant_time_eq;
use crate::reply::Reply;
use crate::state::{Message, MAX_WRONG_CODES};
use crate::Emulator;

type Emu = State<std::sync::Arc<Emulator>>;

const READ: Need = Need::Read(&["okta.myAccount.phone.read", "okta.myAccount.phone.manage"]);
const WRITE: Need = Need::Write("okta.myAccount.phone.manage");
/// A verification code's lifetime.
pub const CODE_TTL: i64 = 300;
/// Phones one user may have.
const MAX_PHONES: usize = 10;

pub fn routes() -> Vec<Route> {
    routes![list, get_one, create, challenge, verify, remove]
}

macro_rules! caller {
    ($emu:expr, $call:expr, $need:expr) => {{
        let caller = match authorize($emu, &$call, $need) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if matches!($need, Need::Write(_)) {
            if let Err(r) = super::require_two_factors_if_possible(&caller) {
                return r;
            }
        }
        caller
    }};
}

fn phone_object(emu: &Emulator, p: &MyPhone) -> Value {
    let base = format!("{}/idp/myaccount/phones/{}", emu.base_url(), p.id);
    let mut links = json!({
        "self": link(base.clone(), &["GET", "DELETE"]),
        "challenge": link(format!("{base}/challenge"), &["POST"]),
    });
    if !p.verified {
        links["verify"] = link(format!("{base}/verify"), &["POST"]);
    }
    json!({
        "id": p.id,
        "status": if p.verified { "VERIFIED" } else { "UNVERIFIED" },
        "profile": { "phoneNumber": p.number },
        "_links": links,
    })
}

fn not_found() -> Reply {
    error(
        404,
        "E0000008",
        "The requested path was not found",
        &[cause("This operation couldn't be completed as requested due to an issue with the specified authenticator.")],
    )
}

/// Digits of a number in E.164 form (`+` and 8 to 15 digits), or Okta's reason why not.
fn normalize(number: &str) -> Result<String, &'static str> {
    let kept: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let Some(digits) = kept.strip_prefix('+') else {
        return Err("INVALID_COUNTRY_CODE. Could not interpret numbers after plus-sign.");
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("NOT_A_NUMBER. The string supplied did not seem to be a phone number.");
    }
    match digits.len() {
        0..=7 => Err("TOO_SHORT_NSN. The string supplied is too short to be a phone number."),
        8..=15 => Ok(digits.to_string()),
        _ => Err("TOO_LONG. The string supplied is too long to be a phone number."),
    }
}

fn method(value: &Value) -> Result<Factor, Reply> {
    match value.as_str() {
        Some("SMS") => Ok(Factor::Sms),
        Some("CALL") => Ok(Factor::Voice),
        other => Err(error(
            400,
            "E0000001",
            "Api validation failed: Method",
            &[cause(&format!(
                "Invalid method {} in the request.",
                other.unwrap_or("(none)")
            ))],
        )),
    }
}

#[get("/idp/myaccount/phones")]
async fn list(call: Call<'_>, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = caller!(emu, call, READ);
    let mut st = emu.state.lock();
    let phones: Vec<Value> = st
        .phones(&caller.user)
        .iter()
        .map(|p| phone_object(emu, p))
        .collect();
    ok(json!(phones))
}

#[get("/idp/myaccount/phones/<id>")]
async fn get_one(id: &str, call: Call<'_>, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = caller!(emu, call, READ);
    let mut st = emu.state.lock();
    match st.phones(&caller.user).iter().find(|p| p.id == id) {
        Some(p) => ok(phone_object(emu, p)),
        None => not_found(),
    }
}

/// `POST /idp/myaccount/phones` `{"profile": {"phoneNumber"}, "sendCode", "method"}` →
/// `201`, `Location`.
#[post("/idp/myaccount/phones", data = "<body>")]
async fn create(call: Call<'_>, body: String, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = caller!(emu, call, WRITE);
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let number = body["profile"]["phoneNumber"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_string();
    let digits = match normalize(&number) {
        Ok(d) => d,
        Err(why) => {
            return error(
                400,
                "E0000001",
                &format!("Api validation failed: Error type: {why}"),
                &[cause("Invalid phone number.")],
            )
        }
    };
    let send = body["sendCode"].as_bool().unwrap_or(true);
    let via = if send {
        match body.get("method") {
            None | Some(Value::Null) => Factor::Sms,
            Some(m) => match method(m) {
                Ok(f) => f,
                Err(r) => return r,
            },
        }
    } else {
        Factor::Sms
    };
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    let phones = st.phones(&caller.user);
    if phones
        .iter()
        .any(|p| normalize(&p.number).ok().as_deref() == Some(digits.as_str()))
    {
        return error(
            409,
            "E0000157",
            &format!("Another authenticator with key: +{digits} is already active."),
            &[cause(
                "This phone number is already assigned to the current user account.",
            )],
        );
    }
    if phones.len() >= MAX_PHONES {
        return error(
            400,
            "E0000001",
            "Api validation failed: Exceeded cardinality max",
            &[cause(
                "This user account has reached the maximum number of enrolled phone numbers.",
            )],
        );
    }
    let phone = MyPhone {
        id: new_phone_id(),
        number,
        verified: false,
        sms: true,
        voice: true,
        challenge: None,
    };
    let id = phone.id.clone();
    phones.push(phone);
    if send {
        if let Err(r) = send_code(&mut st, &caller.user, &id, via, now) {
            return r;
        }
    }
    let Some(phone) = st.phones(&caller.user).iter().find(|p| p.id == id).cloned() else {
        return not_found();
    };
    let location = format!("{}/idp/myaccount/phones/{id}", emu.base_url());
    with_status(201, Some(phone_object(emu, &phone))).header("Location", location)
}

/// Sends a new code to the phone by SMS or call, within the 30-second limit per number.
fn send_code(
    st: &mut crate::state::State,
    user: &User,
    id: &str,
    via: Factor,
    now: i64,
) -> Result<(), Reply> {
    let number = st
        .phones(user)
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.number.clone())
        .ok_or_else(not_found)?;
    // The same per-number window as sign-in's SMS and calls.
    if let Err(reset) = st.limits.phone_send(&number, now) {
        return Err(error(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[cause(
                "A code was sent to this phone number less than 30 seconds ago.",
            )],
        )
        .header("X-Rate-Limit-Limit", "1")
        .header("X-Rate-Limit-Remaining", "0")
        .header("X-Rate-Limit-Reset", reset.to_string()));
    }
    let code = shared::random::digits(6);
    if let Some(p) = st.phones(user).iter_mut().find(|p| p.id == id) {
        p.challenge = Some(PhoneChallenge {
            code: code.clone(),
            expires_at: now + CODE_TTL,
            wrong: 0,
        });
    }
    st.user(&user.login).messages_sent += 1;
    st.outbox.push(Message {
        channel: via.channel(),
        to: number,
        code,
        sent_at: now,
        login: user.login.clone(),
    });
    Ok(())
}

/// `POST /idp/myaccount/phones/{id}/challenge` `{"method": "SMS"|"CALL", "retry"}` → `200`
/// with the verify link.
#[post("/idp/myaccount/phones/<id>/challenge", data = "<body>")]
async fn challenge(id: &str, call: Call<'_>, body: String, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = caller!(emu, call, WRITE);
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let via = match method(&body["method"]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    if let Err(r) = send_code(&mut st, &caller.user, id, via, now) {
        return r;
    }
    let verify = format!("{}/idp/myaccount/phones/{id}/verify", emu.base_url());
    ok(json!({ "_links": { "verify": link(verify, &["POST"]) } }))
}

/// `POST /idp/myaccount/phones/{id}/verify` `{"verificationCode"}` → `204`.
#[post("/idp/myaccount/phones/<id>/verify", data = "<body>")]
async fn verify(id: &str, call: Call<'_>, body: String, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = caller!(emu, call, WRITE);
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(code) = body["verificationCode"].as_str().map(str::to_string) else {
        return error(
            400,
            "E0000001",
            "Api validation failed: factorId and/or verificationCode",
            &[cause("verificationCode is required.")],
        );
    };
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    let phones = st.phones(&caller.user);
    let Some(phone) = phones.iter_mut().find(|p| p.id == id) else {
        return not_found();
    };
    if phone.verified {
        // Verifying a verified phone again is a no-op.
        return with_status(204, None);
    }
    let no_transaction = || {
        error(
            409,
            "E0000157",
            "Another authenticator with key: transactionHandle is already active.",
            &[cause("Failed to find a transaction. Either the challenge was answered or the factor id is invalid.")],
        )
    };
    let Some(challenge) = phone.challenge.as_mut() else {
        return no_transaction();
    };
    if challenge.expires_at <= now {
        phone.challenge = None;
        return no_transaction();
    }
    if !constant_time_eq(&code, &challenge.code) {
        challenge.wrong += 1;
        if challenge.wrong >= MAX_WRONG_CODES {
            phone.challenge = None;
        }
        st.user(&caller.user.login).failed_codes += 1;
        return error(
            401,
            "E0000004",
            "Authentication failed",
            &[cause(
                "The verification challenge failed due to an invalid code.",
            )],
        );
    }
    phone.challenge = None;
    phone.verified = true;
    with_status(204, None)
}

#[delete("/idp/myaccount/phones/<id>")]
async fn remove(id: &str, call: Call<'_>, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = caller!(emu, call, WRITE);
    let mut st = emu.state.lock();
    let phones = st.phones(&caller.user);
    let before = phones.len();
    phones.retain(|p| p.id != id);
    if phones.len() == before {
        return not_found();
    }
    with_status(204, None)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn numbers_are_read_as_e164() {
        assert_eq!(normalize("+1 (444) 444-4444").unwrap(), "14444444444");
        assert!(normalize("555-0100").is_err());
        assert!(normalize("+1 555 abc").is_err());
        assert!(normalize("+12345").is_err());
        assert!(normalize("+1234567890123456").is_err());
    }
}
