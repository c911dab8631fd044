//! The short version of the long run of the background loop (the
//! harness is `examples/long_run.rs`; figures in `docs/reliability.md`):
//! 120 simulated days of the tray's companion with an 8-hour interval,
//! the PMS changing daily and faults on most days, a 78-day outage of
//! the token endpoint and a client secret expiring just after. What a
//! user notices: the mailbox equals the PMS at the end; the 90-day
//! inactivity warning and the secret's 30-, 14- and 7-day warnings are
//! told once each and nothing is told twice; the sign-in is refreshed on
//! every day the token endpoint answers; no file descriptor, thread or
//! temp-file growth.

#[path = "support/long_run.rs"]
mod harness;

#[tokio::test]
async fn a_hundred_and_twenty_simulated_days_of_the_background_loop() {
    let f = harness::run(harness::Options {
        days: 120,
        items: 40,
        interval_minutes: 480,
        seed: 7,
        max_delete_share: 1.0,
        verbose: std::env::var_os("LONG_RUN_VERBOSE").is_some(),
        log_dir: None,
    })
    .await;
    assert!(f.converged, "the mailbox is not the PMS: {}", f.mismatch);
    assert_eq!(f.lagged_events, 0);
    let keys: Vec<&String> = f.notified.keys().collect();
    let inactivity = keys
        .iter()
        .filter(|k| k.starts_with("inactivity_expiry:"))
        .count();
    assert_eq!(inactivity, 1, "the 90-day warning, once: {:?}", f.notified);
    for step in [30, 14, 7] {
        let key = format!("client_secret_expiring:{step}");
        assert_eq!(
            f.notified.get(&key),
            Some(&1),
            "{key} once: {:?}",
            f.notified
        );
    }
    // "Back in step" ends each episode of trouble under one key (a front
    // end replaces the shown one); every other key is told once.
    assert!(
        f.notified
            .iter()
            .all(|(k, &n)| n == 1 || k == "back_in_step"),
        "nothing told twice: {:?}",
        f.notified
    );
    assert!(
        f.days_without_refresh.is_empty(),
        "days without a good refresh: {:?}",
        f.days_without_refresh
    );
    assert!(f.longest_gap_hours <= 24.0 + 8.0, "{}", f.longest_gap_hours);
    let warm = &f.samples[3];
    let last = f.samples.last().expect("samples");
    assert!(last.fds <= warm.fds + 4, "fds {} → {}", warm.fds, last.fds);
    assert!(
        last.threads <= warm.threads + 4,
        "threads {} → {}",
        warm.threads,
        last.threads
    );
    assert_eq!(last.temp_files, 0, "temp files left: {last:?}");
    assert!(
        last.files <= warm.files + 2,
        "files {} → {}",
        warm.files,
        last.files
    );
}
