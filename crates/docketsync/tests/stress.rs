//! Short versions of the stress harnesses (`docket-stress`, in
//! `crates/docket-testkit/src/stress/`; figures of the long runs in
//! `docs/reliability.md`), so that the test command keeps them working:
//! `docketsync sync` killed at every kill point while the PMS changes,
//! and every fault storm, each followed by a clean run that must leave the
//! mailbox equal to the PMS.
//!
//! The CLI runs without the session's Secret Service (its tokens are in
//! the opted-in file): a client killed in the middle of a Secret Service
//! call can abort gnome-keyring for every other test.

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
