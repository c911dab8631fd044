# `doctor`: one line per check. A check's name is `doctor-check-<id>`;
# a finding is one message whose value is the headline and whose `.body`
# explains it. The fix is an action, rendered by each front end.

doctor-status-pass = OK
doctor-status-warn = WARN
doctor-status-fail = FAIL
doctor-status-skip = SKIP

doctor-check-config = config
doctor-check-client-secret = client secret
doctor-check-redirect-port = redirect port
doctor-check-keyring = keyring
doctor-check-source-credential = PMS credential
doctor-check-source-address = PMS address
doctor-check-extra-ca-file = extra CA file
doctor-check-data-folder = data folder
doctor-check-log-folder = log folder
doctor-check-mailbox-zone = mailbox time zone
doctor-check-pms-source = PMS source
doctor-check-authority = authority

doctor-summary = { $checks ->
        [one] 1 check
       *[other] { $checks } checks
    }: { $failed } failed, { $warnings ->
        [one] 1 warning
       *[other] { $warnings } warnings
    }

# A line of detail as the system or a server gave it.
doctor-detail = { $text }

doctor-skipped = skipped: it needs a valid configuration

doctor-config-loaded = the configuration is valid
doctor-config-ok = { $file } is valid
doctor-config-ok-overrides = { $file } is valid, with overrides from { $overrides }
doctor-config-invalid = { $n ->
        [one] 1 problem
       *[other] { $n } problems
    } in the configuration ({ $file })
    .body = Each line below names the key, what is wrong and how to correct it (docs/configuration.md lists every key).

doctor-client-secret-no-expiry = the client secret's expiry date is not set
    .body = Nobody is warned before sign-ins start failing with AADSTS7000222. IT sets microsoft.client_secret_expires to the date in the "Expires" column of Certificates & secrets.
doctor-client-secret-expired = the client secret expired on { $date }
    .body = Sign-ins fail with AADSTS7000222 until IT creates a new client secret in the app registration, stores it and sets microsoft.client_secret_expires to its expiry date.
doctor-client-secret-expiring = the client secret expires on { $date } ({ $in })
    .body = Before then, IT creates a new client secret in the app registration, stores it and sets microsoft.client_secret_expires to its expiry date.

doctor-redirect-port-any = a free port is chosen at each sign-in
doctor-redirect-port-free = 127.0.0.1:{ $port } is free for the sign-in redirect
doctor-redirect-port-busy = cannot listen on 127.0.0.1:{ $port }
    .body = Another program uses the port. Close it, or IT chooses another microsoft.redirect_port and registers http://localhost:<port>{ $path } on the app registration.

doctor-keyring-ok = secrets are kept in { $location }
doctor-keyring-plaintext = secrets are kept in { $location }, not in a keyring
    .body = Anyone who can read your files can read the sign-in. Start a system keyring; then IT sets storage.allow_plaintext_tokens = false.
doctor-keyring-locked = the system keyring is locked
    .body = Docket Sync cannot keep or read your sign-in until it is unlocked. Signing out of the desktop and in again usually unlocks it.
doctor-keyring-unavailable = no system keyring can be used
    .body = Linux needs a Secret Service (gnome-keyring, or KeePassXC with its Secret Service integration); Windows and macOS use the keychain of the signed-in desktop user. Where none can exist, IT may allow the token file (storage.allow_plaintext_tokens = true).
doctor-keyring-failed = the system keyring failed
    .body = The keyring answered with an error; the line below says which.

doctor-source-credential-ok = the PMS server's { $kind ->
        [token] token
       *[password] password of '{ $user }'
    } is stored
doctor-source-credential-missing = the PMS server's { $kind ->
        [token] token
       *[password] password of '{ $user }'
    } is not stored
    .body = Nothing can be read from the PMS until it is stored.
doctor-source-credential-unreadable = the PMS server's { $kind ->
        [token] token
       *[password] password of '{ $user }'
    } cannot be read
    .body = See the keyring check; then store it again.

doctor-source-address-credential = { $keys } carries what looks like a credential in its query
    .body = It is kept in plain text in the configuration (messages and logs show it as <redacted>). A credential belongs in source.auth ("basic" or "bearer") and the system keyring; ask the PMS administrator for an address without it.

