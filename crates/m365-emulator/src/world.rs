//! The emulator's whole state: tenants, app registrations, users, the
//! Entra grant store, and every user's mailbox.
//!
//! One `World` sits behind one mutex (`crate::Shared`). Handlers lock it,
//! change it and unlock it without awaiting in between, so every request
//! sees a consistent world. The world is plain data (serde), which is what
//! makes `--state-file` persistence a snapshot and nothing more.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entra::Grants;
use crate::graph::Mailbox;

/// The emulator's clock: real time plus an offset that tests move forward
/// (`POST /_admin/clock/advance`), so that expiry of tokens, secrets and
/// inactivity can be tested without waiting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Clock {
    /// Seconds added to the real clock.
    pub offset_seconds: i64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct World {
    pub clock: Clock,
    pub tenants: Vec<Tenant>,
    /// Authorization codes, refresh tokens and browser sessions (see `entra`).
    pub grants: Grants,
    /// One mailbox per user object id (see `graph`).
    pub mailboxes: BTreeMap<Uuid, Mailbox>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Uuid,
    pub display_name: String,
    /// Verified domains, e.g. `kanzlei-demo.onmicrosoft.com`. The first is the
    /// initial domain used for user principal names.
    pub domains: Vec<String>,
    pub apps: Vec<App>,
    pub users: Vec<User>,
    /// Tenant-wide admin consent: client id → granted delegated scopes.
    #[serde(default)]
    pub admin_consents: BTreeMap<Uuid, BTreeSet<String>>,
}

/// How the app registration's redirect URIs are registered in the Azure
/// portal ("Authentication" blade). This decides how redirect URIs match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// "Mobile and desktop applications": a public client, no secret.
    PublicClient,
    /// "Web": a confidential client that proves itself with a client secret.
    Web,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct App {
    pub client_id: Uuid,
    pub display_name: String,
    pub platform: Platform,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub secrets: Vec<ClientSecret>,
    /// Delegated Graph permissions configured on the registration
    /// (`requiredResourceAccess`), e.g. `Calendars.ReadWrite`.
    pub required_scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSecret {
    pub key_id: Uuid,
    /// Only the hash is kept: as in Entra, the value is shown once, when
    /// the secret is created.
    pub value: Credential,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub user_principal_name: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub preferred_language: String,
    pub password: Credential,
    pub password_changed_at: DateTime<Utc>,
    /// Per-user consent: client id → scopes the user consented to.
    #[serde(default)]
    pub consents: BTreeMap<Uuid, BTreeSet<String>>,
    #[serde(default)]
    pub policy: UserPolicy,
}

/// A password or client secret as the directory keeps it: a SHA-256 hash,
/// so that neither `Debug` nor the persisted state file shows the value.
/// (Demo-only strength: the emulator is not a password store.)
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credential(String);

impl Credential {
    pub fn new(plain: &str) -> Credential {
        Credential(sha256_hex(plain))
    }

    /// Whether `plain` is this credential, compared in constant time.
    pub fn verify(&self, plain: &str) -> bool {
        let given = sha256_hex(plain);
        given.len() == self.0.len()
            && given
                .bytes()
                .zip(self.0.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(<hashed>)")
    }
}

fn sha256_hex(value: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Conditional-access style policies an admin can switch on for a user,
/// to make the token endpoint answer as Entra does when they apply.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserPolicy {
    /// MFA newly required: refresh fails with AADSTS50076.
    #[serde(default)]
    pub require_mfa: bool,
    /// Blocked by a conditional-access policy: AADSTS53003.
    #[serde(default)]
    pub blocked_by_conditional_access: bool,
    /// Sign-in frequency in seconds: a refresh token older than this since
    /// the last interactive sign-in fails with AADSTS70043.
    #[serde(default)]
    pub sign_in_frequency_seconds: Option<i64>,
}

impl World {
    /// A tenant by GUID or by any of its verified domains (case-insensitive).
    /// `common`/`organizations` are not resolved here: the caller decides.
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.matches(id_or_domain))
    }

    pub fn tenant_mut(&mut self, id_or_domain: &str) -> Option<&mut Tenant> {
        self.tenants.iter_mut().find(|t| t.matches(id_or_domain))
    }

    /// The tenant and user with this user principal name or object id.
    pub fn user(&self, upn_or_id: &str) -> Option<(&Tenant, &User)> {
        self.tenants
            .iter()
            .find_map(|t| t.user(upn_or_id).map(|u| (t, u)))
    }

    pub fn user_mut(&mut self, upn_or_id: &str) -> Option<&mut User> {
        self.tenants.iter_mut().find_map(|t| t.user_mut(upn_or_id))
    }

    /// The app registration with this client id, in any tenant.
    pub fn app(&self, client_id: &str) -> Option<(&Tenant, &App)> {
        let id = Uuid::parse_str(client_id).ok()?;
        self.tenants
            .iter()
            .find_map(|t| t.apps.iter().find(|a| a.client_id == id).map(|a| (t, a)))
    }

    pub fn app_mut(&mut self, client_id: &str) -> Option<&mut App> {
        let id = Uuid::parse_str(client_id).ok()?;
        self.tenants
            .iter_mut()
            .find_map(|t| t.apps.iter_mut().find(|a| a.client_id == id))
    }

    pub fn mailbox_mut(&mut self, user_id: Uuid) -> &mut Mailbox {
        self.mailboxes.entry(user_id).or_default()
    }
}

