//! The example host app: a public page, a page for any signed-in user (their name, groups
//! and how they signed in) and a page for the group `admins`, with the portal under
//! `/sso`. [`rocket`] builds it; `main.rs` launches it and `tests/embed/` drives it.

use direct_signin::embed::{self, Allowed, DirectSignin, Policy, SignedIn};
use direct_signin::portal::gateway::rules::Rules;
use rocket::figment::Figment;
use rocket::{get, routes, Build, Rocket};
use rocket_dyn_templates::{context, Template};

/// Where the portal is mounted.
pub const BASE: &str = "/sso";

/// The app: its own templates and `Template` fairing, the portal under [`BASE`], and the
/// portal's catchers (a browser that is not signed in goes to sign in; a refused one sees
/// the portal's "no access" page).
pub fn rocket(figment: Figment) -> Rocket<Build> {
    let templates = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rocket_app/templates");
    rocket::custom(figment.merge(("template_dir", templates)))
        .attach(Template::fairing())
        .attach(DirectSignin::at(BASE))
        .mount("/", routes![index, dashboard, admin])
        .register("/", embed::catchers())
}

/// Members of `admins`.
pub struct Admins;

impl Policy for Admins {
    fn rules() -> Rules {
        Rules {
            groups: vec!["admins".into()],
            ..Rules::default()
        }
    }
}

/// Open to anyone; greets a signed-in visitor.
#[get("/")]
fn index(user: Option<SignedIn>) -> Template {
    Template::render(
        "index",
        context! { base: BASE, name: user.as_ref().map(|u| u.display_name().to_string()) },
    )
}

/// Any signed-in user: who they are, their groups, how they signed in.
#[get("/dashboard")]
fn dashboard(user: SignedIn) -> Template {
    Template::render(
        "dashboard",
        context! {
            base: BASE,
            name: user.display_name(),
            email: user.email(),
            groups: user.groups(),
            amr: user.amr(),
            two_factors: user.used_two_factors(),
            csrf_token: user.csrf_token(),
        },
    )
}

/// Members of `admins` only.
#[get("/admin")]
fn admin(user: Allowed<Admins>) -> Template {
    Template::render("admin", context! { base: BASE, name: user.display_name() })
}
