//! Test fixtures for a snapshot's [`Input`]: Anna Berger signed in, the
//! usual settings and module counts, times on 1 December 2026. Built for
//! docket-app's own tests and, with the feature `fixtures` (a
//! dev-dependency's), for a front end's tests that render a snapshot;
//! not part of the product's API.

use chrono::{DateTime, TimeZone, Utc};
use docket_text::Message;

use super::{Activity, InStep, Input};
use crate::settings::{SettingsView, UserSettings};
use crate::status::{AccountInfo, LastExport, SecretStoreInfo, SignInState, Status, TokenState};

/// `h:m` UTC on 1 December 2026.
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0)
        .single()
        .expect("a valid time")
}

/// The sign-in in `state`; with `signed_in`, Anna Berger's since 07:00,
/// kept in the Linux keyring.
pub fn status(state: SignInState, signed_in: bool) -> Status {
    Status {
        state,
        account: signed_in.then(|| AccountInfo {
            username: "anna@kanzlei.example".into(),
            display_name: Some("Anna Berger".into()),
            object_id: "o".into(),
            tenant_id: "t".into(),
        }),
        signed_in_at: signed_in.then(|| at(7, 0)),
        last_good_refresh_at: None,
        token: TokenState::Present,
        problem: None,
        keep_alive: None,
        warnings: vec![],
        notify: vec![],
        remember_notified: None,
        secret_store: SecretStoreInfo {
            kind: "keyring",
            location: Message::new("secrets-location-keyring")
                .text("platform", "linux")
                .text("service", "DocketSync"),
        },
        last_export: None,
    }
}

/// Calendar and tasks on, contacts off, every 15 minutes; the user may
/// change nothing, the firm sets nothing shown.
pub fn settings() -> SettingsView {
    SettingsView {
        user: UserSettings {
            calendar: true,
            tasks: true,
            contacts: false,
            interval_minutes: 15,
            start_at_login: true,
            language: None,
        },
        user_may_set: vec![],
        firm: vec![],
    }
}

/// The input for `status`, `activity` and `runs` (most recent first):
/// 40 appointments and 7 tasks in step, the [`settings`]' modules, not
/// signing in, no plan from another process.
pub fn input(status: Status, activity: Activity, runs: Vec<LastExport>) -> Input {
    Input {
        status,
        activity,
        signing_in: false,
        runs,
        in_step: InStep {
            calendar: 40,
            tasks: 7,
            contacts: 0,
        },
        modules: (true, true, false),
        settings: settings(),
        planned: None,
    }
}
