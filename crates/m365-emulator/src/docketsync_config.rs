//! The one writer of a Docket Sync firm configuration that points at an
//! emulator: `m365-emulator --write-config`, `m365-emulator demo` and every
//! test that signs Docket Sync in against an emulator use it, so the keys
//! that aim the product at the emulator are spelled in one place.
//!
//! The emulator knows Docket Sync only as this text: it depends on no
//! product crate (ARCHITECTURE.md), and the product reads the file like any
//! firm configuration (`docket-config` validates it).

use std::path::PathBuf;

use crate::world::demo;

/// Which of the demo tenant's app registrations the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DemoApp {
    /// The public client (desktop, PKCE, any `http://localhost` port).
    #[default]
    Public,
    /// The confidential (Web) client; its secret goes to the keyring with
    /// `docketsync client-secret set`.
    Web,
}

impl DemoApp {
    /// The app's client id.
    pub fn client_id(self) -> uuid::Uuid {
        match self {
            DemoApp::Public => demo::PUBLIC_CLIENT_ID,
            DemoApp::Web => demo::WEB_CLIENT_ID,
        }
    }
}

/// A firm configuration for Docket Sync against the emulator at
/// `base_url`: `[microsoft]` (tenant, client, authority host, Graph base
/// URL, the CA of an HTTPS emulator), then `sections` as given, then
/// `[storage]` (whether tokens may go to a file).
#[derive(Debug, Clone)]
pub struct DocketsyncConfig {
    /// The emulator's base URL as clients reach it, e.g.
    /// `http://127.0.0.1:8400` (HTTPS: the `https://localhost:…` one).
    pub base_url: String,
    /// The demo tenant's id (`Shared::demo_tenant_id`).
    pub tenant_id: String,
    pub app: DemoApp,
    /// The emulator's CA certificate file (HTTPS only).
    pub extra_ca_file: Option<PathBuf>,
    /// TOML tables after `[microsoft]`: `[source]`, `[modules]`, …
    /// Default: the bundled sample firm (`[source] kind = "demo"`).
    pub sections: String,
    /// `[storage] allow_plaintext_tokens`: tokens in the secrets file when
    /// there is no keyring (and always in the demo's home).
    pub plaintext_tokens: bool,
}

impl DocketsyncConfig {
    /// The public client of the demo tenant `tenant_id` at `base_url`, the
    /// sample firm as the source, tokens in the OS keyring.
    pub fn new(base_url: impl Into<String>, tenant_id: impl ToString) -> DocketsyncConfig {
        DocketsyncConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            tenant_id: tenant_id.to_string(),
            app: DemoApp::Public,
            extra_ca_file: None,
            sections: "[source]\nkind = \"demo\"\n".into(),
            plaintext_tokens: false,
        }
    }

    /// The configuration file's text.
    pub fn toml(&self) -> String {
        let q = |s: &str| serde_json::Value::from(s).to_string();
        let base = &self.base_url;
        let client_type = match self.app {
            DemoApp::Public => "public",
            DemoApp::Web => "confidential",
        };
        let mut out = format!(
            "# A Docket Sync configuration for the Microsoft 365 emulator at {base}\n\
             # (its demo tenant). Not for a real firm.\n\
             [microsoft]\n\
             tenant = {}\n\
             client_id = {}\n\
             client_type = {}\n\
             authority_host = {}\n\
             graph_base_url = {}\n",
            q(&self.tenant_id),
            q(&self.app.client_id().to_string()),
            q(client_type),
            q(base),
            q(&format!("{base}/v1.0")),
        );
        if let Some(ca) = &self.extra_ca_file {
            out.push_str(&format!("extra_ca_file = {}\n", q(&ca.to_string_lossy())));
        }
        out.push('\n');
        out.push_str(self.sections.trim_end());
        out.push('\n');
        out.push_str(&format!(
            "\n[storage]\nallow_plaintext_tokens = {}\n",
            self.plaintext_tokens
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_both_base_urls_at_the_emulator_and_quotes_paths() {
        let mut c = DocketsyncConfig::new("https://localhost:8401/", "t-1");
        c.app = DemoApp::Web;
        c.extra_ca_file = Some(PathBuf::from("C:\\demo\\ca \"x\".pem"));
        c.plaintext_tokens = true;
        let text = c.toml();
        for line in [
            "tenant = \"t-1\"",
            &format!("client_id = \"{}\"", demo::WEB_CLIENT_ID),
            "client_type = \"confidential\"",
            "authority_host = \"https://localhost:8401\"",
            "graph_base_url = \"https://localhost:8401/v1.0\"",
            "extra_ca_file = \"C:\\\\demo\\\\ca \\\"x\\\".pem\"",
            "[source]\nkind = \"demo\"",
            "[storage]\nallow_plaintext_tokens = true",
        ] {
            assert!(text.contains(line), "{line:?} missing in:\n{text}");
        }
        let plain = DocketsyncConfig::new("http://127.0.0.1:1", "t").toml();
        assert!(plain.contains("[storage]\nallow_plaintext_tokens = false"));
        assert!(!plain.contains("extra_ca_file"));
    }
}
