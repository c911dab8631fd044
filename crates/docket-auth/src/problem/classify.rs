//! The classifier proper: the OAuth `error` value decides the family, the
//! AADSTS number refines it; `error_description` is never read (the one
//! exception: [`sign_in_frequency_lifetime`]).

use serde::Deserialize;

use super::{
    AdminKind, Class, Grant, Problem, ReAuthReason, TokenFailure, TransientKind, TransportKind,
};

/// Entra's error body (`error`, `error_description`, `error_codes`, ...).
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
}

/// Classify a failed token request.
pub fn classify(grant: Grant, failure: TokenFailure<'_>) -> Problem {
    match failure {
        TokenFailure::Transport(kind) => Problem::new(
            Class::Transient(match kind {
                TransportKind::Connect => TransientKind::Network,
                TransportKind::Timeout => TransientKind::Timeout,
                TransportKind::ConnectionReset => TransientKind::ConnectionReset,
                TransportKind::Other => TransientKind::Network,
            }),
            None,
        ),
        TokenFailure::MalformedSuccess => {
            Problem::new(Class::Transient(TransientKind::UnexpectedResponse), None)
        }
        TokenFailure::Response { status, body } => classify_response(grant, status, body),
    }
}

/// Classify an `error=` that came back to the redirect URI from the
/// authorize endpoint (`access_denied`, `consent_required`,
/// `interaction_required`, ...). The redirect carries no `error_codes`, and
/// the description is not read.
pub fn classify_redirect_error(error: &str) -> Problem {
    let body = ErrorBody {
        error: error.to_string(),
        error_description: None,
        error_codes: Vec::new(),
    };
    Problem::new(classify_error(Grant::AuthorizationCode, &body), None)
}

fn classify_response(grant: Grant, status: u16, body: &[u8]) -> Problem {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let aadsts = parsed.as_ref().and_then(|b| b.error_codes.first().copied());
    // Status first: these never mean "your credentials are bad", whatever
    // the body says.
    let by_status = match status {
        408 => Some(TransientKind::Timeout),
        429 => Some(TransientKind::Throttled),
        500..=599 => Some(TransientKind::ServiceUnavailable),
        _ => None,
    };
    if let Some(kind) = by_status {
        return Problem::new(Class::Transient(kind), aadsts);
    }
    let Some(body) = parsed else {
        return Problem::new(Class::Transient(TransientKind::UnexpectedResponse), None);
    };
    Problem::new(classify_error(grant, &body), aadsts)
}

/// The OAuth `error` value decides the family; the AADSTS number refines
/// it within the family's meaning.
fn classify_error(grant: Grant, body: &ErrorBody) -> Class {
    let code = body.error_codes.first().copied();
    match body.error.as_str() {
        "temporarily_unavailable" | "server_error" => {
            Class::Transient(TransientKind::ServiceUnavailable)
        }
        "invalid_grant" | "interaction_required" | "login_required" | "consent_required" => {
            let fallback = match body.error.as_str() {
                "invalid_grant" => ReAuthReason::Other,
                "consent_required" => ReAuthReason::ConsentNeeded,
                _ => ReAuthReason::InteractionRequired,
            };
            refine_reauth(grant, code, body.error_description.as_deref())
                .unwrap_or(Class::ReAuth(fallback))
        }
        "access_denied" => match code {
            Some(65004) => Class::ReAuth(ReAuthReason::ConsentDeclined),
            _ => Class::ReAuth(ReAuthReason::Cancelled),
        },
        "invalid_client" | "unauthorized_client" => {
            refine_admin(code).unwrap_or(Class::Admin(AdminKind::ClientRejected))
        }
        // invalid_request, invalid_scope, unsupported_grant_type, and
        // values Microsoft may add: a sign-in loop would not fix them.
        _ => refine_admin(code).unwrap_or(Class::Admin(AdminKind::RequestRejected)),
    }
}

