//! The two token requests (code redemption, refresh) through `oauth2`,
//! with Entra's extra response fields and our HTTP adapter.

use docket_secrets::{SecretString, StoreError};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::http::{self, HttpError};
use crate::problem::{classify, Grant, Problem, TokenFailure};
use crate::{Auth, ClientType};

/// Entra's fields beyond RFC 6749 §5.1.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct EntraFields {
    #[serde(default)]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for EntraFields {}

type TokenResponse = StandardTokenResponse<EntraFields, BasicTokenType>;

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
    pub expires_in: Option<u64>,
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
        expires_in: r.expires_in().map(|d| d.as_secs()),
        refresh_token: r
            .refresh_token()
            .map(|t| SecretString::new(t.secret().clone())),
        id_token: r.extra_fields().id_token.clone(),
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
