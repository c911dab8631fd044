//! What differs per OS: the backend's name, how its failures are
//! classified, and what to tell the user to do about them.
//!
//! `PlatformFailure`s carry the backend's own error; each module looks at
//! that error's type (never its message text) to tell "no keyring here"
//! from other failures.

use std::error::Error;

/// What a backend failure means for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No keyring service is running or reachable.
    Unavailable,
    /// The keyring is there but locked.
    Locked,
    /// Anything else.
    Other,
}

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub(crate) use linux::*;

#[cfg(target_os = "windows")]
mod windows;
#[cfg(target_os = "windows")]
pub(crate) use windows::*;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub(crate) use macos::*;

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
mod other;
#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
pub(crate) use other::*;

/// Shared by the modules: a failure whose type they do not know.
#[allow(dead_code)] // not every platform module needs it
pub(crate) fn unknown(_error: &(dyn Error + 'static)) -> Failure {
    Failure::Other
}
