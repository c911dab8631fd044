#!/usr/bin/env bash
# The README's demo command:  ./scripts/demo.sh
#
# Installs what it needs (see scripts/lib.sh), builds the two programs the
# demo runs — the product's command line `docketsync` and the Microsoft 365
# emulator `m365-emulator` (the product contains no emulator) — and runs
# `m365-emulator demo`: the emulator starts with the demo tenant on
# loopback, a demo fee-earner is signed in with `docketsync signin` (the
# emulator's page filled in for you), the sample firm is exported with
# `docketsync sync`, and the emulator keeps running until Ctrl-C.
#
# Everything the demo writes (its Docket Sync config, state, secrets file,
# logs) lives in its own home, target/demo (or $DOCKETSYNC_DEMO_HOME),
# never in your own home or config. Arguments go to `m365-emulator demo`
# (--port N, --user anna|james, --exit; see its --help).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_apt "${APT_PACKAGES_DEMO[@]}"
ensure_rust
cd "$REPO_ROOT"

say "building docketsync and m365-emulator"
cargo build -p docketsync -p m365-emulator --bin docketsync --bin m365-emulator
TARGET="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"

exec "$TARGET/debug/m365-emulator" demo \
    --home "${DOCKETSYNC_DEMO_HOME:-$REPO_ROOT/target/demo}" \
    --docketsync "$TARGET/debug/docketsync" "$@"
