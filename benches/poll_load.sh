#!/usr/bin/env bash
# Load benchmark: the cockpit with N http sources (default 1,000) polled every 5 s against a
# loopback HAProxy, measured from the outside with tuimeter: CPU and RSS while polling, and key
# latency while the poller is busy. One scenario of benches/cockpit.py, which has the rest.
#
#   benches/poll_load.sh [N] [IDLE_SECONDS]
#
# From a clean clone: FLIGHTDECK_BIN=path/to/flightdeck uses a prebuilt binary (otherwise
# `cargo build --release` first). Needs python3 with pyte (pip install pyte), haproxy, curl,
# and tuimeter.py (TUIMETER=path, default ../shared/tools/tuimeter.py from the project root).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 benches/cockpit.py --only http1000 --sources "${1:-1000}" --idle "${2:-30}" --runs 1
