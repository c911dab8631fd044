# Failures of the app itself (not a classified sign-in problem): one
# message per stable code (docs/cli.md), value = headline, .body = what
# happened. The fix is an action (common.ftl), never a sentence here.

error-config-paths = Docket Sync cannot find its folders
    .body = The folders for its settings and data cannot be used: { $detail }
error-config-invalid = The configuration has { $count ->
        [one] a problem
       *[other] { $count } problems
    }
    .body = { $detail }
# One problem under error-config-invalid: where, what, and its own fix.
error-config-problem = - { $place }: { $problem }
    {"  "}fix: { $fix }
error-config-problem-unplaced = - { $problem }
    {"  "}fix: { $fix }
# The only problem: its fix is the error's own, said once under it.
error-config-only-problem = - { $place }: { $problem }
error-config-only-problem-unplaced = - { $problem }
error-config-extra-ca-file = The firm's certificate file cannot be used
    .body = { $reason }
# Why (the detail is the system's or the TLS library's own text, as received).
error-config-extra-ca-file-unreadable = The file named in microsoft.extra_ca_file, { $file }, cannot be read: { $detail }
error-config-extra-ca-file-not-pem = The file named in microsoft.extra_ca_file holds no PEM certificate that can be used: { $detail }
error-config-extra-ca-file-client = The secure connection to Microsoft could not be set up with the file named in microsoft.extra_ca_file: { $detail }
error-pms-incomplete = The PMS export could not be read completely
    .body = What it could not give has not reached Outlook, and nothing missing from it was deleted. The last run lists what could not be read; the next run tries again.
error-state-corrupt = Docket Sync's database is damaged
    .body = { $detail }
error-state-unreadable = Docket Sync's database cannot be opened
    .body = { $detail }
error-state-too-new = Docket Sync's database is from a newer version
    .body = A newer Docket Sync wrote this database; this version cannot use it: { $detail }
error-state-error = Docket Sync's database failed
    .body = { $detail }
error-signin-none = Not signed in
    .body = Sign in with your Microsoft account so that Docket Sync can export to Outlook.
error-client-secret-public-client = This app has no client secret
    .body = The configuration says the app registration is a public (desktop) client, which has no secret; nothing was stored.
error-client-secret-empty = The client secret is empty
    .body = Nothing was stored.
error-graph-unreachable = Microsoft 365 cannot be reached
    .body = { $detail }
error-graph-error = Microsoft 365 answered with an error
    .body = { $detail }
error-source-credential-not-used = The PMS server needs no credential
    .body = The configuration says the PMS server is read without a credential; nothing was stored.
error-source-credential-empty = The PMS credential is empty
    .body = Nothing was stored.
error-sync-already-running = An export is already running
    .body = Another export for you is running (in the background or in a terminal); this one waited { $seconds } s and did not start.
error-sync-lock-file = The export lock file cannot be used
    .body = { $file }: { $detail }
error-source-demo-user-unknown = The demo firm has no data for “{ $user }”
    .body = Sign in as one of the demo fee-earners; the demo's sign-in page names them.
error-sync-failed = The export stopped
    .body = { $reason }
# Why (a detail is the system's own text, as received).
error-sync-failed-source-stopped = Reading the PMS stopped before it finished: { $detail }
error-sync-failed-task-list-no-id = Microsoft 365 created the To Do list “Docket Sync” but sent no id for it.
error-sync-failed-lock-task-stopped = Waiting for the export lock stopped: { $detail }

# Why a Microsoft Graph request failed, said after what failed: the body
# of error-graph-*, a failed item of an export (sync-failed-graph), a
# module's test read. Microsoft's status, code and message and the
# system's own text (a detail) are passed on as received.
graph-answered = status { $status } { $code }
    .body = { $message }
graph-answered-status = status { $status }
    .body = { $message }
graph-timed-out = no answer in time
    .body = { $detail }
graph-connection-failed = no connection
    .body = { $detail }
graph-answer-cut-off = the answer was cut off
    .body = { $detail }
graph-request-failed = the request failed
    .body = { $detail }
graph-not-a-url = the request's address is not a valid URL
    .body = { $detail }
graph-answer-not-read = the answer was over { $size } and was not read; the change may have been made
graph-not-sent = the request was not sent
graph-no-token = no access token
    .body = { $detail }
graph-not-json = the answer is not valid JSON
    .body = { $detail }
graph-batch-item-missing = the batch answer has no answer for item { $id }
graph-batch-item-status = item { $id } of the batch was answered without a valid HTTP status
graph-too-large = the answer was over { $size } and was not read
graph-too-many-pages = the listing went on for more than { $pages } pages; reading stopped
graph-foreign-link = a link pointed to { $origin }, not to the configured Graph address; it was dropped and nothing was sent there