doctor-ca-ok = { $file } holds { $n ->
        [one] 1 certificate
       *[other] { $n } certificates
    }
doctor-ca-unreadable = cannot read { $file }
    .body = microsoft.extra_ca_file must name a PEM file with the firm's root certificate (text starting with -----BEGIN CERTIFICATE-----).
doctor-ca-empty = { $file } holds no PEM certificate
    .body = microsoft.extra_ca_file must name a PEM file with the firm's root certificate (text starting with -----BEGIN CERTIFICATE-----).
doctor-ca-invalid = { $file } is not valid PEM
    .body = microsoft.extra_ca_file must name a PEM file with the firm's root certificate (text starting with -----BEGIN CERTIFICATE-----).

doctor-folder-ok = { $dir } is writable
doctor-folder-unwritable = cannot write in { $dir }
    .body = Your user account needs write access to this folder (or DOCKETSYNC_HOME names a folder it can write).

doctor-zone-config = { $zone } (policy.mailbox_time_zone in the configuration)
doctor-zone-computer = { $zone } (this computer's time zone)
    .body = All-day items and times without a zone go out in this zone. If the mailbox is in another zone, IT sets policy.mailbox_time_zone.
doctor-zone-fallback = UTC (this computer's time zone could not be read)
    .body = All-day items and times without a zone go out in UTC. IT sets policy.mailbox_time_zone in the configuration, for example "Europe/Berlin".

doctor-pms-counts = { $appointments ->
        [one] 1 appointment
       *[other] { $appointments } appointments
    }, { $deadlines ->
        [one] 1 deadline or follow-up
       *[other] { $deadlines } deadlines and follow-ups
    }, { $contacts ->
        [one] 1 contact
       *[other] { $contacts } contacts
    }
doctor-pms-ok = { $counts }
doctor-pms-skipped = { $counts }; { $skipped ->
        [one] 1 record skipped
       *[other] { $skipped } records skipped
    }
    .body = The rest is exported. Correct the records listed below in the PMS.
doctor-pms-incomplete = could not be read completely (read: { $counts })
    .body = Nothing is deleted on the strength of such a read. Each line below names the file or address and what went wrong.
doctor-pms-more = … and { $n } more
doctor-pms-not-read = not read [{ $code }]
    .body = The PMS could not be read as the next export would read it; the line below says why.

doctor-authority-ok = { $url } answered (issuer { $issuer })
doctor-authority-not-openid = { $url } answered, but not with an OpenID configuration
    .body = A proxy or captive portal may have answered instead of Microsoft; check microsoft.authority_host and the network.
doctor-authority-tenant-unknown = { $url } answered HTTP { $status }: the tenant was not found
    .body = microsoft.tenant must be your tenant ID or domain, and microsoft.authority_host your cloud's sign-in host.
doctor-authority-unavailable = { $url } answered HTTP { $status }: the sign-in service has a problem
    .body = This is usually temporary; Docket Sync tries again by itself.
doctor-authority-refused = { $url } answered HTTP { $status }
    .body = Behind a proxy, HTTPS_PROXY must name it; microsoft.authority_host must be the sign-in host.
doctor-authority-timeout = { $url } did not answer within { $seconds } s
    .body = Behind a proxy, HTTPS_PROXY must name it; microsoft.authority_host must be the sign-in host.
doctor-authority-untrusted = { $url }: the server's certificate is not trusted
    .body = If your network inspects HTTPS (a firewall or proxy with its own certificate), IT sets microsoft.extra_ca_file to the firm's root certificate (PEM).
doctor-authority-unreachable = cannot connect to { $url }
    .body = Behind a proxy, HTTPS_PROXY must name it; microsoft.authority_host must be the sign-in host.
doctor-authority-failed = { $url } could not be asked
    .body = Behind a proxy, HTTPS_PROXY must name it; microsoft.authority_host must be the sign-in host.
doctor-authority-no-client = the HTTPS client could not be set up
    .body = microsoft.extra_ca_file must name a PEM file with the firm's root certificate.
