# Sign-in (docket-auth): one message per classified problem code, the
# browser pages of the sign-in, and the sign-in's other failures.
# A problem's value is the headline (fits a notification title); .body
# explains in plain words. The fix is an Action, rendered by each front end.
# Ids of problems: the stable code with dashes (Message::from_code:
# reauth.password_changed → reauth-password-changed); the rest start with auth-.

## The fee-earner signs in again

reauth-password-changed = Your Microsoft sign-in was ended
    .body = This usually happens when your password was changed or reset, or when IT signed you out on all devices. Sign in again with your current password.
reauth-inactivity = Your Microsoft sign-in expired
    .body = Docket Sync was not used for 90 days, so Microsoft ended the sign-in. Sign in again with your work account.
reauth-grant-expired = Your Microsoft sign-in expired
    .body = Your Microsoft sign-in has expired or was withdrawn. Sign in again with your work account.
reauth-sign-in-frequency = Time to sign in again
    .body = Your organisation requires you to sign in again at regular intervals, and that time has come. Sign in again with your work account.
reauth-mfa-required = Second sign-in step required
    .body = Your organisation now requires a second sign-in step, for example the Authenticator app. Sign in again and confirm the sign-in with your second factor.
reauth-mfa-registration = Set up multi-factor authentication
    .body = Your organisation requires you to set up multi-factor authentication before you can continue. Sign in again; the sign-in page guides you through the set-up (have your phone ready).
reauth-conditional-access = Sign-in blocked by your organisation's rules
    .body = Your organisation's access rules blocked the sign-in, for example because of the location or the network. Sign in again from the office network or over VPN. If it keeps happening, tell IT the code shown.
reauth-device-not-compliant = This device is not allowed to sign in
    .body = Your organisation only allows sign-in from managed, compliant devices, and this device does not qualify right now. Open the Company Portal app, check this device's status, then sign in again; otherwise contact IT.
reauth-consent = Permission needed again
    .body = Docket Sync needs your permission again to access your calendar, tasks and contacts. Sign in again and choose "Accept" on the permissions page.
reauth-consent-declined = Permissions not accepted
    .body = The permissions were not accepted, so Docket Sync cannot reach your calendar, tasks and contacts. Sign in again and choose "Accept" on the permissions page.
reauth-cancelled = Sign-in cancelled
    .body = The sign-in was cancelled or refused in the browser. Sign in again when you are ready.
reauth-password-expired = Your password has expired
    .body = Your password has expired. Sign in again; the sign-in page asks you to set a new password.
reauth-interaction-required = Confirm your sign-in
    .body = Microsoft needs you to confirm your sign-in in the browser. Sign in again with your work account.
reauth-required = Sign-in no longer valid
    .body = Your Microsoft sign-in is no longer valid. Sign in again with your work account.

## IT must act (signing in again would not help)

admin-consent-missing = Permissions not approved by your organisation
    .body = Your organisation has not approved Docket Sync's permissions (calendar, tasks, contacts). IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → API permissions → "Grant admin consent for <tenant>" (or Enterprise applications → Docket Sync → Permissions).
admin-client-secret-invalid = Client secret rejected
    .body = Microsoft rejected Docket Sync's client secret. IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Certificates & secrets → Client secrets: copy the secret's Value (not the Secret ID) and store it again with Docket Sync.
admin-client-secret-expired = Client secret expired
    .body = Docket Sync's client secret has expired. IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Certificates & secrets → "New client secret"; store its Value with Docket Sync and update microsoft.client_secret_expires.
admin-client-secret-missing = App registration needs a client secret
    .body = The Docket Sync app registration is a Web app and needs a client secret, but none was sent. IT: either set microsoft.client_type = "confidential" and store the secret with Docket Sync, or in the Azure portal → App registrations → Docket Sync → Authentication add the redirect URI under "Mobile and desktop applications" and turn on "Allow public client flows".
admin-public-client-secret = App registration is a public client
    .body = The Docket Sync app registration is a public (desktop) client, but Docket Sync sent a client secret. IT: set microsoft.client_type = "public" in the firm configuration.
admin-app-not-found = App not found in your organisation
    .body = Microsoft does not know the Docket Sync app in your organisation. IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Overview: compare "Application (client) ID" and "Directory (tenant) ID" with microsoft.client_id and microsoft.tenant.
admin-tenant-not-found = Organisation not found
    .body = Microsoft does not know the organisation (tenant) Docket Sync is set up for. IT: Azure portal → Microsoft Entra ID → Overview: copy "Tenant ID" (or the primary domain) into microsoft.tenant; check microsoft.authority_host for the right cloud.
admin-redirect-uri = Sign-in address not registered
    .body = The address Docket Sync uses to receive the sign-in is not registered for the app. IT: Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Authentication: add http://localhost under "Mobile and desktop applications" (Web platform: the exact URI with microsoft.redirect_port and microsoft.redirect_path).
admin-user-not-assigned = Your account may not use Docket Sync
    .body = Your account is not allowed to use Docket Sync in your organisation. IT: Azure portal → Microsoft Entra ID → Enterprise applications → Docket Sync → Users and groups → "Add user/group".
admin-user-disabled = Your Microsoft account is disabled
    .body = Your Microsoft account is disabled. IT: Azure portal → Microsoft Entra ID → Users → the user → Edit properties → Settings → "Account enabled".
admin-client-rejected = App registration rejected
    .body = Microsoft rejected the Docket Sync app registration. IT: check the app registration (Azure portal → Microsoft Entra ID → App registrations → Docket Sync → Authentication, and Certificates & secrets) against the firm configuration; the code shown names the cause.
