//! The `m365-emulator` binary as its own process, for the tests that run
//! the product's binary against it (the CLI's tests, the demo's, the
//! browser sign-in through `docketsync signin`): one way to find it and one
//! way to start it and read its ready file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `m365-emulator` binary: `M365_EMULATOR_BIN` when set, else the one
/// in the target folder and profile of the running test — built there
/// with `cargo build -p m365-emulator --bin m365-emulator` when it is
/// missing or older than a file of `crates/m365-emulator`, so a `cargo
/// nextest run -p docketsync` uses an emulator built from the same tree.
/// (A workspace run has built it already: then nothing is built while
/// tests run, which would starve the timed ones of the machine.) Panics
/// with the reason when it cannot be built.
pub fn binary() -> PathBuf {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(build)
        .clone()
        .unwrap_or_else(|e| panic!("the m365-emulator binary: {e}"))
}

fn build() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("M365_EMULATOR_BIN") {
        return Ok(PathBuf::from(p));
    }
    // A test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().map_err(|e| format!("no test binary path: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test binary is not in <target>/<profile>/deps")?;
    let target = profile_dir.parent().ok_or("no target folder")?;
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("no profile folder")?;
    let bin = profile_dir.join(format!("m365-emulator{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let crate_dir = crate::repo_root().join("crates/m365-emulator");
    if built.is_some_and(|built| newest_change(&crate_dir).is_none_or(|src| src <= built)) {
        return Ok(bin);
    }
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .args([
            "build",
            "-q",
            "-p",
            "m365-emulator",
            "--bin",
            "m365-emulator",
        ])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(crate::repo_root());
    match profile {
        "debug" => {}
        "release" => {
            cargo.arg("--release");
        }
        other => {
            cargo.args(["--profile", other]);
        }
    }
    let status = cargo
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("`cargo build -p m365-emulator` failed".into());
    }
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("{} was not built", bin.display()))
    }
}

/// The newest modification time of a file under `dir`.
fn newest_change(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_change(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// A running `m365-emulator` on a free loopback port with a demo tenant of
/// its own (tests share the OS keyring, whose entries are per tenant,
/// client and user); stopped (killed and reaped) on drop.
pub struct EmulatorProcess {
    child: Child,
    /// Its ready file: `base_url`, `tenant_id`, `public_client_id`,
    /// `users` (with the demo passwords), and with `--https`
    /// `https_base_url` and `ca_file`.
    pub ready: Value,
    _dir: tempfile::TempDir,
}

impl EmulatorProcess {
    /// `m365-emulator --port 0 --ready-file … --tenant-id <new>` plus
    /// `extra` (and `--dir` a temporary folder unless `extra` names one);
    /// waits (up to 60 s) for the ready file.
    pub fn start(extra: &[&str]) -> EmulatorProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        let ready_file = dir.path().join("ready.json");
        let mut cmd = Command::new(binary());
        if !extra.contains(&"--dir") {
            cmd.arg("--dir").arg(dir.path());
        }
        let mut child = cmd
            .args(["--port", "0", "--ready-file"])
            .arg(&ready_file)
            .arg("--tenant-id")
            .arg(uuid::Uuid::new_v4().to_string())
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start m365-emulator");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // Written via a temporary file and renamed: complete when there.
            if let Ok(text) = std::fs::read_to_string(&ready_file) {
                let ready = serde_json::from_str(&text).expect("the ready file is JSON");
                return EmulatorProcess {
                    child,
                    ready,
                    _dir: dir,
                };
            }
            if let Some(status) = child.try_wait().expect("poll m365-emulator") {
                panic!("m365-emulator exited early: {status}");
            }
            assert!(Instant::now() < deadline, "m365-emulator not ready in 60 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A string field of the ready file.
    pub fn field(&self, key: &str) -> &str {
        self.ready[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {}", self.ready))
    }

    /// The plain-HTTP base URL.
    pub fn base_url(&self) -> &str {
        self.field("base_url")
    }

    /// The demo tenant's id.
    pub fn tenant_id(&self) -> &str {
        self.field("tenant_id")
    }

    /// The bundled password of the demo user `upn`.
    pub fn password(&self, upn: &str) -> String {
        self.ready["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["upn"] == upn)
            .and_then(|u| u["password"].as_str())
            .unwrap_or_else(|| panic!("no demo password for {upn}"))
            .to_string()
    }

    /// Stop it with SIGTERM and wait (up to 10 s) for it to exit.
    #[cfg(unix)]
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll") {
                return status;
            }
            assert!(Instant::now() < deadline, "m365-emulator ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
