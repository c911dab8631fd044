//! A private Secret Service for the crash harness: a `dbus-run-session` of
//! its own with its own gnome-keyring (keyring files, runtime folder and
//! home in a temp folder), so that `docketsync` runs killed in the middle
//! of a keyring write meet a real Secret Service, and a daemon that a
//! killed client brings down takes nothing else with it (not the session's
//! keyring, not the other tests').
//!
//! The bus activates nothing (its service folder is empty): a daemon that
//! died is not silently replaced by a fresh, locked one, and no prompter
//! can appear. [`PrivateKeyring::entries`] reads the keyring with
//! `secret-tool`, independently of the `keyring` crate the product uses.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// What must be installed (Debian: `gnome-keyring dbus libsecret-tools`).
pub const TOOLS: [&str; 4] = [
    "dbus-run-session",
    "gnome-keyring-daemon",
    "dbus-send",
    "secret-tool",
];

/// The keyring service of the product's entries
/// (`docket_secrets::KeyringStore::SERVICE`).
pub const SERVICE: &str = docket_secrets::KeyringStore::SERVICE;

/// The first of [`TOOLS`] that is not on `PATH`.
pub fn missing_tool() -> Option<&'static str> {
    TOOLS.into_iter().find(|tool| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .map_or(true, |o| !o.status.success())
    })
}

/// Starts gnome-keyring unlocked (a `login` keyring with a throw-away
/// password), waits until it owns the Secret Service name, writes its pid
/// and the bus address to `$READY`, then waits until the harness closes
/// stdin and stops the daemon by its id.
const SCRIPT: &str = r#"
set -eu
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
printf '%s' stress-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
owner() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
        awk '{print $2}'
}
pid=""
for _ in $(seq 100); do
    pid="$(owner)"
    [ -n "$pid" ] && break
    sleep 0.1
done
[ -n "$pid" ] || { echo "gnome-keyring did not take the Secret Service name" >&2; exit 3; }
printf '%s %s\n' "$pid" "$DBUS_SESSION_BUS_ADDRESS" > "$READY.tmp"
mv "$READY.tmp" "$READY"
read -r _ || true
kill "$pid" 2>/dev/null || true
"#;

/// A session bus whose only service folder is empty.
fn bus_config(services: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        services.display()
    )
}

/// A private D-Bus session with an unlocked gnome-keyring; stopped (bus
/// and daemon) when dropped.
pub struct PrivateKeyring {
    session: Child,
    keeper: Option<ChildStdin>,
    /// The daemon's pid, as the bus names the owner of the Secret Service.
    pub daemon_pid: u32,
    /// `DBUS_SESSION_BUS_ADDRESS` of the private bus.
    pub bus_address: String,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for PrivateKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKeyring")
            .field("daemon_pid", &self.daemon_pid)
            .field("bus_address", &self.bus_address)
            .finish_non_exhaustive()
    }
}

/// One Secret Service item of [`SERVICE`]: its `username` attribute (the
/// account name) and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub account: String,
    pub secret: String,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entry({}, <redacted>)", self.account)
    }
}

