//! What the CLI tests share: whole-output transcripts of `docketsync` (exit
//! code, stdout, stderr) compared with insta snapshots in
//! `tests/snapshots/`, with what differs from run to run filtered out —
//! the temporary home, loopback ports, dates and times, the computer's
//! time zone, spans shorter than an hour, durations, generated ids and the
//! sign-in URL's one-time values. A changed output fails the test and shows the difference;
//! `INSTA_UPDATE=always` writes the new snapshot for review.
//!
//! Each test binary includes it with `mod support;` and uses what it
//! needs.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `exit: N`, the whole of stdout and, when there is any, stderr under a
/// `stderr:` line.
pub fn transcript_of(code: i32, stdout: &str, stderr: &str) -> String {
    let mut text = format!("exit: {code}\n{stdout}");
    if !stderr.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("stderr:\n");
        text.push_str(stderr);
    }
    text
}

/// The transcript of a finished process.
pub fn transcript_of_output(out: &Output) -> String {
    transcript_of(
        out.status.code().unwrap_or(-1),
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
    )
}

/// Run `cmd` to its end; its transcript.
pub fn transcript(cmd: &mut Command) -> String {
    transcript_of_output(&cmd.output().expect("run docketsync"))
}

/// JSON on one line, pretty-printed (keys in order), so that a snapshot
/// shows one field per line and the filters see each value.
pub fn pretty_json(text: &str) -> String {
    text.lines()
        .map(
            |line| match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) => serde_json::to_string_pretty(&v).expect("JSON") + "\n",
                Err(_) => format!("{line}\n"),
            },
        )
        .collect()
}

/// The filters, in the order they apply: (regex, replacement).
pub fn filters(home: &Path) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![];
    // The home, as given and as the OS resolves it.
    let mut homes = vec![home.display().to_string()];
    if let Ok(real) = home.canonicalize() {
        let real = real.display().to_string();
        if !homes.contains(&real) {
            homes.push(real);
        }
    }
    for h in homes {
        f.push((regex_escape(&h), "[HOME]".into()));
    }
    for (regex, with) in [
        // Colours of the log lines on stderr: none since stderr is a
        // pipe in tests (`check_password_changed` asserts it); kept so a
        // terminal's transcript compares too.
        ("\x1b\\[[0-9;]*m", ""),
        // Any other temporary folder.
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[TEMP]"),
        // The sign-in URL's one-time values (PKCE, state, nonce).
        (
            r"\b(state|nonce|code_challenge|code_verifier|code|client-request-id)=[A-Za-z0-9_~.%-]+",
            "$1=[$1]",
        ),
        // Loopback servers on a port the OS chose (fixed low ports such
        // as the unreachable 9 stay).
        (r"(127\.0\.0\.1|localhost)(:|%3A)\d{4,5}\b", "$1$2[PORT]"),
        // RFC 3339 / ISO 8601 timestamps.
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
            "[TIMESTAMP]",
        ),
        // Dates with a time: "1 Dec 2026, 19:44" and "1. Dez. 2026, 19:44".
        (
            r"\b\d{1,2}\.? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Jan\.|Feb\.|März|Apr\.|Mai|Juni|Juli|Aug\.|Sept\.|Okt\.|Nov\.|Dez\.) \d{4}, \d{2}:\d{2}",
            "[DATETIME]",
        ),
        // Dates alone.
        (
            r"\b\d{1,2}\.? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Jan\.|Feb\.|März|Apr\.|Mai|Juni|Juli|Aug\.|Sept\.|Okt\.|Nov\.|Dez\.) \d{4}\b",
            "[DATE]",
        ),
        // A clock time (`run`'s "09:00 12 created", "In step · 14:32").
        (r"\b([01]\d|2[0-3]):[0-5]\d\b", "[TIME]"),
        // A date's span below an hour, "[DATETIME] (5 minutes ago)": how
        // long the test took decides it.
        (
            r"\[DATETIME\] \((just now|\d+ minutes? ago|in \d+ minutes?|gerade eben|vor \d+ Minuten?|in \d+ Minuten?)\)",
            "[DATETIME] ([RECENTLY])",
        ),
        // The computer's own time zone (doctor's mailbox zone).
        (
            r"\S+ \((this computer's time zone|Zeitzone dieses Computers)\)",
            "[LOCAL-ZONE] ($1)",
        ),
        // Durations in seconds or milliseconds ("3.2 s", "40 ms").
        (r"\b\d+(\.\d+)? ?(ms|s|seconds|Sekunden)\b", "[DURATION]"),
        // GUIDs (tenant, object and request ids); the all-zero example
        // GUID of a message stays.
        (
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\b",
            "[GUID]",
        ),
        // Graph item ids (the emulator's and Exchange's base64 ids).
        (r"\bAA[A-Za-z0-9_-]{2}[A-Za-z0-9+/_=-]{12,}", "[GRAPH-ID]"),
    ] {
        f.push((regex.into(), with.into()));
    }
    f
}

/// Compare `text` with the snapshot `name`, through [`filters`].
pub fn assert_transcript(name: &str, home: &Path, text: &str) {
    let mut settings = insta::Settings::clone_current();
    for (regex, with) in filters(home) {
        settings.add_filter(&regex, with);
    }
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` through [`filters`], as a snapshot sees it.
pub fn filtered(home: &Path, text: &str) -> String {
    filters(home)
        .iter()
        .fold(text.to_string(), |text, (regex, with)| {
            regex::Regex::new(regex)
                .expect("filter")
                .replace_all(&text, with.as_str())
                .into_owned()
        })
}
