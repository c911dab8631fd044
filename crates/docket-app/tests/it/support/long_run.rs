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
//! loop's at every reading.
//!
//! The timeline (day 0 = start):
//! - every day at 08:00 the PMS export changes (edits, additions,
//!   deletions); most days one fault for six hours from 09:00 (429 with
//!   `Retry-After`, 503, connection resets, malformed JSON, latency
//!   spikes, the network gone, an expired delta token);
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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use docket_app::companion::{Companion, Event, StartOptions};
use docket_app::schedule::Clock;
use docket_app::snapshot::Activity;
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
}

/// The simulated clock: tokio's (paused) time from `start`; every reading
/// sets the emulator's clock to it.
struct SimClock {
    start: DateTime<Utc>,
    at: tokio::time::Instant,
    emulator: m365_emulator::Shared,
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.at;
        let now = self.start + Duration::from_std(elapsed).unwrap_or_default();
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
    fn write(&self) {
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
        // As a PMS would: a new file renamed over the old one.
        let tmp = self.file.with_extension("ics.part");
        std::fs::write(&tmp, s).expect("write the PMS export");
        std::fs::rename(&tmp, &self.file).expect("rename the PMS export");
    }

    fn change(&mut self, rng: &mut Rng, day: i64) {
        let n = self.items.len() as u64;
        for _ in 0..(1 + rng.below(n / 20 + 1)) {
            if let Some((&uid, _)) = self.items.iter().nth(rng.below(n) as usize) {
                self.items.insert(uid, format!("Termin {uid} (Tag {day})"));
            }
        }
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

/// The fault of `day` (from 09:00 for six hours), by the day's draw.
fn fault_of(draw: u64) -> Option<(&'static str, Vec<Value>)> {
    let g = "/v1.0/*";
    Some(match draw % 9 {
        0 => (
            "429 with Retry-After (0.5 s, 1.25 s)",
            vec![
                json!({"path": g, "kind": "too_many_requests", "retry_after": 0.5, "probability": 0.1, "seed": draw}),
                json!({"path": g, "kind": "too_many_requests", "retry_after": 1.25, "probability": 0.05, "seed": draw + 1}),
            ],
        ),
        1 => (
            "503 on 15 %",
            vec![
                json!({"path": g, "kind": "service_unavailable", "probability": 0.15, "seed": draw}),
            ],
        ),
        2 => (
            "connection resets on 10 %",
            vec![
                json!({"path": g, "kind": "connection_reset", "probability": 0.05, "seed": draw}),
                json!({"path": g, "kind": "connection_reset", "after_handler": true, "probability": 0.05, "seed": draw + 1}),
            ],
        ),
        3 => (
            "malformed JSON on 10 %",
            vec![
                json!({"path": g, "kind": "malformed_json", "after_handler": true, "probability": 0.1, "seed": draw}),
            ],
        ),
        4 => (
            "latency 1.5 s on 5 %",
            vec![
                json!({"path": g, "kind": "latency", "ms": 1500, "probability": 0.05, "seed": draw}),
            ],
        ),
        5 => (
            "network gone",
            vec![json!({"path": "*", "kind": "connection_reset"})],
        ),
        6 => ("delta tokens expired", vec![]),
        _ => return None,
    })
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
    let mut last_refresh: Option<DateTime<Utc>> = None;
    let mut refreshes: Vec<DateTime<Utc>> = vec![];
    let mut faults_seen: BTreeMap<&'static str, u32> = BTreeMap::new();
    loop {
        let now = clock.now();
        // What happened: runs, notifications.
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
                }
                Ok(Event::NotificationDue { notification }) => {
                    *figures.notified.entry(notification.key).or_default() += 1;
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                    figures.lagged_events += n
                }
                Err(_) => break,
            }
        }
        if now >= end {
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
        let at_day = now - Duration::days(day) - start;
        if at_day >= Duration::hours(8) && pms_day < day {
            pms_day = day;
            pms.change(&mut rng, day);
        }
        let in_outage = now >= outage.0 && now < outage.1;
        if in_outage != outage_on {
            outage_on = in_outage;
            clear_faults(&base).await;
            fault_until = None;
            if in_outage {
                admin(&base, "/_admin/faults", token_fault.clone()).await;
            }
        }
        if !in_outage && fault_until.is_none() && at_day >= Duration::hours(9) && fault_day(day) {
            let draw = rng.next();
            if let Some((name, rules)) = fault_of(draw) {
                *faults_seen.entry(name).or_default() += 1;
                for r in rules {
                    admin(&base, "/_admin/faults", r).await;
                }
                if name == "delta tokens expired" {
                    admin(
                        &base,
                        &format!("/_admin/mailboxes/{upn}/delta-tokens/expire"),
                        json!({}),
                    )
                    .await;
                }
            }
            fault_until = Some(now + Duration::hours(6));
        }
        if fault_until.is_some_and(|t| now >= t) {
            clear_faults(&base).await;
            fault_until = Some(DateTime::<Utc>::MAX_UTC);
        }
        if at_day < Duration::hours(9) && fault_until == Some(DateTime::<Utc>::MAX_UTC) {
            fault_until = None;
        }
        // Move time.
        let activity = rx.borrow_and_update().activity;
        let next = match activity {
            Activity::Idle { next_run: t }
            | Activity::BackingOff { until: t, .. }
            | Activity::WaitingForUser { next_look: t } => Some(t),
            _ => None,
        };
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
    let mailbox: Value = reqwest::get(format!("{base}/_admin/mailboxes/{upn}"))
        .await
        .expect("mailbox")
        .json()
        .await
        .expect("mailbox json");
    let mut got: Vec<String> = mailbox["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["props"]["subject"].as_str().map(str::to_owned))
        .collect();
    got.sort();
    let want = pms.expected();
    figures.converged = got == want;
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
        eprintln!("faults drawn: {faults_seen:?}");
    }
    drop(emulator);
    figures
}

/// Faults on four days of five.
fn fault_day(day: i64) -> bool {
    day % 5 != 4
}
