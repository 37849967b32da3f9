//! The emulated authorization servers' HTTP surface: the org AS (`/oauth2/v1/…`, issuer =
//! the base URL) and the custom AS `default` (`/oauth2/default/v1/…`), their discovery
//! documents and JWKS. Every OAuth POST goes through one pipeline: injected fault, org
//! rate-limit bucket, form parsing, client authentication, the endpoint, headers.

use std::sync::Arc;

use rocket::{get, post, routes, Route, State};
use serde_json::{json, Value};

use super::clientauth;
use super::faults;
use super::grants::{self, TokenRequest};
use super::limits::{Bucket, OrgDecision};
use super::params::{Params, RequestMeta};
use super::reply::Reply;
use super::tokens;
use super::{challenges, AuthServer, Emulator};

pub fn routes() -> Vec<Route> {
    routes![
        org_post,
        custom_post,
        org_get,
        custom_get,
        org_discovery,
        custom_discovery
    ]
}

type Emu = State<Arc<Emulator>>;

#[post("/oauth2/v1/<endpoint>", data = "<params>")]
async fn org_post(
    endpoint: &str,
    params: Result<Params, Reply>,
    meta: RequestMeta<'_>,
    emu: &Emu,
) -> Reply {
    oauth_post(emu, AuthServer::Org, endpoint, params, meta).await
}

#[post("/oauth2/<as_id>/v1/<endpoint>", data = "<params>")]
async fn custom_post(
    as_id: &str,
    endpoint: &str,
    params: Result<Params, Reply>,
    meta: RequestMeta<'_>,
    emu: &Emu,
) -> Reply {
    match emu.auth_server(as_id) {
        Some(a) => oauth_post(emu, a, endpoint, params, meta).await,
        None => Reply::not_found(&format!("{as_id} (AuthorizationServer)")),
    }
}

#[get("/oauth2/v1/<endpoint>")]
async fn org_get(endpoint: &str, meta: RequestMeta<'_>, emu: &Emu) -> Reply {
    oauth_get(emu, AuthServer::Org, endpoint, meta).await
}

#[get("/oauth2/<as_id>/v1/<endpoint>")]
async fn custom_get(as_id: &str, endpoint: &str, meta: RequestMeta<'_>, emu: &Emu) -> Reply {
    match emu.auth_server(as_id) {
        Some(a) => oauth_get(emu, a, endpoint, meta).await,
        None => Reply::not_found(&format!("{as_id} (AuthorizationServer)")),
    }
}

#[get("/.well-known/<doc>")]
async fn org_discovery(doc: &str, emu: &Emu) -> Reply {
    discovery(emu, AuthServer::Org, doc).await
}

#[get("/oauth2/<as_id>/.well-known/<doc>")]
async fn custom_discovery(as_id: &str, doc: &str, emu: &Emu) -> Reply {
    match emu.auth_server(as_id) {
        Some(a) => discovery(emu, a, doc).await,
        None => Reply::not_found(&format!("{as_id} (AuthorizationServer)")),
    }
}

fn with_rate_headers(mut reply: Reply, d: OrgDecision) -> Reply {
    for (name, value) in [
        ("X-Rate-Limit-Limit", d.limit.to_string()),
        ("X-Rate-Limit-Remaining", d.remaining.to_string()),
        ("X-Rate-Limit-Reset", d.reset.to_string()),
    ] {
        // A more specific limit (per user, per phone) already set its own figure.
        if !reply.headers.iter().any(|(n, _)| *n == name) {
            reply.headers.push((name, value));
        }
    }
    reply
}

fn org_bucket(emu: &Emulator, bucket: Bucket) -> OrgDecision {
    let now = emu.clock.now();
    let mut st = emu.state.lock();
    st.tick(now, emu.clock.now_ms());
    st.limits.org_request(bucket, emu.org_rate_limit, now)
}

