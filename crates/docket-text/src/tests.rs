//! The catalogues agree across languages, and rendering is what a reader
//! sees. One `check` per table.

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::{disagreements, Action, Lang, Message, Texts, TimeStyle, Who, BUILTIN, TRAY};

#[test]
fn catalogues_agree() {
    let problems = disagreements(BUILTIN);
    assert!(
        problems.is_empty(),
        "catalogues disagree:\n{}",
        problems.join("\n")
    );
}

/// The tray's words agree across languages too, and add to the built-in
/// ones without redefining any.
#[test]
fn the_tray_catalogues_agree_and_load() {
    let all: Vec<_> = BUILTIN.iter().chain(TRAY).copied().collect();
    let problems = disagreements(&all);
    assert!(
        problems.is_empty(),
        "catalogues disagree:\n{}",
        problems.join("\n")
    );
    assert_eq!(TRAY.len(), Lang::ALL.len());
    for lang in Lang::ALL {
        let t =
            Texts::with_resources(lang, TRAY).expect("tray.ftl adds to the built-in catalogues");
        assert!(t.has("tray-menu-export-now", None), "{lang}");
    }
}

#[test]
fn disagreements_are_found() {
    use crate::Resource;
    let en = Resource {
        lang: Lang::En,
        area: "t",
        source: "a = A { $x }\nb = B\n    .body = x\n",
    };
    let de = Resource {
        lang: Lang::De,
        area: "t",
        source: "a = A { $y }\nb = B\nc = C\n",
    };
    let found = disagreements(&[en, de]);
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn every_action_has_a_label_in_every_language() {
    for lang in Lang::ALL {
        let t = Texts::new(lang);
        for a in Action::samples() {
            let label = a.label();
            assert!(t.has(&label.id, None), "{lang}: no label for {a:?}");
            assert!(!t.render(&label).contains('['), "{lang}: {a:?}");
        }
    }
}

fn munich(lang: Lang) -> Texts {
    Texts::new(lang).in_zone(Tz::Europe__Berlin)
}

#[test]
fn times() {
    fn check(lang: Lang, at: (i32, u32, u32, u32, u32), style: TimeStyle, expect: &str) {
        let at = Utc
            .with_ymd_and_hms(at.0, at.1, at.2, at.3, at.4, 0)
            .unwrap();
        assert_eq!(
            munich(lang).time(at, style),
            expect,
            "{lang} {at} {style:?}"
        );
    }
    check(
        Lang::De,
        (2026, 12, 1, 18, 44),
        TimeStyle::DateTime,
        "1. Dez. 2026, 19:44",
    );
    check(
        Lang::En,
        (2026, 12, 1, 18, 44),
        TimeStyle::DateTime,
        "1 Dec 2026, 19:44",
    );
    // Summer time, and a UTC evening that is the next day in Munich.
    check(
        Lang::De,
        (2026, 7, 31, 22, 30),
        TimeStyle::DateTime,
        "1. Aug. 2026, 00:30",
    );
    check(Lang::En, (2026, 3, 29, 1, 30), TimeStyle::Clock, "03:30");
    check(
        Lang::De,
        (2026, 3, 5, 12, 0),
        TimeStyle::Date,
        "5. März 2026",
    );
}

#[test]
fn moments() {
    fn check(lang: Lang, at: (u32, u32), expect: &str) {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 19, 0).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 3, at.0, at.1, 0).unwrap();
        assert_eq!(munich(lang).moment(at, now), expect, "{lang} {at}");
    }
    check(Lang::En, (12, 14), "3 Dec 2026, 13:14 (5 minutes ago)");
    check(Lang::De, (13, 14), "3. Dez. 2026, 14:14 (in 55 Minuten)");
    check(Lang::De, (12, 19), "3. Dez. 2026, 13:19 (gerade eben)");
}

#[test]
fn dates() {
    let d = NaiveDate::from_ymd_opt(2027, 5, 9).unwrap();
    assert_eq!(Texts::new(Lang::De).date(d), "9. Mai 2027");
    assert_eq!(Texts::new(Lang::En).date(d), "9 May 2027");
}

