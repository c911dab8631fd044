//! Shared by the docket-app tests that sign in through `App` against the
//! emulator: the person at the browser, and reading what a mailbox holds.

use serde_json::Value;

/// A stand-in for the person at the browser: fills in the emulator's
/// sign-in and consent pages (`m365_emulator::pages_client`).
pub struct PagesBrowser {
    pub base: String,
    pub upn: String,
    pub password: String,
}

impl docket_auth::Browser for PagesBrowser {
    fn open(&self, url: &str) -> std::io::Result<()> {
        let (base, url, upn, pw) = (
            self.base.clone(),
            url.to_owned(),
            self.upn.clone(),
            self.password.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = m365_emulator::pages_client::sign_in(&base, &url, &upn, &pw).await {
                eprintln!("sign-in on the emulator's pages: {e}");
            }
        });
        Ok(())
    }
}

/// The mailbox as the emulator's admin API shows it.
pub async fn mailbox(base: &str, upn: &str) -> Value {
    reqwest::get(format!("{base}/_admin/mailboxes/{upn}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Subjects (events), titles (tasks) or display names (contacts), sorted.
pub fn names(mailbox: &Value, what: &str) -> Vec<String> {
    let field = match what {
        "events" => "subject",
        "tasks" => "title",
        _ => "displayName",
    };
    let mut names: Vec<String> = mailbox[what]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["props"][field].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}
