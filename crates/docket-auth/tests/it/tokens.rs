//! The token manager and the sign-in's store writes against a small fake
//! token endpoint (real HTTP over a socket; answers chosen per test), so
//! that the number of token requests and what lands in the store can be
//! counted exactly.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use docket_auth::problem::Class;
use docket_auth::tokens::RefreshError;
use docket_auth::{Account, Auth, AuthConfig, Endpoints, PendingSignIn, SignInError, TokenManager};
use docket_secrets::{MemoryStore, SecretStore, SecretString};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLIENT_ID: &str = "0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01";

/// What the fake token endpoint answers and counts.
#[derive(Default)]
struct Behaviour {
    /// The raw JSON of `expires_in` in every answer (default 3600).
    expires_in: Option<String>,
    /// Padding added to every answer (for the size cap).
    pad_bytes: usize,
    /// The id_token's claims for code redemption.
    id_claims: Option<serde_json::Value>,
}

#[derive(Clone, Default)]
struct Fake {
    refreshes: Arc<AtomicUsize>,
    redemptions: Arc<AtomicUsize>,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl Fake {
    async fn start() -> (Fake, String) {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = Fake::default();
        let f = fake.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                tokio::spawn(f.clone().serve(s));
            }
        });
        (fake, base)
    }

    async fn serve(self, mut s: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let body = loop {
            let n = s.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                break buf[end + 4..end + 4 + len].to_vec();
            }
        };
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let (expires_in, pad, claims) = {
            let b = self.behaviour.lock().expect("lock");
            (
                b.expires_in.clone().unwrap_or_else(|| "3600".into()),
                "x".repeat(b.pad_bytes),
                b.id_claims.clone(),
            )
        };
        let answer = match form.get("grant_type").map(String::as_str) {
            Some("refresh_token") => {
                let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
                // Long enough for concurrent callers to overlap.
                tokio::time::sleep(Duration::from_millis(100)).await;
                format!(
                    r#"{{"access_token":"at-{n}","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"rt-{n}","pad":"{pad}"}}"#
                )
            }
            Some("authorization_code") => {
                self.redemptions.fetch_add(1, Ordering::SeqCst);
                let enc = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
                let claims = claims.expect("id claims set");
                let id_token = format!(
                    "{}.{}.sig",
                    enc(br#"{"alg":"RS256","typ":"JWT"}"#),
                    enc(claims.to_string().as_bytes())
                );
                format!(
                    r#"{{"access_token":"at-signin","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"rt-signin","id_token":"{id_token}"}}"#
                )
            }
            other => panic!("unexpected grant {other:?}"),
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
        let _ = s.write_all(response.as_bytes()).await;
        let _ = s.shutdown().await;
    }
}

fn anna(username: &str) -> Account {
    Account {
        object_id: "oid-anna".into(),
        tenant_id: "tid-kanzlei".into(),
        username: username.into(),
        name: Some("Anna Berger".into()),
    }
}

fn auth(base: &str, store: Arc<MemoryStore>) -> Auth {
    let mut cfg = AuthConfig::new(
        base,
        "kanzlei-demo.onmicrosoft.com",
        CLIENT_ID,
        &["openid", "profile", "offline_access", "Calendars.ReadWrite"],
    );
    cfg.endpoints = Some(Endpoints {
        authorize: format!("{base}/authorize"),
        token: format!("{base}/token"),
    });
    cfg.sign_in_timeout = Duration::from_secs(30);
    Auth::new(
        cfg,
        docket_auth::http::client(None).expect("http"),
        store as Arc<dyn SecretStore>,
    )
}

fn stored(store: &MemoryStore, auth: &Auth, account: &Account) -> Option<String> {
    store
        .get(&auth.config.refresh_token_key(account))
        .expect("get")
        .map(|s| s.expose_secret().to_string())
}

/// `account`'s refresh token `token`, as a sign-in would have stored it.
fn store_refresh_token(store: &MemoryStore, auth: &Auth, account: &Account, token: &str) {
    store
        .set(
            &auth.config.refresh_token_key(account),
            &SecretString::new(token),
        )
        .expect("set");
}

