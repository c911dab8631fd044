//! The one catalogue of AADSTS errors the emulator produces, and the two
//! ways Entra reports them: the token endpoint's JSON body and the
//! authorize endpoint's redirect (`error`, `error_description`).
//!
//! Microsoft's rule for clients is to react to the OAuth `error` value and
//! to treat the AADSTS number as refinement; so each entry pins both, the
//! HTTP status, and the page that documents it.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application>

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

const ERROR_CODES: &str =
    "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes";
const AUTH_CODE_FLOW: &str =
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow";

/// Every AADSTS error the emulator emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aadsts {
    /// 50011: redirect URI not registered / not the one used at authorize.
    InvalidReplyTo,
    /// 50034: the user name is not in the tenant.
    UserAccountNotFound,
    /// 50058: `prompt=none` and no single-sign-on session.
    UserInformationNotProvided,
    /// 50076: MFA now required.
    MfaRequired,
    /// 50089: the sign-in flow is unknown, finished or expired.
    FlowTokenExpired,
    /// 50126: wrong user name or password.
    InvalidUserNameOrPassword,
    /// 50173: grant revoked (password change, revokeSignInSessions).
    FreshTokenNeeded,
    /// 501481: PKCE verifier does not match the challenge.
    CodeVerifierMismatch,
    /// 53003: blocked by Conditional Access.
    BlockedByConditionalAccess,
    /// 54005: authorization code already redeemed.
    CodeAlreadyRedeemed,
    /// 65001: consent missing.
    DelegationDoesNotExist,
    /// 65004: user declined consent (Cancel on the consent page).
    UserDeclinedConsent,
    /// 70000: the grant is invalid (here: a rotated-out refresh token, or a
    /// grant issued to another client).
    InvalidGrant,
    /// 70003: unsupported grant type.
    UnsupportedGrantType,
    /// 700005: code redeemed against another tenant.
    RedeemAgainstWrongTenant,
    /// 70008: expired or revoked grant (e.g. an expired authorization code).
    ExpiredOrRevokedGrant,
    /// 700016: application not found in the directory.
    AppNotFound,
    /// 700025: a public client sent a client secret.
    PublicClientWithCredential,
    /// 70011: invalid scope.
    InvalidScope,
    /// 70043: refresh token too old for the sign-in frequency policy.
    SignInFrequency,
    /// 700082: refresh token expired by inactivity.
    InactiveToken,
    /// 7000215: wrong client secret.
    InvalidClientSecret,
    /// 7000218: client secret missing.
    ClientSecretMissing,
    /// 7000222: client secret expired.
    ClientSecretExpired,
    /// 90002: tenant not found.
    InvalidTenantName,
    /// 900144: a required parameter is missing.
    MissingParameter,
    /// 90023: a parameter has an invalid value.
    InvalidRequest,
    /// 70005: unsupported `response_type`.
    UnsupportedResponseType,
    /// 9002313: malformed request, e.g. an unknown code or refresh token.
    MalformedRequest,
}

/// One catalogue row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub code: u32,
    /// The OAuth `error` value.
    pub error: &'static str,
    /// HTTP status at the token endpoint.
    pub status: u16,
    /// Where Microsoft documents the code (and, where the field value
    /// differs from the reference page, where that value comes from).
    pub source: &'static str,
}

