//! What this computer offers: the sign-in port, the keyring, the PMS
//! credential in it, a credential in a PMS address, the extra CA file,
//! and writable folders.

use std::path::Path;

use docket_config::{Config, Source, SourceAuth};
use docket_paths::Paths;
use docket_secrets::StoreError;
use docket_text::{Action, Message};

use super::Check;

/// The fixed loopback port of the sign-in redirect, if any.
fn fixed_redirect_port(config: &Config) -> Option<u16> {
    let ms = &config.microsoft;
    match &ms.redirect_uri {
        Some(uri) => url::Url::parse(uri).ok().and_then(|u| u.port()),
        None => (ms.redirect_port != 0).then_some(ms.redirect_port),
    }
}

pub(super) fn redirect_port(config: &Config) -> Check {
    let id = "redirect-port";
    let Some(port) = fixed_redirect_port(config) else {
        return Check::pass(id, Message::new("doctor-redirect-port-any"));
    };
    match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => Check::pass(
            id,
            Message::new("doctor-redirect-port-free").number("port", port),
        ),
        Err(e) => Check::fail(
            id,
            Message::new("doctor-redirect-port-busy")
                .number("port", port)
                .text("path", config.microsoft.redirect_path.clone()),
            Action::EditConfig {
                key: "microsoft.redirect_port".into(),
            },
        )
        .detail_text(e.to_string()),
    }
}

/// Can secrets be stored? The same store the app would use.
pub(super) fn keyring(config: &Config, paths: &Paths) -> Check {
    keyring_check(
        crate::open_secret_store(config, paths)
            .map(|store| (store.location(), store.plaintext_message().is_some())),
    )
}

/// Decide from what opening the store gave: its location and whether it
/// is the plaintext file, or the error.
fn keyring_check(opened: Result<(Message, bool), StoreError>) -> Check {
    let id = "keyring";
    match opened {
        Ok((location, false)) => Check::pass(
            id,
            Message::new("doctor-keyring-ok").message("location", location),
        ),
        Ok((location, true)) => Check::warn(
            id,
            Message::new("doctor-keyring-plaintext").message("location", location),
            Action::ProvideKeyring,
        ),
        Err(e) => {
            let (message, action) = match &e {
                StoreError::Locked { .. } => ("doctor-keyring-locked", Action::UnlockKeyring),
                StoreError::Unavailable { .. } => {
                    ("doctor-keyring-unavailable", Action::ProvideKeyring)
                }
                StoreError::Corrupt { .. } | StoreError::Other { .. } => {
                    ("doctor-keyring-failed", Action::ProvideKeyring)
                }
            };
            Check::fail(id, Message::new(message), action).detail_text(e.to_string())
        }
    }
}

/// What the PMS credential is: a token, or the password of
/// `source.username` (the arguments `kind` and `user` of the
/// `doctor-source-credential-*` messages).
#[derive(Debug, Clone)]
struct CredentialKind {
    kind: &'static str,
    user: String,
}

impl CredentialKind {
    fn message(&self, id: &str) -> Message {
        Message::new(id)
            .text("kind", self.kind)
            .text("user", self.user.clone())
    }
}

fn credential_kind(auth: SourceAuth, source: &Source) -> CredentialKind {
    let user = match source {
        Source::IcsUrl { username, .. } | Source::CalDav { username, .. } => {
            username.clone().unwrap_or_default()
        }
        _ => String::new(),
    };
    let kind = match auth {
        SourceAuth::Bearer => "token",
        _ => "password",
    };
    CredentialKind { kind, user }
}

/// Is the PMS server's password or token stored (`source.auth` basic or
/// bearer)? `None` when the source needs none, or when the store cannot
/// be opened (the keyring check reports that).
pub(super) fn source_credential(config: &Config, paths: &Paths) -> Option<Check> {
    let auth = crate::source_auth(config)?;
    let store = crate::open_secret_store(config, paths).ok()?;
    let found = store
        .get(&crate::source_credential_key(config))
        .map(|secret| secret.is_some());
    Some(credential_check(
        credential_kind(auth, &config.source),
        found,
    ))
}

fn credential_check(kind: CredentialKind, found: Result<bool, StoreError>) -> Check {
    let id = "source-credential";
    let with = |id: &str| kind.message(id);
    match found {
        Ok(true) => Check::pass(id, with("doctor-source-credential-ok")),
        Ok(false) => Check::fail(
            id,
            with("doctor-source-credential-missing"),
            Action::SetSourceCredential,
        ),
        Err(e) => Check::fail(
            id,
            with("doctor-source-credential-unreadable"),
            Action::UnlockKeyring,
        )
        .detail_text(e.to_string()),
    }
}

