//! The long run of the background loop (issue 11): the tray's
//! `Companion` on a simulated clock against an in-process emulator whose
//! clock follows it, for many simulated days, with the PMS changing every
//! day and faults mixed in, and then the figures a user would notice:
//! the mailbox equal to the PMS, each warning told once, the sign-in
//! refreshed every day, no growth of file descriptors, threads, temp
//! files or memory.
//!
//! Time: tokio's clock is paused and never jumps by itself (a blocking
//! task is kept running, which stops tokio's auto-advance, so that no
//! request timeout fires while the emulator answers): the driver moves it
//! to the loop's next run time in naps of at most a minute (as the loop
//! itself sleeps), and in small steps while an export runs (its
//! `Retry-After` waits and backoffs). The emulator's clock is set to the
//! loop's at every reading. A sleep of the machine moves the simulated
//! wall clock alone (`SimClock::sleep`), as a suspend leaves the monotonic
//! clock behind; while the user signs in the driver moves no clock.
//!
//! The timeline (day 0 = start):
//! - every day at 08:00 the PMS export changes (edits, additions,
//!   deletions); most days one fault for six hours from 09:00 (429 with
//!   `Retry-After`, 503, connection resets, malformed JSON, latency
//!   spikes, the network gone, an expired delta token; and these, which
//!   act on the loop itself: the machine sleeping across the access
//!   token's expiry mid-batch, the PMS export cut short while it is
//!   written, the refresh token revoked mid-batch and the user signing in
//!   again);
//! - from day 1 12:00 for 78 days the token endpoint answers 503: no
//!   refresh succeeds, so the 90-day inactivity warning is due on day
//!   ~77; then it works again;
//! - the client secret (a Web registration) expires 3 days after the
//!   last day: its 30-, 14- and 7-day warnings fall into the last 30
//!   days.
//!
//! Used by `tests/it/long_run.rs` (a short version) and the harness command
//! `examples/long_run.rs`.

#![allow(dead_code)] // the test reads some figures, the harness all

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use docket_app::companion::{Companion, Event, StartOptions};
use docket_app::schedule::Clock;
use docket_app::snapshot::{Activity, TrayState};
use docket_app::{App, Lang};
use m365_emulator::docketsync_config::{DemoApp, DocketsyncConfig};
use m365_emulator::world::demo;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Options {
    pub days: i64,
    pub items: usize,
    pub interval_minutes: u32,
    pub seed: u64,
    /// `policy.max_delete_share`. The PMS goes on deleting during the
    /// token endpoint's outage; the first export after it deletes all of
    /// that at once, which the default share (0.2) brakes (see
    /// `docs/reliability.md`: in the background loop nothing tells the
    /// user, and the deletions wait for ever).
    pub max_delete_share: f64,
    /// A daily line on stderr.
    pub verbose: bool,
    /// Where the tray's log goes (the harness sets up logging; a test
    /// cannot, the subscriber is per process).
    pub log_dir: Option<PathBuf>,
}

/// One sample, taken at each simulated midnight.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub day: i64,
    pub fds: usize,
    pub threads: usize,
    pub rss_kb: u64,
    pub pss_kb: u64,
    /// Files under the home (state, secrets, caches), and temp files among them.
    pub files: usize,
    pub temp_files: usize,
    pub log_files: usize,
    pub log_bytes: u64,
    /// The log files' names.
    pub log_names: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Where the tokens were kept (`secrets-location-keyring`, `-file` …).
    pub secrets_location: String,
    pub days: i64,
    pub runs: u64,
    pub failed_runs: u64,
    pub samples: Vec<Sample>,
    /// Notification key → how often it was raised.
    pub notified: BTreeMap<String, u32>,
    /// Good sign-in refreshes per simulated day (from the status's last
    /// good refresh, read after every run).
    pub refreshes_per_day: BTreeMap<i64, u32>,
    /// The longest time without a good refresh outside the token
    /// endpoint's outage, in hours.
    pub longest_gap_hours: f64,
    /// Days outside the outage without a good refresh.
    pub days_without_refresh: Vec<i64>,
    /// Graph requests the emulator counted.
    pub graph_requests: u64,
    /// The mailbox equals the PMS after the last run.
    pub converged: bool,
    pub mismatch: String,
    /// Events a slow reader missed (must be 0).
    pub lagged_events: u64,
    pub real_seconds: f64,
    /// Items the exports deleted, and deletions the brake held back in
    /// the last run.
    pub deleted: u64,
    /// Fault windows by the fault's name.
    pub faults: BTreeMap<&'static str, u32>,
    /// The machine slept (the clock jumped) across the token's expiry.
    pub sleeps: Vec<Sleep>,
    /// The PMS export was cut short for a window.
    pub cuts: Vec<Cut>,
    /// The refresh token was revoked.
    pub revocations: Vec<Revocation>,
}

