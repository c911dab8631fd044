//! The export engine end to end against the emulator: what a fee-earner
//! would see in Outlook after each run, and how many requests it took.

use std::sync::Mutex;

use chrono::{TimeZone, Utc};
use docket_app::executor::{export, ExportOptions, ExportReport, ExportStore};
use docket_export::PlanChoices;
use docket_graph::{GraphClient, Options, TokenError, TokenSource};
use docket_secrets::SecretString;
use docket_source::{read_bytes, ReadOptions, Snapshot};
use docket_store::StateDb;
use m365_emulator::{EmulatorConfig, TestServer};
use serde_json::{json, Value};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";

struct Token(String);

impl TokenSource for Token {
    async fn access_token(&self, _: Option<&SecretString>) -> Result<SecretString, TokenError> {
        Ok(SecretString::new(self.0.clone()))
    }
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

struct Fixture {
    server: TestServer,
    dir: tempfile::TempDir,
    db: Mutex<StateDb>,
}

impl Fixture {
    async fn new() -> Fixture {
        let server = TestServer::start(EmulatorConfig::default()).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Mutex::new(StateDb::open(&dir.path().join("state.sqlite3")).expect("db"));
        Fixture { server, dir, db }
    }

    fn graph(&self) -> GraphClient<Token> {
        let mut options = Options::new(format!("{}/v1.0", self.server.base_url));
        options.retry.base_backoff = std::time::Duration::from_millis(20);
        GraphClient::new(http(), options, Token(self.server.shared.test_token(ANNA)))
    }

    async fn run(&self, snapshot: &Snapshot, choices: &PlanChoices) -> ExportReport {
        self.run_at(snapshot, choices, now()).await
    }

    async fn run_at(
        &self,
        snapshot: &Snapshot,
        choices: &PlanChoices,
        at: chrono::DateTime<Utc>,
    ) -> ExportReport {
        let graph = self.graph();
        export(
            &graph,
            &ExportStore(&self.db),
            snapshot,
            choices,
            ExportOptions::default(),
            at,
            &|_| {},
        )
        .await
        .expect("export")
    }

    /// The id of our event with this subject.
    async fn event_id(&self, subject: &str) -> String {
        self.mailbox().await["events"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["props"]["subject"] == subject)
            .unwrap_or_else(|| panic!("no event {subject}"))["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    fn reopen_fresh_db(&mut self) {
        let path = self.dir.path().join("state2.sqlite3");
        self.db = Mutex::new(StateDb::open(&path).expect("db"));
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = http()
            .request(method, format!("{}{path}", self.server.base_url))
            .json(&body)
            .send()
            .await
            .expect("admin");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    async fn mailbox(&self) -> Value {
        self.admin(
            reqwest::Method::GET,
            &format!("/_admin/mailboxes/{ANNA}"),
            Value::Null,
        )
        .await
    }

    /// Subjects (events), titles (tasks) or display names (contacts), sorted.
    async fn names(&self, what: &str) -> Vec<String> {
        let field = match what {
            "events" => "subject",
            "tasks" => "title",
            _ => "displayName",
        };
        let mut names: Vec<String> = self.mailbox().await[what]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i["props"][field].as_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()
}

fn choices() -> PlanChoices {
    PlanChoices::new(chrono_tz::Tz::Europe__Berlin)
}

fn event(uid: &str, summary: &str, day: u32) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART;TZID=Europe/Berlin:202612{day:02}T090000\r\nDTEND;TZID=Europe/Berlin:202612{day:02}T100000\r\nEND:VEVENT\r\n"
    )
}

fn todo(uid: &str, summary: &str, day: u32) -> String {
    format!(
        "BEGIN:VTODO\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nCATEGORIES:Frist\r\nDUE;VALUE=DATE:202612{day:02}\r\nEND:VTODO\r\n"
    )
}

fn ics(items: &[String]) -> Snapshot {
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n",
        items.concat()
    );
    let snapshot = read_bytes("pms.ics", text.as_bytes(), &ReadOptions::default());
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    snapshot
}

fn firm() -> Vec<String> {
    vec![
        event("a1", "Mandant Huber", 1),
        event("a2", "Gerichtstermin LG Berlin", 2),
        event("a3", "Besprechung Meyer", 3),
        todo("d1", "Berufungsfrist Huber", 10),
        todo("d2", "Wiedervorlage Meyer", 11),
    ]
}

#[tokio::test]
async fn first_export_then_a_quiet_run_costs_no_write() {
    let fx = Fixture::new().await;
    let snap = ics(&firm());
    let first = fx.run(&snap, &choices()).await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.created, 5, "{}", first.plan);
    assert_eq!(
        fx.names("events").await,
        [
            "Besprechung Meyer",
            "Gerichtstermin LG Berlin",
            "Mandant Huber"
        ]
    );
    assert_eq!(
        fx.names("tasks").await,
        ["Berufungsfrist Huber", "Wiedervorlage Meyer"]
    );

