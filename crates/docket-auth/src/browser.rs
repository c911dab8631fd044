//! Opening the system browser (never an embedded web view: Conditional
//! Access device checks and password managers work only in the real one).
//!
//! The opener is a trait so that tests capture the URL and drive a
//! headless browser instead.

use std::ffi::OsString;
use std::io;
use std::process::{Command, Stdio};

/// Opens the sign-in URL.
pub trait Browser: Send + Sync {
    fn open(&self, url: &str) -> io::Result<()>;
}

/// The user's browser: the `BROWSER` environment variable when set (a
/// list of commands separated like `PATH`, `%s` standing for the URL,
/// appended when absent — the convention xdg-open and Python's
/// `webbrowser` follow), otherwise the platform opener via the `open`
/// crate (xdg-open / `open` / `ShellExecute`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> io::Result<()> {
        let env = std::env::var_os("BROWSER");
        let commands = browser_commands(env.as_ref(), url);
        let mut last_error = None;
        for argv in &commands {
            let Some((program, args)) = argv.split_first() else {
                continue;
            };
            match Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            {
                Ok(_child) => return Ok(()),
                Err(e) => last_error = Some(e),
            }
        }
        if let Some(e) = last_error {
            tracing::warn!(error = %e, "no command from BROWSER could be started; trying the system opener");
        }
        open::that_detached(url)
    }
}

/// The commands `BROWSER` asks for, in order (empty when unset).
pub fn browser_commands(browser_env: Option<&OsString>, url: &str) -> Vec<Vec<String>> {
    let Some(value) = browser_env else {
        return Vec::new();
    };
    std::env::split_paths(value)
        .filter_map(|entry| {
            let entry = entry.to_string_lossy().trim().to_string();
            if entry.is_empty() {
                return None;
            }
            let mut argv: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
            if argv.iter().any(|a| a.contains("%s")) {
                for a in &mut argv {
                    *a = a.replace("%s", url);
                }
            } else {
                argv.push(url.to_string());
            }
            Some(argv)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(env: Option<&str>, expect: &[&[&str]]) {
        let env = env.map(OsString::from);
        let got = browser_commands(env.as_ref(), "http://x/?a=1");
        let expect: Vec<Vec<String>> = expect
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn browser_variable() {
        check(None, &[]);
        check(Some("firefox"), &[&["firefox", "http://x/?a=1"]]);
        #[cfg(unix)]
        check(
            Some("chromium --incognito:w3m %s"),
            &[
                &["chromium", "--incognito", "http://x/?a=1"],
                &["w3m", "http://x/?a=1"],
            ],
        );
        check(Some(""), &[]);
    }
}
