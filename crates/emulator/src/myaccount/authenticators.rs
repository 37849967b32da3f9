//! The MyAccount Authenticators API, read side: the org's authenticators with, on
//! `?expand=enrollments`, the caller's enrollments (identifiers masked, as Okta does).

use rocket::{get, routes, Route, State};
use serde_json::{json, Value};

use super::{authorize, link, ok, Call, Need};
use crate::directory::{Factor, User};
use crate::Emulator;

type Emu = State<std::sync::Arc<Emulator>>;

const READ: Need = Need::Read(&[
    "okta.myAccount.authenticators.read",
    "okta.myAccount.authenticators.manage",
]);

pub fn routes() -> Vec<Route> {
    routes![list]
}

/// The org's authenticators: key and display name.
const AUTHENTICATORS: &[(&str, &str)] = &[
    ("okta_password", "Password"),
    ("okta_email", "Email"),
    ("phone_number", "Phone"),
    ("google_otp", "Google Authenticator"),
    ("okta_verify", "Okta Verify"),
];

fn stable_id(prefix: &str, seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(seed.as_bytes())
        .iter()
        .take(9)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{prefix}{}", &hex[..17])
}

/// `s***q@example.com`, `+1 XXX-XXX-0100`: what Okta shows of an identifier.
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() => {
            let first = local.chars().next().unwrap_or('*');
            let last = local.chars().last().unwrap_or('*');
            format!("{first}***{last}@{domain}")
        }
        _ => "***".into(),
    }
}

fn mask_phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("+X XXX-XXX-{tail}")
}

fn enrollments(emu: &Emulator, user: &User, key: &str, phones: &[(String, String)]) -> Vec<Value> {
    let created = super::iso8601(emu.started_at);
    let one = |name: &str, seed: &str, extra: Value| {
        let mut e = json!({
            "id": stable_id("enr", &format!("{}|{seed}", user.login)),
            "name": name,
            "created": created,
        });
        if let (Some(e), Some(x)) = (e.as_object_mut(), extra.as_object()) {
            e.extend(x.clone());
        }
        e
    };
    match key {
        "okta_password" if user.enrolled(Factor::Password) => vec![one(
            "Password",
            key,
            json!({"canUnenroll": false, "canReset": true, "canChangePassword": true, "canResetPassword": true}),
        )],
        "okta_email" if user.enrolled(Factor::Email) => vec![one(
            "Email",
            key,
            json!({"profile": {"email": mask_email(&user.email)}, "canUnenroll": true, "canReset": false}),
        )],
        "phone_number" => phones
            .iter()
            .map(|(id, number)| {
                let mut e = one("Phone", id, json!({"profile": {"phoneNumber": mask_phone(number)}, "canUnenroll": true, "canReset": false}));
                e["id"] = json!(id);
                e
            })
            .collect(),
        "google_otp" if user.enrolled(Factor::Totp) => {
            vec![one("Google Authenticator", key, json!({"canUnenroll": true, "canReset": false}))]
        }
        "okta_verify" if user.enrolled(Factor::Push) => {
            vec![one("Okta Verify", key, json!({"canUnenroll": true, "canReset": false}))]
        }
        _ => vec![],
    }
}

/// `GET /idp/myaccount/authenticators[?expand=enrollments]`.
#[get("/idp/myaccount/authenticators?<expand>")]
async fn list(expand: Option<&str>, call: Call<'_>, emu: &Emu) -> Reply {
    if let Some(r) = crate::faults::apply(emu, "myaccount").await {
        return r;
    }
    let caller = match authorize(emu, &call, READ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let embed = expand.is_some_and(|e| e.split(',').any(|x| x.trim() == "enrollments"));
    let phones: Vec<(String, String)> = {
        let mut st = emu.state.lock();
        st.phones(&caller.user)
            .iter()
            .filter(|p| p.verified)
            .map(|p| (p.id.clone(), p.number.clone()))
            .collect()
    };
    let base = emu.base_url();
    let list: Vec<Value> = AUTHENTICATORS
        .iter()
        .map(|(key, name)| {
            let id = stable_id("aut", key);
            let mine = enrollments(emu, &caller.user, key, &phones);
            let mut a = json!({
                "id": id,
                "key": key,
                "name": name,
                "enrollable": *key == "phone_number" || mine.is_empty(),
                "_links": {
                    "self": link(format!("{base}/idp/myaccount/authenticators/{id}"), &["GET"]),
                    "enrollments": link(format!("{base}/idp/myaccount/authenticators/{id}/enrollments"), &["GET"]),
                },
            });
            if embed {
                a["_embedded"] = json!({ "enrollments": mine });
            }
            a
        })
        .collect();
    ok(json!(list))
}

use crate::reply::Reply;
