//! The PMS, read as the next export would read it: how much came back,
//! which records will be skipped and why, or why nothing could be read.

use chrono::{DateTime, Utc};
use docket_config::Config;
use docket_paths::Paths;
use docket_text::{Action, Message, Who};

use super::Check;
use crate::{App, AppError, PmsPreview};

const ID: &str = "pms-source";

/// At most this many skipped records are listed (then "… and N more").
const LISTED: usize = 10;

pub(super) async fn pms(config: &Config, paths: &Paths, _now: DateTime<Utc>) -> Check {
    let read = match App::with_config(config.clone(), paths.clone()) {
        Ok(app) => app.preview_pms().await,
        Err(e) => Err(e),
    };
    match read {
        Ok(preview) => decide(&preview),
        Err(e) => not_read(&e, config.source == docket_config::Source::Demo),
    }
}

/// Why the PMS could not be read: the error's own message and fix. The
/// demo firm's data belongs to the demo user signed in, so before the
/// first sign-in that is a warning only.
fn not_read(e: &AppError, demo: bool) -> Check {
    let d = e.describe();
    let message = Message::new("doctor-pms-not-read").text("code", d.code.clone());
    let mut check = if demo {
        Check::warn(ID, message, d.action.clone())
    } else {
        Check::fail(ID, message, d.action.clone()).who(d.who)
    };
    check.details.push(super::Detail::of(d.message));
    check
}

/// Decide from what the read gave.
fn decide(p: &PmsPreview) -> Check {
    let counts = Message::new("doctor-pms-counts")
        .number("appointments", p.appointments)
        .number("deadlines", p.deadlines)
        .number("contacts", p.contacts);
    let skipped = p.skipped.len();
    let mut check = if !p.complete {
        Check::fail(
            ID,
            Message::new("doctor-pms-incomplete").message("counts", counts),
            Action::CheckSource,
        )
    } else if skipped > 0 {
        Check::warn(
            ID,
            Message::new("doctor-pms-skipped")
                .message("counts", counts)
                .number("skipped", skipped),
            Action::CorrectRecords,
        )
    } else {
        Check::pass(ID, Message::new("doctor-pms-ok").message("counts", counts))
    };
    for s in p.skipped.iter().take(LISTED) {
        // `file: record: reason`, in the reader's language.
        check.details.push(super::Detail {
            place: None,
            message: s.line(),
            action: s.fix.clone(),
        });
    }
    if skipped > LISTED {
        check.details.push(super::Detail::of(
            Message::new("doctor-pms-more").number("n", skipped - LISTED),
        ));
    }
    if check.status == super::CheckStatus::Pass {
        check.who = Who::Nobody;
    }
    check
}

/// A record skipped for a date it could not read.
#[cfg(test)]
fn skip(record: &str) -> crate::executor::Skipped {
    crate::executor::Skipped {
        record: record.into(),
        source: Some("f.ics".into()),
        reason: Message::new("source-bad-date")
            .text("value", "2026-13-01")
            .text("property", "DTSTART"),
        fix: None,
    }
}

/// One check of each kind this file makes (for the catalogue test).
#[cfg(test)]
pub(super) fn samples() -> Vec<Check> {
    let preview = |complete: bool, skipped: usize| PmsPreview {
        appointments: 1,
        deadlines: 1,
        contacts: 1,
        complete,
        skipped: vec![skip("r"); skipped],
        notices: vec![],
    };
    vec![
        decide(&preview(true, 0)),
        decide(&preview(true, LISTED + 1)),
        decide(&preview(false, 0)),
        not_read(&AppError::NotSignedIn, true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::CheckStatus;
    use docket_text::{Lang, Texts};

    fn preview(complete: bool, skipped: usize) -> PmsPreview {
        PmsPreview {
            appointments: 1,
            deadlines: 2,
            contacts: 0,
            complete,
            skipped: (0..skipped).map(|i| skip(&format!("r{i}"))).collect(),
            notices: vec![],
        }
    }

    /// (status, who, English headline, number of detail lines).
    fn check(p: PmsPreview, expect: (CheckStatus, Who, &str, usize)) {
        let c = decide(&p);
        let texts = Texts::new(Lang::En);
        assert_eq!(
            (c.status, c.who, texts.render(&c.message), c.details.len()),
            (expect.0, expect.1, expect.2.to_string(), expect.3),
            "{c:#?}"
        );
    }

    #[test]
    fn what_the_read_gave() {
        use CheckStatus::*;
        check(
            preview(true, 0),
            (
                Pass,
                Who::Nobody,
                "1 appointment, 2 deadlines and follow-ups, 0 contacts",
                0,
            ),
        );
        check(
            preview(true, 1),
            // A bad record is corrected in the PMS by whoever keeps the
            // data (it said "IT: check the PMS server", under a body that
            // says to correct the records).
            (
                Warn,
                Who::User,
                "1 appointment, 2 deadlines and follow-ups, 0 contacts; 1 record skipped",
                1,
            ),
        );
        // Ten are listed, then how many more.
        check(
            preview(true, 12),
            (
                Warn,
                Who::User,
                "1 appointment, 2 deadlines and follow-ups, 0 contacts; 12 records skipped",
                11,
            ),
        );
        check(
            preview(false, 0),
            (
                Fail,
                Who::Admin,
                "could not be read completely (read: 1 appointment, 2 deadlines and follow-ups, 0 contacts)",
                0,
            ),
        );
    }

    /// A skipped record is listed as data, so it reads in the reader's
    /// language (it was English text for everyone).
    #[test]
    fn skipped_records_read_in_the_readers_language() {
        let c = decide(&preview(true, 1));
        let line = |lang| Texts::new(lang).render(&c.details[0].message);
        assert_eq!(
            line(Lang::En),
            "f.ics: r0: bad date '2026-13-01' in DTSTART"
        );
        assert_eq!(
            line(Lang::De),
            "f.ics: r0: ungültiges Datum „2026-13-01“ in DTSTART"
        );
    }
}
