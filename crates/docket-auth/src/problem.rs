//! The classifier: a token-endpoint failure → who must act, a stable code,
//! and a plain message + fix in English and German.
//!
//! Rules (Microsoft, <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>,
//! "Handling error codes in your application"): switch on the OAuth `error`
//! value; use the AADSTS number from `error_codes` only to refine; never
//! parse `error_description`, whose text changes. The one exception is
//! [`sign_in_frequency_lifetime`], which reads the maximum lifetime that
//! AADSTS70043's description states, to learn the firm's sign-in frequency
//! (it never changes the class).
//!
//! Transport failures, HTTP 408/429/5xx, `temporarily_unavailable` /
//! `server_error` and bodies that are not Entra's JSON (a captive portal,
//! a proxy page, a truncated 5xx) are [`Who::Transient`]: a network outage
//! is never reported as a credentials problem.
//!
//! The full table (code → who → message) is in `docs/sign-in.md`.

use std::fmt;

use serde::Deserialize;

/// Which grant the failing token request used. The same AADSTS65001
/// means different things: on refresh, the user can fix it by signing in
/// again (the consent prompt appears); on redemption right after an
/// interactive sign-in, the user already saw every prompt, so only an
/// admin can grant the permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    RefreshToken,
}

/// What a token request ended with, as the classifier sees it.
#[derive(Debug, Clone, Copy)]
pub enum TokenFailure<'a> {
    /// The token endpoint answered with a non-200 status.
    Response { status: u16, body: &'a [u8] },
    /// A 200 whose body is not a token response.
    MalformedSuccess,
    /// No HTTP answer at all.
    Transport(TransportKind),
}

/// Why no HTTP answer came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Name resolution or TCP connect failed (no network, DNS, firewall).
    Connect,
    Timeout,
    /// The connection was reset or closed mid-request.
    ConnectionReset,
    Other,
}

/// Who has to act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The fee-earner: sign in again (once) and it works.
    ReAuth(ReAuthReason),
    /// IT: something in the tenant or the app registration must change;
    /// signing in again would not help, so the UI must not loop on it.
    Admin(AdminKind),
    /// Nobody: retry later, keep the refresh token.
    Transient(TransientKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReAuthReason {
    /// AADSTS50173: the grant was revoked: password changed or reset, or
    /// an admin/the user revoked all sessions. Entra gives both the same
    /// number; the text that tells them apart is prose and not read.
    PasswordChangedOrRevoked,
    /// AADSTS700082: refresh token unused for 90 days.
    Inactivity,
    /// AADSTS70008: the grant expired or was revoked (older form).
    GrantExpired,
    /// AADSTS70043: Conditional Access sign-in frequency; carries the
    /// maximum lifetime Entra stated, when it could be read.
    SignInFrequency { max_lifetime_seconds: Option<u64> },
    /// AADSTS50076 / 50078: multi-factor authentication now required.
    MfaRequired,
    /// AADSTS50079 / 50072: the user must register MFA methods first.
    MfaRegistration,
    /// AADSTS53003: blocked by a Conditional Access policy (e.g. location).
    ConditionalAccess,
    /// AADSTS53000 / 53001: the device is not compliant / not joined.
    DeviceNotCompliant,
    /// AADSTS65001 on refresh, or `consent_required`: the user's consent
    /// was withdrawn or new permissions need it; the sign-in shows it.
    ConsentNeeded,
    /// AADSTS65004: the user pressed "Cancel" on the consent page.
    ConsentDeclined,
    /// `access_denied` from the authorize endpoint: sign-in cancelled.
    Cancelled,
    /// AADSTS50055: the password expired; it must be changed.
    PasswordExpired,
    /// `interaction_required` / `login_required` without a known number.
    InteractionRequired,
    /// Any other `invalid_grant` (incl. 54005, 501481, 9002313): the grant
    /// is unusable; a fresh sign-in fixes it.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminKind {
    /// AADSTS65001 after interactive sign-in, 90094, 90095.
    ConsentMissing,
    /// AADSTS7000215.
    ClientSecretInvalid,
    /// AADSTS7000222.
    ClientSecretExpired,
    /// AADSTS7000218: a Web (confidential) registration used without secret.
    ClientSecretMissing,
    /// AADSTS700025: a public-client registration was sent a secret.
    PublicClientSecret,
    /// AADSTS700016.
    AppNotFound,
    /// AADSTS90002.
    TenantNotFound,
    /// AADSTS50011.
    RedirectUriNotRegistered,
    /// AADSTS50105.
    UserNotAssigned,
    /// AADSTS50057.
    UserDisabled,
    /// `invalid_client` / `unauthorized_client` without a known number.
    ClientRejected,
    /// `invalid_request`, `invalid_scope`, `unsupported_*` or an unknown
    /// `error` value without a known number.
    RequestRejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransientKind {
    /// No connection (network down, DNS, firewall).
    Network,
    /// Timed out (client side or HTTP 408).
    Timeout,
    ConnectionReset,
    /// HTTP 429.
    Throttled,
    /// HTTP 5xx, `temporarily_unavailable`, `server_error`.
    ServiceUnavailable,
    /// An answer that is not Entra's (proxy, captive portal, truncated).
    UnexpectedResponse,
}

/// A classified failure, ready for the UI: the code is stable (the UI and
/// notifications key on it, never on the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub who: Who,
    /// Stable, e.g. `reauth.password_changed`.
    pub code: &'static str,
    /// The first AADSTS number from `error_codes`, for support.
    pub aadsts: Option<u32>,
    pub message_en: &'static str,
    pub message_de: &'static str,
    pub fix_en: &'static str,
    pub fix_de: &'static str,
}

impl Problem {
    /// True when the refresh token is dead and only a new sign-in helps.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.who, Who::ReAuth(_))
    }

    /// The message and fix in the user's language (`de*` → German, else
    /// English).
    pub fn localized(&self, language: &str) -> (&'static str, &'static str) {
        if language.to_ascii_lowercase().starts_with("de") {
            (self.message_de, self.fix_de)
        } else {
            (self.message_en, self.fix_en)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message_en, self.code)?;
        if let Some(n) = self.aadsts {
            write!(f, " [AADSTS{n}]")?;
        }
        write!(f, " Fix: {}", self.fix_en)
    }
}

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
        TokenFailure::Transport(kind) => problem(
            Who::Transient(match kind {
                TransportKind::Connect => TransientKind::Network,
                TransportKind::Timeout => TransientKind::Timeout,
                TransportKind::ConnectionReset => TransientKind::ConnectionReset,
                TransportKind::Other => TransientKind::Network,
            }),
            None,
        ),
        TokenFailure::MalformedSuccess => {
            problem(Who::Transient(TransientKind::UnexpectedResponse), None)
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
    problem(classify_error(Grant::AuthorizationCode, &body), None)
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
        return problem(Who::Transient(kind), aadsts);
    }
    let Some(body) = parsed else {
        return problem(Who::Transient(TransientKind::UnexpectedResponse), None);
    };
    problem(classify_error(grant, &body), aadsts)
}

