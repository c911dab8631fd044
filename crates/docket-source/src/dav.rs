//! CalDAV / CardDAV collections (`source.kind = "caldav"`): one collection
//! per module, read incrementally.
//!
//! Per collection, a cache keeps the sync token and every resource (href →
//! ETag → data). A read:
//!
//! 1. with a sync token: `REPORT sync-collection` (RFC 6578) lists what
//!    changed and what was removed since; an invalid or expired token
//!    (403/409 with `DAV:valid-sync-token`) falls back to step 2;
//! 2. without one: `PROPFIND Depth: 1` lists every member's `getetag` (and
//!    the collection's `sync-token`, when the server has one); members no
//!    longer listed drop out;
//! 3. new and changed members are fetched with `calendar-multiget` /
//!    `addressbook-multiget`, 50 per request;
//! 4. the snapshot is read from **all** cached resources, each one a "file"
//!    named by its URL, so a broken record is reported on its own.
//!
//! A collection that cannot be read keeps its old cache entry, contributes
//! nothing, and makes the snapshot incomplete (the engine then deletes
//! nothing). The cache is committed per collection only after its read
//! succeeded, so a failed fetch never skips a change.
//!
//! Limits: each answer is read under `Limits::max_file_bytes`, and all the
//! answers of one collection's read together under
//! [`MAX_COLLECTION_BYTES`] (a server that lists ever more members cannot
//! fill the memory 64 MB at a time); a truncated sync-collection answer is
//! followed for at most `MAX_SYNC_ROUNDS` rounds, then the collection is
//! listed in full. Over a limit, the collection counts as unreadable.

use std::collections::BTreeSet;
use std::path::PathBuf;

use docket_text::{Action, Message};
use reqwest::blocking::Response;
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use url::Url;

use crate::cache::{CollectionCache, DavCache, Resource};
use crate::dav_xml::{self, CollectionKind, Multistatus};
use crate::http::{read_body, Conn, FetchError, HttpAuth, HttpSettings};
use crate::model::Snapshot;
use crate::options::ReadOptions;
use crate::read::read_files;
use crate::source::Source;
use crate::url_source::redact_url;

/// Resources asked for in one multiget REPORT.
const MULTIGET_BATCH: usize = 50;
/// Rounds of a truncated sync-collection answer (507) followed.
const MAX_SYNC_ROUNDS: usize = 20;
/// Bytes read from the server for one collection in one read, all answers
/// together (256 MB, decimal like every limit in `docs/sources.md`; a firm
/// with more changes that trickle in one read per sync, hence per answer
/// `Limits::max_file_bytes` stays the smaller limit). Change it per source
/// with [`DavSource::max_collection_bytes`].
pub const MAX_COLLECTION_BYTES: u64 = 256_000_000;

/// One collection to read.
#[derive(Debug, Clone)]
pub struct DavCollection {
    /// The collection's URL.
    pub url: String,
    /// The configuration key that sets it (`source.url`, …), for fixes.
    pub key: &'static str,
    pub kind: CollectionKind,
}

/// CalDAV calendars and CardDAV address books.
#[derive(Debug, Clone)]
pub struct DavSource {
    collections: Vec<DavCollection>,
    auth: HttpAuth,
    http: HttpSettings,
    options: ReadOptions,
    cache_file: Option<PathBuf>,
    max_collection_bytes: u64,
}

/// What one read did, for tests, logs and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DavReadStats {
    /// HTTP requests sent.
    pub requests: u32,
    /// Collections listed in full (PROPFIND), e.g. on the first read or
    /// after an expired sync token.
    pub full_listings: u32,
    /// Collections read by sync token (sync-collection REPORT).
    pub incremental: u32,
    /// Resources downloaded (new or changed).
    pub fetched: usize,
    /// Resources that dropped out (deleted on the server).
    pub removed: usize,
}

/// What went wrong with a sync token.
enum SyncFailed {
    /// The server no longer accepts the token (or the report): list in full.
    Relist,
    Fetch(FetchError),
}

impl From<FetchError> for SyncFailed {
    fn from(e: FetchError) -> Self {
        SyncFailed::Fetch(e)
    }
}

impl DavSource {
    /// A source without collections yet; add them with [`DavSource::collection`].
    pub fn new(auth: HttpAuth, options: ReadOptions) -> DavSource {
        DavSource {
            collections: vec![],
            auth,
            http: HttpSettings::default(),
            options,
            cache_file: None,
            max_collection_bytes: MAX_COLLECTION_BYTES,
        }
    }

    /// All answers for one collection's read together may be at most this
    /// many bytes ([`MAX_COLLECTION_BYTES`]); over it the collection is not
    /// read and the snapshot is incomplete.
    pub fn max_collection_bytes(mut self, bytes: u64) -> DavSource {
        self.max_collection_bytes = bytes;
        self
    }

