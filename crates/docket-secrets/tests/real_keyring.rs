//! The real OS keyring: gnome-keyring's Secret Service on a D-Bus session.
//!
//! These run when `DBUS_SESSION_BUS_ADDRESS` is set and a Secret Service
//! answers, and are skipped (with a note on stderr) otherwise — unless
//! `DOCKET_REQUIRE_KEYRING=1`, when an unreachable keyring fails them.
//! Run them in a throwaway keyring (see docs/secrets.md):
//!
//! ```sh
//! crates/docket-secrets/run-keyring-tests.sh
//! ```
//!
//! Each test uses its own service name (`DocketSync-test-<pid>-<test>`),
//! so it never touches the app's entries and can count its own items with
//! `secret-tool search --all service <name>`.
#![cfg(target_os = "linux")]

use std::process::Command;

use docket_secrets::{
    delete_account, open_default, EntryKey, KeyringStore, SecretKind, SecretStore, SecretString,
};

fn real_keyring(test: &str) -> Option<KeyringStore> {
    let required = std::env::var("DOCKET_REQUIRE_KEYRING").as_deref() == Ok("1");
    let unavailable = |why: String| {
        if required {
            panic!("DOCKET_REQUIRE_KEYRING=1 but {why}");
        }
        eprintln!("skipping {test}: {why} (set DOCKET_REQUIRE_KEYRING=1 to fail instead)");
        None
    };
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return unavailable("DBUS_SESSION_BUS_ADDRESS is not set".into());
    }
    let store =
        KeyringStore::with_service(format!("DocketSync-test-{}-{test}", std::process::id()));
    match store.probe() {
        Ok(()) => Some(store),
        Err(error) => unavailable(format!("the keyring is not usable: {error}")),
    }
}

/// One keyring item as `secret-tool` reports it; the secret's length only.
#[derive(Debug)]
struct Item {
    username: String,
    secret_chars: usize,
}