async fn oauth_post(
    emu: &Emulator,
    auth_server: AuthServer,
    endpoint: &str,
    params: Result<Params, Reply>,
    meta: RequestMeta<'_>,
) -> Reply {
    let fault_group = match endpoint {
        "token" | "challenge" | "primary-authenticate" | "revoke" | "introspect" | "userinfo" => {
            endpoint
        }
        "oob-authenticate" => "primary-authenticate",
        _ => return Reply::not_found(endpoint),
    };
    if endpoint == "token" {
        // Counted before any injected fault: what the client sent is what "Okta" saw.
        let now_ms = emu.clock.now_ms();
        emu.state.lock().limits.token_arrival(now_ms);
    }
    if let Some(reply) = faults::apply(emu, fault_group).await {
        return reply;
    }
    let bucket = if endpoint == "token" {
        Bucket::Token
    } else {
        Bucket::OtherOAuth
    };
    let decision = org_bucket(emu, bucket);
    let reply = if !decision.allowed {
        faults::bucket_exhausted()
    } else {
        let outcome = if endpoint == "userinfo" {
            tokens::userinfo(emu, &auth_server, meta.bearer()).map(Reply::json)
        } else {
            handle_post(emu, &auth_server, endpoint, params, &meta).await
        };
        outcome.unwrap_or_else(|e| e)
    };
    with_rate_headers(reply, decision)
        .header("Cache-Control", "no-store")
        .header("Pragma", "no-cache")
}

async fn handle_post(
    emu: &Emulator,
    auth_server: &AuthServer,
    endpoint: &str,
    params: Result<Params, Reply>,
    meta: &RequestMeta<'_>,
) -> Result<Reply, Reply> {
    let params = params?;
    let url = emu.endpoint(auth_server, endpoint);
    let client = clientauth::authenticate(emu, &params, meta, &url)?;
    let value = match endpoint {
        "token" => {
            grants::token(TokenRequest {
                emu,
                auth_server,
                client: &client,
                params: &params,
            })
            .await?
        }
        "challenge" => challenges::challenge(emu, auth_server, &client, &params)?,
        "primary-authenticate" => {
            challenges::primary_authenticate(emu, auth_server, &client, &params, false)?
        }
        "oob-authenticate" => {
            challenges::primary_authenticate(emu, auth_server, &client, &params, true)?
        }
        "revoke" => {
            tokens::revoke(emu, &client.id, params.require("token")?);
            return Ok(Reply::empty());
        }
        "introspect" => tokens::introspect(emu, auth_server, &client.id, params.require("token")?),
        _ => return Err(Reply::not_found(endpoint)),
    };
    Ok(Reply::json(value))
}

async fn oauth_get(
    emu: &Emulator,
    auth_server: AuthServer,
    endpoint: &str,
    meta: RequestMeta<'_>,
) -> Reply {
    match endpoint {
        "keys" => {
            if let Some(reply) = faults::apply(emu, "keys").await {
                return reply;
            }
            Reply::json(emu.keys.read().jwks())
                .header("Cache-Control", "max-age=300, must-revalidate")
        }
        "userinfo" => {
            if let Some(reply) = faults::apply(emu, "userinfo").await {
                return reply;
            }
            let decision = org_bucket(emu, Bucket::OtherOAuth);
            let reply = if decision.allowed {
                tokens::userinfo(emu, &auth_server, meta.bearer())
                    .map(Reply::json)
                    .unwrap_or_else(|e| e)
            } else {
                faults::bucket_exhausted()
            };
            with_rate_headers(reply, decision).header("Cache-Control", "no-store")
        }
        _ => Reply::not_found(endpoint),
    }
}

async fn discovery(emu: &Emulator, auth_server: AuthServer, doc: &str) -> Reply {
    if doc != "openid-configuration" && doc != "oauth-authorization-server" {
        return Reply::not_found(doc);
    }
    if let Some(reply) = faults::apply(emu, "discovery").await {
        return reply;
    }
    Reply::json(discovery_document(emu, &auth_server))
        .header("Cache-Control", "max-age=86400, must-revalidate")
}

pub fn discovery_document(emu: &Emulator, a: &AuthServer) -> Value {
    let e = |name: &str| emu.endpoint(a, name);
    json!({
        "issuer": emu.issuer(a),
        "authorization_endpoint": e("authorize"),
        "token_endpoint": e("token"),
        "userinfo_endpoint": e("userinfo"),
        "registration_endpoint": format!("{}/oauth2/v1/clients", emu.base_url()),
        "jwks_uri": e("keys"),
        "response_types_supported": ["code", "id_token", "code id_token", "code token", "id_token token", "code id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "password", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "address", "phone", "offline_access", "groups"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"],
        "claims_supported": ["iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp", "nonce", "name", "preferred_username", "email", "email_verified", "at_hash"],
        "code_challenge_methods_supported": ["S256"],
        "introspection_endpoint": e("introspect"),
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"],
        "revocation_endpoint": e("revoke"),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"],
        "end_session_endpoint": e("logout"),
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"],
        "device_authorization_endpoint": e("device/authorize"),
        "dpop_signing_alg_values_supported": ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"],
    })
}
