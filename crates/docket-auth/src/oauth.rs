//! The two token requests (code redemption, refresh) through `oauth2`,
//! with Entra's extra response fields and our HTTP adapter.

use docket_secrets::{SecretString, StoreError};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::http::{self, HttpError};
use crate::problem::{classify, Grant, Problem, TokenFailure};
use crate::{Auth, ClientType};

/// A token response (RFC 6749 §5.1 + Entra's `id_token`). Our own type
/// rather than `oauth2`'s `StandardTokenResponse`, whose `expires_in: u64`
/// rejects the whole response for `1e20`, `-1` or `"3600"`: here
/// `expires_in` is read as any JSON value and clamped by
/// [`access_token_lifetime`].
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct TokenResponse {
    access_token: oauth2::AccessToken,
    #[serde(deserialize_with = "oauth2::helpers::deserialize_untagged_enum_case_insensitive")]
    token_type: BasicTokenType,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    #[serde(default)]
    id_token: Option<String>,
}

impl oauth2::TokenResponse for TokenResponse {
    type TokenType = BasicTokenType;
    fn access_token(&self) -> &oauth2::AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<std::time::Duration> {
        Some(access_token_lifetime(self.expires_in.as_ref()))
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

/// The longest access-token lifetime believed: 1 day, the maximum of
/// Entra's configurable token lifetimes (default 60–90 minutes). A longer
/// claim is a fault; believing it would only delay the refresh, and the
/// "401 → one refresh" path covers a token that dies earlier.
pub(crate) const MAX_ACCESS_TOKEN_LIFETIME_SECS: u64 = 86_400;
/// When `expires_in` is missing or not a number (RFC 6749 makes it
/// optional): one hour, Entra's usual lifetime.
pub(crate) const DEFAULT_ACCESS_TOKEN_LIFETIME_SECS: u64 = 3_600;

/// `expires_in` as a lifetime within [0, 1 day], whatever was sent:
/// numbers (also `1e20`, fractions, negatives) are clamped; numeric
/// strings are read like numbers; anything else is the default. The
/// result converts to `chrono` and adds to any realistic `now` without
/// overflow.
pub(crate) fn access_token_lifetime(raw: Option<&serde_json::Value>) -> std::time::Duration {
    let seconds = match raw {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let seconds = match seconds {
        Some(s) if s.is_finite() => s.clamp(0.0, MAX_ACCESS_TOKEN_LIFETIME_SECS as f64) as u64,
        _ => DEFAULT_ACCESS_TOKEN_LIFETIME_SECS,
    };
    std::time::Duration::from_secs(seconds)
}

/// `now + lifetime`, never panicking (a lifetime is at most 1 day; an
/// impossible `now` yields `now`).
pub(crate) fn expires_at(
    now: chrono::DateTime<chrono::Utc>,
    lifetime: std::time::Duration,
) -> chrono::DateTime<chrono::Utc> {
    chrono::Duration::from_std(lifetime)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(now)
}

pub(crate) type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A successful token response.
pub(crate) struct TokenSet {
    pub access_token: SecretString,
    /// Already clamped ([`access_token_lifetime`]).
    pub lifetime: std::time::Duration,
    pub refresh_token: Option<SecretString>,
    pub id_token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ExchangeError {
    #[error("{0}")]
    Problem(Problem),
    #[error(
        "the app is set up as a confidential (Web) client but no client secret is stored for it; \
         store the secret from the Azure portal (App registrations → Certificates & secrets)"
    )]
    ClientSecretNotStored,
    #[error("reading the client secret failed: {0}")]
    Store(#[source] StoreError),
    #[error("invalid endpoint configuration: {0}")]
    Config(String),
}

pub(crate) fn client(auth: &Auth) -> Result<OAuthClient, ExchangeError> {
    let cfg = &auth.config;
    let auth_url =
        AuthUrl::new(cfg.authorize_url()).map_err(|e| ExchangeError::Config(e.to_string()))?;
    let token_url =
        TokenUrl::new(cfg.token_url()).map_err(|e| ExchangeError::Config(e.to_string()))?;
    let client = oauth2::Client::new(ClientId::new(cfg.client_id.clone()))
        .set_auth_uri(auth_url)
        .set_token_uri(token_url)
        // Entra documents client_secret in the request body.
        .set_auth_type(AuthType::RequestBody);
    Ok(client)
}

fn with_secret(auth: &Auth, client: OAuthClient) -> Result<OAuthClient, ExchangeError> {
    match auth.config.client_type {
        ClientType::Public => Ok(client),
        ClientType::Confidential => {
            let secret = auth
                .store
                .get(&auth.config.client_secret_key())
                .map_err(ExchangeError::Store)?
                .ok_or(ExchangeError::ClientSecretNotStored)?;
            Ok(client.set_client_secret(ClientSecret::new(secret.expose_secret().to_string())))
        }
    }
}

fn failed(grant: Grant, e: RequestTokenError<HttpError, BasicErrorResponse>) -> ExchangeError {
    let failure = match &e {
        RequestTokenError::Request(HttpError::Status { status, body }) => TokenFailure::Response {
            status: *status,
            body,
        },
        RequestTokenError::Request(HttpError::Transport(t)) => {
            TokenFailure::Transport(HttpError::transport_kind(t))
        }
        RequestTokenError::Request(e @ HttpError::TooLarge { .. }) => {
            // Not Entra's answer (a proxy, a fault): transient, and the
            // log says why.
            tracing::warn!(error = %e, "the token endpoint's answer was refused");
            TokenFailure::MalformedSuccess
        }
        RequestTokenError::Request(HttpError::Build(msg)) => {
            return ExchangeError::Config(msg.clone())
        }
        // Only 200 reaches oauth2's parser: a 200 that is not a token.
        RequestTokenError::ServerResponse(_)
        | RequestTokenError::Parse(..)
        | RequestTokenError::Other(_) => TokenFailure::MalformedSuccess,
    };
    ExchangeError::Problem(classify(grant, failure))
}

fn token_set(r: TokenResponse) -> TokenSet {
    TokenSet {
        access_token: SecretString::new(r.access_token().secret().clone()),
        lifetime: access_token_lifetime(r.expires_in.as_ref()),
        refresh_token: r
            .refresh_token()
            .map(|t| SecretString::new(t.secret().clone())),
        id_token: r.id_token,
    }
}

fn scopes(auth: &Auth) -> Vec<Scope> {
    auth.config.scopes.iter().cloned().map(Scope::new).collect()
}

pub(crate) async fn redeem_code(
    auth: &Auth,
    code: &str,
    verifier: PkceCodeVerifier,
    redirect_uri: &str,
) -> Result<TokenSet, ExchangeError> {
    let redirect = RedirectUrl::new(redirect_uri.to_string())
        .map_err(|e| ExchangeError::Config(e.to_string()))?;
    let client = with_secret(auth, client(auth)?)?.set_redirect_uri(redirect);
    let http = http::OAuthHttp(&auth.http);
    client
        .exchange_code(oauth2::AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map(token_set)
        .map_err(|e| failed(Grant::AuthorizationCode, e))
}

pub(crate) async fn redeem_refresh_token(
    auth: &Auth,
    refresh_token: &SecretString,
) -> Result<TokenSet, ExchangeError> {
    let client = with_secret(auth, client(auth)?)?;
    let rt = RefreshToken::new(refresh_token.expose_secret().to_string());
    let http = http::OAuthHttp(&auth.http);
    client
        .exchange_refresh_token(&rt)
        .add_scopes(scopes(auth))
        .request_async(&http)
        .await
        .map(token_set)
        .map_err(|e| failed(Grant::RefreshToken, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(expires_in: &str, expect_secs: u64) {
        let raw: Option<serde_json::Value> = if expires_in.is_empty() {
            None
        } else {
            Some(serde_json::from_str(expires_in).expect("json"))
        };
        let lifetime = access_token_lifetime(raw.as_ref());
        assert_eq!(lifetime.as_secs(), expect_secs, "{expires_in}");
        // Every result converts and adds without panicking.
        let now = chrono::Utc::now();
        assert!(expires_at(now, lifetime) >= now);
    }

    #[test]
    fn absurd_expires_in_values_are_clamped_not_fatal() {
        check("3599", 3599);
        check("0", 0);
        check("86400", 86_400);
        check("86401", 86_400);
        check("1e20", 86_400);
        check(&u64::MAX.to_string(), 86_400);
        check(&i64::MAX.to_string(), 86_400);
        check("-1", 0);
        check(&i64::MIN.to_string(), 0);
        check("3599.9", 3599);
        check("\"3600\"", 3600);
        check("\"soon\"", 3600);
        check("null", 3600);
        check("[]", 3600);
        check("", 3600);
    }

    #[test]
    fn a_token_response_with_absurd_numbers_parses() {
        for expires_in in [
            "1e20",
            "18446744073709551615",
            "-5",
            "\"x\"",
            "99999999999999999999999",
        ] {
            let body = format!(
                r#"{{"access_token":"at","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"rt"}}"#
            );
            let r: TokenResponse = serde_json::from_str(&body).expect(&body);
            let set = token_set(r);
            assert!(
                set.lifetime.as_secs() <= MAX_ACCESS_TOKEN_LIFETIME_SECS,
                "{body}"
            );
            assert!(set.refresh_token.is_some());
        }
    }
}
