//! The planner's time for 10,000 items (6,000 appointments, 2,000
//! deadlines, 2,000 contacts): a first run (empty state) and a no-op run
//! (state as after the export). No I/O, no emulator: only `plan`.
//!
//! Run: `cargo bench -p docket-export --bench plan` (prints a Markdown
//! table; docs/benchmarks.md holds the last one).

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use docket_export::{plan, Entry, ExportState, Op, PlanChoices, Remote};
use docket_source::{read_bytes, ReadOptions, Snapshot};

fn firm() -> Snapshot {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for i in 0..6_000 {
        let (day, month) = (1 + i % 28, 1 + (i / 28) % 6);
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:ev-{i}\r\nSUMMARY:Termin {i}\r\nLOCATION:Raum {}\r\n\
             DESCRIPTION:Mandantengespräch zur Akte {i}/26\\, bitte Unterlagen mitbringen.\r\n\
             DTSTART;TZID=Europe/Berlin:2027{month:02}{day:02}T090000\r\n\
             DTEND;TZID=Europe/Berlin:2027{month:02}{day:02}T100000\r\nEND:VEVENT\r\n",
            i % 7
        ));
    }
    for i in 0..2_000 {
        ics.push_str(&format!(
            "BEGIN:VTODO\r\nUID:due-{i}\r\nSUMMARY:Frist {i}\r\nCATEGORIES:Frist\r\n\
             DUE;VALUE=DATE:2027{:02}{:02}\r\nEND:VTODO\r\n",
            1 + (i / 28) % 6,
            1 + i % 28
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    let mut vcf = String::new();
    for i in 0..2_000 {
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c-{i}\r\nFN:Mandant {i}\r\nN:{i};Mandant;;;\r\n\
             EMAIL:m{i}@example.com\r\nTEL;TYPE=work:+49 30 1234{i}\r\n\
             ADR;TYPE=work:;;Hauptstraße {i};Berlin;;10115;Deutschland\r\n\
             X-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n"
        ));
    }
    let mut snap = read_bytes("bench.ics", ics.as_bytes(), &ReadOptions::default());
    snap.contacts = read_bytes("bench.vcf", vcf.as_bytes(), &ReadOptions::default()).contacts;
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    snap
}

/// The state an executor would hold after carrying out `ops`.
fn exported(ops: &[Op]) -> ExportState {
    ops.iter()
        .enumerate()
        .filter_map(|(i, op)| match op {
            Op::Create(c) => Some((
                c.key.clone(),
                Entry {
                    kind: c.kind,
                    remote_id: Some(format!("id-{i}")),
                    container: None,
                    hash: c.hash.clone(),
                    categories: c.categories.clone(),
                    user_categories: vec![],
                    version: None,
                    generation: c.generation,
                    fingerprint: c.fingerprint.clone(),
                },
            )),
            _ => None,
        })
        .collect()
}

/// Median of `runs` timings of `f`; what `f` returns is dropped after the
/// clock stops (dropping a plan is the caller's cost, not the planner's).
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let out = f();
            let took = start.elapsed();
            drop(out);
            took
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
    let snap = firm();
    let items = snap.appointments.len() + snap.deadlines.len() + snap.contacts.len();
    let choices = PlanChoices::new(chrono_tz::Tz::Europe__Berlin);
    let remote = Remote::default();
    let first = plan(&snap, &ExportState::new(), &remote, &choices, now);
    let state = exported(&first.ops);
    // As in the executor, a plan is gone once carried out.
    drop(first);
    let noop = plan(&snap, &state, &remote, &choices, now);
    assert!(noop.ops.is_empty(), "a no-op run plans no writes");

    if std::env::var_os("PLAN_BENCH_PARTS").is_some() {
        let ctx = docket_export::MapContext {
            mailbox_zone: choices.mailbox_zone,
            force_private: choices.force_private,
            deadlines_to: choices.deadlines_to,
            lang: choices.lang,
            window: choices.window(now),
        };
        let t = median(11, || docket_export::map::map_snapshot(&snap, &ctx));
        eprintln!("map_snapshot alone: {:.1} ms", t.as_secs_f64() * 1000.0);
    }
    println!("| planning {items} items (median of 11) | time | ops | unchanged |");
    println!("|---|---:|---:|---:|");
    for (name, st) in [
        ("first run (empty state)", ExportState::new()),
        ("no-op run", state),
    ] {
        let t = median(11, || plan(&snap, &st, &remote, &choices, now));
        let p = plan(&snap, &st, &remote, &choices, now);
        println!(
            "| {name} | {:.1} ms | {} | {} |",
            t.as_secs_f64() * 1000.0,
            p.ops.len(),
            p.unchanged
        );
    }
}
