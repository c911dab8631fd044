#!/usr/bin/env bash
# A first export of ITEMS records (default 12,000: 60 % appointments, 20 %
# deadlines as To Do tasks, 20 % subscribed contacts) by the `docketsync
# sync` program against the `m365-emulator` program with Outlook's real
# limits (10,000 requests per app and mailbox per 10 minutes, 4 concurrent:
# the emulator's defaults). Prints the run's Graph requests, the 429s it
# received, its wall time against the budget floor, and the peak memory
# (maximum resident set) of the `docketsync sync` process alone, measured
# with /usr/bin/time -v. Figures: docs/benchmarks.md.
#
#   bash scripts/bench-budget.sh [ITEMS]      (after: cargo build --release
#                                              -p docketsync -p m365-emulator)
#
# It runs `m365-emulator demo` (which signs the demo fee-earner in through
# the emulator's pages, in a home of its own), then points that home's
# configuration at the generated firm and runs `docketsync sync` once.
# TARGET (default target/release, or $CARGO_TARGET_DIR/release) holds both
# programs.
set -euo pipefail

ITEMS="${1:-12000}"
TARGET="${TARGET:-${CARGO_TARGET_DIR:-target}/release}"
EMULATOR="$TARGET/m365-emulator"
DOCKETSYNC="$TARGET/docketsync"
for p in "$EMULATOR" "$DOCKETSYNC"; do
    [ -x "$p" ] || { echo "missing $p: cargo build --release -p docketsync -p m365-emulator" >&2; exit 2; }
done

WORK="$(mktemp -d)"
HOME_DIR="$WORK/home"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$EMULATOR" demo --port "$PORT" --home "$HOME_DIR" --docketsync "$DOCKETSYNC" >"$WORK/demo.log" 2>&1 &
DEMO=$!
trap 'kill "$DEMO" 2>/dev/null || true; wait "$DEMO" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 600); do
    grep -q "Press Ctrl-C to stop" "$WORK/demo.log" && break
    kill -0 "$DEMO" 2>/dev/null || { cat "$WORK/demo.log" >&2; exit 1; }
    sleep 0.5
done
grep -q "Press Ctrl-C to stop" "$WORK/demo.log" || { cat "$WORK/demo.log" >&2; exit 1; }

# The firm: one .ics and one .vcf in a folder.
mkdir -p "$WORK/pms"
python3 - "$ITEMS" "$WORK/pms" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
events, deadlines = n * 6 // 10, n * 2 // 10
contacts = n - events - deadlines
with open(f"{out}/firm.ics", "w", newline="") as f:
    f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n")
    for i in range(events):
        day, month = 1 + i % 28, 1 + (i // 28) % 6
        f.write(f"BEGIN:VEVENT\r\nUID:ev-{i}\r\nSUMMARY:Termin {i}\r\nLOCATION:Raum {i % 7}\r\n"
                f"DTSTART;TZID=Europe/Berlin:2027{month:02}{day:02}T090000\r\n"
                f"DTEND;TZID=Europe/Berlin:2027{month:02}{day:02}T100000\r\nEND:VEVENT\r\n")
    for i in range(deadlines):
        f.write(f"BEGIN:VTODO\r\nUID:due-{i}\r\nSUMMARY:Frist {i}\r\nCATEGORIES:Frist\r\n"
                f"DUE;VALUE=DATE:2027{1 + (i // 28) % 6:02}{1 + i % 28:02}\r\nEND:VTODO\r\n")
    f.write("END:VCALENDAR\r\n")
with open(f"{out}/firm.vcf", "w", newline="") as f:
    for i in range(contacts):
        f.write(f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c-{i}\r\nFN:Mandant {i}\r\nN:{i};Mandant;;;\r\n"
                f"EMAIL:m{i}@example.com\r\nX-DOCKET-SUBSCRIBED:TRUE\r\nEND:VCARD\r\n")
PY

# The demo's configuration, now reading the generated firm (the sample
# firm's items stay: the brake holds their deletion).
CONFIG="$HOME_DIR/firm/config.toml"
python3 - "$CONFIG" "$WORK/pms" <<'PY'
import re, sys
path, pms = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r'\[source\]\nkind = "demo"\n', f'[source]\nkind = "ics"\npath = "{pms}"\n', text)
open(path, "w").write(text)
PY
grep -q "kind = \"ics\"" "$CONFIG" || { echo "could not point the config at the firm" >&2; exit 1; }

START=$(date +%s.%N)
DOCKETSYNC_HOME="$HOME_DIR" /usr/bin/time -v -o "$WORK/time.txt" \
    "$DOCKETSYNC" sync --json >"$WORK/sync.json" 2>"$WORK/sync.err" && STATUS=0 || STATUS=$?
END=$(date +%s.%N)
# A run that stopped still prints its report; say so rather than give its
# figures as if the export had finished.
if [ "$STATUS" -ne 0 ]; then
    echo "docketsync sync exited with $STATUS; its stderr:" >&2
    cat "$WORK/sync.err" >&2
fi
python3 - "$WORK/sync.json" "$WORK/time.txt" "$START" "$END" "$ITEMS" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
time = open(sys.argv[2]).read()
start, end, items = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time).group(1))
q = report["requests"]
budget, window = 10_000, 600
# Outlook's floor: everything past the first window's 10,000 requests
# waits for the window to move on.
floor = 0 if q["graph_requests"] <= budget else window * ((q["graph_requests"] - 1) // budget)
print(f"items {items}: created {report['created']}, failed {len(report['failed'])}")
print(f"graph requests {q['graph_requests']}, round trips {q['http_requests']}, "
      f"reads {q['reads']}, writes {q['writes']}, batches {q['batches']}")
print(f"429s/503s received {q['throttled']}")
print(f"wall time {end - start:.1f} s (budget floor {floor} s)")
print(f"peak RSS of docketsync sync {rss / 1024:.0f} MiB")
PY
exit "$STATUS"