    let second = fx.run(&snap, &choices()).await;
    assert_eq!(
        second.requests.writes, 0,
        "a quiet run writes nothing: {second:?}"
    );
    assert_eq!(second.unchanged, 5);
    assert_eq!(
        second.not_mapped, 5,
        "unchanged records are neither mapped nor hashed"
    );
    assert!(
        second.requests.reads <= 3,
        "a quiet run costs one delta read per collection: {:?}",
        second.requests
    );
}

/// The first export reads back what it wrote (the delta round that starts
/// change tracking) in the largest pages Outlook serves, not in pages of
/// 100: 250 events, 150 deadlines and 201 contacts cost one page each for
/// events and tasks and two for contacts (capped at 200 a page).
#[tokio::test]
async fn a_first_export_reads_back_in_the_largest_pages() {
    let fx = Fixture::new().await;
    let mut items: Vec<String> = (0..250)
        .map(|i| event(&format!("e{i}"), &format!("Termin {i}"), 1 + i % 28))
        .collect();
    items.extend((0..150).map(|i| todo(&format!("t{i}"), &format!("Frist {i}"), 1 + i % 28)));
    let mut snap = ics(&items);
    let vcf: String = (0..201)
        .map(|i| {
            format!(
                "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c{i}\r\nFN:Mandant {i}\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n"
            )
        })
        .collect();
    snap.contacts = read_bytes("pms.vcf", vcf.as_bytes(), &ReadOptions::default()).contacts;
    let first = fx.run(&snap, &choices()).await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.created, 601);
    // The To Do lists, three (empty) listings of our items, then the delta
    // rounds: events 1 page, tasks 1, contacts 2.
    assert_eq!(
        first.requests.reads,
        1 + 3 + 1 + 1 + 2,
        "{:?}",
        first.requests
    );
    let second = fx.run(&snap, &choices()).await;
    assert_eq!((second.requests.writes, second.unchanged), (0, 601));
}

/// The client's memory of the mailbox's request budget outlives a run that
/// failed and the process: the next run, with a new client and the state
/// database opened again, counts the failed run's requests and waits for
/// room instead of spending the budget twice. (A budget of 16 per 3 s:
/// the client allows itself 14; the failed run sent 6, the next needs 11.)
#[tokio::test]
async fn the_budget_window_survives_a_failed_run_and_a_restart() {
    let mut fx = Fixture::new().await;
    let graph = |fx: &Fixture| {
        let mut options = Options::new(format!("{}/v1.0", fx.server.base_url));
        options.retry.base_backoff = std::time::Duration::from_millis(20);
        options.retry.max_attempts = 2;
        options.budget = docket_graph::pace::Budget {
            requests: 16,
            window: std::time::Duration::from_secs(3),
        };
        GraphClient::new(http(), options, Token(fx.server.shared.test_token(ANNA)))
    };
    let snap = ics(&firm());
    fx.admin(
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "GET", "path": "/v1.0/me/contacts*", "kind": "malformed_json"}),
    )
    .await;
    let first = graph(&fx);
    let store = ExportStore(&fx.db);
    let failed = export(
        &first,
        &store,
        &snap,
        &choices(),
        ExportOptions::default(),
        now(),
        &|_| {},
    )
    .await;
    assert!(failed.is_err(), "the contacts listing keeps failing");
    let spent = first.counters();
    assert_eq!((spent.budget_requests, spent.paced), (6, 0), "{spent:?}");
    fx.admin(reqwest::Method::DELETE, "/_admin/faults", Value::Null)
        .await;

    // A new process: the database opened again, a new client.
    let path = fx.dir.path().join("state.sqlite3");
    fx.db = Mutex::new(StateDb::open(&path).expect("db"));
    let second = graph(&fx);
    let report = export(
        &second,
        &ExportStore(&fx.db),
        &snap,
        &choices(),
        ExportOptions::default(),
        now(),
        &|_| {},
    )
    .await
    .expect("export");
    assert_eq!(report.created, 5, "{}", report.plan);
    let c = second.counters();
    assert_eq!(c.budget_requests, 11, "{c:?}");
    assert!(c.paced > 0, "waited for the failed run's requests: {c:?}");
    assert_eq!(c.throttled, 0);
}