/// The OAuth `error` value decides the family; the AADSTS number refines
/// it within the family's meaning.
fn classify_error(grant: Grant, body: &ErrorBody) -> Who {
    let code = body.error_codes.first().copied();
    match body.error.as_str() {
        "temporarily_unavailable" | "server_error" => {
            Who::Transient(TransientKind::ServiceUnavailable)
        }
        "invalid_grant" | "interaction_required" | "login_required" | "consent_required" => {
            let fallback = match body.error.as_str() {
                "invalid_grant" => ReAuthReason::Other,
                "consent_required" => ReAuthReason::ConsentNeeded,
                _ => ReAuthReason::InteractionRequired,
            };
            refine_reauth(grant, code, body.error_description.as_deref())
                .unwrap_or(Who::ReAuth(fallback))
        }
        "access_denied" => match code {
            Some(65004) => Who::ReAuth(ReAuthReason::ConsentDeclined),
            _ => Who::ReAuth(ReAuthReason::Cancelled),
        },
        "invalid_client" | "unauthorized_client" => {
            refine_admin(code).unwrap_or(Who::Admin(AdminKind::ClientRejected))
        }
        // invalid_request, invalid_scope, unsupported_grant_type, and
        // values Microsoft may add: a sign-in loop would not fix them.
        _ => refine_admin(code).unwrap_or(Who::Admin(AdminKind::RequestRejected)),
    }
}

fn refine_reauth(grant: Grant, code: Option<u32>, description: Option<&str>) -> Option<Who> {
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
            Grant::AuthorizationCode => return Some(Who::Admin(AdminKind::ConsentMissing)),
        },
        90094 | 90095 => return Some(Who::Admin(AdminKind::ConsentMissing)),
        50105 => return Some(Who::Admin(AdminKind::UserNotAssigned)),
        50057 => return Some(Who::Admin(AdminKind::UserDisabled)),
        _ => return None,
    };
    Some(Who::ReAuth(reason))
}