/// Every item of `service`, read with `secret-tool` (independent of the
/// `keyring` crate). Its output holds secrets: it is never printed.
fn items(service: &str) -> Vec<Item> {
    let output = Command::new("secret-tool")
        .args(["search", "--all", "service", service])
        .output()
        .expect("run secret-tool (apt-get install libsecret-tools)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let mut items = Vec::new();
    let mut secret_chars = 0;
    for line in text.lines() {
        if let Some(secret) = line.strip_prefix("secret = ") {
            secret_chars = secret.chars().count();
        } else if let Some(username) = line.strip_prefix("attribute.username = ") {
            items.push(Item {
                username: username.to_owned(),
                secret_chars,
            });
        }
    }
    items
}

fn key(user: &str, kind: SecretKind) -> EntryKey {
    EntryKey {
        tenant: "contoso.onmicrosoft.com".into(),
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        user: user.into(),
        kind,
    }
}

fn no_items(service: &str) -> bool {
    items(service).is_empty()
}

/// A token-like string of `len` ASCII characters, different per `seed`.
fn token(len: usize, seed: u8) -> SecretString {
    SecretString::new(
        (0..len)
            .map(|i| char::from(b'A' + ((i * 7 + usize::from(seed)) % 26) as u8))
            .collect::<String>(),
    )
}

#[test]
fn a_4_kb_token_round_trips_through_the_keyring_in_small_items() {
    let Some(store) = real_keyring("roundtrip") else {
        return;
    };
    let key = key("alice@contoso.example", SecretKind::RefreshToken);
    let value = token(4096, 1);
    store.set(&key, &value).unwrap();

    let read = store.get(&key).unwrap().expect("stored token");
    assert!(
        read.expose_secret() == value.expose_secret(),
        "token differs"
    );
    let stored = items(store.service());
    assert_eq!(stored.len(), 1 + 5, "manifest + 5 chunks: {stored:?}");
    assert!(
        stored.iter().all(|item| item.secret_chars <= 1000),
        "no item over 1,000 characters: {stored:?}"
    );

    store.delete(&key).unwrap();
    assert!(store.get(&key).unwrap().is_none());
    assert!(no_items(store.service()));
}

#[test]
fn overwrite_replaces_the_token_and_leaves_no_old_chunks() {
    let Some(store) = real_keyring("overwrite") else {
        return;
    };
    let key = key("alice@contoso.example", SecretKind::RefreshToken);
    store.set(&key, &token(4096, 1)).unwrap();
    let newer = token(1500, 2);
    store.set(&key, &newer).unwrap();

    let read = store.get(&key).unwrap().expect("stored token");
    assert!(
        read.expose_secret() == newer.expose_secret(),
        "not the newer token"
    );
    let stored = items(store.service());
    assert_eq!(stored.len(), 1 + 2, "manifest + 2 chunks: {stored:?}");

    store.delete(&key).unwrap();
    assert!(no_items(store.service()));
}

#[test]
fn delete_account_leaves_nothing_of_that_user_in_the_keyring() {
    let Some(store) = real_keyring("signout") else {
        return;
    };
    let alice = "alice@contoso.example";
    let bob = "bob@contoso.example";
    store
        .set(&key(alice, SecretKind::RefreshToken), &token(3000, 1))
        .unwrap();
    store
        .set(&key(alice, SecretKind::SourceCredential), &token(20, 2))
        .unwrap();
    store
        .set(&key(bob, SecretKind::RefreshToken), &token(2500, 3))
        .unwrap();

    delete_account(
        &store,
        "contoso.onmicrosoft.com",
        "11111111-2222-3333-4444-555555555555",
        alice,
    )
    .unwrap();

    let left = items(store.service());
    assert!(
        left.iter().all(|item| !item.username.contains(alice)),
        "alice's items remain: {left:?}"
    );
    assert_eq!(
        left.len(),
        1 + 3,
        "bob's manifest + 3 chunks stay: {left:?}"
    );
    assert!(store
        .get(&key(alice, SecretKind::RefreshToken))
        .unwrap()
        .is_none());
    assert!(store
        .get(&key(bob, SecretKind::RefreshToken))
        .unwrap()
        .is_some());

    delete_account(
        &store,
        "contoso.onmicrosoft.com",
        "11111111-2222-3333-4444-555555555555",
        bob,
    )
    .unwrap();
    assert!(no_items(store.service()));
}

#[test]
fn the_probe_leaves_no_item_behind() {
    let Some(store) = real_keyring("probe") else {
        return;
    };
    store.probe().unwrap();
    assert!(no_items(store.service()));
}

#[test]
fn open_default_picks_the_keyring_when_it_works() {
    if real_keyring("open-default").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets.json");
    let store = match open_default(true, &file) {
        Ok(store) => store,
        Err(error) => panic!("keyring works, open_default failed: {error}"),
    };
    assert_eq!(store.location().id, "secrets-location-keyring");
    assert!(store.plaintext_message().is_none());
    assert!(!file.exists(), "no plaintext file while the keyring works");
    // The app's service may hold a developer's real entries: look only
    // for the probe's.
    let probes: Vec<_> = items(KeyringStore::SERVICE)
        .into_iter()
        .filter(|item| item.username.starts_with("v1/probe/"))
        .collect();
    assert!(probes.is_empty(), "probe items left: {probes:?}");
}

/// Threads of one process that probe the keyring at once (the CLI's
/// tests, the tray's) each read back their own probe entry: with one
/// entry per process one of them read another's value and called a
/// working keyring broken.
#[test]
fn probes_at_once_in_one_process_all_pass() {
    let Some(store) = real_keyring("probes_at_once") else {
        return;
    };
    let service = store.service().to_owned();
    let failures: Vec<String> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let store = KeyringStore::with_service(service.clone());
                    (0..5)
                        .filter_map(|_| store.probe().err().map(|e| e.to_string()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().expect("probe thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{failures:?}");
    assert!(no_items(&service), "the probes left entries behind");
}
