#!/usr/bin/env bash
# Load benchmark: the cockpit with N http sources (default 1,000) polled every 5 s against a
# loopback HTTP server, measured from the outside with tuimeter: CPU and RSS while polling, and
# key latency while the poller is busy.
#
#   benches/poll_load.sh [N] [IDLE_SECONDS]
#
# Needs python3 with pyte (pip install pyte) and tuimeter.py (TUIMETER=path, default
# ../shared/tools/tuimeter.py from the project root).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
idle="${2:-30}"
tuimeter="${TUIMETER:-../shared/tools/tuimeter.py}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flightdeck/target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/flightdeck"

work="$(mktemp -d)"
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# A threaded loopback server answering every path with a small JSON body.
python3 - "$work/port" <<'PY' &
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
s = S(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(cat "$work/port")"

{
  printf '[runbook]\nname = "poll load: %s http sources"\n\n' "$n"
  for i in $(seq 1 "$n"); do
    printf '[[source]]\nid = "s%s"\nkind = "http"\nurl = "http://127.0.0.1:%s/health/%s"\ninterval = "5s"\ntimeout = "2s"\n\n' "$i" "$port" "$i"
  done
  printf '[[phase]]\nid = "p"\ntitle = "Phase"\n'
  for i in $(seq 1 30); do printf '[[phase.step]]\nid = "a%s"\ntitle = "Step %s"\n' "$i" "$i"; done
  printf '[rollback]\nsteps = [{ title = "r" }]\n'
} >"$work/load.toml"

echo "== $n http sources every 5 s against 127.0.0.1:$port, idle ${idle}s"
FLIGHTDECK_DATA_DIR="$work/data" python3 "$tuimeter" --size 120x40 \
  --env FLIGHTDECK_DATA_DIR="$work/data" \
  --ready Telemetry --idle-seconds "$idle" \
  --keys j,j,j,k,k,k,j,j,j,k,k,k,tab,tab,j,j,j,k,k,k \
  --quit-keys q --require-restored -- "$bin" run "$work/load.toml"
