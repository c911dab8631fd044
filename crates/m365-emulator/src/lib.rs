//! A Microsoft 365 emulator: the Entra ID v2 endpoints and the Microsoft
//! Graph v1.0 endpoints Docket Sync uses, served on loopback with the same
//! paths as production, so that only the authority host and the Graph base
//! URL differ. It is the stand-in for Microsoft in our tests and the demo.
//!
//! Layout:
//! - `world`: the data (tenants, apps, users, clock, grants, mailboxes);
//! - `entra`: `/{tenant}/oauth2/v2.0/*`, discovery, JWKS, AADSTS errors;
//! - `keys`: the token-signing key, JWT issue and verification;
//! - `graph`: `/v1.0/*` resources, delta, `$filter`, Graph errors, `$batch`;
//! - `throttle`, `faults`, `record`: middleware for Outlook throttling,
//!   injected faults and the request log;
//! - `admin`: `/_admin/*`, the test and demo control API;
//! - `tls`: the generated CA and server certificate for HTTPS;
//! - `docketsync_config`: the one writer of a Docket Sync configuration
//!   that points at an emulator.
//!
//! The command line (`m365-emulator`: serve, `admin …`, `demo`) is the
//! binary in `src/bin/m365-emulator/`.
//!
//! A server takes a bound listener and a shutdown future (`run`), so tests
//! pick port 0 and stop it deterministically.

pub mod admin;
pub mod docketsync_config;
pub mod entra;
pub mod faults;
pub mod graph;
pub mod keys;
pub mod pages_client;
pub mod record;
pub mod throttle;
pub mod tls;
pub mod world;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use tokio::net::TcpListener;

pub use world::World;

/// How the emulator is started.
#[derive(Debug, Clone, Default)]
pub struct EmulatorConfig {
    /// Load the world from this JSON file at start (if it exists) and write
    /// it back after every change. `None`: in memory only.
    pub state_file: Option<PathBuf>,
    /// Append every request and response as one JSON line to this file.
    pub record_file: Option<PathBuf>,
    /// Throttling limits; `None` uses Outlook's documented defaults.
    pub throttle: Option<throttle::Limits>,
    /// The demo tenant's id when the world is new; `None`: the fixed
    /// [`world::demo::TENANT_ID`]. Tests that share one OS keyring give
    /// each emulator its own tenant, so their stored tokens never collide.
    pub tenant_id: Option<uuid::Uuid>,
}

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct Shared {
    world: Arc<Mutex<World>>,
    pub keys: Arc<keys::Keys>,
    pub config: Arc<EmulatorConfig>,
    pub throttle: Arc<throttle::Throttle>,
    /// Request statistics (`GET /_admin/stats`), counted by `record::layer`.
    pub stats: Arc<record::Stats>,
    pub faults: Arc<faults::Faults>,
    pub recorder: Option<Arc<record::Recorder>>,
    /// The externally visible base URL, e.g. `http://127.0.0.1:8400`;
    /// set by `bind`. Used for issuer, endpoints and `@odata` links.
    pub base_url: Arc<Mutex<String>>,
    /// The ports this emulator's listeners are bound to (registered by
    /// `serve`, `run` and `tls::run_tls`); the admin API accepts loopback
    /// `Host` values with these ports only.
    ports: Arc<Mutex<Vec<u16>>>,
    /// Held while a snapshot is taken and written, so that snapshots reach
    /// the state file in the order they were taken (a slower, older one
    /// never overwrites a newer one).
    persisting: Arc<Mutex<()>>,
}

impl Shared {
    /// A fresh emulator with the demo tenant (or the persisted world).
    pub fn new(config: EmulatorConfig) -> std::io::Result<Shared> {
        let world = match &config.state_file {
            Some(path) if path.exists() => {
                let bytes = std::fs::read(path)?;
                serde_json::from_slice(&bytes).map_err(std::io::Error::other)?
            }
            _ => {
                let mut world = World::demo(chrono::Utc::now());
                if let Some(id) = config.tenant_id {
                    world.tenants[0].id = id;
                }
                world
            }
        };
        let recorder = match &config.record_file {
            Some(path) => Some(Arc::new(record::Recorder::create(path)?)),
            None => None,
        };
        let limits = config.throttle.clone().unwrap_or_default();
        Ok(Shared {
            world: Arc::new(Mutex::new(world)),
            keys: Arc::new(keys::Keys::generate()),
            throttle: Arc::new(throttle::Throttle::new(limits)),
            stats: Arc::new(record::Stats::default()),
            faults: Arc::new(faults::Faults::default()),
            recorder,
            config: Arc::new(config),
            base_url: Arc::new(Mutex::new(String::new())),
            ports: Arc::new(Mutex::new(Vec::new())),
            persisting: Arc::new(Mutex::new(())),
        })
    }

    /// The demo tenant's id (the first tenant of the world).
    pub fn demo_tenant_id(&self) -> uuid::Uuid {
        self.world()
            .tenants
            .first()
            .map_or(world::demo::TENANT_ID, |t| t.id)
    }

