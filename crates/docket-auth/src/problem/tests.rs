//! The classifier's table tests, and the catalogue in both languages.

use docket_text::{Action, Lang, Texts};

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
    let who = match p.class {
        Class::ReAuth(_) => "reauth",
        Class::Admin(_) => "admin",
        Class::Transient(_) => "transient",
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
        p.class,
        Class::ReAuth(ReAuthReason::SignInFrequency {
            max_lifetime_seconds: Some(43_200)
        })
    );
}

#[test]
fn catalogue_codes_are_unique() {
    let all = catalogue();
    let mut codes: Vec<_> = all.iter().map(|p| p.code).collect();
    codes.sort_unstable();
    let before = codes.len();
    codes.dedup();
    assert_eq!(before, codes.len(), "duplicate code in {codes:?}");
}

/// Every problem code has a headline and a `.body` in every language,
/// the two languages differ, and nothing is left unrendered.
#[test]
fn every_problem_has_its_words_in_english_and_german() {
    let en = Texts::new(Lang::En);
    let de = Texts::new(Lang::De);
    let mut missing = vec![];
    for p in catalogue() {
        let m = p.message();
        for t in [&en, &de] {
            for attr in [None, Some("body")] {
                if !t.has(&m.id, attr) {
                    missing.push(format!("{}: {} {attr:?} ({})", t.lang(), m.id, p.code));
                }
            }
            let label = p.action().label();
            if !t.has(&label.id, None) {
                missing.push(format!(
                    "{}: action {:?} of {}",
                    t.lang(),
                    p.action(),
                    p.code
                ));
            }
        }
        assert_ne!(en.render(&m), de.render(&m), "{}", p.code);
        assert_ne!(en.attr(&m, "body"), de.attr(&m, "body"), "{}", p.code);
    }
    assert!(missing.is_empty(), "missing:\n{}", missing.join("\n"));
}

/// One vocabulary: who acts follows from the class, and the fix is one
/// that person performs.
#[test]
fn who_acts_is_the_class_and_the_fix_is_theirs() {
    #[track_caller]
    fn check(code: &str, expect: (docket_text::Who, Action)) {
        let p = catalogue()
            .into_iter()
            .find(|p| p.code == code)
            .expect(code);
        assert_eq!((p.who(), p.action()), expect, "{code}");
    }
    use docket_text::Who as W;
    check("reauth.password_changed", (W::User, Action::SignIn));
    check("reauth.cancelled", (W::User, Action::SignIn));
    check("admin.consent_missing", (W::Admin, Action::GrantConsent));
    check(
        "admin.client_secret_expired",
        (W::Admin, Action::SetClientSecret),
    );
    check("admin.redirect_uri", (W::Admin, Action::FixAppRegistration));
    check(
        "admin.tenant_not_found",
        (
            W::Admin,
            Action::EditConfig {
                key: "microsoft.tenant".into(),
            },
        ),
    );
    check("admin.user_disabled", (W::Admin, Action::AskAdmin));
    check("transient.network", (W::Nobody, Action::Wait));
    for p in catalogue() {
        assert_eq!(p.action().who(), p.who(), "{}", p.code);
        assert_eq!(p.needs_sign_in(), p.who() == W::User, "{}", p.code);
    }
}

/// What a person reads, in full: headline, explanation and the fix's
/// label, in both languages.
#[test]
fn problems_read_as_a_person_sees_them() {
    #[track_caller]
    fn check(lang: Lang, code: &str, expect: [&str; 3]) {
        let t = Texts::new(lang);
        let p = catalogue()
            .into_iter()
            .find(|p| p.code == code)
            .expect(code);
        let m = p.message();
        let got = [
            t.render(&m),
            t.attr(&m, "body").unwrap_or_default(),
            t.render(&p.action().label()),
        ];
        assert_eq!(got, expect, "{lang} {code}");
    }
    check(
        Lang::En,
        "reauth.password_changed",
        [
            "Your Microsoft sign-in was ended",
            "This usually happens when your password was changed or reset, or when IT signed you out on all devices. Sign in again with your current password.",
            "Sign in again",
        ],
    );
    check(
        Lang::De,
        "reauth.password_changed",
        [
            "Ihre Microsoft-Anmeldung wurde beendet",
            "Das geschieht meist, wenn Ihr Kennwort geändert oder zurückgesetzt wurde oder die IT Sie auf allen Geräten abgemeldet hat. Melden Sie sich mit Ihrem aktuellen Kennwort erneut an.",
            "Erneut anmelden",
        ],
    );
    check(
        Lang::En,
        "admin.user_not_assigned",
        [
            "Your account may not use Docket Sync",
            "Your account is not allowed to use Docket Sync in your organisation. IT: Azure portal → Microsoft Entra ID → Enterprise applications → Docket Sync → Users and groups → \"Add user/group\".",
            "Ask your IT, quoting the code",
        ],
    );
    check(
        Lang::De,
        "admin.user_not_assigned",
        [
            "Ihr Konto darf Docket Sync nicht verwenden",
            "Ihr Konto darf Docket Sync in Ihrer Organisation nicht verwenden. IT: Azure-Portal → Microsoft Entra ID → Unternehmensanwendungen → Docket Sync → Benutzer und Gruppen → „Benutzer/Gruppe hinzufügen“.",
            "Wenden Sie sich mit dem Code an Ihre IT",
        ],
    );
    check(
        Lang::De,
        "transient.service_unavailable",
        [
            "Microsoft-Anmeldung vorübergehend nicht verfügbar",
            "Der Anmeldedienst von Microsoft ist vorübergehend nicht verfügbar. Docket Sync versucht es selbst erneut.",
            "Nichts zu tun: Docket Sync versucht es selbst erneut",
        ],
    );
}

/// The log line (`Display`) is English and carries code and AADSTS number.
#[test]
fn display_is_english_with_code_and_number() {
    let body = entra("invalid_grant", 50173, "x");
    let p = classify(
        RT,
        TokenFailure::Response {
            status: 400,
            body: body.as_bytes(),
        },
    );
    assert_eq!(
        p.to_string(),
        "Your Microsoft sign-in was ended (reauth.password_changed) [AADSTS50173]: This usually happens when your password was changed or reset, or when IT signed you out on all devices. Sign in again with your current password."
    );
}
