//! The engine against a naive exporter, side by side on the same firm and
//! the same emulated Microsoft 365 (one emulator each, same limits and
//! latency): first export, a no-op run, a run with 1 % changed.
//!
//! The naive exporter is written as a quick vendor integration would do it:
//! one request per item (no `$batch`), no change detection (every item is
//! written on every run), a full re-listing of the mailbox's collections to
//! find deletions, no pacing (it meets a 429 and then waits the
//! `Retry-After` the server gives), and a local table of source UID →
//! Outlook id between runs. It uses the engine's mapping for its bodies:
//! what is compared is the traffic, not the mapping.
//!
//! Shared by the `compare` example (the figures in docs/benchmarks.md) and
//! `tests/it/compare.rs` (a small count, asserting only facts that do not
//! depend on timing).

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use docket_app::executor::{export, ExportOptions, ExportStore};
use docket_export::map::{map_snapshot, MapContext};
use docket_export::{ItemKind, PlanChoices, SourceKey};
use docket_graph::{GraphClient, Options, TokenError, TokenSource};
use docket_secrets::SecretString;
use docket_source::{read_bytes, ReadOptions, Snapshot};
use docket_store::StateDb;
use m365_emulator::{throttle::Limits, EmulatorConfig, TestServer};
use serde_json::{json, Value};

pub const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";

/// What one side cost in one scenario.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost {
    /// As Outlook's budget counts them (each `$batch` item is one).
    pub requests: u64,
    /// HTTP requests on the wire (a `$batch` is one).
    pub round_trips: u64,
    /// 429 (and 503) answers received.
    pub throttled: u64,
    pub wall: Duration,
}

/// One scenario, both sides, and what the mailbox held afterwards.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: &'static str,
    pub latency_ms: u64,
    pub engine: Cost,
    pub naive: Cost,
    /// Items in each mailbox after the run, and how many of them share a
    /// title with another (duplicates).
    pub engine_items: (usize, usize),
    pub naive_items: (usize, usize),
}

struct Token(String);

impl TokenSource for Token {
    async fn access_token(&self, _: Option<&SecretString>) -> Result<SecretString, TokenError> {
        Ok(SecretString::new(self.0.clone()))
    }
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

/// A firm of `items` records: 60 % appointments, 20 % deadlines (To Do),
/// 20 % subscribed contacts; every `changed_every`-th of each edited.
pub fn firm(items: usize, changed_every: Option<usize>) -> Snapshot {
    let events = items * 6 / 10;
    let deadlines = items * 2 / 10;
    let contacts = items - events - deadlines;
    let mark = |i: usize| match changed_every {
        Some(n) if i % n == 0 => " (geändert)",
        _ => "",
    };
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//compare//EN\r\n");
    for i in 0..events {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 6;
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:ev-{i}\r\nSUMMARY:Termin {i}{}\r\nLOCATION:Raum {}\r\nDTSTART;TZID=Europe/Berlin:2027{month:02}{day:02}T090000\r\nDTEND;TZID=Europe/Berlin:2027{month:02}{day:02}T100000\r\nEND:VEVENT\r\n",
            mark(i),
            i % 7
        ));
    }
    for i in 0..deadlines {
        ics.push_str(&format!(
            "BEGIN:VTODO\r\nUID:due-{i}\r\nSUMMARY:Frist {i}{}\r\nCATEGORIES:Frist\r\nDUE;VALUE=DATE:2027{:02}{:02}\r\nEND:VTODO\r\n",
            mark(i),
            1 + (i / 28) % 6,
            1 + i % 28
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    let mut vcf = String::new();
    for i in 0..contacts {
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c-{i}\r\nFN:Mandant {i}{}\r\nN:{i};Mandant;;;\r\nEMAIL:m{i}@example.com\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n",
            mark(i)
        ));
    }
    let mut snap = read_bytes("firm.ics", ics.as_bytes(), &ReadOptions::default());
    let cards = read_bytes("firm.vcf", vcf.as_bytes(), &ReadOptions::default());
    snap.contacts = cards.contacts;
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    snap
}

/// An emulator with Outlook's concurrency limit (4) and `latency_ms` on
/// every Graph path. The budget is `budget` requests per 10 minutes.
async fn emulator(latency_ms: u64, budget: u64) -> TestServer {
    let server = TestServer::start(EmulatorConfig {
        throttle: Some(Limits {
            max_concurrent: 4,
            budget,
            window_seconds: 600,
        }),
        ..EmulatorConfig::default()
    })
    .await;
    if latency_ms > 0 {
        let r = reqwest::Client::new()
            .post(format!("{}/_admin/faults", server.base_url))
            .json(&json!({"path": "/v1.0/*", "kind": "latency", "ms": latency_ms}))
            .send()
            .await
            .expect("fault");
        assert!(r.status().is_success());
    }
    server
}

