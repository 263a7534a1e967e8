#!/usr/bin/env bash
# Time to the first frame of `flightdeck run`, for comparing binaries side by side: N fresh
# starts of each (new data, state, cache and config directories each), in turn run by run so a
# host that slows down mid-way slows them alike, measured by tuimeter alone; prints the medians
# of its ready time and of the cockpit's own split (the log's `first frame` line: load / open /
# draw). One mode of benches/cockpit.py, which has the whole table; this is the quick A/B.
#
#   benches/first_frame.sh RUNBOOK [N] [BINARY...]
#
# Without a binary: FLIGHTDECK_BIN, else `cargo build --release` first. A runbook's `[vars]`
# placeholders are filled first, so a live run accepts it. Needs python3 with pyte and
# tuimeter.py (TUIMETER=path, default ../shared/tools/tuimeter.py from the project root).
set -euo pipefail
runbook="$(realpath "$1")"
runs="${2:-12}"
shift $(($# < 2 ? $# : 2))
binaries="$(IFS=,; echo "$*")"
cd "$(dirname "$0")/.."
exec python3 benches/cockpit.py --first-frame "$runbook" --runs "$runs" ${binaries:+--binaries "$binaries"}
