#!/usr/bin/env bash
# The README's test command:  bash scripts/test.sh
#
# Sets up what it needs (Debian packages, Rust, .venv; see scripts/lib.sh),
# then, inside a private D-Bus session with an unlocked gnome-keyring as the
# Secret Service and a throw-away HOME, runs every layer:
#
#   fmt       cargo fmt --all -- --check
#   clippy    cargo clippy --workspace --all-targets -- -D warnings
#   rust      cargo nextest run --workspace (+ doctests), or cargo test --workspace
#   fidelity  pytest tests/fidelity: the emulator against Microsoft's own
#             clients (msgraph-sdk, msal)
#   fuzz      each cargo-fuzz target in fuzz/ for FUZZ_SECONDS (default 15)
#             from its seed corpus (nightly + cargo-fuzz, installed if missing)
#   desktop   scripts/desktop-test.sh: the tray in a real desktop session
#             (Xvfb, StatusNotifier watcher, dunst, tauri-driver, Chromium)
#
# Every layer runs even when an earlier one failed; the last line sums up and
# the exit code is non-zero if any layer failed. Name layers to run only
# those:  bash scripts/test.sh fidelity
# Extra pytest arguments go in FIDELITY_ARGS, e.g. FIDELITY_ARGS="-k msal -x".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_STEPS=(fmt clippy rust fidelity fuzz desktop)
DEFAULT_STEPS=("${ALL_STEPS[@]}")

if [ "${1:-}" != "--in-session" ]; then
    for step in "$@"; do
        case " ${ALL_STEPS[*]} " in
        *" $step "*) ;;
        *) die "unknown layer '$step' (layers: ${ALL_STEPS[*]})" ;;
        esac
    done
    ensure_apt "${APT_PACKAGES_TEST[@]}"
    ensure_rust
    ensure_venv
    ensure_npm
    # A private session bus: the keyring and anything else the tests start
    # on D-Bus go away with it, and nothing reaches the user's own session.
    # Its configuration (write_session_bus_config) lets nothing start a
    # Secret Service by D-Bus activation: if the one started below dies, the
    # tests see "no Secret Service" instead of a fresh, locked gnome-keyring.
    BUS_CONFIG_DIR="$(mktemp -d -t docketsync-bus.XXXXXX)"
    write_session_bus_config "$BUS_CONFIG_DIR"
    export DOCKETSYNC_TEST_BUS_CONFIG_DIR="$BUS_CONFIG_DIR"
    exec dbus-run-session --config-file="$BUS_CONFIG_DIR/session.conf" -- \
        bash "${BASH_SOURCE[0]}" --in-session "$@"
fi
shift # --in-session
STEPS=("$@")
[ "${#STEPS[@]}" -gt 0 ] || STEPS=("${DEFAULT_STEPS[@]}")

# --- a throw-away home --------------------------------------------------------
# Tests must never touch the real home: HOME and the XDG folders point into a
# temporary folder for the whole run (the keyring file lives there too).
# Cargo and rustup keep their real homes so the toolchain stays found.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
# No incremental compilation data: a test run builds each crate once, and
# the incremental folders would about double the workspace crates' share of
# the target folder. A developer's own cargo commands keep it.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
SESSION_DIR="$(mktemp -d -t docketsync-test.XXXXXX)"
KEYRING_PID=""
WATCH_PID=""
cleanup() {
    # The watcher first, so that stopping the daemon is not reported as a death.
    if [ -n "$WATCH_PID" ]; then kill "$WATCH_PID" 2>/dev/null || true; fi
    if [ -n "$KEYRING_PID" ]; then kill "$KEYRING_PID" 2>/dev/null || true; fi
    rm -rf "$SESSION_DIR"
    if [ -n "${DOCKETSYNC_TEST_BUS_CONFIG_DIR:-}" ]; then rm -rf "$DOCKETSYNC_TEST_BUS_CONFIG_DIR"; fi
}
trap cleanup EXIT
export HOME="$SESSION_DIR/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
export XDG_STATE_HOME="$HOME/.local/state" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$SESSION_DIR/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"