/// The short version of the real-budget run (docs/benchmarks.md, "The
/// real budget"): more items than the mailbox's budget allows in one
/// window, against an emulator that enforces the budget (each `$batch`
/// item counted, as Outlook does) and a client told the same budget. The
/// client waits for the window instead of running into it: no 429, every
/// item created once, and the next run finds them all in step. (80
/// requests per 2 s; 200 items need three windows.)
#[tokio::test]
async fn an_export_larger_than_the_budget_paces_itself_and_meets_no_429() {
    let fx = Fixture::new().await;
    let (budget, window) = (80, 2);
    fx.admin(
        reqwest::Method::POST,
        "/_admin/throttle",
        json!({"max_concurrent": 4, "budget": budget, "window_seconds": window}),
    )
    .await;
    let mut options = Options::new(format!("{}/v1.0", fx.server.base_url));
    options.budget = docket_graph::pace::Budget {
        requests: budget,
        window: std::time::Duration::from_secs(window),
    };
    let graph = GraphClient::new(http(), options, Token(fx.server.shared.test_token(ANNA)));
    let items: Vec<String> = (0..200)
        .map(|i| event(&format!("e{i}"), &format!("Termin {i}"), 1 + i % 28))
        .collect();
    let snap = ics(&items);
    let report = export(
        &graph,
        &ExportStore(&fx.db),
        &snap,
        &choices(),
        ExportOptions::default(),
        now(),
        &|_| {},
    )
    .await
    .expect("export");
    assert_eq!(
        (report.created, report.failed.len()),
        (200, 0),
        "{}",
        report.plan
    );
    let c = graph.counters();
    assert!(
        c.budget_requests > u64::from(budget) * 2,
        "more than two windows' worth: {c:?}"
    );
    assert_eq!(c.throttled, 0, "the client ran into the limit: {c:?}");
    assert!(c.paced > 0, "it waited for the window: {c:?}");
    let again = fx.run(&snap, &choices()).await;
    assert_eq!((again.requests.writes, again.unchanged), (0, 200));
}

