//! `docketsync demo`: the README's first command ends here.

use std::process::Command;

#[test]
fn the_demo_exports_the_sample_firm_and_explains_what_it_skipped() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_docketsync"))
        .env("DOCKETSYNC_HOME", home.path())
        .env_remove("DOCKETSYNC_CONFIG")
        .args(["demo", "--port", "0", "--exit"])
        .output()
        .expect("run the demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("Signed in as anna.berger@kanzlei-demo.onmicrosoft.com"),
        "{stdout}"
    );
    let created: usize = stdout
        .split("Exported: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no export summary: {stdout}"));
    assert!(created > 100, "the sample firm is exported: {stdout}");
    // The sample firm's deliberately broken records, each named with why.
    assert!(
        stdout.contains("bad date '2026-13-40' in DTSTART"),
        "{stdout}"
    );
    assert!(stdout.contains("missing UID"), "{stdout}");
    assert!(
        stdout.contains("0 writes — nothing changed"),
        "a second run sends nothing: {stdout}"
    );
}
