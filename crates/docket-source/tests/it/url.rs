//! The HTTPS URL source against a small local HTTP server (tiny_http)
//! that checks Basic and Bearer credentials and answers with ETags.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use docket_secrets::SecretString;
use docket_source::{HttpAuth, Limits, ProblemKind, ReadOptions, UrlSource};

const PASSWORD: &str = "Feed-Pw-19a2";
/// base64("anna:Feed-Pw-19a2")
const BASIC: &str = "Basic YW5uYTpGZWVkLVB3LTE5YTI=";
const TOKEN: &str = "feed-token-5be0c7";

const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//PMS//EN\r\nBEGIN:VEVENT\r\n\
UID:u1\r\nDTSTART:20270301T100000Z\r\nDTEND:20270301T110000Z\r\nSUMMARY:Mandantentermin\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
const CARDS: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c1\r\nFN:Max Mustermann\r\nEND:VCARD\r\n";

/// The server; `gets` counts full (200) answers of the feed.
struct Server {
    base: String,
    feed_bodies: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn header(request: &tiny_http::Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_owned())
}

fn start() -> Server {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let feed_bodies = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (count, halt) = (feed_bodies.clone(), stop.clone());
    std::thread::spawn(move || {
        while !halt.load(Ordering::SeqCst) {
            let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) else {
                continue;
            };
            let auth = header(&request, "Authorization").unwrap_or_default();
            let path = request.url().to_owned();
            let text = |status: u16, ctype: &str, body: &str| {
                tiny_http::Response::from_string(body)
                    .with_status_code(status)
                    .with_header(tiny_http::Header::from_bytes("Content-Type", ctype).unwrap())
            };
            let response = match path.as_str() {
                "/basic/feed.ics" | "/bearer/feed.ics" => {
                    let ok = if path.starts_with("/basic") {
                        auth == BASIC
                    } else {
                        auth == format!("Bearer {TOKEN}")
                    };
                    if !ok {
                        text(401, "text/plain", "no")
                    } else if header(&request, "If-None-Match").as_deref() == Some("\"v1\"") {
                        text(304, "text/calendar", "")
                    } else {
                        count.fetch_add(1, Ordering::SeqCst);
                        text(200, "text/calendar; charset=utf-8", FEED)
                            .with_header(tiny_http::Header::from_bytes("ETag", "\"v1\"").unwrap())
                    }
                }
                "/open/contacts" => text(200, "text/vcard", CARDS),
                "/open/big.ics" => text(200, "text/calendar", &FEED.repeat(600)),
                "/open/login" => text(200, "text/html", "<html><body>Sign in</body></html>"),
                "/open/busy.ics" => text(503, "text/plain", "maintenance"),
                "/open/elsewhere.ics" => text(302, "text/plain", "").with_header(
                    tiny_http::Header::from_bytes("Location", "https://other.example.com/a.ics")
                        .unwrap(),
                ),
                _ => text(404, "text/plain", "not here"),
            };
            let _ = request.respond(response);
        }
    });
    Server {
        base,
        feed_bodies,
        stop,
    }
}

fn basic(password: &str) -> HttpAuth {
    HttpAuth::Basic {
        username: "anna".into(),
        password: Some(SecretString::new(password)),
    }
}

#[test]
fn a_feed_with_basic_auth_is_read_and_not_downloaded_again_when_unchanged() {
    let server = start();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/basic/feed.ics", server.base);
    let source = UrlSource::new(&url, basic(PASSWORD), ReadOptions::default())
        .cache_file(dir.path().join("url-cache.json"));
    let (s, stats) = source.read_with_stats();
    assert!(s.complete, "{:#?}", s.problems);
    assert_eq!(s.appointments[0].summary, "Mandantentermin");
    assert!(!stats.not_modified);

    // The server answers 304 to the kept ETag: the kept copy is read.
    let (again, stats) = source.read_with_stats();
    assert!(stats.not_modified);
    assert_eq!(again, s);
    assert_eq!(server.feed_bodies.load(Ordering::SeqCst), 1);

    // Without a cache every read downloads.
    let plain = UrlSource::new(&url, basic(PASSWORD), ReadOptions::default());
    assert_eq!(plain.read_with_stats().0, s);
    assert_eq!(server.feed_bodies.load(Ordering::SeqCst), 2);
}

