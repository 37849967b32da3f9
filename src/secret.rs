//! [`Secret`]: a string that never prints (client secrets, the session key, Okta's tokens).
//! Configuration reads it from a key or from the file a `*_file` key names.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A secret that never prints.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself (for the one place that must send it).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The content of the file at `path`, trailing line breaks (`\n`, `\r\n`) removed, as
    /// editors and `echo` leave them. An unreadable or empty file is an error.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value = text.trim_end_matches(['\n', '\r']);
        if value.is_empty() {
            return Err(format!("{} is empty", path.display()));
        }
        Ok(Secret(value.to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }

    #[test]
    fn a_file_loses_its_trailing_line_breaks_only() {
        let dir = std::env::temp_dir().join(format!("secret-{}", crate::random::token(8)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s");
        std::fs::write(&path, " a b \r\n\n").unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), " a b ");
        std::fs::write(&path, "\n").unwrap();
        assert!(Secret::from_file(&path).unwrap_err().contains("empty"));
        let missing = dir.join("missing");
        assert!(Secret::from_file(&missing).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
