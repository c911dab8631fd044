//! One icon per tray state: distinct shapes (not only colours), outlined
//! so that they read on light and dark panels. Drawn by
//! `icons/generate.py`; the PNGs are committed.

use docket_app::snapshot::TrayState;

/// The PNG for `state`.
pub fn png(state: TrayState) -> &'static [u8] {
    match state {
        TrayState::InStep => include_bytes!("../icons/state-in-step.png"),
        TrayState::Exporting => include_bytes!("../icons/state-exporting.png"),
        TrayState::NotExported => include_bytes!("../icons/state-not-exported.png"),
        TrayState::NeedsUser => include_bytes!("../icons/state-needs-user.png"),
        TrayState::NeedsAdmin => include_bytes!("../icons/state-needs-admin.png"),
        TrayState::Retrying => include_bytes!("../icons/state-retrying.png"),
        TrayState::SignedOut => include_bytes!("../icons/state-signed-out.png"),
        TrayState::Paused => include_bytes!("../icons/state-paused.png"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [TrayState; 8] = [
        TrayState::InStep,
        TrayState::Exporting,
        TrayState::NotExported,
        TrayState::NeedsUser,
        TrayState::NeedsAdmin,
        TrayState::Retrying,
        TrayState::SignedOut,
        TrayState::Paused,
    ];

    #[test]
    fn every_state_has_its_own_icon_that_decodes() {
        for (i, a) in ALL.iter().enumerate() {
            let image = tauri::image::Image::from_bytes(png(*a)).expect("a PNG");
            assert_eq!((image.width(), image.height()), (64, 64), "{a:?}");
            for b in &ALL[i + 1..] {
                assert_ne!(png(*a), png(*b), "{a:?} and {b:?} look the same");
            }
        }
    }
}
