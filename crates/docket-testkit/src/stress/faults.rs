//! Fault storms: one emulator, one signed-in home, a first export, then
//! one scenario after another. Each scenario changes the PMS, runs
//! `docketsync sync` under its fault, and then one clean run that must
//! leave the mailbox equal to the PMS. Reported per scenario: pass/fail,
//! what the faulted run ended with, and the Graph requests both runs cost
//! (as Graph meters them: each `$batch` item counts).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Firm, Rig, Run, UPN};

#[derive(Debug, Clone)]
pub struct Options {
    pub docketsync: PathBuf,
    pub items: u64,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: &'static str,
    pub passed: bool,
    /// How the faulted run ended: `ok`, or its error code.
    pub faulted_run: String,
    /// Graph requests of the faulted and the clean run.
    pub requests: u64,
    /// What was checked beyond convergence, and anything that failed.
    pub note: String,
}

/// The scenarios, in the order they run.
pub const SCENARIOS: [&str; 12] = [
    "429 with Retry-After (fractional) on 15 % of requests",
    "503 on 15 % of requests",
    "connection resets on 10 % of requests (half after the write)",
    "latency spikes (1.5 s on 5 % of requests)",
    "malformed JSON bodies on 10 % of answers",
    "access token expiring mid-batch",
    "refresh token revoked mid-run",
    "network gone for an hour",
    "machine sleeping across the token's expiry",
    "delta token expiring (SyncStateNotFound) mid-paging",
    "source read failing halfway (export cut mid-record)",
    "source read failing halfway (export cut between records)",
];

/// Wait until the emulator has answered `k` more `$batch` items than
/// `base`, or the child ended. True when the items were seen.
async fn until_batch_items(rig: &Rig, child: &mut std::process::Child, base: u64, k: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if rig.batch_items().await >= base + k {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    false
}

fn ended(run: &Run) -> String {
    if run.ok() {
        let failed = run.json["failed"].as_array().map_or(0, Vec::len);
        if failed == 0 {
            "ok".into()
        } else {
            format!(
                "ok, {failed} items left for the next run (first: {})",
                run.json["failed"][0]["reason"]
            )
        }
    } else {
        run.code().unwrap_or("no answer").to_string()
    }
}

/// Run every scenario.
pub async fn run(options: Options) -> Vec<Outcome> {
    let rig = Rig::start(&options.docketsync).await;
    let firm = Firm {
        items: options.items,
    };
    let first = firm.round(0);
    rig.write_pms(&first);
    let run = rig.sync();
    assert!(run.ok(), "first export: {} {}", run.json, run.stderr);
    // Slow every Graph request a little, so that mid-run events land
    // while batches are in flight.
    let slow = json!({"path": "/v1.0/me/*", "kind": "latency", "ms": 40});
    let mut out = vec![];
    for (i, scenario) in SCENARIOS.iter().enumerate() {
        let pms = firm.round(i as u64 + 1);
        rig.write_pms(&pms);
        let before = rig.graph_requests().await;
        let mut note = String::new();
        let mut extra_ok = true;
        let faulted = match i {
            0 => {
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "too_many_requests",
                           "retry_after": 0.35, "probability": 0.1, "seed": 11}),
                )
                .await;
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "too_many_requests",
                           "retry_after": 1.25, "probability": 0.05, "seed": 12}),
                )
                .await;
                rig.sync()
            }
            1 => {
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "service_unavailable",
                           "probability": 0.1, "seed": 21}),
                )
                .await;
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "service_unavailable",
                           "retry_after": 0.5, "probability": 0.05, "seed": 22}),
                )
                .await;
                rig.sync()
            }
            2 => {
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "connection_reset",
                           "probability": 0.05, "seed": 31}),
                )
                .await;
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "connection_reset",
                           "after_handler": true, "probability": 0.05, "seed": 32}),
                )
                .await;
                rig.sync()
            }
            3 => {
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "latency", "ms": 1500,
                           "probability": 0.05, "seed": 41}),
                )
                .await;
                rig.sync()
            }
            4 => {
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "/v1.0/*", "kind": "malformed_json",
                           "after_handler": true, "probability": 0.1, "seed": 51}),
                )
                .await;
                rig.sync()
            }
            5 | 8 => {
                // 5: the emulator's clock passes the access token's expiry
                // while batches are in flight. 8: the same while the
                // process is stopped (SIGSTOP), as a laptop lid closed
                // mid-export; it resumes with an expired token.
                rig.admin("/_admin/faults", slow.clone()).await;
                let base = rig.batch_items().await;
                let mut child = rig.spawn_sync(None);
                let seen = until_batch_items(&rig, &mut child, base, 3).await;
                let pid = child.id().to_string();
                if i == 8 {
                    signal(&pid, "-STOP");
                }
                rig.admin("/_admin/clock/advance", json!({"seconds": 2 * 3600}))
                    .await;
                if i == 8 {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    signal(&pid, "-CONT");
                }
                let run = rig.finish(child);
                if !seen {
                    note += "the run ended before its batches (no expiry mid-batch); ";
                    extra_ok = false;
                }
                if !run.ok() {
                    note += "the run did not survive the expiry; ";
                    extra_ok = false;
                }
                run
            }
            6 => {
                rig.admin("/_admin/faults", slow.clone()).await;
                let base = rig.batch_items().await;
                let mut child = rig.spawn_sync(None);
                let seen = until_batch_items(&rig, &mut child, base, 3).await;
                rig.admin(&format!("/_admin/users/{UPN}/revoke-sessions"), Value::Null)
                    .await;
                // The access token still works until it expires; make it.
                rig.admin("/_admin/clock/advance", json!({"seconds": 2 * 3600}))
                    .await;
                let run = rig.finish(child);
                if !seen {
                    note += "the run ended before the revocation; ";
                    extra_ok = false;
                }
                let who = run.json["error"]["who"].as_str().unwrap_or_default();
                if run.needs_sign_in() && who == "user" {
                    note += "stopped with sign-in needed (who: user); ";
                } else {
                    note += &format!("expected sign-in needed, got {}; ", run.json);
                    extra_ok = false;
                }
                rig.sign_in().await;
                run
            }
            7 => {
                // Entra and Graph unreachable (every connection cut), for
                // an hour of the emulator's clock.
                rig.admin(
                    "/_admin/faults",
                    json!({"path": "*", "kind": "connection_reset"}),
                )
                .await;
                let run = rig.sync();
                let who = run.json["error"]["who"].as_str().unwrap_or_default();
                if run.needs_sign_in() || who == "user" {
                    note += &format!("credential alarm: {}; ", run.json);
                    extra_ok = false;
                } else {
                    note += &format!(
                        "no credential alarm ({}, who: {who}); ",
                        run.code().unwrap_or("?")
                    );
                }
                rig.admin("/_admin/clock/advance", json!({"seconds": 3600}))
                    .await;
                let status = rig.cmd(&["status", "--json"]).output().expect("status");
                let status: Value = serde_json::from_slice(&status.stdout).unwrap_or_default();
                // The state now, not the runs' history (which keeps the
                // revoked sign-in of an earlier scenario).
                let asks = status["sign_in"]["state"] == "sign_in_required"
                    || status["problems"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["code"].as_str().is_some_and(|c| c.starts_with("reauth.")));
                if asks {
                    note += "status asks for a sign-in; ";
                    extra_ok = false;
                }
                run
            }
            9 => {
                // The second page of a delta walk answers 410.
                rig.admin(
                    "/_admin/faults",
                    json!({"method": "GET", "path": "/v1.0/me/*delta", "kind": "sync_state_not_found",
                           "skip": 1, "times": 1}),
                )
                .await;
                let run = rig.sync();
                let fired = rig.get("/_admin/faults").await["faults"][0]["fired"]
                    .as_u64()
                    .unwrap_or(0);
                if fired == 0 {
                    note += "no delta walk had a second page; ";
                    extra_ok = false;
                }
                if run.json["deleted"].as_u64().unwrap_or(0) > deletions(&firm, i as u64 + 1) {
                    note += "deleted more than the PMS lost; ";
                    extra_ok = false;
                }
                run
            }
            _ => {
                // The PMS export is caught while it is being written: only
                // its first part is there. Nothing may be deleted.
                std::fs::write(rig.pms.join("kanzlei.ics"), cut_short(&pms.ics, i == 10))
                    .expect("ics");
                let count = rig.ours().await.len();
                let run = rig.sync();
                let after = rig.ours().await.len();
                if after < count.saturating_sub(deletions(&firm, i as u64 + 1) as usize)
                    || run.json["deleted"].as_u64().unwrap_or(0) > deletions(&firm, i as u64 + 1)
                {
                    note += &format!(
                        "items deleted on a half-read export: {count} before, {after} after; "
                    );
                    extra_ok = false;
                } else if !run.json["brake"].is_null() {
                    note += "nothing deleted (the brake held the deletions); ";
                } else {
                    note += "nothing deleted; ";
                }
                rig.write_pms(&pms);
                run
            }
        };
        rig.clear_faults().await;
        let clean = rig.sync();
        let verdict = rig.verify(&pms.expected).await;
        let converged = clean.complete() && verdict.converged();
        if !converged {
            note += &format!("clean run: {} {verdict:?}; ", ended(&clean));
        }
        let requests = rig.graph_requests().await - before;
        let throttled = faulted.json["requests"]["throttled"].as_u64().unwrap_or(0);
        if throttled > 0 {
            note += &format!("{throttled} answers 429 in the faulted run; ");
        }
        out.push(Outcome {
            scenario,
            passed: converged && extra_ok,
            faulted_run: ended(&faulted),
            requests,
            note: note.trim_end_matches("; ").to_string(),
        });
    }
    out
}