impl Aadsts {
    pub const ALL: &'static [Aadsts] = &[
        Aadsts::InvalidReplyTo,
        Aadsts::UserAccountNotFound,
        Aadsts::UserInformationNotProvided,
        Aadsts::MfaRequired,
        Aadsts::FlowTokenExpired,
        Aadsts::InvalidUserNameOrPassword,
        Aadsts::FreshTokenNeeded,
        Aadsts::CodeVerifierMismatch,
        Aadsts::BlockedByConditionalAccess,
        Aadsts::CodeAlreadyRedeemed,
        Aadsts::DelegationDoesNotExist,
        Aadsts::UserDeclinedConsent,
        Aadsts::InvalidGrant,
        Aadsts::UnsupportedGrantType,
        Aadsts::RedeemAgainstWrongTenant,
        Aadsts::ExpiredOrRevokedGrant,
        Aadsts::AppNotFound,
        Aadsts::PublicClientWithCredential,
        Aadsts::InvalidScope,
        Aadsts::SignInFrequency,
        Aadsts::InactiveToken,
        Aadsts::InvalidClientSecret,
        Aadsts::ClientSecretMissing,
        Aadsts::ClientSecretExpired,
        Aadsts::InvalidTenantName,
        Aadsts::MissingParameter,
        Aadsts::InvalidRequest,
        Aadsts::UnsupportedResponseType,
        Aadsts::MalformedRequest,
    ];

    /// The catalogue. `invalid_client` is 401 as Entra answers it (RFC 6749
    /// §5.2 allows 401 for failed client authentication); all else is 400.
    pub const fn entry(self) -> Entry {
        use Aadsts::*;
        let (code, error, status, source) = match self {
            // At authorize 50011 is an error page (no `error` field); at the
            // token endpoint it means "not the redirect URI of the code",
            // which RFC 6749 §5.2 classes as `invalid_grant`.
            InvalidReplyTo => (50011, "invalid_grant", 400, "https://learn.microsoft.com/en-us/entra/identity-platform/reply-url"),
            UserAccountNotFound => (50034, "invalid_request", 400, ERROR_CODES),
            // OpenID Connect Core §3.1.2.6 `login_required`; the docs say
            // prompt=none fails with an interaction-required class error.
            UserInformationNotProvided => (50058, "login_required", 400, AUTH_CODE_FLOW),
            MfaRequired => (50076, "invalid_grant", 400, ERROR_CODES),
            FlowTokenExpired => (50089, "invalid_request", 400, ERROR_CODES),
            InvalidUserNameOrPassword => (50126, "invalid_grant", 400, ERROR_CODES),
            FreshTokenNeeded => (50173, "invalid_grant", 400, "https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-revocation"),
            CodeVerifierMismatch => (501481, "invalid_grant", 400, ERROR_CODES),
            BlockedByConditionalAccess => (53003, "invalid_grant", 400, ERROR_CODES),
            CodeAlreadyRedeemed => (54005, "invalid_grant", 400, ERROR_CODES),
            DelegationDoesNotExist => (65001, "invalid_grant", 400, ERROR_CODES),
            UserDeclinedConsent => (65004, "access_denied", 400, AUTH_CODE_FLOW),
            InvalidGrant => (70000, "invalid_grant", 400, ERROR_CODES),
            UnsupportedGrantType => (70003, "unsupported_grant_type", 400, ERROR_CODES),
            RedeemAgainstWrongTenant => (700005, "invalid_grant", 400, ERROR_CODES),
            ExpiredOrRevokedGrant => (70008, "invalid_grant", 400, ERROR_CODES),
            AppNotFound => (700016, "unauthorized_client", 400, ERROR_CODES),
            PublicClientWithCredential => (700025, "invalid_client", 401, ERROR_CODES),
            InvalidScope => (70011, "invalid_scope", 400, ERROR_CODES),
            SignInFrequency => (70043, "invalid_grant", 400, "https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-session-lifetime"),
            InactiveToken => (700082, "invalid_grant", 400, "https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-lifetime"),
            InvalidClientSecret => (7000215, "invalid_client", 401, ERROR_CODES),
            ClientSecretMissing => (7000218, "invalid_client", 401, ERROR_CODES),
            ClientSecretExpired => (7000222, "invalid_client", 401, ERROR_CODES),
            InvalidTenantName => (90002, "invalid_request", 400, ERROR_CODES),
            MissingParameter => (900144, "invalid_request", 400, ERROR_CODES),
            InvalidRequest => (90023, "invalid_request", 400, ERROR_CODES),
            UnsupportedResponseType => (70005, "unsupported_response_type", 400, AUTH_CODE_FLOW),
            MalformedRequest => (9002313, "invalid_grant", 400, ERROR_CODES),
        };
        Entry {
            code,
            error,
            status,
            source,
        }
    }

    pub fn code(self) -> u32 {
        self.entry().code
    }
}

