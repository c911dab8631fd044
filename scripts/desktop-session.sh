#!/usr/bin/env bash
# A desktop session for the tray, and a command run inside it:
#   bash scripts/desktop-session.sh COMMAND [ARGS...]
# Used by scripts/desktop-test.sh (the `desktop` layer) and
# scripts/tray-bench.sh (the tray's benchmarks).
#
# It builds the session the tray meets on a fee-earner's Linux desktop:
#   Xvfb                     a display (GTK, WebKit and dunst need one)
#   dbus-run-session         a private session bus (when not already in one)
#   gnome-keyring            the Secret Service, the session's own
#   status-notifier-watcher  the StatusNotifier watcher a panel provides,
#                            plus one registered host, so the item registers
#   dunst                    a real notification daemon; every Notify call
#                            on the bus is recorded by `busctl --user monitor`
#                            into $DOCKET_DESKTOP_NOTIFY_LOG
# and exports DISPLAY, DOCKET_DESKTOP=1, DOCKET_DESKTOP_NOTIFY_LOG,
# TAURI_DRIVER (tauri-driver, installed into .tools) and WEBKIT_WEBDRIVER
# for the command. Exits with the command's exit code.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$#" -gt 0 ] || die "usage: scripts/desktop-session.sh COMMAND [ARGS...]"
# A private bus: test.sh's (it sets DOCKETSYNC_TEST_BUS_CONFIG_DIR) or our
# own, never the user's desktop session.
if [ -z "${DOCKETSYNC_TEST_BUS_CONFIG_DIR:-}" ] && [ -z "${DOCKET_DESKTOP_OWN_BUS:-}" ]; then
    ensure_apt "${APT_PACKAGES_TEST[@]}"
    ensure_rust
    DOCKET_DESKTOP_OWN_BUS=1 exec dbus-run-session -- bash "${BASH_SOURCE[0]}" "$@"
fi
ensure_rust
ensure_cargo_tool tauri-driver "$TAURI_DRIVER_VERSION"

WORK="$(mktemp -d -t docketsync-desktop.XXXXXX)"
PIDS=()
KEYRING_PID=""
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ -n "${KEEP_DESKTOP_WORK:-}" ]; then
        echo "desktop session files kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# The keyring: the session's own, with its keyring files and runtime
# folder in $WORK, so no `login` keyring of another password (a daemon of
# an earlier session) is ever met. Unless one already owns the name (a
# bus that has one), it is started here.
if ! dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets >/dev/null 2>&1; then
    mkdir -p "$WORK/keyring-data" "$WORK/keyring-config"
    mkdir -m 700 "$WORK/keyring-run"
    printf '%s' "docketsync-desktop-test" |
        env XDG_DATA_HOME="$WORK/keyring-data" XDG_CONFIG_HOME="$WORK/keyring-config" \
            XDG_RUNTIME_DIR="$WORK/keyring-run" \
            gnome-keyring-daemon --foreground --unlock --components=secrets >"$WORK/keyring.log" 2>&1 &
    KEYRING_PID=$!
    PIDS+=("$KEYRING_PID")
fi

# The display. -displayfd picks a free one and tells us which.
exec {DISPLAY_FD}<> <(:)
Xvfb -displayfd "$DISPLAY_FD" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
read -r -t 30 -u "$DISPLAY_FD" display_number || die "Xvfb did not start ($(cat "$WORK/xvfb.log"))"
export DISPLAY=":$display_number"
# Software rendering under Xvfb: WebKit's compositing shows a blank page.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1

wait_for_name() {
    local name="$1" i
    for i in $(seq 200); do
        busctl --user status "$name" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    die "$name did not appear on the session bus"
}

# The StatusNotifier watcher, and a host (as a panel would register).
status-notifier-watcher >"$WORK/watcher.log" 2>&1 &
PIDS+=($!)
wait_for_name org.kde.StatusNotifierWatcher
# The keyring started above (the tray's first probe must find it).
wait_for_name org.freedesktop.secrets
busctl --user call org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
    org.kde.StatusNotifierWatcher RegisterStatusNotifierHost s org.docketsync.TestHost

# The notification daemon, with the tray's action as the default action
# (so `dunstctl action 0` invokes "Sign in again"), and the recorder.
cat >"$WORK/dunstrc" <<'RC'
[global]
    timeout = 0
    idle_threshold = 0
    history_length = 50
    sticky_history = yes
[sign_in_action]
    appname = "Docket Sync"
    action_name = "sign_in"
RC
busctl --user monitor --json=short \
    --match "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
    >"$WORK/notify.jsonl" 2>"$WORK/busctl.log" &
PIDS+=($!)
dunst -config "$WORK/dunstrc" >"$WORK/dunst.log" 2>&1 &
PIDS+=($!)
wait_for_name org.freedesktop.Notifications

export DOCKET_DESKTOP=1
export DOCKET_DESKTOP_NOTIFY_LOG="$WORK/notify.jsonl"
export TAURI_DRIVER="$TOOLS_CARGO/bin/tauri-driver"
export WEBKIT_WEBDRIVER="${WEBKIT_WEBDRIVER:-$(command -v WebKitWebDriver)}"
say "desktop session: DISPLAY=$DISPLAY, watcher, dunst, notification recorder"
set +e
"$@"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
    echo "--- notifications recorded ---" >&2
    cat "$WORK/notify.jsonl" >&2 || true
    echo "--- dunst ---" >&2
    tail -n 20 "$WORK/dunst.log" >&2 || true
    if [ -n "$KEYRING_PID" ]; then
        if kill -0 "$KEYRING_PID" 2>/dev/null; then
            echo "--- gnome-keyring (still running) ---" >&2
        else
            echo "--- gnome-keyring (pid $KEYRING_PID) DIED during the session ---" >&2
        fi
        tail -n 20 "$WORK/keyring.log" >&2 || true
    fi
fi
exit "$rc"
