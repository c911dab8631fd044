#!/bin/sh
# Runs docket-secrets' tests against a real Secret Service: a throwaway
# gnome-keyring in a private D-Bus session (scripts/private-keyring.sh, the
# wrapper nextest uses for every keyring test), its keyring files in a temp
# folder (never the real home). Missing keyring = failure, not a skip.
#
# Needs: apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools
#        (plus libdbus-1-dev pkg-config to build).
# Extra arguments go to `cargo test -p docket-secrets`.
# (`DOCKET_REQUIRE_KEYRING=1 cargo nextest run -p docket-secrets` does the
# same, one private keyring per test.)
set -eu
DOCKET_REQUIRE_KEYRING=1 exec bash "$(dirname "$0")/../../scripts/private-keyring.sh" \
    cargo test -p docket-secrets "$@"
