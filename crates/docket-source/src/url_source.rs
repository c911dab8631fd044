//! An iCalendar or vCard file over HTTPS (`source.kind = "ics"` with a
//! `url`): one GET, parsed like a file on disk.
//!
//! With a cache file, the answer's `ETag` / `Last-Modified` are kept next
//! to the body, and the next read asks with `If-None-Match` /
//! `If-Modified-Since`; a `304 Not Modified` reuses the kept body.

use std::path::{Path, PathBuf};

use reqwest::header::{
    ACCEPT, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use docket_text::{Action, Message};

use crate::http::{read_body, Conn, FetchError, HttpAuth, HttpSettings};
use crate::model::Snapshot;
use crate::options::ReadOptions;
use crate::read::read_bytes;
use crate::source::Source;

/// The configuration key that holds the URL (for fixes).
const KEY: &str = "source.url";

/// An `.ics` / `.vcf` file served over HTTPS.
#[derive(Debug, Clone)]
pub struct UrlSource {
    url: String,
    /// `url` as messages show it ([`redact_url`]).
    shown: String,
    auth: HttpAuth,
    http: HttpSettings,
    options: ReadOptions,
    cache_file: Option<PathBuf>,
}

/// How the last read went, for tests and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UrlReadStats {
    /// HTTP requests sent.
    pub requests: u32,
    /// The server answered `304 Not Modified` and the kept copy was read.
    pub not_modified: bool,
}

