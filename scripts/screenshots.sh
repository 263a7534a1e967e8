#!/usr/bin/env bash
# Screenshots of the real binary: runs `flightdeck demo` in a detached tmux session, walks it to
# each screen with the keys an operator would press, captures the pane with its colours and turns
# it into PNG (scripts/ansi2svg.py, then rsvg-convert from Debian's librsvg2-bin).
#
# Usage: scripts/screenshots.sh [OUT_DIR]    (default: screenshots/)
# Needs: tmux, python3, rsvg-convert; builds the release binary unless FLIGHTDECK_BIN is set.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-screenshots}"
cols=100
rows=30
mkdir -p "$out"
for tool in tmux python3 rsvg-convert; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (apt-get install tmux python3 librsvg2-bin)" >&2; exit 1; }
done

bin="${FLIGHTDECK_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/flightdeck"
fi

session="flightdeck-shots-$$"
data="$(mktemp -d)"
# A tmux server of its own (-L), so the script neither sees nor disturbs the user's sessions.
tmux() { command tmux -L "$session" "$@"; }
trap 'tmux kill-server 2>/dev/null || true; rm -rf "$data"' EXIT

tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
  "TERM=xterm-256color FLIGHTDECK_DATA_DIR=$data $bin demo; echo 'flightdeck exited with' \$?; sleep 600"

screen_has() { tmux capture-pane -p -t "$session" | grep -q"$1" -- "$2"; }
screen_lacks() { ! screen_has F "$1"; }

# Waits up to 60 s until CHECK... holds: screenshots of a half-drawn screen are lies.
wait_until() {
  local what="$1"; shift
  for _ in $(seq 600); do
    if "$@"; then return 0; fi
    if screen_has F "flightdeck exited with"; then break; fi
    sleep 0.1
  done
  echo "screenshots: gave up waiting for $what; the screen was:" >&2
  tmux capture-pane -p -t "$session" >&2
  exit 1
}
wait_for() { wait_until "'$1'" screen_has F "$1"; }
wait_for_re() { wait_until "/$1/" screen_has E "$1"; }
wait_gone() { wait_until "'$1' to go" screen_lacks "$1"; }

keys() { tmux send-keys -t "$session" "$@"; sleep 0.3; }

shot() {
  local name="$1"
  tmux capture-pane -e -p -t "$session" > "$data/$name.ansi"
  python3 scripts/ansi2svg.py "$cols" "$rows" < "$data/$name.ansi" > "$data/$name.svg"
  rsvg-convert "$data/$name.svg" -o "$out/$name.png"
  echo "$out/$name.png"
}

wait_for "DEMO"
wait_for "OK"               # live values have arrived
sleep 2
shot main

keys g
wait_for "Go / No-Go"
shot gate
keys Escape

# As an operator would: wait for the sync to catch up, then pass the gate before shifting.
wait_for_re "replication lag +[0-9.]+m?s OK"
keys g
wait_for "Go / No-Go"
keys Space j Space
keys y
wait_gone "Go / No-Go"

keys t
wait_for "Type SHIFT"
keys -l "SHIFT"
keys Enter
wait_for "bake"
shot shift

keys R
wait_for "Type ROLLBACK"
shot rollback
keys Escape

# The cost panel: the telemetry pane with the cost source selected and opened.
keys Tab Tab
keys End
keys Enter
wait_for "cost"
shot cost
keys Escape

tmux send-keys -t "$session" q
