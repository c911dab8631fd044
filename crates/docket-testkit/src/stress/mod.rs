//! The stress harnesses of issue 11: [`crash`] (an export killed at random
//! moments and at named crash points, then one clean run that must leave
//! the mailbox equal to the PMS) and [`faults`] (fault storms on the
//! emulator, each ending in convergence at the next run). Both drive the
//! real `docketsync` binary against the `m365-emulator` process, as a
//! fee-earner's machine does; `docket-stress` (`src/bin/docket-stress.rs`)
//! is the command, and the CLI's tests run short versions of each.
//!
//! [`Rig`] is what both share: an emulator, a signed-in Docket Sync home
//! whose PMS is a folder of exports written by [`Firm`], and a reader of
//! the mailbox that compares it with the PMS ([`Rig::verify`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use m365_emulator::docketsync_config::DocketsyncConfig;
use serde_json::{json, Value};

use crate::emulator::EmulatorProcess;

pub mod crash;
pub mod faults;
pub mod keyring;

/// The demo fee-earner the harnesses sign in as.
pub const UPN: &str = "james.wright@kanzlei-demo.onmicrosoft.com";

/// A repeatable generator (SplitMix64), so a seed names a run.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

fn mix(a: u64, b: u64) -> u64 {
    Rng(a.wrapping_mul(0x1000_0000_01B3) ^ b.rotate_left(29)).next_u64()
}

/// The PMS of a firm with `items` records (half appointments, a quarter
/// deadlines, a quarter subscribed contacts) as it stands in `round`:
/// each round some records are edited, some deleted and some added.
#[derive(Debug, Clone, Copy)]
pub struct Firm {
    pub items: u64,
}

/// One round's PMS: the files, and what the mailbox must then hold
/// (source key → subject, title or display name).
pub struct Pms {
    pub ics: String,
    pub vcf: String,
    pub expected: BTreeMap<String, String>,
}

impl Firm {
    pub fn round(&self, round: u64) -> Pms {
        let mut ics =
            String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//docket-stress//EN\r\n");
        let mut vcf = String::new();
        let mut expected = BTreeMap::new();
        let mut item = |uid: String, kind: u64, name: String| match kind {
            0 | 1 => {
                let day = 1 + mix(kind, uid.len() as u64) % 28;
                let hour = 8 + mix(uid.len() as u64, kind) % 9;
                ics.push_str(&format!(
                    "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{name}\r\n\
                     DTSTART;TZID=Europe/Berlin:202701{day:02}T{hour:02}0000\r\n\
                     DTEND;TZID=Europe/Berlin:202701{day:02}T{hour:02}3000\r\nEND:VEVENT\r\n"
                ));
                expected.insert(format!("appointment:{uid}"), name);
            }
            2 => {
                let day = 1 + uid.len() % 28;
                ics.push_str(&format!(
                    "BEGIN:VTODO\r\nUID:{uid}\r\nSUMMARY:{name}\r\nCATEGORIES:Frist\r\n\
                     DUE;VALUE=DATE:202702{day:02}\r\nEND:VTODO\r\n"
                ));
                expected.insert(format!("deadline:{uid}"), name);
            }
            _ => {
                vcf.push_str(&format!(
                    "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:{name}\r\nN:{name};;;;\r\n\
                     EMAIL:{uid}@example.com\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n"
                ));
                expected.insert(format!("contact:{uid}"), name);
            }
        };
        for j in 0..self.items {
            let roll = mix(j, round) % 100;
            if round > 0 && roll < 2 {
                continue; // deleted in the PMS this round (back later)
            }
            let name = if round > 0 && roll < 6 {
                format!("Akte {j} (Runde {round})")
            } else {
                format!("Akte {j}")
            };
            item(format!("r{j}"), j % 4, name);
        }
        // New records, present in the round they appear and the next.
        let new = (self.items / 100).max(3);
        for r in round.saturating_sub(1)..=round {
            if r == 0 {
                continue;
            }
            for k in 0..new {
                item(format!("n{r}-{k}"), k % 4, format!("Neu {r}-{k}"));
            }
        }
        ics.push_str("END:VCALENDAR\r\n");
        Pms { ics, vcf, expected }
    }
}

impl Firm {
    /// What going from `round - 1` to `round` asks of the export:
    /// (creates, all writes).
    pub fn changes(&self, round: u64) -> (u64, u64) {
        let before = self.round(round.saturating_sub(1)).expected;
        let now = self.round(round).expected;
        let creates = now.keys().filter(|k| !before.contains_key(*k)).count() as u64;
        let deletes = before.keys().filter(|k| !now.contains_key(*k)).count() as u64;
        let updates = now
            .iter()
            .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
            .count() as u64;
        (creates, creates + deletes + updates)
    }
}

/// What a comparison of the mailbox with the PMS found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Items of ours beyond the first for a source key.
    pub duplicates: usize,
    /// PMS records without their item.
    pub lost: usize,
    /// Items of ours whose record is gone from the PMS.
    pub stale: usize,
    /// Items whose subject, title or name is not the PMS's.
    pub wrong: usize,
}

