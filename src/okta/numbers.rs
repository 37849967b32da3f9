//! Okta's numbers, bounded.
//!
//! Okta's numbers are added to `now` and multiplied; one that is huge, negative or not a
//! number must neither wrap nor panic, nor stall a flow for years. So each is clamped when
//! the answer is parsed, to a range wider than anything Okta documents.

use serde_json::Value;

/// Access-token lifetimes (`expires_in` of a token response) are clamped to this, in
/// seconds: Okta allows 5 minutes to 24 hours. Absent or not a number: 3600.
pub(crate) const ACCESS_TOKEN_LIFETIME: (i64, i64) = (1, 24 * 3600);
/// Challenge lifetimes (`expires_in` of `/challenge` and `/primary-authenticate`) are
/// clamped to this, in seconds (Okta sends 300). Absent or not a number: 300.
pub(crate) const CHALLENGE_LIFETIME: (i64, i64) = (1, 3600);
/// Poll intervals (`interval`) are clamped to this, in seconds (Okta sends 5). Absent or
/// not a number: none (the portal's default applies).
pub(crate) const POLL_INTERVAL: (i64, i64) = (1, 60);
/// A rate-limit reset (`X-Rate-Limit-Reset`, or `now + Retry-After`) is clamped to at most
/// this many seconds after now, and to no earlier than now.
pub(crate) const MAX_RESET_WAIT: i64 = 3600;

/// A JSON integer, or a string holding one (lenient toward stand-ins); values beyond
/// `i64` saturate, fractions are truncated. Anything else is `None`.
pub(crate) fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => integer(s),
        _ => None,
    }
}

/// A decimal integer, saturating at the bounds of `i64`.
fn integer(s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.parse::<i64>().unwrap_or(if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    }))
}

fn clamp(value: i64, (min, max): (i64, i64)) -> i64 {
    value.clamp(min, max)
}

/// `expires_in` of a token response, within [`ACCESS_TOKEN_LIFETIME`].
pub(crate) fn access_token_lifetime(v: &Value) -> i64 {
    clamp(number(v).unwrap_or(3600), ACCESS_TOKEN_LIFETIME)
}

/// `expires_in` of a challenge, within [`CHALLENGE_LIFETIME`].
pub(crate) fn challenge_lifetime(v: &Value) -> i64 {
    clamp(number(v).unwrap_or(300), CHALLENGE_LIFETIME)
}

/// `interval` of a challenge, within [`POLL_INTERVAL`] when present.
pub(crate) fn poll_interval(v: &Value) -> Option<i64> {
    number(v).map(|s| clamp(s, POLL_INTERVAL))
}

/// When a rate-limited caller may try again (epoch seconds), from Okta's
/// `X-Rate-Limit-Reset` (epoch seconds) or else `Retry-After` (seconds, or an HTTP date),
/// within `now..=now + MAX_RESET_WAIT`.
pub(crate) fn rate_limit_reset(
    now: i64,
    x_rate_limit_reset: Option<&str>,
    retry_after: Option<&str>,
) -> Option<i64> {
    let latest = now.saturating_add(MAX_RESET_WAIT);
    let reset = x_rate_limit_reset.and_then(integer).or_else(|| {
        let value = retry_after?.trim();
        integer(value)
            .map(|seconds| now.saturating_add(seconds))
            .or_else(|| {
                let at = httpdate::parse_http_date(value).ok()?;
                let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
                Some(i64::try_from(secs).unwrap_or(i64::MAX))
            })
    })?;
    Some(reset.clamp(now, latest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn lifetimes_and_intervals_are_clamped() {
        assert_eq!(
            access_token_lifetime(&json!(18446744073709551615u64)),
            86_400
        );
        assert_eq!(access_token_lifetime(&json!(i64::MAX)), 86_400);
        assert_eq!(access_token_lifetime(&json!("9223372036854775808")), 86_400);
        assert_eq!(access_token_lifetime(&json!(-3600)), 1);
        assert_eq!(access_token_lifetime(&json!(1e300)), 86_400);
        assert_eq!(access_token_lifetime(&json!(3600)), 3600);
        assert_eq!(access_token_lifetime(&json!("soon")), 3600);
        assert_eq!(access_token_lifetime(&Value::Null), 3600);
        assert_eq!(challenge_lifetime(&json!(18446744073709551615u64)), 3600);
        assert_eq!(challenge_lifetime(&json!(i64::MIN)), 1);
        assert_eq!(challenge_lifetime(&json!("120")), 120);
        assert_eq!(challenge_lifetime(&Value::Null), 300);
        assert_eq!(poll_interval(&json!("-5")), Some(1));
        assert_eq!(poll_interval(&json!(0)), Some(1));
        assert_eq!(poll_interval(&json!(i64::MAX)), Some(60));
        assert_eq!(
            poll_interval(&json!("99999999999999999999999999")),
            Some(60)
        );
        assert_eq!(poll_interval(&json!(5)), Some(5));
        assert_eq!(poll_interval(&json!("5s")), None);
        assert_eq!(poll_interval(&Value::Null), None);
        // Adding any of them to a clock reading cannot overflow.
        for v in [
            json!(u64::MAX),
            json!(i64::MAX),
            json!(i64::MIN),
            json!("-5"),
        ] {
            let _ = NOW + access_token_lifetime(&v) + 2 * poll_interval(&v).unwrap_or(5);
        }
    }

    #[test]
    fn rate_limit_resets_are_clamped_to_the_next_hour() {
        let reset = |x: Option<&str>, retry: Option<&str>| rate_limit_reset(NOW, x, retry);
        assert_eq!(reset(None, Some("99999999999999")), Some(NOW + 3600));
        assert_eq!(reset(None, Some("9223372036854775807")), Some(NOW + 3600));
        assert_eq!(
            reset(None, Some("99999999999999999999999")),
            Some(NOW + 3600)
        );
        assert_eq!(reset(None, Some("-5")), Some(NOW));
        assert_eq!(reset(None, Some(" 30 ")), Some(NOW + 30));
        assert_eq!(reset(Some("9223372036854775807"), None), Some(NOW + 3600));
        assert_eq!(
            reset(Some("0"), None),
            Some(NOW),
            "a reset in the past: now"
        );
        assert_eq!(
            reset(Some(&(NOW + 42).to_string()), Some("5")),
            Some(NOW + 42)
        );
        assert_eq!(reset(Some("later"), Some("7")), Some(NOW + 7));
        assert_eq!(
            reset(None, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(NOW)
        );
        let in_ten = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs((NOW + 10) as u64),
        );
        assert_eq!(reset(None, Some(&in_ten)), Some(NOW + 10));
        assert_eq!(reset(None, Some("soon")), None);
        assert_eq!(reset(None, None), None);
        assert_eq!(
            rate_limit_reset(i64::MAX - 5, None, Some("60")),
            Some(i64::MAX)
        );
    }
}
