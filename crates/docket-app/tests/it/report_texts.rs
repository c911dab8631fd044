//! The export report's words (`executor/`: failures, paused items, notices)
//! in English and German: every `sync-…` id the executor writes exists in
//! both catalogues, and a paused item reads exactly as a person sees it.

use docket_text::{Lang, Message, Texts};

#[test]
fn every_report_message_in_the_executor_has_english_and_german() {
    let code = [
        include_str!("../../src/executor/mod.rs"),
        include_str!("../../src/executor/adopt.rs"),
        include_str!("../../src/executor/apply.rs"),
        include_str!("../../src/executor/read.rs"),
        include_str!("../../src/executor/report.rs"),
        include_str!("../../src/executor/run.rs"),
        include_str!("../../src/executor/store.rs"),
    ]
    .concat();
    let ids: Vec<&str> = code
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|p| {
            p.starts_with("sync-") && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        })
        .collect();
    assert!(ids.len() >= 5, "{ids:?}");
    for lang in [Lang::En, Lang::De] {
        let texts = Texts::new(lang);
        let missing: Vec<&&str> = ids.iter().filter(|id| !texts.has(id, None)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

#[test]
fn a_paused_item_reads_in_both_languages() {
    use chrono::TimeZone;
    let next = chrono::Utc
        .with_ymd_and_hms(2026, 12, 1, 18, 44, 0)
        .unwrap();
    let reason = Message::new("sync-held-back")
        .number("attempts", 2)
        .text("error", "HTTP 503")
        .time("next", next, docket_text::TimeStyle::DateTime);
    let line = |lang| {
        let texts = Texts::new(lang).in_zone(chrono_tz::Europe::Berlin);
        texts.render(
            &Message::new("sync-report-paused")
                .text("item", "appointment:a1")
                .message("reason", reason.clone()),
        )
    };
    assert_eq!(
        line(Lang::En),
        "Paused after repeated failures: appointment:a1: failed 2 times, last: HTTP 503; next try 1 Dec 2026, 19:44"
    );
    assert_eq!(
        line(Lang::De),
        "Nach wiederholten Fehlern pausiert: appointment:a1: 2-mal fehlgeschlagen, zuletzt: HTTP 503; nächster Versuch 1. Dez. 2026, 19:44"
    );
}
