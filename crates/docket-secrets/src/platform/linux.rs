//! Linux: the freedesktop Secret Service over D-Bus (gnome-keyring,
//! KWallet 5.97+, KeePassXC), through `dbus-secret-service`.

use std::error::Error;

use dbus_secret_service::Error as SsError;

use super::Failure;

pub(crate) const BACKEND: &str = "the Secret Service (gnome-keyring, KWallet or KeePassXC)";

pub(crate) const UNAVAILABLE_FIX: &str = "no Secret Service answered on the D-Bus session bus; \
    start gnome-keyring-daemon or KeePassXC's Secret Service integration \
    (install the gnome-keyring package if neither is there), and make sure \
    DBUS_SESSION_BUS_ADDRESS is set (over SSH, run inside dbus-run-session)";

pub(crate) const LOCKED_FIX: &str = "the login keyring is locked or missing; sign in to \
    the desktop, or unlock (or create) it in Passwords and Keys or KeePassXC, then try again";

/// D-Bus error names (the protocol's stable codes) that mean no bus or
/// no Secret Service provider is there. Not in the list: `NoReply`,
/// `TimedOut`, `Timeout`: a provider was there and did not answer (it was
/// slow, or died during the call), which is `Other`, so that the plaintext
/// opt-in never takes over from a keyring that merely stumbled.
const UNAVAILABLE_NAMES: &[&str] = &[
    "org.freedesktop.DBus.Error.NoServer",
    "org.freedesktop.DBus.Error.FileNotFound",
    "org.freedesktop.DBus.Error.BadAddress",
    "org.freedesktop.DBus.Error.NotSupported",
    "org.freedesktop.DBus.Error.Disconnected",
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.Spawn.ExecFailed",
    "org.freedesktop.DBus.Error.Spawn.ChildExited",
    "org.freedesktop.DBus.Error.Spawn.Failed",
    "org.freedesktop.DBus.Error.Spawn.ServiceNotFound",
];

/// D-Bus error names that mean the provider is there but locked: the
/// Secret Service API's own `IsLocked` (gnome-keyring answers a write to a
/// locked collection with it instead of prompting).
const LOCKED_NAMES: &[&str] = &["org.freedesktop.Secret.Error.IsLocked"];

pub(crate) fn classify(error: &(dyn Error + 'static)) -> Failure {
    let Some(error) = error.downcast_ref::<SsError>() else {
        return super::unknown(error);
    };
    match error {
        SsError::Unavailable => Failure::Unavailable,
        SsError::Locked | SsError::Prompt => Failure::Locked,
        SsError::Dbus(dbus) => match dbus.name() {
            Some(name) if UNAVAILABLE_NAMES.contains(&name) => Failure::Unavailable,
            Some(name) if LOCKED_NAMES.contains(&name) => Failure::Locked,
            _ => Failure::Other,
        },
        _ => Failure::Other,
    }
}