/// A run cut off mid-export, as by a kill (its future dropped, so no final
/// store), has already stored nearly all of the budget it spent, so the
/// next process does not spend those requests a second time. The window
/// used to be stored only every 5 s and at the end: a kill in a run's
/// first seconds forgot all of it (about 1,600 requests at full speed,
/// more than the tenth of the budget the pacer leaves free).
#[tokio::test]
async fn a_run_killed_mid_export_has_stored_the_budget_it_spent() {
    let fx = Fixture::new().await;
    let items: Vec<String> = (0..1_000)
        .map(|i| event(&format!("e{i}"), &format!("Termin {i}"), 1 + i % 28))
        .collect();
    let snap = ics(&items);
    let graph = fx.graph();
    let cut = tokio::sync::Notify::new();
    let on_progress = |p: docket_app::executor::Progress| {
        if p.done >= 600 {
            cut.notify_one();
        }
    };
    let store = ExportStore(&fx.db);
    let choices = choices();
    // Stop the clock (a blocking task kept running stops tokio's
    // auto-advance), so that the every-5-s store never comes however slow
    // the machine: what is stored, is stored by the count.
    let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
    let holder = tokio::task::spawn_blocking(move || {
        let _ = hold_rx.recv();
    });
    tokio::time::pause();
    tokio::select! {
        _ = export(&graph, &store, &snap, &choices, ExportOptions::default(), now(), &on_progress) => {
            panic!("the run ended before it was cut off")
        }
        () = cut.notified() => {}
    }
    drop(hold_tx);
    holder.await.expect("holder");
    let spent = graph.counters().budget_requests;
    let window = fx.db.lock().unwrap().pace_window().expect("window");
    let stored: u64 = window.iter().map(|&(_, n)| u64::from(n)).sum();
    assert!(spent >= 600, "{spent}");
    // At most one store's worth, plus the four $batch envelopes of 20 in
    // flight.
    let in_flight = 4 * 20;
    assert!(
        spent - stored <= u64::from(docket_graph::pace::SAVE_WINDOW_EVERY) + in_flight,
        "spent {spent}, stored {stored}"
    );
}

#[tokio::test]
async fn the_pms_leads_edits_deletions_and_user_deletions() {
    let fx = Fixture::new().await;
    fx.run(&ics(&firm()), &choices()).await;

    // A user-made event is never touched.
    fx.admin(
        reqwest::Method::POST,
        &format!("/_admin/mailboxes/{ANNA}/items"),
        json!({"kind": "event", "props": {
            "subject": "Zahnarzt (privat)",
            "start": {"dateTime": "2026-12-04T15:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-12-04T16:00:00", "timeZone": "Europe/Berlin"}
        }}),
    )
    .await;
    // The user deletes one of ours in Outlook.
    let mailbox = fx.mailbox().await;
    let huber = mailbox["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["props"]["subject"] == "Mandant Huber")
        .expect("exported")["id"]
        .as_str()
        .unwrap()
        .to_string();
    fx.admin(
        reqwest::Method::DELETE,
        &format!("/_admin/mailboxes/{ANNA}/items/event/{huber}"),
        Value::Null,
    )
    .await;

    // In the PMS: a3 renamed, a2 deleted.
    let mut items = firm();
    items[2] = event("a3", "Besprechung Meyer (verschoben)", 3);
    items.remove(1);
    let report = fx.run(&ics(&items), &choices()).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        (report.recreated, report.updated, report.deleted),
        (1, 1, 1),
        "{}",
        report.plan
    );
    assert_eq!(
        fx.names("events").await,
        [
            "Besprechung Meyer (verschoben)",
            "Mandant Huber",
            "Zahnarzt (privat)"
        ]
    );
}

#[tokio::test]
async fn a_lost_state_database_is_rebuilt_without_duplicates() {
    let mut fx = Fixture::new().await;
    let snap = ics(&firm());
    fx.run(&snap, &choices()).await;
    fx.reopen_fresh_db();
    let report = fx.run(&snap, &choices()).await;
    assert_eq!(report.created, 0, "{}", report.plan);
    assert_eq!(fx.names("events").await.len(), 3);
    assert_eq!(fx.names("tasks").await.len(), 2);
}

#[tokio::test]
async fn an_expired_delta_token_deletes_nothing() {
    let fx = Fixture::new().await;
    let snap = ics(&firm());
    fx.run(&snap, &choices()).await;
    fx.admin(
        reqwest::Method::POST,
        &format!("/_admin/mailboxes/{ANNA}/delta-tokens/expire"),
        Value::Null,
    )
    .await;
    let report = fx.run(&snap, &choices()).await;
    assert_eq!((report.created, report.deleted), (0, 0), "{}", report.plan);
    assert_eq!(fx.names("events").await.len(), 3);
}