    /// Adds the collection at `url`, set by the configuration key `key`.
    pub fn collection(
        mut self,
        key: &'static str,
        url: impl Into<String>,
        kind: CollectionKind,
    ) -> DavSource {
        let url = url.into();
        if !self.collections.iter().any(|c| c.url == url) {
            self.collections.push(DavCollection { url, key, kind });
        }
        self
    }

    /// Network settings (extra CA, timeouts).
    pub fn http(mut self, http: HttpSettings) -> DavSource {
        self.http = http;
        self
    }

    /// Keep sync tokens and resources in this JSON file between reads. A
    /// missing or damaged file only means a full read.
    pub fn cache_file(mut self, file: impl Into<PathBuf>) -> DavSource {
        self.cache_file = Some(file.into());
        self
    }

    /// The collections read, in order.
    pub fn collections(&self) -> &[DavCollection] {
        &self.collections
    }

    /// Reads now (blocking), and says how.
    pub fn read_with_stats(&self) -> (Snapshot, DavReadStats) {
        let mut stats = DavReadStats::default();
        let mut conn = match Conn::new(&self.http, &self.auth, false) {
            Ok(conn) => conn,
            Err(e) => {
                let url = self.collections.first().map_or("", |c| c.url.as_str());
                return (e.snapshot(url, "(collection)"), stats);
            }
        };
        let mut cache = DavCache::load(self.cache_file.as_deref());
        let identity = self.auth.identity();
        let mut files = Vec::new();
        let mut failed = Vec::new();
        for collection in &self.collections {
            let mut entry = cache
                .collections
                .get(&collection.url)
                .filter(|c| c.identity == identity)
                .cloned()
                .unwrap_or_else(|| CollectionCache {
                    identity: identity.clone(),
                    ..CollectionCache::default()
                });
            match self.read_collection(&mut conn, collection, &mut entry, &mut stats) {
                Ok(base) => {
                    for (href, resource) in &entry.resources {
                        let name = base.join(href).map_or_else(|_| href.clone(), String::from);
                        // Shown to people: never a credential in the address.
                        let name = redact_url(&name);
                        files.push((name, resource.data.clone()));
                    }
                    cache.collections.insert(collection.url.clone(), entry);
                }
                Err(e) => failed.push(e.problem(&redact_url(&collection.url), "(collection)")),
            }
        }
        stats.requests = conn.requests;
        // Collections no longer configured go.
        cache
            .collections
            .retain(|url, _| self.collections.iter().any(|c| &c.url == url));
        if let Some(file) = &self.cache_file {
            // A failed write only costs a full read next time.
            let _ = cache.save(file);
        }
        let mut snapshot = read_files(
            files.iter().map(|(n, d)| (n.clone(), d.as_bytes())),
            &self.options,
        );
        snapshot.complete &= failed.is_empty();
        snapshot.problems.extend(failed);
        (snapshot, stats)
    }

    /// Brings `entry` up to date with the server; returns the collection's
    /// URL (to name resources by).
    fn read_collection(
        &self,
        conn: &mut Conn<'_>,
        collection: &DavCollection,
        entry: &mut CollectionCache,
        stats: &mut DavReadStats,
    ) -> Result<Url, FetchError> {
        let base = Url::parse(&collection.url).map_err(|e| {
            FetchError::answer(
                Message::new("source-not-a-url")
                    .text("url", redact_url(&collection.url))
                    .text("error", e.to_string())
                    .text("key", collection.key),
                Action::EditConfig {
                    key: collection.key.into(),
                },
            )
        })?;
        let before: BTreeSet<String> = entry.resources.keys().cloned().collect();
        let budget = &mut Budget {
            left: self.max_collection_bytes,
            limit: self.max_collection_bytes,
        };
        let changed = match entry.sync_token.clone() {
            Some(token) => match self.sync(conn, collection, &base, entry, &token, budget) {
                Ok(changed) => {
                    stats.incremental += 1;
                    changed
                }
                Err(SyncFailed::Relist) => {
                    stats.full_listings += 1;
                    self.list(conn, collection, &base, entry, budget)?
                }
                Err(SyncFailed::Fetch(e)) => return Err(e),
            },
            None => {
                stats.full_listings += 1;
                self.list(conn, collection, &base, entry, budget)?
            }
        };
        stats.fetched += self.fetch(conn, collection, &base, entry, &changed, budget)?;
        stats.removed += before
            .iter()
            .filter(|href| !entry.resources.contains_key(*href))
            .count();
        Ok(base)
    }

