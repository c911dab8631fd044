# The secret store (docket-secrets): the OS keyring and the opt-in
# plaintext file. $platform is linux, windows, macos or other.

secrets-unavailable = No keyring on this computer
    .body = Docket Sync keeps the sign-in in the system keyring, and none could be used. { $platform ->
        [linux] IT: start a Secret Service (gnome-keyring, or KeePassXC with its Secret Service integration; install gnome-keyring if neither is there) in the desktop session.
        [windows] IT: check that the Credential Manager service (VaultSvc) is running and that Docket Sync runs in an interactive user session, not as a service account.
        [macos] Open Keychain Access and check that the login keychain exists and is the default.
       *[other] IT: start a Secret Service (gnome-keyring or KeePassXC) in the desktop session.
    } Where no keyring can exist, IT may allow the token file instead (storage.allow_plaintext_tokens).
secrets-locked = Keyring locked
    .body = The system keyring is locked, so Docket Sync cannot read or keep the sign-in. { $platform ->
        [linux] Unlock the login keyring (sign in to the desktop normally, or unlock it in Passwords and Keys or KeePassXC), then try again.
        [windows] Sign in to Windows interactively, then try again.
        [macos] Open Keychain Access, unlock the login keychain, then try again.
       *[other] Unlock the login keyring, then try again.
    }
secrets-corrupt = Stored sign-in damaged
    .body = The sign-in stored on this computer is damaged and cannot be used. Sign in again to replace it.
secrets-error = Keyring error
    .body = The system keyring did not do what Docket Sync asked ({ $detail }). Try again; if it keeps happening, tell IT.
secrets-plaintext = Sign-in kept in an unencrypted file
    .body = No system keyring was usable and IT allowed the token file, so the sign-in is kept unencrypted in { $path }. Anyone who can read this file (or a backup of it) can act as you in Microsoft 365. IT: provide a keyring and turn storage.allow_plaintext_tokens off to move it there.

# Where secrets are kept, as a place after "in"/"from" ("secrets are kept
# in …", "removed from …"). $service is the keyring service name.
secrets-location-keyring = { $platform ->
        [linux] the Secret Service (gnome-keyring, KWallet or KeePassXC)
        [windows] Windows Credential Manager
        [macos] the macOS Keychain
       *[other] the Secret Service
    }, service "{ $service }"
secrets-location-file = the plaintext file { $path }
secrets-location-memory = memory (tests only)
secrets-location-unnamed = an unnamed secret store
