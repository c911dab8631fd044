//! `[source]`: where the PMS's appointments, deadlines and contacts come
//! from, and how Docket Sync proves itself to its server.

use super::reader::Reader;
use crate::reason::Kind;
use crate::{Source, SourceAuth};

pub(super) fn read_source(r: &mut Reader<'_>) -> Source {
    let kind = r.choice("source", "kind", &["demo", "ics", "caldav"], None);
    if kind.is_none() && r.value("source", "kind").is_none() {
        r.missing("source", "kind", "\"ics\"");
    }
    let has = |r: &Reader<'_>, key| r.value("source", key).is_some();
    let unused = |r: &mut Reader<'_>, keys: &[&str], kind: &str| {
        for key in keys {
            if r.value("source", key).is_some() {
                r.bad(
                    "source",
                    key,
                    Kind::UnusedByKind.message().text("kind", kind),
                );
            }
        }
    };
    match kind {
        Some("ics") => match (has(r, "path"), has(r, "url")) {
            (true, true) => {
                unused(r, &["tasks_url", "contacts_url"], "ics");
                r.bad("source", "url", Kind::SourcePathAndUrl.message());
                Source::Demo
            }
            (false, false) => {
                unused(r, &["tasks_url", "contacts_url"], "ics");
                r.missing("source", "path", "\"C:/Exports/calendar.ics\"");
                Source::Demo
            }
            (true, false) => {
                for key in ["auth", "username"] {
                    if has(r, key) {
                        r.bad("source", key, Kind::SourceCredentialForPath.message());
                    }
                }
                unused(r, &["tasks_url", "contacts_url"], "ics");
                r.existing_file("source", "path", "calendar.ics")
                    .map_or(Source::Demo, |path| Source::IcsFile { path })
            }
            (false, true) => {
                unused(r, &["tasks_url", "contacts_url"], "ics");
                let (auth, username) = read_source_auth(r);
                r.web_url("source", "url", "https://pms.example.com/feed.ics")
                    .map_or(Source::Demo, |url| Source::IcsUrl {
                        url: url.to_string(),
                        auth,
                        username,
                    })
            }
        },
        Some("caldav") => {
            unused(r, &["path"], "caldav");
            let (auth, username) = read_source_auth(r);
            let tasks_url = r
                .web_url(
                    "source",
                    "tasks_url",
                    "https://dav.example.com/calendars/anna/tasks/",
                )
                .map(|u| u.to_string());
            let contacts_url = r
                .web_url(
                    "source",
                    "contacts_url",
                    "https://dav.example.com/addressbooks/anna/contacts/",
                )
                .map(|u| u.to_string());
            if !has(r, "url") {
                r.missing(
                    "source",
                    "url",
                    "\"https://dav.example.com/calendars/anna/\"",
                );
                return Source::Demo;
            }
            r.web_url("source", "url", "https://dav.example.com/calendars/anna/")
                .map_or(Source::Demo, |url| Source::CalDav {
                    url: url.to_string(),
                    tasks_url,
                    contacts_url,
                    auth,
                    username,
                })
        }
        Some(_) => {
            unused(
                r,
                &[
                    "path",
                    "url",
                    "tasks_url",
                    "contacts_url",
                    "auth",
                    "username",
                ],
                "demo",
            );
            Source::Demo
        }
        None => Source::Demo,
    }
}

/// `source.auth` and `source.username`. `auth` defaults to "basic" when a
/// username is set (the password comes from the keyring), else "none".
fn read_source_auth(r: &mut Reader<'_>) -> (SourceAuth, Option<String>) {
    let username = r.string("source", "username", "\"anna.berger\"");
    let username = match username {
        Some(u) if u.is_empty() => {
            r.bad("source", "username", Kind::SourceUsernameEmpty.message());
            None
        }
        other => other,
    };
    let default = if username.is_some() { "basic" } else { "none" };
    let auth = match r.choice(
        "source",
        "auth",
        &["none", "basic", "bearer"],
        Some(default),
    ) {
        Some("basic") => SourceAuth::Basic,
        Some("bearer") => SourceAuth::Bearer,
        _ => SourceAuth::None,
    };
    let auth_set = r.value("source", "auth").is_some();
    match auth {
        SourceAuth::Basic if username.is_none() && r.value("source", "username").is_none() => {
            r.bad("source", "auth", Kind::SourceBasicNeedsUsername.message());
        }
        SourceAuth::None | SourceAuth::Bearer if username.is_some() && auth_set => {
            let name = if auth == SourceAuth::None {
                "none"
            } else {
                "bearer"
            };
            r.bad(
                "source",
                "username",
                Kind::SourceUsernameUnused.message().text("auth", name),
            );
        }
        _ => {}
    }
    (auth, username)
}
