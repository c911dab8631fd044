#!/usr/bin/env bash
# The README's demo command:  ./scripts/demo.sh
#
# Installs what it needs (see scripts/lib.sh), builds the `docketsync` CLI
# and runs the Microsoft 365 emulator with the demo tenant on loopback,
# then prints what to open. Ctrl-C stops it.
#
# Everything the demo writes (emulator state, its CA, a ready-made
# docketsync config) lives in target/demo (or $DOCKETSYNC_DEMO_HOME), never
# in your own home or config. Port: DEMO_PORT (default 8400). Plain HTTP on
# loopback by default, so a browser shows the sign-in pages without a
# certificate warning; DEMO_HTTPS=1 also serves HTTPS (DEMO_HTTPS_PORT,
# default 8401) with the emulator's own CA, and sign-in then uses it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES_DEMO+=(python3) # reads the emulator's ready file below
ensure_apt "${APT_PACKAGES_DEMO[@]}"
ensure_rust
cd "$REPO_ROOT"

say "building docketsync"
cargo build -p docketsync
BIN="$REPO_ROOT/target/debug/docketsync"
if [ -n "${CARGO_TARGET_DIR:-}" ]; then BIN="$CARGO_TARGET_DIR/debug/docketsync"; fi

DEMO_HOME="${DOCKETSYNC_DEMO_HOME:-$REPO_ROOT/target/demo}"
mkdir -p "$DEMO_HOME"
export DOCKETSYNC_HOME="$DEMO_HOME"

# Hook: once the CLI has its own guided `demo` command, it takes over.
if "$BIN" demo --help >/dev/null 2>&1; then
    exec "$BIN" demo "$@"
fi

PORT="${DEMO_PORT:-8400}"
READY="$DEMO_HOME/emulator-ready.json"
CONFIG="$DEMO_HOME/config.toml"
rm -f "$READY"
HTTPS_ARGS=()
if [ "${DEMO_HTTPS:-0}" = 1 ]; then
    HTTPS_ARGS=(--https --https-port "${DEMO_HTTPS_PORT:-8401}")
fi
"$BIN" emulator --port "$PORT" "${HTTPS_ARGS[@]}" \
    --state-file "$DEMO_HOME/emulator-state.json" \
    --write-config "$CONFIG" \
    --ready-file "$READY" &
EMULATOR_PID=$!
stop() {
    trap - INT TERM EXIT
    if kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -TERM "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
}
trap stop INT TERM EXIT

for _ in $(seq 1 300); do
    [ -s "$READY" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$READY" 2>/dev/null && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || die "the emulator exited; is port $PORT in use? (set DEMO_PORT)"
    sleep 0.1
done
[ -s "$READY" ] || die "the emulator did not report ready within 30 s"

python3 - "$READY" "$CONFIG" "$BIN" "$DEMO_HOME" <<'EOF'
import json, sys
from urllib.parse import urlencode

info = json.load(open(sys.argv[1]))
config, binary, home = sys.argv[2], sys.argv[3], sys.argv[4]
base = info.get("https_base_url") or info["base_url"]
tenant = info["tenant_id"]
query = urlencode({
    "client_id": info["public_client_id"],
    "response_type": "code",
    "redirect_uri": "http://localhost",
    "response_mode": "query",
    "scope": "openid profile offline_access User.Read Calendars.ReadWrite Tasks.ReadWrite Contacts.ReadWrite",
    "state": "demo",
})
print()
print("Docket Sync demo: the Microsoft 365 emulator is running.")
print()
print("Open in a browser:")
print(f"  Sign-in page (what a fee-earner sees):  {base}/{tenant}/oauth2/v2.0/authorize?{query}")
print(f"  OpenID configuration:                   {base}/{tenant}/v2.0/.well-known/openid-configuration")
if info.get("ca_file"):
    print(f"  (HTTPS uses the emulator's own CA: {info['ca_file']};")
    print("   your browser warns about it unless you trust that CA)")
print(f"  Sign in as {info['users'][0]['upn']} (password {info['users'][0]['password']}, emulator only).")
print()
print("Try the CLI against it in another terminal:")
print(f"  DOCKETSYNC_HOME={home} {binary} --config {config} doctor")
print()
print("Press Ctrl-C to stop.")
EOF

wait "$EMULATOR_PID"