/// A warning when a source URL carries what looks like a credential in its
/// query (`?token=…`): it sits in the configuration file in plain text and
/// travels in every request line. Messages show such URLs redacted
/// (`docket_source::redact_url`); the fix is `source.auth` and the keyring.
pub(super) fn source_address(config: &Config) -> Option<Check> {
    let urls: Vec<(&str, &str)> = match &config.source {
        Source::IcsUrl { url, .. } => vec![("source.url", url.as_str())],
        Source::CalDav {
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
    let found: Vec<(&str, Vec<String>)> = urls
        .iter()
        .map(|(key, url)| (*key, credential_query_keys(url)))
        .filter(|(_, names)| !names.is_empty())
        .collect();
    let first = found.first()?.0.to_string();
    let keys = found
        .iter()
        .map(|(key, names)| format!("{key} ({})", names.join(", ")))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Check::warn(
        "source-address",
        Message::new("doctor-source-address-credential").text("keys", keys),
        docket_config::fix_for_key(&first),
    ))
}

/// The query keys of `url` whose names say they carry a credential
/// (`token`, `key`, `secret`, `password`, `sig`, `auth`, `access_token`,
/// `api_key`, `apikey`, in any case; also as a word of a longer name such
/// as `feed_token`, or at the end of one such as `accessToken`), in order.
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

/// What reading the extra CA file gave.
#[derive(Debug)]
enum CaFile {
    Unreadable(String),
    Invalid(String),
    Certificates(usize),
}

pub(super) fn ca_file(path: &Path) -> Check {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::CertificateDer;
    let read = match std::fs::read(path) {
        Err(e) => CaFile::Unreadable(e.to_string()),
        Ok(bytes) => match CertificateDer::pem_slice_iter(&bytes).collect::<Result<Vec<_>, _>>() {
            Ok(certs) => CaFile::Certificates(certs.len()),
            Err(e) => CaFile::Invalid(e.to_string()),
        },
    };
    ca_check(path, read)
}

fn ca_check(path: &Path, read: CaFile) -> Check {
    let id = "extra-ca-file";
    let file = path.display().to_string();
    let fix = Action::EditConfig {
        key: "microsoft.extra_ca_file".into(),
    };
    match read {
        CaFile::Certificates(0) => {
            Check::fail(id, Message::new("doctor-ca-empty").text("file", file), fix)
        }
        CaFile::Certificates(n) => Check::pass(
            id,
            Message::new("doctor-ca-ok")
                .text("file", file)
                .number("n", n),
        ),
        CaFile::Unreadable(e) => Check::fail(
            id,
            Message::new("doctor-ca-unreadable").text("file", file),
            fix,
        )
        .detail_text(e),
        CaFile::Invalid(e) => Check::fail(
            id,
            Message::new("doctor-ca-invalid").text("file", file),
            fix,
        )
        .detail_text(e),
    }
}

/// Can this user write in `dir` (created if missing)?
pub(super) fn folder(id: &'static str, dir: &Path) -> Check {
    let probe = dir.join(format!(".docketsync-doctor-{}", std::process::id()));
    let result = docket_paths::secure::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"probe"))
        .and_then(|()| std::fs::remove_file(&probe));
    let dir = dir.display().to_string();
    match result {
        Ok(()) => Check::pass(id, Message::new("doctor-folder-ok").text("dir", dir)),
        Err(e) => Check::fail(
            id,
            Message::new("doctor-folder-unwritable").text("dir", dir),
            Action::AskAdmin,
        )
        .detail_text(e.to_string()),
    }
}