impl Verdict {
    pub fn converged(&self) -> bool {
        *self == Verdict::default()
    }
}

/// One `docketsync` run's end.
#[derive(Debug)]
pub struct Run {
    pub status: std::process::ExitStatus,
    pub json: Value,
    pub stderr: String,
}

impl Run {
    /// The error code the run printed (`reauth.password_changed` …).
    pub fn code(&self) -> Option<&str> {
        self.json["error"]["code"].as_str()
    }

    pub fn ok(&self) -> bool {
        self.json["ok"] == true
    }

    /// `ok`, with no item left for the next run.
    pub fn complete(&self) -> bool {
        self.ok() && self.json["failed"].as_array().is_none_or(Vec::is_empty)
    }

    /// A sign-in problem: the fee-earner would have to sign in again (a
    /// refresh token the store cannot read whole, `keyring.corrupt`, is
    /// replaced only by a new sign-in).
    pub fn needs_sign_in(&self) -> bool {
        self.code().is_some_and(|c| {
            c.starts_with("reauth.") || c.starts_with("signin.") || c == "keyring.corrupt"
        })
    }
}

/// An emulator and a signed-in Docket Sync home whose PMS is a folder.
pub struct Rig {
    pub docketsync: PathBuf,
    pub emulator: EmulatorProcess,
    pub home: tempfile::TempDir,
    pub config: PathBuf,
    pub pms: PathBuf,
    pub http: reqwest::Client,
    /// `Some`: the tokens are in this private Secret Service (the keyring
    /// store); `None`: in the opted-in plaintext file, without any bus.
    pub keyring: Option<keyring::PrivateKeyring>,
}

impl Rig {
    /// Start an emulator whose Entra keeps a rotated-out refresh token
    /// valid (as Entra does: "The Microsoft identity platform doesn't
    /// revoke old refresh tokens when used to fetch new access tokens",
    /// <https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens>),
    /// configure a home and sign in through `docketsync signin`. The
    /// tokens go to the opted-in plaintext file.
    pub async fn start(docketsync: &Path) -> Rig {
        Rig::start_with(docketsync, None).await
    }

    /// As [`Rig::start`], the tokens in the OS keyring when `keyring` is
    /// given: the plaintext opt-in is off, and every `docketsync` talks
    /// to that private Secret Service.
    pub async fn start_with(docketsync: &Path, keyring: Option<keyring::PrivateKeyring>) -> Rig {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let emulator = EmulatorProcess::start(&[]);
        let home = tempfile::tempdir().expect("tempdir");
        let pms = home.path().join("pms");
        std::fs::create_dir_all(&pms).expect("pms folder");
        let mut firm = DocketsyncConfig::new(emulator.base_url(), emulator.tenant_id());
        firm.sections = format!(
            "[source]\nkind = \"ics\"\npath = {}\n",
            Value::from(pms.display().to_string())
        );
        firm.plaintext_tokens = keyring.is_none();
        let config = home.path().join("firm.toml");
        std::fs::write(&config, firm.toml()).expect("config");
        let browser = home.path().join("browser.sh");
        let url_file = home.path().join("url.txt");
        std::fs::write(
            &browser,
            format!(
                "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
                url_file.display()
            ),
        )
        .expect("browser script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        let rig = Rig {
            docketsync: docketsync.to_path_buf(),
            emulator,
            home,
            config,
            pms,
            http: reqwest::Client::new(),
            keyring,
        };
        rig.admin(
            "/_admin/entra/settings",
            json!({"strict_refresh_token_rotation": false}),
        )
        .await;
        // Back-to-back runs of 2,000 records pass Outlook's 10,000
        // requests per 10 minutes (each process starts a pacer of its
        // own), and a clean run that waits out the budget cannot finish.
        // The budget is not what these harnesses test; the concurrency
        // limit (4) stays.
        rig.admin("/_admin/throttle", json!({"budget": 10_000_000}))
            .await;
        rig.sign_in().await;
        rig
    }

    pub fn base(&self) -> &str {
        self.emulator.base_url()
    }

