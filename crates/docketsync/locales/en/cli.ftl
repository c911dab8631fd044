# The command line's own words: its commands, and the fixes it can name
# as commands. Everything else comes from docket-text's catalogues.

# A fix, in the CLI's words (an action without a line here is shown with
# its common label).
cli-action-sign-in = run `docketsync signin`
cli-action-export-now = run `docketsync sync`
cli-action-retry-held-back = run `docketsync sync --retry-now`
cli-action-allow-deletions = run `docketsync sync --force`
cli-action-resume = choose Resume in the Docket Sync tray menu (`docketsync run` keeps a pause made there)
cli-action-test-again = run `docketsync doctor` again
cli-action-open-log = send the newest file in the log folder to your IT (`docketsync doctor` names the folder)
cli-action-open-status = see `docketsync status`
# The code is in this output (doctor shows none of its own).
cli-action-ask-admin = Ask your IT, showing them this output
cli-action-set-client-secret = IT: store a new client secret with `docketsync client-secret set`
cli-action-set-source-credential = IT: store the PMS server's credential with `docketsync source-credential set`
cli-action-change-setting = change { $key } in your own configuration file (`docketsync doctor` shows where it is)

cli-fix = fix
cli-error = error

cli-signin-open = Opening your browser to sign in. If it does not open, copy this address into a browser on this computer:
cli-signin-no-browser = Open this address in a browser on this computer to sign in:
cli-signin-waiting = Waiting for the sign-in to finish (Ctrl-C to cancel)...
cli-signin-cancelled = The sign-in was cancelled; nothing was changed.
cli-signin-done = Signed in as { $who }.
cli-signin-again = Signed in as { $who } (signed in again).

cli-signout-done = Signed out { $user }; its sign-in was removed from { $location }.
cli-signout-none = Not signed in; nothing to remove.

# `docketsync run`: its first line ($state: the status line, "In step · 14:32";
# it may end in "…", so no full stop follows it),
# and a notification's head before its text.
cli-run-started = Docket Sync: { $state } · { $minutes ->
    [one] Exporting every minute; Ctrl-C stops.
   *[other] Exporting every { $minutes } minutes; Ctrl-C stops.
}
cli-run-paused = Docket Sync: { $state } · Exporting was paused in the tray: choose Resume in its menu, then start this command again; Ctrl-C stops.
cli-run-notice = Notice: { $title }

cli-check-ok = OK: signed in as { $user }; the sign-in was refreshed and Microsoft Graph answered.

cli-client-secret-prompt = Paste the client secret's Value (Azure portal → App registrations → Certificates & secrets; not shown) and press Enter:
cli-client-secret-stored = The client secret was stored in { $location }.
cli-source-credential-prompt-token = Paste the PMS server's token (not shown) and press Enter:
cli-source-credential-prompt-password = Password of '{ $user }' on the PMS server (not shown), then Enter:
cli-source-credential-stored = The PMS credential was stored in { $location }.
cli-runtime-failed = cannot start the async runtime: { $error }
cli-secret-unreadable = cannot read the secret from standard input: { $error }

# `docketsync status`
cli-status-account = Account
cli-status-signed-in = signed in
cli-status-last-refresh = last good refresh
cli-status-next-sign-in = next sign-in required
cli-status-modules = Modules
cli-status-module-off = off
cli-status-module-in-step = { $n ->
    [one] 1 item in step
   *[other] { $n } items in step
}
cli-status-problems = Needs attention
cli-status-warnings = Soon
cli-status-last-run = Last export
cli-status-next-run = Next export
cli-status-next-retry = Next try
cli-status-planned = planned { $time } by Docket Sync in the background
cli-status-not-planned = unknown: no export in the background has planned one
cli-status-earlier-runs = Earlier exports
cli-status-secrets = Sign-in kept in