#[test]
fn a_bearer_token_is_sent_and_a_vcard_url_is_read_by_its_content() {
    let server = start();
    let bearer = HttpAuth::Bearer {
        token: Some(SecretString::new(TOKEN)),
    };
    let s = UrlSource::new(
        format!("{}/bearer/feed.ics", server.base),
        bearer,
        ReadOptions::default(),
    )
    .read_with_stats()
    .0;
    assert!(s.complete, "{:#?}", s.problems);
    assert_eq!(s.appointments.len(), 1);

    let s = UrlSource::new(
        format!("{}/open/contacts", server.base),
        HttpAuth::None,
        ReadOptions::default(),
    )
    .read_with_stats()
    .0;
    assert!(s.complete);
    assert_eq!(s.contacts[0].uid, "c1");
}

/// Reads `path` with `auth` and returns the one problem's text, checking
/// that the read is incomplete and carries no secret.
fn failure(
    server: &Server,
    path: &str,
    auth: HttpAuth,
    options: ReadOptions,
) -> (ProblemKind, String, Option<docket_text::Action>) {
    let source = UrlSource::new(format!("{}{path}", server.base), auth, options);
    let (s, _) = source.read_with_stats();
    assert!(!s.complete, "{path}: a failed read must be incomplete");
    assert!(s.appointments.is_empty() && s.contacts.is_empty());
    assert_eq!(s.problems.len(), 1, "{:#?}", s.problems);
    let p = &s.problems[0];
    let all = format!("{p:?} {source:?}");
    for secret in [PASSWORD, TOKEN, "YW5uYTpGZWVkLVB3LTE5YTI="] {
        assert!(!all.contains(secret), "{all}");
    }
    (p.kind, p.reason_en(), p.fix.clone())
}

#[test]
fn every_http_failure_is_explained_with_its_fix() {
    let server = start();
    let o = ReadOptions::default;
    let (_, text, fix) = failure(&server, "/basic/feed.ics", basic("wrong"), o());
    assert!(text.contains("refused the credential"), "{text}");
    assert_eq!(fix, Some(docket_text::Action::SetSourceCredential));
    let (_, text, _) = failure(&server, "/basic/feed.ics", HttpAuth::None, o());
    assert!(text.contains("source.auth is \"none\""), "{text}");
    let (_, text, _) = failure(
        &server,
        "/bearer/feed.ics",
        HttpAuth::Bearer {
            token: Some(SecretString::new("stale")),
        },
        o(),
    );
    assert!(text.contains("the token is wrong or has expired"), "{text}");
    let (_, text, _) = failure(
        &server,
        "/bearer/feed.ics",
        HttpAuth::Bearer { token: None },
        o(),
    );
    assert!(text.contains("no token is stored"), "{text}");
    let (_, text, _) = failure(&server, "/open/nothing.ics", HttpAuth::None, o());
    assert!(
        text.contains("does not exist") && text.contains("correct source.url"),
        "{text}"
    );
    let (_, text, _) = failure(&server, "/open/busy.ics", HttpAuth::None, o());
    assert!(
        text.contains("HTTP 503") && text.contains("tries again"),
        "{text}"
    );
    let (_, text, _) = failure(&server, "/open/login", HttpAuth::None, o());
    assert!(text.contains("web page"), "{text}");
    let (_, text, _) = failure(&server, "/open/elsewhere.ics", HttpAuth::None, o());
    assert!(
        text.contains("https://other.example.com/a.ics") && text.contains("set source.url"),
        "{text}"
    );
    let small = ReadOptions {
        limits: Limits {
            max_file_bytes: 100_000,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let (kind, text, _) = failure(&server, "/open/big.ics", HttpAuth::None, small);
    assert_eq!(kind, ProblemKind::TooLarge);
    assert!(text.contains("over the 0.1 MB limit"), "{text}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let source = UrlSource::new(
        format!("http://127.0.0.1:{port}/feed.ics"),
        HttpAuth::None,
        o(),
    );
    let s = source.read_with_stats().0;
    assert!(!s.complete);
    assert!(
        s.problems[0]
            .reason_en()
            .contains("cannot reach the PMS server"),
        "{:?}",
        s.problems
    );
}

#[test]
fn a_limit_of_u64_max_reads_the_feed_instead_of_overflowing() {
    let server = start();
    let options = ReadOptions {
        limits: Limits {
            max_file_bytes: u64::MAX,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let source = UrlSource::new(
        format!("{}/open/contacts", server.base),
        HttpAuth::None,
        options,
    );
    let s = source.read_with_stats().0;
    assert!(s.complete, "{:?}", s.problems);
    assert_eq!(s.contacts.len(), 1);
}
