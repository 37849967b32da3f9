//! `[branding]`: product name, logo, colour and support link of the pages.

use serde::{Deserialize, Serialize};

use super::{invalid, ConfigError};

/// `[branding]`: how the pages look.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingConfig {
    /// Product name shown in page titles and headers.
    pub product_name: String,
    /// URL of the logo shown on the pages; `None`: no logo.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// A hex colour: `#1f4fd1` or `#14d`.
    pub primary_color: String,
    /// URL of a support link shown on the pages; `None`: no link.
    #[serde(default)]
    pub support_url: Option<String>,
}

impl Default for BrandingConfig {
    fn default() -> Self {
        BrandingConfig {
            product_name: "Direct Sign-in".into(),
            logo_url: None,
            primary_color: "#1f4fd1".into(),
            support_url: None,
        }
    }
}

impl BrandingConfig {
    /// Checks `primary_color` is a hex colour.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let hex = self.primary_color.strip_prefix('#').unwrap_or("");
        if !(hex.len() == 6 || hex.len() == 3) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(
                "branding.primary_color",
                "must be a hex colour such as #1f4fd1",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;

    #[test]
    fn the_colour_is_hex() {
        with("[branding]\nprimary_color = \"#14d\"").unwrap();
        for bad in ["blue", "#12345", "#gggggg", "1f4fd1"] {
            let e = with(&format!("[branding]\nprimary_color = \"{bad}\"")).unwrap_err();
            assert!(
                e.to_string().contains("branding.primary_color"),
                "{bad}: {e}"
            );
        }
    }
}
