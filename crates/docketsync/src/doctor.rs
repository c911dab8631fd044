//! `docketsync doctor`: one line per check, `OK`/`WARN`/`FAIL` and what
//! to do. The checks that look at the machine (ports, files, network) are
//! thin; what they conclude from what they saw is decided by pure
//! functions (`discovery_check`), tested below.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use docket_config::{Config, Severity};
use docket_paths::Paths;

/// How long the authority may take to answer.
pub const AUTHORITY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// One line of the report (plus optional detail lines and a fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    pub name: &'static str,
    pub message: String,
    /// Extra lines printed under the message (e.g. each config problem).
    pub details: Vec<String>,
    pub fix: Option<String>,
}

impl Check {
    fn new(status: Status, name: &'static str, message: impl Into<String>) -> Check {
        Check {
            status,
            name,
            message: message.into(),
            details: vec![],
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

/// Render the report: `STATUS name  message`, details and `fix:` indented.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        let _ = writeln!(out, "{:<5} {:<16} {}", c.status.label(), c.name, c.message);
        for d in &c.details {
            for (i, line) in d.lines().enumerate() {
                let indent = if i == 0 { "      - " } else { "        " };
                let _ = writeln!(out, "{indent}{}", line.trim_start());
            }
        }
        if let Some(fix) = &c.fix {
            let _ = writeln!(out, "      fix: {fix}");
        }
    }
    let fails = checks.iter().filter(|c| c.status == Status::Fail).count();
    let warns = checks.iter().filter(|c| c.status == Status::Warn).count();
    let _ = writeln!(
        out,
        "{} check{}: {fails} failed, {warns} warning{}",
        checks.len(),
        if checks.len() == 1 { "" } else { "s" },
        if warns == 1 { "" } else { "s" }
    );
    out
}

/// Run every check for the firm config at `config_file` (user overrides
/// from `paths`) on day `today`.
pub async fn run(config_file: &Path, paths: &Paths, today: NaiveDate) -> Vec<Check> {
    let mut checks = vec![];
    let config = match docket_config::load(config_file, &paths.user_config_file) {
        Ok(config) => {
            let overrides = if paths.user_config_file.is_file() {
                format!(" with overrides from {}", paths.user_config_file.display())
            } else {
                String::new()
            };
            checks.push(Check::new(
                Status::Ok,
                "config",
                format!("{} is valid{overrides}", config_file.display()),
            ));
            Some(config)
        }
        Err(problems) => {
            let n = problems.0.len();
            let mut c = Check::new(
                Status::Fail,
                "config",
                format!(
                    "{} problem{} in the configuration ({})",
                    n,
                    if n == 1 { "" } else { "s" },
                    config_file.display()
                ),
            )
            .fix(
                "correct each key as its fix says (docs/configuration.md lists every key); \
                  the checks that need a valid configuration were skipped",
            );
            c.details = problems.0.iter().map(|p| p.to_string()).collect();
            checks.push(c);
            None
        }
    };

    if let Some(config) = &config {
        for n in docket_config::notices(config, today) {
            let status = match n.severity {
                Severity::Warn => Status::Warn,
                Severity::Fail => Status::Fail,
            };
            checks.push(
                Check::new(status, "client secret", format!("{}: {}", n.key, n.message)).fix(n.fix),
            );
        }
        checks.push(redirect_port_check(config));
        checks.push(keyring_check(config, paths));
        checks.extend(source_credential_check(config, paths));
        checks.extend(source_url_credential_check(config));
        if let Some(ca) = &config.microsoft.extra_ca_file {
            checks.push(ca_file_check(ca));
        }
    }
    checks.push(dir_check("data folder", &paths.data_dir));
    checks.push(dir_check("log folder", &paths.log_dir));
    if let Some(config) = &config {
        checks.push(zone_check(config));
        checks.push(source_check(config, paths).await);
        checks.push(authority_check(config).await);
    }
    checks
}

/// Which zone all-day items, floating times and date-only due dates go
/// out in, and where it came from.
fn zone_check(config: &Config) -> Check {
    use docket_app::ZoneOrigin;
    let name = "mailbox time zone";
    let (tz, origin) = docket_app::mailbox_zone(config);
    match origin {
        ZoneOrigin::Config => Check::new(
            Status::Ok,
            name,
            format!("{} (policy.mailbox_time_zone in the config)", tz.name()),
        ),
        ZoneOrigin::Computer => Check::new(
            Status::Ok,
            name,
            format!(
                "{} (this computer's time zone; if the mailbox is in another zone, IT sets policy.mailbox_time_zone)",
                tz.name()
            ),
        ),
        ZoneOrigin::Fallback => Check::new(
            Status::Warn,
            name,
            "UTC (this computer's time zone could not be read)",
        )
        .fix("IT sets policy.mailbox_time_zone in the config, e.g. \"Europe/Berlin\""),
    }
}

/// Read the PMS as the next export would, and say what came back: how many
/// items, which records are skipped and why, or why nothing could be read.
async fn source_check(config: &Config, paths: &Paths) -> Check {
    let name = "PMS source";
    let app = match docket_app::App::with_config(config.clone(), paths.clone()) {
        Ok(app) => app,
        Err(e) => {
            return Check::new(Status::Warn, name, format!("not read: {}", e.message_en()))
                .fix(e.fix_en())
        }
    };
    // The same read and the same skips as the next export (and as
    // `sync --dry-run`): the source's problems and the mapping's.
    let preview = match app.preview_pms().await {
        Ok(p) => p,
        // The demo firm's data belongs to the demo user signed in.
        Err(e) if config.source == docket_config::Source::Demo => {
            return Check::new(Status::Warn, name, e.message_en()).fix(e.fix_en());
        }
        Err(e) => {
            return Check::new(Status::Fail, name, e.message_en()).fix(e.fix_en());
        }
    };
    let counts = format!(
        "{} appointment(s), {} deadline(s) and follow-up(s), {} contact(s)",
        preview.appointments, preview.deadlines, preview.contacts
    );
    let skipped = preview.skipped.len();
    let details: Vec<String> = preview
        .skipped
        .iter()
        .take(10)
        .cloned()
        .chain((skipped > 10).then(|| format!("… and {} more", skipped - 10)))
        .collect();
    let mut check = if !preview.complete {
        Check::new(
            Status::Fail,
            name,
            format!("could not be read completely (read: {counts}); nothing is deleted on the strength of such a read"),
        )
        .fix("see the lines above; each names the file or address and what went wrong")
    } else if skipped > 0 {
        Check::new(
            Status::Warn,
            name,
            format!("{counts}; {skipped} record(s) skipped (the rest is exported)"),
        )
        .fix("correct the records listed above in the PMS")
    } else {
        Check::new(Status::Ok, name, counts)
    };
    check.details = details;
    check
}

/// The fixed loopback port of the sign-in redirect, if any.
fn fixed_redirect_port(config: &Config) -> Option<u16> {
    let ms = &config.microsoft;
    match &ms.redirect_uri {
        Some(uri) => url::Url::parse(uri).ok().and_then(|u| u.port()),
        None => (ms.redirect_port != 0).then_some(ms.redirect_port),
    }
}

fn redirect_port_check(config: &Config) -> Check {
    let Some(port) = fixed_redirect_port(config) else {
        return Check::new(
            Status::Ok,
            "redirect port",
            "a free port is chosen at each sign-in",
        );
    };
    match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => Check::new(
            Status::Ok,
            "redirect port",
            format!("127.0.0.1:{port} is free for the sign-in redirect"),
        ),
        Err(e) => Check::new(
            Status::Fail,
            "redirect port",
            format!("cannot listen on 127.0.0.1:{port}: {e}"),
        )
        .fix(format!(
            "close the program that uses port {port}, or choose another microsoft.redirect_port \
             and register http://localhost:<port>{} on the app registration",
            config.microsoft.redirect_path
        )),
    }
}