admin-request-rejected = Sign-in request rejected
    .body = Microsoft rejected Docket Sync's sign-in request. IT: check microsoft.scopes, microsoft.tenant and the app registration's API permissions; look the code shown up at https://login.microsoftonline.com/error.

## Temporary: nobody acts, Docket Sync tries again by itself

transient-network = Microsoft cannot be reached
    .body = Microsoft's sign-in service cannot be reached (no network connection or name resolution). Docket Sync tries again by itself. If it lasts, check the internet connection (and VPN or proxy).
transient-timeout = Microsoft did not answer in time
    .body = Microsoft's sign-in service did not answer in time. Docket Sync tries again by itself. If it lasts, check the internet connection (and VPN or proxy).
transient-connection-reset = Connection to Microsoft interrupted
    .body = The connection to Microsoft was interrupted. Docket Sync tries again by itself. If it lasts, check the internet connection (and VPN or proxy).
transient-throttled = Microsoft asked Docket Sync to slow down
    .body = Microsoft is receiving too many requests right now. Docket Sync waits and tries again by itself.
transient-service-unavailable = Microsoft's sign-in is temporarily unavailable
    .body = Microsoft's sign-in service is temporarily unavailable. Docket Sync tries again by itself.
transient-unexpected-response = Unexpected answer instead of Microsoft's
    .body = An unexpected answer came back instead of Microsoft's, often from a proxy or the login page of a hotel or guest Wi-Fi. Open any web page in the browser to complete a Wi-Fi login if asked; Docket Sync then tries again by itself. If it lasts, tell IT (proxy settings).

## The sign-in's other failures (not classified token-endpoint answers)

auth-signin-port-in-use = Sign-in port in use
    .body = Port { $port } on this computer is already in use by another program, so the sign-in cannot receive Microsoft's answer. Close the program using it, or IT sets microsoft.redirect_port (and the redirect URI registered for the app) to a free port.
auth-signin-listener = The sign-in could not start
    .body = Docket Sync could not wait for Microsoft's answer on this computer ({ $detail }).
auth-signin-bad-redirect-uri = Sign-in address not usable
    .body = The configured redirect URI { $uri } cannot be used for the sign-in: { $detail }. IT: use http://localhost or http://127.0.0.1 with an optional port and path.
auth-signin-timed-out = Sign-in not finished in time
    .body = The sign-in was not finished in the browser within { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }. Start the sign-in again and finish it in the browser.
auth-signin-cancelled = Sign-in cancelled
    .body = The sign-in was cancelled before it was finished.
auth-signin-account-mismatch = Signed in with another account
    .body = You signed in as { $got }, but Docket Sync is set up for { $expected }. Nothing was changed: sign in again as { $expected }, or sign out first to switch accounts.
auth-signin-no-refresh-token = Cannot stay signed in
    .body = Microsoft did not allow Docket Sync to stay signed in (offline access). IT: keep offline_access in microsoft.scopes and grant it in the app registration's API permissions.
auth-signin-id-token = Account not named in Microsoft's answer
    .body = Microsoft's answer did not say which account signed in. IT: keep openid and profile in microsoft.scopes.
auth-signin-client-secret-not-stored = No client secret stored
    .body = The app is set up as a confidential (Web) client, but no client secret is stored for it on this computer. IT: store the secret's Value from the Azure portal (App registrations → Certificates & secrets).
auth-signin-store = Sign-in could not be saved
    .body = You signed in, but the sign-in could not be saved in this computer's keyring, so Docket Sync cannot stay signed in.
auth-signin-config = Sign-in settings not usable
    .body = The sign-in settings in the firm configuration cannot be used: { $detail }.
auth-signin-lock = Sign-in busy in another Docket Sync
    .body = Another Docket Sync program on this computer kept the sign-in busy, so it was not saved. Try again in a minute.
auth-signin-stopped = Sign-in interrupted
    .body = Docket Sync stopped before the sign-in was finished. Start the sign-in again.
auth-signin-failed = The sign-in could not be completed
    .body = The sign-in could not be completed; Docket Sync shows the details.

## Refreshing the sign-in

auth-refresh-not-signed-in = Not signed in
    .body = The stored sign-in for { $account } is no longer in this computer's keyring. Sign in again.
auth-refresh-persist = Renewed sign-in could not be saved
    .body = Microsoft renewed the sign-in, but this computer's keyring did not accept it, so it was not used.
auth-refresh-store = Sign-in could not be read
    .body = Docket Sync could not read the sign-in from this computer's keyring.
auth-refresh-store-damaged = Stored sign-in is damaged
    .body = The sign-in kept in this computer's keyring cannot be read back whole. Sign in again to replace it; nothing of your calendar is lost.
auth-refresh-lock = Sign-in busy in another Docket Sync
    .body = Another Docket Sync program on this computer is refreshing the sign-in. Docket Sync tries again by itself.
auth-refresh-lock-file = Sign-in lock file not usable
    .body = The sign-in's lock file { $path } cannot be used ({ $detail }). Check that your user account can write the data folder.
auth-refresh-still-unauthorized = Microsoft refused access after a fresh sign-in
    .body = Microsoft Graph refused the request even with a freshly refreshed sign-in. IT: check the app registration's API permissions.

## The browser pages of the sign-in (no links, no scripts)

auth-page-success-title = Docket Sync: signed in
auth-page-success = Sign-in complete
    .body = Docket Sync is signed in as { $account }. You can close this window.
auth-page-failure-title = Docket Sync: sign-in failed
auth-page-failure = Sign-in did not complete
auth-page-what-to-do = What to do:
auth-page-code = Code:
auth-page-rejected-title = Docket Sync: not accepted
auth-page-rejected = Request not accepted
    .body = If you are signing in to Docket Sync, finish in the browser tab Docket Sync opened.