/// The clock jumped two hours while an export ran.
#[derive(Debug, Clone, Default)]
pub struct Sleep {
    /// While a write of the export was in flight (else between two runs:
    /// the export ended before its writes were seen).
    pub mid_batch: bool,
    /// Runs in the fault window, and how many failed.
    pub runs: u32,
    pub failed_runs: u32,
    /// The tray asked for a sign-in, or a sign-in problem was notified.
    pub sign_in_alarm: bool,
}

/// The PMS export cut short for a fault window.
#[derive(Debug, Clone, Default)]
pub struct Cut {
    /// In the middle of a record, else between two records.
    pub mid_record: bool,
    /// Runs that read the cut file.
    pub runs: u32,
    /// Outlook items the PMS still has that went from the mailbox during
    /// the window (must be 0).
    pub vanished: usize,
    /// The mailbox equal to the PMS before the next day's PMS change.
    pub converged_after: Option<bool>,
}

/// The refresh token revoked (`revoke-sessions`) while an export's writes
/// were in flight, and the clock two hours on (the access token expired).
#[derive(Debug, Clone, Default)]
pub struct Revocation {
    pub mid_batch: bool,
    /// The tray turned to "needs the user" and the loop to waiting for
    /// the user.
    pub waiting_for_user: bool,
    /// The first problem shown then, and whether it was the user's.
    pub problem: Option<String>,
    pub who_user: bool,
    /// Sign-ins asked of the simulated user, and whether one completed.
    pub sign_ins: u32,
    pub signed_in: bool,
    /// A good run after the sign-in, without a restart.
    pub resumed: bool,
}

/// The simulated clock: tokio's (paused) time from `start`; every reading
/// sets the emulator's clock to it.
struct SimClock {
    start: DateTime<Utc>,
    at: tokio::time::Instant,
    /// Seconds the machine slept: the wall clock moved on, tokio's
    /// (monotonic) clock did not, as on a laptop whose lid was closed.
    slept: AtomicI64,
    emulator: m365_emulator::Shared,
}