#[tokio::test]
async fn concurrent_401s_for_one_token_cause_exactly_one_refresh() {
    let (fake, base) = Fake::start().await;
    let store = Arc::new(MemoryStore::new());
    let auth = auth(&base, store.clone());
    let account = anna("anna@kanzlei.example");
    store_refresh_token(&store, &auth, &account, "rt-0");
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = Arc::new(TokenManager::new(
        auth.clone(),
        account.clone(),
        dir.path().join("token.lock"),
    ));
    let first = tokens.access_token().await.expect("first token");
    assert_eq!(fake.refreshes.load(Ordering::SeqCst), 1);
    // Graph refuses that token on eight requests in flight.
    let rejected = first.expose_secret().to_string();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let tokens = tokens.clone();
            let rejected = rejected.clone();
            tokio::spawn(async move { tokens.force_refresh(&rejected).await })
        })
        .collect();
    for c in calls {
        let t = c.await.expect("join").expect("refreshed");
        assert_eq!(t.expose_secret(), "at-2");
    }
    // A 401 for the same token that arrives after the refresh.
    let late = tokens.force_refresh(&rejected).await.expect("late");
    assert_eq!(late.expose_secret(), "at-2");
    assert_eq!(
        fake.refreshes.load(Ordering::SeqCst),
        2,
        "one refresh per rejected token, not one per 401"
    );
    assert_eq!(stored(&store, &auth, &account).as_deref(), Some("rt-2"));
    // A 401 for the new token refreshes again, once.
    let next = tokens.force_refresh("at-2").await.expect("next");
    assert_eq!(next.expose_secret(), "at-3");
    assert_eq!(fake.refreshes.load(Ordering::SeqCst), 3);
}

/// On the caller's clock (the background loop's, moved by a harness):
/// a refresh is stamped with its time, and a cached token is judged
/// expired by it, so that the loop's daily keep-alive and the 90-day
/// inactivity limit compare times of one clock.
#[tokio::test]
async fn the_manager_keeps_time_on_the_callers_clock() {
    let (fake, base) = Fake::start().await;
    let store = Arc::new(MemoryStore::new());
    let auth = auth(&base, store.clone());
    let account = anna("anna@kanzlei.example");
    store_refresh_token(&store, &auth, &account, "rt-0");
    let dir = tempfile::tempdir().expect("tempdir");
    let day_40: chrono::DateTime<chrono::Utc> = "2027-01-11T09:00:00Z".parse().expect("time");
    let now = Arc::new(Mutex::new(day_40));
    let clock = now.clone();
    let tokens = TokenManager::new(auth, account, dir.path().join("token.lock"))
        .with_clock(Arc::new(move || *clock.lock().expect("clock")));
    let refreshed = tokens.refresh().await.expect("refresh");
    assert_eq!(refreshed.at, day_40);
    assert_eq!(tokens.last_good_refresh(), Some(day_40));
    // Within the hour the cached token serves; two hours on (by that
    // clock, not the wall's) it is refreshed.
    *now.lock().expect("clock") = day_40 + chrono::Duration::minutes(30);
    assert_eq!(
        tokens.access_token().await.expect("token").expose_secret(),
        "at-1"
    );
    *now.lock().expect("clock") = day_40 + chrono::Duration::hours(2);
    assert_eq!(
        tokens.access_token().await.expect("token").expose_secret(),
        "at-2"
    );
    assert_eq!(fake.refreshes.load(Ordering::SeqCst), 2);
    assert_eq!(
        tokens.last_good_refresh(),
        Some(day_40 + chrono::Duration::hours(2))
    );
}

#[tokio::test]
async fn absurd_expires_in_values_do_not_panic_or_fail_the_refresh() {
    for expires_in in [
        "9223372036854775807",
        "18446744073709551615",
        "1e20",
        "-1",
        "\"soon\"",
    ] {
        let (fake, base) = Fake::start().await;
        fake.behaviour.lock().expect("lock").expires_in = Some(expires_in.into());
        let store = Arc::new(MemoryStore::new());
        let auth = auth(&base, store.clone());
        let account = anna("anna@kanzlei.example");
        store_refresh_token(&store, &auth, &account, "rt-0");
        let dir = tempfile::tempdir().expect("tempdir");
        let tokens = TokenManager::new(auth, account, dir.path().join("token.lock"));
        let before = chrono::Utc::now();
        let r = tokens.refresh().await;
        let r = r.unwrap_or_else(|e| panic!("expires_in {expires_in}: {e}"));
        let expires = r.access_token.expires_at();
        assert!(
            expires >= before
                && expires <= before + chrono::Duration::days(1) + chrono::Duration::minutes(1),
            "expires_in {expires_in}: {expires}"
        );
    }
}

