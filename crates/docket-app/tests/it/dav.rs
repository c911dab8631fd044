//! CalDAV/CardDAV source changes flow through to Microsoft 365: a real
//! Radicale (from the workspace's `.venv`, see tests/fidelity/requirements.txt)
//! as the PMS, the m365 emulator as Microsoft, and `App` in between, signed
//! in on the emulator's pages as a fee-earner would.
//!
//! Without `.venv/bin/radicale` the test is skipped with a message, unless
//! `DOCKET_REQUIRE_E2E=1`, when it fails.

use std::path::{Path, PathBuf};

use docket_app::executor::ExportOptions;
use docket_secrets::SecretString;
use serde_json::Value;
use support::{mailbox, names, SignedIn};

use crate::support;

const PMS_USER: &str = "anna";
const PMS_PASSWORD: &str = "Pms-Pw-e2e-0b5d";

/// The PMS: a real Radicale with one account (see `docket_testkit::Radicale`).
struct Radicale(docket_testkit::Radicale);

impl Radicale {
    fn start() -> Option<Radicale> {
        docket_testkit::Radicale::start(PMS_USER, PMS_PASSWORD).map(Radicale)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{PMS_USER}/{path}", self.0.base)
    }

    async fn call(&self, method: &str, path: &str, body: String) -> u16 {
        reqwest::Client::new()
            .request(method.parse().unwrap(), self.url(path))
            .basic_auth(PMS_USER, Some(PMS_PASSWORD))
            .header("Content-Type", "application/xml")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn put(&self, path: &str, body: String) {
        let status = self.call("PUT", path, body).await;
        assert!(status == 201 || status == 204, "PUT {path}: {status}");
    }

    async fn delete(&self, path: &str) {
        let status = self.call("DELETE", path, String::new()).await;
        assert!((200..300).contains(&status), "DELETE {path}: {status}");
    }
}

fn event(uid: &str, summary: &str, day: u32) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//PMS//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20261101T000000Z\r\nDTSTART:202703{day:02}T090000Z\r\n\
         DTEND:202703{day:02}T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn deadline(uid: &str, title: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//PMS//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
         DTSTAMP:20261101T000000Z\r\nDUE;VALUE=DATE:20270315\r\nCATEGORIES:Frist\r\n\
         SUMMARY:{title}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

fn card(uid: &str, given: &str, family: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{given} {family}\r\n\
         N:{family};{given};;;\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caldav_and_carddav_changes_flow_through_to_outlook() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(pms) = Radicale::start() else { return };
    assert_eq!(pms.call("MKCALENDAR", "cal/", String::new()).await, 201);
    assert_eq!(pms.call("MKCALENDAR", "tasks/", String::new()).await, 201);
    let mkbook = "<?xml version=\"1.0\"?><D:mkcol xmlns:D=\"DAV:\" \
                  xmlns:C=\"urn:ietf:params:xml:ns:carddav\"><D:set><D:prop><D:resourcetype>\
                  <D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>";
    assert_eq!(pms.call("MKCOL", "book/", mkbook.into()).await, 201);
    pms.put("cal/a1.ics", event("a1", "Mandant Huber", 1)).await;
    pms.put("cal/a2.ics", event("a2", "Gerichtstermin LG Berlin", 2))
        .await;
    pms.put("tasks/d1.ics", deadline("d1", "Berufungsfrist Huber"))
        .await;
    pms.put("book/c1.vcf", card("c1", "Max", "Mustermann"))
        .await;

    let fx = SignedIn::start(&format!(
        "[source]\nkind = \"caldav\"\nurl = \"{}\"\ntasks_url = \"{}\"\ncontacts_url = \"{}\"\n\
         username = \"{PMS_USER}\"",
        pms.url("cal/"),
        pms.url("tasks/"),
        pms.url("book/"),
    ))
    .await;
    let (app, paths, home) = (&fx.app, &fx.paths, &fx.home);

    // No credential stored yet: the run explains, and changes nothing.
    let first = app
        .export(ExportOptions::default(), chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(first.created, 0);
    // The fix is an action each front end words its own way.
    assert!(
        first
            .skipped
            .iter()
            .any(|s| s.fix == Some(docket_app::Action::SetSourceCredential)),
        "{first:#?}"
    );

    app.set_source_credential(SecretString::new(PMS_PASSWORD))
        .unwrap();
    let report = app
        .export(ExportOptions::default(), chrono::Utc::now())
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{report:#?}");
    let mb = mailbox(&fx.base, fx.upn).await;
    assert_eq!(
        names(&mb, "events"),
        ["Gerichtstermin LG Berlin", "Mandant Huber"]
    );
    assert_eq!(names(&mb, "tasks"), ["Berufungsfrist Huber"]);
    assert_eq!(names(&mb, "contacts"), ["Max Mustermann"]);

    // The PMS changes: one appointment moved and renamed, one cancelled
    // (deleted), one new; a contact renamed; a deadline added.
    pms.put("cal/a1.ics", event("a1", "Mandant Huber (verlegt)", 3))
        .await;
    pms.delete("cal/a2.ics").await;
    pms.put("cal/a3.ics", event("a3", "Besprechung Meyer", 4))
        .await;
    pms.put("book/c1.vcf", card("c1", "Maximilian", "Mustermann"))
        .await;
    pms.put("tasks/d2.ics", deadline("d2", "Klageerwiderung Meyer"))
        .await;
    let report = app
        .export(ExportOptions::default(), chrono::Utc::now())
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{report:#?}");
    assert_eq!(
        (report.created, report.updated, report.deleted),
        (2, 2, 1),
        "{}",
        report.plan
    );
    let mb = mailbox(&fx.base, fx.upn).await;
    assert_eq!(
        names(&mb, "events"),
        ["Besprechung Meyer", "Mandant Huber (verlegt)"]
    );
    assert_eq!(
        names(&mb, "tasks"),
        ["Berufungsfrist Huber", "Klageerwiderung Meyer"]
    );
    assert_eq!(names(&mb, "contacts"), ["Maximilian Mustermann"]);
    // The second read was incremental: the cache in the data folder holds
    // each collection's sync token.
    let cache: Value = serde_json::from_slice(
        &std::fs::read(paths.source_cache_file(docket_paths::SourceCache::Dav)).unwrap(),
    )
    .unwrap();
    for collection in ["cal/", "tasks/", "book/"] {
        let token = &cache["collections"][pms.url(collection)]["sync_token"];
        assert!(token.as_str().is_some_and(|t| !t.is_empty()), "{cache:#}");
    }
    // It holds client data: readable by the fee-earner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let file = paths.source_cache_file(docket_paths::SourceCache::Dav);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
    }

    // A wrong password: the run says so and deletes nothing, although the
    // PMS read found nothing.
    app.set_source_credential(SecretString::new("wrong-password-1"))
        .unwrap();
    let report = app
        .export(ExportOptions::default(), chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(report.deleted, 0, "{report:#?}");
    let text = format!("{report:?}");
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.to_string().contains("refused the credential")),
        "{report:#?}"
    );
    assert!(!text.contains("wrong-password-1") && !text.contains(PMS_PASSWORD));
    assert_eq!(names(&mailbox(&fx.base, fx.upn).await, "events").len(), 2);

    // Nothing secret in the files Docket Sync wrote (cache, state, logs);
    // the opt-in plaintext secret file is the one place it may be.
    let secrets_file = paths.plaintext_secrets_file();
    for entry in walk(home.path()) {
        if entry == secrets_file {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(PMS_PASSWORD) && !text.contains("wrong-password-1"),
            "{}",
            entry.display()
        );
    }
    app.secret_store()
        .delete(&docket_app::source_credential_key(&app.config()))
        .unwrap();
    app.sign_out().unwrap();
    // Signing out leaves none of the fee-earner's PMS data behind.
    assert!(!paths
        .source_cache_file(docket_paths::SourceCache::Dav)
        .exists());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
