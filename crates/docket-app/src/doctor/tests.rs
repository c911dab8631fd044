//! Every message a doctor check can carry exists in English and German,
//! with its `.body` in both when it has one, and every `doctor-` message
//! of the catalogue is one that a check makes (no dead words).

use std::collections::BTreeSet;

use docket_text::{Lang, Message, Texts};

use super::{authority, config, local, source, Check, CheckStatus, DoctorReport};

fn samples() -> Vec<Check> {
    let mut all = vec![Check::skip("keyring")];
    all.extend(config::samples());
    all.extend(local::samples());
    all.extend(source::samples());
    all.extend(authority::samples());
    all
}

/// Every message id in `m`, with the ones nested in its arguments.
fn ids(m: &Message, out: &mut BTreeSet<String>) {
    out.insert(m.id.clone());
    for (_, arg) in &m.args {
        if let docket_text::Arg::Message(inner) = arg {
            ids(inner, out);
        }
    }
}

#[test]
fn every_doctor_message_renders_in_both_languages() {
    let checks = samples();
    let report = DoctorReport {
        checks: checks.clone(),
    };
    let mut used = BTreeSet::new();
    let mut messages: Vec<Message> = vec![report.summary()];
    for c in &checks {
        messages.push(c.name());
        messages.push(c.status.label());
        messages.push(c.message.clone());
        for d in &c.details {
            messages.push(d.message.clone());
            messages.extend(d.action.as_ref().map(|a| a.label()));
        }
        if let Some(a) = &c.action {
            messages.push(a.label());
        }
    }
    for s in [
        CheckStatus::Pass,
        CheckStatus::Warn,
        CheckStatus::Fail,
        CheckStatus::Skip,
    ] {
        messages.push(s.label());
    }
    for id in [
        "config",
        "client-secret",
        "redirect-port",
        "keyring",
        "source-credential",
        "source-address",
        "extra-ca-file",
        "data-folder",
        "log-folder",
        "mailbox-zone",
        "pms-source",
        "authority",
    ] {
        messages.push(Message::new(format!("doctor-check-{id}")));
    }
    for m in &messages {
        ids(m, &mut used);
    }
    let en = Texts::new(Lang::En);
    for lang in Lang::ALL {
        let texts = Texts::new(lang);
        for id in &used {
            assert!(texts.has(id, None), "{id} missing in {lang}");
            if en.has(id, Some("body")) {
                assert!(texts.has(id, Some("body")), "{id}.body missing in {lang}");
            }
        }
        for m in &messages {
            let text = texts.render(m);
            assert!(
                !text.contains("[doctor-") && !text.contains("[action-"),
                "{} rendered as {text:?} in {lang}",
                m.id
            );
        }
    }
    // No dead words: every doctor message of the catalogue is made by a check.
    let catalogue: BTreeSet<String> = docket_text::BUILTIN
        .iter()
        .filter(|r| r.lang == Lang::En && r.area == "doctor")
        .flat_map(|r| r.source.lines())
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
        .filter(|id| id.starts_with("doctor-"))
        .collect();
    let unused: Vec<&String> = catalogue.difference(&used).collect();
    assert!(unused.is_empty(), "messages no check makes: {unused:?}");
}

#[test]
fn who_must_act_is_the_first_failures() {
    use docket_text::{Action, Who};
    let report = DoctorReport {
        checks: vec![
            Check::pass("config", Message::new("doctor-config-loaded")),
            Check::warn("keyring", Message::new("x"), Action::ProvideKeyring),
            Check::fail("authority", Message::new("x"), Action::CheckNetwork),
            Check::fail("data-folder", Message::new("x"), Action::AskAdmin),
        ],
    };
    assert_eq!(report.who_must_act(), Some(Who::User));
    let fine = DoctorReport {
        checks: report.checks[..2].to_vec(),
    };
    assert_eq!(fine.who_must_act(), None);
}
