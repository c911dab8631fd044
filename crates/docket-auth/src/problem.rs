//! A token-endpoint failure, classified: who must act, a stable code, and
//! the words and the fix as data.
//!
//! - [`classify`] (in `classify.rs`) is the classifier. Rules (Microsoft,
//!   <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>,
//!   "Handling error codes in your application"): switch on the OAuth
//!   `error` value; use the AADSTS number from `error_codes` only to
//!   refine; never parse `error_description`, whose text changes. The one
//!   exception is [`sign_in_frequency_lifetime`], which reads the maximum
//!   lifetime that AADSTS70043's description states, to learn the firm's
//!   sign-in frequency (it never changes the class).
//! - Transport failures, HTTP 408/429/5xx, `temporarily_unavailable` /
//!   `server_error` and bodies that are not Entra's JSON (a captive portal,
//!   a proxy page, a truncated 5xx) are [`Class::Transient`]: a network
//!   outage is never reported as a credentials problem.
//! - This file says what each [`Class`] means: its stable code, who acts
//!   ([`docket_text::Who`]), the fix as a [`docket_text::Action`], and its
//!   [`docket_text::Message`] (`Message::from_code(code)`: the headline,
//!   and `.body` with the explanation). The words are in
//!   `docket-text/locales/{en,de}/auth.ftl`.
//!
//! The full table (code → who → message) is in `docs/sign-in.md`.

use std::fmt;

use docket_text::{Action, Message};

mod classify;
#[cfg(test)]
mod tests;

pub use classify::{
    classify, classify_redirect_error, sign_in_frequency_lifetime, MAX_SIGN_IN_FREQUENCY_SECS,
};

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

/// The class of a failure: who must act, and why. [`Problem::who`] maps
/// it onto the product's one vocabulary, [`docket_text::Who`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
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
    /// Who must act and why ([`Problem::who`] gives the product's
    /// vocabulary).
    pub class: Class,
    /// Stable, e.g. `reauth.password_changed`.
    pub code: &'static str,
    /// The first AADSTS number from `error_codes`, for support.
    pub aadsts: Option<u32>,
}

impl Problem {
    /// The problem of `class`, with the AADSTS number Entra sent.
    pub fn new(class: Class, aadsts: Option<u32>) -> Problem {
        Problem {
            class,
            code: class.code(),
            aadsts,
        }
    }

    /// The class: who must act, and why.
    pub fn class(&self) -> Class {
        self.class
    }

    /// True when the refresh token is dead and only a new sign-in helps.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.class, Class::ReAuth(_))
    }

    /// Who must act: the fee-earner (sign in again), IT, or nobody.
    pub fn who(&self) -> docket_text::Who {
        self.class.who()
    }

    /// What happened: the headline, and `.body` with the explanation.
    pub fn message(&self) -> Message {
        Message::from_code(self.code)
    }

    /// The fix, as something to do.
    pub fn action(&self) -> Action {
        self.class.action()
    }
}

impl Class {
    /// The stable code (`reauth.password_changed`); its message is
    /// `Message::from_code(code)`.
    pub fn code(self) -> &'static str {
        use AdminKind as A;
        use ReAuthReason as R;
        use TransientKind as T;
        match self {
            Class::ReAuth(r) => match r {
                R::PasswordChangedOrRevoked => "reauth.password_changed",
                R::Inactivity => "reauth.inactivity",
                R::GrantExpired => "reauth.grant_expired",
                R::SignInFrequency { .. } => "reauth.sign_in_frequency",
                R::MfaRequired => "reauth.mfa_required",
                R::MfaRegistration => "reauth.mfa_registration",
                R::ConditionalAccess => "reauth.conditional_access",
                R::DeviceNotCompliant => "reauth.device_not_compliant",
                R::ConsentNeeded => "reauth.consent",
                R::ConsentDeclined => "reauth.consent_declined",
                R::Cancelled => "reauth.cancelled",
                R::PasswordExpired => "reauth.password_expired",
                R::InteractionRequired => "reauth.interaction_required",
                R::Other => "reauth.required",
            },
            Class::Admin(k) => match k {
                A::ConsentMissing => "admin.consent_missing",
                A::ClientSecretInvalid => "admin.client_secret_invalid",
                A::ClientSecretExpired => "admin.client_secret_expired",
                A::ClientSecretMissing => "admin.client_secret_missing",
                A::PublicClientSecret => "admin.public_client_secret",
                A::AppNotFound => "admin.app_not_found",
                A::TenantNotFound => "admin.tenant_not_found",
                A::RedirectUriNotRegistered => "admin.redirect_uri",
                A::UserNotAssigned => "admin.user_not_assigned",
                A::UserDisabled => "admin.user_disabled",
                A::ClientRejected => "admin.client_rejected",
                A::RequestRejected => "admin.request_rejected",
            },
            Class::Transient(k) => match k {
                T::Network => "transient.network",
                T::Timeout => "transient.timeout",
                T::ConnectionReset => "transient.connection_reset",
                T::Throttled => "transient.throttled",
                T::ServiceUnavailable => "transient.service_unavailable",
                T::UnexpectedResponse => "transient.unexpected_response",
            },
        }
    }

    /// Who must act, in the product's one vocabulary.
    pub fn who(self) -> docket_text::Who {
        match self {
            Class::ReAuth(_) => docket_text::Who::User,
            Class::Admin(_) => docket_text::Who::Admin,
            Class::Transient(_) => docket_text::Who::Nobody,
        }
    }

    /// The fix. Every re-authentication is a sign-in (the message's body
    /// says what to expect on the way); every transient failure is
    /// "wait"; IT's fixes name what to change.
    pub fn action(self) -> Action {
        use AdminKind as A;
        let edit = |key: &str| Action::EditConfig { key: key.into() };
        match self {
            Class::ReAuth(_) => Action::SignIn,
            Class::Transient(_) => Action::Wait,
            Class::Admin(k) => match k {
                A::ConsentMissing => Action::GrantConsent,
                A::ClientSecretInvalid | A::ClientSecretExpired => Action::SetClientSecret,
                A::ClientSecretMissing | A::RedirectUriNotRegistered | A::ClientRejected => {
                    Action::FixAppRegistration
                }
                A::PublicClientSecret => edit("microsoft.client_type"),
                A::AppNotFound => edit("microsoft.client_id"),
                A::TenantNotFound => edit("microsoft.tenant"),
                A::UserNotAssigned | A::UserDisabled | A::RequestRejected => Action::AskAdmin,
            },
        }
    }
}

/// English, for logs: "headline (code) [AADSTSn]: explanation".
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts = crate::english();
        let m = self.message();
        write!(f, "{} ({})", texts.render(&m), self.code)?;
        if let Some(n) = self.aadsts {
            write!(f, " [AADSTS{n}]")?;
        }
        if let Some(body) = texts.attr(&m, "body") {
            write!(f, ": {body}")?;
        }
        Ok(())
    }
}

/// Every class, for the docs table and for tests that need one of each.
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
    .map(Class::ReAuth);
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
    .map(Class::Admin);
    let transient = [
        T::Network,
        T::Timeout,
        T::ConnectionReset,
        T::Throttled,
        T::ServiceUnavailable,
        T::UnexpectedResponse,
    ]
    .map(Class::Transient);
    reauth
        .into_iter()
        .chain(admin)
        .chain(transient)
        .map(|class| Problem::new(class, None))
        .collect()
}