impl Tenant {
    pub fn matches(&self, id_or_domain: &str) -> bool {
        Uuid::parse_str(id_or_domain).is_ok_and(|id| id == self.id)
            || self
                .domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(id_or_domain))
    }

    pub fn user(&self, upn_or_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.matches(upn_or_id))
    }

    pub fn user_mut(&mut self, upn_or_id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.matches(upn_or_id))
    }
}

impl User {
    pub fn matches(&self, upn_or_id: &str) -> bool {
        self.user_principal_name.eq_ignore_ascii_case(upn_or_id)
            || Uuid::parse_str(upn_or_id).is_ok_and(|id| id == self.id)
    }
}

/// The delegated scopes Docket Sync asks for. The demo app has them all
/// configured and the demo users have consented to none yet: the consent
/// page appears on first sign-in, as it does for a real new app.
pub const DOCKET_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "offline_access",
    "User.Read",
    "Calendars.ReadWrite",
    "Tasks.ReadWrite",
    "Contacts.ReadWrite",
];

/// Fixed identities of the demo tenant, so that a demo config written once
/// keeps working across emulator restarts.
pub mod demo {
    use uuid::{uuid, Uuid};

    pub const TENANT_ID: Uuid = uuid!("5b1c1e0a-6d2f-4c3e-9a57-0d0c5e7a1f01");
    pub const TENANT_DOMAIN: &str = "kanzlei-demo.onmicrosoft.com";
    /// Public client ("Mobile and desktop applications").
    pub const PUBLIC_CLIENT_ID: Uuid = uuid!("0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01");
    /// Confidential client ("Web" platform) with a client secret.
    pub const WEB_CLIENT_ID: Uuid = uuid!("0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b02");
    pub const WEB_REDIRECT_URI: &str = "http://localhost:50993/authorize/";
    /// Demo users: (user principal name, display name, given, surname, language, password).
    pub const USERS: &[(&str, &str, &str, &str, &str, &str)] = &[
        (
            "anna.berger@kanzlei-demo.onmicrosoft.com",
            "Anna Berger",
            "Anna",
            "Berger",
            "de-DE",
            "Demo-Anna-2026!",
        ),
        (
            "james.wright@kanzlei-demo.onmicrosoft.com",
            "James Wright",
            "James",
            "Wright",
            "en-GB",
            "Demo-James-2026!",
        ),
    ];
    /// The demo Web app's client secret. Only valid against the emulator.
    pub const WEB_CLIENT_SECRET: &str = "demo-web-secret-only-valid-on-the-emulator";
}

impl World {
    /// The bundled demo tenant: one public and one confidential Docket Sync
    /// app registration and two fee-earners.
    pub fn demo(now: DateTime<Utc>) -> World {
        let scopes: Vec<String> = DOCKET_SCOPES.iter().map(|s| s.to_string()).collect();
        let users = demo::USERS
            .iter()
            .enumerate()
            .map(|(i, (upn, name, given, sur, lang, pw))| User {
                id: Uuid::from_u128(0x7a1f_0000_0000_4000_8000_0000_0000_0001 + i as u128),
                user_principal_name: upn.to_string(),
                display_name: name.to_string(),
                given_name: given.to_string(),
                surname: sur.to_string(),
                preferred_language: lang.to_string(),
                password: Credential::new(pw),
                password_changed_at: now,
                consents: BTreeMap::new(),
                policy: UserPolicy::default(),
            })
            .collect();
        let tenant = Tenant {
            id: demo::TENANT_ID,
            display_name: "Kanzlei Demo (emulated)".into(),
            domains: vec![demo::TENANT_DOMAIN.into()],
            apps: vec![
                App {
                    client_id: demo::PUBLIC_CLIENT_ID,
                    display_name: "Docket Sync".into(),
                    platform: Platform::PublicClient,
                    redirect_uris: vec!["http://localhost".into(), "http://127.0.0.1".into()],
                    secrets: vec![],
                    required_scopes: scopes.clone(),
                },
                App {
                    client_id: demo::WEB_CLIENT_ID,
                    display_name: "Docket Sync (Web platform)".into(),
                    platform: Platform::Web,
                    redirect_uris: vec![demo::WEB_REDIRECT_URI.into()],
                    secrets: vec![ClientSecret {
                        key_id: Uuid::from_u128(0x5ec2_e700_0000_4000_8000_0000_0000_0001),
                        value: Credential::new(demo::WEB_CLIENT_SECRET),
                        expires_at: now + Duration::days(180),
                    }],
                    required_scopes: scopes,
                },
            ],
            users,
            admin_consents: BTreeMap::new(),
        };
        World {
            tenants: vec![tenant],
            ..World::default()
        }
    }
}
