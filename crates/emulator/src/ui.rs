//! Small pages for people at `/emulator/ui`: the users, the outbox (SMS, voice and email
//! codes) and a simulated Okta Verify that approves or denies pushes. No JavaScript; the
//! pages refresh themselves. Templates are compiled into the binary so the emulator runs
//! from any directory.

use std::sync::Arc;

use rocket::form::{Form, FromForm};
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::tera::{Context, Tera};

use super::control::{answer, outbox_for, pushes_for};
use super::{Emulator, DEMO_PASSWORD, DEMO_TOTP_SECRET};

pub struct Templates(Tera);

pub fn templates() -> Templates {
    let mut tera = Tera::default();
    tera.add_raw_templates(vec![
        ("layout.html.tera", include_str!("ui/layout.html.tera")),
        ("index.html.tera", include_str!("ui/index.html.tera")),
        ("outbox.html.tera", include_str!("ui/outbox.html.tera")),
        ("verify.html.tera", include_str!("ui/verify.html.tera")),
    ])
    .expect("emulator UI templates compile");
    tera.autoescape_on(vec![".html.tera"]);
    Templates(tera)
}

pub fn routes() -> Vec<Route> {
    routes![index, outbox, verify, approve, deny]
}

fn render(t: &Templates, emu: &Emulator, name: &str, mut ctx: Context) -> RawHtml<String> {
    ctx.insert("now", &emu.clock.now());
    RawHtml(
        t.0.render(name, &ctx)
            .unwrap_or_else(|e| format!("template error: {e}")),
    )
}

#[get("/emulator/ui")]
fn index(t: &State<Templates>, emu: &State<Arc<Emulator>>) -> RawHtml<String> {
    let mut ctx = Context::new();
    ctx.insert("users", &emu.user_summaries());
    ctx.insert("password", DEMO_PASSWORD);
    ctx.insert("totp_secret", DEMO_TOTP_SECRET);
    render(t, emu, "index.html.tera", ctx)
}

#[get("/emulator/ui/outbox?<user>")]
fn outbox(user: Option<&str>, t: &State<Templates>, emu: &State<Arc<Emulator>>) -> RawHtml<String> {
    let mut ctx = Context::new();
    ctx.insert("user", &user.unwrap_or_default());
    ctx.insert("messages", &outbox_for(emu, user));
    render(t, emu, "outbox.html.tera", ctx)
}

#[get("/emulator/ui/verify?<user>")]
fn verify(user: Option<&str>, t: &State<Templates>, emu: &State<Arc<Emulator>>) -> RawHtml<String> {
    let mut ctx = Context::new();
    ctx.insert("user", &user.unwrap_or_default());
    ctx.insert("pushes", &pushes_for(emu, user.filter(|u| !u.is_empty())));
    render(t, emu, "verify.html.tera", ctx)
}

#[derive(FromForm)]
struct PushForm<'r> {
    number: Option<u32>,
    user: Option<&'r str>,
}

fn back(user: Option<&str>) -> Redirect {
    match user.filter(|u| !u.is_empty()) {
        Some(u) => Redirect::to(format!(
            "/emulator/ui/verify?user={}",
            url::form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>()
        )),
        None => Redirect::to("/emulator/ui/verify"),
    }
}

#[post("/emulator/ui/pushes/<id>/approve", data = "<form>")]
fn approve(id: &str, form: Form<PushForm<'_>>, emu: &State<Arc<Emulator>>) -> Redirect {
    let _ = answer(emu, id, true, form.number);
    back(form.user)
}

#[post("/emulator/ui/pushes/<id>/deny", data = "<form>")]
fn deny(id: &str, form: Form<PushForm<'_>>, emu: &State<Arc<Emulator>>) -> Redirect {
    let _ = answer(emu, id, false, None);
    back(form.user)
}
