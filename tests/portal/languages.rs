//! Languages through the real portal: negotiation (`?lang=`, the `lang` cookie,
//! `Accept-Language`), `<html lang>`/`dir` (right to left for Arabic only), `Vary`, German,
//! Japanese and Arabic flows free of English, and the operator's overrides (the pseudo-catalog check is in `pseudo`).

use std::path::PathBuf;

use rocket::http::Header;

use crate::common::{Page, Portal, PASSWORD};
use crate::pseudo::visible;

const BOB: &str = "bob@example.com";

fn accept(lang: &'static str) -> Header<'static> {
    Header::new("Accept-Language", lang)
}

fn html_lang(page: &Page) -> &str {
    let at = page.body.find("<html").expect("an html element");
    &page.body[at..page.body[at..].find('>').map_or(at, |e| at + e)]
}

#[rocket::async_test]
async fn accept_language_picks_the_page_language_and_pages_vary_on_it() {
    let p = Portal::start().await;
    let de = p.get_with("/signin", accept("de-CH, en;q=0.5")).await;
    assert!(
        html_lang(&de).contains("lang=\"de\" dir=\"ltr\""),
        "{}",
        html_lang(&de)
    );
    assert!(de.text().contains("Anmelden"));
    let vary = de.header("Vary").unwrap_or_default();
    assert!(
        vary.contains("Accept-Language") && vary.contains("Cookie"),
        "{vary}"
    );
    // No cookie is set without `?lang=`.
    assert!(!de.set_cookies().iter().any(|c| c.starts_with("lang=")));
    let en = p.get_with("/signin", accept("de;q=0, en;q=0.3")).await;
    assert!(html_lang(&en).contains("lang=\"en\""));
    let unknown = p.get_with("/signin", accept("sv-SE, zz")).await;
    assert!(html_lang(&unknown).contains("lang=\"en\""));
    assert!(unknown.text().contains("Keep me signed in"));
    let none = p.get("/signin").await;
    assert!(html_lang(&none).contains("lang=\"en\" dir=\"ltr\""));
    // Error pages too.
    let missing = p.get_with("/nope", accept("de")).await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Seite nicht gefunden"),
        "{}",
        missing.body
    );
}

#[rocket::async_test]
async fn the_query_beats_the_header_and_is_kept_in_a_cookie_that_beats_it_too() {
    let p = Portal::start().await;
    let page = p
        .get_with("/signin?return_to=%2Faccount&lang=de", accept("en"))
        .await;
    assert!(html_lang(&page).contains("lang=\"de\""));
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("lang="))
        .expect("a lang cookie")
        .to_string();
    for part in [
        "lang=de",
        "Path=/",
        "SameSite=Lax",
        "Secure",
        "Max-Age=31536000",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    // The picker keeps the rest of the query and names each language in itself.
    assert!(
        page.body.contains("return_to=%2Faccount&amp;lang=en"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">English</a>") && page.body.contains(">Deutsch</a>"));
    // The cookie now beats the header, through the flow's redirects.
    let again = p.get_with("/signin", accept("en")).await;
    assert!(html_lang(&again).contains("lang=\"de\""));
    p.post("/signin", &[("username", BOB), ("password", PASSWORD)])
        .await
        .assert_redirect("/signin/factor");
    let factor = p.get("/signin/factor").await;
    assert!(
        factor.text().contains("Bestätigen Sie Ihre Identität"),
        "{}",
        factor.body
    );
    // An unknown `?lang=` changes nothing.
    let kept = p.get("/signin?lang=zz").await;
    assert!(html_lang(&kept).contains("lang=\"de\""));
}

/// The literal parts (between placeables) of the English catalog's messages, long enough
/// to mean something, brand and product names aside.
fn english_fragments() -> Vec<String> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en"));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let value = match line.split_once(" = ") {
                Some((id, value)) if !id.starts_with([' ', '#']) => value,
                _ => line.trim_start().trim_start_matches(['*', '[']),
            };
            let value = value.split_once("] ").map_or(value, |(_, v)| v);
            for part in value.split(['{', '}']).step_by(2) {
                let part = part.trim().replace("Okta Verify", "").replace("SMS", "");
                if part.chars().filter(|c| c.is_alphabetic()).count() >= 8 {
                    out.push(part.trim().to_string());
                }
            }
        }
    }
    out
}

/// Fails when `page` shows any of the `english` fragments (Okta's claims and authenticator
/// names aside: they are data, not copy).
fn assert_no_english(what: &str, page: &Page, english: &[String]) {
    let mut body = page.body.clone();
    for (start, end) in [
        ("id=\"userinfo\">", "</dl>"),
        ("id=\"authenticators\">", "</ul>"),
    ] {
        if let Some(at) = body.find(start) {
            let stop = body[at..].find(end).map_or(body.len(), |e| at + e);
            body.replace_range(at + start.len()..stop, "");
        }
    }
    let text = visible(&body);
    for e in english {
        assert!(
            !text.contains(e.as_str()),
            "{what}: English `{e}` in {text}"
        );
    }
}