impl PrivateKeyring {
    /// Start the bus and the daemon. Panics with what went wrong (the
    /// caller checked [`missing_tool`] first).
    pub fn start() -> PrivateKeyring {
        let dir = tempfile::tempdir().expect("tempdir");
        let services = dir.path().join("no-services");
        std::fs::create_dir_all(&services).expect("services folder");
        let config = dir.path().join("bus.conf");
        std::fs::write(&config, bus_config(&services)).expect("bus config");
        let home = dir.path().join("home");
        let ready = dir.path().join("ready");
        let mut session = Command::new("dbus-run-session")
            .arg(format!("--config-file={}", config.display()))
            .args(["--", "sh", "-c", SCRIPT])
            .env("READY", &ready)
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_RUNTIME_DIR", dir.path().join("run"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("session.err")).expect("log"))
            .spawn()
            .expect("run dbus-run-session");
        let keeper = session.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(30);
        let line = loop {
            if let Ok(line) = std::fs::read_to_string(&ready) {
                break line;
            }
            if let Ok(Some(status)) = session.try_wait() {
                panic!(
                    "the private keyring session ended ({status}): {}",
                    std::fs::read_to_string(dir.path().join("session.err")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the private gnome-keyring did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let (pid, address) = line.trim().split_once(' ').expect("pid and address");
        PrivateKeyring {
            session,
            keeper,
            daemon_pid: pid.parse().expect("daemon pid"),
            bus_address: address.to_string(),
            dir,
        }
    }

    /// Where the session's output goes (for a failure's message).
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("session.err")
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .stdin(Stdio::null());
        cmd
    }

    /// Whether the daemon started here still owns the Secret Service.
    pub fn alive(&self) -> bool {
        self.command("dbus-send")
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .is_ok_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .last()
                    .and_then(|p| p.parse::<u32>().ok())
                    == Some(self.daemon_pid)
            })
    }

    /// Every item of [`SERVICE`], one per item (two items with one
    /// account name are two entries).
    pub fn entries(&self) -> Vec<Entry> {
        // `secret-tool search` prints the attributes on stderr and the
        // secrets on stdout: the account names come from the one, each
        // secret from a lookup by its account name.
        let out = self
            .command("secret-tool")
            .args(["search", "--all", "service", SERVICE])
            .output()
            .expect("secret-tool search");
        let accounts: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = "))
            .map(str::to_string)
            .collect();
        accounts
            .into_iter()
            .map(|account| {
                let out = self
                    .command("secret-tool")
                    .args(["lookup", "service", SERVICE, "username", &account])
                    .output()
                    .expect("secret-tool lookup");
                Entry {
                    account,
                    secret: String::from_utf8_lossy(&out.stdout).into_owned(),
                }
            })
            .collect()
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        // Closing the keeper's stdin stops the daemon, then the session.
        if let Some(mut keeper) = self.keeper.take() {
            let _ = keeper.write_all(b"\n");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.session.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.session.kill();
        let _ = self.session.wait();
    }
}

/// What the keyring holds of one user, as the chunked layout of
/// `docket-secrets` (docs/secrets.md, "Chunking") reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    /// Secrets whose manifest names whole chunks with the right length and
    /// SHA-256.
    pub whole: usize,
    /// Secrets whose manifest is there but whose chunks are missing or do
    /// not match it (a torn write: the token is lost).
    pub torn: usize,
    /// Chunks no manifest names (left by a write cut off before its
    /// manifest switch, or by a tidy-up that did not finish).
    pub orphan_chunks: usize,
    /// Account names held by more than one item (the `keyring` crate
    /// calls such an entry ambiguous, and the secret unreadable).
    pub ambiguous: usize,
    /// Every item of the user.
    pub items: usize,
}

/// The manifest's fields the check needs.
fn manifest(text: &str) -> Option<(u64, usize, usize, String)> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    if v["format"] != "docket-chunks/1" {
        return None;
    }
    Some((
        v["generation"].as_u64()?,
        v["chunks"].as_u64()? as usize,
        v["bytes"].as_u64()? as usize,
        v["sha256"].as_str()?.to_string(),
    ))
}

/// Whether `account` is one of `user`'s (any kind, any chunk).
pub fn of_user(account: &str, user: &str) -> bool {
    let base = account.split_once('#').map_or(account, |(b, _)| b);
    base.starts_with("v1/") && base.rsplit('/').next() == Some(user)
}

/// The generation of each of `user`'s manifests (one per secret).
pub fn generations(entries: &[Entry], user: &str) -> Vec<u64> {
    entries
        .iter()
        .filter(|e| of_user(&e.account, user) && !e.account.contains('#'))
        .filter_map(|e| manifest(&e.secret).map(|m| m.0))
        .collect()
}