/// Can secrets be stored? The same store `docket-app` would use.
fn keyring_check(config: &Config, paths: &Paths) -> Check {
    match docket_app::open_secret_store(config, paths) {
        Ok(store) => match store.plaintext_warning() {
            Some(warning) => Check::new(Status::Warn, "keyring", warning).fix(
                "start an OS keyring (Linux: gnome-keyring or KeePassXC's Secret Service), then \
                 IT sets storage.allow_plaintext_tokens = false",
            ),
            None => Check::new(
                Status::Ok,
                "keyring",
                format!("secrets are kept in {}", store.location()),
            ),
        },
        Err(e) => {
            let fix = match e {
                docket_secrets::StoreError::Locked { .. } => {
                    "unlock the login keyring (sign out of the desktop and in again, or open \
                     the keyring app), then run doctor again"
                }
                _ if cfg!(target_os = "linux") => {
                    "install and start a Secret Service: gnome-keyring (`apt install \
                     gnome-keyring`, started by the desktop login) or KeePassXC with \
                     Secret Service integration; on a machine without one, IT may set \
                     storage.allow_plaintext_tokens = true"
                }
                _ => {
                    "sign in to the desktop normally so the system keychain (Windows Credential \
                     Manager / macOS login Keychain) is available"
                }
            };
            Check::new(Status::Fail, "keyring", e.to_string()).fix(fix)
        }
    }
}