/// The first part of a calendar export `ics`, as a reader finds it while
/// the PMS is still writing it: half of it, cut in the middle of a record
/// (`mid_record`) or after the last record that ends in that half (no
/// `END:VCALENDAR` either way). Also the long run's source fault
/// (`docket-app`'s `tests/it/support/long_run.rs`).
pub fn cut_short(ics: &str, mid_record: bool) -> &str {
    let mut half = ics.len() / 2;
    while !ics.is_char_boundary(half) {
        half -= 1;
    }
    let end = if mid_record {
        half
    } else {
        ics[..half]
            .rfind("END:VEVENT\r\n")
            .map_or(half, |at| at + "END:VEVENT\r\n".len())
    };
    &ics[..end]
}

/// How many records of the PMS a round deletes at most (the planner may
/// delete those).
fn deletions(firm: &Firm, round: u64) -> u64 {
    let before = firm.round(round - 1).expected;
    let now = firm.round(round).expected;
    before.keys().filter(|k| !now.contains_key(*k)).count() as u64
}

fn signal(pid: &str, sig: &str) {
    let _ = std::process::Command::new("kill").args([sig, pid]).status();
}

/// The outcomes as a Markdown table.
pub fn markdown(outcomes: &[Outcome]) -> String {
    let mut s = String::from(
        "| scenario | result | faulted run | Graph requests (faulted + clean run) | notes |\n|---|---|---|---|---|\n",
    );
    for o in outcomes {
        s += &format!(
            "| {} | {} | {} | {} | {} |\n",
            o.scenario,
            if o.passed { "pass" } else { "FAIL" },
            o.faulted_run,
            o.requests,
            o.note
        );
    }
    s
}