#[tokio::test]
async fn an_oversized_token_response_is_refused_as_transient() {
    let (fake, base) = Fake::start().await;
    fake.behaviour.lock().expect("lock").pad_bytes = 2 * 1024 * 1024;
    let store = Arc::new(MemoryStore::new());
    let auth = auth(&base, store.clone());
    let account = anna("anna@kanzlei.example");
    store_refresh_token(&store, &auth, &account, "rt-0");
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = TokenManager::new(auth.clone(), account.clone(), dir.path().join("token.lock"));
    let err = tokens.refresh().await.expect_err("a 2 MiB answer");
    let Some(p) = err.problem() else {
        panic!("expected a classified problem, got {err:?}")
    };
    assert!(matches!(p.class(), Class::Transient(_)), "{p:?}");
    assert!(!p.needs_sign_in());
    // The stored refresh token is kept (nothing was rotated).
    assert_eq!(stored(&store, &auth, &account).as_deref(), Some("rt-0"));
}

/// One sign-in: the "browser" signs in as `upn` (same object id) and is
/// redirected back with a code.
async fn sign_in(
    fake: &Fake,
    auth: &Auth,
    reauth: Option<&Account>,
    lock: &std::path::Path,
    upn: &str,
) -> Result<docket_auth::SignedIn, SignInError> {
    let pending = PendingSignIn::start(auth, reauth, lock).expect("start");
    let url = url::Url::parse(pending.url()).expect("url");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    fake.behaviour.lock().expect("lock").id_claims = Some(json!({
        "aud": CLIENT_ID, "nonce": q["nonce"], "oid": "oid-anna", "tid": "tid-kanzlei",
        "preferred_username": upn, "name": "Anna Berger"
    }));
    let redirect = url::Url::parse(&q["redirect_uri"]).expect("redirect");
    let port = redirect.port().expect("port");
    let state = q["state"].clone();
    let finish = tokio::spawn(pending.finish(std::future::pending()));
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        write!(
            s,
            "GET /?code=the-code&state={state} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
    })
    .await
    .expect("browser");
    finish.await.expect("join")
}

#[tokio::test]
async fn after_a_upn_rename_the_old_names_refresh_token_is_removed() {
    let (fake, base) = Fake::start().await;
    let store = Arc::new(MemoryStore::new());
    let auth = auth(&base, store.clone());
    let old = anna("anna.berger@kanzlei.example");
    store_refresh_token(&store, &auth, &old, "rt-old-still-valid");
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = dir.path().join("token.lock");
    let signed_in = sign_in(
        &fake,
        &auth,
        Some(&old),
        &lock,
        "anna.schmidt@kanzlei.example",
    )
    .await
    .expect("re-authentication");
    assert_eq!(signed_in.account.username, "anna.schmidt@kanzlei.example");
    assert_eq!(
        stored(&store, &auth, &signed_in.account).as_deref(),
        Some("rt-signin")
    );
    assert_eq!(
        stored(&store, &auth, &old),
        None,
        "the old name's refresh token stayed in the keyring"
    );
    // A re-authentication under the same name keeps its (new) entry.
    let again = sign_in(
        &fake,
        &auth,
        Some(&signed_in.account),
        &lock,
        "anna.schmidt@kanzlei.example",
    )
    .await
    .expect("again");
    assert_eq!(
        stored(&store, &auth, &again.account).as_deref(),
        Some("rt-signin")
    );
}

#[tokio::test]
async fn the_sign_in_stores_its_token_only_under_the_cross_process_lock() {
    let (fake, base) = Fake::start().await;
    let store = Arc::new(MemoryStore::new());
    let mut auth = auth(&base, store.clone());
    Arc::make_mut(&mut auth.config).lock_timeout = Duration::from_millis(300);
    let account = anna("anna@kanzlei.example");
    store_refresh_token(&store, &auth, &account, "rt-before");
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = dir.path().join("token.lock");
    // Another process is refreshing: it holds the token lock.
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .expect("lock file");
    fs4::FileExt::try_lock(&held).expect("hold the lock");
    let r = sign_in(&fake, &auth, Some(&account), &lock, "anna@kanzlei.example").await;
    assert!(
        matches!(
            r,
            Err(SignInError::TokenLock(RefreshError::LockTimeout { .. }))
        ),
        "{r:?}"
    );
    assert_eq!(
        stored(&store, &auth, &account).as_deref(),
        Some("rt-before"),
        "the sign-in wrote the token while another process held the lock"
    );
    // Released: the sign-in goes through.
    drop(held);
    sign_in(&fake, &auth, Some(&account), &lock, "anna@kanzlei.example")
        .await
        .expect("sign-in after the lock was released");
    assert_eq!(
        stored(&store, &auth, &account).as_deref(),
        Some("rt-signin")
    );
}
