//! Short versions of the stress harnesses (`docket-stress`, in
//! `crates/docket-testkit/src/stress/`; figures of the long runs in
//! `docs/reliability.md`), so that the test command keeps them working:
//! `docketsync sync` killed at every kill point while the PMS changes,
//! and every fault storm, each followed by a clean run that must leave the
//! mailbox equal to the PMS.
//!
//! The CLI runs without the session's Secret Service: a client killed in
//! the middle of a Secret Service call can abort gnome-keyring for every
//! other test. Its tokens are in the opted-in file, or, for the keyring
//! kills, in a private gnome-keyring on a private bus that the harness
//! starts and stops (`docket_testkit::stress::keyring`).

use docket_testkit::stress::{crash, faults};

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");

/// Two runs per kill point (random moment, before an intent, after the
/// intents, inside a `$batch`, after the answers, after Entra rotated the
/// refresh token, inside the token's write), 200 PMS records: no item
/// twice, none lost, no stale item, the sign-in kept, and a final run that
/// writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_at_random_points_converges_without_duplicates() {
    let report = crash::run(crash::Options {
        docketsync: BIN.into(),
        runs: 2 * crash::MODES.len() as u64,
        items: 200,
        seed: 0x5eed_d0c4,
        verbose: true,
        keyring: false,
    })
    .await;
    assert!(report.passed(), "{}", report.markdown());
    for mode in crash::MODES {
        assert!(
            report.covered.get(mode).copied().unwrap_or(0) >= 1,
            "no run was cut off at {mode}: {}",
            report.markdown()
        );
    }
    assert!(
        report.leftover_temp_files >= 1,
        "a token-write kill lands inside the write: {}",
        report.markdown()
    );
}

/// Every fault storm of `docs/reliability.md` on 200 PMS records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_storm_ends_in_convergence_at_the_next_run() {
    let outcomes = faults::run(faults::Options {
        docketsync: BIN.into(),
        items: 200,
    })
    .await;
    assert_eq!(outcomes.len(), faults::SCENARIOS.len());
    assert!(
        outcomes.iter().all(|o| o.passed),
        "{}",
        faults::markdown(&outcomes)
    );
}

/// Kills inside the rotation of a refresh token kept in a real Secret
/// Service (a private gnome-keyring): two runs killed inside the keyring
/// write (the new token's chunks written, the manifest not yet switched),
/// two right after Entra rotated the token and two at a random moment of
/// the first 400 ms (start-up, keyring probe, refresh, token write), 40
/// PMS records. After each
/// kill the keyring holds a whole token; each clean run signs in without
/// the user (sign-ins lost: 0), leaves no item twice and loses none, and
/// leaves no chunk without its manifest; the sign-out leaves nothing of
/// the user. Skipped without `dbus-run-session`, `gnome-keyring-daemon`,
/// `dbus-send` or `secret-tool`, unless `DOCKET_REQUIRE_KEYRING=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_inside_keyring_writes_keeps_the_sign_in() {
    const TEST: &str = "sync_killed_inside_keyring_writes_keeps_the_sign_in";
    if let Some(tool) = docket_testkit::stress::keyring::missing_tool() {
        if std::env::var("DOCKET_REQUIRE_KEYRING").as_deref() == Ok("1") {
            panic!(
                "DOCKET_REQUIRE_KEYRING=1 but {tool} is missing \
                 (apt-get install gnome-keyring dbus libsecret-tools)"
            );
        }
        eprintln!("skipping {TEST}: {tool} is missing");
        return;
    }
    let report = crash::run(crash::Options {
        docketsync: BIN.into(),
        runs: 2 * crash::KEYRING_MODES.len() as u64,
        items: 40,
        seed: 0x5eed_d0c4,
        verbose: true,
        keyring: true,
    })
    .await;
    assert!(report.passed(), "{}", report.markdown());
    for mode in ["token-write", "token-redeemed"] {
        assert_eq!(
            report.covered.get(mode).copied().unwrap_or(0),
            2,
            "every run is cut off at {mode}: {}",
            report.markdown()
        );
    }
    let keyring = report.keyring.as_ref().expect("keyring figures");
    assert!(
        keyring.orphans_after_kills >= 2,
        "each token-write kill lands inside the keyring write, its new chunk written: {}",
        report.markdown()
    );
}
