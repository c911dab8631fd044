# The configuration (docket-config): one message per kind of problem.
# Value = headline; .body = what is wrong and how to correct it. The
# problem names its dotted key and file itself; the fix is an Action
# (mostly "IT: change <key> in the configuration file").

## The files

config-unreadable = Configuration file cannot be read
    .body = { $path } cannot be read ({ $detail }). Make it readable by the user account Docket Sync runs as, and save it as UTF-8.
config-unwritable = Settings could not be saved
    .body = { $path } cannot be written ({ $detail }). Nothing was changed. Check that your user account can write this folder.
config-missing-file = Configuration file missing
    .body = There is no configuration file at { $path }. IT provides it (docs/configuration.md has an example).
config-syntax = Configuration file is not valid
    .body = Line { $line }, column { $column }: { $detail }. Text values need double quotes (tenant = "contoso.onmicrosoft.com"); true/false and numbers do not.
config-syntax-unplaced = Configuration file is not valid
    .body = { $detail }. Text values need double quotes (tenant = "contoso.onmicrosoft.com"); true/false and numbers do not.

## Structure: sections, keys, secrets, who may set what

config-secret = No secrets in configuration files
    .body = Secrets are never read from a configuration file: files are copied, backed up and readable by administrators. Delete this line; Docket Sync keeps the secret in this computer's keyring (Windows Credential Manager, macOS Keychain or the Secret Service on Linux).
config-outside-section = Key outside a section
    .body = Keys must be inside a section. Move it below a [{ $section }] line.
config-outside-section-unknown = Unknown key outside a section
    .body = Keys must be inside a section such as [microsoft], and this one is not a key of any section. Remove it; docs/configuration.md lists the valid keys.
config-unknown-section-did-you-mean = Unknown section
    .body = There is no such section. Did you mean [{ $suggestion }]?
config-unknown-section = Unknown section
    .body = There is no such section. Remove it; the sections are { $sections }.
config-unknown-key-elsewhere = Key in the wrong section
    .body = { $name } belongs in [{ $section }]: move it there.
config-unknown-key-did-you-mean = Unknown key
    .body = There is no such key. Did you mean { $suggestion }?
config-unknown-key = Unknown key
    .body = There is no such key. Remove it; [{ $section }] accepts { $keys }.
config-firm-only = Only the firm configuration may set this
    .body = A personal override cannot change this key. Remove it from your personal overrides file; IT can change it in the firm configuration.

## Values

config-missing = Required setting missing
    .body = This key is required but not set. Add { $name } = { $example } below the [{ $section }] line.
config-wrong-type = Wrong kind of value
    .body = Expected { $want }, found { $got }. Write it as { $name } = { $example }.
config-out-of-range = Value out of range
    .body = { $value } is out of range: { $why }. Use a whole number from { $min } to { $max } (default { $default }).
config-not-a-choice-did-you-mean = Not a valid choice
    .body = "{ $value }" is not a valid choice. Did you mean "{ $suggestion }"? The choices are { $choices }.
config-not-a-choice = Not a valid choice
    .body = "{ $value }" is not a valid choice. Set it to one of { $choices }.
config-not-a-url = Not a URL
    .body = "{ $value }" is not a URL ({ $detail }). Write a full URL such as "{ $example }".
config-url-credentials = User name or password in a URL
    .body = The URL contains a user name or password, and credentials are never kept in a configuration file. Remove the user:password@ part; Docket Sync keeps the credentials in this computer's keyring.
config-plain-http = Plain http not allowed
    .body = Plain http is only allowed for this computer (localhost, 127.0.0.1); anything else must use https, e.g. "{ $example }".
config-url-scheme = Address type not supported
    .body = The scheme "{ $scheme }" is not supported. Use an https URL such as "{ $example }".
config-path-empty = Empty path
    .body = The path is empty. Set a path such as "{ $example }", or remove the line.
