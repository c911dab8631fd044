#!/bin/sh
# Runs docket-secrets' tests against a real Secret Service: a throwaway
# gnome-keyring in a private D-Bus session, its keyring files in a temp
# folder (never the real home). Missing keyring = failure, not a skip.
#
# Needs: apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools
#        (plus libdbus-1-dev pkg-config to build).
# Extra arguments go to `cargo test -p docket-secrets`.
set -eu
for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
    command -v "$tool" >/dev/null || {
        echo "missing $tool: apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools" >&2
        exit 1
    }
done
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home/data" XDG_CONFIG_HOME="$keyring_home/config" \
    XDG_CACHE_HOME="$keyring_home/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# The keyring password only protects this throwaway keyring.
dbus-run-session -- sh -c '
    printf %s docket-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    DOCKET_REQUIRE_KEYRING=1 exec cargo test -p docket-secrets "$@"
' sh "$@"
