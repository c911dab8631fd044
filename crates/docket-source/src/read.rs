//! Reading the bytes of one file, and combining files into a snapshot.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;

use calcard::icalendar::ICalendarComponentType;
use calcard::{Entry, Parser};
use docket_text::Message;

use crate::ical::{appointment, deadline, Skip, Zones};
use crate::model::{Appointment, Contact, Deadline, ItemProblem, Moment, ProblemKind, Snapshot};
use crate::options::ReadOptions;
use crate::records::{split_file, Record};
use crate::vcard::contact;

/// Reads one file's bytes (iCalendar, vCard, or both mixed) into a
/// snapshot. `source` names the file in problems. Never fails: every
/// record that cannot be read becomes an [`ItemProblem`].
/// Repeated UIDs are reported as in [`read_files`].
pub fn read_bytes(source: &str, bytes: &[u8], options: &ReadOptions) -> Snapshot {
    Seen::default().drop_duplicates(source, read_one(source, bytes, options))
}

fn read_one(source: &str, bytes: &[u8], options: &ReadOptions) -> Snapshot {
    let mut snapshot = Snapshot::empty();
    let (records, cut_inside) = split_file(bytes);
    let mut problem = |record: &Record<'_>, uid: Option<String>, skip: Skip| {
        // A broken record we cannot name may be an item exported before:
        // nobody can tell, so deletions must wait.
        let unnamed_damage = uid.is_none() && skip.kind != ProblemKind::MissingUid;
        snapshot.complete &= !unnamed_damage;
        snapshot.problems.push(ItemProblem {
            source: source.to_owned(),
            record: uid.clone().unwrap_or_else(|| record.position()),
            uid,
            kind: skip.kind,
            reason: skip.reason,
            fix: None,
        });
    };

    if records.is_empty() && !bytes.trim_ascii().is_empty() && !has_container(bytes) {
        let record = Record {
            name: "file".to_owned(),
            bytes,
            line: 1,
            offset: 0,
            damage: None,
        };
        problem(
            &record,
            None,
            Skip::plain(ProblemKind::Malformed, "source-no-data"),
        );
        return snapshot;
    }

    // Pass 1: time zones, which other records refer to by TZID.
    let mut zones = Zones::default();
    for record in records
        .iter()
        .filter(|r| r.name == "VTIMEZONE" && r.damage.is_none())
    {
        let Ok(text) = std::str::from_utf8(record.bytes) else {
            continue;
        };
        // A VTIMEZONE that breaks the parser or the matching is one we do
        // not know: the events that use it are skipped as "unknown time
        // zone", the rest of the file is read.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if let Entry::ICalendar(ical) = Parser::new(text).entry() {
                if let Some(tz) = ical.components.first() {
                    zones.learn(&ical, tz);
                }
            }
        }));
    }

    // Pass 2: the items.
    let mut appointments = Vec::new();
    let mut deadlines = Vec::new();
    let mut contacts = Vec::new();
    for record in &records {
        if !matches!(record.name.as_str(), "VEVENT" | "VTODO" | "VCARD") {
            continue; // VTIMEZONE (done), VJOURNAL, VFREEBUSY, ...: not exported
        }
        if let Some(damage) = &record.damage {
            problem(
                record,
                record.sniff_uid(),
                Skip::new(ProblemKind::Malformed, damage.clone()),
            );
            continue;
        }
        let text = match std::str::from_utf8(record.bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = record.offset + e.valid_up_to();
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                let skip = Skip::new(
                    ProblemKind::InvalidUtf8,
                    Message::new("source-invalid-utf8")
                        .number("byte", at)
                        .number("line", line),
                );
                problem(record, record.sniff_uid(), skip);
                continue;
            }
        };
        // Whatever happens inside one record costs that record: a panic in
        // the parser or in our own reading (a bug we have not found yet)
        // becomes its skip, never the read's failure.
        let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            parse_record(text, &zones, options, source)
        }));
        let result = match parsed {
            Ok(Ok(item)) => {
                match item {
                    Item::Appointment(a) => appointments.push(a),
                    Item::Deadline(d) => deadlines.push(d),
                    Item::Contact(c) => contacts.push(c),
                }
                Ok(())
            }
            Ok(Err(skip)) => Err(skip),
            Err(_) => Err(Skip::plain(ProblemKind::Malformed, "source-reader-failed")),
        };
        if let Err(skip) = result {
            let uid = (skip.kind != ProblemKind::MissingUid)
                .then(|| record.sniff_uid())
                .flatten();
            problem(record, uid, skip);
        }
    }
    snapshot.appointments = appointments;
    snapshot.deadlines = deadlines;
    snapshot.contacts = contacts;
    if let Some(component) = cut_inside {
        // The file stops before its end: whatever followed the cut (an
        // export the PMS is still writing) is unknown, so nothing may be
        // deleted on the strength of this read.
        snapshot.complete = false;
        snapshot.problems.push(ItemProblem {
            source: source.to_owned(),
            record: "(whole file)".to_owned(),
            uid: None,
            kind: ProblemKind::Malformed,
            reason: Message::new("source-cut-short").text("component", component),
            fix: None,
        });
    }
    snapshot
}

