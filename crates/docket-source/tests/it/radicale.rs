//! The CalDAV/CardDAV source against a real server: Radicale (PyPI,
//! pinned in tests/fidelity/requirements.txt, installed into the
//! workspace's `.venv` by `scripts/test.sh`).
//!
//! Without `.venv/bin/radicale` the tests are skipped with a message,
//! unless `DOCKET_REQUIRE_E2E=1`, when they fail.

use std::net::TcpListener;
use std::path::Path;

use docket_secrets::SecretString;
use docket_source::{CollectionKind, DavSource, HttpAuth, ReadOptions, Snapshot};

const USER: &str = "anna";
const PASSWORD: &str = "Radicale-Pw-7f3e91";

/// The PMS: a real Radicale with one account (see `docket_testkit::Radicale`).
struct Radicale(docket_testkit::Radicale);

fn start() -> Option<Radicale> {
    // reqwest is built without a default TLS provider.
    docket_testkit::install_ring();
    docket_testkit::Radicale::start(USER, PASSWORD).map(Radicale)
}

impl Radicale {
    fn url(&self, path: &str) -> String {
        format!("{}/{USER}/{path}", self.0.base)
    }

    fn call(&self, method: &str, path: &str, content_type: &str, body: String) -> u16 {
        let client = reqwest::blocking::Client::new();
        client
            .request(method.parse().unwrap(), self.url(path))
            .basic_auth(USER, Some(PASSWORD))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .unwrap()
            .status()
            .as_u16()
    }

    fn mkcalendar(&self, path: &str) {
        assert_eq!(
            self.call("MKCALENDAR", path, "application/xml", String::new()),
            201
        );
    }

    fn mkaddressbook(&self, path: &str) {
        let body = "<?xml version=\"1.0\"?><D:mkcol xmlns:D=\"DAV:\" \
                    xmlns:C=\"urn:ietf:params:xml:ns:carddav\"><D:set><D:prop><D:resourcetype>\
                    <D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>";
        assert_eq!(
            self.call("MKCOL", path, "application/xml", body.into()),
            201
        );
    }

    fn put(&self, path: &str, content_type: &str, body: String) {
        let status = self.call("PUT", path, content_type, body);
        assert!(status == 201 || status == 204, "PUT {path}: {status}");
    }

    fn delete(&self, path: &str) {
        let status = self.call("DELETE", path, "text/plain", String::new());
        assert!((200..300).contains(&status), "DELETE {path}: {status}");
    }
}

