//! The long run of the background loop (issue 11) as a command: the
//! tray's companion on a simulated clock against an in-process emulator
//! for many simulated days (see `tests/it/support/long_run.rs` for the
//! timeline), printing its figures as Markdown for `docs/reliability.md`.
//!
//! ```sh
//! cargo run -p docket-app --example long_run -- --days 120 --items 200 --interval 60
//! ```
//!
//! `--log-rotation minutely` (default daily) rotates the log by the
//! minute and `--log-keep N` (default 14) keeps N files: the simulated
//! days pass in seconds, but the appender rotates on the real clock, so a
//! run of some minutes shows rotation and pruning at work through the
//! product's own set-up (`docket_app::logging`).
//!
//! `--max-delete-share` (default 1) is the firm's brake setting; with the
//! product default 0.2 the deletions the PMS made during the token
//! endpoint's outage are braked after it, for good.

#[path = "../tests/it/support/long_run.rs"]
mod long_run;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let log_home = tempfile::tempdir().expect("log folder");
    let paths = docket_paths::Paths::under_home(log_home.path());
    let rotation_name: String = arg(&args, "--log-rotation", "daily".to_string());
    let rotation = match rotation_name.as_str() {
        "minutely" => docket_app::logging::Rotation::MINUTELY,
        "hourly" => docket_app::logging::Rotation::HOURLY,
        _ => docket_app::logging::Rotation::DAILY,
    };
    let log_settings = docket_app::logging::LogSettings {
        keep_days: arg(&args, "--log-keep", 14),
        rotation,
        ..docket_app::logging::LogSettings::default()
    };
    let guard =
        docket_app::logging::init(&paths, docket_app::logging::LogTarget::Tray, &log_settings);
    let options = long_run::Options {
        days: arg(&args, "--days", 120),
        items: arg(&args, "--items", 200),
        interval_minutes: arg(&args, "--interval", 60),
        seed: arg(&args, "--seed", 7),
        max_delete_share: arg(&args, "--max-delete-share", 1.0),
        verbose: args.iter().any(|a| a == "--verbose"),
        log_dir: Some(paths.log_dir.clone()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let f = runtime.block_on(long_run::run(options.clone()));
    drop(guard);
    println!("{}", markdown(&options, &f));
    let seen: std::collections::BTreeSet<&String> =
        f.samples.iter().flat_map(|s| &s.log_names).collect();
    let most = f.samples.iter().map(|s| s.log_files).max().unwrap_or(0);
    println!(
        "Log: rotation {}, keep {}: {} files written over the run, at most {} at once, \
         {} at the end ({}).",
        rotation_name,
        log_settings.keep_days,
        seen.len(),
        most,
        f.samples.last().map_or(0, |s| s.log_files),
        f.samples
            .last()
            .map(|s| s.log_names.join(", "))
            .unwrap_or_default()
    );
    let revoked = f.revocations.len() as u32;
    if f.converged
        && f.lagged_events == 0
        && f.notified.iter().all(|(k, &n)| {
            n == 1 || k == "back_in_step" || (k.starts_with("problem:reauth.") && n <= revoked)
        })
        && f.sleeps.iter().all(|s| !s.sign_in_alarm)
        && f.cuts
            .iter()
            .all(|c| c.vanished == 0 && c.converged_after == Some(true))
        && f.revocations
            .iter()
            .all(|r| r.waiting_for_user && r.resumed)
    {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

fn markdown(o: &long_run::Options, f: &long_run::Figures) -> String {
    let first = &f.samples[1.min(f.samples.len() - 1)];
    let last = f.samples.last().expect("samples");
    let max = |g: fn(&long_run::Sample) -> u64| f.samples.iter().skip(1).map(g).max().unwrap_or(0);
    let mut out = format!(
        "{} simulated days, {} PMS appointments at the start, interval {} min, seed {}: \
         {} runs ({} failed), {} Graph requests, {} items deleted, {:.0} s real time.\n\n\
         | figure | day 1 | last day | max over the run |\n|---|---|---|---|\n",
        o.days,
        o.items,
        o.interval_minutes,
        o.seed,
        f.runs,
        f.failed_runs,
        f.graph_requests,
        f.deleted,
        f.real_seconds
    );
    for (name, a, b, m) in [
        (
            "open file descriptors",
            first.fds as u64,
            last.fds as u64,
            max(|s| s.fds as u64),
        ),
        (
            "threads",
            first.threads as u64,
            last.threads as u64,
            max(|s| s.threads as u64),
        ),
        ("RSS (kB)", first.rss_kb, last.rss_kb, max(|s| s.rss_kb)),
        ("PSS (kB)", first.pss_kb, last.pss_kb, max(|s| s.pss_kb)),
        (
            "files in the home",
            first.files as u64,
            last.files as u64,
            max(|s| s.files as u64),
        ),
        (
            "temp files in the home",
            first.temp_files as u64,
            last.temp_files as u64,
            max(|s| s.temp_files as u64),
        ),
        (
            "log files",
            first.log_files as u64,
            last.log_files as u64,
            max(|s| s.log_files as u64),
        ),
        (
            "log bytes",
            first.log_bytes,
            last.log_bytes,
            max(|s| s.log_bytes),
        ),
    ] {
        out += &format!("| {name} | {a} | {b} | {m} |\n");
    }
    let per_day: Vec<u32> = f.refreshes_per_day.values().copied().collect();
    out += &format!(
        "\nMailbox equal to the PMS at the end: {}{}.\n\
         Good sign-in refreshes per day (days with one): min {}, max {}; days without one \
         outside the outage: {:?}; longest gap outside the outage: {:.1} h.\n\
         Notifications (key: times): {}.\nEvents missed by the reader: {}.\n",
        if f.converged { "yes" } else { "NO" },
        if f.converged {
            String::new()
        } else {
            format!(" ({})", f.mismatch)
        },
        per_day.iter().min().unwrap_or(&0),
        per_day.iter().max().unwrap_or(&0),
        f.days_without_refresh,
        f.longest_gap_hours,
        f.notified
            .iter()
            .map(|(k, n)| format!("`{k}`: {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        f.lagged_events
    );
    let count = |n: usize, of: usize| format!("{n} of {of}");
    let s = &f.sleeps;
    out += &format!(
        "Faults drawn (name: windows): {}.\n\
         Machine sleeping 2 h across the token's expiry: {} (mid-batch: {}); runs in their \
         windows {} ({} failed); a sign-in asked for: {}.\n",
        f.faults
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        s.len(),
        count(s.iter().filter(|s| s.mid_batch).count(), s.len()),
        s.iter().map(|s| s.runs).sum::<u32>(),
        s.iter().map(|s| s.failed_runs).sum::<u32>(),
        s.iter().filter(|s| s.sign_in_alarm).count(),
    );
    let c = &f.cuts;
    out += &format!(
        "PMS export cut short: {} ({} mid-record, the others between records); runs that \
         read a cut export {}; Outlook items the PMS still had that went during a cut: {}; \
         mailbox equal to the PMS before the next day's change: {}.\n",
        c.len(),
        c.iter().filter(|c| c.mid_record).count(),
        c.iter().map(|c| c.runs).sum::<u32>(),
        c.iter().map(|c| c.vanished).sum::<usize>(),
        count(
            c.iter().filter(|c| c.converged_after == Some(true)).count(),
            c.len()
        ),
    );
    let r = &f.revocations;
    let codes: std::collections::BTreeSet<&str> =
        r.iter().filter_map(|r| r.problem.as_deref()).collect();
    out += &format!(
        "Refresh token revoked: {} (mid-batch: {}); the loop waiting for the user, tray \
         \"needs you\": {}; problem shown {:?}, the user's: {}; sign-ins asked {}, completed: \
         {}; exporting again without a restart: {}.\n",
        r.len(),
        count(r.iter().filter(|r| r.mid_batch).count(), r.len()),
        count(r.iter().filter(|r| r.waiting_for_user).count(), r.len()),
        codes,
        count(r.iter().filter(|r| r.who_user).count(), r.len()),
        r.iter().map(|r| r.sign_ins).sum::<u32>(),
        count(r.iter().filter(|r| r.signed_in).count(), r.len()),
        count(r.iter().filter(|r| r.resumed).count(), r.len()),
    );
    out
}
