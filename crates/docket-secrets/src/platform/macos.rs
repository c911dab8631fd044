//! macOS: the login Keychain (generic passwords), through the `keyring`
//! crate's `apple-native` backend. Untested in CI; see docs/secrets.md.

use std::error::Error;

use super::Failure;

pub(crate) const BACKEND: &str = "the macOS Keychain";

pub(crate) const UNAVAILABLE_FIX: &str = "the login Keychain could not be used; open \
    Keychain Access and check that the login keychain exists and is the default";

pub(crate) const LOCKED_FIX: &str =
    "the login Keychain is locked, missing or read-only; open Keychain Access, \
    unlock the login keychain (or create it), then try again";

pub(crate) fn classify(error: &(dyn Error + 'static)) -> Failure {
    super::unknown(error)
}