    /// Sends a DAV request to the collection.
    fn send(
        &self,
        conn: &mut Conn<'_>,
        collection: &DavCollection,
        (method, depth, body): (&str, &str, String),
    ) -> Result<Response, FetchError> {
        let request = conn
            .request(method, &collection.url)?
            .header("Depth", depth)
            .header(CONTENT_TYPE, "application/xml; charset=utf-8")
            .body(body);
        conn.send(request, &redact_url(&collection.url), collection.key)
    }

    /// The multistatus (207) of `response`; any other status is a failure
    /// in plain words.
    fn multistatus(
        &self,
        conn: &Conn<'_>,
        collection: &DavCollection,
        response: Response,
        budget: &mut Budget,
    ) -> Result<Multistatus, FetchError> {
        if response.status() != StatusCode::MULTI_STATUS {
            return Err(conn.status_error(&response, collection.key));
        }
        let file_limit = self.options.limits.max_file_bytes;
        let body = if budget.left < file_limit {
            // What is left of the collection's budget is the tighter limit.
            read_body(response, budget.left, collection.key).map_err(|e| match e {
                FetchError::TooLarge { .. } => FetchError::TooLarge {
                    url: redact_url(&collection.url),
                    limit: budget.limit,
                },
                e => e,
            })?
        } else {
            read_body(response, file_limit, collection.key)?
        };
        budget.left = budget.left.saturating_sub(body.len() as u64);
        let text = String::from_utf8(body).map_err(|_| {
            FetchError::answer(
                Message::new("source-answer-not-text").text("url", redact_url(&collection.url)),
                Action::CheckSource,
            )
        })?;
        dav_xml::parse_multistatus(&text, collection.kind).map_err(|e| {
            FetchError::answer(
                Message::new("source-not-dav")
                    .text("url", redact_url(&collection.url))
                    .text("error", e.to_string())
                    .text("key", collection.key),
                Action::EditConfig {
                    key: collection.key.into(),
                },
            )
        })
    }

    /// What changed since `token` (hrefs to fetch); removed members are
    /// dropped from `entry` and the new token stored in it.
    fn sync(
        &self,
        conn: &mut Conn<'_>,
        collection: &DavCollection,
        base: &Url,
        entry: &mut CollectionCache,
        token: &str,
        budget: &mut Budget,
    ) -> Result<Vec<String>, SyncFailed> {
        let mut token = token.to_owned();
        let mut changed = BTreeSet::new();
        for _ in 0..MAX_SYNC_ROUNDS {
            let body = dav_xml::sync_collection_body(Some(&token));
            let response = self.send(conn, collection, ("REPORT", "0", body))?;
            let status = response.status();
            if matches!(status.as_u16(), 400 | 403 | 405 | 409 | 501) {
                let refusal = conn.status_error(&response, collection.key);
                let body = read_body(response, 64_000, collection.key).unwrap_or_default();
                let bad_token = matches!(status.as_u16(), 403 | 409)
                    && dav_xml::precondition(&String::from_utf8_lossy(&body)).as_deref()
                        == Some("valid-sync-token");
                // 400/405/501: the server does not do sync-collection after all.
                let unsupported = matches!(status.as_u16(), 400 | 405 | 501);
                if bad_token || unsupported {
                    return Err(SyncFailed::Relist);
                }
                return Err(SyncFailed::Fetch(refusal));
            }
            let answer = self.multistatus(conn, collection, response, budget)?;
            let mut truncated = false;
            for r in &answer.responses {
                let Some(key) = href_key(base, &r.href) else {
                    continue;
                };
                if is_self(base, &key) {
                    // RFC 6578 §3.6: 507 on the collection = more to come.
                    truncated |= r.status == Some(507);
                    continue;
                }
                if r.status == Some(404) {
                    entry.resources.remove(&key);
                    changed.remove(&key);
                } else if r.etag.is_none()
                    || entry.resources.get(&key).map(|c| &c.etag) != r.etag.as_ref()
                {
                    changed.insert(key);
                }
            }
            let Some(next) = answer.sync_token.filter(|t| !t.is_empty()) else {
                // No new token: we cannot go on incrementally.
                return Err(SyncFailed::Relist);
            };
            token = next;
            if !truncated {
                entry.sync_token = Some(token);
                return Ok(changed.into_iter().collect());
            }
        }
        Err(SyncFailed::Relist)
    }