# --- the Secret Service -------------------------------------------------------
# gnome-keyring creates the `login` keyring with this password and unlocks it,
# as a desktop login would. The password guards a keyring that lives for this
# run only.
# It runs in the foreground as a child of this script, so that its id is
# known without asking the bus and what it prints (warnings, the assertion
# before an abort) lands in $KEYRING_LOG.
KEYRING_LOG="$SESSION_DIR/gnome-keyring.log"
KEYRING_DIED="$SESSION_DIR/gnome-keyring.died"
printf '%s' "docketsync-test-keyring" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$KEYRING_LOG" 2>&1 &
KEYRING_PID=$!
# Until the daemon owns org.freedesktop.secrets (nothing else can: no
# activation on this bus).
for _ in $(seq 100); do
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets >/dev/null 2>&1 && break
    kill -0 "$KEYRING_PID" 2>/dev/null || break
    sleep 0.1
done
probe="probe-$$"
if printf '%s' "$probe" | secret-tool store --label="docketsync test probe" docketsync-test probe &&
    [ "$(secret-tool lookup docketsync-test probe)" = "$probe" ]; then
    secret-tool clear docketsync-test probe
    say "Secret Service ready: gnome-keyring (pid $KEYRING_PID), login keyring unlocked"
    # Watch the daemon for the whole run: if it dies, say so once, when it
    # happens, and leave a mark that the layers' results pick up.
    (
        while kill -0 "$KEYRING_PID" 2>/dev/null; do sleep 1; done
        layer="$(cat "$SESSION_DIR/current-layer" 2>/dev/null || echo '?')"
        echo "at $(date -u +%H:%M:%S) UTC, during the $layer layer" >"$KEYRING_DIED"
        printf '\n==> the Secret Service (gnome-keyring, pid %s) died during the run (%s);\n==> keyring tests that fail after this fail because of it\n' \
            "$KEYRING_PID" "$(cat "$KEYRING_DIED")" >&2
    ) &
    WATCH_PID=$!
    # The keyring is there, so the real-keyring tests (docket-secrets) must
    # run and not skip themselves.
    export DOCKET_REQUIRE_KEYRING=1
else
    cat "$KEYRING_LOG" >&2 || true
    die "the Secret Service (gnome-keyring) did not come up in the test session"
fi
# The end-to-end tests (crates/docket-testkit: Chromium + chromedriver, oidc-provider in
# tests/oidc-provider, the keyring above) were installed by this script, so
# a missing component is a failure, not a skip.
export DOCKET_REQUIRE_E2E=1

# --- the layers ---------------------------------------------------------------
cd "$REPO_ROOT"
declare -A RESULT DURATION
declare -A DESCRIPTION=(
    [fmt]="cargo fmt --all -- --check"
    [clippy]="cargo clippy --workspace --all-targets -- -D warnings"
    [rust]="cargo nextest run --workspace + doctests (or cargo test --workspace)"
    [fidelity]="pytest tests/fidelity (msgraph-sdk, msal against the emulator)"
    [fuzz]="cargo +nightly fuzz run <target> for ${FUZZ_SECONDS:-15} s each (fuzz/)"
    [desktop]="scripts/desktop-test.sh (the tray in Xvfb + D-Bus, dunst, tauri-driver, Chromium)"
)

run_step() {
    local name="$1" start rc
    shift
    say "[$name] ${DESCRIPTION[$name]}"
    start=$SECONDS
    echo "$name" >"$SESSION_DIR/current-layer"
    set +e
    # Each layer's output is kept (for the closing count) and shown as it runs.
    "$@" 2>&1 | tee "$SESSION_DIR/layer-$name.log"
    rc=${PIPESTATUS[0]}
    set -e
    DURATION[$name]=$((SECONDS - start))
    disk_report
    if [ "$rc" -eq 0 ]; then RESULT[$name]=ok; else RESULT[$name]="FAILED (exit $rc)"; fi
    # A layer that ran while the Secret Service died fails for that reason,
    # named once, whatever its tests said.
    if [ -f "$KEYRING_DIED" ] && [ -z "${KEYRING_DEATH_REPORTED:-}" ]; then
        KEYRING_DEATH_REPORTED=1
        RESULT[$name]="FAILED (the Secret Service (gnome-keyring) died during the run, $(cat "$KEYRING_DIED"))"
        if [ -s "$KEYRING_LOG" ]; then
            echo "gnome-keyring's last words ($KEYRING_LOG):" >&2
            tail -n 20 "$KEYRING_LOG" >&2
        fi
    fi
}

# Each layer's end names the disk left, so that a full disk on a CI machine
# is seen for what it is (the test build takes several gigabytes).
disk_report() {
    local target="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
    printf '==> disk: %s free on the target folder; target %s\n' \
        "$(df -h --output=avail "$REPO_ROOT" 2>/dev/null | tail -n 1 | tr -d ' ')" \
        "$(du -sh "$target" 2>/dev/null | cut -f1)"
}

