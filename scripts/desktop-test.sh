#!/usr/bin/env bash
# The tray companion in a real desktop session (the `desktop` layer of
# scripts/test.sh; also runs on its own: bash scripts/desktop-test.sh).
#
# scripts/desktop-session.sh builds the session (Xvfb, session bus,
# gnome-keyring, status-notifier-watcher, dunst with every Notify recorded,
# tauri-driver); inside it src-tauri/tests/desktop.rs starts the emulator
# and Chromium (the browser sign-in) itself and walks through the issue's
# steps; then the tray benchmark's short run. DOCKET_SCREENSHOTS=<folder> also saves the window's screenshots
# in English and German there (docs/screenshots is where the README's are).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_apt "${APT_PACKAGES_TEST[@]}"
ensure_rust
cd "$REPO_ROOT"
# Workspace-wide, as the rust layer builds: the same features, so nothing
# of Tauri or WebKit is compiled a second time.
cargo build --workspace --bins
bash "$REPO_ROOT/scripts/desktop-session.sh" \
    cargo test --workspace --test desktop -- --test-threads=1 --nocapture
# The tray benchmark's short run on the debug build, so it cannot rot: the
# window opened from the menu (a window process of its own) shows, closes
# and leaves nothing behind; the figures are not compared with anything.
say "the tray benchmark, short run (debug build)"
TRAY_BENCH_PROFILE=debug TRAY_BENCH_NO_BUILD=1 bash "$REPO_ROOT/scripts/tray-bench.sh" \
    --starts 1 --settle 2 --idle-seconds 2
