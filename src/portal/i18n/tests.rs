//! The catalogs against each other: every language has exactly English's message ids and
//! attributes, each with the same variables; every built-in file parses; negotiation.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;
use fluent_syntax::parser;

use super::negotiate::{negotiate, Chosen};
use super::{build, builtin};
use crate::config::I18nConfig;

/// Message id (or `id.attribute`) → the variables it uses.
type Shape = BTreeMap<String, BTreeSet<String>>;

fn inline_vars(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. }
        | ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
            for a in &arguments.named {
                inline_vars(&a.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expr_vars(expression, out),
        _ => {}
    }
}

fn expr_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
    }
}

fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expr_vars(expression, out);
        }
    }
}

/// The shape of one language's built-in files (each must parse).
fn shape(files: &[builtin::File]) -> Shape {
    let mut shape = Shape::new();
    for (name, text) in files {
        let resource = parser::parse(*text)
            .unwrap_or_else(|(_, errors)| panic!("locales/{name} does not parse: {errors:?}"));
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(value) = &m.value {
                    pattern_vars(value, &mut vars);
                }
                let id = m.id.name.to_string();
                assert!(
                    shape.insert(id.clone(), vars).is_none(),
                    "locales/{name}: `{id}` is defined twice"
                );
                for a in &m.attributes {
                    let mut vars = BTreeSet::new();
                    pattern_vars(&a.value, &mut vars);
                    shape.insert(format!("{id}.{}", a.id.name), vars);
                }
            }
        }
    }
    shape
}

#[test]
fn every_catalog_has_every_english_message_with_the_same_variables_and_no_more() {
    let english = shape(builtin::files("en").unwrap());
    assert!(english.len() > 100, "{} messages", english.len());
    for (code, files) in builtin::BUILT_IN {
        let other = shape(files);
        let missing: Vec<_> = english
            .keys()
            .filter(|id| !other.contains_key(*id))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "{code} lacks {missing:?}");
        assert!(extra.is_empty(), "{code} has ids English lacks: {extra:?}");
        for (id, vars) in &english {
            assert_eq!(&other[id], vars, "{code}: `{id}` has other variables");
        }
    }
}

#[test]
fn the_default_languages_are_the_built_in_ones() {
    let built: Vec<_> = builtin::codes().collect();
    assert_eq!(built, crate::config::i18n::BUILT_IN);
    let catalog = build(&I18nConfig::default()).unwrap();
    assert_eq!(catalog.languages().len(), built.len());
    assert_eq!(catalog.language(catalog.fallback()).code, "en");
}

#[test]
fn messages_format_with_plurals_and_variables() {
    let catalog = build(&I18nConfig::default()).unwrap();
    let (en, de) = (catalog.index("en").unwrap(), catalog.index("de").unwrap());
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("seconds", 1);
    assert_eq!(
        catalog.text(en, "verify-resend-in", Some(&args)),
        "Available in 1 second."
    );
    assert_eq!(
        catalog.text(de, "verify-resend-in", Some(&args)),
        "Wieder möglich in 1 Sekunde."
    );
    args.set("seconds", 30);
    assert_eq!(
        catalog.text(en, "verify-resend-in", Some(&args)),
        "Available in 30 seconds."
    );
    assert_eq!(catalog.text(de, "signin-title", None), "Anmelden");
    // An unknown id shows itself rather than failing the page.
    assert_eq!(catalog.text(de, "no-such-message", None), "no-such-message");
    assert_eq!(catalog.language(de).dir, "ltr");
}