    /// `docketsync …` in this home, never on the session's Secret Service:
    /// a client killed in the middle of a Secret Service call can abort
    /// gnome-keyring for everyone else on the bus. Its bus is the private
    /// keyring's, or points nowhere (so the opted-in file holds the
    /// tokens).
    pub fn cmd(&self, args: &[&str]) -> Command {
        let bus = match &self.keyring {
            Some(k) => k.bus_address.clone(),
            None => format!("unix:path={}", self.home.path().join("no-bus").display()),
        };
        let mut cmd = Command::new(&self.docketsync);
        cmd.env("DOCKETSYNC_HOME", self.home.path())
            .env("BROWSER", self.home.path().join("browser.sh"))
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .env_remove("DOCKETSYNC_CONFIG")
            .env_remove(docket_crash::VARIABLE)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// `docketsync sync --json` in the background, its output to files.
    pub fn spawn_sync(&self, crash_at: Option<&str>) -> Child {
        let mut cmd = self.cmd(&["sync", "--json"]);
        if let Some(point) = crash_at {
            cmd.env(docket_crash::VARIABLE, point);
        }
        cmd.stdout(self.log_file("sync.out"))
            .stderr(self.log_file("sync.err"))
            .spawn()
            .expect("spawn docketsync sync")
    }

    fn log_file(&self, name: &str) -> std::fs::File {
        std::fs::File::create(self.home.path().join(name)).expect("log file")
    }

    /// Wait for a spawned sync and read what it printed.
    pub fn finish(&self, mut child: Child) -> Run {
        let status = child.wait().expect("wait");
        let out = std::fs::read_to_string(self.home.path().join("sync.out")).unwrap_or_default();
        let stderr = std::fs::read_to_string(self.home.path().join("sync.err")).unwrap_or_default();
        Run {
            status,
            json: out
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str(l).ok())
                .unwrap_or(Value::Null),
            stderr,
        }
    }

    /// One `docketsync sync --json` to its end.
    pub fn sync(&self) -> Run {
        let child = self.spawn_sync(None);
        self.finish(child)
    }

    /// `docketsync signin`, the person at the browser signing in.
    pub async fn sign_in(&self) {
        let url_file = self.home.path().join("url.txt");
        let _ = std::fs::remove_file(&url_file);
        let mut child = self
            .cmd(&["signin"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("signin");
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            if let Ok(url) = std::fs::read_to_string(&url_file) {
                break url;
            }
            assert!(Instant::now() < deadline, "signin opened no browser");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let password = self.emulator.password(UPN);
        m365_emulator::pages_client::sign_in(self.base(), &url, UPN, &password)
            .await
            .expect("sign in on the emulator's pages");
        let status = child.wait().expect("signin");
        assert!(status.success(), "docketsync signin failed: {status}");
    }

    /// Write the PMS files of one round.
    pub fn write_pms(&self, pms: &Pms) {
        std::fs::write(self.pms.join("kanzlei.ics"), &pms.ics).expect("ics");
        std::fs::write(self.pms.join("kontakte.vcf"), &pms.vcf).expect("vcf");
    }

    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base()))
            .json(&body)
            .send()
            .await
            .expect("admin");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base()))
            .send()
            .await
            .expect("admin")
            .json()
            .await
            .expect("admin JSON")
    }

    pub async fn clear_faults(&self) {
        self.http
            .delete(format!("{}/_admin/faults", self.base()))
            .send()
            .await
            .expect("clear faults");
    }

    /// What Graph has metered so far (each batch item counts).
    pub async fn graph_requests(&self) -> u64 {
        self.get("/_admin/stats").await["graph_requests"]
            .as_u64()
            .unwrap_or(0)
    }

    pub async fn batch_items(&self) -> u64 {
        self.get("/_admin/stats").await["batch_items"]
            .as_u64()
            .unwrap_or(0)
    }

    /// Our items in the mailbox: (source key, name) per item.
    pub async fn ours(&self) -> Vec<(String, String)> {
        let mailbox = self.get(&format!("/_admin/mailboxes/{UPN}")).await;
        let mut out = vec![];
        for (kind, field) in [("events", "subject"), ("contacts", "displayName")] {
            for item in mailbox[kind].as_array().into_iter().flatten() {
                for p in item["extended"].as_array().into_iter().flatten() {
                    if p["id"]
                        .as_str()
                        .is_some_and(|id| id.contains("DocketSyncSourceId"))
                    {
                        out.push((
                            p["value"].as_str().unwrap_or_default().to_string(),
                            item["props"][field]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        ));
                    }
                }
            }
        }
        for item in mailbox["tasks"].as_array().into_iter().flatten() {
            for r in item["linked_resources"].as_array().into_iter().flatten() {
                if r["applicationName"] == "Docket Sync" {
                    out.push((
                        r["externalId"].as_str().unwrap_or_default().to_string(),
                        item["props"]["title"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    ));
                }
            }
        }
        out
    }

    /// The mailbox against the PMS.
    pub async fn verify(&self, expected: &BTreeMap<String, String>) -> Verdict {
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, name) in self.ours().await {
            seen.entry(key).or_default().push(name);
        }
        let mut v = Verdict::default();
        for (key, names) in &seen {
            v.duplicates += names.len() - 1;
            match expected.get(key) {
                None => v.stale += 1,
                Some(want) => v.wrong += names.iter().filter(|n| *n != want).count(),
            }
        }
        v.lost = expected.keys().filter(|k| !seen.contains_key(*k)).count();
        v
    }
}

/// Kill a child now (SIGKILL on Unix) and reap it.
pub fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether the process ended by this signal.
pub fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal()
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}
