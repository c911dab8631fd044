//! The CalDAV source against a small local server (tiny_http) that sends
//! more than a collection should: over the per-collection byte limit the
//! collection is not read, the snapshot is incomplete (so the engine
//! deletes nothing), and the problem names the limit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use docket_source::{CollectionKind, DavSource, HttpAuth, ProblemKind, ReadOptions};

const MEMBERS: usize = 3;
/// Each event carries a description this long (60 KB).
const PADDING: usize = 60_000;

struct Server {
    base: String,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn event(i: usize) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//PMS//EN\r\nBEGIN:VEVENT\r\nUID:e{i}\r\n\
         DTSTART:20270301T100000Z\r\nDTEND:20270301T110000Z\r\nSUMMARY:Termin {i}\r\n\
         DESCRIPTION:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "x".repeat(PADDING)
    )
}

/// A calendar at `/cal/` with three members; no sync token (so every read
/// lists in full and fetches what it has not cached).
fn start() -> Server {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let halt = stop.clone();
    std::thread::spawn(move || {
        while !halt.load(Ordering::SeqCst) {
            let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) else {
                continue;
            };
            let mut body = String::from(
                "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\" \
                 xmlns:C=\"urn:ietf:params:xml:ns:caldav\">",
            );
            match request.method().as_str() {
                "PROPFIND" => {
                    body.push_str(
                        "<D:response><D:href>/cal/</D:href><D:propstat><D:prop>\
                         <D:resourcetype><D:collection/><C:calendar/></D:resourcetype>\
                         </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>",
                    );
                    for i in 0..MEMBERS {
                        body.push_str(&format!(
                            "<D:response><D:href>/cal/e{i}.ics</D:href><D:propstat><D:prop>\
                             <D:getetag>\"v{i}\"</D:getetag><D:resourcetype/></D:prop>\
                             <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
                        ));
                    }
                }
                _ => {
                    for i in 0..MEMBERS {
                        body.push_str(&format!(
                            "<D:response><D:href>/cal/e{i}.ics</D:href><D:propstat><D:prop>\
                             <D:getetag>\"v{i}\"</D:getetag><C:calendar-data>{}</C:calendar-data>\
                             </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>",
                            event(i)
                        ));
                    }
                }
            }
            body.push_str("</D:multistatus>");
            let response = tiny_http::Response::from_string(body)
                .with_status_code(207)
                .with_header(
                    tiny_http::Header::from_bytes("Content-Type", "application/xml").unwrap(),
                );
            let _ = request.respond(response);
        }
    });
    Server { base, stop }
}

fn source(server: &Server) -> DavSource {
    DavSource::new(HttpAuth::None, ReadOptions::default()).collection(
        "source.url",
        format!("{}/cal/", server.base),
        CollectionKind::Calendar,
    )
}

#[test]
fn a_collection_over_the_byte_limit_is_not_read_and_the_snapshot_is_incomplete() {
    let server = start();
    // Within the default limit: all three are read.
    let (s, _) = source(&server).read_with_stats();
    assert!(s.complete, "{:?}", s.problems);
    assert_eq!(s.appointments.len(), MEMBERS);

    // The three answers together (about 180 KB) are over a 150 KB limit,
    // although each is well under the per-answer limit (64 MB).
    let (s, stats) = source(&server)
        .max_collection_bytes(150_000)
        .read_with_stats();
    assert!(!s.complete, "a cut-off collection is not a complete read");
    assert!(s.appointments.is_empty(), "{} read", s.appointments.len());
    assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
    assert_eq!(s.problems[0].kind, ProblemKind::TooLarge);
    assert!(
        s.problems[0].reason_en().contains("over the 0.2 MB limit"),
        "{}",
        s.problems[0].reason_en()
    );
    assert_eq!(stats.fetched, 0);
}