/// Items in the mailbox, and how many share a title with another one.
async fn mailbox_items(server: &TestServer) -> (usize, usize) {
    let mailbox: Value = reqwest::Client::new()
        .get(format!("{}/_admin/mailboxes/{ANNA}", server.base_url))
        .send()
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    let mut total = 0;
    let mut dupes = 0;
    for (what, field) in [
        ("events", "subject"),
        ("tasks", "title"),
        ("contacts", "displayName"),
    ] {
        let mut seen = HashSet::new();
        for item in mailbox[what].as_array().into_iter().flatten() {
            total += 1;
            let name = item["props"][field]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if !seen.insert(name) {
                dupes += 1;
            }
        }
    }
    (total, dupes)
}

/// The naive exporter's memory between runs: source key → (kind, id).
#[derive(Default)]
struct Naive {
    ids: BTreeMap<SourceKey, (ItemKind, String)>,
    list: Option<String>,
    cost: Cost,
}

impl Naive {
    /// One request, sent again after the `Retry-After` of a 429 or 503.
    async fn send(
        &mut self,
        http: &reqwest::Client,
        base: &str,
        token: &str,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> Value {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{base}{url}")
        };
        loop {
            let mut req = http.request(method.clone(), &url).bearer_auth(token);
            if let Some(b) = body {
                req = req.json(b);
            }
            self.cost.requests += 1;
            self.cost.round_trips += 1;
            let resp = req.send().await.expect("naive request");
            let status = resp.status().as_u16();
            if status == 429 || status == 503 {
                if status == 429 {
                    self.cost.throttled += 1;
                }
                let wait = resp
                    .headers()
                    .get("Retry-After")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(1.0);
                tokio::time::sleep(Duration::from_secs_f64(wait.clamp(0.0, 600.0))).await;
                continue;
            }
            assert!(status < 400, "naive {method} {url}: {status}");
            return resp.json().await.unwrap_or(Value::Null);
        }
    }

    /// Every item's id in a collection, page by page.
    async fn list(
        &mut self,
        http: &reqwest::Client,
        base: &str,
        token: &str,
        url: &str,
    ) -> HashSet<String> {
        let mut ids = HashSet::new();
        let mut next = Some(url.to_string());
        while let Some(url) = next.take() {
            let page = self
                .send(http, base, token, reqwest::Method::GET, &url, None)
                .await;
            for item in page["value"].as_array().into_iter().flatten() {
                if let Some(id) = item["id"].as_str() {
                    ids.insert(id.to_string());
                }
            }
            next = page["@odata.nextLink"].as_str().map(str::to_string);
        }
        ids
    }

    async fn run(&mut self, server: &TestServer, snapshot: &Snapshot, choices: &PlanChoices) {
        let http = reqwest::Client::new();
        let base = format!("{}/v1.0", server.base_url);
        let token = server.shared.test_token(ANNA);
        let list = match self.list.clone() {
            Some(l) => l,
            None => {
                let lists = self
                    .send(
                        &http,
                        &base,
                        &token,
                        reqwest::Method::GET,
                        "/me/todo/lists",
                        None,
                    )
                    .await;
                let id = lists["value"][0]["id"]
                    .as_str()
                    .expect("a list")
                    .to_string();
                self.list = Some(id.clone());
                id
            }
        };
        // Full re-listing: what is there now.
        let mut present = self.list(&http, &base, &token, "/me/events?$top=100").await;
        present.extend(
            self.list(
                &http,
                &base,
                &token,
                &format!("/me/todo/lists/{list}/tasks?$top=100"),
            )
            .await,
        );
        present.extend(
            self.list(&http, &base, &token, "/me/contacts?$top=100")
                .await,
        );
        let ctx = MapContext {
            mailbox_zone: choices.mailbox_zone,
            force_private: choices.force_private,
            deadlines_to: choices.deadlines_to,
            lang: choices.lang,
            window: choices.window(now()),
        };
        let mapping = map_snapshot(snapshot, &ctx);
        for (key, d) in &mapping.desired {
            let collection = match d.kind {
                ItemKind::Event => "/me/events".to_string(),
                ItemKind::Task => format!("/me/todo/lists/{list}/tasks"),
                ItemKind::Contact => "/me/contacts".to_string(),
            };
            match self.ids.get(key).filter(|(_, id)| present.contains(id)) {
                // No change detection: written every run.
                Some((_, id)) => {
                    let url = format!("{collection}/{id}");
                    let body = d.update_body(&d.categories);
                    self.send(
                        &http,
                        &base,
                        &token,
                        reqwest::Method::PATCH,
                        &url,
                        Some(&body),
                    )
                    .await;
                }
                None => {
                    let body = d.create_body(0);
                    let made = self
                        .send(
                            &http,
                            &base,
                            &token,
                            reqwest::Method::POST,
                            &collection,
                            Some(&body),
                        )
                        .await;
                    let id = made["id"].as_str().expect("id").to_string();
                    self.ids.insert(key.clone(), (d.kind, id));
                }
            }
        }
        let gone: Vec<SourceKey> = self
            .ids
            .keys()
            .filter(|k| !mapping.desired.contains_key(*k))
            .cloned()
            .collect();
        for key in gone {
            let (kind, id) = self.ids.remove(&key).expect("known");
            if present.contains(&id) {
                let url = match kind {
                    ItemKind::Event => format!("/me/events/{id}"),
                    ItemKind::Task => format!("/me/todo/lists/{list}/tasks/{id}"),
                    ItemKind::Contact => format!("/me/contacts/{id}"),
                };
                self.send(&http, &base, &token, reqwest::Method::DELETE, &url, None)
                    .await;
            }
        }
    }
}

