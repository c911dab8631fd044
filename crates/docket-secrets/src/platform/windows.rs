//! Windows: Credential Manager (generic credentials), through the
//! `keyring` crate's `windows-native` backend. Untested in CI; see
//! docs/secrets.md.

use std::error::Error;

use super::Failure;

pub(crate) const BACKEND: &str = "Windows Credential Manager";

pub(crate) const UNAVAILABLE_FIX: &str = "Windows Credential Manager refused the request; \
    check that the Credential Manager service (VaultSvc) is running and that \
    this is an interactive user session (not a service account)";

pub(crate) const LOCKED_FIX: &str =
    "Windows Credential Manager is not accessible in this session; sign in to Windows interactively";

pub(crate) fn classify(error: &(dyn Error + 'static)) -> Failure {
    super::unknown(error)
}