/// Classify `user`'s entries among `entries`.
pub fn holdings(entries: &[Entry], user: &str) -> Holdings {
    let mut by_account: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in entries.iter().filter(|e| of_user(&e.account, user)) {
        by_account
            .entry(e.account.as_str())
            .or_default()
            .push(e.secret.as_str());
    }
    let mut h = Holdings {
        items: by_account.values().map(Vec::len).sum(),
        ambiguous: by_account.values().filter(|v| v.len() > 1).count(),
        ..Holdings::default()
    };
    let one = |account: &str| by_account.get(account).and_then(|v| v.first().copied());
    let mut named: Vec<String> = vec![];
    for (account, secrets) in &by_account {
        if account.contains('#') {
            continue;
        }
        let Some((generation, chunks, bytes, sha)) = manifest(secrets[0]) else {
            h.torn += 1;
            continue;
        };
        let slot = if generation % 2 == 0 { 'a' } else { 'b' };
        let mut value = String::new();
        let mut missing = false;
        for i in 0..chunks {
            let name = format!("{account}#{slot}{i}");
            match one(&name) {
                Some(chunk) => value.push_str(chunk),
                None => missing = true,
            }
            named.push(name);
        }
        let hex: String = Sha256::digest(value.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if missing || value.len() != bytes || hex != sha {
            h.torn += 1;
        } else {
            h.whole += 1;
        }
    }
    h.orphan_chunks = by_account
        .keys()
        .filter(|a| a.contains('#') && !named.iter().any(|n| n == *a))
        .count();
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(account: &str, secret: &str) -> Entry {
        Entry {
            account: account.into(),
            secret: secret.into(),
        }
    }

    fn m(generation: u64, value: &str, chunks: usize) -> String {
        let hex: String = Sha256::digest(value.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!(
            r#"{{"format":"docket-chunks/1","generation":{generation},"chunks":{chunks},"bytes":{},"sha256":"{hex}"}}"#,
            value.len()
        )
    }

    const U: &str = "james@x";
    const B: &str = "v1/refresh-token/t/c/james@x";

    #[track_caller]
    fn check(entries: &[Entry], expect: Holdings) {
        assert_eq!(holdings(entries, U), expect);
    }

    #[test]
    fn classifies_whole_torn_orphaned_and_ambiguous_entries() {
        let whole = |orphans, items| Holdings {
            whole: 1,
            orphan_chunks: orphans,
            items,
            ..Holdings::default()
        };
        check(&[], Holdings::default());
        // Generation 3 reads slot b.
        check(
            &[e(B, &m(3, "tok", 1)), e(&format!("{B}#b0"), "tok")],
            whole(0, 2),
        );
        // A write cut off before its manifest: slot a holds the new chunk.
        check(
            &[
                e(B, &m(3, "tok", 1)),
                e(&format!("{B}#b0"), "tok"),
                e(&format!("{B}#a0"), "new"),
            ],
            whole(1, 3),
        );
        // Two chunks, concatenated.
        check(
            &[
                e(B, &m(0, "abcd", 2)),
                e(&format!("{B}#a0"), "ab"),
                e(&format!("{B}#a1"), "cd"),
            ],
            whole(0, 3),
        );
        let torn = |orphans, items| Holdings {
            torn: 1,
            orphan_chunks: orphans,
            items,
            ..Holdings::default()
        };
        // The manifest switched to a slot without its chunk.
        check(
            &[e(B, &m(4, "new", 1)), e(&format!("{B}#b0"), "old")],
            torn(1, 2),
        );
        // A chunk of the other value.
        check(
            &[e(B, &m(4, "new", 1)), e(&format!("{B}#a0"), "old")],
            torn(0, 2),
        );
        check(&[e(B, "not json")], torn(0, 1));
        // Chunks without a manifest.
        check(
            &[e(&format!("{B}#a0"), "x")],
            Holdings {
                orphan_chunks: 1,
                items: 1,
                ..Holdings::default()
            },
        );
        // One account name on two items.
        check(
            &[
                e(B, &m(0, "t", 1)),
                e(&format!("{B}#a0"), "t"),
                e(&format!("{B}#a0"), "t"),
            ],
            Holdings {
                whole: 1,
                ambiguous: 1,
                items: 3,
                ..Holdings::default()
            },
        );
        // Other users' and the probe's entries are not the user's.
        check(
            &[
                e("v1/probe/12-0", "probe"),
                e("v1/refresh-token/t/c/anna@x#a0", "x"),
                e("v1/refresh-token/t/c/xjames@x", "x"),
            ],
            Holdings::default(),
        );
    }
}
