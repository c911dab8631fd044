//! Crash convergence: `docketsync sync` killed at random moments and at
//! each named crash point while the PMS changes between runs; after each
//! kill one clean run must leave the mailbox equal to the PMS, with no
//! item twice, none lost, and the sign-in intact.
//!
//! Kill points, taken in turn:
//! - `random`: SIGKILL after a random time (start-up, reads, plan, writes);
//! - `before-intent`, `after-intent`, `after-answer`, `token-redeemed`,
//!   `token-write`: the binary aborts at the `n`th passage of that crash
//!   point (`docket-crash`, armed in this harness's build);
//! - `mid-batch`: SIGKILL once the emulator has answered `k` items of the
//!   run's `$batch` requests (`/_admin/stats`), while the rest of that
//!   batch is still being worked on: the answer never arrives.
//!
//! With [`Options::keyring`] the tokens are in a real Secret Service, a
//! private gnome-keyring of the harness's own ([`super::keyring`]), and
//! the runs are killed inside the refresh token's rotation only
//! ([`KEYRING_MODES`]): after each kill the keyring must hold the old or
//! the new token whole, and after each clean run no chunk without its
//! manifest.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use super::keyring::{self, Holdings, PrivateKeyring};
use super::{kill, signal_of, Firm, Rig, Rng, Verdict, UPN};

/// The kill points, in the order runs take them.
pub const MODES: [&str; 7] = [
    "random",
    docket_crash::BEFORE_INTENT,
    docket_crash::AFTER_INTENT,
    "mid-batch",
    docket_crash::AFTER_ANSWER,
    docket_crash::TOKEN_REDEEMED,
    docket_crash::TOKEN_WRITE,
];

/// The kill points of a keyring run, in turn: inside the keyring write
/// (the new token's chunks written, the manifest not yet switched), just
/// before it (Entra rotated the token, nothing stored yet), and [`EARLY`].
pub const KEYRING_MODES: [&str; 3] = [
    docket_crash::TOKEN_WRITE,
    docket_crash::TOKEN_REDEEMED,
    EARLY,
];

/// SIGKILL at a random moment of a run's first [`EARLY_WINDOW_MS`]: its
/// start-up, the keyring probe (a write, a read and a delete), the
/// refresh and the rotated token's keyring write, so that some kills land
/// in the middle of a Secret Service call.
pub const EARLY: &str = "random-early";
/// The window of [`EARLY`] kills, in milliseconds after the start.
pub const EARLY_WINDOW_MS: u64 = 400;

#[derive(Debug, Clone)]
pub struct Options {
    pub docketsync: PathBuf,
    pub runs: u64,
    pub items: u64,
    pub seed: u64,
    /// Print a line per run.
    pub verbose: bool,
    /// Tokens in a private gnome-keyring (the keyring store) instead of the
    /// plaintext file, and only the [`KEYRING_MODES`] kills.
    pub keyring: bool,
}

