//! The request guards that load the visitor's session once per request: [`Current`]
//! (whatever the visitor has) and [`User`] (a signed-in visitor, with activity recorded at
//! most once a minute).

use std::sync::Arc;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::{PreAuth, Record, Sessions, SignedIn, StoreError, TOUCH_EVERY};

/// The visitor's session, loaded once per request.
pub struct Current {
    /// The cookie's value, when it is well-formed.
    pub id: Option<String>,
    /// The stored record; `None`: no session, or it ended.
    pub record: Option<Record>,
}

impl Current {
    /// The signed-in record, if the visitor is signed in.
    pub fn signed_in(&self) -> Option<&SignedIn> {
        match &self.record {
            Some(Record::SignedIn(s)) => Some(s),
            _ => None,
        }
    }

    /// The signed-in record as shared, if the visitor is signed in: one `Arc` for as long
    /// as the stored record is unchanged.
    pub fn signed_in_shared(&self) -> Option<&Arc<SignedIn>> {
        match &self.record {
            Some(Record::SignedIn(s)) => Some(s),
            _ => None,
        }
    }

    /// The pre-sign-in record, if a sign-in is in progress.
    pub fn pre_auth(&self) -> Option<&PreAuth> {
        match &self.record {
            Some(Record::PreAuth(p)) => Some(p),
            _ => None,
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Current {
    type Error = StoreError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let result = req
            .local_cache_async(async {
                let Some(sessions) = req.rocket().state::<Arc<Sessions>>() else {
                    return Err(StoreError("sessions are not configured".into()));
                };
                let id = req
                    .cookies()
                    .get(sessions.cookie_name())
                    .map(|c| c.value().to_string())
                    .filter(|v| Sessions::well_formed(v));
                let record = match &id {
                    Some(id) => sessions.load(id).await?,
                    None => None,
                };
                Ok(Current { id, record })
            })
            .await;
        match result {
            Ok(current) => Outcome::Success(current),
            Err(e) => Outcome::Error((Status::ServiceUnavailable, StoreError(e.0.clone()))),
        }
    }
}

/// A signed-in visitor; forwards (to a `rank = 2` route) when there is none.
pub struct User<'r> {
    /// The session cookie's value.
    pub id: &'r str,
    /// The signed-in record.
    pub session: &'r SignedIn,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for User<'r> {
    type Error = StoreError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let current = match <&Current>::from_request(req).await {
            Outcome::Success(c) => c,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(s) => return Outcome::Forward(s),
        };
        match (&current.id, current.signed_in()) {
            (Some(id), Some(session)) => {
                if let Some(sessions) = req.rocket().state::<Arc<Sessions>>() {
                    // Most requests only read: the copy and the write happen once a minute.
                    if sessions.clock().now() - session.last_seen >= TOUCH_EVERY {
                        let mut record = Record::SignedIn(Arc::new(session.clone()));
                        if let Err(e) = sessions.touch(id, &mut record).await {
                            return Outcome::Error((Status::ServiceUnavailable, e));
                        }
                    }
                }
                Outcome::Success(User { id, session })
            }
            _ => Outcome::Forward(Status::Unauthorized),
        }
    }
}
