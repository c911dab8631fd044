//! Microsoft's sign-in service (the authority): does its OpenID discovery
//! document answer, through this network and with this CA file? What the
//! GET gave is classified from reqwest's error kinds and the rustls
//! certificate error in the error's source chain, and from Entra's error
//! codes in the body; [`decide`] is pure.

use std::time::Duration;

use docket_config::Config;
use docket_text::{Action, Message};

use super::Check;
use crate::HttpSetup;

/// How long the authority may take to answer.
const TIMEOUT: Duration = Duration::from_secs(5);

const ID: &str = "authority";

/// Entra's "tenant not found" (AADSTS90002).
const TENANT_NOT_FOUND: u32 = 90002;

/// What one GET of the discovery document gave.
#[derive(Debug)]
enum Fetched {
    Response {
        status: u16,
        body: String,
    },
    Timeout,
    /// TLS refused the server's certificate (not trusted, wrong host name
    /// …), as [`docket_http::is_certificate_error`] tells. The text is the
    /// whole chain.
    Tls(String),
    /// Name resolution or TCP connection failed.
    Connect(String),
    Other(String),
    /// No client could be built (the extra CA file): why, as data.
    NoClient(HttpSetup),
}

pub(super) async fn check(config: &Config) -> Check {
    let url = config.microsoft.discovery_url();
    let fetched = fetch(config, &url).await;
    decide(&url, &fetched)
}

async fn fetch(config: &Config, url: &str) -> Fetched {
    let extra_ca = match &config.microsoft.extra_ca_file {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem),
            Err(e) => return Fetched::NoClient(HttpSetup::unreadable(path, &e)),
        },
        None => None,
    };
    let client = match docket_auth::http::client(extra_ca.as_deref()) {
        Ok(c) => c,
        Err(e) => return Fetched::NoClient(e.into()),
    };
    match client.get(url).timeout(TIMEOUT).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            match resp.text().await {
                Ok(body) => Fetched::Response { status, body },
                Err(e) => classify(&e),
            }
        }
        Err(e) => classify(&e),
    }
}

/// What kind of failure a reqwest error is: by its kind and by the error
/// types in its source chain, never by its text.
fn classify(e: &reqwest::Error) -> Fetched {
    let chain = error_chain(e);
    if e.is_timeout() {
        Fetched::Timeout
    } else if docket_http::is_certificate_error(e) {
        Fetched::Tls(chain)
    } else if e.is_connect() {
        Fetched::Connect(chain)
    } else {
        Fetched::Other(chain)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Entra's error body, as far as the check reads it.
#[derive(Debug, Default, serde::Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
}

/// Decide the check from what the GET of `url` gave.
fn decide(url: &str, fetched: &Fetched) -> Check {
    let msg = |id: &str| Message::new(id).text("url", url);
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
                (Some(issuer), Some(_), Some(_)) => {
                    Check::pass(ID, msg("doctor-authority-ok").text("issuer", issuer))
                }
                _ => Check::fail(ID, msg("doctor-authority-not-openid"), Action::CheckNetwork),
            }
        }
        Fetched::Response { status, body } => {
            let entra: ErrorBody = serde_json::from_str(body).unwrap_or_default();
            let with_status = |id: &str| msg(id).number("status", *status);
            let check = if entra.error_codes.contains(&TENANT_NOT_FOUND) || *status == 404 {
                Check::fail(
                    ID,
                    with_status("doctor-authority-tenant-unknown"),
                    Action::EditConfig {
                        key: "microsoft.tenant".into(),
                    },
                )
            } else if *status >= 500 {
                Check::fail(
                    ID,
                    with_status("doctor-authority-unavailable"),
                    Action::Wait,
                )
            } else {
                Check::fail(
                    ID,
                    with_status("doctor-authority-refused"),
                    Action::CheckNetwork,
                )
            };
            match entra
                .error_description
                .as_deref()
                .and_then(|d| d.lines().next())
            {
                Some(line) => check.detail_text(line),
                None => check,
            }
        }
        Fetched::Timeout => Check::fail(
            ID,
            msg("doctor-authority-timeout").number("seconds", TIMEOUT.as_secs()),
            Action::CheckNetwork,
        ),
        Fetched::Tls(e) => Check::fail(
            ID,
            msg("doctor-authority-untrusted"),
            Action::EditConfig {
                key: "microsoft.extra_ca_file".into(),
            },
        )
        .detail_text(e),
        Fetched::Connect(e) => Check::fail(
            ID,
            msg("doctor-authority-unreachable"),
            Action::CheckNetwork,
        )
        .detail_text(e),
        Fetched::Other(e) => {
            Check::fail(ID, msg("doctor-authority-failed"), Action::CheckNetwork).detail_text(e)
        }
        Fetched::NoClient(e) => Check::fail(
            ID,
            Message::new("doctor-authority-no-client"),
            Action::EditConfig {
                key: "microsoft.extra_ca_file".into(),
            },
        )
        .detail(e.message()),
    }
}

