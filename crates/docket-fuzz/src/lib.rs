//! The bodies of the fuzz targets: one function per target, each feeding
//! arbitrary bytes to the product's own entry point for what a server, a
//! file or a local program can send us, and checking what must hold for
//! any input (beyond "no panic").
//!
//! `fuzz/` (cargo-fuzz, nightly, its own workspace) has one-line targets
//! that call these; `tests/corpus.rs` replays the committed seed corpus
//! (`fuzz/corpus/<target>/`) and every input that once failed
//! (`fuzz/regressions/<target>/`) through the same functions on stable, in
//! the normal test run. [`TARGETS`] names them all.
//!
//! A panic, a failed check or an endless loop is a bug in the product, not
//! here: fix it there and keep the input under `fuzz/regressions/`.

use std::time::{Duration, SystemTime};

use docket_auth::loopback::{Head, HeadReader, MAX_HEAD_BYTES};
use docket_auth::problem::{
    classify, classify_redirect_error, sign_in_frequency_lifetime, Class, Grant, ReAuthReason,
    TokenFailure, MAX_SIGN_IN_FREQUENCY_SECS,
};
use docket_export::ItemKind;
use docket_graph::retry::{decide, parse_retry_after, AttemptEnd, Decision, RetryLimits};
use docket_graph::{batch_answer, parse_body, Error as GraphError, GraphOrigin, Page};
use docket_secrets::SecretString;
use docket_source::{read_bytes, CollectionKind, ReadOptions, Snapshot};
use docket_text::{Lang, Message, Texts};
use serde_json::Value;

/// A target's body: any bytes in, a panic on a bug.
pub type Body = fn(&[u8]);

/// Every target: its name (the folder under `fuzz/corpus/` and the
/// binary in `fuzz/fuzz_targets/`) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("ical_vcard", ical_vcard),
    ("dav_xml", dav_xml),
    ("loopback", loopback),
    ("token_response", token_response),
    ("graph", graph),
    ("loopback_head", loopback_head),
    ("graph_links", graph_links),
];

/// Renders `message` in both languages, as a front end would show it.
fn render(message: &Message) {
    thread_local! {
        static TEXTS: [Texts; 2] = [Texts::new(Lang::En), Texts::new(Lang::De)];
    }
    TEXTS.with(|texts| {
        for t in texts {
            let _ = t.render_full(message);
        }
    });
}

/// What a snapshot must be for any input.
fn check_snapshot(snapshot: &Snapshot) {
    for problem in &snapshot.problems {
        // A panic inside one record is caught and becomes its skip: for
        // the reader that is a bug we had not found yet.
        assert_ne!(
            problem.reason.id, "source-reader-failed",
            "a record made the reader panic: {problem:?}"
        );
        render(&problem.reason);
    }
}

/// iCalendar and vCard, mixed or not, as one file of a folder or URL
/// source: [`docket_source::read_bytes`] into our model.
pub fn ical_vcard(data: &[u8]) {
    let snapshot = read_bytes("fuzz.ics", data, &ReadOptions::default());
    check_snapshot(&snapshot);
}

/// A CalDAV/CardDAV answer: the multistatus of PROPFIND, sync-collection
/// or multiget (read as calendar and as address book), and the `DAV:error`
/// of a refused sync token; the data it carries is read like the source
/// reads it.
pub fn dav_xml(data: &[u8]) {
    // The source refuses an answer that is not UTF-8 before parsing.
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let _ = docket_source::precondition(body);
    for kind in [CollectionKind::Calendar, CollectionKind::AddressBook] {
        let Ok(answer) = docket_source::parse_multistatus(body, kind) else {
            continue;
        };
        let files: Vec<(String, &[u8])> = answer
            .responses
            .iter()
            .filter_map(|r| Some((r.href.clone(), r.data.as_deref()?.as_bytes())))
            .collect();
        let snapshot = docket_source::read_files(files, &ReadOptions::default());
        check_snapshot(&snapshot);
    }
}

/// The loopback listener's port, callback path and `state` in the
/// `loopback` corpus.
pub const LOOPBACK_PORT: u16 = 50993;
pub const LOOPBACK_PATH: &str = "/";
pub const LOOPBACK_STATE: &str = "st4te-Ab_9";

/// One request head sent to the loopback sign-in listener (request line,
/// query, headers), judged as the listener judges it.
pub fn loopback(data: &[u8]) {
    let state = SecretString::new(LOOPBACK_STATE);
    let (target, checked) =
        docket_auth::loopback::check_head(data, LOOPBACK_PORT, LOOPBACK_PATH, &state);
    match checked {
        Ok(docket_auth::loopback::AuthResponse::Code(code)) => {
            assert!(!code.expose_secret().is_empty(), "an empty code accepted");
            assert!(target.starts_with('/'), "accepted target {target:?}");
        }
        Ok(docket_auth::loopback::AuthResponse::Error { error, .. }) => {
            render(&classify_redirect_error(&error).message());
        }
        Err((status, _)) => assert!(
            matches!(status, 400 | 414 | 431),
            "rejected with status {status}"
        ),
    }
}

