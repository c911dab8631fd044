//! Export benchmarks against the in-process emulator: Graph requests and
//! wall time for 10,000 items (calendar + tasks + contacts) — first export,
//! a no-op run, and a run with 1 % changed — without and with 50 ms of
//! emulated latency per request, and the planner's time for 10,000 items.
//!
//! Run: `cargo run --release -p docket-app --example bench` (writes a
//! Markdown table to stdout; docs/benchmarks.md holds the last one).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use docket_app::executor::{export, ExportOptions, ExportReport, ExportStore};
use docket_export::{Entry, ExportState, PlanChoices, SourceKey};
use docket_graph::{GraphClient, Options, TokenError, TokenSource};
use docket_secrets::SecretString;
use docket_source::{read_bytes, ReadOptions, Snapshot};
use docket_store::StateDb;
use m365_emulator::{throttle::Limits, EmulatorConfig, TestServer};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const EVENTS: usize = 6_000;
const DEADLINES: usize = 2_000;
const CONTACTS: usize = 2_000;

struct Token(String);

impl TokenSource for Token {
    async fn access_token(&self, _: Option<&SecretString>) -> Result<SecretString, TokenError> {
        Ok(SecretString::new(self.0.clone()))
    }
}

fn firm(changed_every: Option<usize>) -> Snapshot {
    let mark = |i: usize| match changed_every {
        Some(n) if i % n == 0 => " (geändert)",
        _ => "",
    };
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for i in 0..EVENTS {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 6;
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:ev-{i}\r\nSUMMARY:Termin {i}{}\r\nLOCATION:Raum {}\r\nDTSTART;TZID=Europe/Berlin:2027{month:02}{day:02}T090000\r\nDTEND;TZID=Europe/Berlin:2027{month:02}{day:02}T100000\r\nEND:VEVENT\r\n",
            mark(i),
            i % 7
        ));
    }
    for i in 0..DEADLINES {
        ics.push_str(&format!(
            "BEGIN:VTODO\r\nUID:due-{i}\r\nSUMMARY:Frist {i}{}\r\nCATEGORIES:Frist\r\nDUE;VALUE=DATE:2027{:02}{:02}\r\nEND:VTODO\r\n",
            mark(i),
            1 + (i / 28) % 6,
            1 + i % 28
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    let mut vcf = String::new();
    for i in 0..CONTACTS {
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c-{i}\r\nFN:Mandant {i}{}\r\nN:{i};Mandant;;;\r\nEMAIL:m{i}@example.com\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n",
            mark(i)
        ));
    }
    let mut snap = read_bytes("bench.ics", ics.as_bytes(), &ReadOptions::default());
    let cards = read_bytes("bench.vcf", vcf.as_bytes(), &ReadOptions::default());
    snap.contacts = cards.contacts;
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    snap
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

struct Row {
    scenario: String,
    report: ExportReport,
    wall: Duration,
}

async fn run_all(latency_ms: u64, rows: &mut Vec<Row>) -> ExportState {
    // Outlook's real budget (10,000 per 10 minutes) would make the first
    // export wait out a window; it is raised here so that the figures show
    // the client's own cost. See docs/benchmarks.md for the budget floor.
    let server = TestServer::start(EmulatorConfig {
        throttle: Some(Limits {
            max_concurrent: 4,
            budget: 1_000_000,
            window_seconds: 600,
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let http = reqwest::Client::new();
    if latency_ms > 0 {
        let r = http
            .post(format!("{}/_admin/faults", server.base_url))
            .json(&serde_json::json!({"path": "/v1.0/*", "kind": "latency", "ms": latency_ms}))
            .send()
            .await
            .expect("fault");
        assert!(r.status().is_success());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Mutex::new(StateDb::open(&dir.path().join("state.sqlite3")).expect("db"));
    let choices = PlanChoices::new(chrono_tz::Tz::Europe__Berlin);
    let base = firm(None);
    let changed = firm(Some(100));
    for (name, snap) in [
        ("first export", &base),
        ("no-op run", &base),
        ("1 % changed", &changed),
    ] {
        let mut options = Options::new(format!("{}/v1.0", server.base_url));
        options.timeout = Duration::from_secs(600);
        // The client paces itself to 90 % of the mailbox budget; raised with
        // the emulator's, as above.
        options.budget = docket_graph::pace::Budget {
            requests: 1_000_000,
            window: Duration::from_secs(600),
        };
        let graph = GraphClient::new(http.clone(), options, Token(server.shared.test_token(ANNA)));
        let start = Instant::now();
        let report = export(
            &graph,
            &ExportStore(&db),
            snap,
            &choices,
            ExportOptions::default(),
            now(),
            &|_| {},
        )
        .await
        .expect("export");
        let wall = start.elapsed();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        rows.push(Row {
            scenario: format!("{name}, {latency_ms} ms latency"),
            report,
            wall,
        });
    }
    let db = db.lock().unwrap();
    db.export_entries()
        .unwrap()
        .into_iter()
        .map(|(k, v)| {
            (
                k.parse::<SourceKey>().unwrap(),
                serde_json::from_str::<Entry>(&v).unwrap(),
            )
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut rows = vec![];
    let state = run_all(0, &mut rows).await;
    run_all(50, &mut rows).await;

    println!("| scenario | Graph requests (budget) | reads | writes | `$batch` envelopes | wall time | floor (requests ÷ 4 × latency) |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let q = &r.report.requests;
        let floor = if r.scenario.contains("50 ms") {
            format!("{:.1} s", q.graph_requests as f64 / 4.0 * 0.050)
        } else {
            "–".into()
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.2} s | {} |",
            r.scenario,
            q.graph_requests,
            q.reads,
            q.writes,
            q.batches,
            r.wall.as_secs_f64(),
            floor
        );
    }

    let snap = firm(None);
    let choices = PlanChoices::new(chrono_tz::Tz::Europe__Berlin);
    let items = snap.appointments.len() + snap.deadlines.len() + snap.contacts.len();
    let mut times = vec![];
    for (name, st) in [
        ("first (empty state)", ExportState::new()),
        ("no-op (state after export)", state),
    ] {
        let start = Instant::now();
        let plan = docket_export::plan(
            &snap,
            &st,
            &docket_export::Remote::default(),
            &choices,
            now(),
        );
        times.push((
            name,
            start.elapsed(),
            plan.ops.len(),
            plan.unchanged,
            plan.not_mapped,
        ));
    }
    println!();
    println!("| planning {items} items | time | ops | unchanged | not mapped (fingerprint) |");
    println!("|---|---:|---:|---:|---:|");
    for (name, t, ops, unchanged, not_mapped) in times {
        println!(
            "| {name} | {:.1} ms | {ops} | {unchanged} | {not_mapped} |",
            t.as_secs_f64() * 1000.0
        );
    }
}
