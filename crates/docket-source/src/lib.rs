//! Reading the practice-management system (PMS): appointments, deadlines
//! and contacts from iCalendar (`.ics`) and vCard (`.vcf`) data, into the
//! plain [`Snapshot`] the export engine consumes.
//!
//! **One bad record never costs the rest.** A file is first split into
//! records by its `BEGIN:`/`END:` lines, on raw bytes; each record is then
//! decoded, parsed (by the `calcard` crate) and mapped on its own. A record
//! that cannot be read is skipped with an [`ItemProblem`] in plain words
//! ("bad date '2026-13-40' in DTSTART", "unknown time zone 'Mars/Olympus'",
//! "missing UID", "description is 10.4 MB, over the 4 MB limit", "not valid
//! UTF-8 at byte 1234 (line 56)").
//!
//! **Architecture invariant:** the engine must never delete on the strength
//! of a snapshot with `complete == false`, and must leave items whose UIDs
//! are in [`Snapshot::unreadable_uids`] untouched.
//!
//! Sources: [`FolderSource`] (a folder of exported files),
//! [`DemoSource`] (the bundled sample firm), [`UrlSource`] (a file over
//! HTTPS) and [`DavSource`] (CalDAV calendars and CardDAV address books,
//! read incrementally). The network sources are blocking: call `read` from
//! a blocking thread (`tokio::task::spawn_blocking`), never from async
//! code. Formats, mapping, limits, change detection and the sample firm
//! are described in `docs/sources.md`.

mod cache;
mod dav;
mod dav_xml;
pub mod demo_dates;
mod http;
mod ical;
mod model;
mod options;
mod read;
mod records;
mod source;
mod tzmatch;
mod url_source;
mod vcard;

pub use dav::{DavCollection, DavReadStats, DavSource};
pub use dav_xml::CollectionKind;
/// How [`DavSource`] reads a server's `207 Multistatus` and `DAV:error`
/// bodies. Public so that the fuzz targets (`fuzz/`) and their corpus
/// test (`docket-fuzz`) reach the very code the source runs.
pub use dav_xml::{parse_multistatus, precondition, DavResponse, Multistatus, XmlError};
pub use http::{HttpAuth, HttpSettings};
pub use url_source::{redact_url, UrlReadStats, UrlSource};

pub use model::{
    record_label, Appointment, Contact, Deadline, DeadlineKind, DeadlineStatus, Email, Importance,
    ItemProblem, Moment, Phone, PhoneKind, PostalAddress, ProblemKind, Recurrence, Snapshot,
    Timing, Usage, ZonedDateTime,
};
pub use options::{KindRule, Limits, ReadOptions, SubscriptionRule};
pub use read::{read_bytes, read_files};
pub use source::{DemoSource, DemoUser, FolderSource, Source, UnknownDemoUser, DEMO_USERS};