fn event(uid: &str, summary: &str, start: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20261101T000000Z\r\nDTSTART:{start}\r\nDTEND:20270301T110000Z\r\n\
         SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn todo(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
         DTSTAMP:20261101T000000Z\r\nDUE;VALUE=DATE:20270315\r\nSUMMARY:{summary}\r\n\
         END:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

fn card(uid: &str, name: &str) -> String {
    format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nN:{name};;;;\r\nEND:VCARD\r\n")
}

fn auth(password: &str) -> HttpAuth {
    HttpAuth::Basic {
        username: USER.into(),
        password: Some(SecretString::new(password)),
    }
}

/// Calendar (events + one to-do), a separate to-do calendar and an
/// address book; 3 + 1 + 1 + 2 resources, one of them broken.
fn populate(server: &Radicale) {
    server.mkcalendar("cal/");
    server.mkcalendar("tasks/");
    server.mkaddressbook("book/");
    let cal = "text/calendar";
    server.put(
        "cal/e1.ics",
        cal,
        event("e1", "Mandantentermin", "20270301T100000Z"),
    );
    server.put(
        "cal/e2.ics",
        cal,
        event("e2", "Gerichtstermin", "20270301T100000Z"),
    );
    // Radicale accepts it, Docket Sync cannot export it: a to-do without DUE.
    let no_due = todo("t-bad", "Ohne Frist").replace("DUE;VALUE=DATE:20270315\r\n", "");
    server.put("cal/broken.ics", cal, no_due);
    server.put("cal/t0.ics", cal, todo("t0", "Frist im Kalender"));
    server.put("tasks/t1.ics", cal, todo("t1", "Berufungsfrist"));
    server.put("book/c1.vcf", "text/vcard", card("c1", "Max Mustermann"));
    server.put("book/c2.vcf", "text/vcard", card("c2", "Erika Musterfrau"));
}

fn source(server: &Radicale, password: &str, cache: &Path) -> DavSource {
    DavSource::new(auth(password), ReadOptions::default())
        .collection("source.url", server.url("cal/"), CollectionKind::Calendar)
        .collection(
            "source.tasks_url",
            server.url("tasks/"),
            CollectionKind::Calendar,
        )
        .collection(
            "source.contacts_url",
            server.url("book/"),
            CollectionKind::AddressBook,
        )
        .cache_file(cache)
}

fn summaries(s: &Snapshot) -> Vec<String> {
    let mut v: Vec<String> = s
        .appointments
        .iter()
        .map(|a| format!("{}={}", a.uid, a.summary))
        .collect();
    v.sort();
    v
}

fn uids(s: &Snapshot) -> (Vec<&str>, Vec<&str>) {
    let mut d: Vec<&str> = s.deadlines.iter().map(|d| d.uid.as_str()).collect();
    let mut c: Vec<&str> = s.contacts.iter().map(|c| c.uid.as_str()).collect();
    d.sort();
    c.sort();
    (d, c)
}

#[test]
fn changes_on_the_server_are_read_incrementally() {
    let Some(server) = start() else { return };
    populate(&server);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("dav-cache.json");
    let source = source(&server, PASSWORD, &cache);

    // First read: every collection listed in full, every resource fetched.
    let (first, stats) = source.read_with_stats();
    assert!(first.complete, "{:#?}", first.problems);
    assert_eq!(
        summaries(&first),
        ["e1=Mandantentermin", "e2=Gerichtstermin"]
    );
    assert_eq!(uids(&first), (vec!["t0", "t1"], vec!["c1", "c2"]));
    assert_eq!((stats.full_listings, stats.incremental), (3, 0));
    assert_eq!(stats.fetched, 7);
    // The broken record is reported on its own, named by its URL.
    assert_eq!(first.problems.len(), 1, "{:#?}", first.problems);
    let p = &first.problems[0];
    assert_eq!(p.source, server.url("cal/broken.ics"));
    assert_eq!(p.uid.as_deref(), Some("t-bad"));
    assert!(p.reason_en().contains("no DUE date"), "{p:?}");

    // Nothing changed: one sync-collection REPORT per collection, no download.
    let (same, stats) = source.read_with_stats();
    assert_eq!(same, first);
    assert_eq!((stats.full_listings, stats.incremental), (0, 3));
    assert_eq!((stats.requests, stats.fetched, stats.removed), (3, 0, 0));

    // Change one, delete one, add one; delete a contact.
    let cal = "text/calendar";
    server.put(
        "cal/e1.ics",
        cal,
        event("e1", "Mandantentermin (verlegt)", "20270301T090000Z"),
    );
    server.delete("cal/e2.ics");
    server.put(
        "cal/e3.ics",
        cal,
        event("e3", "Telefonkonferenz", "20270301T080000Z"),
    );
    server.delete("book/c2.vcf");

    let (next, stats) = source.read_with_stats();
    assert!(next.complete, "{:#?}", next.problems);
    assert_eq!(
        summaries(&next),
        ["e1=Mandantentermin (verlegt)", "e3=Telefonkonferenz"]
    );
    assert_eq!(uids(&next), (vec!["t0", "t1"], vec!["c1"]));
    assert_eq!((stats.full_listings, stats.incremental), (0, 3));
    // Only the changed and the new resource were downloaded (one multiget).
    assert_eq!((stats.fetched, stats.removed), (2, 2));
    assert_eq!(stats.requests, 4);

    // The cache holds each resource's data and the sync tokens.
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    let cal_entry = &kept["collections"][server.url("cal/")];
    assert!(cal_entry["sync_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let hrefs: Vec<&String> = cal_entry["resources"].as_object().unwrap().keys().collect();
    assert_eq!(
        hrefs,
        [
            "/anna/cal/broken.ics",
            "/anna/cal/e1.ics",
            "/anna/cal/e3.ics",
            "/anna/cal/t0.ics"
        ]
    );
    assert!(cal_entry["resources"]["/anna/cal/e1.ics"]["data"]
        .as_str()
        .unwrap()
        .contains("SUMMARY:Mandantentermin (verlegt)"));
}

#[test]
fn an_expired_sync_token_or_a_damaged_cache_means_a_full_listing() {
    let Some(server) = start() else { return };
    populate(&server);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("dav-cache.json");
    let source = source(&server, PASSWORD, &cache);
    let (first, _) = source.read_with_stats();

    // A token the server does not know: 403 valid-sync-token → PROPFIND.
    let mut kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    kept["collections"][server.url("cal/")]["sync_token"] =
        "http://radicale.org/ns/sync/0000".into();
    std::fs::write(&cache, serde_json::to_vec(&kept).unwrap()).unwrap();
    server.put(
        "cal/e2.ics",
        "text/calendar",
        event("e2", "Gerichtstermin (neu)", "20270301T100000Z"),
    );
    let (after, stats) = source.read_with_stats();
    assert!(after.complete, "{:#?}", after.problems);
    assert_eq!((stats.full_listings, stats.incremental), (1, 2));
    // The listing compares ETags: only the changed resource is downloaded.
    assert_eq!(stats.fetched, 1);
    assert_eq!(
        summaries(&after),
        ["e1=Mandantentermin", "e2=Gerichtstermin (neu)"]
    );
    // ...and a fresh token was kept: the next read is incremental again.
    let (_, stats) = source.read_with_stats();
    assert_eq!((stats.full_listings, stats.incremental), (0, 3));

    // A damaged cache file: a full read, the same data.
    std::fs::write(&cache, b"{not json").unwrap();
    let (again, stats) = source.read_with_stats();
    assert_eq!((stats.full_listings, stats.fetched), (3, 7));
    assert_eq!(again.appointments.len(), first.appointments.len());
    assert!(again.complete);
}

#[test]
fn a_wrong_password_gives_an_incomplete_snapshot_that_says_so() {
    let Some(server) = start() else { return };
    populate(&server);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("dav-cache.json");
    let (good, _) = source(&server, PASSWORD, &cache).read_with_stats();
    assert!(good.complete);

    let wrong = "Wrong-Pw-42c1d";
    let bad_source = source(&server, wrong, &cache);
    assert!(!format!("{bad_source:?}").contains(wrong));
    let (bad, stats) = bad_source.read_with_stats();
    assert!(!bad.complete, "the engine must not delete on this read");
    assert_eq!(
        bad.problems.len(),
        3,
        "one per collection: {:#?}",
        bad.problems
    );
    for p in &bad.problems {
        assert!(p.reason_en().contains("refused the credential"), "{p:?}");
        assert!(p.reason_en().contains("user 'anna'"), "{p:?}");
        // The fix is an action (each front end names it in its words),
        // never a CLI command inside the reason.
        assert_eq!(
            p.fix,
            Some(docket_text::Action::SetSourceCredential),
            "{p:?}"
        );
        assert!(!p.reason_en().contains("docketsync"), "{p:?}");
        let text = format!("{p:?}");
        assert!(!text.contains(wrong) && !text.contains(PASSWORD), "{text}");
    }
    assert_eq!(stats.fetched, 0);
    let cache_text = std::fs::read_to_string(&cache).unwrap();
    assert!(!cache_text.contains(wrong) && !cache_text.contains(PASSWORD));

    // The failed read kept the cache: the right password reads incrementally.
    let (back, stats) = source(&server, PASSWORD, &cache).read_with_stats();
    assert_eq!(back, good);
    assert_eq!((stats.full_listings, stats.incremental), (0, 3));
}

#[test]
fn a_missing_credential_or_a_wrong_address_is_explained() {
    let Some(server) = start() else { return };
    populate(&server);
    let no_password = HttpAuth::Basic {
        username: USER.into(),
        password: None,
    };
    let (s, stats) = DavSource::new(no_password, ReadOptions::default())
        .collection("source.url", server.url("cal/"), CollectionKind::Calendar)
        .read_with_stats();
    assert!(!s.complete);
    assert_eq!(stats.requests, 0);
    assert!(
        s.problems[0].reason_en().contains("no password is stored"),
        "{:?}",
        s.problems
    );
    assert_eq!(
        s.problems[0].fix,
        Some(docket_text::Action::SetSourceCredential)
    );

    // The user's home instead of the calendar: an empty but "complete" read
    // would delete every exported appointment, so it is refused.
    let (s, _) = DavSource::new(auth(PASSWORD), ReadOptions::default())
        .collection("source.url", server.url(""), CollectionKind::Calendar)
        .read_with_stats();
    assert!(!s.complete);
    assert!(
        s.problems[0]
            .reason_en()
            .contains("is not a CalDAV calendar"),
        "{:?}",
        s.problems
    );
    assert!(
        s.problems[0].reason_en().contains("set source.url"),
        "{:?}",
        s.problems
    );

    // An address book given as the calendar.
    let (s, _) = DavSource::new(auth(PASSWORD), ReadOptions::default())
        .collection("source.url", server.url("book/"), CollectionKind::Calendar)
        .read_with_stats();
    assert!(!s.complete);
    assert!(s.problems[0]
        .reason_en()
        .contains("is not a CalDAV calendar"));

    // A collection that does not exist; the others are still read.
    let (s, _) = DavSource::new(auth(PASSWORD), ReadOptions::default())
        .collection("source.url", server.url("cal/"), CollectionKind::Calendar)
        .collection(
            "source.tasks_url",
            server.url("nothing/"),
            CollectionKind::Calendar,
        )
        .read_with_stats();
    assert!(!s.complete);
    assert_eq!(s.appointments.len(), 2);
    assert_eq!(s.problems.len(), 2, "{:#?}", s.problems); // the broken record + the missing one
    let p = s
        .problems
        .iter()
        .find(|p| p.source == server.url("nothing/"))
        .unwrap();
    assert!(
        p.reason_en().contains("does not exist")
            && p.reason_en().contains("correct source.tasks_url"),
        "{p:?}"
    );

    // Nobody listening.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (s, _) = DavSource::new(auth(PASSWORD), ReadOptions::default())
        .collection(
            "source.url",
            format!("http://127.0.0.1:{port}/cal/"),
            CollectionKind::Calendar,
        )
        .read_with_stats();
    assert!(!s.complete);
    assert!(
        s.problems[0]
            .reason_en()
            .contains("cannot reach the PMS server"),
        "{:?}",
        s.problems
    );
}
