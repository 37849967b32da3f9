//! The key a username is known by in every per-username budget, limiter and log line.
//!
//! An attacker who can spell one account several ways gets one budget per spelling, and
//! so more wrong passwords at Okta than its lockout threshold allows. So the key merges
//! every spelling a person could mean as the same login: Unicode compatibility forms
//! (NFKC: fullwidth letters, ligatures, odd spaces such as U+00A0 or U+3000), case (a
//! full case fold: `ß` and `ss`, `Σ`, `σ` and `ς` meet), and characters that do not show
//! (zero-width spaces and joiners, bidi marks, soft hyphens, variation selectors and the
//! other default-ignorable code points), and whitespace anywhere.
//!
//! Merging errs on the safe side only: two names that share a key share a budget, which
//! is stricter, never looser. Okta logins hold no spaces or invisible characters, so no
//! two real accounts are merged in practice.
//!
//! This is a key, not a login: the name sent to Okta stays as the user typed it (trimmed),
//! so Okta decides who it is.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The normalized form of `username` for budget and log keys (see the module docs):
/// invisible characters removed, NFKC, full case fold, NFKC again, all whitespace removed.
/// Never sent to Okta: the name sent there stays as typed (trimmed).
pub fn normalize_username(username: &str) -> String {
    // ASCII has no invisible characters and NFKC leaves it as it is: only case and
    // whitespace are left to fold (the common case, and the cheap one).
    if username.is_ascii() {
        return username
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
    }
    normalize_unicode(username)
}

/// The full normalization, for names with a character outside ASCII.
fn normalize_unicode(username: &str) -> String {
    let visible: String = username.chars().filter(|c| !invisible(*c)).collect();
    // Upper then lower case approximates Unicode's full case folding (`ß` → `SS` → `ss`),
    // which `to_lowercase` alone does not do; casing can undo NFKC, hence the second pass.
    let folded = visible
        .nfkc()
        .collect::<String>()
        .to_uppercase()
        .to_lowercase();
    folded
        .nfkc()
        .filter(|c| !c.is_whitespace() && !invisible(*c))
        .collect()
}

/// Format characters (`Cf`: zero-width space, joiners, bidi controls, soft hyphen, BOM,
/// tags) and the other default-ignorable code points that render as nothing.
fn invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_login_share_a_key() {
        let key = normalize_username("bob@example.com");
        assert_eq!(key, "bob@example.com");
        for alias in [
            "Bob@Example.com",
            "  bob@example.com\t",
            "\u{00A0}bob@example.com\u{3000}",
            "ｂｏｂ@ｅｘａｍｐｌｅ.ｃｏｍ",
            "ＢＯＢ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
            "b\u{200B}ob@exa\u{200D}mple.com\u{FEFF}",
            "\u{202E}bob@example.com",
            "bo\u{00AD}b@example.com",
            "bob\u{FE0F}@example.com",
            "bob @ example.com",
            "b\u{2028}ob@example.com",
        ] {
            assert_eq!(normalize_username(alias), key, "{alias:?}");
        }
    }

    #[test]
    fn case_is_folded_not_just_lowered() {
        assert_eq!(normalize_username("STRASSE"), normalize_username("straße"));
        assert_eq!(normalize_username("ΣΊΣΥΦΟΣ"), normalize_username("σίσυφος"));
        assert_eq!(normalize_username("σίσυφος"), normalize_username("σίσυφοσ"));
        assert_eq!(normalize_username("ﬁle"), "file", "compatibility ligature");
        assert_eq!(normalize_username("Å"), normalize_username("A\u{030A}"));
    }

    #[test]
    fn the_ascii_shortcut_keys_as_the_full_normalization_does() {
        let every: String = (0u8..128).map(char::from).collect();
        assert_eq!(normalize_username(&every), normalize_unicode(&every));
        for c in (0u8..128).map(char::from) {
            let name = format!("A{c}b@Example.COM");
            assert_eq!(normalize_username(&name), normalize_unicode(&name), "{c:?}");
        }
    }

    #[test]
    fn different_logins_stay_different() {
        assert_ne!(
            normalize_username("bob@example.com"),
            normalize_username("rob@example.com")
        );
        assert_ne!(normalize_username("café"), normalize_username("cafe"));
        assert_eq!(normalize_username(""), "");
        assert_eq!(normalize_username("\u{200B} \u{00A0}"), "");
    }
}