/// A WARN when a source URL carries what looks like a credential in its
/// query (`?token=…`): it sits in the configuration file in plain text and
/// travels in every request line. Messages show such URLs redacted
/// (`docket_source::redact_url`); the fix is `source.auth` and the keyring.
fn source_url_credential_check(config: &Config) -> Option<Check> {
    let urls: Vec<(&str, &str)> = match &config.source {
        docket_config::Source::IcsUrl { url, .. } => vec![("source.url", url.as_str())],
        docket_config::Source::CalDav {
            url,
            tasks_url,
            contacts_url,
            ..
        } => [
            Some(("source.url", url.as_str())),
            tasks_url.as_deref().map(|u| ("source.tasks_url", u)),
            contacts_url.as_deref().map(|u| ("source.contacts_url", u)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        _ => Vec::new(),
    };
    let found: Vec<String> = urls
        .iter()
        .filter_map(|(key, url)| {
            let names = credential_query_keys(url);
            (!names.is_empty()).then(|| format!("{key} ({})", names.join(", ")))
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    Some(
        Check::new(
            Status::Warn,
            "PMS address",
            format!(
                "{} carries what looks like a credential in its query; it is kept in plain text \
                 in the configuration (messages and logs show it as <redacted>)",
                found.join(", ")
            ),
        )
        .fix(
            "a credential belongs in source.auth (\"basic\" or \"bearer\"), stored in the OS \
             keyring with `docketsync source-credential set`; ask the PMS administrator for an \
             address without it",
        ),
    )
}

/// The query keys of `url` whose names say they carry a credential
/// (`token`, `key`, `secret`, `password`, `sig`, `auth`, `access_token`,
/// `api_key`, `apikey`, in any case; also as a word of a longer name such
/// as `feed_token`, or at the end of one such as `accessToken`), in order. `doctor` warns about them: a credential
/// belongs in `source.auth` and the keyring, not in the configuration.
fn credential_query_keys(url: &str) -> Vec<String> {
    const WORDS: [&str; 9] = [
        "token",
        "key",
        "secret",
        "password",
        "sig",
        "auth",
        "access_token",
        "api_key",
        "apikey",
    ];
    let rest = url.split_once('#').map_or(url, |(rest, _)| rest);
    let Some((_, query)) = rest.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            let lower = key.to_ascii_lowercase();
            let hit = WORDS.contains(&lower.as_str())
                || lower
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| WORDS.contains(&word))
                || ["token", "secret", "password", "apikey"]
                    .iter()
                    .any(|end| lower.ends_with(end));
            (hit && !key.is_empty()).then(|| key.to_owned())
        })
        .collect()
}

/// Is the PMS server's password or token stored (`source.auth` basic or
/// bearer)? `None` when the source needs none, or when the store cannot
/// be opened (the keyring check reports that).
fn source_credential_check(config: &Config, paths: &Paths) -> Option<Check> {
    let auth = docket_app::source_auth(config)?;
    let store = docket_app::open_secret_store(config, paths).ok()?;
    let what = match auth {
        docket_config::SourceAuth::Bearer => "token".to_owned(),
        _ => match &config.source {
            docket_config::Source::IcsUrl { username, .. }
            | docket_config::Source::CalDav { username, .. } => {
                format!("password of '{}'", username.as_deref().unwrap_or_default())
            }
            _ => "password".to_owned(),
        },
    };
    Some(
        match store.get(&docket_app::source_credential_key(config)) {
            Ok(Some(_)) => Check::new(
                Status::Ok,
                "PMS credential",
                format!("the PMS server's {what} is stored"),
            ),
            Ok(None) => Check::new(
                Status::Fail,
                "PMS credential",
                format!("the PMS server's {what} is not stored: nothing can be read from the PMS"),
            )
            .fix(
                "store it with `docketsync source-credential set` (asks for it, or reads it \
                  from standard input)",
            ),
            Err(e) => Check::new(
                Status::Fail,
                "PMS credential",
                format!("the PMS server's {what} cannot be read: {e}"),
            )
            .fix(
                "see the keyring check; then store it again with `docketsync \
                  source-credential set`",
            ),
        },
    )
}

fn ca_file_check(path: &Path) -> Check {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    let fix = "set microsoft.extra_ca_file to a PEM file with your firm's root certificate \
               (text starting with -----BEGIN CERTIFICATE-----)";
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Check::new(
                Status::Fail,
                "extra CA file",
                format!("cannot read {}: {e}", path.display()),
            )
            .fix(fix)
        }
    };
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&bytes).collect();
    match certs {
        Ok(certs) if !certs.is_empty() => Check::new(
            Status::Ok,
            "extra CA file",
            format!(
                "{} holds {} certificate{}",
                path.display(),
                certs.len(),
                if certs.len() == 1 { "" } else { "s" }
            ),
        ),
        Ok(_) => Check::new(
            Status::Fail,
            "extra CA file",
            format!("{} holds no PEM certificate", path.display()),
        )
        .fix(fix),
        Err(e) => Check::new(
            Status::Fail,
            "extra CA file",
            format!("{} is not valid PEM: {e}", path.display()),
        )
        .fix(fix),
    }
}

