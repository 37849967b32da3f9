//! The catalogs built into the binary: `locales/<lang>/*.ftl`, embedded at compile time.
//!
//! Adding a language is a directory under `locales/` and one entry in [`BUILT_IN`]; the
//! catalog tests then hold it to the English catalog's ids and variables.

/// One embedded `.ftl` file: its name (for error messages) and its text.
pub type File = (&'static str, &'static str);

macro_rules! ftl {
    ($lang:literal, $file:literal) => {
        (
            concat!($lang, "/", $file),
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/locales/",
                $lang,
                "/",
                $file
            )),
        )
    };
}

/// Every built-in language (its tag) with its files. English comes first: it is the
/// reference every other catalog is checked against.
pub const BUILT_IN: &[(&str, &[File])] = &[
    (
        "en",
        &[
            ftl!("en", "common.ftl"),
            ftl!("en", "signin.ftl"),
            ftl!("en", "account.ftl"),
        ],
    ),
    (
        "de",
        &[
            ftl!("de", "common.ftl"),
            ftl!("de", "signin.ftl"),
            ftl!("de", "account.ftl"),
        ],
    ),
    (
        "fr",
        &[
            ftl!("fr", "common.ftl"),
            ftl!("fr", "signin.ftl"),
            ftl!("fr", "account.ftl"),
        ],
    ),
    (
        "es",
        &[
            ftl!("es", "common.ftl"),
            ftl!("es", "signin.ftl"),
            ftl!("es", "account.ftl"),
        ],
    ),
    (
        "ja",
        &[
            ftl!("ja", "common.ftl"),
            ftl!("ja", "signin.ftl"),
            ftl!("ja", "account.ftl"),
        ],
    ),
    (
        "ar",
        &[
            ftl!("ar", "common.ftl"),
            ftl!("ar", "signin.ftl"),
            ftl!("ar", "account.ftl"),
        ],
    ),
];

/// The built-in files of the language `code`.
pub fn files(code: &str) -> Option<&'static [File]> {
    BUILT_IN
        .iter()
        .find(|(lang, _)| lang.eq_ignore_ascii_case(code))
        .map(|(_, files)| *files)
}

/// The tags of the built-in languages.
pub fn codes() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(lang, _)| *lang)
}