/// A token-endpoint answer. The first two bytes are the HTTP status
/// (big-endian, read modulo 600), the third's low bit the grant, the rest
/// the body; its text is also read as a redirect `error=` value and as an
/// AADSTS70043 description.
pub fn token_response(data: &[u8]) {
    let [hi, lo, g, body @ ..] = data else {
        return;
    };
    let status = u16::from_be_bytes([*hi, *lo]) % 600;
    let grant = if g & 1 == 0 {
        Grant::RefreshToken
    } else {
        Grant::AuthorizationCode
    };
    let problem = classify(grant, TokenFailure::Response { status, body });
    // A network or service failure is never a credentials problem.
    if matches!(status, 408 | 429 | 500..=599) {
        assert!(
            matches!(problem.class, Class::Transient(_)),
            "status {status} classified as {:?}",
            problem.class
        );
    }
    if let Class::ReAuth(ReAuthReason::SignInFrequency {
        max_lifetime_seconds: Some(s),
    }) = problem.class
    {
        assert!(
            (1..=MAX_SIGN_IN_FREQUENCY_SECS).contains(&s),
            "lifetime {s}"
        );
    }
    assert_eq!(problem.code, problem.class.code());
    render(&problem.message());
    let _ = (problem.who(), problem.action());

    let text = String::from_utf8_lossy(body);
    if let Some(s) = sign_in_frequency_lifetime(&text) {
        assert!(
            (1..=MAX_SIGN_IN_FREQUENCY_SECS).contains(&s),
            "lifetime {s}"
        );
    }
    render(&classify_redirect_error(&text).message());
}