    /// Lists every member (PROPFIND Depth: 1); members no longer listed are
    /// dropped from `entry`. Returns the hrefs to fetch.
    fn list(
        &self,
        conn: &mut Conn<'_>,
        collection: &DavCollection,
        base: &Url,
        entry: &mut CollectionCache,
        budget: &mut Budget,
    ) -> Result<Vec<String>, FetchError> {
        let request = ("PROPFIND", "1", dav_xml::propfind_body());
        let response = self.send(conn, collection, request)?;
        let answer = self.multistatus(conn, collection, response, budget)?;
        let (want_ns, want_type) = collection.kind.resource_type();
        let mut members = Vec::new();
        let mut token = None;
        for r in &answer.responses {
            let Some(key) = href_key(base, &r.href) else {
                continue;
            };
            if is_self(base, &key) {
                if !r.has_type(want_ns, want_type) {
                    let what = match collection.kind {
                        CollectionKind::Calendar => "calendar",
                        CollectionKind::AddressBook => "addressbook",
                    };
                    return Err(FetchError::answer(
                        Message::new("source-not-collection")
                            .text("collection", what)
                            .text("url", redact_url(&collection.url))
                            .text("key", collection.key),
                        Action::EditConfig {
                            key: collection.key.into(),
                        },
                    ));
                }
                token = r.sync_token.clone();
                continue;
            }
            if r.is_collection() || r.status.is_some_and(|s| s != 200) {
                continue;
            }
            members.push((key, r.etag.clone()));
        }
        let listed: BTreeSet<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        entry
            .resources
            .retain(|href, _| listed.contains(href.as_str()));
        entry.sync_token = token;
        Ok(members
            .iter()
            .filter(|(key, etag)| {
                etag.is_none() || entry.resources.get(key).map(|c| &c.etag) != etag.as_ref()
            })
            .map(|(key, _)| key.clone())
            .collect())
    }

    /// Downloads `hrefs` into `entry`; returns how many arrived.
    fn fetch(
        &self,
        conn: &mut Conn<'_>,
        collection: &DavCollection,
        base: &Url,
        entry: &mut CollectionCache,
        hrefs: &[String],
        budget: &mut Budget,
    ) -> Result<usize, FetchError> {
        let mut fetched = 0;
        for batch in hrefs.chunks(MULTIGET_BATCH) {
            let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
            let body = dav_xml::multiget_body(collection.kind, &refs);
            let response = self.send(conn, collection, ("REPORT", "1", body))?;
            let answer = self.multistatus(conn, collection, response, budget)?;
            let mut answered = BTreeSet::new();
            for r in answer.responses {
                let Some(key) = href_key(base, &r.href) else {
                    continue;
                };
                answered.insert(key.clone());
                match r.data {
                    Some(data) if r.status.is_none_or(|s| s == 200) => {
                        let etag = r.etag.unwrap_or_default();
                        entry.resources.insert(key, Resource { etag, data });
                        fetched += 1;
                    }
                    // Deleted between listing and fetching.
                    _ if r.status == Some(404) => {
                        entry.resources.remove(&key);
                    }
                    _ => {
                        return Err(FetchError::answer(
                            Message::new("source-no-data-sent")
                                .text("resource", key.as_str())
                                .text("status", r.status.map_or("–".into(), |s| s.to_string())),
                            Action::CheckSource,
                        ))
                    }
                }
            }
            if let Some(missing) = batch.iter().find(|h| !answered.contains(*h)) {
                return Err(FetchError::answer(
                    Message::new("source-not-sent").text("resource", missing.as_str()),
                    Action::Wait,
                ));
            }
        }
        Ok(fetched)
    }
}

/// What one collection's read may still read ([`MAX_COLLECTION_BYTES`]).
struct Budget {
    left: u64,
    limit: u64,
}

/// The path of `href` (absolute path or URL) on the collection's server;
/// `None` for another server's URL, which is never followed.
fn href_key(base: &Url, href: &str) -> Option<String> {
    let url = base.join(href).ok()?;
    (url.origin() == base.origin()).then(|| url.path().to_owned())
}

/// Whether `key` is the collection itself.
fn is_self(base: &Url, key: &str) -> bool {
    key.trim_end_matches('/') == base.path().trim_end_matches('/')
}

impl Source for DavSource {
    fn read(&self) -> Snapshot {
        self.read_with_stats().0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_paths_on_the_collections_server() {
        let base = Url::parse("https://dav.example.com/anna/cal/").unwrap();
        assert_eq!(
            href_key(&base, "/anna/cal/e%201.ics").as_deref(),
            Some("/anna/cal/e%201.ics")
        );
        assert_eq!(
            href_key(&base, "https://dav.example.com/anna/cal/e1.ics").as_deref(),
            Some("/anna/cal/e1.ics")
        );
        assert_eq!(
            href_key(&base, "e2.ics").as_deref(),
            Some("/anna/cal/e2.ics")
        );
        assert_eq!(href_key(&base, "https://evil.example.com/x.ics"), None);
        assert!(is_self(&base, "/anna/cal"));
        assert!(is_self(&base, "/anna/cal/"));
        assert!(!is_self(&base, "/anna/cal/e1.ics"));
    }
}