    /// Lock the world. Never hold the guard across an `.await`.
    pub fn world(&self) -> MutexGuard<'_, World> {
        // A panic in a handler must not take the emulator down for the
        // rest of a test run: recover the data.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write the world to the state file, if persistence is on: a
    /// snapshot written to a temporary file and renamed over the state
    /// file, so a reader never sees half a world. A failure is logged and
    /// the emulator carries on in memory.
    pub fn persist(&self) {
        let Some(path) = &self.config.state_file else {
            return;
        };
        let _order = self.persisting.lock().unwrap_or_else(|e| e.into_inner());
        let json = {
            let world = self.world();
            serde_json::to_vec(&*world)
        };
        let written = json.map_err(std::io::Error::other).and_then(|json| {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, json)?;
            std::fs::rename(&tmp, path)
        });
        if let Err(e) = written {
            tracing::warn!(path = %path.display(), error = %e, "could not write the state file");
        }
    }

    pub fn base_url(&self) -> String {
        self.base_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.world().clock.now()
    }
}

/// The whole emulator as one axum router: Entra, Graph and admin routes
/// with the throttling, fault and recording layers.
pub fn router(shared: Shared) -> Router {
    let graph = graph::router(shared.clone());
    Router::new()
        .merge(entra::router(shared.clone()))
        .merge(graph)
        .merge(admin::router(shared.clone()))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(shared, record::layer))
}

/// Serve plain HTTP on `listener` until `shutdown` completes, with the
/// base URL `http://<listener address>`.
pub async fn run(
    listener: TcpListener,
    shared: Shared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    shared.set_base_url(format!("http://{addr}"));
    serve(listener, shared, shutdown).await
}

/// Serve plain HTTP on `listener` until `shutdown` completes, leaving the
/// base URL as it is (e.g. the HTTPS one, when HTTP runs alongside).
pub async fn serve(
    listener: TcpListener,
    shared: Shared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    shared.listening_on(listener.local_addr()?.port());
    axum::serve(listener, router(shared))
        .with_graceful_shutdown(shutdown)
        .await
}

impl Shared {
    pub fn set_base_url(&self, url: String) {
        *self.base_url.lock().unwrap_or_else(|e| e.into_inner()) = url;
    }

    /// Note that a listener of this emulator is bound to `port`, so that
    /// the admin API accepts `Host: localhost:<port>` (and 127.0.0.1, ::1).
    pub fn listening_on(&self, port: u16) {
        let mut ports = self.ports.lock().unwrap_or_else(|e| e.into_inner());
        if !ports.contains(&port) {
            ports.push(port);
        }
    }

    /// The ports registered with [`Shared::listening_on`].
    pub fn listening_ports(&self) -> Vec<u16> {
        self.ports.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A running emulator on an OS-chosen loopback port, for tests: dropped,
/// it shuts down.
pub struct TestServer {
    pub shared: Shared,
    pub base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Start on `127.0.0.1:0` in the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let shared = Shared::new(config).expect("emulator state");
        let base_url = format!("http://{}", listener.local_addr().expect("local addr"));
        shared.set_base_url(base_url.clone());
        shared.listening_on(listener.local_addr().expect("local addr").port());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let s = shared.clone();
        tokio::spawn(async move {
            let _ = run(listener, s, async {
                let _ = rx.await;
            })
            .await;
        });
        TestServer {
            shared,
            base_url,
            shutdown: Some(tx),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Shared {
    /// Issue a Graph access token for `user` of `tenant` to app `client_id`
    /// with `scopes`, valid for `lifetime_seconds` from the emulator clock.
    /// The token endpoint uses this; tests may call it directly to reach
    /// Graph without a sign-in.
    pub fn issue_access_token(
        &self,
        tenant: &world::Tenant,
        user: &world::User,
        client_id: &str,
        scopes: &[String],
        lifetime_seconds: i64,
    ) -> (String, keys::AccessClaims) {
        let now = self.now().timestamp();
        let claims = keys::AccessClaims {
            aud: "https://graph.microsoft.com".into(),
            iss: format!("{}/{}/v2.0", self.base_url(), tenant.id),
            iat: now,
            nbf: now,
            exp: now + lifetime_seconds,
            tid: tenant.id.to_string(),
            oid: user.id.to_string(),
            upn: user.user_principal_name.clone(),
            name: user.display_name.clone(),
            appid: client_id.to_string(),
            scp: scopes
                .iter()
                .filter(|s| {
                    !matches!(
                        s.as_str(),
                        "openid" | "profile" | "offline_access" | "email"
                    )
                })
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            ver: "2.0".into(),
            uti: uuid::Uuid::new_v4().simple().to_string(),
        };
        (self.keys.sign(&claims), claims)
    }

    /// Test helper: an access token for a user (by UPN) of the demo public
    /// client with all Docket Sync scopes, valid for an hour.
    pub fn test_token(&self, upn: &str) -> String {
        let (tenant, user) = {
            let world = self.world();
            let (t, u) = world.user(upn).expect("known user");
            (t.clone(), u.clone())
        };
        let scopes: Vec<String> = world::DOCKET_SCOPES.iter().map(|s| s.to_string()).collect();
        self.issue_access_token(
            &tenant,
            &user,
            &world::demo::PUBLIC_CLIENT_ID.to_string(),
            &scopes,
            3600,
        )
        .0
    }
}
