//! The cryptography behind `jsonwebtoken` in this process: RSA signature checks (Okta's
//! RS256 ID tokens, one per sign-in) by `ring`, everything else (the gateway's ES256
//! assertions, HMAC, the emulator's signing) by RustCrypto, as before.
//!
//! Why: RustCrypto's `rsa` does its modular arithmetic in portable big-integer code, and one
//! RS256 check cost about 2.4 million instructions (≈0.4 ms), the largest single part of a
//! password sign-in's CPU. `ring`, already built for `rustls`, checks the same signature in
//! a few tens of microseconds. Only verification moves: `ring` takes public keys as they
//! come (modulus and exponent from the JWKS, or a PKCS#1 DER key) with no conversion.
//!
//! `jsonwebtoken` holds one provider per process, chosen at its first use; [`install`] puts
//! this one in place and is called where the portal is built (and first thing in `main`).
//! When something else chose first (a program embedding the portal that uses
//! `jsonwebtoken` itself), that choice stays and tokens are checked as correctly, only more
//! slowly.

use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtVerifier};
use jsonwebtoken::errors::{new_error, ErrorKind, Result};
use jsonwebtoken::signature::{Error as SignatureError, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};
use ring::signature::{self as ring_sig, RsaPublicKeyComponents, UnparsedPublicKey};

/// RustCrypto for everything but RSA verification, which `ring` does.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: RUST_CRYPTO.signer_factory,
    verifier_factory: new_verifier,
    jwk_utils: JwkUtils {
        extract_rsa_public_key_components: RUST_CRYPTO.jwk_utils.extract_rsa_public_key_components,
        extract_ec_public_key_coordinates: RUST_CRYPTO.jwk_utils.extract_ec_public_key_coordinates,
        compute_digest: RUST_CRYPTO.jwk_utils.compute_digest,
    },
};

/// `jsonwebtoken`'s own RustCrypto provider.
static RUST_CRYPTO: &CryptoProvider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;

/// Makes this process's `jsonwebtoken` use [`PROVIDER`] unless it has chosen already.
pub fn install() {
    // Err: a provider is in place already (an earlier call, or the embedding program's).
    let _ = PROVIDER.install_default();
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    let params: &'static ring_sig::RsaParameters = match algorithm {
        Algorithm::RS256 => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
        _ => return (RUST_CRYPTO.verifier_factory)(algorithm, key),
    };
    if key.family() != AlgorithmFamily::Rsa {
        return Err(new_error(ErrorKind::InvalidKeyFormat));
    }
    Ok(Box::new(RingRsa {
        algorithm: *algorithm,
        params,
        key: key.clone(),
    }))
}

/// One RSA signature check by `ring`.
struct RingRsa {
    algorithm: Algorithm,
    params: &'static ring_sig::RsaParameters,
    key: DecodingKey,
}

impl Verifier<Vec<u8>> for RingRsa {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> std::result::Result<(), SignatureError> {
        let checked = match self.key.kind() {
            DecodingKeyKind::RsaModulusExponent { n, e } => {
                RsaPublicKeyComponents { n, e }.verify(self.params, msg, signature)
            }
            // A PKCS#1 `RSAPublicKey` in DER, as `DecodingKey::from_rsa_pem`/`_der` hold it.
            DecodingKeyKind::SecretOrDer(der) => {
                UnparsedPublicKey::new(self.params, der).verify(msg, signature)
            }
        };
        checked.map_err(|_| SignatureError::new())
    }
}

impl JwtVerifier for RingRsa {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header, Validation};
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::traits::PublicKeyParts;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        sub: String,
        exp: u64,
    }

    #[test]
    fn ring_checks_what_rustcrypto_signed_and_refuses_the_rest() {
        install();
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let der = private.to_pkcs1_der().unwrap();
        let signing = EncodingKey::from_rsa_der(der.as_bytes());
        let claims = Claims {
            sub: "00u1".into(),
            exp: 4_000_000_000,
        };
        let token = encode(&Header::new(Algorithm::RS256), &claims, &signing).unwrap();
        let public = private.to_public_key();
        let by_parts = DecodingKey::from_rsa_raw_components(
            &public.n().to_bytes_be(),
            &public.e().to_bytes_be(),
        );
        let by_der = DecodingKey::from_rsa_der(public.to_pkcs1_der().unwrap().as_bytes());
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        for key in [&by_parts, &by_der] {
            let read = jsonwebtoken::decode::<Claims>(&token, key, &validation).unwrap();
            assert_eq!(read.claims, claims);
        }
        // One flipped bit in the signature, or another key: refused.
        let (head, sig) = token.rsplit_once('.').unwrap();
        let mut bytes = sig.as_bytes().to_vec();
        bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
        let forged = format!("{head}.{}", String::from_utf8(bytes).unwrap());
        assert!(jsonwebtoken::decode::<Claims>(&forged, &by_parts, &validation).is_err());
        let other = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
            .unwrap()
            .to_public_key();
        let wrong = DecodingKey::from_rsa_raw_components(
            &other.n().to_bytes_be(),
            &other.e().to_bytes_be(),
        );
        assert!(jsonwebtoken::decode::<Claims>(&token, &wrong, &validation).is_err());
        // The factory gives ring's check for RSA, and RustCrypto's for the rest.
        let ring = new_verifier(&Algorithm::RS256, &by_parts).unwrap();
        let (message, signature) = token.rsplit_once('.').unwrap();
        let signature = jsonwebtoken::crypto::verify(
            signature,
            message.as_bytes(),
            &by_parts,
            Algorithm::RS256,
        );
        assert!(signature.unwrap());
        assert_eq!(ring.algorithm(), Algorithm::RS256);
        assert!(
            new_verifier(&Algorithm::ES256, &by_parts).is_err(),
            "an RSA key is no EC key"
        );
        assert!(new_verifier(&Algorithm::RS256, &DecodingKey::from_secret(b"k")).is_err());
    }
}