fn refine_admin(code: Option<u32>) -> Option<Who> {
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
    Some(Who::Admin(kind))
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

struct Texts {
    code: &'static str,
    message_en: &'static str,
    message_de: &'static str,
    fix_en: &'static str,
    fix_de: &'static str,
}

fn problem(who: Who, aadsts: Option<u32>) -> Problem {
    let t = texts(who);
    Problem {
        who,
        code: t.code,
        aadsts,
        message_en: t.message_en,
        message_de: t.message_de,
        fix_en: t.fix_en,
        fix_de: t.fix_de,
    }
}

const SIGN_IN_AGAIN_EN: &str = "Choose \"Sign in again\" and sign in with your work account.";
const SIGN_IN_AGAIN_DE: &str =
    "Wählen Sie „Erneut anmelden“ und melden Sie sich mit Ihrem Arbeitskonto an.";
const RETRY_EN: &str = "Nothing to do: Docket Sync retries by itself. If it lasts, check the internet connection (and VPN/proxy).";
const RETRY_DE: &str = "Nichts zu tun: Docket Sync versucht es selbst erneut. Hält es an, prüfen Sie die Internetverbindung (und VPN/Proxy).";

/// The catalogue: one entry per class. Portal paths name the blades of
/// the Azure portal (portal.azure.com → Microsoft Entra ID).
fn texts(who: Who) -> Texts {
    use AdminKind as A;
    use ReAuthReason as R;
    use TransientKind as T;
    let t = |code, message_en, message_de, fix_en, fix_de| Texts {
        code,
        message_en,
        message_de,
        fix_en,
        fix_de,
    };
    match who {
        Who::ReAuth(r) => match r {
            R::PasswordChangedOrRevoked => t(
                "reauth.password_changed",
                "Your Microsoft sign-in was ended, usually because your password was changed or reset, or IT signed you out of all devices.",
                "Ihre Microsoft-Anmeldung wurde beendet, meist weil Ihr Kennwort geändert oder zurückgesetzt wurde oder die IT Sie auf allen Geräten abgemeldet hat.",
                "Choose \"Sign in again\" and sign in with your current password.",
                "Wählen Sie „Erneut anmelden“ und melden Sie sich mit Ihrem aktuellen Kennwort an.",
            ),
            R::Inactivity => t(
                "reauth.inactivity",
                "Your Microsoft sign-in expired because Docket Sync was not used for 90 days.",
                "Ihre Microsoft-Anmeldung ist abgelaufen, weil Docket Sync 90 Tage nicht verwendet wurde.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::GrantExpired => t(
                "reauth.grant_expired",
                "Your Microsoft sign-in has expired or was withdrawn.",
                "Ihre Microsoft-Anmeldung ist abgelaufen oder wurde zurückgezogen.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::SignInFrequency { .. } => t(
                "reauth.sign_in_frequency",
                "Your organisation requires you to sign in again at regular intervals, and that time has come.",
                "Ihre Organisation verlangt in regelmäßigen Abständen eine erneute Anmeldung; dieser Zeitpunkt ist erreicht.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::MfaRequired => t(
                "reauth.mfa_required",
                "Your organisation now requires a second sign-in step (e.g. the Authenticator app).",
                "Ihre Organisation verlangt jetzt einen zweiten Anmeldeschritt (z. B. die Authenticator-App).",
                "Choose \"Sign in again\" and confirm the sign-in with your second factor.",
                "Wählen Sie „Erneut anmelden“ und bestätigen Sie die Anmeldung mit Ihrem zweiten Faktor.",
            ),
            R::MfaRegistration => t(
                "reauth.mfa_registration",
                "Your organisation requires you to set up multi-factor authentication before you can continue.",
                "Ihre Organisation verlangt, dass Sie zuerst die Mehrstufige Authentifizierung einrichten.",
                "Choose \"Sign in again\"; the sign-in page guides you through the set-up (have your phone ready).",
                "Wählen Sie „Erneut anmelden“; die Anmeldeseite führt Sie durch die Einrichtung (Telefon bereithalten).",
            ),
            R::ConditionalAccess => t(
                "reauth.conditional_access",
                "Your organisation's access rules blocked the sign-in (for example because of the location or network).",
                "Die Zugriffsregeln Ihrer Organisation haben die Anmeldung blockiert (z. B. wegen Standort oder Netzwerk).",
                "Sign in again from the office network or VPN. If it keeps happening, tell IT the code shown (AADSTS53003).",
                "Melden Sie sich im Büronetz oder über VPN erneut an. Passiert es weiter, nennen Sie der IT den angezeigten Code (AADSTS53003).",
            ),
            R::DeviceNotCompliant => t(
                "reauth.device_not_compliant",
                "Your organisation only allows sign-in from managed, compliant devices, and this device does not qualify right now.",
                "Ihre Organisation erlaubt die Anmeldung nur von verwalteten, konformen Geräten; dieses Gerät erfüllt das derzeit nicht.",
                "Open the Company Portal app and check this device's status, then sign in again; otherwise contact IT.",
                "Öffnen Sie die Unternehmensportal-App und prüfen Sie den Gerätestatus, melden Sie sich dann erneut an; sonst wenden Sie sich an die IT.",
            ),
            R::ConsentNeeded => t(
                "reauth.consent",
                "Docket Sync needs your permission again to access your calendar, tasks and contacts.",
                "Docket Sync benötigt erneut Ihre Zustimmung für den Zugriff auf Kalender, Aufgaben und Kontakte.",
                "Choose \"Sign in again\" and press \"Accept\" on the permissions page.",
                "Wählen Sie „Erneut anmelden“ und klicken Sie auf der Berechtigungsseite auf „Akzeptieren“.",
            ),
            R::ConsentDeclined => t(
                "reauth.consent_declined",
                "The permissions were not accepted, so Docket Sync cannot reach your calendar, tasks and contacts.",
                "Die Berechtigungen wurden nicht akzeptiert; Docket Sync kann daher nicht auf Kalender, Aufgaben und Kontakte zugreifen.",
                "Sign in again and press \"Accept\" on the permissions page.",
                "Melden Sie sich erneut an und klicken Sie auf der Berechtigungsseite auf „Akzeptieren“.",
            ),
            R::Cancelled => t(
                "reauth.cancelled",
                "The sign-in was cancelled or refused in the browser.",
                "Die Anmeldung wurde im Browser abgebrochen oder abgelehnt.",
                "Sign in again when you are ready.",
                "Melden Sie sich erneut an, sobald Sie bereit sind.",
            ),
            R::PasswordExpired => t(
                "reauth.password_expired",
                "Your password has expired.",
                "Ihr Kennwort ist abgelaufen.",
                "Choose \"Sign in again\"; the sign-in page asks you to set a new password.",
                "Wählen Sie „Erneut anmelden“; die Anmeldeseite fordert Sie auf, ein neues Kennwort festzulegen.",
            ),
            R::InteractionRequired => t(
                "reauth.interaction_required",
                "Microsoft needs you to confirm your sign-in in the browser.",
                "Microsoft verlangt, dass Sie Ihre Anmeldung im Browser bestätigen.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
            R::Other => t(
                "reauth.required",
                "Your Microsoft sign-in is no longer valid.",
                "Ihre Microsoft-Anmeldung ist nicht mehr gültig.",
                SIGN_IN_AGAIN_EN,
                SIGN_IN_AGAIN_DE,
            ),
        },
        Who::Admin(k) => match k {
            A::ConsentMissing => t(
                "admin.consent_missing",
                "Your organisation has not approved Docket Sync's permissions (calendar, tasks, contacts).",
                "Ihre Organisation hat die Berechtigungen von Docket Sync (Kalender, Aufgaben, Kontakte) nicht freigegeben.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → API permissions → \"Grant admin consent for <tenant>\" (or Enterprise applications → Docket Sync → Permissions).",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → API-Berechtigungen → „Administratorzustimmung für <Mandant> erteilen“ (oder Unternehmensanwendungen → Docket Sync → Berechtigungen).",
            ),
            A::ClientSecretInvalid => t(
                "admin.client_secret_invalid",
                "Microsoft rejected Docket Sync's client secret.",
                "Microsoft hat den geheimen Clientschlüssel von Docket Sync abgelehnt.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Certificates & secrets → Client secrets: copy the secret's Value (not the Secret ID) and store it again with Docket Sync.",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Zertifikate & Geheimnisse → Geheime Clientschlüssel: den Wert (nicht die Geheimnis-ID) kopieren und in Docket Sync neu hinterlegen.",
            ),
            A::ClientSecretExpired => t(
                "admin.client_secret_expired",
                "Docket Sync's client secret has expired.",
                "Der geheime Clientschlüssel von Docket Sync ist abgelaufen.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Certificates & secrets → \"New client secret\"; store its Value with Docket Sync and update microsoft.client_secret_expires.",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Zertifikate & Geheimnisse → „Neuer geheimer Clientschlüssel“; den Wert in Docket Sync hinterlegen und microsoft.client_secret_expires anpassen.",
            ),
            A::ClientSecretMissing => t(
                "admin.client_secret_missing",
                "The Docket Sync app registration is a Web app and needs a client secret, but none was sent.",
                "Die App-Registrierung von Docket Sync ist eine Web-App und benötigt einen geheimen Clientschlüssel, es wurde aber keiner gesendet.",
                "IT: either set microsoft.client_type = \"confidential\" and store the secret with Docket Sync, or in the Azure portal → App registrations → Docket Sync → Authentication add the redirect URI under \"Mobile and desktop applications\" and turn on \"Allow public client flows\".",
                "IT: entweder microsoft.client_type = \"confidential\" setzen und den Schlüssel in Docket Sync hinterlegen, oder im Azure-Portal → App-Registrierungen → Docket Sync → Authentifizierung den Umleitungs-URI unter „Mobile Anwendungen und Desktopanwendungen“ eintragen und „Öffentliche Clientflows zulassen“ aktivieren.",
            ),
            A::PublicClientSecret => t(
                "admin.public_client_secret",
                "The Docket Sync app registration is a public (desktop) client, but Docket Sync sent a client secret.",
                "Die App-Registrierung von Docket Sync ist ein öffentlicher (Desktop-)Client, Docket Sync hat aber einen geheimen Clientschlüssel gesendet.",
                "IT: set microsoft.client_type = \"public\" in the firm configuration.",
                "IT: in der Firmenkonfiguration microsoft.client_type = \"public\" setzen.",
            ),
            A::AppNotFound => t(
                "admin.app_not_found",
                "Microsoft does not know the Docket Sync app in your organisation.",
                "Microsoft kennt die Docket-Sync-App in Ihrer Organisation nicht.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Overview: compare \"Application (client) ID\" and \"Directory (tenant) ID\" with microsoft.client_id and microsoft.tenant.",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Übersicht: „Anwendungs-ID (Client)“ und „Verzeichnis-ID (Mandant)“ mit microsoft.client_id und microsoft.tenant vergleichen.",
            ),
            A::TenantNotFound => t(
                "admin.tenant_not_found",
                "Microsoft does not know the organisation (tenant) Docket Sync is set up for.",
                "Microsoft kennt die Organisation (Mandant) nicht, für die Docket Sync eingerichtet ist.",
                "IT: Azure portal → Microsoft Entra ID → Overview: copy \"Tenant ID\" (or the primary domain) into microsoft.tenant; check microsoft.authority_host for the right cloud.",
                "IT: Azure-Portal → Microsoft Entra ID → Übersicht: „Mandanten-ID“ (oder die primäre Domäne) in microsoft.tenant eintragen; microsoft.authority_host auf die richtige Cloud prüfen.",
            ),
            A::RedirectUriNotRegistered => t(
                "admin.redirect_uri",
                "The address Docket Sync uses to receive the sign-in is not registered for the app.",
                "Die Adresse, über die Docket Sync die Anmeldung empfängt, ist für die App nicht registriert.",
                "IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Authentication: add http://localhost under \"Mobile and desktop applications\" (Web platform: add the exact URI incl. microsoft.redirect_port and microsoft.redirect_path).",
                "IT: Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Authentifizierung: http://localhost unter „Mobile Anwendungen und Desktopanwendungen“ hinzufügen (Web-Plattform: den genauen URI mit microsoft.redirect_port und microsoft.redirect_path).",
            ),
            A::UserNotAssigned => t(
                "admin.user_not_assigned",
                "Your account is not allowed to use Docket Sync in your organisation.",
                "Ihr Konto darf Docket Sync in Ihrer Organisation nicht verwenden.",
                "IT: Azure portal → Microsoft Entra ID → Enterprise applications → Docket Sync → Users and groups → \"Add user/group\".",
                "IT: Azure-Portal → Microsoft Entra ID → Unternehmensanwendungen → Docket Sync → Benutzer und Gruppen → „Benutzer/Gruppe hinzufügen“.",
            ),
            A::UserDisabled => t(
                "admin.user_disabled",
                "Your Microsoft account is disabled.",
                "Ihr Microsoft-Konto ist deaktiviert.",
                "IT: Azure portal → Microsoft Entra ID → Users → the user → Edit properties → Settings → \"Account enabled\".",
                "IT: Azure-Portal → Microsoft Entra ID → Benutzer → der Benutzer → Eigenschaften bearbeiten → Einstellungen → „Konto aktiviert“.",
            ),
            A::ClientRejected => t(
                "admin.client_rejected",
                "Microsoft rejected the Docket Sync app registration.",
                "Microsoft hat die App-Registrierung von Docket Sync abgelehnt.",
                "IT: check the app registration (Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Authentication and Certificates & secrets) against the firm configuration; the code shown names the cause.",
                "IT: die App-Registrierung (Azure-Portal → Microsoft Entra ID → App-Registrierungen → Docket Sync → Authentifizierung sowie Zertifikate & Geheimnisse) mit der Firmenkonfiguration abgleichen; der angezeigte Code nennt die Ursache.",
            ),
            A::RequestRejected => t(
                "admin.request_rejected",
                "Microsoft rejected Docket Sync's sign-in request.",
                "Microsoft hat die Anmeldeanfrage von Docket Sync abgelehnt.",
                "IT: check microsoft.scopes, microsoft.tenant and the app registration's API permissions; look the code shown up at https://login.microsoftonline.com/error.",
                "IT: microsoft.scopes, microsoft.tenant und die API-Berechtigungen der App-Registrierung prüfen; den angezeigten Code unter https://login.microsoftonline.com/error nachschlagen.",
            ),
        },
        Who::Transient(k) => match k {
            T::Network => t(
                "transient.network",
                "Microsoft's sign-in service cannot be reached (no network connection or name resolution).",
                "Der Anmeldedienst von Microsoft ist nicht erreichbar (keine Netzwerkverbindung oder Namensauflösung).",
                RETRY_EN,
                RETRY_DE,
            ),
            T::Timeout => t(
                "transient.timeout",
                "Microsoft's sign-in service did not answer in time.",
                "Der Anmeldedienst von Microsoft hat nicht rechtzeitig geantwortet.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::ConnectionReset => t(
                "transient.connection_reset",
                "The connection to Microsoft was interrupted.",
                "Die Verbindung zu Microsoft wurde unterbrochen.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::Throttled => t(
                "transient.throttled",
                "Microsoft asked Docket Sync to slow down.",
                "Microsoft hat Docket Sync gebeten, langsamer zu arbeiten.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::ServiceUnavailable => t(
                "transient.service_unavailable",
                "Microsoft's sign-in service is temporarily unavailable.",
                "Der Anmeldedienst von Microsoft ist vorübergehend nicht verfügbar.",
                RETRY_EN,
                RETRY_DE,
            ),
            T::UnexpectedResponse => t(
                "transient.unexpected_response",
                "An unexpected answer came back instead of Microsoft's (often a proxy, hotel or guest Wi-Fi login page).",
                "Statt der Antwort von Microsoft kam eine unerwartete Antwort (oft ein Proxy oder die Anmeldeseite eines Hotel- oder Gast-WLANs).",
                "Open any web page in the browser to complete a Wi-Fi login if asked; Docket Sync then retries by itself. If it lasts, tell IT (proxy settings).",
                "Öffnen Sie eine beliebige Webseite im Browser, um ggf. eine WLAN-Anmeldung abzuschließen; Docket Sync versucht es dann selbst erneut. Hält es an, informieren Sie die IT (Proxy-Einstellungen).",
            ),
        },
    }
}

/// Every class, for the docs table and for a test that codes are unique.
pub fn catalogue() -> Vec<Problem> {
    use AdminKind as A;
    use ReAuthReason as R;
    use TransientKind as T;
    let reauth = [
        R::PasswordChangedOrRevoked,
        R::Inactivity,
        R::GrantExpired,
        R::SignInFrequency {
            max_lifetime_seconds: None,
        },
        R::MfaRequired,
        R::MfaRegistration,
        R::ConditionalAccess,
        R::DeviceNotCompliant,
        R::ConsentNeeded,
        R::ConsentDeclined,
        R::Cancelled,
        R::PasswordExpired,
        R::InteractionRequired,
        R::Other,
    ]
    .map(Who::ReAuth);
    let admin = [
        A::ConsentMissing,
        A::ClientSecretInvalid,
        A::ClientSecretExpired,
        A::ClientSecretMissing,
        A::PublicClientSecret,
        A::AppNotFound,
        A::TenantNotFound,
        A::RedirectUriNotRegistered,
        A::UserNotAssigned,
        A::UserDisabled,
        A::ClientRejected,
        A::RequestRejected,
    ]
    .map(Who::Admin);
    let transient = [
        T::Network,
        T::Timeout,
        T::ConnectionReset,
        T::Throttled,
        T::ServiceUnavailable,
        T::UnexpectedResponse,
    ]
    .map(Who::Transient);
    reauth
        .into_iter()
        .chain(admin)
        .chain(transient)
        .map(|who| problem(who, None))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input`: grant, then either `"<status> <json body>"`, `"malformed"`
    /// or `"transport:<kind>"`. `expect`: `"<code> <who> [aadsts]"`.
    #[track_caller]
    fn check(grant: Grant, input: &str, expect: &str) {
        let failure = if input == "malformed" {
            TokenFailure::MalformedSuccess
        } else if let Some(kind) = input.strip_prefix("transport:") {
            TokenFailure::Transport(match kind {
                "connect" => TransportKind::Connect,
                "timeout" => TransportKind::Timeout,
                "reset" => TransportKind::ConnectionReset,
                _ => TransportKind::Other,
            })
        } else {
            let (status, body) = input.split_once(' ').expect("status and body");
            TokenFailure::Response {
                status: status.parse().expect("status"),
                body: body.as_bytes(),
            }
        };
        let p = classify(grant, failure);
        let who = match p.who {
            Who::ReAuth(_) => "reauth",
            Who::Admin(_) => "admin",
            Who::Transient(_) => "transient",
        };
        let got = match p.aadsts {
            Some(n) => format!("{} {who} {n}", p.code),
            None => format!("{} {who}", p.code),
        };
        assert_eq!(got, expect, "input: {input}");
        assert!(p.code.starts_with(who), "code {} vs who {who}", p.code);
    }

    /// Entra's documented error body shape (reference-error-codes,
    /// "Handling error codes in your application").
    fn entra(error: &str, code: u32, description: &str) -> String {
        format!(
            r#"{{"error":"{error}","error_description":"AADSTS{code}: {description}\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-01-09 02:02:12Z","error_codes":[{code}],"timestamp":"2026-01-09 02:02:12Z","trace_id":"0000aaaa-11bb-cccc-dd22-eeeeee333333","correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd","error_uri":"https://login.microsoftonline.com/error?code={code}"}}"#
        )
    }

    const RT: Grant = Grant::RefreshToken;
    const AC: Grant = Grant::AuthorizationCode;

    #[test]
    fn reauth_family() {
        let cases: &[(Grant, &str, u32, &str, &str)] = &[
            (RT, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.", "reauth.password_changed reauth 50173"),
            (RT, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on 2026-01-01T00:00:00Z and was inactive for 90.00:00:00.", "reauth.inactivity reauth 700082"),
            (RT, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.", "reauth.grant_expired reauth 70008"),
            (RT, "invalid_grant", 70043, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-01-01T00:00:00Z and the maximum allowed lifetime for this request is 86400.", "reauth.sign_in_frequency reauth 70043"),
            (RT, "invalid_grant", 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'Graph'.", "reauth.mfa_required reauth 50076"),
            (RT, "interaction_required", 50076, "you must use multi-factor authentication.", "reauth.mfa_required reauth 50076"),
            (RT, "interaction_required", 50079, "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.", "reauth.mfa_registration reauth 50079"),
            (RT, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", "reauth.conditional_access reauth 53003"),
            (RT, "invalid_grant", 53000, "Device is not in required device state: compliant.", "reauth.device_not_compliant reauth 53000"),
            (RT, "interaction_required", 53001, "Device is not in required device state: domain_joined.", "reauth.device_not_compliant reauth 53001"),
            (RT, "invalid_grant", 65001, "The user or administrator has not consented to use the application with ID '0d0c5e7a'. Send an interactive authorization request for this user and resource.", "reauth.consent reauth 65001"),
            (AC, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", "reauth.required reauth 54005"),
            (AC, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.", "reauth.required reauth 501481"),
            (RT, "invalid_grant", 50055, "The password is expired.", "reauth.password_expired reauth 50055"),
            (RT, "interaction_required", 99999, "Something new.", "reauth.interaction_required reauth 99999"),
            (RT, "access_denied", 65004, "User declined to consent to access the app.", "reauth.consent_declined reauth 65004"),
        ];
        for (grant, error, code, description, expect) in cases {
            check(
                *grant,
                &format!("400 {}", entra(error, *code, description)),
                expect,
            );
        }
    }

    #[test]
    fn admin_family() {
        let cases: &[(Grant, u16, &str, u32, &str, &str)] = &[
            (AC, 400, "invalid_grant", 65001, "The user or administrator has not consented to use the application.", "admin.consent_missing admin 65001"),
            (AC, 400, "invalid_request", 90094, "Admin consent is required for the permissions requested by this application.", "admin.consent_missing admin 90094"),
            (RT, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", "admin.client_secret_invalid admin 7000215"),
            (RT, 401, "invalid_client", 7000222, "The provided client secret keys for app '0d0c5e7a' are expired.", "admin.client_secret_expired admin 7000222"),
            (AC, 401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", "admin.client_secret_missing admin 7000218"),
            (AC, 401, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", "admin.public_client_secret admin 700025"),
            (AC, 400, "unauthorized_client", 700016, "Application with identifier '0d0c5e7a' was not found in the directory 'Kanzlei'.", "admin.app_not_found admin 700016"),
            (AC, 400, "invalid_request", 90002, "Tenant 'kanzlei.example' not found.", "admin.tenant_not_found admin 90002"),
            (AC, 400, "invalid_request", 50011, "The redirect URI 'http://localhost:1234/x' specified in the request does not match the redirect URIs configured for the application.", "admin.redirect_uri admin 50011"),
            (AC, 400, "invalid_grant", 50105, "Your administrator has configured the application to block users unless they are specifically granted access.", "admin.user_not_assigned admin 50105"),
            (RT, 400, "invalid_grant", 50057, "The user account is disabled.", "admin.user_disabled admin 50057"),
            (RT, 401, "invalid_client", 12345, "Something else.", "admin.client_rejected admin 12345"),
            (RT, 400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' isn't valid.", "admin.request_rejected admin 70011"),
            (RT, 400, "brand_new_error", 1, "Microsoft added an error value.", "admin.request_rejected admin 1"),
        ];
        for (grant, status, error, code, description, expect) in cases {
            check(
                *grant,
                &format!("{status} {}", entra(error, *code, description)),
                expect,
            );
        }
    }

    #[test]
    fn transient_family_never_asks_for_credentials() {
        check(RT, "transport:connect", "transient.network transient");
        check(RT, "transport:timeout", "transient.timeout transient");
        check(
            RT,
            "transport:reset",
            "transient.connection_reset transient",
        );
        check(RT, "transport:other", "transient.network transient");
        check(RT, "408 ", "transient.timeout transient");
        check(RT, "429 {}", "transient.throttled transient");
        for status in [500, 502, 503, 504] {
            check(
                RT,
                &format!("{status} <html>Service Unavailable</html>"),
                "transient.service_unavailable transient",
            );
        }
        // A 503 whose JSON even says invalid_grant is still an outage.
        check(
            RT,
            &format!("503 {}", entra("invalid_grant", 50173, "x")),
            "transient.service_unavailable transient 50173",
        );
        check(
            RT,
            &format!(
                "400 {}",
                entra(
                    "temporarily_unavailable",
                    90033,
                    "The service is temporarily unavailable."
                )
            ),
            "transient.service_unavailable transient 90033",
        );
        check(
            RT,
            r#"400 {"error":"server_error","error_codes":[]}"#,
            "transient.service_unavailable transient",
        );
        // A proxy or captive portal page instead of Entra's JSON.
        check(
            RT,
            "400 <html>Please log in to the hotel Wi-Fi</html>",
            "transient.unexpected_response transient",
        );
        check(
            RT,
            "401 {\"error\":",
            "transient.unexpected_response transient",
        );
        check(RT, "malformed", "transient.unexpected_response transient");
    }

    #[test]
    fn error_value_decides_without_a_number() {
        check(
            RT,
            r#"400 {"error":"invalid_grant"}"#,
            "reauth.required reauth",
        );
        check(
            AC,
            r#"400 {"error":"consent_required"}"#,
            "reauth.consent reauth",
        );
        check(
            RT,
            r#"400 {"error":"login_required"}"#,
            "reauth.interaction_required reauth",
        );
        check(
            AC,
            r#"400 {"error":"access_denied"}"#,
            "reauth.cancelled reauth",
        );
        check(
            AC,
            r#"400 {"error":"unauthorized_client"}"#,
            "admin.client_rejected admin",
        );
        check(
            AC,
            r#"400 {"error":"invalid_request"}"#,
            "admin.request_rejected admin",
        );
    }

    #[test]
    fn redirect_errors() {
        let codes: Vec<_> = [
            "access_denied",
            "consent_required",
            "interaction_required",
            "login_required",
            "temporarily_unavailable",
            "server_error",
            "unauthorized_client",
            "invalid_request",
        ]
        .iter()
        .map(|e| classify_redirect_error(e).code)
        .collect();
        assert_eq!(
            codes,
            [
                "reauth.cancelled",
                "reauth.consent",
                "reauth.interaction_required",
                "reauth.interaction_required",
                "transient.service_unavailable",
                "transient.service_unavailable",
                "admin.client_rejected",
                "admin.request_rejected",
            ]
        );
    }

    #[test]
    fn absurd_sign_in_frequency_lifetimes_are_clamped_not_fatal() {
        let text = |n: &str| format!("… the maximum allowed lifetime for this request is {n}.");
        let max = Some(MAX_SIGN_IN_FREQUENCY_SECS);
        assert_eq!(
            sign_in_frequency_lifetime(&text(&u64::MAX.to_string())),
            max
        );
        assert_eq!(
            sign_in_frequency_lifetime(&text(&i64::MAX.to_string())),
            max
        );
        assert_eq!(
            sign_in_frequency_lifetime(&text("100000000000000000000")),
            max
        );
        assert_eq!(
            sign_in_frequency_lifetime(&text("99999999999999999.00:00:00")),
            max
        );
        assert_eq!(
            sign_in_frequency_lifetime(&text("18446744073709551615:99:99")),
            max
        );
        assert_eq!(sign_in_frequency_lifetime(&text("-5")), None);
        assert_eq!(sign_in_frequency_lifetime(&text("0")), None);
        let body = entra("invalid_grant", 70043, &text("9223372036854775807"));
        let p = classify(
            Grant::RefreshToken,
            TokenFailure::Response {
                status: 400,
                body: body.as_bytes(),
            },
        );
        let window = crate::keepalive::learned_sign_in_frequency(&p).expect("learned");
        assert_eq!(window.num_days(), 365);
    }

    #[test]
    fn sign_in_frequency_lifetime_is_read_from_the_documented_text() {
        let d = "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-01-01T08:00:00Z and the maximum allowed lifetime for this request is 86400.\r\nTrace ID: x";
        assert_eq!(sign_in_frequency_lifetime(d), Some(86_400));
        let d = "… the maximum allowed lifetime for this request is 604800. Trace";
        assert_eq!(sign_in_frequency_lifetime(d), Some(604_800));
        let d = "… the maximum allowed lifetime for this request is 1.00:00:00.";
        assert_eq!(sign_in_frequency_lifetime(d), Some(86_400));
        let d = "… the maximum allowed lifetime for this request is 08:00:00.";
        assert_eq!(sign_in_frequency_lifetime(d), Some(28_800));
        assert_eq!(
            sign_in_frequency_lifetime("AADSTS70043: reworded text"),
            None
        );
        assert_eq!(
            sign_in_frequency_lifetime("maximum allowed lifetime for this request is soon"),
            None
        );
        // The learned value travels with the class.
        let body = entra("invalid_grant", 70043, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-01-01T08:00:00Z and the maximum allowed lifetime for this request is 43200.");
        let p = classify(
            RT,
            TokenFailure::Response {
                status: 400,
                body: body.as_bytes(),
            },
        );
        assert_eq!(
            p.who,
            Who::ReAuth(ReAuthReason::SignInFrequency {
                max_lifetime_seconds: Some(43_200)
            })
        );
    }

    #[test]
    fn catalogue_codes_are_unique_and_bilingual() {
        let all = catalogue();
        let mut codes: Vec<_> = all.iter().map(|p| p.code).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len(), "duplicate code in {codes:?}");
        for p in &all {
            assert_ne!(p.message_en, p.message_de, "{}", p.code);
            assert_ne!(p.fix_en, p.fix_de, "{}", p.code);
            if matches!(p.who, Who::Admin(_)) {
                assert!(p.fix_en.starts_with("IT:"), "{}", p.code);
            }
        }
    }
}
