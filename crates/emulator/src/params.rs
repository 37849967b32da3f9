//! Request parsing shared by the OAuth endpoints: the form body (with Okta's rule that a
//! repeated parameter is an error) and the headers client authentication looks at.

use std::collections::HashMap;

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::{self, FromRequest, Request};

use super::reply::Reply;

/// The form parameters of an OAuth POST. Empty values count as absent.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(body: &str) -> Result<Self, Reply> {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(body.as_bytes()) {
            if map.insert(k.to_string(), v.to_string()).is_some() {
                return Err(Reply::invalid_request(format!(
                    "The parameter '{k}' was given more than once."
                )));
            }
        }
        Ok(Params(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter.
    pub fn require(&self, name: &str) -> Result<&str, Reply> {
        self.get(name)
            .ok_or_else(|| Reply::invalid_request(format!("The '{name}' parameter is required.")))
    }

    /// A space-separated list parameter.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        self.get(name)
            .map(|v| v.split_whitespace().map(str::to_string).collect())
    }
}

#[rocket::async_trait]
impl<'r> FromData<'r> for Params {
    type Error = Reply;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let bad = |r: Reply| data::Outcome::Error((Status::BadRequest, r));
        if !req.content_type().is_some_and(|ct| ct.is_form()) {
            return bad(Reply::invalid_request(
                "The request must be application/x-www-form-urlencoded.",
            ));
        }
        match data.open(64.kibibytes()).into_string().await {
            Ok(body) if body.is_complete() => match Params::parse(&body) {
                Ok(p) => data::Outcome::Success(p),
                Err(r) => bad(r),
            },
            _ => bad(Reply::invalid_request(
                "The request body is too large or unreadable.",
            )),
        }
    }
}

/// Headers and query of an OAuth request.
pub struct RequestMeta<'r> {
    pub authorization: Option<&'r str>,
    pub query: Option<&'r str>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RequestMeta<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(RequestMeta {
            authorization: req.headers().get_one("Authorization"),
            query: req.uri().query().map(|q| q.as_str()),
        })
    }
}

impl RequestMeta<'_> {
    pub fn bearer(&self) -> Option<&str> {
        let value = self.authorization?;
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_rejected() {
        assert!(Params::parse("a=1&b=2").is_ok());
        let err = Params::parse("scope=openid&scope=email").unwrap_err();
        assert_eq!(err.error_code(), Some("invalid_request"));
    }

    #[test]
    fn empty_values_are_absent() {
        let p = Params::parse("a=&b=x%20y").unwrap();
        assert_eq!(p.get("a"), None);
        assert_eq!(p.list("b").unwrap(), vec!["x", "y"]);
    }
}