fn chosen(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> (String, bool) {
    let catalog = build(&I18nConfig::default()).unwrap();
    let Chosen { index, from_query } = negotiate(&catalog, query, cookie, accept);
    (catalog.language(index).code.clone(), from_query)
}

#[test]
fn negotiation_follows_query_then_cookie_then_header_then_fallback() {
    let de = || ("de".to_string(), false);
    let en = || ("en".to_string(), false);
    // Accept-Language by q-value, regions served by their language, q=0 excluded.
    assert_eq!(chosen(None, None, Some("de-CH, en;q=0.5")), de());
    assert_eq!(chosen(None, None, Some("en;q=0.4, de-AT;q=0.8")), de());
    assert_eq!(chosen(None, None, Some("sv-SE, de;q=0.1")), de());
    assert_eq!(chosen(None, None, Some("de;q=0, en;q=0.1")), en());
    assert_eq!(chosen(None, None, Some("xx, *")), en());
    assert_eq!(chosen(None, None, Some("")), en());
    assert_eq!(chosen(None, None, None), en());
    // The cookie beats the header; the query beats both and is remembered.
    assert_eq!(chosen(None, Some("de"), Some("en")), de());
    assert_eq!(
        chosen(Some("de"), Some("en"), Some("en")),
        ("de".into(), true)
    );
    assert_eq!(chosen(Some("DE"), None, None), ("de".into(), true));
    // A language not offered in the query or the cookie is passed over.
    assert_eq!(chosen(Some("zz"), Some("de"), None), de());
    assert_eq!(chosen(None, Some("<script>"), Some("de")), de());
    // A huge header is ignored, not parsed.
    let huge = format!("{}de", "x-y;q=0.1, ".repeat(100));
    assert_eq!(chosen(None, None, Some(&huge)), en());
}

#[test]
fn an_operator_directory_overrides_messages_and_a_broken_file_is_refused() {
    let dir = std::env::temp_dir().join(format!("i18n-{}", crate::random::token(8)));
    std::fs::create_dir_all(dir.join("de")).unwrap();
    std::fs::write(
        dir.join("de/brand.ftl"),
        "signin-title = Willkommen bei Acme\n",
    )
    .unwrap();
    let config = I18nConfig {
        dir: Some(dir.clone()),
        ..I18nConfig::default()
    };
    let catalog = build(&config).unwrap();
    let de = catalog.index("de").unwrap();
    assert_eq!(
        catalog.text(de, "signin-title", None),
        "Willkommen bei Acme"
    );
    assert_eq!(catalog.text(de, "signin-submit", None), "Anmelden");
    // A new language from the directory, when offered; its missing messages fall back.
    std::fs::create_dir_all(dir.join("nl")).unwrap();
    std::fs::write(dir.join("nl/signin.ftl"), "signin-title = Inloggen\n").unwrap();
    let config = I18nConfig {
        dir: Some(dir.clone()),
        languages: vec!["en".into(), "nl".into()],
        ..I18nConfig::default()
    };
    let catalog = build(&config).unwrap();
    let nl = catalog.index("nl").unwrap();
    assert_eq!(catalog.text(nl, "signin-title", None), "Inloggen");
    assert_eq!(catalog.text(nl, "signin-submit", None), "Sign in");
    // Not built in and not in the directory.
    let config = I18nConfig {
        languages: vec!["en".into(), "sv".into()],
        ..I18nConfig::default()
    };
    let e = build(&config).err().unwrap();
    assert!(e.contains("i18n.languages") && e.contains("sv"), "{e}");
    // A broken file names itself and the line.
    std::fs::write(dir.join("de/broken.ftl"), "ok = fine\n\nbroken = { $\n").unwrap();
    let config = I18nConfig {
        dir: Some(dir.clone()),
        ..I18nConfig::default()
    };
    let e = build(&config).err().unwrap();
    assert!(e.contains("broken.ftl") && e.contains("line 3"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn arabic_is_right_to_left_with_its_six_plural_forms_and_the_others_left_to_right() {
    let catalog = build(&I18nConfig::default()).unwrap();
    for code in ["en", "de", "fr", "es", "ja"] {
        assert_eq!(catalog.language(catalog.index(code).unwrap()).dir, "ltr");
    }
    let ar = catalog.index("ar").unwrap();
    assert_eq!(catalog.language(ar).dir, "rtl");
    let resend = |seconds: i64| {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("seconds", seconds);
        // (Without the isolation marks Fluent puts around placeables in RTL text.)
        catalog
            .text(ar, "verify-resend-in", Some(&args))
            .replace(['\u{2068}', '\u{2069}'], "")
    };
    assert_eq!(resend(0), "متاح الآن.");
    assert_eq!(resend(1), "متاح بعد ثانية واحدة.");
    assert_eq!(resend(2), "متاح بعد ثانيتين.");
    assert_eq!(resend(3), "متاح بعد 3 ثوانٍ.");
    assert_eq!(resend(11), "متاح بعد 11 ثانية.");
    assert_eq!(resend(100), "متاح بعد 100 ثانية.");
    // Japanese has one form; French counts 0 and 1 as singular.
    let (ja, fr) = (catalog.index("ja").unwrap(), catalog.index("fr").unwrap());
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("seconds", 0);
    assert_eq!(
        catalog.text(fr, "verify-resend-in", Some(&args)),
        "Disponible dans 0 seconde."
    );
    args.set("seconds", 30);
    assert_eq!(
        catalog.text(ja, "verify-resend-in", Some(&args)),
        "30 秒後に利用できます。"
    );
}