impl SimClock {
    fn sleep(&self, d: Duration) {
        self.slept.fetch_add(d.num_seconds(), Ordering::SeqCst);
        self.now();
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.at;
        let now = self.start
            + Duration::from_std(elapsed).unwrap_or_default()
            + Duration::seconds(self.slept.load(Ordering::SeqCst));
        self.emulator.world().clock.offset_seconds = (now - Utc::now()).num_seconds();
        now
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The PMS: appointments by UID with their summary.
struct Pms {
    file: PathBuf,
    items: BTreeMap<u64, String>,
    next_uid: u64,
}

impl Pms {
    fn text(&self) -> String {
        let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pms//EN\r\n");
        // In June 2027, after the run's last day: a past appointment the
        // PMS drops stays in Outlook as history (by design), which would
        // not be the PMS.
        for (uid, summary) in &self.items {
            let day = 1 + uid % 28;
            let hour = 8 + uid % 9;
            s += &format!(
                "BEGIN:VEVENT\r\nUID:long-{uid}\r\nSUMMARY:{summary}\r\n\
                 DTSTART;TZID=Europe/Berlin:202706{day:02}T{hour:02}0000\r\n\
                 DTEND;TZID=Europe/Berlin:202706{day:02}T{hour:02}3000\r\nEND:VEVENT\r\n"
            );
        }
        s += "END:VCALENDAR\r\n";
        s
    }

    fn write(&self) {
        // As a PMS would: a new file renamed over the old one.
        let tmp = self.file.with_extension("ics.part");
        std::fs::write(&tmp, self.text()).expect("write the PMS export");
        std::fs::rename(&tmp, &self.file).expect("rename the PMS export");
    }

    /// The export as a reader finds it while the PMS is still writing it
    /// in place: only its first half.
    fn write_cut(&self, mid_record: bool) {
        let text = self.text();
        let cut = docket_testkit::stress::faults::cut_short(&text, mid_record);
        std::fs::write(&self.file, cut).expect("write the cut PMS export");
    }

    /// Edit `k` appointments (`tag` tells the edits of a day apart).
    fn edit(&mut self, rng: &mut Rng, k: u64, tag: &str) {
        let n = self.items.len() as u64;
        for _ in 0..k {
            if let Some((&uid, _)) = self.items.iter().nth(rng.below(n) as usize) {
                self.items.insert(uid, format!("Termin {uid} ({tag})"));
            }
        }
    }

    fn change(&mut self, rng: &mut Rng, day: i64) {
        let n = self.items.len() as u64;
        let k = 1 + rng.below(n / 20 + 1);
        self.edit(rng, k, &format!("Tag {day}"));
        for _ in 0..rng.below(n / 30 + 2) {
            let uid = self.next_uid;
            self.next_uid += 1;
            self.items.insert(uid, format!("Neu {uid} (Tag {day})"));
        }
        for _ in 0..rng.below(n / 30 + 2) {
            let len = self.items.len() as u64;
            if let Some((&uid, _)) = self.items.iter().nth(rng.below(len) as usize) {
                self.items.remove(&uid);
            }
        }
        self.write();
    }

    fn expected(&self) -> Vec<String> {
        let mut v: Vec<String> = self.items.values().cloned().collect();
        v.sort();
        v
    }
}

/// What `/proc/self` says.
fn sample(day: i64, home: &Path, log_dir: Option<&Path>) -> Sample {
    let count = |p: &str| std::fs::read_dir(p).map_or(0, |d| d.count());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let smaps = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    let kb = |text: &str, key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    let mut files = vec![];
    walk(home, &mut files);
    let temp_files = files
        .iter()
        .filter(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            // tempfile's default (`.tmp…`), the secrets file's writes
            // (`.secrets-…`), settings (`*.toml.new`), downloads (`.part`).
            name.contains(".tmp")
                || name.starts_with(".secrets-")
                || name.ends_with(".new")
                || name.ends_with(".part")
        })
        .count();
    let mut logs = vec![];
    if let Some(dir) = log_dir {
        walk(dir, &mut logs);
    }
    Sample {
        day,
        fds: count("/proc/self/fd"),
        threads: count("/proc/self/task"),
        rss_kb: kb(&status, "VmRSS:"),
        pss_kb: kb(&smaps, "Pss:"),
        files: files.len(),
        temp_files,
        log_files: logs.len(),
        log_names: logs
            .iter()
            .filter_map(|f| f.file_name()?.to_str().map(str::to_string))
            .collect(),
        log_bytes: logs
            .iter()
            .filter_map(|f| f.metadata().ok())
            .map(|m| m.len())
            .sum(),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

async fn admin(base: &str, path: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .expect("admin call");
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn clear_faults(base: &str) {
    let r = reqwest::Client::new()
        .delete(format!("{base}/_admin/faults"))
        .send()
        .await
        .expect("clear faults");
    assert!(r.status().is_success());
}

/// What a fault does beyond the emulator's fault rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Rules,
    ExpireDeltaTokens,
    /// Once an export's write is in flight: the machine sleeps two hours
    /// (and with `revoke`, the refresh token is revoked first).
    MidBatch {
        revoke: bool,
    },
    /// The PMS export cut short while it is written: in the middle of a
    /// record and between two records, by turns.
    CutSource,
}

/// The fault of `day` (from 09:00 for six hours), by the day's draw.
fn fault_of(draw: u64) -> Option<(&'static str, Vec<Value>, Act)> {
    let g = "/v1.0/*";
    // Edits wait two seconds at Graph, so that the export's writes are in
    // flight for a while.
    let slow_edits = || {
        vec![json!({"method": "PATCH", "path": "/v1.0/me/events/*", "kind": "latency", "ms": 2000})]
    };
    Some(match draw % 12 {
        0 => (
            "429 with Retry-After (0.5 s, 1.25 s)",
            vec![
                json!({"path": g, "kind": "too_many_requests", "retry_after": 0.5, "probability": 0.1, "seed": draw}),
                json!({"path": g, "kind": "too_many_requests", "retry_after": 1.25, "probability": 0.05, "seed": draw + 1}),
            ],
            Act::Rules,
        ),
        1 => (
            "503 on 15 %",
            vec![
                json!({"path": g, "kind": "service_unavailable", "probability": 0.15, "seed": draw}),
            ],
            Act::Rules,
        ),
        2 => (
            "connection resets on 10 %",
            vec![
                json!({"path": g, "kind": "connection_reset", "probability": 0.05, "seed": draw}),
                json!({"path": g, "kind": "connection_reset", "after_handler": true, "probability": 0.05, "seed": draw + 1}),
            ],
            Act::Rules,
        ),
        3 => (
            "malformed JSON on 10 %",
            vec![
                json!({"path": g, "kind": "malformed_json", "after_handler": true, "probability": 0.1, "seed": draw}),
            ],
            Act::Rules,
        ),
        4 => (
            "latency 1.5 s on 5 %",
            vec![
                json!({"path": g, "kind": "latency", "ms": 1500, "probability": 0.05, "seed": draw}),
            ],
            Act::Rules,
        ),
        5 => (
            "network gone",
            vec![json!({"path": "*", "kind": "connection_reset"})],
            Act::Rules,
        ),
        6 => ("delta tokens expired", vec![], Act::ExpireDeltaTokens),
        7 => (
            "machine sleeping across the token's expiry mid-batch",
            slow_edits(),
            Act::MidBatch { revoke: false },
        ),
        // Twice as likely as the others: it comes in two kinds.
        8 | 10 => ("PMS export cut short", vec![], Act::CutSource),
        9 => (
            "refresh token revoked mid-batch",
            slow_edits(),
            Act::MidBatch { revoke: true },
        ),
        _ => return None,
    })
}

/// A fault that acts once an export's write is in flight: the latency
/// rule that holds the writes, whether to revoke the sign-in first, and
/// whether a run ended since it was armed.
#[derive(Debug, Clone, Copy)]
struct Armed {
    rule: u64,
    revoke: bool,
    run_ended: bool,
}

/// What the day's fault window holds besides the emulator's rules.
#[derive(Default)]
struct Window {
    armed: Option<Armed>,
    sleep: Option<Sleep>,
    /// The cut, and the appointments in the mailbox at its start.
    cut: Option<(Cut, BTreeSet<u64>)>,
}

impl Window {
    fn ran(&mut self, ok: bool) {
        if let Some(a) = self.armed.as_mut() {
            a.run_ended = true;
        }
        if let Some(s) = self.sleep.as_mut() {
            s.runs += 1;
            s.failed_runs += u32::from(!ok);
        }
        if let Some((c, _)) = self.cut.as_mut() {
            c.runs += 1;
        }
    }

    fn notified(&mut self, key: &str) {
        if let Some(s) = self.sleep.as_mut() {
            s.sign_in_alarm |= key.starts_with("problem:reauth");
        }
    }

    fn look(&mut self, snapshot: &docket_app::snapshot::Snapshot) {
        if let Some(s) = self.sleep.as_mut() {
            s.sign_in_alarm |= snapshot.tray == TrayState::NeedsUser;
        }
    }

    /// End the window: the full PMS export back, and the cut's deletions
    /// counted. Returns the index of the cut ended.
    async fn close(
        &mut self,
        base: &str,
        upn: &str,
        pms: &Pms,
        figures: &mut Figures,
    ) -> Option<usize> {
        self.armed = None;
        figures.sleeps.extend(self.sleep.take());
        let (mut cut, had) = self.cut.take()?;
        let left = uids(&mailbox(base, upn).await);
        cut.vanished = had
            .iter()
            .filter(|u| pms.items.contains_key(u) && !left.contains(u))
            .count();
        pms.write();
        figures.cuts.push(cut);
        Some(figures.cuts.len() - 1)
    }
}

impl Revocation {
    /// Whether the loop waits for the user now (noting how it says so).
    fn waits_for_user(&mut self, snapshot: &docket_app::snapshot::Snapshot) -> bool {
        let waits = !snapshot.signing_in
            && matches!(snapshot.activity, Activity::WaitingForUser { .. })
            && snapshot.tray == TrayState::NeedsUser;
        if waits && !self.waiting_for_user {
            self.waiting_for_user = true;
            // The problem the user must act on (a temporary one of the
            // export may stand beside it).
            let user = docket_text::Who::User;
            self.problem = snapshot
                .problems
                .iter()
                .find(|p| p.who == user)
                .or(snapshot.problems.first())
                .map(|p| p.code.clone());
            self.who_user = snapshot.who_must_act == Some(user);
        }
        waits
    }
}

async fn get(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}{path}"))
        .await
        .expect("admin read")
        .json()
        .await
        .expect("admin read's JSON")
}

/// The emulator's view of the mailbox.
async fn mailbox(base: &str, upn: &str) -> Value {
    get(base, &format!("/_admin/mailboxes/{upn}")).await
}

/// The calendar's subjects, sorted.
fn subjects(mailbox: &Value) -> Vec<String> {
    let mut got: Vec<String> = mailbox["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["props"]["subject"].as_str().map(str::to_owned))
        .collect();
    got.sort();
    got
}

/// The PMS appointments in the calendar, by the UID in their subject
/// ("Termin 12 (Tag 3)").
fn uids(mailbox: &Value) -> BTreeSet<u64> {
    subjects(mailbox)
        .iter()
        .filter_map(|s| s.split_whitespace().nth(1)?.parse().ok())
        .collect()
}

/// Wait (in real time, up to `ms`) for the snapshot to change.
async fn real_wait(rx: &mut tokio::sync::watch::Receiver<docket_app::snapshot::Snapshot>, ms: u64) {
    let pause = tokio::task::spawn_blocking(move || {
        std::thread::sleep(std::time::Duration::from_millis(ms))
    });
    tokio::select! {
        _ = rx.changed() => {}
        _ = pause => {}
    }
}

/// Run it. Must be called on a current-thread runtime with tokio's
/// `test-util` (the clock is paused here, after the sign-in).
pub async fn run(options: Options) -> Figures {
    let real = std::time::Instant::now();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tenant = uuid::Uuid::new_v4();
    let emulator = m365_emulator::TestServer::start(m365_emulator::EmulatorConfig {
        tenant_id: Some(tenant),
        ..m365_emulator::EmulatorConfig::default()
    })
    .await;
    let base = emulator.base_url.clone();
    let (upn, _, _, _, _, password) = demo::USERS[0];
    let home = tempfile::tempdir().expect("home");
    let pms_dir = tempfile::tempdir().expect("pms");
    let mut pms = Pms {
        file: pms_dir.path().join("kanzlei.ics"),
        items: (0..options.items as u64)
            .map(|i| (i, format!("Termin {i}")))
            .collect(),
        next_uid: options.items as u64,
    };
    pms.write();
    let start = Utc::now();
    let secret_expires = (start + Duration::days(options.days + 3)).date_naive();
    // The Web registration's redirect on a port of this run's own (the
    // demo's fixed one may be taken by another test).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let redirect = format!("http://localhost:{port}/authorize/");
    for t in emulator.shared.world().tenants.iter_mut() {
        for a in t
            .apps
            .iter_mut()
            .filter(|a| a.client_id == demo::WEB_CLIENT_ID)
        {
            a.redirect_uris.push(redirect.clone());
        }
    }
    let mut firm = DocketsyncConfig::new(&base, tenant);
    firm.app = DemoApp::Web;
    firm.plaintext_tokens = true;
    // The first line still belongs to [microsoft].
    firm.sections = format!(
        "client_secret_expires = {secret_expires}\nredirect_uri = \"{redirect}\"\n\n\
         [policy]\nsync_interval_minutes = {}\nmax_delete_share = {}\n\
         [modules]\ntasks = false\ncontacts = false\n\
         [source]\nkind = \"ics\"\npath = \"{}\"\n",
        options.interval_minutes,
        options.max_delete_share,
        pms.file.display()
    );
    let firm = firm.toml();
    let firm_file = home.path().join("firm.toml");
    std::io::Write::write_all(
        &mut docket_paths::secure::open_private(&firm_file).expect("firm file"),
        firm.as_bytes(),
    )
    .expect("firm file");
    let config = docket_config::validate(
        Some(docket_config::FileText {
            path: &firm_file,
            text: &firm,
        }),
        None,
        &|p: &Path| p.exists(),
    )
    .expect("valid config");
    let paths = docket_paths::Paths::under_home(home.path());
    let app = App::with_config(config, paths.clone()).expect("app");
    let secrets_location = app.secrets_location().id;
    app.set_client_secret(docket_secrets::SecretString::new(demo::WEB_CLIENT_SECRET))
        .expect("client secret");
    let browser = Arc::new(docket_testkit::pages_browser::PagesBrowser {
        base: base.clone(),
        upn: upn.into(),
        password: password.into(),
    });
    app.sign_in(browser.as_ref(), |_| {})
        .await
        .expect("sign in");

    // From here on tokio's clock moves only when the driver moves it.
    let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
    let holder = tokio::task::spawn_blocking(move || {
        let _ = hold_rx.recv();
    });
    tokio::time::pause();
    let clock = Arc::new(SimClock {
        start,
        at: tokio::time::Instant::now(),
        slept: AtomicI64::new(0),
        emulator: emulator.shared.clone(),
    });
    let c = Companion::start(
        app,
        StartOptions {
            clock: clock.clone(),
            browser,
            watch_source: false,
            lang: Some(Lang::En),
        },
    );
    let mut rx = c.watch();
    let mut events = c.events();
    let mut rng = Rng(options.seed.max(1));
    let mut figures = Figures {
        secrets_location,
        days: options.days,
        ..Figures::default()
    };
    let end = start + Duration::days(options.days);
    let outage = (
        start + Duration::days(1) + Duration::hours(12),
        start + Duration::days(79) + Duration::hours(12),
    );
    let token_fault =
        json!({"path": format!("/{tenant}/oauth2/v2.0/token"), "kind": "service_unavailable"});
    let mut outage_on = false;
    let mut day_done = -1i64;
    let mut pms_day = 0i64;
    let mut fault_until: Option<DateTime<Utc>> = None;
    let mut window = Window::default();
    // The cut window whose convergence the next PMS change looks at.
    let mut check_cut: Option<usize> = None;
    let mut revocation: Option<Revocation> = None;
    let mut last_refresh: Option<DateTime<Utc>> = None;
    let mut refreshes: Vec<DateTime<Utc>> = vec![];
    loop {
        let now = clock.now();
        // What happened: runs, notifications, sign-ins.
        loop {
            match events.try_recv() {
                Ok(Event::RunFinished { run }) => {
                    figures.runs += 1;
                    if !run.run.ok {
                        figures.failed_runs += 1;
                    }
                    figures.deleted += run.run.deleted as u64;
                    let at = c.snapshot().sign_in.last_good_refresh_at;
                    if at.is_some() && at != last_refresh {
                        last_refresh = at;
                        refreshes.extend(at);
                    }
                    window.ran(run.run.ok);
                    if let Some(r) = revocation.as_mut().filter(|r| r.signed_in) {
                        r.resumed |= run.run.ok;
                    }
                }
                Ok(Event::NotificationDue { notification }) => {
                    window.notified(&notification.key);
                    *figures.notified.entry(notification.key).or_default() += 1;
                }
                Ok(Event::SignInFinished { ok, .. }) => {
                    if let Some(r) = revocation.as_mut() {
                        r.signed_in |= ok;
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                    figures.lagged_events += n
                }
                Err(_) => break,
            }
        }
        window.look(&rx.borrow());
        // A revoked sign-in: once the loop waits for the user, the user
        // signs in again (the tray's "Sign in"); the loop goes on by itself.
        if let Some(r) = revocation.as_mut() {
            if !r.signed_in && r.sign_ins < 3 && r.waits_for_user(&rx.borrow()) {
                r.sign_ins += 1;
                c.sign_in();
            }
            if r.resumed {
                figures.revocations.extend(revocation.take());
            }
        }
        // An armed fault acts once the export's write is in flight (or
        // after the run, if it was over before its writes were seen).
        if let Some(armed) = window.armed {
            let faults = get(&base, "/_admin/faults").await;
            let fired = faults["faults"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["id"].as_u64() == Some(armed.rule) && f["fired"].as_u64() > Some(0));
            if fired || armed.run_ended {
                window.armed = None;
                if armed.revoke {
                    admin(
                        &base,
                        &format!("/_admin/users/{upn}/revoke-sessions"),
                        Value::Null,
                    )
                    .await;
                    revocation = Some(Revocation {
                        mid_batch: fired,
                        ..Revocation::default()
                    });
                } else {
                    window.sleep = Some(Sleep {
                        mid_batch: fired,
                        ..Sleep::default()
                    });
                }
                // The lid closed for two hours: the access token expired.
                clock.sleep(Duration::hours(2));
                continue;
            }
        }
        let unfinished = window.armed.is_some() || revocation.is_some();
        if now >= end && (!unfinished || now >= end + Duration::days(1)) {
            break;
        }
        // The day's schedule.
        let day = (now - start).num_days();
        if day > day_done {
            day_done = day;
            figures
                .samples
                .push(sample(day, home.path(), options.log_dir.as_deref()));
            if options.verbose {
                let s = figures.samples.last().expect("sample");
                eprintln!(
                    "day {day}: runs {} (failed {}), fds {}, threads {}, rss {} kB, files {}, notified {:?}",
                    figures.runs, figures.failed_runs, s.fds, s.threads, s.rss_kb, s.files, figures.notified
                );
            }
        }
        let in_outage = now >= outage.0 && now < outage.1;
        let at_day = now - Duration::days(day) - start;
        if at_day >= Duration::hours(8) && pms_day < day {
            pms_day = day;
            // After a cut window: the runs since have made the mailbox
            // the PMS again (the outage's runs cannot: wait for its end).
            if let Some(i) = check_cut.filter(|_| !in_outage) {
                check_cut = None;
                let got = subjects(&mailbox(&base, upn).await);
                figures.cuts[i].converged_after = Some(got == pms.expected());
            }
            pms.change(&mut rng, day);
        }
        if in_outage != outage_on {
            outage_on = in_outage;
            clear_faults(&base).await;
            check_cut = window
                .close(&base, upn, &pms, &mut figures)
                .await
                .or(check_cut);
            fault_until = None;
            if in_outage {
                admin(&base, "/_admin/faults", token_fault.clone()).await;
            }
        }
        if !in_outage && fault_until.is_none() && at_day >= Duration::hours(9) && fault_day(day) {
            let draw = rng.next();
            if let Some((name, rules, act)) = fault_of(draw) {
                *figures.faults.entry(name).or_default() += 1;
                let mut ids = vec![];
                for r in rules {
                    ids.extend(admin(&base, "/_admin/faults", r).await["id"].as_u64());
                }
                match act {
                    Act::Rules => {}
                    Act::ExpireDeltaTokens => {
                        admin(
                            &base,
                            &format!("/_admin/mailboxes/{upn}/delta-tokens/expire"),
                            json!({}),
                        )
                        .await;
                    }
                    Act::MidBatch { revoke } => {
                        // The fee-earner saves some changes in the PMS and
                        // closes the lid while their export runs.
                        pms.edit(&mut rng, 8, &format!("Tag {day}, mittags"));
                        pms.write();
                        window.armed = Some(Armed {
                            rule: ids[0],
                            revoke,
                            run_ended: false,
                        });
                        c.export_now();
                    }
                    Act::CutSource => {
                        let mid_record = figures.faults[name] % 2 == 1;
                        // Read while the PMS writes it (the watcher would
                        // start the export).
                        let had = uids(&mailbox(&base, upn).await);
                        pms.write_cut(mid_record);
                        window.cut = Some((
                            Cut {
                                mid_record,
                                ..Cut::default()
                            },
                            had,
                        ));
                        c.export_now();
                    }
                }
            }
            fault_until = Some(now + Duration::hours(6));
        }
        if fault_until.is_some_and(|t| now >= t) {
            clear_faults(&base).await;
            check_cut = window
                .close(&base, upn, &pms, &mut figures)
                .await
                .or(check_cut);
            fault_until = Some(DateTime::<Utc>::MAX_UTC);
        }
        if at_day < Duration::hours(9) && fault_until == Some(DateTime::<Utc>::MAX_UTC) {
            fault_until = None;
        }
        // Move time (not while the user signs in: a sign-in's requests
        // are answered in real time).
        let (activity, signing_in) = {
            let s = rx.borrow_and_update();
            (s.activity, s.signing_in)
        };
        let next = match activity {
            Activity::Idle { next_run: t }
            | Activity::BackingOff { until: t, .. }
            | Activity::WaitingForUser { next_look: t } => Some(t),
            _ => None,
        }
        .filter(|_| !signing_in);
        match next {
            Some(t) if t > now => {
                let step = (t - now).min(Duration::seconds(60));
                tokio::time::advance(step.to_std().unwrap_or_default()).await;
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            }
            _ => {
                // A run is on: let its requests be answered, and its
                // waits pass.
                real_wait(&mut rx, 10).await;
                if !rx.has_changed().unwrap_or(false) {
                    tokio::time::advance(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    }
    // The last word: no faults, one more export, and the mailbox.
    clear_faults(&base).await;
    check_cut = window
        .close(&base, upn, &pms, &mut figures)
        .await
        .or(check_cut);
    figures.revocations.extend(revocation.take());
    c.export_now();
    let want_runs = figures.runs + 1;
    while figures.runs < want_runs {
        match events.try_recv() {
            Ok(Event::RunFinished { .. }) => figures.runs += 1,
            Ok(Event::NotificationDue { notification }) => {
                *figures.notified.entry(notification.key).or_default() += 1;
            }
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                figures.lagged_events += n
            }
            Err(_) => {
                real_wait(&mut rx, 10).await;
                tokio::time::advance(std::time::Duration::from_millis(100)).await;
            }
        }
    }
    figures.samples.push(sample(
        options.days,
        home.path(),
        options.log_dir.as_deref(),
    ));
    let mailbox = mailbox(&base, upn).await;
    let got = subjects(&mailbox);
    let want = pms.expected();
    figures.converged = got == want;
    if let Some(i) = check_cut {
        figures.cuts[i].converged_after = Some(figures.converged);
    }
    if !figures.converged {
        let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).take(5).collect();
        let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).take(5).collect();
        if let Some(dump) = std::env::var_os("LONG_RUN_DUMP") {
            let _ = std::fs::write(
                dump,
                serde_json::to_string_pretty(&mailbox).unwrap_or_default(),
            );
        }
        let snap = c.snapshot();
        figures.mismatch = format!(
            "{} in the mailbox, {} in the PMS; missing {missing:?}, extra {extra:?}; \
             last runs {}; problems {}; warnings {}",
            got.len(),
            want.len(),
            serde_json::to_string(&snap.runs.iter().take(3).collect::<Vec<_>>())
                .unwrap_or_default(),
            serde_json::to_string(&snap.problems).unwrap_or_default(),
            serde_json::to_string(&snap.warnings).unwrap_or_default(),
        );
    }
    // Refreshes per day, and the longest gap outside the outage.
    for r in &refreshes {
        *figures
            .refreshes_per_day
            .entry((*r - start).num_days())
            .or_default() += 1;
    }
    let mut longest = Duration::zero();
    for w in refreshes.windows(2) {
        // The gap across the outage is the outage's.
        if !(w[0] <= outage.1 && w[1] >= outage.0) {
            longest = longest.max(w[1] - w[0]);
        }
    }
    figures.longest_gap_hours = longest.num_minutes() as f64 / 60.0;
    let outage_days = (outage.0 - start).num_days()..=(outage.1 - start).num_days();
    figures.days_without_refresh = (0..options.days)
        .filter(|d| !outage_days.contains(d) && !figures.refreshes_per_day.contains_key(d))
        .collect();
    let stats: Value = reqwest::get(format!("{base}/_admin/stats"))
        .await
        .expect("stats")
        .json()
        .await
        .unwrap_or_default();
    figures.graph_requests = stats["graph_requests"].as_u64().unwrap_or(0);
    c.stop().await;
    let _ = hold_tx.send(());
    let _ = holder.await;
    figures.real_seconds = real.elapsed().as_secs_f64();
    if options.verbose {
        eprintln!("faults drawn: {:?}", figures.faults);
        eprintln!("sleeps: {:?}", figures.sleeps);
        eprintln!("cuts: {:?}", figures.cuts);
        eprintln!("revocations: {:?}", figures.revocations);
        eprintln!("notified: {:?}", figures.notified);
    }
    drop(emulator);
    figures
}

/// Faults on four days of five.
fn fault_day(day: i64) -> bool {
    day % 5 != 4
}
