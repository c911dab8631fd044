//! With no D-Bus session bus, the keyring is `Unavailable` with a fix, and
//! only the plaintext opt-in falls back to the file store.
//!
//! Its own test binary: it points `DBUS_SESSION_BUS_ADDRESS` at a socket
//! that does not exist, which must not race with other tests.
#![cfg(target_os = "linux")]

use docket_secrets::{open_default, EntryKey, KeyringStore, SecretKind, SecretString, StoreError};

#[test]
fn without_a_bus_the_probe_says_unavailable_and_only_the_opt_in_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let no_bus = dir.path().join("no-bus-here");
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", no_bus.display()),
    );

    match KeyringStore::with_service("DocketSync-test-nobus").probe() {
        Err(StoreError::Unavailable { detail }) => assert!(
            detail.contains("start gnome-keyring-daemon or KeePassXC"),
            "the error says what to start: {detail}"
        ),
        other => panic!("expected Unavailable, got {other:?}"),
    }

    let file = dir.path().join("state/secrets.json");
    match open_default(false, &file) {
        Err(StoreError::Unavailable { detail }) => {
            assert!(detail.contains("gnome-keyring-daemon"), "{detail}");
            assert!(
                detail.contains("storage.allow_plaintext_tokens"),
                "{detail}"
            );
        }
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(store) => panic!("expected Unavailable, got {:?}", store.location()),
    }
    assert!(!file.exists(), "no plaintext file without the opt-in");

    let store = match open_default(true, &file) {
        Ok(store) => store,
        Err(error) => panic!("the opt-in must fall back to the file: {error}"),
    };
    assert_eq!(store.location().id, "secrets-location-file");
    assert!(store.plaintext_message().is_some(), "doctor must warn");
    let key = EntryKey {
        tenant: "contoso".into(),
        client_id: "app".into(),
        user: "alice@contoso.example".into(),
        kind: SecretKind::RefreshToken,
    };
    store.set(&key, &SecretString::new("rt")).unwrap();
    assert!(file.exists());
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), "rt");
}