/// One check of each kind this file makes (for the catalogue test).
#[cfg(test)]
pub(super) fn samples() -> Vec<Check> {
    let response = |status: u16, body: &str| Fetched::Response {
        status,
        body: body.into(),
    };
    [
        response(
            200,
            r#"{"issuer":"i","authorization_endpoint":"a","token_endpoint":"t"}"#,
        ),
        response(200, ""),
        response(404, ""),
        response(503, ""),
        response(400, ""),
        Fetched::Timeout,
        Fetched::Tls("x".into()),
        Fetched::Connect("x".into()),
        Fetched::Other("x".into()),
        Fetched::NoClient(HttpSetup::CaFileNotPem { detail: "x".into() }),
        Fetched::NoClient(HttpSetup::CaFileUnreadable {
            file: "ca.pem".into(),
            detail: "x".into(),
        }),
        Fetched::NoClient(HttpSetup::Client { detail: "x".into() }),
    ]
    .iter()
    .map(|f| decide("https://login.example", f))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::CheckStatus;
    use docket_text::{Lang, Texts, Who};

    const URL: &str = "https://login.example/contoso/v2.0/.well-known/openid-configuration";

    /// (status, who, English headline, action).
    fn check(fetched: Fetched, expect: (CheckStatus, Who, &str, Option<Action>)) {
        let c = decide(URL, &fetched);
        let texts = Texts::new(Lang::En);
        assert_eq!(
            (c.status, c.who, texts.render(&c.message), c.action.clone()),
            (expect.0, expect.1, expect.2.replace("URL", URL), expect.3),
            "{c:#?}"
        );
    }

    fn response(status: u16, body: &str) -> Fetched {
        Fetched::Response {
            status,
            body: body.into(),
        }
    }

    fn edit(key: &str) -> Option<Action> {
        Some(Action::EditConfig { key: key.into() })
    }

    /// A certificate file that cannot be used is explained in the
    /// reader's language, not in the HTTP library's English.
    #[test]
    fn an_unusable_certificate_file_is_explained_in_the_readers_language() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let c = decide(
            URL,
            &Fetched::NoClient(HttpSetup::unreadable(
                std::path::Path::new("/etc/ca.pem"),
                &io,
            )),
        );
        assert_eq!(c.action, edit("microsoft.extra_ca_file"));
        let detail = &c.details[0].message;
        let de = Texts::new(Lang::De).render(detail);
        assert!(
            de.starts_with("Die in microsoft.extra_ca_file genannte Datei /etc/ca.pem"),
            "{de}"
        );
        let en = Texts::new(Lang::En).render(detail);
        assert!(
            en.starts_with(
                "The file named in microsoft.extra_ca_file, /etc/ca.pem, cannot be read"
            ),
            "{en}"
        );
    }

    #[test]
    fn discovery_outcomes() {
        use CheckStatus::*;
        let network = Some(Action::CheckNetwork);
        check(
            response(
                200,
                r#"{"issuer":"https://login.example/t/v2.0","authorization_endpoint":"a","token_endpoint":"t"}"#,
            ),
            (
                Pass,
                Who::Nobody,
                "URL answered (issuer https://login.example/t/v2.0)",
                None,
            ),
        );
        check(
            response(200, "<html>Welcome to the hotel Wi-Fi</html>"),
            (
                Fail,
                Who::User,
                "URL answered, but not with an OpenID configuration",
                network.clone(),
            ),
        );
        // The tenant: from Entra's error code, not from the description.
        check(
            response(
                400,
                r#"{"error":"invalid_tenant","error_description":"Tenant 'x' not found.\r\nTrace ID: 1","error_codes":[90002]}"#,
            ),
            (
                Fail,
                Who::Admin,
                "URL answered HTTP 400: the tenant was not found",
                edit("microsoft.tenant"),
            ),
        );
        // A description that merely names the code is not the code.
        check(
            response(
                400,
                r#"{"error":"invalid_request","error_description":"AADSTS90002 x"}"#,
            ),
            (Fail, Who::User, "URL answered HTTP 400", network.clone()),
        );
        check(
            response(404, ""),
            (
                Fail,
                Who::Admin,
                "URL answered HTTP 404: the tenant was not found",
                edit("microsoft.tenant"),
            ),
        );
        check(
            response(503, ""),
            (
                Fail,
                Who::Nobody,
                "URL answered HTTP 503: the sign-in service has a problem",
                Some(Action::Wait),
            ),
        );
        check(
            Fetched::Timeout,
            (
                Fail,
                Who::User,
                "URL did not answer within 5 s",
                network.clone(),
            ),
        );
        check(
            Fetched::Tls("invalid peer certificate: UnknownIssuer".into()),
            (
                Fail,
                Who::Admin,
                "URL: the server's certificate is not trusted",
                edit("microsoft.extra_ca_file"),
            ),
        );
        check(
            Fetched::Connect("Connection refused".into()),
            (Fail, Who::User, "cannot connect to URL", network.clone()),
        );
        check(
            Fetched::Other("body ended early".into()),
            (Fail, Who::User, "URL could not be asked", network),
        );
    }

    #[test]
    fn the_entra_description_is_a_detail_line() {
        let c = decide(
            URL,
            &response(
                400,
                r#"{"error_description":"AADSTS90002: Tenant 'x' not found.\r\nTrace ID: 1","error_codes":[90002]}"#,
            ),
        );
        let texts = Texts::new(Lang::En);
        let lines: Vec<String> = c.details.iter().map(|d| texts.render(&d.message)).collect();
        assert_eq!(lines, ["AADSTS90002: Tenant 'x' not found."]);
    }

    /// A refused connection is classified by reqwest's kind.
    #[tokio::test]
    async fn a_refused_connection_is_a_connect_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = docket_auth::http::client(None).unwrap();
        let e = client
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(classify(&e), Fetched::Connect(_)), "{e:?}");
    }

    /// A server whose certificate this client does not trust: the rustls
    /// error is found in the chain, whatever the words say; the same
    /// server with its CA trusted answers.
    #[tokio::test]
    async fn an_untrusted_certificate_is_a_tls_failure() {
        use m365_emulator::tls::{run_tls, TlsMaterial};
        let tls = TlsMaterial::generate().expect("TLS material");
        let ca = tls.ca_pem.clone();
        let shared =
            m365_emulator::Shared::new(m365_emulator::EmulatorConfig::default()).expect("emulator");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = run_tls(listener, shared, &tls, async {
                let _ = stopped.await;
            })
            .await;
        });
        let url = format!("https://localhost:{port}/common/v2.0/.well-known/openid-configuration");
        let untrusting = docket_auth::http::client(None).unwrap();
        let e = untrusting.get(&url).send().await.unwrap_err();
        assert!(matches!(classify(&e), Fetched::Tls(_)), "{e:?}");
        let trusting = docket_auth::http::client(Some(ca.as_bytes())).unwrap();
        let answer = trusting.get(&url).send().await.expect("trusted");
        assert_eq!(answer.status(), 200);
        drop(stop);
    }
}
