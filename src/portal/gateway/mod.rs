//! The gateway: `/auth` for nginx `auth_request`, Caddy `forward_auth` and Traefik
//! `forwardAuth`, so apps we did not build can use our sign-in.
//!
//! - [`original`]: the URL the visitor asked the proxy for, from trusted proxies only;
//! - [`rules`]: a location's rules (groups, emails, domains, two factors, sign-in age);
//! - [`assertion`]: the signed identity assertion and its published key.

pub mod assertion;
pub mod original;
pub mod rules;