impl Options {
    /// The kill points this run takes in turn.
    pub fn modes(&self) -> &'static [&'static str] {
        if self.keyring {
            &KEYRING_MODES
        } else {
            &MODES
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub runs: u64,
    pub items: u64,
    pub seed: u64,
    /// Per kill point: runs that were cut off there.
    pub covered: BTreeMap<String, u64>,
    /// Per kill point: runs that ended before the point was reached.
    pub missed: BTreeMap<String, u64>,
    pub duplicates: usize,
    pub lost: usize,
    pub stale: usize,
    pub wrong: usize,
    /// Clean runs that needed a new sign-in.
    pub sign_ins_lost: u64,
    /// Clean runs that did not finish `ok` with every item done.
    pub clean_runs_failed: u64,
    /// Writes of a second clean run at the end (must be 0).
    pub final_writes: u64,
    /// Secrets-file temporaries the kills left behind (each holding a
    /// refresh token): proof that `token-write` kills land in the write.
    pub leftover_temp_files: usize,
    /// Of those, what a sign-out two minutes later leaves (must be 0).
    pub temp_files_after_sign_out: usize,
    /// The figures of a keyring run (`None`: the plaintext file).
    pub keyring: Option<KeyringFigures>,
    pub first_export_seconds: f64,
    pub seconds: f64,
}

/// What a keyring run found in the private Secret Service.
#[derive(Debug, Clone, Default)]
pub struct KeyringFigures {
    /// Checks of the user's entries: after each kill and after each clean
    /// run.
    pub checks: u64,
    /// Chunks without a manifest right after the `token-write` kills:
    /// proof that those kills land inside the keyring write.
    pub orphans_after_kills: usize,
    /// Refresh tokens found torn (manifest without its whole chunks) or
    /// missing, after a kill or after a clean run (must be 0).
    pub torn: usize,
    /// Checks after which the user had no refresh token at all (must be 0).
    pub missing: usize,
    /// Chunks without a manifest after the clean runs (must be 0).
    pub orphans_after_clean_runs: usize,
    /// Account names held by two items (must be 0).
    pub ambiguous: usize,
    /// Clean runs after which the harness's gnome-keyring no longer owned
    /// the Secret Service (must be 0).
    pub daemon_deaths: u64,
    /// Where the [`EARLY`] kills landed: before the rotated token's
    /// keyring write (the stored generation unchanged, no new chunk),
    /// inside it (a new chunk without its manifest) and after it (the
    /// manifest switched).
    pub early_before_write: u64,
    pub early_inside_write: u64,
    pub early_after_write: u64,
    /// Probe entries (`v1/probe/…`) left at the end.
    pub probe_entries_left: usize,
    /// The user's items after the sign-out at the end (must be 0).
    pub items_after_sign_out: usize,
}

impl KeyringFigures {
    fn passed(&self) -> bool {
        self.torn == 0
            && self.missing == 0
            && self.orphans_after_clean_runs == 0
            && self.ambiguous == 0
            && self.daemon_deaths == 0
            && self.items_after_sign_out == 0
    }
}

impl Report {
    pub fn passed(&self) -> bool {
        self.duplicates == 0
            && self.lost == 0
            && self.stale == 0
            && self.wrong == 0
            && self.sign_ins_lost == 0
            && self.clean_runs_failed == 0
            && self.final_writes == 0
            && self.temp_files_after_sign_out == 0
            && self.keyring.as_ref().is_none_or(KeyringFigures::passed)
    }

    /// The kill points of this run.
    pub fn modes(&self) -> &'static [&'static str] {
        if self.keyring.is_some() {
            &KEYRING_MODES
        } else {
            &MODES
        }
    }

    /// The figures as a Markdown table.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "| figure | value |\n|---|---|\n| runs (each killed, then one clean run) | {} |\n\
             | PMS records | {} (appointments, deadlines as To Do tasks, contacts) |\n\
             | refresh tokens in | {} |\n",
            self.runs,
            self.items,
            if self.keyring.is_some() {
                "a private gnome-keyring (the keyring store, chunked)"
            } else {
                "the opted-in plaintext file"
            }
        );
        for &mode in self.modes() {
            s += &format!(
                "| killed at `{mode}` | {} (ended before reaching it: {}) |\n",
                self.covered.get(mode).copied().unwrap_or(0),
                self.missed.get(mode).copied().unwrap_or(0)
            );
        }
        s += &format!(
            "| duplicates found | {} |\n| items lost | {} |\n| stale items left | {} |\n\
             | items with old content | {} |\n| sign-ins lost | {} |\n\
             | clean runs that failed or left items | {} |\n| writes of the final no-op run | {} |\n\
             | secrets temp files left by the kills | {} |\n\
             | of those, left after a sign-out two minutes later | {} |\n",
            self.duplicates,
            self.lost,
            self.stale,
            self.wrong,
            self.sign_ins_lost,
            self.clean_runs_failed,
            self.final_writes,
            self.leftover_temp_files,
            self.temp_files_after_sign_out,
        );
        if let Some(k) = &self.keyring {
            s += &format!(
                "| keyring checks (after each kill and each clean run) | {} |\n\
                 | chunks without a manifest right after the `token-write` kills | {} |\n\
                 | refresh tokens torn | {} |\n| refresh tokens missing | {} |\n\
                 | chunks without a manifest after the clean runs | {} |\n\
                 | account names on two items | {} |\n| keyring daemon deaths | {} |\n\
                 | `random-early` kills before / inside / after the token's keyring write | {} / {} / {} |\n\
                 | probe entries left | {} |\n| the user's keyring items after the sign-out | {} |\n",
                k.checks,
                k.orphans_after_kills,
                k.torn,
                k.missing,
                k.orphans_after_clean_runs,
                k.ambiguous,
                k.daemon_deaths,
                k.early_before_write,
                k.early_inside_write,
                k.early_after_write,
                k.probe_entries_left,
                k.items_after_sign_out
            );
        }
        s += &format!(
            "| first export | {:.1} s |\n| whole harness | {:.0} s |\n",
            self.first_export_seconds, self.seconds
        );
        s
    }
}

