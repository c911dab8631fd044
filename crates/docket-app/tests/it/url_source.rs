//! An HTTPS-style PMS feed (`source.kind = "ics"`, `source.url`) flows
//! through `App::export` to Microsoft 365: the feed's server asks for a
//! bearer token (kept in the secret store, never in the config), the feed
//! changes between runs, and a failing feed deletes nothing. The PMS is a
//! small HTTP server on loopback; Microsoft is the m365 emulator.

use std::sync::{Arc, Mutex};

use docket_app::executor::ExportOptions;
use docket_secrets::SecretString;
use support::{mailbox, names, SignedIn};

use crate::support;

const TOKEN: &str = "pms-feed-token-7f3a91c2";

/// What the feed answers: a status and a body.
type Feed = Arc<Mutex<(u16, String)>>;

/// Serves `feed` at `/anna.ics` to requests with the right bearer token;
/// 401 to the others. Returns the feed's URL.
fn serve(feed: Feed) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/anna.ics", server.server_addr());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let authorised = req.headers().iter().any(|h| {
                h.field.equiv("Authorization") && h.value.as_str() == format!("Bearer {TOKEN}")
            });
            let (status, body) = if !authorised {
                (401, String::new())
            } else if req.url() != "/anna.ics" {
                (404, String::new())
            } else {
                feed.lock().unwrap().clone()
            };
            let header =
                tiny_http::Header::from_bytes("Content-Type", "text/calendar; charset=utf-8")
                    .expect("header");
            let _ = req.respond(
                tiny_http::Response::from_string(body)
                    .with_status_code(status)
                    .with_header(header),
            );
        }
    });
    url
}

fn calendar(items: &[(&str, &str, u32)]) -> String {
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pms//EN\r\n");
    for (uid, summary, day) in items {
        s += &format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\n\
             DTSTART;TZID=Europe/Berlin:202612{day:02}T090000\r\n\
             DTEND;TZID=Europe/Berlin:202612{day:02}T100000\r\nEND:VEVENT\r\n"
        );
    }
    s + "END:VCALENDAR\r\n"
}

async fn subjects(base: &str, upn: &str) -> Vec<String> {
    names(&mailbox(base, upn).await, "events")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pms_feed_with_a_token_flows_through_and_a_failing_feed_deletes_nothing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let feed: Feed = Arc::new(Mutex::new((
        200,
        calendar(&[("a1", "Mandant Huber", 1), ("a2", "Gerichtstermin", 2)]),
    )));
    let url = serve(feed.clone());

    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n\
         [source]\nkind = \"ics\"\nurl = \"{url}\"\nauth = \"bearer\""
    ))
    .await;
    let (app, base, upn) = (&fx.app, fx.base.as_str(), fx.upn);
    let export = || app.export(ExportOptions::default(), chrono::Utc::now());

    // The token is set; the feed arrives in Outlook.
    app.set_source_credential(SecretString::new(TOKEN)).unwrap();
    let report = export().await.unwrap();
    assert_eq!(report.created, 2, "{report:#?}");
    assert_eq!(
        subjects(base, upn).await,
        ["Gerichtstermin", "Mandant Huber"]
    );

    // The PMS renames one appointment and drops the other.
    *feed.lock().unwrap() = (200, calendar(&[("a1", "Mandant Huber (verlegt)", 3)]));
    let report = export().await.unwrap();
    assert_eq!((report.updated, report.deleted), (1, 1), "{}", report.plan);
    assert_eq!(subjects(base, upn).await, ["Mandant Huber (verlegt)"]);

    // The feed's server fails, then answers with an empty body by mistake
    // behind a 500: nothing is deleted, and the run says why.
    *feed.lock().unwrap() = (500, String::new());
    let report = export().await.unwrap();
    assert_eq!(report.deleted, 0, "{report:#?}");
    assert!(
        report.skipped.iter().any(|s| s.to_string().contains("500")),
        "{:#?}",
        report.skipped
    );
    assert_eq!(subjects(base, upn).await, ["Mandant Huber (verlegt)"]);

    // A wrong token: refused, explained with the fix, nothing deleted, and
    // the token itself appears nowhere in the report.
    *feed.lock().unwrap() = (200, calendar(&[]));
    app.set_source_credential(SecretString::new("not-the-token"))
        .unwrap();
    let report = export().await.unwrap();
    assert_eq!(report.deleted, 0, "{report:#?}");
    let text = format!("{report:?}");
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.fix == Some(docket_app::Action::SetSourceCredential)),
        "{text}"
    );
    assert!(
        !text.contains("not-the-token") && !text.contains(TOKEN),
        "{text}"
    );
    assert_eq!(subjects(base, upn).await, ["Mandant Huber (verlegt)"]);
}
