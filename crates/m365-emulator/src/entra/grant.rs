//! Whether an authorization code or a refresh token may be redeemed now.
//! Pure: takes `now` and the facts, returns the Entra error if not.

use std::collections::BTreeSet;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sha2::Digest;
use uuid::Uuid;

use super::errors::{Aadsts, EntraError};
use super::{AuthCode, Pkce, RefreshGrant, CODE_LIFETIME_MINUTES, REFRESH_MAX_INACTIVE_DAYS};
use crate::world::UserPolicy;

/// Entra's date format in error messages: `2021-07-19T14:01:41.1468970Z`.
pub(crate) fn entra_date(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    // chrono has no 7-digit fraction specifier: ticks of 100 ns by hand.
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.nanosecond() % 1_000_000_000 / 100
    )
}

/// Graph's resource id, which Entra names in MFA messages.
const GRAPH_RESOURCE: &str = "00000003-0000-0000-c000-000000000000";

/// The facts about a code redemption request.
#[derive(Debug)]
pub(crate) struct CodeRequest<'a> {
    pub now: DateTime<Utc>,
    pub client_id: Uuid,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
    /// The tenant named in the token URL, when it is a specific tenant.
    pub tenant_id: Option<Uuid>,
}

pub(crate) fn code_verdict(code: &AuthCode, req: &CodeRequest<'_>) -> Result<(), EntraError> {
    if code.redeemed {
        return Err(EntraError::new(
            Aadsts::CodeAlreadyRedeemed,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ));
    }
    if req.now - code.issued_at > Duration::minutes(CODE_LIFETIME_MINUTES) {
        return Err(EntraError::new(
            Aadsts::ExpiredOrRevokedGrant,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if code.client_id != req.client_id {
        return Err(EntraError::new(
            Aadsts::InvalidGrant,
            format!(
                "The provided authorization code was issued to application '{}', not to '{}'.",
                code.client_id, req.client_id
            ),
        ));
    }
    if req.tenant_id.is_some_and(|t| t != code.tenant_id) {
        return Err(EntraError::new(
            Aadsts::RedeemAgainstWrongTenant,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        ));
    }
    match req.redirect_uri {
        None => {
            return Err(EntraError::new(
                Aadsts::MissingParameter,
                "The request body must contain the following parameter: 'redirect_uri'.",
            ))
        }
        Some(uri) if uri != code.redirect_uri => {
            return Err(EntraError::new(
                Aadsts::InvalidReplyTo,
                format!(
                    "The redirect URI '{uri}' specified in the request does not match the redirect URI used to obtain the authorization code."
                ),
            ))
        }
        Some(_) => {}
    }
    if let Some(challenge) = &code.code_challenge {
        let ok = req.code_verifier.is_some_and(|verifier| {
            match code.code_challenge_method.unwrap_or(Pkce::Plain) {
                Pkce::Plain => verifier == challenge,
                Pkce::S256 => {
                    let digest = sha2::Sha256::digest(verifier.as_bytes());
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == *challenge
                }
            }
        });
        if !ok {
            return Err(EntraError::new(
                Aadsts::CodeVerifierMismatch,
                "The code_verifier does not match the code_challenge supplied in the authorization request.",
            ));
        }
    }
    Ok(())
}

/// The facts about a refresh request.
#[derive(Debug)]
pub(crate) struct RefreshRequest<'a> {
    pub now: DateTime<Utc>,
    pub client_id: Uuid,
    pub app_name: &'a str,
    pub strict_rotation: bool,
    /// Sign-ins before this instant are revoked (password change,
    /// revokeSignInSessions).
    pub valid_from: DateTime<Utc>,
    pub policy: &'a UserPolicy,
    pub requested_scopes: &'a [String],
    pub consented: &'a BTreeSet<String>,
}

pub(crate) fn refresh_verdict(
    grant: &RefreshGrant,
    req: &RefreshRequest<'_>,
) -> Result<(), EntraError> {
    if grant.client_id != req.client_id {
        return Err(EntraError::new(
            Aadsts::InvalidGrant,
            "Authentication failed. The refresh token isn't valid: it was issued to a different client.",
        ));
    }
    if let (true, Some(retired)) = (req.strict_rotation, grant.retired_at) {
        return Err(EntraError::new(
            Aadsts::InvalidGrant,
            format!(
                "Authentication failed. The refresh token isn't valid: it was redeemed on {} and replaced by a new refresh token (emulator strict rotation; store the refresh token of every response).",
                entra_date(retired)
            ),
        ));
    }
    if grant.auth_time < req.valid_from {
        return Err(EntraError::new(
            Aadsts::FreshTokenNeeded,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                entra_date(grant.auth_time),
                entra_date(req.valid_from)
            ),
        ));
    }
    if req.now - grant.issued_at > Duration::days(REFRESH_MAX_INACTIVE_DAYS) {
        return Err(EntraError::new(
            Aadsts::InactiveToken,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for {REFRESH_MAX_INACTIVE_DAYS}.00:00:00.",
                entra_date(grant.issued_at)
            ),
        ));
    }
    if let Some(max) = req.policy.sign_in_frequency_seconds {
        if req.now - grant.auth_time > Duration::seconds(max) {
            return Err(EntraError::new(
                Aadsts::SignInFrequency,
                format!(
                    "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on {} and the maximum allowed lifetime for this request is {max}.",
                    entra_date(grant.auth_time)
                ),
            ));
        }
    }
    if req.policy.blocked_by_conditional_access {
        return Err(EntraError::new(
            Aadsts::BlockedByConditionalAccess,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        )
        .suberror("message_only"));
    }
    if req.policy.require_mfa && !grant.mfa {
        return Err(EntraError::new(
            Aadsts::MfaRequired,
            format!("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{GRAPH_RESOURCE}'."),
        )
        .suberror("basic_action"));
    }
    if let Some(missing) = req
        .requested_scopes
        .iter()
        .find(|s| !req.consented.contains(*s))
    {
        return Err(EntraError::new(
            Aadsts::DelegationDoesNotExist,
            format!(
                "The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource. (Missing scope: {missing}.)",
                req.client_id, req.app_name
            ),
        )
        .suberror("consent_required"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    const CLIENT: Uuid = Uuid::from_u128(1);
    const OTHER: Uuid = Uuid::from_u128(2);
    const TENANT: Uuid = Uuid::from_u128(3);

    fn code() -> AuthCode {
        AuthCode {
            issued_at: t("2026-03-01T10:00:00Z"),
            redeemed: false,
            tenant_id: TENANT,
            user_id: Uuid::from_u128(4),
            client_id: CLIENT,
            redirect_uri: "http://localhost:5000/".into(),
            scopes: vec!["openid".into()],
            nonce: None,
            // BASE64URL(SHA256(VERIFIER)), computed independently with
            // Python's hashlib.
            code_challenge: Some("2cUDpYvSjaO4LgQFDONI8RRy9mtEukI85UpUIx6Bnvo".into()),
            code_challenge_method: Some(Pkce::S256),
            auth_time: t("2026-03-01T10:00:00Z"),
            mfa: false,
        }
    }

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K0uvcyEsVfM7q1Ef-1hIOyUQ4s";

    fn req() -> CodeRequest<'static> {
        CodeRequest {
            now: t("2026-03-01T10:01:00Z"),
            client_id: CLIENT,
            redirect_uri: Some("http://localhost:5000/"),
            code_verifier: Some(VERIFIER),
            tenant_id: None,
        }
    }

    #[track_caller]
    fn check_code(code: AuthCode, req: CodeRequest<'_>, expect: Option<Aadsts>) {
        assert_eq!(code_verdict(&code, &req).err().map(|e| e.kind), expect);
    }

    #[test]
    fn code_redemption() {
        check_code(code(), req(), None);
        check_code(
            AuthCode {
                redeemed: true,
                ..code()
            },
            req(),
            Some(Aadsts::CodeAlreadyRedeemed),
        );
        check_code(
            code(),
            CodeRequest {
                now: t("2026-03-01T10:10:01Z"),
                ..req()
            },
            Some(Aadsts::ExpiredOrRevokedGrant),
        );
        check_code(
            code(),
            CodeRequest {
                client_id: OTHER,
                ..req()
            },
            Some(Aadsts::InvalidGrant),
        );
        check_code(
            code(),
            CodeRequest {
                tenant_id: Some(OTHER),
                ..req()
            },
            Some(Aadsts::RedeemAgainstWrongTenant),
        );
        check_code(
            code(),
            CodeRequest {
                tenant_id: Some(TENANT),
                ..req()
            },
            None,
        );
        check_code(
            code(),
            CodeRequest {
                redirect_uri: Some("http://localhost:5001/"),
                ..req()
            },
            Some(Aadsts::InvalidReplyTo),
        );
        check_code(
            code(),
            CodeRequest {
                redirect_uri: None,
                ..req()
            },
            Some(Aadsts::MissingParameter),
        );
        check_code(
            code(),
            CodeRequest {
                code_verifier: Some("wrong"),
                ..req()
            },
            Some(Aadsts::CodeVerifierMismatch),
        );
        check_code(
            code(),
            CodeRequest {
                code_verifier: None,
                ..req()
            },
            Some(Aadsts::CodeVerifierMismatch),
        );
        let plain = AuthCode {
            code_challenge: Some("plain-verifier".into()),
            code_challenge_method: Some(Pkce::Plain),
            ..code()
        };
        check_code(
            plain.clone(),
            CodeRequest {
                code_verifier: Some("plain-verifier"),
                ..req()
            },
            None,
        );
        check_code(plain, req(), Some(Aadsts::CodeVerifierMismatch));
        // No challenge at authorize: no verifier needed.
        check_code(
            AuthCode {
                code_challenge: None,
                code_challenge_method: None,
                ..code()
            },
            CodeRequest {
                code_verifier: None,
                ..req()
            },
            None,
        );
    }

    fn grant() -> RefreshGrant {
        RefreshGrant {
            tenant_id: TENANT,
            user_id: Uuid::from_u128(4),
            client_id: CLIENT,
            scopes: vec!["openid".into(), "User.Read".into()],
            auth_time: t("2026-03-01T10:00:00Z"),
            mfa: false,
            issued_at: t("2026-03-02T10:00:00Z"),
            retired_at: None,
        }
    }

    /// The knobs of one refresh case; the defaults pass.
    struct Case {
        now: DateTime<Utc>,
        client_id: Uuid,
        strict: bool,
        valid_from: DateTime<Utc>,
        policy: UserPolicy,
        scopes: Vec<String>,
    }

    fn case() -> Case {
        Case {
            now: t("2026-03-03T10:00:00Z"),
            client_id: CLIENT,
            strict: true,
            valid_from: t("2026-01-01T00:00:00Z"),
            policy: UserPolicy::default(),
            scopes: grant().scopes,
        }
    }

    #[track_caller]
    fn check_refresh(
        grant: RefreshGrant,
        case: Case,
        expect: Option<Aadsts>,
    ) -> Option<EntraError> {
        let consented: BTreeSet<String> = ["openid", "User.Read"].map(String::from).into();
        let req = RefreshRequest {
            now: case.now,
            client_id: case.client_id,
            app_name: "Docket Sync",
            strict_rotation: case.strict,
            valid_from: case.valid_from,
            policy: &case.policy,
            requested_scopes: &case.scopes,
            consented: &consented,
        };
        let got = refresh_verdict(&grant, &req).err();
        assert_eq!(got.as_ref().map(|e| e.kind), expect, "{got:?}");
        got
    }

    #[test]
    fn refresh_redemption() {
        check_refresh(grant(), case(), None);
        check_refresh(
            grant(),
            Case {
                client_id: OTHER,
                ..case()
            },
            Some(Aadsts::InvalidGrant),
        );
        let retired = RefreshGrant {
            retired_at: Some(t("2026-03-02T11:00:00Z")),
            ..grant()
        };
        check_refresh(retired.clone(), case(), Some(Aadsts::InvalidGrant));
        check_refresh(
            retired,
            Case {
                strict: false,
                ..case()
            },
            None,
        );
        check_refresh(
            grant(),
            Case {
                valid_from: t("2026-03-01T10:00:01Z"),
                ..case()
            },
            Some(Aadsts::FreshTokenNeeded),
        );
        // 90 days unused is still fine; a second more is not.
        check_refresh(
            grant(),
            Case {
                now: t("2026-05-31T10:00:00Z"),
                ..case()
            },
            None,
        );
        check_refresh(
            grant(),
            Case {
                now: t("2026-05-31T10:00:01Z"),
                ..case()
            },
            Some(Aadsts::InactiveToken),
        );
        check_refresh(
            grant(),
            Case {
                scopes: vec!["Calendars.ReadWrite".into()],
                ..case()
            },
            Some(Aadsts::DelegationDoesNotExist),
        );
    }

    #[test]
    fn refresh_policies() {
        let policy = |f: fn(&mut UserPolicy)| {
            let mut p = UserPolicy::default();
            f(&mut p);
            Case {
                policy: p,
                ..case()
            }
        };
        check_refresh(
            grant(),
            policy(|p| p.sign_in_frequency_seconds = Some(3600)),
            Some(Aadsts::SignInFrequency),
        );
        check_refresh(
            grant(),
            policy(|p| p.require_mfa = true),
            Some(Aadsts::MfaRequired),
        );
        check_refresh(
            RefreshGrant {
                mfa: true,
                ..grant()
            },
            policy(|p| p.require_mfa = true),
            None,
        );
        check_refresh(
            grant(),
            policy(|p| {
                p.blocked_by_conditional_access = true;
                p.require_mfa = true;
            }),
            Some(Aadsts::BlockedByConditionalAccess),
        );
        let err = check_refresh(
            grant(),
            policy(|p| p.sign_in_frequency_seconds = Some(43200)),
            Some(Aadsts::SignInFrequency),
        );
        assert_eq!(
            err.map(|e| e.headline()).unwrap_or_default(),
            "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-03-01T10:00:00.0000000Z and the maximum allowed lifetime for this request is 43200."
        );
    }
}
