//! Client authentication at the OAuth endpoints (protocol reference §2.2): `none`,
//! `client_secret_basic`, `client_secret_post` and `private_key_jwt` (assertion `aud` =
//! the exact endpoint URL, `exp` at most an hour ahead, `jti` single use).

use std::collections::HashSet;
use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;

use super::directory::{Client, ClientAuth};
use super::flows::constant_time_eq;
use super::params::{Params, RequestMeta};
use super::reply::Reply;
use super::Emulator;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const CLOCK_SKEW: i64 = 60;

pub fn authenticate(
    emu: &Emulator,
    params: &Params,
    meta: &RequestMeta<'_>,
    endpoint_url: &str,
) -> Result<Arc<Client>, Reply> {
    if let Some(query) = meta.query {
        if form_urlencoded::parse(query.as_bytes())
            .any(|(k, _)| k == "client_secret" || k == "client_assertion")
        {
            return Err(Reply::invalid_request(
                "Client credentials must not be sent in the query string.",
            ));
        }
    }
    let basic = match meta.authorization.and_then(basic_credentials) {
        Some(encoded) => Some(parse_basic(encoded).ok_or_else(|| {
            Reply::invalid_client("The Basic authentication header is malformed.")
        })?),
        None => None,
    };
    let body_secret = params.get("client_secret");
    let assertion = params.get("client_assertion");
    let presented = [basic.is_some(), body_secret.is_some(), assertion.is_some()]
        .iter()
        .filter(|p| **p)
        .count();
    if presented > 1 {
        return Err(Reply::oauth(
            401,
            "invalid_request",
            "More than one client authentication method was used.",
        ));
    }
    let assertion_iss = assertion.and_then(unverified_issuer);
    let client_id = match (&basic, params.get("client_id")) {
        (Some((id, _)), Some(body_id)) if id != body_id => {
            return Err(Reply::invalid_client(
                "The client_id does not match the credentials.",
            ))
        }
        (Some((id, _)), _) => id.clone(),
        (None, Some(id)) => id.to_string(),
        (None, None) => assertion_iss.clone().ok_or_else(|| {
            Reply::invalid_client("Client authentication is required: no client_id was given.")
        })?,
    };
    let client = emu
        .directory
        .client(&client_id)
        .cloned()
        .ok_or_else(|| Reply::invalid_client("The client_id is not known."))?;
    let wrong_method = || {
        Reply::invalid_client(
            "The client authentication method does not match the client's configuration.",
        )
    };
    match &client.auth {
        ClientAuth::None => {
            if presented > 0 {
                return Err(wrong_method());
            }
        }
        ClientAuth::Secret(secret) => {
            let given = match (&basic, body_secret) {
                (Some((_, s)), _) => s.as_str(),
                (None, Some(s)) => s,
                (None, None) => return Err(wrong_method()),
            };
            if !constant_time_eq(given, secret) {
                return Err(Reply::invalid_client("The client secret is invalid."));
            }
        }
        ClientAuth::PrivateKeyJwt(keys) => {
            let Some(assertion) = assertion else {
                return Err(wrong_method());
            };
            if params.get("client_assertion_type") != Some(ASSERTION_TYPE) {
                return Err(Reply::invalid_client(
                    "The client_assertion_type is not supported.",
                ));
            }
            verify_assertion(emu, &client, keys, assertion, endpoint_url)?;
        }
    }
    Ok(client)
}

/// What follows `Basic ` (any case) in an `Authorization` header. The header may hold any
/// text, multibyte characters included: nothing here slices at a byte offset that might
/// not be a character boundary.
fn basic_credentials(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_at_checked(6)?;
    (scheme.eq_ignore_ascii_case("basic ") && !rest.is_empty()).then_some(rest)
}

fn parse_basic(encoded: &str) -> Option<(String, String)> {
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    let (id, secret) = (unescape(id)?, unescape(secret)?);
    (!id.is_empty()).then_some((id, secret))
}

/// `iss` of a JWT without checking it, to find which client sent it.
fn unverified_issuer(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims["iss"].as_str().map(str::to_string)
}

fn verify_assertion(
    emu: &Emulator,
    client: &Client,
    keys: &[jsonwebtoken::DecodingKey],
    assertion: &str,
    endpoint_url: &str,
) -> Result<(), Reply> {
    let bad = |why: &str| Reply::invalid_client(format!("The client_assertion is invalid: {why}."));
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| bad("not a JWT"))?;
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512
    ) {
        return Err(bad("unsupported alg"));
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    let claims = keys
        .iter()
        .find_map(|k| jsonwebtoken::decode::<Value>(assertion, k, &validation).ok())
        .ok_or_else(|| bad("signature does not verify"))?
        .claims;
    if claims["iss"].as_str() != Some(&client.id) || claims["sub"].as_str() != Some(&client.id) {
        return Err(bad("iss and sub must be the client_id"));
    }
    let aud_ok = match &claims["aud"] {
        Value::String(a) => a == endpoint_url,
        Value::Array(list) => list.iter().any(|a| a.as_str() == Some(endpoint_url)),
        _ => false,
    };
    if !aud_ok {
        return Err(bad("aud must be the endpoint URL"));
    }
    let now = emu.clock.now();
    let exp = claims["exp"]
        .as_i64()
        .ok_or_else(|| bad("exp is required"))?;
    if exp <= now - CLOCK_SKEW {
        return Err(bad("expired"));
    }
    if exp > now + 3600 + CLOCK_SKEW {
        return Err(bad("exp is more than an hour ahead"));
    }
    if claims["iat"]
        .as_i64()
        .is_some_and(|iat| iat > now + CLOCK_SKEW)
    {
        return Err(bad("iat is in the future"));
    }
    if let Some(jti) = claims["jti"].as_str() {
        let mut st = emu.state.lock();
        let key = format!("{}:{jti}", client.id);
        if st.assertion_jtis.contains_key(&key) {
            return Err(bad("jti was already used"));
        }
        st.assertion_jtis.insert(key, exp + CLOCK_SKEW);
    }
    Ok(())
}