#[tokio::test]
async fn switching_deadlines_to_the_calendar_leaves_no_orphans() {
    let fx = Fixture::new().await;
    let snap = ics(&firm());
    fx.run(&snap, &choices()).await;
    let mut to_calendar = choices();
    to_calendar.deadlines_to = docket_export::DeadlinesTo::Calendar;
    let report = fx.run(&snap, &to_calendar).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(fx.names("tasks").await.is_empty(), "the tasks moved");
    assert_eq!(fx.names("events").await.len(), 5);
}

#[tokio::test]
async fn a_429_storm_and_503s_are_survived() {
    let fx = Fixture::new().await;
    fx.admin(
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "POST", "path": "/v1.0/me/events", "kind": "too_many_requests", "retry_after": 0.1, "times": 4}),
    )
    .await;
    fx.admin(
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"path": "/v1.0/me/todo/*", "kind": "service_unavailable", "retry_after": 0.1, "times": 2}),
    )
    .await;
    let report = fx.run(&ics(&firm()), &choices()).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.requests.throttled >= 4, "{:?}", report.requests);
    assert_eq!(fx.names("events").await.len(), 3);
    assert_eq!(fx.names("tasks").await.len(), 2);
}

#[tokio::test]
async fn an_edit_in_outlook_is_overwritten_and_a_user_category_kept() {
    let fx = Fixture::new().await;
    let snap = ics(&firm());
    fx.run(&snap, &choices()).await;
    let mailbox = fx.mailbox().await;
    let meyer = mailbox["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["props"]["subject"] == "Besprechung Meyer")
        .expect("exported")["id"]
        .as_str()
        .unwrap()
        .to_string();
    fx.admin(
        reqwest::Method::PATCH,
        &format!("/_admin/mailboxes/{ANNA}/items/event/{meyer}"),
        json!({"subject": "Besprechung Meyer (von Hand)", "categories": ["Rot"]}),
    )
    .await;
    let report = fx.run(&snap, &choices()).await;
    assert_eq!(report.updated, 1, "{}", report.plan);
    let mailbox = fx.mailbox().await;
    let event = mailbox["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == meyer.as_str())
        .expect("still there")
        .clone();
    assert_eq!(
        event["props"]["subject"], "Besprechung Meyer",
        "the PMS leads"
    );
    assert_eq!(
        event["props"]["categories"],
        json!(["Rot"]),
        "a category the user added stays"
    );
}

/// Refuses every refresh, as Entra does once the sign-in was revoked.
struct Revoked(String);

impl TokenSource for Revoked {
    async fn access_token(
        &self,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, TokenError> {
        match rejected {
            None => Ok(SecretString::new(self.0.clone())),
            Some(_) => Err("the sign-in was revoked".into()),
        }
    }
}

/// The sign-in is revoked while a batch runs: Graph refuses the rest of
/// its items with 401 and the refresh fails. The run stops with the
/// sign-in's problem (not "done, with some items failed"), keeps what was
/// answered, and the next run, signed in again, adds the rest once.
#[tokio::test]
async fn a_sign_in_revoked_mid_batch_stops_the_run_and_loses_nothing() {
    let fx = Fixture::new().await;
    fx.admin(
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "POST", "path": "/v1.0/me/events", "kind": "unauthorized", "skip": 1, "times": 2}),
    )
    .await;
    let mut options = Options::new(format!("{}/v1.0", fx.server.base_url));
    options.retry.base_backoff = std::time::Duration::from_millis(20);
    let revoked = GraphClient::new(http(), options, Revoked(fx.server.shared.test_token(ANNA)));
    let snap = ics(&firm());
    let stopped = export(
        &revoked,
        &ExportStore(&fx.db),
        &snap,
        &choices(),
        ExportOptions::default(),
        now(),
        &|_| {},
    )
    .await;
    assert!(
        matches!(
            stopped,
            Err(docket_app::AppError::Graph(docket_graph::Error::Token(_)))
        ),
        "the run stops on the sign-in: {stopped:?}"
    );
    assert_eq!(fx.names("events").await.len(), 1, "one event went through");
    let again = fx.run(&snap, &choices()).await;
    assert!(again.failed.is_empty(), "{:?}", again.failed);
    assert_eq!(fx.names("events").await.len(), 3, "each event once");
    assert_eq!(fx.names("tasks").await.len(), 2);
}

/// The answer to a create is lost (a crash after Graph made the item, before
/// the state recorded it): the next run must adopt the item by its tag, or
/// Graph's transactionId must hand back the event, never a second copy.
#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_made_twice() {
    let fx = Fixture::new().await;
    let vcard = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c1\r\nFN:Erika Muster\r\nN:Muster;Erika;;;\r\nEMAIL:erika@example.com\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n";
    let mut snap = ics(&firm());
    let contacts = read_bytes("kontakte.vcf", vcard.as_bytes(), &ReadOptions::default());
    snap.contacts = contacts.contacts;
    let first = fx.run(&snap, &choices()).await;
    assert_eq!(first.created, 6, "{}", first.plan);

    // Forget every answer: each row becomes an unconfirmed create again.
    {
        let db = fx.db.lock().unwrap();
        for (key, json) in db.export_entries().unwrap() {
            let mut entry: Value = serde_json::from_str(&json).unwrap();
            entry["remote_id"] = Value::Null;
            entry["version"] = Value::Null;
            db.put_export_entry(&key, &entry.to_string()).unwrap();
        }
    }
    let again = fx.run(&snap, &choices()).await;
    assert!(again.failed.is_empty(), "{:?}", again.failed);
    assert_eq!(fx.names("events").await.len(), 3, "no second event");
    assert_eq!(fx.names("tasks").await.len(), 2, "no second task");
    assert_eq!(
        fx.names("contacts").await,
        ["Erika Muster"],
        "no second contact"
    );
    let quiet = fx.run(&snap, &choices()).await;
    assert_eq!(quiet.requests.writes, 0, "settled: {quiet:?}");
}

