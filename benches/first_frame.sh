#!/usr/bin/env bash
# Time to the first frame of `flightdeck run`, for comparing two binaries side by side: N fresh
# starts (new data, state, cache and config directories each), measured by tuimeter alone, and
# the medians of its ready time and of the cockpit's own split (the log's `first frame` line:
# load / open / draw). benches/cockpit.py has the whole table; this is the quick A/B.
#
#   benches/first_frame.sh RUNBOOK [N] BINARY...
#
# Binaries are interleaved run by run (A, B, A, B, ...), so a host that slows down mid-way slows
# them alike. A runbook's `[vars]` placeholders are filled first, as cockpit.py does, so a live
# run accepts it. Needs python3 with pyte and tuimeter.py (TUIMETER=path, default
# ../shared/tools/tuimeter.py from the project root).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
meter="${TUIMETER:-$root/../shared/tools/tuimeter.py}"
runbook="$1"
runs="${2:-12}"
shift 2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed 's/REPLACE_ME/example/g' "$runbook" >"$work/$(basename "$runbook")"
book="$work/$(basename "$runbook")"

for i in $(seq 1 "$runs"); do
    for bin in "$@"; do
        home="$(mktemp -d "$work/run.XXXX")"
        ready="$(python3 "$meter" --size 80x24 --runs 1 --ready "Space tick" --idle-seconds 0.3 \
            --env "FLIGHTDECK_DATA_DIR=$home/data" --env "XDG_STATE_HOME=$home/state" \
            --env "XDG_CACHE_HOME=$home/cache" --env "XDG_CONFIG_HOME=$home/config" \
            -- "$bin" run "$book" 2>/dev/null |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["summary"]["ready_ms"]["median"])')"
        split="$(grep -ho 'load_ms=[0-9.]* open_ms=[0-9.]* draw_ms=[0-9.]*' \
            "$home/state/flightdeck/logs/flightdeck.log" | tail -1 | tr -d 'a-z_=')"
        echo "$bin $ready $split"
        rm -rf "$home"
    done
done | python3 -c '
import statistics, sys
rows = {}
for line in sys.stdin:
    bin, *figures = line.split()
    rows.setdefault(bin, []).append([float(f) for f in figures])
for bin, runs in rows.items():
    med = [statistics.median(col) for col in zip(*runs)]
    print(f"{bin}: {len(runs)} runs, first frame {med[0]:.2f} ms "
          f"(load {med[1]:.2f} / open {med[2]:.2f} / draw {med[3]:.2f})")
'
