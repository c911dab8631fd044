//! `[microsoft]`: the firm's tenant, the app registration, the endpoints
//! and the sign-in's redirect.

use chrono::NaiveDate;
use toml::Value;
use uuid::Uuid;

use super::reader::Reader;
use crate::reason::Kind;
use crate::{
    ClientType, Microsoft, Tenant, DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_BASE_URL, DEFAULT_SCOPES,
};

fn read_tenant(r: &mut Reader<'_>) -> Option<Tenant> {
    let example = "\"contoso.onmicrosoft.com\"";
    let Some(text) = r.string("microsoft", "tenant", example) else {
        if r.value("microsoft", "tenant").is_none() {
            r.missing("microsoft", "tenant", example);
        }
        return None;
    };
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "common" | "organizations" | "consumers") {
        r.bad(
            "microsoft",
            "tenant",
            Kind::TenantMulti.message().text("value", text),
        );
        return None;
    }
    if let Some(id) = parse_guid(&text) {
        return Some(Tenant::Id(id));
    }
    if is_domain(&lower) {
        return Some(Tenant::Domain(lower));
    }
    r.bad(
        "microsoft",
        "tenant",
        Kind::TenantInvalid.message().text("value", text),
    );
    None
}

/// A GUID in its usual 8-4-4-4-12 form.
fn parse_guid(text: &str) -> Option<Uuid> {
    if text.len() != 36 {
        return None;
    }
    Uuid::try_parse(text).ok()
}

fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

