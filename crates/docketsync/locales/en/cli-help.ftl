# The command line's help (`docketsync --help`, `-h`, `docketsync help
# <command>`): what clap shows, in the reader's language (`cli.rs` puts
# these texts into clap's command before it parses).
#
# cli-help-command-<command> is a command's description (nested commands
# joined with "-": cli-help-command-client-secret-set; the program itself is
# cli-help-command), with an optional .after shown below its options.
# cli-help-arg-<argument> is an option's help; cli-help-arg-<command>-<argument>
# overrides it for one command. Clap's own additions to a help line
# ([possible values: …], [env: …], [default: …]) are not shown: the help
# text says them.

# The headings, placeholders and the value names of clap's help pages.
cli-help-heading-usage = Usage
cli-help-heading-commands = Commands
cli-help-heading-options = Options
cli-help-heading-arguments = Arguments
# In a usage line: "docketsync [OPTIONS] <COMMAND>"; the value names are
# those of the options (<PATH>) and of the command (<COMMAND>).
cli-help-placeholder-options = [OPTIONS]
cli-help-value-command = COMMAND
cli-help-value-path = PATH
cli-help-value-lang = LANG

cli-help-command = Docket Sync exports appointments, deadlines and contacts from your practice-management system into Outlook, Microsoft To Do and Outlook contacts
    .after =
        Configuration: Docket Sync reads the firm configuration file (see --config)
        and merges your personal overrides file over it. DOCKETSYNC_HOME=DIR keeps
        every file (configuration, data, logs) under DIR instead.
cli-help-command-signin = Sign in to Microsoft 365 in your browser. Opens the system browser (the BROWSER environment variable is honoured) and always prints the address too, for copy and paste. When an account is already signed in, signs that account in again (another account is refused: sign out first to switch)
cli-help-command-signout = Sign out: removes the sign-in (refresh token and every other secret of the account) from the keyring, and forgets the account
cli-help-command-status = Show who is signed in, since when, the last good refresh, the last problem with its fix, and warnings
cli-help-command-check = Refresh the sign-in now and ask Microsoft Graph who is signed in; records the result (success, or the problem and its fix)
cli-help-command-sync = Export now: read the practice-management data, find what changed in Microsoft 365, and bring Outlook, To Do and contacts in step with the PMS. Prints what was created, updated, deleted, recreated and skipped (with reasons), and how many Graph requests it took. `docketsync export` is the same command
cli-help-command-run = Keep exporting in the foreground, as the tray does in the background: every policy.sync_interval_minutes, retrying temporary failures sooner, waiting when the sign-in needs the user (it goes on by itself after `docketsync signin` in another terminal), and printing each run and any notification. Stop with Ctrl-C
cli-help-command-client-secret = Manage the client secret of a confidential (Web) app registration
cli-help-command-client-secret-set = Store the client secret in the OS keyring. Reads it from standard input (never from the command line, where other users could see it), e.g. `docketsync client-secret set < secret.txt`
cli-help-command-source-credential = Manage the password or token for the PMS server (source.auth = "basic" or "bearer": an HTTPS calendar file or CalDAV/CardDAV)
cli-help-command-source-credential-set = Store the PMS password (source.auth = "basic", for source.username) or token ("bearer") in the OS keyring. Asks for it without showing it, or reads it from standard input (never from the command line), e.g. `docketsync source-credential set < password.txt`
cli-help-command-doctor = Check that Docket Sync can work here: the configuration is valid, the sign-in port is free, the extra CA file is readable, the data and log folders are writable, and Microsoft's sign-in service (the authority) answers. Prints one line per check: OK, WARN, FAIL or SKIP, and what to do. Exits 0 when no check fails, else with the code of who must act on the first failure (see docs/cli.md)
# Clap's `help` command.
cli-help-command-help = Print this message or the help of the given subcommand(s)

cli-help-arg-config = The firm configuration file to use. Without it: the DOCKETSYNC_CONFIG environment variable, else the platform's default location (Linux /etc/docketsync/config.toml, Windows %ProgramData%\DocketSync\config.toml, macOS /Library/Application Support/DocketSync/config.toml, or DOCKETSYNC_HOME/firm/config.toml)
cli-help-arg-lang = The language of what is printed: en or de. Without it: app.language in your settings, else the system's language (LANG, LC_MESSAGES)
cli-help-arg-help = Print help
cli-help-arg-version = Print version
cli-help-arg-json = Print stable JSON for scripts (see docs/cli.md)
cli-help-arg-doctor-json = Print the report as stable JSON for scripts (see docs/cli.md)
cli-help-arg-no-browser = Do not open a browser; only print the address
cli-help-arg-dry-run = Only show the plan, in plain words; change nothing
cli-help-arg-force = Carry out deletions the safety brake held back (more than policy.max_delete_share of the exported items in one run)
cli-help-arg-retry-now = Try items that keep failing now, instead of after their pause (15 minutes after the second failure, growing to 12 hours)
# The argument of clap's `help` command.
cli-help-arg-subcommand = Print help for the subcommand(s)

# Clap's errors about the command line, after "error: " (cli-error). Names
# and values come quoted: '--force', 'en', 'de'.
cli-error-unknown-argument = unexpected argument { $arg } found
cli-error-unknown-command = unrecognized subcommand { $command }
cli-error-missing-value = a value is required for { $arg } but none was supplied
cli-error-invalid-value = invalid value { $value } for { $arg }
cli-error-repeated = the argument { $arg } cannot be used multiple times
cli-error-conflict = the argument { $arg } cannot be used with { $other }
cli-error-missing-command = { $command } requires a subcommand but one was not provided
cli-error-no-equals = equal sign is needed when assigning values to { $arg }
cli-error-too-many-values = unexpected value { $value } for { $arg } found; no more were expected
cli-error-possible-values = [possible values: { $values }]
cli-error-commands = [subcommands: { $commands }]
cli-error-similar = tip: a similar name exists: { $similar }
cli-error-more = For more information, try '--help'.
