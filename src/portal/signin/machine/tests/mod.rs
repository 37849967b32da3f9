//! Transition tests of the sign-in state machine, by flow: password and second factors,
//! passwordless, limits and edges; the shared builders are here.

mod limits;
mod passwordless;
mod recovery;
mod second_factors;

use super::*;
use crate::config::Secret;
use crate::okta::{Answer, BindingMethod, Challenge, IdClaims, TokenSet, Upstream};

pub(super) const NOW: i64 = 1_000_000;

pub(super) fn tokens() -> Answer {
    Answer::Tokens(Box::new(TokenSet {
        access_token: Secret::new("at"),
        refresh_token: None,
        id_token: Secret::new("id"),
        expires_in: 3600,
        scope: "openid".into(),
        claims: IdClaims {
            sub: "00u1".into(),
            name: None,
            email: None,
            preferred_username: None,
            amr: vec!["pwd".into()],
            groups: vec![],
            email_verified: None,
            auth_time: Some(NOW),
            iat: NOW,
            exp: NOW + 3600,
        },
    }))
}

pub(super) fn challenge(
    channel: &str,
    method: BindingMethod,
    binding_code: Option<&str>,
) -> Answer {
    Answer::Challenge(Challenge {
        oob_code: format!("oob-{channel}"),
        expires_in: 300,
        interval: (channel == "push").then_some(5),
        channel: channel.into(),
        binding_method: method,
        binding_code: binding_code.map(String::from),
    })
}

pub(super) fn password(username: &str) -> Event {
    Event::SubmitPassword {
        username: username.into(),
        password: "Sup3r-Secret!".into(),
        return_to: "/account".into(),
        remember: true,
        acr_values: None,
    }
}

pub(super) fn passwordless(method: Method) -> Event {
    Event::StartPasswordless {
        username: "carol@example.com".into(),
        method,
        return_to: "/account".into(),
        remember: false,
        acr_values: None,
    }
}

/// Applies events in order, each at `now`, returning the last transition.
pub(super) fn run(flow: Option<Flow>, events: Vec<Event>, now: i64) -> Transition {
    let mut t = Transition {
        flow,
        effect: Effect::Show,
    };
    for e in events {
        t = next(t.flow, e, now);
    }
    t
}

pub(super) fn mfa_flow() -> Flow {
    run(
        None,
        vec![
            password("bob@example.com"),
            Event::Answer(Answer::MfaRequired {
                mfa_token: "mt".into(),
            }),
        ],
        NOW,
    )
    .flow
    .unwrap()
}