/// One check of each kind this file makes (for the catalogue test).
#[cfg(test)]
pub(super) fn samples() -> Vec<Check> {
    let err = || StoreError::Other { detail: "x".into() };
    let basic = credential_kind(SourceAuth::Basic, &Source::Demo);
    let bearer = credential_kind(SourceAuth::Bearer, &Source::Demo);
    let ca = Path::new("/etc/ca.pem");
    vec![
        keyring_check(Ok((Message::new("secrets-location-unnamed"), false))),
        keyring_check(Ok((Message::new("secrets-location-unnamed"), true))),
        keyring_check(Err(StoreError::Locked { detail: "x".into() })),
        keyring_check(Err(StoreError::Unavailable { detail: "x".into() })),
        keyring_check(Err(err())),
        credential_check(basic.clone(), Ok(true)),
        credential_check(bearer, Ok(false)),
        credential_check(basic, Err(err())),
        Check::warn(
            "source-address",
            Message::new("doctor-source-address-credential").text("keys", "source.url (token)"),
            Action::ChangeSetting {
                key: "source.url".into(),
            },
        ),
        ca_check(ca, CaFile::Certificates(1)),
        ca_check(ca, CaFile::Certificates(0)),
        ca_check(ca, CaFile::Invalid("x".into())),
        ca_check(ca, CaFile::Unreadable("x".into())),
        folder("data-folder", Path::new("/proc/no/such/folder")),
        folder("log-folder", &std::env::temp_dir()),
        Check::pass("redirect-port", Message::new("doctor-redirect-port-any")),
        Check::pass(
            "redirect-port",
            Message::new("doctor-redirect-port-free").number("port", 1),
        ),
        Check::fail(
            "redirect-port",
            Message::new("doctor-redirect-port-busy")
                .number("port", 1)
                .text("path", "/"),
            Action::Wait,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::CheckStatus;
    use docket_text::{Lang, Texts, Who};

    /// (status, who, English headline, action) of one check.
    fn check(got: Check, expect: (CheckStatus, Who, &str, Option<Action>)) {
        let texts = Texts::new(Lang::En);
        assert_eq!(
            (
                got.status,
                got.who,
                texts.render(&got.message),
                got.action.clone()
            ),
            (expect.0, expect.1, expect.2.to_string(), expect.3),
            "{got:#?}"
        );
    }

    fn detail(e: &str) -> String {
        e.to_string()
    }

    #[test]
    fn keyring_outcomes() {
        use CheckStatus::*;
        check(
            keyring_check(Ok((
                Message::new("secrets-location-keyring")
                    .text("platform", "other")
                    .text("service", "DocketSync"),
                false,
            ))),
            (
                Pass,
                Who::Nobody,
                "secrets are kept in the Secret Service, service \"DocketSync\"",
                None,
            ),
        );
        check(
            keyring_check(Ok((
                Message::new("secrets-location-file").text("path", "/h/secrets.json"),
                true,
            ))),
            (
                Warn,
                Who::Admin,
                "secrets are kept in the plaintext file /h/secrets.json, not in a keyring",
                Some(Action::ProvideKeyring),
            ),
        );
        check(
            keyring_check(Err(StoreError::Locked {
                detail: detail("x"),
            })),
            (
                Fail,
                Who::User,
                "the system keyring is locked",
                Some(Action::UnlockKeyring),
            ),
        );
        check(
            keyring_check(Err(StoreError::Unavailable {
                detail: detail("no dbus"),
            })),
            (
                Fail,
                Who::Admin,
                "no system keyring can be used",
                Some(Action::ProvideKeyring),
            ),
        );
    }

    #[test]
    fn source_credential_outcomes() {
        use CheckStatus::*;
        let basic = credential_kind(
            SourceAuth::Basic,
            &Source::IcsUrl {
                url: "https://pms.example/f.ics".into(),
                auth: SourceAuth::Basic,
                username: Some("anna".into()),
            },
        );
        let bearer = credential_kind(SourceAuth::Bearer, &Source::Demo);
        check(
            credential_check(basic.clone(), Ok(true)),
            (
                Pass,
                Who::Nobody,
                "the PMS server's password of 'anna' is stored",
                None,
            ),
        );
        check(
            credential_check(bearer, Ok(false)),
            (
                Fail,
                Who::Admin,
                "the PMS server's token is not stored",
                Some(Action::SetSourceCredential),
            ),
        );
        check(
            credential_check(
                basic,
                Err(StoreError::Locked {
                    detail: detail("x"),
                }),
            ),
            (
                Fail,
                Who::User,
                "the PMS server's password of 'anna' cannot be read",
                Some(Action::UnlockKeyring),
            ),
        );
    }

    #[test]
    fn ca_file_outcomes() {
        use CheckStatus::*;
        let path = Path::new("/etc/ca.pem");
        let fix = Some(Action::EditConfig {
            key: "microsoft.extra_ca_file".into(),
        });
        check(
            ca_check(path, CaFile::Certificates(2)),
            (Pass, Who::Nobody, "/etc/ca.pem holds 2 certificates", None),
        );
        check(
            ca_check(path, CaFile::Certificates(1)),
            (Pass, Who::Nobody, "/etc/ca.pem holds 1 certificate", None),
        );
        check(
            ca_check(path, CaFile::Certificates(0)),
            (
                Fail,
                Who::Admin,
                "/etc/ca.pem holds no PEM certificate",
                fix.clone(),
            ),
        );
        check(
            ca_check(path, CaFile::Invalid("bad base64".into())),
            (
                Fail,
                Who::Admin,
                "/etc/ca.pem is not valid PEM",
                fix.clone(),
            ),
        );
        check(
            ca_check(path, CaFile::Unreadable("No such file".into())),
            (Fail, Who::Admin, "cannot read /etc/ca.pem", fix),
        );
    }

    #[test]
    fn credential_like_query_keys_are_found_in_any_case() {
        let keys = credential_query_keys;
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
    fn an_unwritable_folder_fails_with_the_system_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        // A folder below a plain file cannot be created.
        let c = folder("data-folder", &file.join("data"));
        assert_eq!((c.status, c.who), (CheckStatus::Fail, Who::Admin));
        assert_eq!(c.details.len(), 1, "{c:#?}");
        let ok = folder("data-folder", &dir.path().join("data"));
        assert_eq!(ok.status, CheckStatus::Pass);
    }
}
