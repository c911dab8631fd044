//! Which page an authorize flow shows next. Pure: the handlers gather the
//! facts from the world and the flow, this decides.
//!
//! The order follows what a user sees at Entra: who are you (sign-in page
//! or account picker), then Conditional Access (block or MFA), then
//! consent, then the redirect with a code. `prompt=none` turns every page
//! into an error redirect.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code>

use super::errors::Aadsts;
use super::Prompt;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts {
    pub prompt: Option<Prompt>,
    /// A user is attached to the flow (entered credentials, picked a
    /// session account, or single sign-on).
    pub user: bool,
    /// Session accounts exist to pick from, and the flow wants a picker
    /// (prompt=select_account, or several accounts and no hint).
    pub picker: bool,
    pub blocked: bool,
    pub mfa_pending: bool,
    pub consent_pending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    SignIn,
    PickAccount,
    Mfa,
    Blocked,
    Consent,
    Issue,
    /// Redirect to the client with this OAuth `error` and AADSTS code.
    Fail(&'static str, Aadsts),
}

pub(crate) fn next_step(f: &Facts) -> Step {
    let silent = f.prompt == Some(Prompt::None);
    if !f.user {
        return match (silent, f.picker) {
            // OpenID Connect Core §3.1.2.6: no session → login_required.
            (true, _) => Step::Fail("login_required", Aadsts::UserInformationNotProvided),
            (false, true) => Step::PickAccount,
            (false, false) => Step::SignIn,
        };
    }
    if f.blocked {
        return if silent {
            Step::Fail("interaction_required", Aadsts::BlockedByConditionalAccess)
        } else {
            Step::Blocked
        };
    }
    if f.mfa_pending {
        return if silent {
            Step::Fail("interaction_required", Aadsts::MfaRequired)
        } else {
            Step::Mfa
        };
    }
    if f.consent_pending {
        return if silent {
            // OpenID Connect Core §3.1.2.6 `consent_required`.
            Step::Fail("consent_required", Aadsts::DelegationDoesNotExist)
        } else {
            Step::Consent
        };
    }
    Step::Issue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(facts: Facts, expect: Step) {
        assert_eq!(next_step(&facts), expect, "{facts:?}");
    }

    fn signed_in() -> Facts {
        Facts {
            user: true,
            ..Facts::default()
        }
    }

    #[test]
    fn who_are_you() {
        check(Facts::default(), Step::SignIn);
        check(
            Facts {
                picker: true,
                ..Facts::default()
            },
            Step::PickAccount,
        );
        check(
            Facts {
                prompt: Some(Prompt::None),
                ..Facts::default()
            },
            Step::Fail("login_required", Aadsts::UserInformationNotProvided),
        );
    }

    #[test]
    fn policies_then_consent_then_code() {
        check(signed_in(), Step::Issue);
        check(
            Facts {
                blocked: true,
                mfa_pending: true,
                consent_pending: true,
                ..signed_in()
            },
            Step::Blocked,
        );
        check(
            Facts {
                mfa_pending: true,
                consent_pending: true,
                ..signed_in()
            },
            Step::Mfa,
        );
        check(
            Facts {
                consent_pending: true,
                ..signed_in()
            },
            Step::Consent,
        );
    }

    #[test]
    fn prompt_none_never_shows_a_page() {
        let none = Facts {
            prompt: Some(Prompt::None),
            ..signed_in()
        };
        check(none, Step::Issue);
        check(
            Facts {
                mfa_pending: true,
                ..none
            },
            Step::Fail("interaction_required", Aadsts::MfaRequired),
        );
        check(
            Facts {
                blocked: true,
                ..none
            },
            Step::Fail("interaction_required", Aadsts::BlockedByConditionalAccess),
        );
        check(
            Facts {
                consent_pending: true,
                ..none
            },
            Step::Fail("consent_required", Aadsts::DelegationDoesNotExist),
        );
    }
}
