#!/usr/bin/env bash
# A private Secret Service for one test process:
#   bash scripts/private-keyring.sh COMMAND [ARGS...]
# cargo-nextest runs every test that talks to the OS keyring through this
# wrapper (.config/nextest.toml, `run-wrapper = "private-keyring"`).
#
# COMMAND runs on a D-Bus session bus of its own with a gnome-keyring of
# its own (an unlocked `login` keyring with a throw-away password; keyring
# files and runtime folder in a temp folder that goes away afterwards).
# Nothing is shared between tests: gnome-keyring has been seen to abort
# under a burst of clients or a client that vanishes mid-request (a known
# upstream race), and with one daemon for the whole run every keyring test
# after such an abort failed with it. Here an abort costs the one test that
# was using the daemon, and says so.
#
# The bus activates nothing (its service folder is empty): a daemon that
# died is not replaced by a fresh, locked one, no prompter can appear, and
# nothing else (a notification daemon without a display) is started.
#
# Without dbus-run-session or gnome-keyring-daemon the command runs as it
# is (a developer's machine without them: the keyring tests skip or fail
# on their own), unless DOCKET_REQUIRE_KEYRING=1, when that is an error.
set -euo pipefail
# write_session_bus_config
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$#" -gt 0 ] || {
    echo "usage: scripts/private-keyring.sh COMMAND [ARGS...]" >&2
    exit 2
}

if [ "${1:-}" != "--in-bus" ]; then
    for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            if [ "${DOCKET_REQUIRE_KEYRING:-}" = 1 ]; then
                echo "private-keyring: DOCKET_REQUIRE_KEYRING=1 but $tool is missing" >&2
                exit 2
            fi
            exec "$@"
        fi
    done
    dir="$(mktemp -d -t docketsync-keyring.XXXXXX)"
    # Also when nextest stops the test (a timeout, Ctrl-C).
    trap 'rm -rf "$dir"' EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    mkdir -p "$dir/data" "$dir/config"
    mkdir -m 700 "$dir/run"
    write_session_bus_config "$dir/bus" none
    rc=0
    dbus-run-session --config-file="$dir/bus/session.conf" -- \
        bash "${BASH_SOURCE[0]}" --in-bus "$dir" "$@" || rc=$?
    exit "$rc"
fi
shift # --in-bus
dir="$1"
shift

# The daemon's files live in the temp folder; the test keeps its own
# environment (its HOME and XDG folders are the test's business).
printf '%s' "docketsync-private-keyring" |
    env XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" XDG_RUNTIME_DIR="$dir/run" \
        gnome-keyring-daemon --foreground --unlock --components=secrets >"$dir/keyring.log" 2>&1 &
keyring=$!
ready=""
for _ in $(seq 200); do
    if dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets >/dev/null 2>&1; then
        ready=1
        break
    fi
    kill -0 "$keyring" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$ready" ]; then
    echo "private-keyring: gnome-keyring did not take the Secret Service name; its output:" >&2
    cat "$dir/keyring.log" >&2 || true
    kill "$keyring" 2>/dev/null || true
    exit 2
fi

rc=0
"$@" || rc=$?
if ! kill -0 "$keyring" 2>/dev/null; then
    # Said whatever the test's result, so that a failure next to it is read
    # for what it is.
    echo "private-keyring: this test's gnome-keyring (pid $keyring) died while it ran; its last words:" >&2
    tail -n 20 "$dir/keyring.log" >&2 || true
else
    kill "$keyring" 2>/dev/null || true
    wait "$keyring" 2>/dev/null || true
fi
exit "$rc"