fn dir_check(name: &'static str, dir: &Path) -> Check {
    let probe: PathBuf = dir.join(format!(".docketsync-doctor-{}", std::process::id()));
    let result = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"probe"))
        .and_then(|()| std::fs::remove_file(&probe));
    match result {
        Ok(()) => Check::new(Status::Ok, name, format!("{} is writable", dir.display())),
        Err(e) => Check::new(
            Status::Fail,
            name,
            format!("cannot write in {}: {e}", dir.display()),
        )
        .fix(
            "give your user account write access to that folder, or set DOCKETSYNC_HOME to a \
             folder you can write",
        ),
    }
}

/// What one GET of the discovery document gave.
#[derive(Debug)]
pub enum Fetched {
    Response {
        status: u16,
        body: String,
    },
    Timeout,
    /// TLS failed (certificate not trusted, wrong host name...).
    Tls(String),
    /// Name resolution or TCP connection failed.
    Connect(String),
    Other(String),
}

async fn authority_check(config: &Config) -> Check {
    let url = config.microsoft.discovery_url();
    let client =
        match crate::http::client(config.microsoft.extra_ca_file.as_deref(), AUTHORITY_TIMEOUT) {
            Ok(c) => c,
            Err(e) => {
                return Check::new(Status::Fail, "authority", format!("{e:#}"))
                    .fix("check microsoft.extra_ca_file")
            }
        };
    let fetched = match client.get(&url).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            match resp.text().await {
                Ok(body) => Fetched::Response { status, body },
                Err(e) if e.is_timeout() => Fetched::Timeout,
                Err(e) => Fetched::Other(error_chain(&e)),
            }
        }
        Err(e) if e.is_timeout() => Fetched::Timeout,
        Err(e) => {
            let chain = error_chain(&e);
            if chain.contains("certificate") || chain.contains("InvalidCertificate") {
                Fetched::Tls(chain)
            } else if e.is_connect() {
                Fetched::Connect(chain)
            } else {
                Fetched::Other(chain)
            }
        }
    };
    discovery_check(&url, &fetched)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let _ = write!(out, ": {s}");
        source = s.source();
    }
    out
}

