//! The pipe between the tray and its window process: one JSON object per
//! line. The window process (`docket-sync-tray --status-window`) writes
//! [`Call`]s to its standard output; the tray answers each with a
//! [`ToWindow::Reply`] on the window's standard input and tells it when
//! the view changed or the window should come to the front.
//!
//! Why a second process: WebKit stays in a process once it has shown a
//! page (its network process, the GL driver it loaded, the heap it grew).
//! A window process takes all of that with it when the window closes, so
//! the tray costs the same before and after the status window was open.
//!
//! The pipe carries exactly what the window's commands carry in-process
//! (the view, a setting, a request to act): no token, secret or
//! credential ever crosses it (`tests/no_secret_crosses_ipc.rs` inspects
//! the same answers). A line that does not parse is dropped and logged;
//! nothing a window process writes can make the tray panic.

use std::io::{BufRead, Read};

use docket_app::settings::UserSetting;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the window asks the tray for: one per window command
/// ([`crate::commands::NAMES`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Request {
    View,
    ExportNow,
    AllowDeletions,
    RetryHeldBack,
    SignIn,
    CancelSignIn,
    Pause,
    Resume,
    SetSetting { setting: UserSetting },
    OpenLogFolder,
}

/// A command's answer as the webview receives it: the value, or the
/// problem (a `ProblemView`) as the command's error.
pub type Reply = Result<Value, Value>;

/// One request from the window process, numbered so its answer finds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: u64,
    #[serde(flatten)]
    pub request: Request,
}

/// What the tray sends the window process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "to_window", rename_all = "snake_case")]
pub enum ToWindow {
    /// The answer to call `id`.
    Reply { id: u64, result: Reply },
    /// The snapshot changed: the window asks for the view again.
    ViewChanged,
    /// A second "Open status window": bring the window to the front.
    Focus,
}

/// The longest line either side reads (a view is a few kilobytes).
pub const MAX_LINE: u64 = 4 * 1024 * 1024;

/// Call `f` with each line of `reader` until the end, an error, a line
/// longer than [`MAX_LINE`], or `f` returning `false`. A line that is not
/// UTF-8 is dropped.
pub fn each_line(mut reader: impl BufRead, mut f: impl FnMut(&str) -> bool) {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader
            .by_ref()
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) | Err(_) => return,
            Ok(_) if buf.len() as u64 > MAX_LINE => return,
            Ok(_) => {
                if let Ok(line) = std::str::from_utf8(&buf) {
                    if !f(line) {
                        return;
                    }
                }
            }
        }
    }
}

/// One message as its line (without the newline).
pub fn line<T: Serialize>(message: &T) -> String {
    // Serializing these types cannot fail: no maps with non-string keys.
    serde_json::to_string(message).unwrap_or_default()
}

/// The tray's side: the answer line for one line the window wrote, given
/// how the tray answers a request. `None` for a line that is not a call
/// (dropped, logged by the caller).
pub fn answer(input: &str, apply: impl FnOnce(Request) -> Reply) -> Option<String> {
    let call: Call = serde_json::from_str(input.trim()).ok()?;
    let result = apply(call.request);
    Some(line(&ToWindow::Reply {
        id: call.id,
        result,
    }))
}

/// The window's side: one line from the tray, or `None` when it is not a
/// message.
pub fn read(input: &str) -> Option<ToWindow> {
    serde_json::from_str(input.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The tray's answer to `input`, with `apply` answering every request
    /// with its own JSON (so the test sees which request arrived).
    fn check(input: &str, expect: Option<Value>) {
        let got = answer(input, |r| Ok(serde_json::to_value(&r).unwrap()))
            .map(|l| serde_json::from_str::<Value>(&l).unwrap());
        assert_eq!(got, expect, "{input}");
    }

    #[test]
    fn the_tray_answers_each_call_under_its_number_and_drops_the_rest() {
        check(
            r#"{"id":7,"command":"view"}"#,
            Some(json!({"to_window":"reply","id":7,"result":{"Ok":{"command":"view"}}})),
        );
        check(
            r#"{"id":8,"command":"set_setting","setting":{"setting":"interval_minutes","value":15}}"#,
            Some(json!({"to_window":"reply","id":8,"result":{"Ok":
                {"command":"set_setting","setting":{"setting":"interval_minutes","value":15}}}})),
        );
        // Not a call: nothing comes back, nothing panics.
        check("", None);
        check("GTK warning: something", None);
        check(r#"{"id":9}"#, None);
        check(r#"{"id":-1,"command":"view"}"#, None);
        check(r#"{"id":10,"command":"format_disk"}"#, None);
        check(
            r#"{"id":11,"command":"set_setting","setting":{"setting":"no_such"}}"#,
            None,
        );
        check(&"[".repeat(100_000), None);
    }

    #[test]
    fn the_window_reads_what_the_tray_writes() {
        for message in [
            ToWindow::Reply {
                id: 3,
                result: Err(json!({"headline": "No"})),
            },
            ToWindow::ViewChanged,
            ToWindow::Focus,
        ] {
            assert_eq!(read(&line(&message)), Some(message));
        }
        assert_eq!(read("not json"), None);
    }

    #[test]
    fn lines_end_at_the_end_and_at_an_overlong_line() {
        let mut seen = vec![];
        each_line(&b"one\ntwo\nthree"[..], |l| {
            seen.push(l.trim().to_string());
            true
        });
        assert_eq!(seen, ["one", "two", "three"]);

        let mut seen = vec![];
        each_line(&b"one\n\xff\xfe not UTF-8\nthree\n"[..], |l| {
            seen.push(l.trim().to_string());
            true
        });
        assert_eq!(
            seen,
            ["one", "three"],
            "a line that is not UTF-8 is dropped"
        );

        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE as usize + 10));
        input.extend(b"\nafter\n");
        let mut seen = vec![];
        each_line(&input[..], |l| {
            seen.push(l.len());
            true
        });
        assert_eq!(seen, [6], "stops at the overlong line");
    }

    #[test]
    fn every_window_command_has_a_request() {
        for name in crate::commands::NAMES {
            let mut call = json!({"id": 1, "command": name});
            if *name == "set_setting" {
                call["setting"] = json!({"setting": "language", "value": "de"});
            }
            assert!(
                serde_json::from_value::<Call>(call.clone()).is_ok(),
                "{call}"
            );
        }
    }
}
