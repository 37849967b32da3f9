//! Nothing bypasses the catalog: with the pseudo catalog (`i18n.pseudo`), where every
//! message comes out as `⟦…⟧`, every page of the flows shows no other word (visible text,
//! `title`, `alt`, `placeholder`, `aria-label`, input buttons' `value`); the templates
//! hold no bare word; the README lists every message id.

use std::path::PathBuf;

use crate::common::{unescape, Page, Portal, PASSWORD};

const BOB: &str = "bob@example.com";

/// What a reader sees of `body`: the text outside tags and the `title`, `alt`,
/// `placeholder`, `aria-label` attributes and the `value` of `<input>` buttons (a
/// `<button>`'s value is sent, not shown), entities undone.
pub fn visible(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let button = tag.starts_with("input")
            && ["submit", "button", "reset"]
                .iter()
                .any(|t| tag.contains(&format!("type=\"{t}\"")));
        for name in ["title", "alt", "placeholder", "aria-label", "value"] {
            if name == "value" && !button {
                continue;
            }
            let key = format!(" {name}=\"");
            if let Some(at) = tag.find(&key) {
                let value = &tag[at + key.len()..];
                out.push_str(value.split('"').next().unwrap_or(""));
                out.push(' ');
            }
        }
        // Scripts and styles are not text.
        let skip_to = ["script", "style"]
            .iter()
            .find(|t| tag.starts_with(**t))
            .and_then(|t| rest[open..].find(&format!("</{t}>")));
        rest = &rest[open + skip_to.unwrap_or(close + 1)..];
        if skip_to.is_some() {
            rest = &rest[rest.find('>').map_or(0, |e| e + 1)..];
        }
    }
    out.push_str(rest);
    unescape(&out)
}