pub(super) fn read_microsoft(r: &mut Reader<'_>) -> Microsoft {
    let tenant = read_tenant(r);
    let client_id_example = "\"00000000-0000-0000-0000-000000000000\"";
    let client_id = match r.string("microsoft", "client_id", client_id_example) {
        Some(text) => match parse_guid(&text) {
            Some(id) => Some(id),
            None => {
                r.bad(
                    "microsoft",
                    "client_id",
                    Kind::ClientId.message().text("value", text),
                );
                None
            }
        },
        None => {
            if r.value("microsoft", "client_id").is_none() {
                r.missing("microsoft", "client_id", client_id_example);
            }
            None
        }
    };

    let authority_host = match r.web_url("microsoft", "authority_host", DEFAULT_AUTHORITY_HOST) {
        None => DEFAULT_AUTHORITY_HOST.to_string(),
        Some(url) => {
            if (url.path() != "/" && !url.path().is_empty())
                || url.query().is_some()
                || url.fragment().is_some()
            {
                r.bad(
                    "microsoft",
                    "authority_host",
                    Kind::AuthorityPath.message().text("value", url.to_string()),
                );
            }
            url.origin().ascii_serialization()
        }
    };
    let graph_base_url = match r.web_url("microsoft", "graph_base_url", DEFAULT_GRAPH_BASE_URL) {
        None => DEFAULT_GRAPH_BASE_URL.to_string(),
        Some(url) => {
            if url.query().is_some() || url.fragment().is_some() {
                r.bad(
                    "microsoft",
                    "graph_base_url",
                    Kind::GraphQuery
                        .message()
                        .text("example", DEFAULT_GRAPH_BASE_URL),
                );
            }
            url.as_str().trim_end_matches('/').to_string()
        }
    };

    let client_type = match r.choice(
        "microsoft",
        "client_type",
        &["public", "confidential"],
        Some("public"),
    ) {
        Some("confidential") => ClientType::Confidential,
        _ => ClientType::Public,
    };
    let client_secret_expires = match r.value("microsoft", "client_secret_expires").cloned() {
        None => None,
        Some(v) => {
            let text = match &v {
                Value::Datetime(d) => Some(d.to_string()),
                Value::String(s) => Some(s.trim().to_string()),
                _ => None,
            };
            match text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()) {
                Some(d) => Some(d),
                None => {
                    r.bad(
                        "microsoft",
                        "client_secret_expires",
                        Kind::SecretExpiresDate.message(),
                    );
                    None
                }
            }
        }
    };
    if client_type == ClientType::Public && client_secret_expires.is_some() {
        r.bad(
            "microsoft",
            "client_secret_expires",
            Kind::SecretExpiresPublic.message(),
        );
    }

    let port_set = r.value("microsoft", "redirect_port").is_some();
    let path_set = r.value("microsoft", "redirect_path").is_some();
    let redirect_port = match r.value("microsoft", "redirect_port") {
        None => 0,
        Some(Value::Integer(0)) => 0,
        Some(Value::Integer(p)) if (1024..=65535).contains(p) => *p as u16,
        Some(Value::Integer(p)) => {
            let p = *p;
            r.bad(
                "microsoft",
                "redirect_port",
                Kind::RedirectPort.message().text("value", p.to_string()),
            );
            0
        }
        Some(_) => {
            r.wrong_type("microsoft", "redirect_port", "config-want-integer", "0");
            0
        }
    };
    let redirect_path = match r.string("microsoft", "redirect_path", "\"/\"") {
        None => "/".to_string(),
        Some(p) if p.starts_with('/') && !p.contains(['?', '#', ' ']) => p,
        Some(p) => {
            r.bad(
                "microsoft",
                "redirect_path",
                Kind::RedirectPath.message().text("value", p),
            );
            "/".to_string()
        }
    };
    let redirect_uri = read_redirect_uri(r);
    if redirect_uri.is_some() && (port_set || path_set) {
        r.bad("microsoft", "redirect_uri", Kind::RedirectUriBoth.message());
    }

    let extra_ca_file = r.existing_file("microsoft", "extra_ca_file", "firm-ca.pem");

    let scopes = match r.value("microsoft", "scopes").cloned() {
        None => DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
        Some(Value::Array(items)) => {
            let scopes: Option<Vec<String>> = items
                .iter()
                .map(|v| match v {
                    Value::String(s) if !s.trim().is_empty() && !s.trim().contains(' ') => {
                        Some(s.trim().to_string())
                    }
                    _ => None,
                })
                .collect();
            match scopes {
                None => {
                    r.bad("microsoft", "scopes", Kind::ScopesWords.message());
                    vec![]
                }
                Some(s) if !s.iter().any(|s| s == "offline_access") => {
                    r.bad("microsoft", "scopes", Kind::ScopesOffline.message());
                    s
                }
                Some(s) => s,
            }
        }
        Some(_) => {
            r.wrong_type(
                "microsoft",
                "scopes",
                "config-want-scopes",
                "[\"offline_access\", \"User.Read\", \"Calendars.ReadWrite\"]",
            );
            vec![]
        }
    };

    Microsoft {
        tenant: tenant.unwrap_or(Tenant::Domain(String::new())),
        client_id: client_id.unwrap_or_default(),
        authority_host,
        graph_base_url,
        client_type,
        client_secret_expires,
        redirect_port,
        redirect_path,
        redirect_uri,
        extra_ca_file,
        scopes,
    }
}

fn read_redirect_uri(r: &mut Reader<'_>) -> Option<String> {
    let text = r.string("microsoft", "redirect_uri", "\"http://localhost:50993/\"")?;
    let url = match url::Url::parse(&text) {
        Ok(u) => u,
        Err(e) => {
            r.bad(
                "microsoft",
                "redirect_uri",
                Kind::RedirectUriNotUrl
                    .message()
                    .text("value", text)
                    .text("detail", e.to_string()),
            );
            return None;
        }
    };
    let host_ok = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        _ => false,
    };
    if url.scheme() != "http" || !host_ok || url.fragment().is_some() {
        r.bad(
            "microsoft",
            "redirect_uri",
            Kind::RedirectUriNotLoopback.message().text("value", text),
        );
        return None;
    }
    Some(url.to_string())
}
