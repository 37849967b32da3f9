//! Random identifiers and secrets, all from the operating system's CSPRNG.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

/// `bytes` random bytes, base64url without padding (`bytes * 8` bits of entropy).
pub fn token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random string of `len` characters from `[0-9A-Za-z]`.
pub fn alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| ALPHABET[OsRng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A random decimal code of `digits` digits (leading zeros kept).
pub fn digits(digits: usize) -> String {
    (0..digits)
        .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
        .collect()
}

/// A uniformly random integer in `range`.
pub fn in_range(range: std::ops::Range<u32>) -> u32 {
    OsRng.gen_range(range)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        assert_eq!(super::token(16).len(), 22);
        assert_eq!(super::alphanumeric(20).len(), 20);
        let d = super::digits(6);
        assert!(d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit()));
    }
}
