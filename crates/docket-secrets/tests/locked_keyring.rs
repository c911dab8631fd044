//! A keyring that is there but locked is an error the user can fix
//! (unlock it), never a reason to move tokens into the plaintext file,
//! even with `storage.allow_plaintext_tokens`.
//!
//! The test needs a locked Secret Service, and locking the one the other
//! tests share would break them: it runs itself again inside a private
//! `dbus-run-session` with its own gnome-keyring (keyring files in a temp
//! folder), locks that daemon's `login` collection, and checks
//! `open_default` there. The private bus has no activatable services, so
//! no unlock prompt can appear. Skipped when `dbus-run-session`,
//! `gnome-keyring-daemon` or `dbus-send` is missing, unless
//! `DOCKET_REQUIRE_KEYRING=1`.
#![cfg(target_os = "linux")]

use std::process::Command;

use docket_secrets::{open_default, StoreError};

const CHILD: &str = "DOCKET_LOCKED_KEYRING_CHILD";
const TEST: &str = "a_locked_keyring_is_an_error_even_with_the_plaintext_opt_in";

/// Runs in the private session, after the script below locked the keyring.
fn in_the_locked_session() {
    let dir = std::env::var_os("DOCKET_LOCKED_KEYRING_DIR").expect("dir");
    let file = std::path::Path::new(&dir).join("state/secrets.json");
    match open_default(true, &file) {
        Err(StoreError::Locked { detail }) => {
            assert!(
                detail.contains("unlock"),
                "the error says to unlock: {detail}"
            );
            assert!(
                !detail.contains("allow_plaintext_tokens"),
                "the opt-in does not help with a locked keyring, so it is not offered: {detail}"
            );
        }
        Err(other) => panic!("expected Locked, got {other:?}"),
        Ok(store) => panic!(
            "a locked keyring fell back to {:?} (plaintext: {})",
            store.location(),
            store.plaintext_message().is_some()
        ),
    }
    assert!(!file.exists(), "no plaintext file for a locked keyring");
}

/// Starts gnome-keyring with a `login` keyring, waits until it owns the
/// Secret Service name, locks the collection, runs the test binary again,
/// and stops the daemon by its id.
const SCRIPT: &str = r#"
set -eu
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
printf '%s' locked-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
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
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock \
    array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
rc=0
"$TEST_BINARY" --exact "$TEST_NAME" --nocapture || rc=$?
kill "$pid" 2>/dev/null || true
exit "$rc"
"#;

/// A session bus with no service directory but an empty one: nothing is
/// started by D-Bus activation (no second daemon, no prompter).
fn bus_config(services: &std::path::Path) -> String {
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

fn missing_tool() -> Option<&'static str> {
    ["dbus-run-session", "gnome-keyring-daemon", "dbus-send"]
        .into_iter()
        .find(|tool| {
            Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .map_or(true, |o| !o.status.success())
        })
}

#[test]
fn a_locked_keyring_is_an_error_even_with_the_plaintext_opt_in() {
    if std::env::var_os(CHILD).is_some() {
        in_the_locked_session();
        return;
    }
    if let Some(tool) = missing_tool() {
        if std::env::var("DOCKET_REQUIRE_KEYRING").as_deref() == Ok("1") {
            panic!("DOCKET_REQUIRE_KEYRING=1 but {tool} is missing (apt-get install gnome-keyring dbus)");
        }
        eprintln!("skipping {TEST}: {tool} is missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let services = dir.path().join("no-services");
    std::fs::create_dir_all(&services).unwrap();
    let config = dir.path().join("bus.conf");
    std::fs::write(&config, bus_config(&services)).unwrap();
    let home = dir.path().join("home");
    let out = Command::new("dbus-run-session")
        .arg(format!("--config-file={}", config.display()))
        .args(["--", "sh", "-c", SCRIPT])
        .env(CHILD, "1")
        .env("DOCKET_LOCKED_KEYRING_DIR", dir.path())
        .env("TEST_BINARY", std::env::current_exe().unwrap())
        .env("TEST_NAME", TEST)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", dir.path().join("run"))
        .output()
        .expect("run dbus-run-session");
    assert!(
        out.status.success(),
        "the locked-keyring run failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The child ran the check (and was not filtered out).
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