enum Item {
    Appointment(Appointment),
    Deadline(Deadline),
    Contact(Contact),
}

/// One record's text as an item, or why it is skipped.
fn parse_record(
    text: &str,
    zones: &Zones,
    options: &ReadOptions,
    source: &str,
) -> Result<Item, Skip> {
    let mut item = match Parser::new(text).entry() {
        Entry::ICalendar(ical) => match ical.components.first() {
            Some(c) if c.component_type == ICalendarComponentType::VEvent => {
                Item::Appointment(appointment(&ical, c, zones, options)?)
            }
            Some(c) if c.component_type == ICalendarComponentType::VTodo => {
                Item::Deadline(deadline(&ical, c, zones, options)?)
            }
            _ => {
                return Err(Skip::plain(
                    ProblemKind::Malformed,
                    "source-not-event-or-todo",
                ))
            }
        },
        Entry::VCard(card) => Item::Contact(contact(&card, options)?),
        _ => {
            return Err(Skip::plain(
                ProblemKind::Malformed,
                "source-unreadable-structure",
            ))
        }
    };
    let slot = match &mut item {
        Item::Appointment(a) => &mut a.source,
        Item::Deadline(d) => &mut d.source,
        Item::Contact(c) => &mut c.source,
    };
    source.clone_into(slot);
    Ok(item)
}

fn has_container(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"BEGIN:"))
}

/// Reads several files into one snapshot and drops repeated keys: the
/// first record with a UID (and RECURRENCE-ID) wins, later ones are
/// reported as duplicates.
pub fn read_files<'a>(
    files: impl IntoIterator<Item = (String, &'a [u8])>,
    options: &ReadOptions,
) -> Snapshot {
    let mut snapshot = Snapshot::empty();
    let mut seen = Seen::default();
    for (name, bytes) in files {
        let file = read_one(&name, bytes, options);
        snapshot.merge(seen.drop_duplicates(&name, file));
    }
    snapshot
}

/// Keys already read, per collection.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    appointments: HashSet<(String, Option<Moment>)>,
    deadlines: HashSet<String>,
    contacts: HashSet<String>,
}

impl Seen {
    /// Keeps the first item for each key; reports the others.
    pub(crate) fn drop_duplicates(&mut self, source: &str, mut snapshot: Snapshot) -> Snapshot {
        let mut problems = Vec::new();
        let mut duplicate = |kind: &str, uid: &str| {
            problems.push(ItemProblem {
                source: source.to_owned(),
                record: uid.to_owned(),
                // The first record with this UID was read: the item is known.
                uid: None,
                kind: ProblemKind::DuplicateUid,
                reason: Message::new("source-duplicate-uid").text("kind", kind),
                fix: None,
            });
        };
        snapshot.appointments.retain(|a| {
            let fresh = self.appointments.insert((a.uid.clone(), a.recurrence_id));
            if !fresh {
                duplicate("appointment", &a.uid);
            }
            fresh
        });
        snapshot.deadlines.retain(|d| {
            let fresh = self.deadlines.insert(d.uid.clone());
            if !fresh {
                duplicate("deadline", &d.uid);
            }
            fresh
        });
        snapshot.contacts.retain(|c| {
            let fresh = self.contacts.insert(c.uid.clone());
            if !fresh {
                duplicate("contact", &c.uid);
            }
            fresh
        });
        snapshot.problems.extend(problems);
        snapshot
    }
}
