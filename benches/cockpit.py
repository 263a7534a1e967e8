#!/usr/bin/env python3
"""The cockpit measured from the outside, side by side with htop, btop and btm.

Drives the real release binary in a pseudo-terminal with ../shared/tools/tuimeter.py (80x24),
interleaving Flightdeck and the reference tools in one batch (run 1 of each, then run 2 of
each, ...), and prints every figure of issue 13's table with its ratio to the best of them.
It is a benchmark, not a test: it never fails on a number.

    benches/cockpit.py [--runs 3] [--idle 10] [--only NAME[,NAME]]

Scenarios: steps100, steps10000, http50, http1000, seed, status. Needs python3 with pyte,
haproxy (the loopback HTTP server the sources poll: fast enough not to be the limit) and curl.
htop, btop and btm are measured when installed (apt htop btop, cargo install bottom).
FLIGHTDECK_BIN picks a prebuilt binary; otherwise target/release/flightdeck is built.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = "80x24"
# Twenty single moves: the selection goes down through the checklist and back.
MOVES = ",".join(["down"] * 10 + ["up"] * 10)


def tuimeter_path():
    path = Path(os.environ.get("TUIMETER", ROOT.parent / "shared/tools/tuimeter.py"))
    if not path.exists():
        sys.exit(f"tuimeter not found at {path}: set TUIMETER=path/to/tuimeter.py")
    return path


def flightdeck_bin():
    if os.environ.get("FLIGHTDECK_BIN"):
        return os.environ["FLIGHTDECK_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", ROOT / "target")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return str(Path(target) / "release/flightdeck")


def fresh_copy(binary, work, tag=""):
    """A copy of `binary` in `work`, all of it in the page cache, as on a bastion it was just
    copied onto. The kernel maps a faulting page's cached neighbours with it (fault-around), so
    the process's RSS depends on how much of its file is cached: an old build, partly evicted,
    read 1.2 MiB less than the same bytes copied a moment before."""
    path = work / f"flightdeck{tag}"
    shutil.copy2(binary, path)
    return str(path)


# ---------------------------------------------------------------- the loopback HTTP server

class Haproxy:
    """HAProxy answering every path with a small JSON body: thousands of requests a second."""

    def __init__(self, work):
        self.port = free_port()
        conf = work / "haproxy.cfg"
        conf.write_text(
            "global\n  maxconn 8192\n"
            "defaults\n  mode http\n  timeout client 10s\n  timeout server 10s\n"
            "  timeout connect 1s\n"
            f"frontend f\n  bind 127.0.0.1:{self.port}\n"
            '  http-request return status 200 content-type application/json '
            'string "{\\"status\\":\\"ok\\"}"\n'
        )
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.proc = subprocess.Popen([haproxy, "-f", str(conf), "-db"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if subprocess.run(["curl", "-sf", "-o", "/dev/null", self.url(0)]).returncode == 0:
                return
            time.sleep(0.1)
        sys.exit("haproxy did not answer")

    def url(self, i):
        return f"http://127.0.0.1:{self.port}/health/{i}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- runbooks

def steps_runbook(n):
    """N manual steps in phases of 50, a gate with a timeout closing each phase, no sources."""
    out = ['[runbook]\nname = "bench: %d steps"\n' % n]
    for p in range(0, n, 50):
        out.append(f'[[phase]]\nid = "p{p}"\ntitle = "Phase {p // 50 + 1}"\n')
        for i in range(p, min(p + 50, n)):
            out.append(f'[[phase.step]]\nid = "s{i}"\ntitle = "Step {i} of the plan"\n'
                       'owner = "ops"\nplanned = "5m"\n')
            if i == min(p + 50, n) - 1:
                out.append('gate = []\nsignoff = ["ops lead"]\ngate_timeout = "30m"\n'
                           'on_timeout = "no-go"\n')
    out.append('[rollback]\nsteps = [{ title = "r" }]\n')
    return "".join(out)


def http_runbook(server, n, interval):
    out = [f'[runbook]\nname = "bench: {n} http sources every {interval}"\n']
    for i in range(n):
        out.append(f'[[source]]\nid = "s{i}"\nkind = "http"\nurl = "{server.url(i)}"\n'
                   f'interval = "{interval}"\ntimeout = "2s"\n')
    out.append('[[phase]]\nid = "p"\ntitle = "Phase"\n')
    for i in range(30):
        out.append(f'[[phase.step]]\nid = "a{i}"\ntitle = "Step {i}"\n')
    out.append('[rollback]\nsteps = [{ title = "r" }]\n')
    return "".join(out)


def largest_seed(work):
    """The largest seed runbook, its `[vars]` placeholders filled so a live run accepts it."""
    return filled(max((ROOT / "runbooks").glob("*.toml"), key=lambda p: p.stat().st_size), work)


def filled(runbook, work):
    """A copy of `runbook` in `work` with its `[vars]` placeholders filled."""
    path = work / runbook.name
    path.write_text(runbook.read_text().replace("REPLACE_ME", "example"))
    return path


# ---------------------------------------------------------------- measuring

def meter(argv, idle, ready, keys=None, env=None, quit_keys="q"):
    """One tuimeter run (interleaving is the caller's): {figure: value}."""
    cmd = [sys.executable, str(tuimeter_path()), "--size", SIZE, "--runs", "1",
           "--ready", ready, "--idle-seconds", str(idle), "--quit-keys", quit_keys]
    for k, v in (env or {}).items():
        cmd += ["--env", f"{k}={v}"]
    if keys:
        cmd += ["--keys", keys]
    out = subprocess.run(cmd + ["--"] + argv, capture_output=True, text=True)
    if out.returncode == 2 or not out.stdout:
        print(f"  ! {' '.join(argv[:3])}: {out.stderr.strip()[-300:]}", file=sys.stderr)
        return {}
    summary = json.loads(out.stdout)["summary"]
    return {k: v["median"] for k, v in summary.items() if isinstance(v, dict) and "median" in v}


def process_rss_kb(argv, env, settle):
    """Peak RSS (VmHWM) of the process alone, not its children, after `settle` seconds in tmux."""
    sock = f"bench{os.getpid()}"
    envs = " ".join(f"{k}={v}" for k, v in env.items())
    subprocess.run(["tmux", "-L", sock, "new", "-d", "-x", "80", "-y", "24",
                    f"env {envs} {' '.join(argv)}"], check=True)
    time.sleep(settle)
    pid = subprocess.run(["tmux", "-L", sock, "list-panes", "-F", "#{pane_pid}"],
                         capture_output=True, text=True).stdout.strip()
    kb = None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                kb = int(line.split()[1])
    except (FileNotFoundError, ValueError):
        pass
    subprocess.run(["tmux", "-L", sock, "send-keys", "q"])
    time.sleep(0.5)
    subprocess.run(["tmux", "-L", sock, "kill-server"], stderr=subprocess.DEVNULL)
    return kb


def first_frame_parts(env):
    """The cockpit's own split of its first frame (its log's `first frame` line): load_ms
    (runbook and config), open_ms (journal, seat, theme), draw_ms (terminal and frame)."""
    log = Path(env["XDG_STATE_HOME"]) / "flightdeck" / "logs" / "flightdeck.log"
    try:
        lines = [line for line in log.read_text().splitlines() if "first frame" in line]
    except FileNotFoundError:
        return {}
    found = re.findall(r"(load_ms|open_ms|draw_ms)=([0-9.]+)", lines[-1]) if lines else []
    return {k: float(v) for k, v in found}


def wall(argv, runs=3):
    best = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best.append(time.perf_counter() - start)
    return statistics.median(best)


REFERENCES = {
    # name: (argv, ready regex, quit keys)
    "htop": (["htop"], r"PID\s+USER", "q"),
    "btop": (["btop"], r"cpu", "q"),
    "btm": (["btm"], r"CPU", "q"),
}


def references():
    return {n: r for n, r in REFERENCES.items() if shutil.which(r[0][0])}


# ---------------------------------------------------------------- the batch

def flightdeck_env(work, run):
    home = Path(tempfile.mkdtemp(dir=work, prefix=f"run{run}-"))
    return {"FLIGHTDECK_DATA_DIR": home / "data", "XDG_CONFIG_HOME": home / "config",
            "XDG_STATE_HOME": home / "state", "XDG_CACHE_HOME": home / "cache"}


def batch(args, binary, work, server):
    """Every scenario and reference `args.runs` times, interleaved: {key: [figures, ...]}."""
    books = {
        "steps100": work / "steps100.toml", "steps10000": work / "steps10000.toml",
        "http50": work / "http50.toml", "http1000": work / "http1000.toml",
        "status100": work / "status100.toml",
    }
    books["steps100"].write_text(steps_runbook(100))
    books["steps10000"].write_text(steps_runbook(10_000))
    books["http50"].write_text(http_runbook(server, 50, "1s"))
    books["http1000"].write_text(http_runbook(server, args.sources, "5s"))
    books["status100"].write_text(http_runbook(server, 100, "5s"))
    seed = largest_seed(work)
    ready = r"Space tick"  # the key hints: the last row of a full frame
    only = set(args.only.split(",")) if args.only else None
    wanted = lambda name: only is None or name in only  # noqa: E731
    results = {}

    def add(key, figures):
        results.setdefault(key, []).append(figures)

    for run in range(args.runs):
        print(f"== run {run + 1} of {args.runs}", file=sys.stderr)
        for name in ("steps100", "steps10000", "http50", "http1000"):
            if wanted(name):
                env = flightdeck_env(work, run)
                idle = args.idle * 2 if name == "http1000" else args.idle
                # Keys come after the idle phase, so they leave its figures alone.
                figures = meter([binary, "run", str(books[name])], idle, ready, MOVES, env)
                add(name, {**figures, **first_frame_parts(env)})
        if wanted("seed"):
            env = flightdeck_env(work, run)
            figures = meter([binary, "run", str(seed)], args.idle, ready, MOVES, env)
            add("seed", {**figures, **first_frame_parts(env)})
            env = flightdeck_env(work, run)
            add("seed_rss", {"kb": process_rss_kb([binary, "run", str(seed)], env, args.idle)})
            for ref, (argv, ref_ready, quit_keys) in references().items():
                add(ref, meter(argv, args.idle, ref_ready, MOVES, quit_keys=quit_keys))
                add(f"{ref}_rss", {"kb": process_rss_kb(argv, {"TERM": "xterm-256color"},
                                                        args.idle)})
        if wanted("status"):
            env = {k: str(v) for k, v in flightdeck_env(work, run).items()}
            status = wall(["env", *(f"{k}={v}" for k, v in env.items()),
                           binary, "status", str(books["status100"])])
            curls = " ; ".join(f"curl -s -o /dev/null {server.url(i)}" for i in range(100))
            add("status", {"status_s": status, "curl_s": wall(["sh", "-c", curls])})
    return results


def median(results, key, figure):
    values = [r[figure] for r in results.get(key, []) if r.get(figure) is not None]
    return statistics.median(values) if values else None


def table(results):
    refs = [r for r in REFERENCES if r in results]
    head = ["figure", "Flightdeck", *refs, "goal", "Flightdeck / best"]
    rows = []

    def row(label, fd, ref_figure=None, goal="", scale=1.0, digits=1):
        cells = {"Flightdeck": fd}
        for r in refs:
            cells[r] = median(results, r, ref_figure) if ref_figure else None
        if ref_figure and ref_figure.endswith("_rss"):
            for r in refs:
                cells[r] = median(results, f"{r}_rss", "kb")
        values = [v for v in cells.values() if v is not None]
        best = min(values) if values else None
        ratio = f"{fd / best:.2f}x" if fd is not None and best else ""
        fmt = lambda v: "" if v is None else f"{v * scale:,.{digits}f}"  # noqa: E731
        rows.append([label, fmt(fd), *(fmt(cells[r]) for r in refs), goal, ratio])

    m = lambda key, fig: median(results, key, fig)  # noqa: E731

    def split(label, key, goal=""):
        parts = [m(key, f) for f in ("load_ms", "open_ms", "draw_ms")]
        if None not in parts:
            cells = " / ".join(f"{v:.1f}" for v in parts)
            rows.append([label, cells, *([""] * len(refs)), goal, ""])

    for n in ("steps100", "steps10000"):
        k = f"{n[5:]} steps"
        row(f"{k}: first frame, ms", m(n, "ready_ms"))
        split(f"{k}: of it load / open / draw, ms", n, "draw flat")
        # Nanoseconds from schedstat, not 10 ms clock ticks: a step scenario has no children
        # for schedstat to miss, and at 0.1 % a tick is the whole difference between 1x and 2x.
        row(f"{k}: idle CPU, %", m(n, "idle_cpu_pct_fine"), goal="≤ 0.5", digits=3)
        row(f"{k}: key first byte p95, ms", m(n, "key_first_byte_p95_ms"),
            goal="≤ 1.5x the 100-step figure")
        row(f"{k}: bytes per key (median)", m(n, "key_bytes_median"), digits=0)
    # Flat means the 10,000-step figure over the 100-step one, for each figure the issue names:
    # what is drawn should be near 1x; the first frame also carries loading a 100x larger file
    # (benches/README.md, seventh and eighth passes).
    figures = ("ready_ms", "draw_ms", "key_first_byte_p95_ms", "idle_cpu_pct_fine",
               "key_bytes_median")
    flat = [(m("steps10000", f), m("steps100", f)) for f in figures]
    if all(big and small for big, small in flat):
        ratios = " / ".join(f"{big / small:.2f}x" for big, small in flat)
        rows.append(["10000 over 100 steps: first frame / draw / key p95 / idle CPU / bytes "
                     "per key", ratios, *([""] * len(refs)), "flat", ""])
    row("50 http @ 1 s: frames/s", m("http50", "idle_bursts_per_s"), "idle_bursts_per_s",
        goal="≤ 1", digits=2)
    row("50 http @ 1 s: idle bytes/s", m("http50", "idle_bytes_per_s"), "idle_bytes_per_s",
        goal="≤ btm's", digits=0)
    row("50 http @ 1 s: idle CPU, %", m("http50", "idle_cpu_pct"), "idle_cpu_pct",
        goal="≤ btm's", digits=2)
    row("50 http @ 1 s: key first byte p95, ms", m("http50", "key_first_byte_p95_ms"))
    row("1,000 http @ 5 s: CPU, %", m("http1000", "idle_cpu_pct"), goal="≤ 5", digits=2)
    row("1,000 http @ 5 s: key p95, ms", m("http1000", "key_first_byte_p95_ms"),
        goal="≤ 1.5x the 50-source p95")
    row("1,000 http @ 5 s: RSS, MiB", m("http1000", "peak_rss_kb"), goal="≤ 40",
        scale=1 / 1024)
    row("largest seed: RSS of the process, MiB", m("seed_rss", "kb"), "x_rss",
        goal="≤ 18", scale=1 / 1024)
    row("bytes per cursor move (median)", m("seed", "key_bytes_median"), "key_bytes_median",
        goal="≤ htop's", digits=0)
    row("largest seed: first full frame, ms", m("seed", "ready_ms"), "ready_ms", goal="≤ 15")
    split("largest seed: of it load / open / draw, ms", "seed")
    status, curl = m("status", "status_s"), m("status", "curl_s")
    if status and curl:
        rows.append(["`status` on 100 endpoints vs a curl loop",
                     f"{status * 1000:.0f} ms", *([""] * len(refs)), "≥ 20x",
                     f"{curl / status:.1f}x faster (curl loop {curl * 1000:.0f} ms)"])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def first_frames(binaries, runbook, runs, work):
    """The first frame alone (benches/first_frame.sh): `runs` fresh starts of each binary, in
    turn run by run, and the medians of tuimeter's ready time and of the cockpit's split."""
    book = filled(runbook, work)
    copies = {b: fresh_copy(b, work, f"-{i}") for i, b in enumerate(binaries)}
    results = {b: [] for b in binaries}
    for run in range(runs):
        for binary in binaries:
            env = flightdeck_env(work, run)
            figures = meter([copies[binary], "run", str(book)], 0.3, r"Space tick", env=env)
            results[binary].append({**figures, **first_frame_parts(env)})
    for binary, rows in results.items():
        med = {k: median(results, binary, k) for k in ("ready_ms", "load_ms", "open_ms", "draw_ms")}
        med = {k: "-" if v is None else f"{v:.2f}" for k, v in med.items()}
        print(f"{binary}: {len(rows)} runs, first frame {med['ready_ms']} ms (load "
              f"{med['load_ms']} / open {med['open_ms']} / draw {med['draw_ms']})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--only", help="comma-separated scenarios")
    parser.add_argument("--sources", type=int, default=1000, help="sources of http1000")
    parser.add_argument("--json", help="also write the raw figures here")
    parser.add_argument("--first-frame", metavar="RUNBOOK", type=Path,
                        help="only the first frame of RUNBOOK, --runs starts of each binary")
    parser.add_argument("--binaries", help="comma-separated, for --first-frame")
    args = parser.parse_args()
    if args.first_frame:
        binaries = args.binaries.split(",") if args.binaries else [flightdeck_bin()]
        with tempfile.TemporaryDirectory() as tmp:
            first_frames(binaries, args.first_frame, args.runs, Path(tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        binary = fresh_copy(flightdeck_bin(), work)
        server = Haproxy(work)
        try:
            results = batch(args, binary, work, server)
        finally:
            server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