#[test]
fn spans() {
    fn check(lang: Lang, seconds: i64, expect: &str) {
        assert_eq!(Texts::new(lang).span(seconds), expect, "{lang} {seconds}");
    }
    check(Lang::De, 3 * 86_400, "in 3 Tagen");
    check(Lang::De, 86_400 + 5, "in 1 Tag");
    check(Lang::De, -5 * 60, "vor 5 Minuten");
    check(Lang::En, -5 * 60, "5 minutes ago");
    check(Lang::En, -60, "1 minute ago");
    check(Lang::En, 7200, "in 2 hours");
    check(Lang::En, 59, "just now");
    check(Lang::De, -30, "gerade eben");
    check(
        Lang::En,
        i64::MIN,
        &format!("{} days ago", i64::MAX / 86_400),
    );
}

#[test]
fn sizes_in_each_language() {
    fn check(lang: Lang, bytes: u64, expect: &str) {
        assert_eq!(Texts::new(lang).size(bytes), expect, "{lang} {bytes}");
    }
    check(Lang::En, 10_400_000, "10.4 MB");
    check(Lang::De, 10_449_999, "10,4 MB");
    check(Lang::De, 4_000_001, "4 MB");
    check(Lang::En, 64_000_000, "64 MB");
    check(Lang::En, u64::MAX, "18446744073709.5 MB");
    let m = Message::new("size-megabytes").text("mb", "x");
    assert_eq!(Texts::new(Lang::De).render(&m), "x MB");
    // As an argument of a message.
    let too_large = Message::new("number-decimal-separator").bytes("size", 1);
    assert_eq!(Texts::new(Lang::De).render(&too_large), ",");
}

#[test]
fn arguments_render_inside_messages() {
    let t = munich(Lang::De);
    let m = Message::new("action-edit-config").text("key", "source.path");
    assert_eq!(
        t.render(&m),
        "IT: source.path in der Konfigurationsdatei ändern"
    );
    // A key the user may set is theirs to change, in both languages.
    let mine = Action::ChangeSetting {
        key: "modules.contacts".into(),
    };
    assert_eq!(mine.who(), Who::User);
    assert_eq!(
        t.render(&mine.label()),
        "modules.contacts in Ihren Einstellungen ändern (oder in Ihrer eigenen Konfigurationsdatei)"
    );
    assert_eq!(
        munich(Lang::En).render(&mine.label()),
        "Change modules.contacts in your settings (or in your own configuration file)"
    );
    let firms = Action::EditConfig {
        key: "microsoft.tenant".into(),
    };
    assert_eq!(firms.who(), Who::Admin);
    // A list: one message a line, each "headline: body".
    let list = Message::new("error-config-invalid")
        .number("count", 2)
        .lines(
            "detail",
            vec![
                Message::new("action-wait"),
                Message::new("action-edit-config").text("key", "source.path"),
            ],
        );
    assert_eq!(
        t.attr(&list, "body").as_deref(),
        Some("Nichts zu tun: Docket Sync versucht es selbst erneut\nIT: source.path in der Konfigurationsdatei ändern")
    );
    // A missing message shows its id, never panics.
    assert_eq!(
        t.render(&Message::new("no-such-message")),
        "[no-such-message]"
    );
    assert_eq!(
        Message::from_code("reauth.password_changed").id,
        "reauth-password-changed"
    );
}

#[test]
fn languages_from_tags_and_settings() {
    fn check(tag: &str, expect: Option<Lang>) {
        assert_eq!(Lang::from_tag(tag), expect, "{tag:?}");
    }
    check("de_DE.UTF-8", Some(Lang::De));
    check("de-AT", Some(Lang::De));
    check("DE", Some(Lang::De));
    check("en_GB.UTF-8", Some(Lang::En));
    check("fr_FR", Some(Lang::En));
    check("C", None);
    check("POSIX", None);
    check("C.UTF-8", None);
    check("", None);
    assert_eq!(Lang::choose(Some("de")), Lang::De);
    assert_eq!(Lang::choose(Some("en")), Lang::En);
}