#[rocket::async_test]
async fn a_german_sign_in_with_a_second_factor_shows_no_english() {
    let english = english_fragments();
    assert!(
        english.iter().any(|e| e == "Keep me signed in"),
        "{english:?}"
    );
    let p = Portal::start().await;
    let check = |what: &str, page: &Page| assert_no_english(what, page, &english);
    let signin = p
        .get_with("/signin", accept("de-DE,de;q=0.9,en;q=0.8"))
        .await;
    check("signin", &signin);
    let refused = p
        .post_with(
            "/signin",
            &[("username", BOB), ("password", "x")],
            vec![accept("de")],
        )
        .await;
    check("signin refused", &refused);
    let p = Portal::start().await;
    p.get("/signin?lang=de").await;
    p.password_step(BOB, PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    check("factor", &p.get("/signin/factor").await);
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    check("verify", &p.get("/signin/verify").await);
    check(
        "verify refused",
        &p.post("/signin/verify", &[("code", "000000")]).await,
    );
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let account = p.get("/account").await;
    assert_eq!(account.status, 200);
    assert!(account.text().contains("Aktive Sitzungen"));
    // Times in the German pattern: 21.11.2026, 10:58 UTC.
    let auth = account.body.split("id=\"auth-time\">").nth(1).unwrap();
    let auth = &auth[..auth.find('<').unwrap()];
    assert!(
        auth.ends_with(" UTC") && auth.chars().nth(2) == Some('.'),
        "{auth}"
    );
    check("account", &account);
    check("home", &p.get("/").await);
}

#[rocket::async_test]
async fn japanese_and_arabic_sign_ins_show_no_english_and_only_arabic_is_right_to_left() {
    let english = english_fragments();
    let p = Portal::start().await;
    for (code, dir) in [
        ("en", "ltr"),
        ("de", "ltr"),
        ("fr", "ltr"),
        ("es", "ltr"),
        ("ja", "ltr"),
        ("ar", "rtl"),
    ] {
        let page = p.get_with("/signin", accept(code)).await;
        let want = format!("lang=\"{code}\" dir=\"{dir}\"");
        assert!(html_lang(&page).contains(&want), "{}", html_lang(&page));
    }
    for (code, words) in [("ja", "有効なセッション"), ("ar", "الجلسات النشطة")]
    {
        let p = Portal::start().await;
        let signin = p.get(&format!("/signin?lang={code}")).await;
        assert_no_english(code, &signin, &english);
        p.password_step(BOB, PASSWORD)
            .await
            .assert_redirect("/signin/factor");
        assert_no_english(code, &p.get("/signin/factor").await, &english);
        p.post("/signin/factor", &[("factor", "otp")])
            .await
            .assert_redirect("/signin/verify");
        let verify = p.get("/signin/verify").await;
        assert_no_english(code, &verify, &english);
        // The code field reads left to right in either direction.
        assert!(verify
            .body
            .contains("dir=\"ltr\" autocomplete=\"one-time-code\""));
        let refused = p.post("/signin/verify", &[("code", "000000")]).await;
        assert_no_english(code, &refused, &english);
        let code_now = p.totp().await;
        p.post("/signin/verify", &[("code", &code_now)])
            .await
            .assert_redirect("/account");
        let account = p.get("/account").await;
        assert!(account.text().contains(words), "{code}: {}", account.body);
        assert_no_english(code, &account, &english);
        assert_no_english(code, &p.get("/").await, &english);
    }
}

fn override_dir(files: &[(&str, &str)]) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("i18n-override-{}", direct_signin::random::token(8)));
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[rocket::async_test]
async fn an_operator_overrides_messages_of_a_left_to_right_and_a_right_to_left_language() {
    let dir = override_dir(&[
        ("en/brand.ftl", "signin-title = Sign in to Acme Bank\n"),
        (
            "ar/common.ftl",
            "language-name = العربية\nsignin-title = تسجيل الدخول\n",
        ),
    ]);
    let d = dir.clone();
    let p = Portal::with(move |c| {
        c.i18n.dir = Some(d);
        c.i18n.languages = vec!["en".into(), "de".into(), "ar".into()];
    })
    .await;
    let en = p.get("/signin").await;
    assert!(
        en.text().contains("<h1>Sign in to Acme Bank</h1>"),
        "{}",
        en.body
    );
    // The built-in German is untouched.
    assert!(p
        .get("/signin?lang=de")
        .await
        .text()
        .contains("<h1>Anmelden</h1>"));
    let ar = p.get("/signin?lang=ar").await;
    assert!(
        html_lang(&ar).contains("lang=\"ar\" dir=\"rtl\""),
        "{}",
        html_lang(&ar)
    );
    assert!(ar.text().contains("تسجيل الدخول"));
    assert!(ar.text().contains(">العربية</a>"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_override_refuses_to_start_naming_the_file_and_line() {
    let dir = override_dir(&[("de/signin.ftl", "signin-title = Gut\nbroken = {\n")]);
    let mut config = direct_signin::config::Config::default();
    config.i18n.dir = Some(dir.clone());
    let e = direct_signin::portal::i18n::build(&config.i18n)
        .err()
        .expect("refused");
    assert!(e.contains("signin.ftl") && e.contains("line 2"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