/// Graph keeps refusing one item: the others go through, the item is tried
/// again at the next run, then pauses for longer and longer (costing no
/// request while it pauses), and goes through once Graph takes it. An
/// Outlook edit whose overwrite failed is still overwritten later, though
/// the delta query reported it only once.
#[tokio::test]
async fn an_item_graph_keeps_refusing_is_retried_with_backoff() {
    let fx = Fixture::new().await;
    let choices = choices();
    fx.run(&ics(&firm()), &choices).await;
    let huber = fx.event_id("Mandant Huber").await;
    let meyer = fx.event_id("Besprechung Meyer").await;

    // The PMS changes Huber's appointment; someone edits Meyer's in Outlook.
    let mut changed = firm();
    changed[0] = event("a1", "Mandant Huber (verlegt)", 1);
    let changed = ics(&changed);
    fx.admin(
        reqwest::Method::PATCH,
        &format!("/_admin/mailboxes/{ANNA}/items/event/{meyer}"),
        json!({"subject": "Besprechung Meyer (von Hand)"}),
    )
    .await;
    // Graph refuses every update of either event.
    for id in [&huber, &meyer] {
        fx.admin(
            reqwest::Method::POST,
            "/_admin/faults",
            json!({"method": "PATCH", "path": format!("/v1.0/me/events/{id}"), "kind": "service_unavailable", "retry_after": 0.01}),
        )
        .await;
    }

    let t0 = now();
    let minutes = |m: i64| t0 + chrono::Duration::minutes(m);
    // Run 1: both fail; nothing else is blocked.
    let r = fx.run_at(&changed, &choices, minutes(0)).await;
    assert_eq!(r.failed.len(), 2, "{r:?}");
    assert!(r.held_back.is_empty());
    // Run 2, a minute later: after one failure an item is tried at once.
    let r = fx.run_at(&changed, &choices, minutes(1)).await;
    assert_eq!(r.failed.len(), 2, "tried again: {r:?}");
    // Run 3: two failures in a row: both pause for 15 minutes, and no
    // write request is spent on them.
    let r = fx.run_at(&changed, &choices, minutes(2)).await;
    assert!(r.failed.is_empty(), "{r:?}");
    assert_eq!(r.held_back.len(), 2, "{r:?}");
    // Data, not prose: when, how often, and the fix as an action.
    let h = &r.held_back[0];
    assert_eq!(h.attempts, 2, "{h:?}");
    assert!(h.until > minutes(10) && h.until <= minutes(20), "{h:?}");
    assert_eq!(h.fix, docket_app::Action::RetryHeldBack);
    assert!(h.to_string().contains("failed 2 times"), "{h}");
    assert_eq!(r.requests.writes, 0, "pausing items cost no write");

    // Graph takes them again; after the pause both go through.
    fx.admin(reqwest::Method::DELETE, "/_admin/faults", Value::Null)
        .await;
    let r = fx.run_at(&changed, &choices, minutes(10)).await;
    assert_eq!(r.held_back.len(), 2, "still pausing at +10 min: {r:?}");
    let r = fx.run_at(&changed, &choices, minutes(20)).await;
    assert!(r.failed.is_empty() && r.held_back.is_empty(), "{r:?}");
    assert_eq!(r.updated, 2, "{}", r.plan);
    let names = fx.names("events").await;
    assert!(
        names.contains(&"Mandant Huber (verlegt)".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"Besprechung Meyer".to_string()),
        "the Outlook edit is overwritten although delta reported it runs ago: {names:?}"
    );
    // And the failures are forgotten: a quiet run after that writes nothing.
    let r = fx.run_at(&changed, &choices, minutes(21)).await;
    assert_eq!((r.requests.writes, r.held_back.len()), (0, 0), "{r:?}");
}

