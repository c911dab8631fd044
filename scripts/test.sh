#!/usr/bin/env bash
# The README's test command:  bash scripts/test.sh
#
# Sets up what it needs (Debian packages, Rust, .venv; see scripts/lib.sh),
# then, inside a private D-Bus session with a throw-away HOME (and a private,
# unlocked gnome-keyring for each test that needs one), runs every layer:
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
    # Secret Service by D-Bus activation: a test that reaches for one
    # outside scripts/private-keyring.sh sees "no Secret Service" instead of
    # a fresh, locked gnome-keyring.
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
# temporary folder for the whole run.
# Cargo and rustup keep their real homes so the toolchain stays found.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
# No incremental compilation data: a test run builds each crate once, and
# the incremental folders would about double the workspace crates' share of
# the target folder. A developer's own cargo commands keep it.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
SESSION_DIR="$(mktemp -d -t docketsync-test.XXXXXX)"
cleanup() {
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
# No keyring is shared by the run: every test that talks to the OS keyring
# runs on a private bus with a gnome-keyring of its own
# (scripts/private-keyring.sh, the nextest wrapper of .config/nextest.toml),
# and the desktop layer's session starts its own (scripts/desktop-session.sh).
# gnome-keyring has been seen to abort under load; one daemon for the whole
# run then took every keyring test after it down (20 tests in one CI run).
# This session bus activates no Secret Service either, so a test that
# reaches for a keyring outside the wrapper finds none (its tokens go to the
# file if its firm allows that, or it fails) instead of meeting a fresh,
# locked one.
# Checked once here: a private keyring starts and keeps a secret.
probe="probe-$$"
if bash "$REPO_ROOT/scripts/private-keyring.sh" sh -c '
        printf "%s" "$1" | secret-tool store --label="docketsync test probe" docketsync-test probe &&
        [ "$(secret-tool lookup docketsync-test probe)" = "$1" ]' sh "$probe"; then
    say "Secret Service: a private gnome-keyring per keyring test (checked: one starts, unlocked)"
    # The keyring is there, so the real-keyring tests (docket-secrets) must
    # run and not skip themselves.
    export DOCKET_REQUIRE_KEYRING=1
else
    die "a private gnome-keyring (scripts/private-keyring.sh) did not start or did not keep a secret"
fi
# The end-to-end tests (crates/docket-testkit: Chromium + chromedriver, oidc-provider in
# tests/oidc-provider, gnome-keyring) were installed by this script, so
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
    set +e
    # Each layer's output is kept (for the closing count) and shown as it runs.
    "$@" 2>&1 | tee "$SESSION_DIR/layer-$name.log"
    rc=${PIPESTATUS[0]}
    set -e
    DURATION[$name]=$((SECONDS - start))
    disk_report
    if [ "$rc" -eq 0 ]; then RESULT[$name]=ok; else RESULT[$name]="FAILED (exit $rc)"; fi
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
        # Without nextest's wrapper, one private keyring for the whole run.
        bash "$REPO_ROOT/scripts/private-keyring.sh" cargo test --workspace --no-fail-fast
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