step_fmt() { cargo fmt --all -- --check; }
step_clippy() { cargo clippy --workspace --all-targets -- -D warnings; }
step_rust() {
    if cargo nextest --version >/dev/null 2>&1; then
        local rc=0
        cargo nextest run --workspace --no-fail-fast || rc=$?
        # nextest does not run doctests.
        cargo test --workspace --doc || rc=$?
        return "$rc"
    else
        cargo test --workspace --no-fail-fast
    fi
}
step_fidelity() {
    # The fixture starts target/debug/m365-emulator; build it first so a
    # build error shows here and not as a fixture error in every test.
    # Workspace-wide, as the desktop layer builds: `-p m365-emulator` alone
    # would resolve other features and compile about a hundred crates a
    # second time (time and disk).
    cargo build --workspace --bins || return $?
    local rc=0
    # shellcheck disable=SC2086 # FIDELITY_ARGS is split on purpose.
    M365_EMULATOR_BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/m365-emulator" \
        "$VENV/bin/python" -m pytest "$REPO_ROOT/tests/fidelity" -ra ${FIDELITY_ARGS:-} || rc=$?
    # pytest exits 5 when it collected no test: a broken suite, not a pass.
    if [ "$rc" -eq 5 ]; then echo "pytest collected no fidelity test" >&2; fi
    return "$rc"
}

# The fuzz targets of fuzz/ (bodies in crates/docket-fuzz), each for a short
# run from its seed corpus. What a run finds goes to a throw-away copy, so
# the committed corpus stays the seeds; a crash's input lands in
# fuzz/artifacts/<target>/ and fails the layer.
step_fuzz() {
    ensure_nightly || return $?
    ensure_cargo_tool cargo-fuzz "$CARGO_FUZZ_VERSION" || return $?
    local t rc=0 work
    # `cargo fuzz` finds cargo-fuzz on PATH.
    local PATH="$TOOLS_CARGO/bin:$PATH"
    # No sanitizer: the workspace forbids unsafe code, and AddressSanitizer
    # would double the build and slow every execution. --dev: an
    # unoptimised build costs about half the CPU of the release one, which
    # matters more for a short run than executions per second (long runs:
    # docs/reliability.md).
    cargo +nightly fuzz build --dev -s none || return $?
    local targets
    mapfile -t targets < <(cargo +nightly fuzz list)
    work="$(mktemp -d -t docketsync-fuzz.XXXXXX)"
    for t in "${targets[@]}"; do
        say "fuzz $t for ${FUZZ_SECONDS:-15} s"
        mkdir -p "$work/$t"
        cargo +nightly fuzz run --dev -s none "$t" "$work/$t" "$REPO_ROOT/fuzz/corpus/$t" -- \
            -max_total_time="${FUZZ_SECONDS:-15}" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
            -timeout=10 -print_final_stats=1 || rc=$?
    done
    rm -rf "$work"
    return "$rc"
}

step_desktop() { bash "$REPO_ROOT/scripts/desktop-test.sh"; }

for step in "${STEPS[@]}"; do
    run_step "$step" "step_$step"
done

summary=()
failed=0
for step in "${STEPS[@]}"; do
    summary+=("$step ${RESULT[$step]} in ${DURATION[$step]}s")
    [ "${RESULT[$step]}" = ok ] || failed=1
done
# The closing count over every runner: nextest's summary line, `cargo test`'s
# "test result:" lines (doctests) and pytest's final line. A CI reader takes
# the last line as the run's verdict, so it is a plain "N passed, N failed".
count_tests() {
    cat "$SESSION_DIR"/layer-*.log 2>/dev/null | awk '
        function grab(line, word,    m) {
            if (match(line, "[0-9]+ " word)) { m = substr(line, RSTART, RLENGTH); sub(" .*", "", m); return m + 0 }
            return 0
        }
        /^ *Summary \[/ || /^test result:/ || /^=+ .*[0-9]+ (passed|failed).* in [0-9.]+s/ {
            passed += grab($0, "passed"); failed += grab($0, "failed")
        }
        END { printf "%d passed, %d failed\n", passed, failed }'
}
echo
if [ "$failed" -eq 0 ]; then
    echo "TEST SUMMARY: all layers passed: $(IFS=';'; echo "${summary[*]}" | sed 's/;/; /g')"
else
    echo "TEST SUMMARY: SOME LAYERS FAILED: $(IFS=';'; echo "${summary[*]}" | sed 's/;/; /g')"
fi
echo "tests: $(count_tests)"
exit "$failed"
