//! What a resource server and a client may ask about a token: `/introspect` and
//! `/userinfo`.

use super::*;

/// `/introspect`: active only for the caller's own tokens, on the authorization server
/// that issued them (protocol reference §8.3).
pub fn introspect(emu: &Emulator, auth_server: &AuthServer, client_id: &str, token: &str) -> Value {
    let now = emu.clock.now();
    let inactive = json!({"active": false});
    {
        let st = emu.state.lock();
        if st.tokens.refresh.contains_key(token) {
            return match st.tokens.refresh_active(token, now) {
                Some(g) if g.client_id == client_id && &g.auth_server == auth_server => {
                    // §8.3: exp and the subject too, as for access tokens. A rotated
                    // token lives on only for the reuse grace.
                    let entry = &st.tokens.refresh[token];
                    let mut exp = entry.last_used + REFRESH_IDLE_TTL;
                    if let Some(at) = entry.rotated_at {
                        exp = exp.min(at + REFRESH_REUSE_GRACE);
                    }
                    let uid = emu.directory.user(&g.login).map(|u| u.id.clone());
                    json!({
                        "active": true,
                        "token_type": "refresh_token",
                        "scope": g.scopes.join(" "),
                        "client_id": g.client_id,
                        "username": g.login,
                        "exp": exp,
                        "sub": g.login,
                        "uid": uid,
                        "aud": emu.audience(&g.auth_server),
                        "iss": emu.issuer(&g.auth_server),
                    })
                }
                _ => inactive,
            };
        }
    }
    let Some(claims) = verify_jwt(emu, token) else {
        return inactive;
    };
    let exp = claims["exp"].as_i64().unwrap_or(0);
    let jti = claims["jti"].as_str().unwrap_or_default();
    if exp <= now {
        return inactive;
    }
    if claims["iss"].as_str() != Some(emu.issuer(auth_server).as_str()) {
        return inactive;
    }
    if jti.starts_with("ID.") {
        return if claims["aud"].as_str() == Some(client_id) {
            json!({
                "active": true, "token_type": "id_token", "client_id": client_id,
                "sub": claims["sub"], "exp": exp, "iat": claims["iat"], "iss": claims["iss"],
                "aud": claims["aud"], "jti": jti,
            })
        } else {
            inactive
        };
    }
    let st = emu.state.lock();
    match st.tokens.access_active(jti, now) {
        Some(g) if g.client_id == client_id && &g.auth_server == auth_server => json!({
            "active": true,
            "token_type": "Bearer",
            "scope": token_scopes(&claims).join(" "),
            "client_id": g.client_id,
            "username": g.login,
            "exp": exp,
            "iat": claims["iat"],
            "sub": claims["sub"],
            "aud": claims["aud"],
            "iss": claims["iss"],
            "jti": jti,
            "uid": claims["uid"],
        }),
        _ => inactive,
    }
}

/// `/userinfo` for a bearer access token.
pub fn userinfo(
    emu: &Emulator,
    auth_server: &AuthServer,
    bearer: Option<&str>,
) -> Result<Value, Reply> {
    let invalid = |why: &str| {
        Reply::oauth(401, "invalid_token", why.to_string()).header(
            "WWW-Authenticate",
            format!(r#"Bearer error="invalid_token", error_description="{why}""#),
        )
    };
    let token = bearer.ok_or_else(|| invalid("The access token is missing."))?;
    let claims = verify_jwt(emu, token).ok_or_else(|| invalid("The access token is invalid."))?;
    let jti = claims["jti"].as_str().unwrap_or_default();
    let grant = {
        let st = emu.state.lock();
        st.tokens.access_active(jti, emu.clock.now()).cloned()
    };
    let mut grant = grant.ok_or_else(|| invalid("The access token is invalid or expired."))?;
    // This token's own scopes: a refresh may have narrowed them below the chain's.
    grant.scopes = token_scopes(&claims);
    if &grant.auth_server != auth_server {
        return Err(invalid(
            "The access token was issued by another authorization server.",
        ));
    }
    if !["profile", "email", "address", "phone", "groups"]
        .iter()
        .any(|s| grant.has_scope(s))
    {
        return Err(Reply::oauth(
            403,
            "insufficient_scope",
            "The access token lacks the scopes userinfo needs.",
        )
        .header("WWW-Authenticate", r#"Bearer error="insufficient_scope""#));
    }
    let user = emu
        .directory
        .user(&grant.login)
        .ok_or_else(|| invalid("The user no longer exists."))?;
    let mut body = json!({"sub": user.id});
    if grant.has_scope("profile") {
        body["name"] = json!(user.name);
        body["preferred_username"] = json!(user.login);
        body["locale"] = json!("en_US");
        body["zoneinfo"] = json!("America/Los_Angeles");
        body["updated_at"] = json!(emu.started_at);
    }
    if grant.has_scope("email") {
        body["email"] = json!(user.email);
        body["email_verified"] = json!(true);
    }
    if grant.has_scope("groups") {
        body["groups"] = json!(user.groups);
    }
    Ok(body)
}

/// The grant behind a live access token this emulator issued (any of its authorization
/// servers), with the token's own scopes; `None` for anything else (a refresh or ID
/// token, an expired, revoked or forged one).
pub fn access_grant(emu: &Emulator, token: &str) -> Option<Grant> {
    let claims = verify_jwt(emu, token)?;
    let jti = claims["jti"].as_str()?;
    if !jti.starts_with("AT.") {
        return None;
    }
    let mut grant = {
        let st = emu.state.lock();
        st.tokens.access_active(jti, emu.clock.now()).cloned()
    }?;
    grant.scopes = token_scopes(&claims);
    Some(grant)
}
