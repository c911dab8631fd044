//! Shared by the docket-app tests that sign in through `App` against the
//! emulator: the person at the browser, and reading what a mailbox holds.

use serde_json::Value;

/// A stand-in for the person at the browser (the shared harness's).
pub use docket_testkit::pages_browser::PagesBrowser;

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

/// An `App` signed in as the first demo fee-earner on an emulator of its
/// own (a fresh tenant: the OS keyring is shared with the other tests, and
/// its entries are per tenant, client and user).
pub struct SignedIn {
    pub app: docket_app::App,
    pub base: String,
    pub upn: &'static str,
    // Not every test binary reads these two.
    #[allow(dead_code)]
    pub paths: docket_paths::Paths,
    #[allow(dead_code)]
    pub home: tempfile::TempDir,
    /// The firm configuration on disk (`App::open_with` reads it).
    #[allow(dead_code)]
    pub firm_file: std::path::PathBuf,
    _emulator: m365_emulator::TestServer,
}

impl SignedIn {
    /// `config`: the firm configuration's sections after `[microsoft]`
    /// (`[source]`, `[modules]` …); tokens go to the plaintext store.
    pub async fn start(config: &str) -> SignedIn {
        use m365_emulator::world::demo;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let tenant = uuid::Uuid::new_v4();
        let emulator = m365_emulator::TestServer::start(m365_emulator::EmulatorConfig {
            tenant_id: Some(tenant),
            ..m365_emulator::EmulatorConfig::default()
        })
        .await;
        let base = emulator.base_url.clone();
        let (upn, _, _, _, _, password) = demo::USERS[0];
        let home = tempfile::tempdir().unwrap();
        let mut firm = m365_emulator::docketsync_config::DocketsyncConfig::new(&base, tenant);
        firm.sections = config.to_string();
        firm.plaintext_tokens = true;
        let firm = firm.toml();
        let firm_file = home.path().join("firm.toml");
        // Owner-only like every file in the home (a test checks them all).
        std::io::Write::write_all(
            &mut docket_paths::secure::open_private(&firm_file).unwrap(),
            firm.as_bytes(),
        )
        .unwrap();
        let config = docket_config::validate(
            Some(docket_config::FileText {
                path: &firm_file,
                text: &firm,
            }),
            None,
            &|p: &std::path::Path| p.exists(),
        )
        .expect("valid config");
        let paths = docket_paths::Paths::under_home(home.path());
        let app = docket_app::App::with_config(config, paths.clone()).expect("app");
        app.sign_out().unwrap();
        let fixture = SignedIn {
            app,
            base,
            upn,
            paths,
            home,
            firm_file,
            _emulator: emulator,
        };
        fixture.sign_in(password).await;
        fixture
    }

    /// Another `App` on the same configuration and home, as a new process
    /// (the tray's companion after a restart) would open it.
    #[allow(dead_code)] // not every test binary reopens
    pub fn reopen(&self) -> docket_app::App {
        docket_app::App::with_config(
            docket_config::Config::clone(&self.app.config()),
            self.paths.clone(),
        )
        .expect("app")
    }

    /// Sign in (again) on the emulator's pages with `password`.
    pub async fn sign_in(&self, password: &str) {
        let browser = PagesBrowser {
            base: self.base.clone(),
            upn: self.upn.into(),
            password: password.into(),
        };
        self.app.sign_in(&browser, |_| {}).await.expect("sign in");
    }
}

/// A PMS calendar export with one appointment per summary (UIDs t0, t1 …,
/// a day apart in December 2026, Berlin time).
#[allow(dead_code)] // not every test binary writes an export
pub fn ics(summaries: &[&str]) -> String {
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pms//EN\r\n");
    for (i, summary) in summaries.iter().enumerate() {
        s += &format!(
            "BEGIN:VEVENT\r\nUID:t{i}\r\nSUMMARY:{summary}\r\n\
             DTSTART;TZID=Europe/Berlin:202612{:02}T090000\r\n\
             DTEND;TZID=Europe/Berlin:202612{:02}T100000\r\nEND:VEVENT\r\n",
            i + 10,
            i + 10
        );
    }
    s + "END:VCALENDAR\r\n"
}
