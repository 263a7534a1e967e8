//! The output pane with the real binary in a pseudo-terminal at the smallest size, 60x15:
//! scrolling back through everything a command printed, searching it, following the tail again;
//! and a command printing 200,000 lines reaches its file whole while the pane answers keys.

mod support;

use std::path::{Path, PathBuf};

use support::book::Book;
use support::cockpit::{Cockpit, Dirs};

fn runbook(dir: &Path, command: &str) -> PathBuf {
    Book::new("Pane")
        .step(
            "plan",
            "Plan",
            &format!("run = '''{command}'''\ntimeout = \"10m\""),
        )
        .rollback("{ title = \"Undo\" }")
        .write(dir, "pane.toml")
}

/// Whether a row of the screen shows exactly `row N` (a line of the pane, inside its box).
fn row_shown(screen: &vt100::Screen, n: u32) -> bool {
    let want = format!("row {n}");
    screen
        .rows(0, 200)
        .any(|r| r.trim_matches(['│', '┃', '|', '#', ' ']) == want)
}

fn shows(cockpit: &Cockpit, n: u32) -> bool {
    cockpit.with_screen(|s| row_shown(s, n))
}

fn wait_shows(cockpit: &Cockpit, n: u32) {
    cockpit.wait_until(&format!("row {n} in the pane"), |s| row_shown(s, n));
}

#[test]
fn the_pane_scrolls_back_searches_and_follows_the_tail_at_60x15() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(work.path(), "seq -f 'row %g' 1 300; echo 'Plan: 3 to add'");
    let mut cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 60, 15);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("exit 0 in");
    cockpit.wait_for("Plan: 3 to add");
    cockpit.wait_for("301 lines");
    assert!(shows(&cockpit, 300) && !shows(&cockpit, 200));

    // A page back: the tail is out of sight, and the position is shown.
    cockpit.send("\x1b[5~");
    cockpit.wait_for("of 301");
    assert!(!cockpit.contents().contains("Plan: 3 to add"));
    // Home: the very first line.
    cockpit.send("\x1b[H");
    wait_shows(&cockpit, 1);
    cockpit.wait_for("lines 1-");
    // A page down from the top.
    cockpit.send("\x1b[6~");
    cockpit.wait_until("row 1 scrolled away", |s| !row_shown(s, 1));
    assert!(shows(&cockpit, 9), "the page after the first 8 rows");

    // Search: `/`, the query, Enter: the hit is in view; `n` goes further back.
    cockpit.send("/");
    cockpit.wait_for("Enter find");
    cockpit.send("row 123");
    cockpit.wait_for("/row 123");
    cockpit.send("\r");
    wait_shows(&cockpit, 123);
    cockpit.wait_for("n older");

    // End: following the tail again, and new lines would show.
    cockpit.send("\x1b[F");
    cockpit.wait_for("Plan: 3 to add");
    cockpit.wait_for("301 lines");
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
    cockpit.quit();
}

#[test]
fn two_hundred_thousand_lines_reach_the_file_whole_and_the_pane_answers_meanwhile() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let gate = work.path().join("go");
    // Prints 200,000 lines, then waits for the test to say it may end: the pane is tried
    // while the command still runs.
    let command = format!(
        "seq -f 'row %g' 1 200000; echo printed; while [ ! -e {} ]; do sleep 0.05; done",
        gate.display()
    );
    let book = runbook(work.path(), &command);
    let mut cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 80, 24);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("Output:");
    // Keys answer while the lines stream in. Printed, not asserted (no timed assertions):
    // `cargo test --test output_pane -- --nocapture` shows the latencies.
    let mut latencies = Vec::new();
    for _ in 0..5 {
        let asked = std::time::Instant::now();
        cockpit.send("/");
        cockpit.wait_for("Enter find");
        latencies.push(asked.elapsed());
        cockpit.send("\x1b");
        cockpit.wait_gone("Enter find");
    }
    let streaming = cockpit.with_screen(|s| !s.contents().contains("200,001 lines"));
    eprintln!("key to frame while streaming ({streaming}): {latencies:?}");
    cockpit.wait_until("all 200,001 lines in the pane", |s| {
        s.contents().contains("200,001 lines")
    });
    assert!(shows(&cockpit, 200000));
    // While it runs: back to the first line, which left memory and comes from the file.
    cockpit.send("\x1b[H");
    wait_shows(&cockpit, 1);
    cockpit.send("\x1b[F");
    wait_shows(&cockpit, 200000);
    let peak = std::fs::read_to_string(format!("/proc/{}/status", cockpit.pid()))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .map(str::to_string);
    eprintln!("cockpit's peak memory with 200,001 lines: {peak:?}");
    std::fs::write(&gate, "").unwrap();
    cockpit.wait_for("exit 0 in");
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
    cockpit.quit();

    let journal = dirs.journal();
    let end: serde_json::Value = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["event"]["type"] == "action_ended")
        .unwrap()["event"]
        .clone();
    assert_eq!(end["output_file"]["lines"], 200_001);
    let name = end["output_file"]["path"].as_str().unwrap();
    let kept = std::fs::read_to_string(journal.parent().unwrap().join(name)).unwrap();
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(lines.len(), 200_001);
    assert_eq!(lines[0], "row 1");
    assert_eq!(lines[199_999], "row 200000");
    assert_eq!(lines[200_000], "printed");
    assert!(dirs.command(&["journal", "verify"]).status.success());
}