config-path-missing = File not found
    .body = { $path } does not exist. Correct the path (relative paths start at the configuration file's folder), or remove the line.

## [microsoft]

config-tenant-multi = Multi-tenant endpoint not allowed
    .body = "{ $value }" would accept accounts from any organisation, and Entra rejects it for a single-tenant app (AADSTS50194). Set it to your firm's Directory (tenant) ID, a GUID shown on the Overview page of the Entra admin center, or to its domain, e.g. "contoso.onmicrosoft.com".
config-tenant-invalid = Not a tenant
    .body = "{ $value }" is neither a tenant ID (GUID) nor a domain name. Set it to your firm's Directory (tenant) ID, a GUID shown on the Overview page of the Entra admin center, or to its domain, e.g. "contoso.onmicrosoft.com".
config-client-id = Not a client ID
    .body = "{ $value }" is not a GUID. Copy the Application (client) ID from the app registration's Overview page, e.g. "0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01".
config-authority-path = Authority host with a path
    .body = "{ $value }" has a path, but the authority host is only scheme, host and port. Remove the path (the tenant goes in microsoft.tenant), e.g. "https://login.microsoftonline.com".
config-graph-query = Graph URL with query or fragment
    .body = The URL has a query or fragment. Use the base URL only, e.g. "{ $example }".
config-secret-expires-date = Not a date
    .body = Expected a date such as 2026-12-31. Write the date as client_secret_expires = 2026-12-31 (the "Expires" column in Certificates & secrets).
config-secret-expires-public = A public client has no secret
    .body = A public client has no client secret, so it has no expiry date. Remove the line, or set client_type = "confidential" if the app is registered on the Web platform with a secret.
config-redirect-port = Port not usable
    .body = { $value } is not a usable port: ports below 1024 need administrator rights. Use 0 (the default: a free port is chosen at each sign-in) or a fixed port from 1024 to 65535 that is registered on the app's Web platform.
config-redirect-path = Not a URL path
    .body = "{ $value }" is not a URL path. Use a path that starts with / and has no ?, # or spaces, e.g. "/".
config-redirect-uri-both = Redirect set twice
    .body = redirect_uri is set together with redirect_port or redirect_path. Set either redirect_uri alone, or redirect_port and redirect_path.
config-redirect-uri-not-url = Redirect URI is not a URL
    .body = "{ $value }" is not a URL ({ $detail }). Use a loopback address such as "http://localhost:50993/" or "http://127.0.0.1:50993/", exactly as registered on the app.
config-redirect-uri-not-loopback = Redirect URI not on this computer
    .body = "{ $value }" is not a loopback redirect: Docket Sync receives the sign-in on this computer, at http://localhost or http://127.0.0.1 (Entra does not support [::1]). Use an address such as "http://localhost:50993/", exactly as registered on the app.
config-scopes-words = Scopes not readable
    .body = Every scope must be one non-empty word in double quotes, e.g. scopes = ["offline_access", "User.Read", "Calendars.ReadWrite"].
config-scopes-offline = offline_access missing
    .body = Without offline_access Entra issues no refresh token, and every user would have to sign in again each hour. Add "offline_access" to the list.

## [source]

config-unused-by-kind = Setting not used
    .body = This key is not used by kind = "{ $kind }". Remove the line.
config-source-path-and-url = Both path and url set
    .body = Both path and url are set. Keep path for an .ics file on disk, or url for a calendar feed, not both.
config-source-credential-for-path = Setting not used with a path
    .body = A file on disk needs no credential. Remove the line (it is for url = "https://…").
config-source-username-empty = Empty user name
    .body = The user name is empty. Set the user name the PMS's server knows, e.g. "anna.berger", or remove the line.
config-source-basic-needs-username = User name missing
    .body = auth = "basic" needs a user name, but source.username is not set. Add username = "anna.berger" below the [source] line; the password goes into this computer's keyring.
config-source-username-unused = User name not used
    .body = The user name is not used by auth = "{ $auth }". Remove the line, or set auth = "basic" if the server asks for a user name and password.

## [policy], [conventions]

config-max-delete-share = Share out of range
    .body = The share must be between 0 and 1 (0.2 = at most 20% of exported items may be deleted in one run), e.g. max_delete_share = 0.2.
config-time-zone = Unknown time zone
    .body = "{ $value }" is not an IANA time zone name. Write the zone as in the IANA database, e.g. mailbox_time_zone = "Europe/Berlin", or remove the key to use the computer's zone.
config-x-property = Not an extension property name
    .body = "{ $value }" is not an extension property name. Use X- followed by letters, digits and dashes, as the PMS writes it, e.g. "X-PMS-TYPE".
config-categories = Category names not readable
    .body = Every entry must be a non-empty category name in double quotes. Write { $name } = { $example }.

## Warnings about a valid configuration

config-secret-expiry-unknown = Client secret expiry date not set
    .body = Nobody is warned before sign-ins start failing with AADSTS7000222. Set microsoft.client_secret_expires = YYYY-MM-DD (the "Expires" column in Certificates & secrets).
config-secret-expired = Client secret expired
    .body = The client secret expired on { $date }; sign-ins fail with AADSTS7000222. Create a new client secret in the app registration (Entra admin center → App registrations → Certificates & secrets), store it with Docket Sync, and set microsoft.client_secret_expires to its expiry date.
config-secret-expires-soon = Client secret expires soon
    .body = The client secret expires on { $date }, { $days ->
        [0] today
        [one] in 1 day
       *[other] in { $days } days
    }. Create a new client secret in the app registration (Entra admin center → App registrations → Certificates & secrets), store it with Docket Sync, and set microsoft.client_secret_expires to its expiry date.

## Words inside the messages above

config-type-text = text
config-type-integer = a whole number
config-type-float = a decimal number
config-type-bool = true/false
config-type-datetime = a date/time
config-type-list = a list
config-type-table = a table
config-type-nothing = nothing
config-want-text = text in double quotes
config-want-bool = true or false
config-want-integer = a whole number
config-want-share = a number from 0 to 1
config-want-scopes = a list of scopes
config-want-categories = a list of category names
config-why-sync-interval = exporting more often than every 5 minutes gets throttled by Microsoft Graph
config-why-keep-alive = the sign-in must be refreshed well within Entra's 90-day inactivity limit
config-why-keep-days = logs are kept between 1 day and a year