/// `text` without the `⟦…⟧` parts (nested ones too).
fn unmarked(text: &str) -> String {
    let mut depth = 0;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '⟦' => depth += 1,
            '⟧' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Fails when `page`, once its catalog words and the known `data` are removed, still
/// shows a letter.
fn assert_all_from_catalog(what: &str, page: &Page, data: &[&str]) {
    let mut left = unmarked(&visible(&page.body));
    let mut data: Vec<&str> = data.to_vec();
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in data {
        left = left.replace(d, " ");
    }
    let words: Vec<&str> = left
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    assert!(
        words.is_empty(),
        "{what}: words outside the catalog: {words:?}"
    );
}

#[rocket::async_test]
async fn with_the_pseudo_catalog_no_page_shows_a_word_outside_it() {
    let p = Portal::with(|c| c.i18n.pseudo = true).await;
    // Brand, user and Okta data are not copy.
    let mut data = vec!["Direct Sign-in", BOB, "alice@example.com"];
    let signin = p.get("/signin").await;
    assert_eq!(signin.status, 200);
    assert!(signin.body.contains("⟦"), "{}", signin.body);
    assert_all_from_catalog("signin", &signin, &data);
    let home = p.get("/").await;
    assert_all_from_catalog("home", &home, &data);
    let missing = p.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    let id = missing.operation_id().unwrap();
    assert_all_from_catalog("404", &missing, &[&data[..], &[id.as_str()]].concat());
    let recover = p.get("/recover").await;
    assert_all_from_catalog("recover", &recover, &data);
    // A refused form: the error beside the field, and "Error:" in the title.
    // (alice's: a failure for bob would slow his sign-in below.)
    let refused = p
        .post(
            "/signin",
            &[("username", "alice@example.com"), ("password", "wrong")],
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_all_from_catalog("signin refused", &refused, &data);
    // The second factor: choice, code entry (and a wrong code), then the account page.
    p.password_step(BOB, PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    let factor = p.get("/signin/factor").await;
    assert_all_from_catalog("factor", &factor, &data);
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert_all_from_catalog("verify", &verify, &data);
    let wrong = p.post("/signin/verify", &[("code", "000000")]).await;
    assert_all_from_catalog("verify refused", &wrong, &data);
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let account = p.get("/account").await;
    assert_eq!(account.status, 200);
    // The account page shows the user's claims, groups, methods and devices: data.
    let user = p.signed_in().await.unwrap();
    let names: Vec<String> = [user.name.clone(), user.preferred_username.clone()]
        .into_iter()
        .flatten()
        .chain(user.groups.iter().cloned())
        .chain(user.amr.iter().cloned())
        .collect();
    let claims = claim_text(&account.body);
    data.extend(names.iter().map(String::as_str));
    data.extend(claims.iter().map(String::as_str));
    data.extend([
        "Okta Verify",
        "Google Authenticator",
        "Phone",
        "Email",
        "Password",
    ]);
    let device = user.device.clone().unwrap_or_default();
    data.push(&device);
    // The avatar is the name's first letter.
    let mut account = account;
    if let Some(at) = account.body.find("class=\"avatar\"") {
        let close = account.body[at..].find('>').unwrap() + at + 1;
        let end = account.body[close..].find("</span>").unwrap() + close;
        account.body.replace_range(close..end, "");
    }
    assert_all_from_catalog("account", &account, &data);
    // Signed out: the sign-in page with its notice (a message from Rust).
    let to = p.post("/signout", &[]).await.location.expect("a redirect");
    let out = p.get(&to).await;
    assert_eq!(out.notices(), 1, "{}", out.body);
    assert_all_from_catalog("signed out", &out, &data[..3]);
    // The push wait, for a fresh visitor.
    let q = p.browser().await;
    q.mfa_start(BOB, "push")
        .await
        .assert_redirect("/signin/wait");
    let wait = q.get("/signin/wait").await;
    assert_eq!(wait.status, 200);
    assert_all_from_catalog("wait", &wait, &data[..3]);
}

/// The names and values in the account page's claims list and methods list (Okta's data).
fn claim_text(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (start, end) in [
        ("id=\"userinfo\">", "</dl>"),
        ("id=\"authenticators\">", "</ul>"),
    ] {
        if let Some(at) = body.find(start) {
            let part = &body[at + start.len()..];
            let part = &part[..part.find(end).unwrap_or(part.len())];
            for piece in unmarked(&visible(part)).split("  ") {
                let piece = piece.trim();
                if !piece.is_empty() {
                    out.push(piece.to_string());
                }
            }
        }
    }
    out
}

#[rocket::async_test]
async fn the_check_finds_a_word_outside_the_catalog() {
    let page = Page {
        status: 200,
        location: None,
        body: "<p>⟦Anmelden⟧</p><button value=\"x\">⟦a⟧ Continue</button>".into(),
        headers: Vec::new(),
    };
    let found = std::panic::catch_unwind(|| assert_all_from_catalog("probe", &page, &[]));
    assert!(
        found.is_err(),
        "an English word next to marked copy must fail"
    );
    let attribute = Page {
        body: "<p aria-label=\"Number\">⟦x⟧</p>".into(),
        ..page
    };
    let found = std::panic::catch_unwind(|| assert_all_from_catalog("probe", &attribute, &[]));
    assert!(found.is_err(), "a word in aria-label must fail");
}

#[test]
fn no_template_has_a_bare_word() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let mut text = std::fs::read_to_string(&path).unwrap();
        // The blocks that fill a `class` attribute hold class names, not copy.
        for block in ["{% block body_class %}", "{% block main_class %}"] {
            while let Some(at) = text.find(block) {
                let end = text[at..]
                    .find("{% endblock")
                    .map_or(text.len(), |e| at + e);
                text.replace_range(at..end, " ");
            }
        }
        // Drop `{{ … }}`, `{% … %}` and `{# … #}`, then read what is left as a page.
        let mut bare = String::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            bare.push_str(&rest[..open]);
            let closer = match rest[open..].chars().nth(1) {
                Some('{') => "}}",
                Some('%') => "%}",
                Some('#') => "#}",
                _ => {
                    bare.push('{');
                    rest = &rest[open + 1..];
                    continue;
                }
            };
            let end = rest[open..]
                .find(closer)
                .map_or(rest.len(), |e| open + e + 2);
            bare.push(' ');
            rest = &rest[end..];
        }
        bare.push_str(rest);
        let page = Page {
            status: 200,
            location: None,
            body: bare,
            headers: Vec::new(),
        };
        assert_all_from_catalog(&path.display().to_string(), &page, &[]);
    }
}

#[test]
fn the_readme_lists_every_message_id() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let Some((id, _)) = line.split_once(" =") else {
                continue;
            };
            if id.starts_with(|c: char| c.is_ascii_lowercase()) {
                assert!(
                    readme.contains(&format!("| `{id}` |")),
                    "README lacks `{id}`: run scripts/message-ids.py"
                );
            }
        }
    }
}