/// A Graph answer. The first byte's low two bits choose what it is read
/// as: a listing or delta page (0), a `$batch` answer (1), a non-2xx
/// answer whose status is the second byte + 300 (2), or a `Retry-After`
/// value (3); the rest is the body.
pub fn graph(data: &[u8]) {
    let [mode, rest @ ..] = data else {
        return;
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    let limits = RetryLimits::default();
    match mode & 3 {
        0 => {
            let Ok(body) = parse_body(200, rest) else {
                return;
            };
            let page = Page::of(&body);
            // What a listing or delta round does with a page: each item's
            // source key (the tag), and the links, which must stay on the
            // Graph origin to be followed or stored.
            for item in page.items {
                if let Some(key) = docket_export::key::key_of(item) {
                    let again: Result<docket_export::SourceKey, _> = key.to_string().parse();
                    assert_eq!(again.as_ref(), Ok(&key), "a tag that does not read back");
                }
            }
            let origin = GraphOrigin::new(GRAPH_BASES[0]);
            for link in [page.next, page.delta].into_iter().flatten() {
                check_link(&origin, GRAPH_BASES[0], link);
            }
            // What a delta round reads from the page, for each kind: an
            // item changed at most once, always with a version (an
            // occurrence without its master's version is no edit), and a
            // task in the list it was read from.
            for kind in [ItemKind::Event, ItemKind::Task, ItemKind::Contact] {
                let listing = docket_export::delta::delta_listing(kind, page.items, Some("list"));
                let docket_export::Listing::Delta { changed, .. } = listing else {
                    panic!("a delta page read as a full listing");
                };
                let mut ids = std::collections::BTreeSet::new();
                for c in &changed {
                    assert!(ids.insert(c.id.as_str()), "{} changed twice", c.id);
                    assert!(c.version.is_some(), "{} changed without a version", c.id);
                    let want = (kind == ItemKind::Task).then_some("list");
                    assert_eq!(c.container.as_deref(), want, "{}", c.id);
                }
            }
        }
        1 => {
            let Ok(body) = parse_body(200, rest) else {
                return;
            };
            let answers = body
                .get("responses")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for id in 0..docket_graph::MAX_BATCH {
                let Ok(item) = batch_answer(&answers, id) else {
                    continue;
                };
                assert!((100..=599).contains(&item.status), "{}", item.status);
                let retry_after = item
                    .header("Retry-After")
                    .and_then(|v| parse_retry_after(v, now));
                let outcome = AttemptEnd::Status {
                    status: item.status,
                    retry_after,
                };
                if let Decision::RetryAfter(wait) = decide(&limits, outcome, 1, true, true) {
                    assert!(wait <= limits.max_backoff, "wait {wait:?}");
                }
                if !(200..300).contains(&item.status) {
                    let _ = GraphError::from_status(item.status, item.body).to_string();
                }
            }
        }
        2 => {
            let status = 300 + u16::from(*rest.first().unwrap_or(&0));
            let body = rest.get(1..).unwrap_or_default();
            // A non-2xx answer is that status whatever its body (a 3xx
            // with a non-JSON body once read as a lost answer).
            let body = parse_body(status, body).expect("a non-2xx status always reads");
            let error = GraphError::from_status(status, body);
            assert_eq!(error.status(), Some(status));
            let _ = (error.code(), error.to_string());
        }
        _ => {
            let value = String::from_utf8_lossy(rest);
            let retry_after = parse_retry_after(&value, now);
            for status in [429, 503] {
                let outcome = AttemptEnd::Status {
                    status,
                    retry_after,
                };
                if let Decision::RetryAfter(wait) = decide(&limits, outcome, 1, true, false) {
                    assert!(wait <= limits.max_backoff, "wait {wait:?}");
                }
            }
        }
    }
}

/// A request head as the loopback listener reads it, in reads of any size.
/// The first two bytes (big-endian, modulo 8192, plus 1; at least a
/// 1,024th of the rest) are the size of each read, the rest the bytes the
/// browser sent. However they are cut,
/// the reader must decide as it does on the whole (a head is its bytes up
/// to the first blank line, at most [`MAX_HEAD_BYTES`]); a complete head
/// is then judged as [`loopback`] judges it.
pub fn loopback_head(data: &[u8]) {
    let [hi, lo, sent @ ..] = data else {
        return;
    };
    // At most about 1,024 reads: byte by byte over 20 KB would cost the
    // fuzzer most of its time for nothing a few hundred reads miss.
    let piece = (usize::from(u16::from_be_bytes([*hi, *lo]) % 8192) + 1).max(sent.len() / 1024);
    let whole = HeadReader::new().push(sent);
    let mut reader = HeadReader::new();
    let cut = sent.chunks(piece).find_map(|p| reader.push(p));
    assert_eq!(cut, whole, "read in pieces of {piece}");
    let end = sent
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4);
    match whole {
        Some(Head::Complete(head)) => {
            assert_eq!(Some(head.len()), end, "not the first blank line");
            assert!(
                head.len() <= MAX_HEAD_BYTES,
                "a head of {} bytes",
                head.len()
            );
            assert!(sent.starts_with(&head));
            loopback(&head);
        }
        Some(Head::TooLarge { line_complete }) => {
            assert!(end.is_none_or(|e| e > MAX_HEAD_BYTES), "refused at {end:?}");
            assert!(sent.len() > MAX_HEAD_BYTES);
            let line = sent[..MAX_HEAD_BYTES].windows(2).any(|w| w == b"\r\n");
            assert_eq!(line_complete, line);
        }
        None => assert!(end.is_none() && sent.len() <= MAX_HEAD_BYTES),
    }
}

/// Graph base URLs as firms and the tests configure them.
pub const GRAPH_BASES: &[&str] = &[
    "https://graph.microsoft.com/v1.0",
    "http://127.0.0.1:50994/v1.0",
    "https://graph.microsoft.com",
    "https://graph.microsoft.us/v1.0/",
];

/// What must hold for the origin check of one link from `base`: a link
/// that is followed goes, as it will be sent, to the base's scheme, host
/// and port; one that is dropped names another origin.
fn check_link(origin: &GraphOrigin, base: &str, link: &str) {
    let Ok(base) = url::Url::parse(base) else {
        return;
    };
    match origin.target(link) {
        Ok(url) => {
            assert_eq!(url.origin(), base.origin(), "{link:?} followed to {url}");
            // Sent as its text: read again, it is still on the origin.
            let sent = url::Url::parse(url.as_str()).expect("a URL reads back");
            assert_eq!(sent.origin(), base.origin(), "{link:?} sent to {sent}");
            assert_eq!(sent.host_str(), base.host_str());
        }
        Err(GraphError::ForeignLink { origin }) => {
            assert_ne!(origin, base.origin().ascii_serialization(), "{link:?}");
        }
        Err(GraphError::Transport(_)) => {}
        Err(other) => panic!("{link:?}: {other}"),
    }
}

/// A `@odata.nextLink`, `@odata.deltaLink` or request URL, checked against
/// the Graph origin before the token goes anywhere. The first byte (modulo
/// the number of bases) picks one of [`GRAPH_BASES`], the rest is the link.
pub fn graph_links(data: &[u8]) {
    let [which, link @ ..] = data else {
        return;
    };
    let base = GRAPH_BASES[usize::from(*which) % GRAPH_BASES.len()];
    let link = String::from_utf8_lossy(link);
    check_link(&GraphOrigin::new(base), base, &link);
}