/// One concrete failure: a catalogue entry plus the message Entra would
/// write for this case (without the `AADSTSnnnnn: ` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraError {
    pub kind: Aadsts,
    pub message: String,
    /// `suberror`, which Entra adds to some `invalid_grant` answers
    /// (`basic_action`, `consent_required`, `message_only`...).
    pub suberror: Option<&'static str>,
}

impl EntraError {
    pub fn new(kind: Aadsts, message: impl Into<String>) -> EntraError {
        EntraError {
            kind,
            message: message.into(),
            suberror: None,
        }
    }

    pub fn suberror(mut self, s: &'static str) -> EntraError {
        self.suberror = Some(s);
        self
    }

    /// `AADSTSnnnnn: message`.
    pub fn headline(&self) -> String {
        format!("AADSTS{}: {}", self.kind.code(), self.message)
    }

    /// The token endpoint's JSON body.
    pub fn body(&self, ctx: &ErrorContext) -> serde_json::Value {
        let entry = self.kind.entry();
        let timestamp = ctx.now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let description = format!(
            "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.headline(),
            ctx.trace_id,
            ctx.correlation_id,
            timestamp
        );
        let mut body = serde_json::json!({
            "error": entry.error,
            "error_description": description,
            "error_codes": [entry.code],
            "timestamp": timestamp,
            "trace_id": ctx.trace_id,
            "correlation_id": ctx.correlation_id,
            "error_uri": format!("{}/error?code={}", ctx.base_url, entry.code),
        });
        if let Some(sub) = self.suberror {
            body["suberror"] = sub.into();
        }
        body
    }

    pub fn into_response(self, ctx: &ErrorContext) -> Response {
        let status =
            StatusCode::from_u16(self.kind.entry().status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = self.body(ctx);
        (
            status,
            [
                ("cache-control", "no-store, no-cache"),
                ("pragma", "no-cache"),
            ],
            axum::Json(body),
        )
            .into_response()
    }
}

/// What an error body needs besides the error itself.
#[derive(Debug, Clone)]
pub struct ErrorContext {
    pub now: DateTime<Utc>,
    pub base_url: String,
    pub trace_id: String,
    /// The client's `client-request-id` header if it sent one, as Entra
    /// echoes it; else a fresh id.
    pub correlation_id: String,
}

impl ErrorContext {
    pub fn new(now: DateTime<Utc>, base_url: String, headers: &axum::http::HeaderMap) -> Self {
        let correlation_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| uuid::Uuid::parse_str(v).is_ok())
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        ErrorContext {
            now,
            base_url,
            trace_id: uuid::Uuid::new_v4().to_string(),
            correlation_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in Aadsts::ALL {
            let e = kind.entry();
            assert!(seen.insert(e.code), "duplicate AADSTS{}", e.code);
            assert!(e.source.starts_with("https://learn.microsoft.com/"));
            assert_eq!(e.status == 401, e.error == "invalid_client", "{kind:?}");
        }
    }

    #[test]
    fn body_has_entra_fields() {
        let ctx = ErrorContext {
            now: chrono::DateTime::parse_from_rfc3339("2026-01-09T02:02:12Z")
                .unwrap()
                .to_utc(),
            base_url: "http://127.0.0.1:1".into(),
            trace_id: "t".into(),
            correlation_id: "c".into(),
        };
        let body = EntraError::new(Aadsts::CodeAlreadyRedeemed, "Code redeemed.").body(&ctx);
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(body["error_codes"], serde_json::json!([54005]));
        assert_eq!(body["timestamp"], "2026-01-09 02:02:12Z");
        assert_eq!(body["error_uri"], "http://127.0.0.1:1/error?code=54005");
        assert_eq!(
            body["error_description"],
            "AADSTS54005: Code redeemed.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-01-09 02:02:12Z"
        );
    }
}
