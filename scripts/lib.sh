# Shared set-up steps for scripts/demo.sh and scripts/test.sh.
#
# Sourced, not run. Every `ensure_*` function is idempotent and fast when
# its part is already in place, so both README commands can run it on every
# start: a fresh Debian 12 machine (as root) gets everything installed, a
# prepared one pays a few `dpkg -s` calls and a hash comparison.
#
# Packages come only from Debian (apt), crates.io (cargo), PyPI (pip into
# .venv) and npm.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
FIDELITY_DIR="$REPO_ROOT/tests/fidelity"

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Run as root, or through sudo when that exists (a developer's own machine).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

# Debian packages the project needs, now or in the issues planned next:
# - build-essential pkg-config libdbus-1-dev: C parts of crates (keyring over D-Bus);
# - python3-venv: the fidelity tests' virtualenv;
# - chromium chromium-driver: browser-driven sign-in tests;
# - gnome-keyring dbus dbus-x11 libsecret-tools: a real Secret Service for
#   the keyring tests (secret-tool for checking it by hand);
# - dunst libnotify-bin: a notification daemon for desktop notifications;
# - xvfb xauth: a display for the tray app's tests;
# - libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev
#   libssl-dev: building the tray (Tauri's Debian list);
# - webkit2gtk-driver: WebKitWebDriver, which tauri-driver drives;
# - haskell-status-notifier-item-utils: a StatusNotifier watcher, so that
#   the tray's item registers on the test session's bus;
# - python3-gi: Gio, for looking at the bus by hand.
APT_PACKAGES_TEST=(
    build-essential pkg-config libdbus-1-dev python3-venv
    chromium chromium-driver
    gnome-keyring dbus dbus-x11 libsecret-tools
    dunst libnotify-bin xvfb xauth
    libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
    webkit2gtk-driver haskell-status-notifier-item-utils python3-gi python3-xlib
)
# The demo builds and runs the CLI and emulator only.
APT_PACKAGES_DEMO=(build-essential pkg-config libdbus-1-dev)

# ensure_apt PKG...: install the packages that are not installed yet,
# running `apt-get update` once first, and nothing at all when none is missing.
ensure_apt() {
    local missing=() p
    for p in "$@"; do
        # `dpkg -s` alone also succeeds for removed packages whose config
        # files remain: ask for the installed state.
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
            missing+=("$p")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "missing packages ${missing[*]} and no apt-get: install them by hand"
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"
}

# write_session_bus_config DIR [none]: DIR/session.conf, a D-Bus session bus
# configuration like the system's default one, whose activatable services
# are the system's session services *except* the Secret Service
# (org.freedesktop.secrets and gnome-keyring's own names), linked into
# DIR/services; with `none`, no service at all (scripts/private-keyring.sh:
# nothing but what the test starts itself). The keyring tests get theirs
# from scripts/private-keyring.sh and the desktop session starts its own;
# on this bus a test that reaches for a keyring elsewhere finds none, not a
# new, locked one.
write_session_bus_config() {
    local dir="$1" services="${2:-system}" d f
    mkdir -p "$dir/services"
    for d in /usr/share/dbus-1/services /usr/local/share/dbus-1/services; do
        [ "$services" != none ] || break
        [ -d "$d" ] || continue
        for f in "$d"/*.service; do
            [ -e "$f" ] || continue
            grep -Eq '^Name=(org\.freedesktop\.secrets|org\.gnome\.keyring|org\.freedesktop\.impl\.portal\.Secret)$' "$f" &&
                continue
            ln -sf "$f" "$dir/services/$(basename "$f")"
        done
    done
    cat >"$dir/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$dir/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
}

# ensure_rust: cargo with rustfmt and clippy. Installs rustup's stable
# toolchain (the Rust project's installer) only when cargo is missing.
ensure_rust() {
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
        export PATH
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        say "installing Rust (rustup, stable, minimal profile)"
        ensure_apt curl ca-certificates
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
            sh -s -- -y --no-modify-path --profile minimal --component rustfmt,clippy
        PATH="$HOME/.cargo/bin:$PATH"
        export PATH
    fi
    # The pinned toolchain (rust-toolchain.toml), installed explicitly: not
    # every rustup installs a missing pinned toolchain on first use.
    local pinned
    pinned="$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$REPO_ROOT/rust-toolchain.toml" 2>/dev/null)"
    if [ -n "$pinned" ] && command -v rustup >/dev/null 2>&1 &&
        ! rustup toolchain list | grep -q "^$pinned"; then
        say "installing Rust $pinned (rust-toolchain.toml)"
        rustup toolchain install "$pinned" --profile minimal --component rustfmt,clippy
    fi
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        command -v rustup >/dev/null 2>&1 || die "cargo fmt/clippy missing and no rustup to add them"
        say "adding rustfmt and clippy"
        rustup component add rustfmt clippy
    fi
}

# ensure_cargo_tool NAME VERSION: `cargo install NAME --version VERSION
# --locked` into .tools/cargo (kept between runs, like .venv); nothing when
# that version is there. Prints nothing; the binary is .tools/cargo/bin/NAME.
TOOLS_CARGO="$REPO_ROOT/.tools/cargo"
ensure_cargo_tool() {
    local name="$1" version="$2"
    if [ -x "$TOOLS_CARGO/bin/$name" ] &&
        grep -q "^\"$name $version " "$TOOLS_CARGO/.crates.toml" 2>/dev/null; then
        return 0
    fi
    say "installing $name $version (cargo install --locked) into .tools/cargo"
    cargo install --quiet --locked --root "$TOOLS_CARGO" --version "$version" "$name"
}
# tauri-driver: the WebDriver front of the tray's end-to-end test.
TAURI_DRIVER_VERSION="2.1.0"
# cargo-fuzz: builds and runs the libFuzzer targets in fuzz/ (the fuzz layer).
CARGO_FUZZ_VERSION="0.13.2"

# ensure_nightly: a nightly toolchain (cargo-fuzz needs one for libFuzzer's
# coverage instrumentation); rustup's minimal profile when it is missing.
ensure_nightly() {
    cargo +nightly --version >/dev/null 2>&1 && return 0
    command -v rustup >/dev/null 2>&1 || die "no nightly toolchain and no rustup to install one"
    say "installing the nightly Rust toolchain (rustup, minimal profile) for the fuzz layer"
    rustup toolchain install nightly --profile minimal
}

# ensure_venv: .venv with exactly tests/fidelity/requirements.txt. The
# requirements' hash is kept in the venv, so an unchanged venv costs one
# sha256sum and a changed requirements file reinstalls.
ensure_venv() {
    local req="$FIDELITY_DIR/requirements.txt" stamp="$VENV/.requirements.sha256" want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "setting up the Python virtualenv in .venv (tests/fidelity/requirements.txt)"
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input -r "$req"
    echo "$want" >"$stamp"
}

# ensure_npm: npm packages (`oidc-provider` in tests/oidc-provider, a second,
# independent OpenID provider for the sign-in tests). Each folder listed in
# NPM_DIRS that has a package.json gets `npm ci` when its lock file changed.
NPM_DIRS=("tests/oidc-provider")
# oidc-provider 9 needs Node >= 20.19; Debian 12's own nodejs is 18. Then a
# Node 20 build comes from the npm registry (the node-linux-<arch> package
# ships the official binary) into .tools/node, and NODE/PATH point at it.
NODE_MIN="20.19.0"
NODE_FALLBACK="20.20.2"
node_is_recent() {
    local v
    v="$("${1:-node}" --version 2>/dev/null | sed 's/^v//')" || return 1
    [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$NODE_MIN" "$v" | sort -V | head -n1)" = "$NODE_MIN" ]
}
ensure_node() {
    command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
    node_is_recent node && return 0
    local tools="$REPO_ROOT/.tools/node" arch
    case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "no Node >= $NODE_MIN for $(uname -m): install one and put it on PATH" ;;
    esac
    if ! node_is_recent "$tools/node_modules/node-linux-$arch/bin/node"; then
        say "installing Node $NODE_FALLBACK from the npm registry into .tools/node (system Node is older than $NODE_MIN)"
        mkdir -p "$tools"
        (cd "$tools" && npm install --no-audit --no-fund --no-save "node-linux-$arch@$NODE_FALLBACK")
    fi
    export NODE="$tools/node_modules/node-linux-$arch/bin/node"
    export PATH="$(dirname "$NODE"):$PATH"
}
ensure_npm() {
    local d lock stamp want
    for d in "${NPM_DIRS[@]}"; do
        [ -f "$REPO_ROOT/$d/package.json" ] || continue
        ensure_node
        lock="$REPO_ROOT/$d/package-lock.json"
        stamp="$REPO_ROOT/$d/node_modules/.lock.sha256"
        want="$(sha256sum "$lock" 2>/dev/null | cut -d' ' -f1 || true)"
        if [ -n "$want" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
            continue
        fi
        say "installing npm packages in $d"
        (cd "$REPO_ROOT/$d" && npm ci --no-audit --no-fund)
        if [ -n "$want" ]; then echo "$want" >"$stamp"; fi
    done
}
