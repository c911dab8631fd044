//! Other Unix (FreeBSD, OpenBSD): the Secret Service as on Linux, but
//! failures are not classified further. Untested.

use std::error::Error;

use super::Failure;

pub(crate) const BACKEND: &str = "the Secret Service";

pub(crate) const UNAVAILABLE_FIX: &str = "start gnome-keyring-daemon or KeePassXC's \
    Secret Service integration, and make sure DBUS_SESSION_BUS_ADDRESS is set";

pub(crate) const LOCKED_FIX: &str = "unlock the login keyring, then try again";

pub(crate) fn classify(error: &(dyn Error + 'static)) -> Failure {
    super::unknown(error)
}