# Why the state database cannot be used: the body of error-state-*. A
# detail is SQLite's or the system's own text, as received.
database-damaged = { $file }: { $detail }. Move the file aside: Docket Sync makes a new one; sign in again, and the next export reads Microsoft 365 afresh.
database-unopenable = { $file }: { $detail }. Check that your user account may read and write the file.
database-newer = { $file } has schema { $found }, this version knows up to { $known }. Update Docket Sync, or move the file aside to start afresh.
database-failed = { $file }: { $detail }

# Why Docket Sync's folders cannot be found: the body of error-config-paths.
paths-no-home = your home folder cannot be found. Set { $env } to the folder where Docket Sync should keep its files.
paths-relative-home = { $env } is { $path }, which is not a full path. Set it to a full path.

# Desktop notifications: a short title; the message below it.
notify-sign-in-again = Docket Sync: please sign in again
notify-admin-must-act = Docket Sync: your IT must act
notify-act-soon = Docket Sync: action needed soon
notify-export-failing = Docket Sync: the export keeps failing
notify-export-failing-detail = The export failed { $times } times in a row since { $since }
    .body = { $reason } Docket Sync keeps trying.
notify-back-in-step = Docket Sync: back in step
notify-back-in-step-detail = Outlook is up to date again
    .body = The problem is over; exporting works again.

# Warnings: something will need doing soon.
warning-inactivity-expiry = Your sign-in expires on { $on }
    .body = Renewing the sign-in has been failing; it expires on { $on } unless Docket Sync can reach Microsoft before then.
warning-sign-in-required = Please sign in again by { $on }
    .body = Your organisation requires a new sign-in by { $on }.
warning-client-secret-expiring = { $days ->
        [one] The app's client secret expires tomorrow
       *[other] The app's client secret expires in { $days } days
    }
    .body = When it has expired, nobody in the firm can export until IT stores a new one.
warning-client-secret-expired = The app's client secret has expired
    .body = Nobody in the firm can export until IT stores a new one.
warning-client-secret-missing = No client secret is stored
    .body = The firm's app registration needs a client secret on this computer.
error-unknown-problem = The sign-in has a problem this version does not know
    .body = Microsoft reported { $code }.

# The tray's state line: "In step · 14:32" (the time of the last good export).
state-line = { $state } · { $time }
state-in-step = In step
state-exporting = Exporting…
# Signed in, and no export has run yet (the first one comes at once in the tray).
state-not-exported = Not exported yet
state-needs-user = Please sign in again
state-deletions-wait = Deletions wait for you
state-needs-admin = Your IT must act
state-retrying = Trying again shortly
state-signed-out = Not signed in
state-paused = Paused

module-calendar = Calendar
module-tasks = Deadlines and follow-ups
module-contacts = Contacts

# A module's problem in its last run (its row in the status).
module-items-failed = { $n ->
        [one] 1 item could not be exported
       *[other] { $n } items could not be exported
    }
    .body = { $item }: { $reason }. Docket Sync tries again at the next run.
module-items-held-back = { $n ->
        [one] 1 item pauses after repeated failures
       *[other] { $n } items pause after repeated failures
    }
    .body = { $item }: { $reason }.

# A run's summary.
run-created = { $n } created
run-updated = { $n } updated
run-deleted = { $n } deleted
run-recreated = { $n } restored
run-failed = { $n } failed
run-held-back = { $n } paused
run-skipped = { $n ->
    [one] 1 record skipped
   *[other] { $n } records skipped
}
run-nothing-to-do = Nothing to do: Outlook was in step
run-stopped = The export stopped

## docketsync check / the tray's "Test connection": one module

check-module-permission-missing = The permission { $scope } is missing
    .body = IT adds it in the Azure portal (App registrations → API permissions → Microsoft Graph → Delegated) and grants admin consent; then sign in again.
check-module-unreachable = Microsoft Graph could not be asked: { $detail }
    .body = Docket Sync tries again later.

## The firm's settings as the status window lists them (read-only).

setting-tenant = Microsoft 365 organisation (tenant)
setting-source = Where the PMS data comes from
setting-source-demo = The sample firm (demo)
setting-deadlines-to = Deadlines and follow-ups go to
setting-deadlines-to-todo = Microsoft To Do
setting-deadlines-to-calendar = The Outlook calendar
setting-force-private = Appointments marked private in Outlook
setting-yes = Yes
setting-no = No
