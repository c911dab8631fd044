//! The access-token check in front of every Graph resource route.
//!
//! - no/invalid/expired bearer token, or a token for another audience →
//!   401 `InvalidAuthenticationToken` with a `WWW-Authenticate: Bearer`
//!   challenge (<https://learn.microsoft.com/en-us/graph/errors>,
//!   <https://learn.microsoft.com/en-us/graph/resolve-auth-errors>);
//! - a valid token without a delegated scope that allows the route →
//!   403 `ErrorAccessDenied` (the Outlook code), "Access is denied. Check
//!   credentials and try again.";
//! - otherwise the verified claims go into the request extensions.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::GraphError;
use crate::keys::AccessClaims;
use crate::Shared;

const GRAPH_AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
];

fn unauthenticated(message: &str) -> GraphError {
    GraphError::new(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    )
    .header(
        "WWW-Authenticate",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
    )
}

pub fn access_denied() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

/// Decide on a request's token. Pure: `verified` is the outcome of the
/// signature check, `now` the emulator clock in Unix seconds.
pub fn decide(
    verified: Option<AccessClaims>,
    header_present: bool,
    method: &Method,
    path: &str,
    now: i64,
) -> Result<AccessClaims, GraphError> {
    if !header_present {
        return Err(unauthenticated("Access token is empty."));
    }
    let claims = verified.ok_or_else(|| {
        unauthenticated("IDX14100: JWT is not well formed, there are no dots (.).")
    })?;
    if !GRAPH_AUDIENCES.contains(&claims.aud.as_str()) {
        return Err(unauthenticated("Invalid audience."));
    }
    if claims.exp <= now {
        return Err(unauthenticated(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    if claims.nbf > now + 300 {
        return Err(unauthenticated(
            "Lifetime validation failed, the token is not yet valid.",
        ));
    }
    let scopes: Vec<&str> = claims.scp.split_whitespace().collect();
    let allowed = required_scopes(method, path);
    if !allowed
        .iter()
        .any(|a| scopes.iter().any(|s| s.eq_ignore_ascii_case(a)))
    {
        return Err(access_denied());
    }
    Ok(claims)
}

/// The delegated permissions any one of which allows `method path`, from
/// each API's "Permissions" table on Microsoft Learn (e.g.
/// <https://learn.microsoft.com/en-us/graph/api/user-post-events>).
pub fn required_scopes(method: &Method, path: &str) -> &'static [&'static str] {
    let read = method == Method::GET;
    let p = path.to_ascii_lowercase();
    let p = p.strip_prefix("/v1.0").unwrap_or(&p);
    if p.starts_with("/me/todo") {
        if read {
            &["Tasks.Read", "Tasks.ReadWrite"]
        } else {
            &["Tasks.ReadWrite"]
        }
    } else if p.starts_with("/me/contact") {
        if read {
            &["Contacts.Read", "Contacts.ReadWrite"]
        } else {
            &["Contacts.ReadWrite"]
        }
    } else if p.starts_with("/me/calendar") || p.starts_with("/me/events") {
        if read {
            &["Calendars.Read", "Calendars.ReadWrite"]
        } else {
            &["Calendars.ReadWrite"]
        }
    } else {
        &[
            "User.Read",
            "User.ReadWrite",
            "User.ReadBasic.All",
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
        ]
    }
}

/// axum middleware: verify the bearer token, then run the handler with
/// `Extension<AccessClaims>`.
pub async fn layer(State(shared): State<Shared>, mut req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let token = header.as_deref().and_then(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .map(str::trim)
    });
    let verified = token.and_then(|t| shared.keys.verify::<AccessClaims>(t));
    let present = token.is_some_and(|t| !t.is_empty());
    let now = shared.now().timestamp();
    match decide(verified, present, req.method(), req.uri().path(), now) {
        Ok(claims) => {
            req.extensions_mut().insert(claims);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(aud: &str, exp: i64, scp: &str) -> AccessClaims {
        AccessClaims {
            aud: aud.into(),
            iss: "x".into(),
            iat: 0,
            nbf: 0,
            exp,
            tid: "t".into(),
            oid: "o".into(),
            upn: "u".into(),
            name: "n".into(),
            appid: "a".into(),
            scp: scp.into(),
            ver: "2.0".into(),
            uti: "i".into(),
        }
    }

    /// (claims, method, path) → Ok or (status, code).
    #[track_caller]
    fn check(c: Option<AccessClaims>, method: Method, path: &str, expect: Result<(), (u16, &str)>) {
        let got = decide(c, true, &method, path, 1000)
            .map(|_| ())
            .map_err(|e| (e.status.as_u16(), e.code));
        assert_eq!(
            got,
            expect.map_err(|(s, c)| (s, c.to_string())),
            "{method} {path}"
        );
    }

    #[test]
    fn decides_by_audience_expiry_and_scope() {
        let g = "https://graph.microsoft.com";
        check(
            Some(claims(g, 2000, "Calendars.ReadWrite")),
            Method::POST,
            "/v1.0/me/events",
            Ok(()),
        );
        check(
            Some(claims(
                "00000003-0000-0000-c000-000000000000",
                2000,
                "Calendars.Read",
            )),
            Method::GET,
            "/v1.0/me/calendarView",
            Ok(()),
        );
        check(
            Some(claims(g, 2000, "Calendars.Read")),
            Method::PATCH,
            "/v1.0/me/events/x",
            Err((403, "ErrorAccessDenied")),
        );
        check(
            Some(claims(g, 2000, "Calendars.ReadWrite")),
            Method::GET,
            "/v1.0/me/todo/lists",
            Err((403, "ErrorAccessDenied")),
        );
        check(
            Some(claims(g, 2000, "Tasks.ReadWrite")),
            Method::DELETE,
            "/v1.0/me/todo/lists/x",
            Ok(()),
        );
        check(
            Some(claims(g, 2000, "Contacts.Read")),
            Method::GET,
            "/v1.0/me/contactFolders",
            Ok(()),
        );
        check(
            Some(claims(g, 2000, "User.Read")),
            Method::GET,
            "/v1.0/me",
            Ok(()),
        );
        check(
            Some(claims(g, 1000, "User.Read")),
            Method::GET,
            "/v1.0/me",
            Err((401, "InvalidAuthenticationToken")),
        );
        check(
            Some(claims("api://other", 2000, "User.Read")),
            Method::GET,
            "/v1.0/me",
            Err((401, "InvalidAuthenticationToken")),
        );
        check(
            None,
            Method::GET,
            "/v1.0/me",
            Err((401, "InvalidAuthenticationToken")),
        );
    }
}
