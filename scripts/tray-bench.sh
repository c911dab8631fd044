#!/usr/bin/env bash
# The tray's benchmarks (docs/benchmarks.md, "The tray"):
#   bash scripts/tray-bench.sh [--idle-seconds N] [--starts N]
#
# Builds the release tray, the CLI and the emulator; starts the emulator's
# demo (demo tenant, sample firm, signed in, exported once) in a home of
# its own; then, in a desktop session (scripts/desktop-session.sh), runs
# scripts/tray_bench.py against the release tray: start to tray visible,
# memory (PSS) of the tray's process tree with the window never opened,
# open and closed again, and CPU over an idle stretch (default 10 minutes;
# the interval is set to an hour so no export falls into it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_apt "${APT_PACKAGES_TEST[@]}"
ensure_rust
cd "$REPO_ROOT"
# TRAY_BENCH_PROFILE=debug measures (and with TRAY_BENCH_NO_BUILD, only
# uses) the debug binaries: the short run of the test command.
PROFILE="${TRAY_BENCH_PROFILE:-release}"
# TRAY_BENCH_NO_BUILD=1 measures the binaries already built.
if [ -z "${TRAY_BENCH_NO_BUILD:-}" ]; then
    say "building the $PROFILE tray, CLI and emulator"
    cargo build "--profile=$([ "$PROFILE" = debug ] && echo dev || echo release)" -p docket-tray -p docketsync -p m365-emulator \
        --bin docket-sync-tray --bin docketsync --bin m365-emulator
fi
TARGET="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/$PROFILE"

HOME_DIR="$(mktemp -d -t docketsync-tray-bench.XXXXXX)"
EMULATOR_PID=""
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$HOME_DIR"
}
trap cleanup EXIT

"$TARGET/m365-emulator" demo --port 0 --home "$HOME_DIR/demo" \
    --docketsync "$TARGET/docketsync" >"$HOME_DIR/demo.log" 2>&1 &
EMULATOR_PID=$!
for _ in $(seq 600); do
    grep -q "Press Ctrl-C" "$HOME_DIR/demo.log" && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || die "the demo stopped: $(cat "$HOME_DIR/demo.log")"
    sleep 0.1
done
grep -q "Press Ctrl-C" "$HOME_DIR/demo.log" || die "the demo did not get ready: $(cat "$HOME_DIR/demo.log")"
# An hour between exports: the idle stretch has none.
printf '\n[policy]\nsync_interval_minutes = 60\n' >>"$HOME_DIR/demo/firm/config.toml"

bash "$REPO_ROOT/scripts/desktop-session.sh" /usr/bin/python3 "$REPO_ROOT/scripts/tray_bench.py" \
    --tray "$TARGET/docket-sync-tray" --home "$HOME_DIR/demo" "$@"