/// The three scenarios for `items` records at `latency_ms`, both sides, on
/// one emulator each with a budget of `budget` requests per 10 minutes
/// (the client's pacing is given the same budget).
pub async fn compare(items: usize, latency_ms: u64, budget: u64) -> Vec<Row> {
    let engine_server = emulator(latency_ms, budget).await;
    let naive_server = emulator(latency_ms, budget).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Mutex::new(StateDb::open(&dir.path().join("state.sqlite3")).expect("db"));
    let choices = PlanChoices::new(chrono_tz::Tz::Europe__Berlin);
    let base = firm(items, None);
    let changed = firm(items, Some(100));
    let mut naive = Naive::default();
    let mut rows = vec![];
    for (scenario, snap) in [
        ("first export", &base),
        ("no-op run", &base),
        ("1 % changed", &changed),
    ] {
        let mut options = Options::new(format!("{}/v1.0", engine_server.base_url));
        options.timeout = Duration::from_secs(600);
        options.budget = docket_graph::pace::Budget {
            requests: u32::try_from(budget).unwrap_or(u32::MAX),
            window: Duration::from_secs(600),
        };
        let graph = GraphClient::new(
            reqwest::Client::new(),
            options,
            Token(engine_server.shared.test_token(ANNA)),
        );
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
        let c = graph.counters();
        // 429s received: inside a batch each item answers for itself.
        let engine = Cost {
            requests: c.budget_requests,
            round_trips: c.http_requests,
            throttled: c.throttled,
            wall,
        };

        naive.cost = Cost::default();
        let start = Instant::now();
        naive.run(&naive_server, snap, &choices).await;
        naive.cost.wall = start.elapsed();

        rows.push(Row {
            scenario,
            latency_ms,
            engine,
            naive: naive.cost,
            engine_items: mailbox_items(&engine_server).await,
            naive_items: mailbox_items(&naive_server).await,
        });
    }
    rows
}

/// The rows as the Markdown table of docs/benchmarks.md.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | latency | requests engine / naive | round trips engine / naive | 429s engine / naive | wall time engine / naive | requests ratio | round-trip ratio | wall-time ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let ratio = |a: f64, b: f64| {
        if a > 0.0 {
            format!("{:.1}×", b / a)
        } else {
            "–".into()
        }
    };
    for r in rows {
        let (e, n) = (&r.engine, &r.naive);
        out.push_str(&format!(
            "| {} | {} ms | {} / {} | {} / {} | {} / {} | {:.2} s / {:.2} s | {} | {} | {} |\n",
            r.scenario,
            r.latency_ms,
            e.requests,
            n.requests,
            e.round_trips,
            n.round_trips,
            e.throttled,
            n.throttled,
            e.wall.as_secs_f64(),
            n.wall.as_secs_f64(),
            ratio(e.requests as f64, n.requests as f64),
            ratio(e.round_trips as f64, n.round_trips as f64),
            ratio(e.wall.as_secs_f64(), n.wall.as_secs_f64()),
        ));
    }
    out
}