/// An appointment leaves the PMS (its event is deleted) and comes back
/// with the same UID, twice: each time one event appears in Outlook. (The
/// executor also gives each re-creation a transactionId never used before;
/// what Graph does with the id of a deleted event is not documented, and
/// the emulator forgets it, so this test does not depend on that.)
#[tokio::test]
async fn an_appointment_that_comes_back_is_created_again() {
    let fx = Fixture::new().await;
    let choices = choices();
    let all = ics(&firm());
    let without_a1 = ics(&firm()[1..]);
    fx.run(&all, &choices).await;
    for round in 0..2 {
        let r = fx.run(&without_a1, &choices).await;
        assert_eq!(r.deleted, 1, "round {round}: {}", r.plan);
        assert!(!fx
            .names("events")
            .await
            .contains(&"Mandant Huber".to_string()));
        let r = fx.run(&all, &choices).await;
        assert_eq!(r.created, 1, "round {round}: {}", r.plan);
        assert!(r.failed.is_empty(), "{r:?}");
        let events = fx.names("events").await;
        assert_eq!(
            events.iter().filter(|e| *e == "Mandant Huber").count(),
            1,
            "round {round}: {events:?}"
        );
    }
}

/// The demo used to leave the emulator's delta links in the state
/// database; after a real sign-in they must not receive the access token.
#[tokio::test]
async fn a_stored_delta_link_on_another_origin_gets_no_request_and_a_full_listing() {
    let fx = Fixture::new().await;
    let snap = ics(&firm());
    fx.run(&snap, &choices()).await;
    // B: another origin that counts every connection it gets.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let b = elsewhere.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = elsewhere.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    for kind in ["event", "task", "contact"] {
        let name = format!("delta.{kind}");
        let db = fx.db.lock().unwrap();
        if db.export_meta(&name).unwrap().is_some() {
            let link = format!("http://{b}/v1.0/me/{kind}s/delta?$deltatoken=emulator");
            db.set_export_meta(&name, &link).unwrap();
        }
    }
    let report = fx.run(&snap, &choices()).await;
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the foreign origin got no request"
    );
    assert_eq!((report.created, report.deleted), (0, 0), "{}", report.plan);
    assert_eq!(fx.names("events").await.len(), 3);
    assert_eq!(fx.names("tasks").await.len(), 2);
    let stored = fx.db.lock().unwrap().export_meta("delta.event").unwrap();
    assert!(
        stored.is_some_and(|l| l.starts_with(&fx.server.base_url)),
        "a new delta round on Graph replaced the foreign link"
    );
}
