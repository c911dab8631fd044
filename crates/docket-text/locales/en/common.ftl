# Words every front end uses: who must act, and the fixes as actions.
# An action's text is a button label when a front end can do it for the
# user (sign in, export now …) and an instruction otherwise.

who-user = You
who-admin = Your IT
who-nobody = Nobody

action-sign-in = Sign in again
action-export-now = Export now
action-retry-held-back = Try the paused items now
action-allow-deletions = Allow these deletions
action-resume = Resume
action-test-again = Test again
action-open-log = Open log folder
action-open-status = Open status window
action-wait = Nothing to do: Docket Sync tries again by itself
action-check-network = Check the network connection
action-unlock-keyring = Unlock the system keyring (or sign in to the computer normally)
action-provide-keyring = IT: provide a system keyring (or allow the token file)
action-grant-consent = IT: grant admin consent to the app
action-fix-app-registration = IT: correct the app registration in Entra ID
action-set-client-secret = IT: store a new client secret
action-set-source-credential = IT: store the PMS server's credential
action-edit-config = IT: change { $key } in the configuration file
action-change-setting = Change { $key } in your settings (or in your own configuration file)
action-check-source = IT: check the PMS server or export folder
action-correct-records = Correct these records in the PMS
action-ask-admin = Ask your IT, quoting the code