/// What is kept between reads (JSON; the body is in a file beside it).
#[derive(Debug, Serialize, Deserialize)]
struct Validators {
    url: String,
    identity: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl UrlSource {
    pub fn new(url: impl Into<String>, auth: HttpAuth, options: ReadOptions) -> UrlSource {
        let url = url.into();
        UrlSource {
            shown: redact_url(&url),
            url,
            auth,
            http: HttpSettings::default(),
            options,
            cache_file: None,
        }
    }

    /// Network settings (extra CA, timeouts).
    pub fn http(mut self, http: HttpSettings) -> UrlSource {
        self.http = http;
        self
    }

    /// Keep the validators in `file` (JSON) and the body in `file` +
    /// `.body`, to skip unchanged downloads. A missing or damaged cache
    /// only means a full download.
    pub fn cache_file(mut self, file: impl Into<PathBuf>) -> UrlSource {
        self.cache_file = Some(file.into());
        self
    }

    /// Reads now, and says how.
    pub fn read_with_stats(&self) -> (Snapshot, UrlReadStats) {
        let mut stats = UrlReadStats::default();
        let snapshot = match self.fetch(&mut stats) {
            Ok(body) => read_bytes(&self.shown, &body, &self.options),
            Err(e) => e.snapshot(&self.shown, "(whole file)"),
        };
        (snapshot, stats)
    }

    fn body_file(cache: &Path) -> PathBuf {
        let mut name = cache.as_os_str().to_owned();
        name.push(".body");
        PathBuf::from(name)
    }

    /// The kept validators and body, if they are for this URL and user.
    fn cached(&self) -> Option<(Validators, Vec<u8>)> {
        let file = self.cache_file.as_ref()?;
        let validators: Validators = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
        if validators.url != self.url || validators.identity != self.auth.identity() {
            return None;
        }
        let body = std::fs::read(Self::body_file(file)).ok()?;
        Some((validators, body))
    }

    fn keep(&self, etag: Option<String>, last_modified: Option<String>, body: &[u8]) {
        let Some(file) = &self.cache_file else {
            return;
        };
        let validators = Validators {
            url: self.url.clone(),
            identity: self.auth.identity(),
            etag,
            last_modified,
        };
        // Body first: validators never point at a body that is not there.
        // A failed write only costs a full download next time.
        let _ = std::fs::remove_file(file);
        if crate::cache::write_atomic(&Self::body_file(file), body).is_ok() {
            if let Ok(json) = serde_json::to_vec(&validators) {
                let _ = crate::cache::write_atomic(file, &json);
            }
        }
    }

    fn fetch(&self, stats: &mut UrlReadStats) -> Result<Vec<u8>, FetchError> {
        let mut conn = Conn::new(&self.http, &self.auth, true)?;
        let cached = self.cached();
        let mut request = conn.request("GET", &self.url)?.header(
            ACCEPT,
            "text/calendar, text/vcard;q=0.9, text/x-vcard;q=0.9, */*;q=0.1",
        );
        if let Some((v, _)) = &cached {
            if let Some(etag) = &v.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &v.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        let response = conn.send(request, &self.shown, KEY);
        stats.requests = conn.requests;
        let response = response?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            if let Some((_, body)) = cached {
                stats.not_modified = true;
                return Ok(body);
            }
        }
        if !status.is_success() {
            return Err(conn.status_error(&response, KEY));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header(ETAG);
        let last_modified = header(LAST_MODIFIED);
        let html =
            header(CONTENT_TYPE).is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
        let body = read_body(response, self.options.limits.max_file_bytes, KEY)?;
        if html && !looks_like_data(&body) {
            return Err(FetchError::answer(
                Message::new("source-web-page")
                    .text("url", self.shown.as_str())
                    .text("key", KEY),
                Action::EditConfig { key: KEY.into() },
            ));
        }
        self.keep(etag, last_modified, &body);
        Ok(body)
    }
}

/// Whether `body` holds iCalendar or vCard data, whatever the content type.
fn looks_like_data(body: &[u8]) -> bool {
    let probe = |needle: &[u8]| {
        body.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    probe(b"BEGIN:VCALENDAR") || probe(b"BEGIN:VCARD")
}

impl Source for UrlSource {
    fn read(&self) -> Snapshot {
        self.read_with_stats().0
    }
}

/// `url` fit to show in a message, a log line or the status: every query
/// value (and a password in the user-info part) is replaced by
/// `<redacted>`, the keys are kept, so `…/feed.ics?token=s3cr3t&view=all`
/// reads `…/feed.ics?token=<redacted>&view=<redacted>`. A PMS feed URL
/// often carries its access token in the query; messages never need the
/// values to say what is wrong. Only the request itself uses the real URL.
pub fn redact_url(url: &str) -> String {
    const REDACTED: &str = "<redacted>";
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = match rest.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    let mut out = redact_user_info(base);
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) => format!("{key}={REDACTED}"),
                None if pair.is_empty() => String::new(),
                // A bare value (`?s3cr3t`) may be the secret itself.
                None => REDACTED.to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    if fragment.is_some() {
        out.push_str("#<redacted>");
    }
    out
}

/// `scheme://user:password@host/…` → `scheme://user:<redacted>@host/…`.
fn redact_user_info(base: &str) -> String {
    let Some((scheme, after)) = base.split_once("://") else {
        return base.to_owned();
    };
    let authority_end = after.find('/').unwrap_or(after.len());
    let (authority, path) = after.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split_once(':').map_or(user_info, |(u, _)| u);
            format!("{scheme}://{user}:<redacted>@{host}{path}")
        }
        None => base.to_owned(),
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[track_caller]
    fn check(input: &str, expect: &str) {
        assert_eq!(redact_url(input), expect, "{input}");
    }

    #[test]
    fn query_values_and_passwords_are_redacted_keys_kept() {
        check(
            "https://pms.example/feed.ics",
            "https://pms.example/feed.ics",
        );
        check(
            "https://pms.example/feed.ics?token=s3cr3t",
            "https://pms.example/feed.ics?token=<redacted>",
        );
        check(
            "https://pms.example/f.ics?user=anna&Token=s3cr3t&x",
            "https://pms.example/f.ics?user=<redacted>&Token=<redacted>&<redacted>",
        );
        check(
            "https://pms.example/f.ics?s3cr3t",
            "https://pms.example/f.ics?<redacted>",
        );
        check(
            "https://pms.example/f.ics?a=1#s3cr3t",
            "https://pms.example/f.ics?a=<redacted>#<redacted>",
        );
        check(
            "https://anna:s3cr3t@pms.example/f.ics",
            "https://anna:<redacted>@pms.example/f.ics",
        );
        check(
            "http://127.0.0.1:8080/f.ics?",
            "http://127.0.0.1:8080/f.ics?",
        );
        check("not a url?token=s3cr3t", "not a url?token=<redacted>");
    }
}