fn add(report: &mut Report, v: &Verdict) {
    report.duplicates += v.duplicates;
    report.lost += v.lost;
    report.stale += v.stale;
    report.wrong += v.wrong;
}

/// Run the harness.
pub async fn run(options: Options) -> Report {
    let started = Instant::now();
    let rig = Rig::start_with(
        &options.docketsync,
        options.keyring.then(PrivateKeyring::start),
    )
    .await;
    let firm = Firm {
        items: options.items,
    };
    let mut rng = Rng(options.seed);
    let mut report = Report {
        runs: options.runs,
        items: options.items,
        seed: options.seed,
        keyring: options.keyring.then(KeyringFigures::default),
        ..Report::default()
    };
    if let Some(k) = &rig.keyring {
        let h = holdings(k);
        assert!(
            h.whole == 1 && h.items == 2,
            "the sign-in did not store the refresh token in the private keyring \
             (manifest and one chunk): {h:?}"
        );
    }

    // A first complete export: later runs read changes by delta query, and
    // a create cut off before its answer must be found by its tag (tasks,
    // contacts) or deduplicated by transactionId (events).
    let pms = firm.round(0);
    rig.write_pms(&pms);
    let t = Instant::now();
    let first = rig.sync();
    report.first_export_seconds = t.elapsed().as_secs_f64();
    assert!(
        first.ok(),
        "first export: {:?} {}",
        first.json,
        first.stderr
    );
    add(&mut report, &rig.verify(&pms.expected).await);

    let mut last_run = Duration::from_secs_f64(report.first_export_seconds);
    // The stored refresh token's generation, as the last clean run left it.
    let mut generation = rig.keyring.as_ref().map(stored_generation);
    for run in 0..options.runs {
        let pms = firm.round(run + 1);
        let (creates, writes) = firm.changes(run + 1);
        rig.write_pms(&pms);
        let modes = options.modes();
        let mode = modes[(run % modes.len() as u64) as usize];
        // Slow the writes a little, so that kills land inside batches.
        rig.admin(
            "/_admin/faults",
            json!({"path": "/v1.0/me/*", "kind": "latency", "ms": 8}),
        )
        .await;
        let outcome = match mode {
            "random" | EARLY => {
                let longest = if mode == EARLY {
                    EARLY_WINDOW_MS
                } else {
                    (last_run.as_millis() as u64).max(200)
                };
                let after = Duration::from_millis(rng.range(20, longest));
                let mut child = rig.spawn_sync(None);
                let deadline = Instant::now() + after;
                let mut done = false;
                while Instant::now() < deadline {
                    if child.try_wait().expect("poll").is_some() {
                        done = true;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                kill(&mut child);
                !done
            }
            "mid-batch" => {
                let mut k = rng.range(1, writes.max(2) - 1);
                if k % 20 == 0 {
                    k += 1; // inside a batch of 20, not at its end
                }
                let base = rig.batch_items().await;
                let mut child = rig.spawn_sync(None);
                let deadline = Instant::now() + Duration::from_secs(120);
                let mut cut = false;
                while Instant::now() < deadline {
                    if child.try_wait().expect("poll").is_some() {
                        break;
                    }
                    if rig.batch_items().await >= base + k {
                        cut = true;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                kill(&mut child);
                cut
            }
            point => {
                // Every run refreshes once at its start; the intents are
                // written one per create, the answers recorded one per
                // write, all batches sent at once.
                let n = match point {
                    docket_crash::BEFORE_INTENT => rng.range(1, creates.max(1)),
                    docket_crash::AFTER_ANSWER => rng.range(1, writes.max(1)),
                    _ => 1,
                };
                let child = rig.spawn_sync(Some(&format!("{point}:{n}")));
                let end = rig.finish(child);
                // SIGABRT: the crash point fired.
                signal_of(&end.status) == Some(6)
            }
        };
        *if outcome {
            report.covered.entry(mode.to_string()).or_default()
        } else {
            report.missed.entry(mode.to_string()).or_default()
        } += 1;
        rig.clear_faults().await;
        if let (Some(k), Some(figures)) = (&rig.keyring, report.keyring.as_mut()) {
            // Right after the kill: the old token or the new one, whole.
            let h = holdings(k);
            figures.checks += 1;
            figures.torn += h.torn;
            figures.missing += usize::from(h.whole + h.torn == 0);
            figures.ambiguous += h.ambiguous;
            if mode == docket_crash::TOKEN_WRITE && outcome {
                figures.orphans_after_kills += h.orphan_chunks;
            }
            if mode == EARLY && outcome {
                *if h.orphan_chunks > 0 {
                    &mut figures.early_inside_write
                } else if generation == Some(stored_generation(k)) {
                    &mut figures.early_before_write
                } else {
                    &mut figures.early_after_write
                } += 1;
            }
            if options.verbose || h.torn + h.ambiguous > 0 || h.whole != 1 {
                eprintln!("run {run}: {mode}: the keyring after the kill: {h:?}");
            }
        }

        // One clean run.
        let t = Instant::now();
        let mut clean = rig.sync();
        last_run = t.elapsed();
        if clean.needs_sign_in() {
            report.sign_ins_lost += 1;
            rig.sign_in().await;
            clean = rig.sync();
        }
        if !clean.complete() {
            report.clean_runs_failed += 1;
            eprintln!(
                "run {run}: the clean run failed: {} {}",
                clean.json, clean.stderr
            );
        }
        let verdict = rig.verify(&pms.expected).await;
        if options.verbose || !verdict.converged() {
            eprintln!(
                "run {run}: {mode}: {}; clean run: {} writes; {verdict:?}",
                if outcome { "cut off" } else { "ended first" },
                clean.json["requests"]["writes"]
            );
        }
        add(&mut report, &verdict);
        if let (Some(k), Some(figures)) = (&rig.keyring, report.keyring.as_mut()) {
            if !k.alive() {
                figures.daemon_deaths += 1;
                eprintln!(
                    "run {run}: {mode}: the private gnome-keyring (pid {}) no longer owns the \
                     Secret Service; stopping (its log: {})",
                    k.daemon_pid,
                    k.log().display()
                );
                break;
            }
            let h = holdings(k);
            figures.checks += 1;
            figures.torn += h.torn;
            figures.missing += usize::from(h.whole + h.torn == 0);
            figures.ambiguous += h.ambiguous;
            figures.orphans_after_clean_runs += h.orphan_chunks;
            if options.verbose
                || h != (Holdings {
                    whole: 1,
                    items: 2,
                    ..Holdings::default()
                })
            {
                eprintln!("run {run}: the keyring after the clean run: {h:?}");
            }
            generation = Some(stored_generation(k));
        }
    }
    let quiet = rig.sync();
    report.final_writes = quiet.json["requests"]["writes"]
        .as_u64()
        .unwrap_or(u64::MAX);
    let left = temp_files(&rig);
    report.leftover_temp_files = left.len();
    // Two minutes later (the files' clock set back), the fee-earner signs
    // out: no refresh token may stay behind in the folder.
    let earlier = std::time::SystemTime::now() - Duration::from_secs(180);
    for path in &left {
        if let Ok(f) = std::fs::File::options().write(true).open(path) {
            let _ = f.set_modified(earlier);
        }
    }
    let signout = rig.cmd(&["signout"]).output().expect("signout");
    assert!(signout.status.success(), "signout: {signout:?}");
    report.temp_files_after_sign_out = temp_files(&rig).len();
    if let (Some(k), Some(figures)) = (&rig.keyring, report.keyring.as_mut()) {
        let entries = k.entries();
        figures.items_after_sign_out = keyring::holdings(&entries, UPN).items;
        figures.probe_entries_left = entries
            .iter()
            .filter(|e| e.account.starts_with("v1/probe/"))
            .count();
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// The user's entries in the private keyring.
fn holdings(k: &PrivateKeyring) -> Holdings {
    keyring::holdings(&k.entries(), &UPN.to_ascii_lowercase())
}

/// The generation of the user's stored refresh token (`u64::MAX`: none).
fn stored_generation(k: &PrivateKeyring) -> u64 {
    keyring::generations(&k.entries(), &UPN.to_ascii_lowercase())
        .into_iter()
        .max()
        .unwrap_or(u64::MAX)
}

/// Temporary files of the plaintext secrets store a kill left behind.
fn temp_files(rig: &Rig) -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.starts_with(".secrets-"))
            {
                out.push(p);
            }
        }
    }
    let mut out = vec![];
    walk(rig.home.path(), &mut out);
    out
}