fn refine_reauth(grant: Grant, code: Option<u32>, description: Option<&str>) -> Option<Class> {
    use ReAuthReason::*;
    let reason = match code? {
        50173 => PasswordChangedOrRevoked,
        700082 => Inactivity,
        70008 => GrantExpired,
        70043 => SignInFrequency {
            max_lifetime_seconds: description.and_then(sign_in_frequency_lifetime),
        },
        50076 | 50078 => MfaRequired,
        50079 | 50072 => MfaRegistration,
        53003 => ConditionalAccess,
        53000 | 53001 => DeviceNotCompliant,
        50055 => PasswordExpired,
        65004 => ConsentDeclined,
        65001 => match grant {
            Grant::RefreshToken => ConsentNeeded,
            Grant::AuthorizationCode => return Some(Class::Admin(AdminKind::ConsentMissing)),
        },
        90094 | 90095 => return Some(Class::Admin(AdminKind::ConsentMissing)),
        50105 => return Some(Class::Admin(AdminKind::UserNotAssigned)),
        50057 => return Some(Class::Admin(AdminKind::UserDisabled)),
        _ => return None,
    };
    Some(Class::ReAuth(reason))
}

fn refine_admin(code: Option<u32>) -> Option<Class> {
    use AdminKind::*;
    let kind = match code? {
        65001 | 90094 | 90095 => ConsentMissing,
        7000215 => ClientSecretInvalid,
        7000222 => ClientSecretExpired,
        7000218 => ClientSecretMissing,
        700025 => PublicClientSecret,
        700016 => AppNotFound,
        90002 => TenantNotFound,
        50011 => RedirectUriNotRegistered,
        50105 => UserNotAssigned,
        50057 => UserDisabled,
        _ => return None,
    };
    Some(Class::Admin(kind))
}

/// The maximum lifetime, in seconds, that AADSTS70043's description
/// states ("… the maximum allowed lifetime for this request is 86400.").
/// This is the ONE place that reads `error_description`, and only to learn
/// the firm's sign-in frequency for the "sign-in needed on <date>"
/// warning; a changed text just means nothing is learned. Accepts plain
/// seconds and .NET `TimeSpan` text (`1.00:00:00`, `08:00:00`).
///
/// The number is text from a server: arithmetic saturates and the result
/// is clamped to [`MAX_SIGN_IN_FREQUENCY_SECS`] (Conditional Access allows
/// at most 365 days), so that every result converts to a `chrono`
/// duration and adds to a date without overflow.
pub fn sign_in_frequency_lifetime(description: &str) -> Option<u64> {
    const MARKER: &str = "maximum allowed lifetime for this request is";
    let start = description.find(MARKER)? + MARKER.len();
    let rest = description[start..].trim_start();
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':' || *c == '.')
        .collect();
    let token = token.trim_end_matches('.');
    if token.is_empty() {
        return None;
    }
    let seconds = if token.contains(':') {
        let (days, hms) = match token.split_once('.') {
            Some((d, hms)) if hms.contains(':') => (d.parse::<u64>().ok()?, hms),
            _ => (0, token),
        };
        let parts: Vec<u64> = hms
            .split(':')
            .map(|p| p.split('.').next().unwrap_or(p).parse::<u64>())
            .collect::<Result<_, _>>()
            .ok()?;
        let [h, m, s] = parts[..] else { return None };
        days.saturating_mul(86_400)
            .saturating_add(h.saturating_mul(3_600))
            .saturating_add(m.saturating_mul(60))
            .saturating_add(s)
    } else {
        // All digits: too many for u64 is "very long", not unreadable; any
        // other text (`3600.5`) is unreadable.
        if !token.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        token.parse().unwrap_or(u64::MAX)
    };
    (seconds > 0).then_some(seconds.min(MAX_SIGN_IN_FREQUENCY_SECS))
}

/// The longest sign-in frequency Conditional Access can set (365 days).
pub const MAX_SIGN_IN_FREQUENCY_SECS: u64 = 365 * 86_400;