/// Decide the authority check from what the GET of `url` gave.
pub fn discovery_check(url: &str, fetched: &Fetched) -> Check {
    let name = "authority";
    let network_fix = "check the network connection; behind a proxy set HTTPS_PROXY; make sure \
                       microsoft.authority_host is right";
    match fetched {
        Fetched::Response { status: 200, body } => {
            let doc: Option<serde_json::Value> = serde_json::from_str(body).ok();
            let field = |k: &str| {
                doc.as_ref()
                    .and_then(|d| d.get(k))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            match (
                field("issuer"),
                field("authorization_endpoint"),
                field("token_endpoint"),
            ) {
                (Some(issuer), Some(_), Some(_)) => Check::new(
                    Status::Ok,
                    name,
                    format!("{url} answered (issuer {issuer})"),
                ),
                _ => Check::new(
                    Status::Fail,
                    name,
                    format!("{url} answered, but not with an OpenID configuration"),
                )
                .fix(
                    "a proxy or captive portal may have answered instead of Microsoft; check \
                     microsoft.authority_host and the network",
                ),
            }
        }
        Fetched::Response { status, body } => {
            let aadsts = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|d| d.get("error_description")?.as_str().map(str::to_string));
            let tenant_unknown = body.contains("AADSTS90002") || *status == 404;
            let mut check = Check::new(
                Status::Fail,
                name,
                match &aadsts {
                    Some(d) => format!("{url} answered {status}: {}", first_line(d)),
                    None => format!("{url} answered HTTP {status}"),
                },
            );
            check = if tenant_unknown {
                check.fix(
                    "the tenant was not found: check microsoft.tenant (your tenant ID or \
                     domain) and that microsoft.authority_host is your cloud's sign-in host",
                )
            } else if *status >= 500 {
                check.fix("the sign-in service has a problem; try again later")
            } else {
                check.fix(network_fix)
            };
            check
        }
        Fetched::Timeout => Check::new(
            Status::Fail,
            name,
            format!(
                "{url} did not answer within {} s",
                AUTHORITY_TIMEOUT.as_secs()
            ),
        )
        .fix(network_fix),
        Fetched::Tls(e) => Check::new(
            Status::Fail,
            name,
            format!("{url}: the server's certificate is not trusted ({e})"),
        )
        .fix(
            "if your network inspects HTTPS (a firewall or proxy with its own certificate), \
             set microsoft.extra_ca_file to your firm's root certificate (PEM)",
        ),
        Fetched::Connect(e) => {
            Check::new(Status::Fail, name, format!("cannot connect to {url}: {e}")).fix(network_fix)
        }
        Fetched::Other(e) => Check::new(Status::Fail, name, format!("{url}: {e}")).fix(network_fix),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://login.example/contoso/v2.0/.well-known/openid-configuration";

    /// Compare the status and fragments of message and fix.
    fn check(fetched: Fetched, expect: (Status, &str, &str)) {
        let c = discovery_check(URL, &fetched);
        assert_eq!(c.status, expect.0, "{c:#?}");
        assert!(c.message.contains(expect.1), "{c:#?}");
        assert!(c.fix.as_deref().unwrap_or("").contains(expect.2), "{c:#?}");
    }

    fn response(status: u16, body: &str) -> Fetched {
        Fetched::Response {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn the_mailbox_zone_says_where_it_came_from() {
        let config = |extra: &str| {
            let text = format!(
                "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
                 client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
                 [source]\nkind = \"demo\"\n{extra}"
            );
            let firm = docket_config::FileText {
                path: std::path::Path::new("firm.toml"),
                text: &text,
            };
            docket_config::validate(Some(firm), None, &|_| true).expect("valid")
        };
        let pinned = zone_check(&config("[policy]\nmailbox_time_zone = \"Europe/Lisbon\"\n"));
        assert_eq!(pinned.status, Status::Ok);
        assert_eq!(
            pinned.message,
            "Europe/Lisbon (policy.mailbox_time_zone in the config)"
        );
        // Without the pin: the computer's zone, named as such (or UTC with
        // a warning where the computer says none).
        let computer = zone_check(&config(""));
        assert!(
            computer.message.contains("this computer's time zone"),
            "{computer:?}"
        );
    }

    #[test]
    fn credential_like_query_keys_are_found_in_any_case() {
        let keys = |url| super::credential_query_keys(url);
        assert_eq!(keys("https://p.example/f.ics"), Vec::<String>::new());
        assert_eq!(
            keys("https://p.example/f.ics?view=all&user=anna"),
            Vec::<String>::new()
        );
        assert_eq!(keys("https://p.example/f.ics?token=s3cr3t"), ["token"]);
        assert_eq!(
            keys("https://p.example/f.ics?TOKEN=a&Key=b&secret=c&password=d&sig=e&auth=f"),
            ["TOKEN", "Key", "secret", "password", "sig", "auth"]
        );
        assert_eq!(
            keys("https://p.example/f.ics?access_token=a&API_KEY=b&apikey=c&feed_token=d"),
            ["access_token", "API_KEY", "apikey", "feed_token"]
        );
        // Not credentials: words that merely contain a short one.
        assert_eq!(
            keys("https://p.example/f.ics?monkey=1&design=2&author=3&accessToken=4"),
            ["accessToken"]
        );
    }

    #[test]
    fn discovery_outcomes() {
        check(
            response(
                200,
                r#"{"issuer":"https://login.example/t/v2.0","authorization_endpoint":"a","token_endpoint":"t"}"#,
            ),
            (Status::Ok, "issuer https://login.example/t/v2.0", ""),
        );
        check(
            response(200, "<html>Welcome to the hotel Wi-Fi</html>"),
            (
                Status::Fail,
                "not with an OpenID configuration",
                "captive portal",
            ),
        );
        check(
            response(
                400,
                r#"{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'x' not found.\r\nTrace ID: 1"}"#,
            ),
            (
                Status::Fail,
                "400: AADSTS90002: Tenant 'x' not found.",
                "microsoft.tenant",
            ),
        );
        check(
            response(404, ""),
            (Status::Fail, "HTTP 404", "microsoft.tenant"),
        );
        check(
            response(503, ""),
            (Status::Fail, "HTTP 503", "try again later"),
        );
        check(
            Fetched::Timeout,
            (Status::Fail, "within 5 s", "HTTPS_PROXY"),
        );
        check(
            Fetched::Tls("invalid peer certificate: UnknownIssuer".into()),
            (Status::Fail, "not trusted", "microsoft.extra_ca_file"),
        );
        check(
            Fetched::Connect("Connection refused".into()),
            (Status::Fail, "Connection refused", "authority_host"),
        );
    }

    #[test]
    fn render_prints_one_line_per_check_with_fix_and_summary() {
        let checks = vec![
            Check::new(Status::Ok, "config", "fine"),
            Check {
                details: vec!["microsoft.tenant: bad\n  fix: set it".into()],
                ..Check::new(Status::Fail, "config", "1 problem").fix("correct it")
            },
        ];
        assert_eq!(
            render(&checks),
            "OK    config           fine\n\
             FAIL  config           1 problem\n      \
             - microsoft.tenant: bad\n        \
             fix: set it\n      \
             fix: correct it\n\
             2 checks: 1 failed, 0 warnings\n"
        );
    }
}
