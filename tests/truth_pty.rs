//! The screen is the truth, through the real binary in a pseudo-terminal (issue 11, points 1-3):
//! a rehearsal never shows up in the live run, `u` never takes back a decision, and a rollback
//! or an ended run is said so on screen.

mod support;

use std::path::{Path, PathBuf};

use support::book::Book;
use support::cockpit::{Cockpit, Dirs};

/// A manual step, a sign-off gate, one shift (no read-back: the split is unknown until a
/// shift), and a rollback to blue. The actuator only echoes.
fn runbook(dir: &Path) -> PathBuf {
    Book::new("Truth")
        .table(
            r#"[traffic]
set = "echo set {green}"
plan = [{ green = 10 }, { green = 100 }]"#,
        )
        .step("announce", "Announce the window", "")
        .step("go", "Go/No-Go", "gate = []\nsignoff = [\"Team ready\"]")
        .step("shift10", "Shift ten", "traffic = { green = 10 }")
        .rollback(r#"{ title = "All to blue", traffic = { green = 0 } }"#)
        .write(dir, "truth.toml")
}

/// Fresh dirs, and the runbook in a temp dir kept alive by the caller.
fn setup() -> (Dirs, tempfile::TempDir, String) {
    let work = tempfile::tempdir().unwrap();
    let book = runbook(work.path()).to_str().unwrap().to_string();
    (Dirs::new(), work, book)
}

/// A live cockpit on the runbook, with its first manual step ticked.
fn live_with_announce_ticked(dirs: &Dirs, book: &str) -> Cockpit {
    let mut cockpit = Cockpit::start(dirs, &["run", book], 100, 30);
    cockpit.wait_for("LIVE");
    cockpit.send(" ");
    cockpit.wait_for("done    Announce");
    cockpit
}

#[test]
fn a_rehearsal_never_shows_in_the_live_run() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(work.path());
    let book = book.to_str().unwrap();

    let mut rehearsal = Cockpit::start(&dirs, &["run", book, "--rehearsal", "--new-run"], 100, 30);
    rehearsal.wait_for("REHEARSAL");
    rehearsal.send("t");
    rehearsal.wait_for("Type SHIFT");
    rehearsal.send("SHIFT\r");
    rehearsal.wait_for("Override reason");
    rehearsal.send("walkthrough, gate not held yet\r");
    rehearsal.wait_for("10% G");
    rehearsal.send("\x1b");
    rehearsal.wait_gone("Type SHIFT");
    rehearsal.quit();

    let mut live = Cockpit::start(&dirs, &["run", book], 100, 30);
    live.wait_for("LIVE");
    live.wait_for("split unknown");
    let screen = live.contents();
    assert!(!screen.contains("10% G"), "{screen}");
    assert!(!screen.contains("REHEARSAL"), "{screen}");
    assert!(screen.contains("pending Shift ten"), "{screen}");
    live.send("t");
    live.wait_for("green ?% → 10%");
    live.send("\x1b");
    live.wait_gone("Type SHIFT");
    live.quit();

    // Two runs: the rehearsal is still there to resume with --rehearsal.
    assert_eq!(dirs.journals().len(), 2);
    let again = Cockpit::start(&dirs, &["run", book, "--rehearsal"], 100, 30);
    again.wait_for("10% G");
    again.quit();
    assert_eq!(dirs.journals().len(), 2);
}

#[test]
fn undo_never_takes_back_a_gate_and_a_rollback_says_rolled_back() {
    let (dirs, _work, book) = setup();
    let book = book.as_str();
    let mut cockpit = live_with_announce_ticked(&dirs, book);
    cockpit.send("g");
    cockpit.wait_for("Go / No-Go");
    cockpit.send(" y");
    cockpit.wait_for("`go`: GO");
    for _ in 0..4 {
        cockpit.send("u");
    }
    cockpit.wait_for("nothing to undo");
    let screen = cockpit.contents();
    assert!(screen.contains("pending Announce"), "{screen}");
    assert!(
        screen.contains("done    Go/No-Go"),
        "the GO stands:\n{screen}"
    );

    // Shift, then roll back: ROLLED BACK, the shift shown rolled back, the gate open again.
    cockpit.send("t");
    cockpit.wait_for("Type SHIFT");
    cockpit.send("SHIFT\r");
    cockpit.wait_for("10% G");
    cockpit.send("R");
    cockpit.wait_for("Type ROLLBACK");
    cockpit.send("ROLLBACK\r");
    cockpit.wait_for("rollback completed");
    cockpit.send("\x1b");
    cockpit.wait_gone("rollback completed");
    cockpit.wait_for("ROLLED BACK");
    let screen = cockpit.contents();
    assert!(screen.contains("rolled back Shift ten"), "{screen}");
    assert!(screen.contains("pending Go/No-Go"), "{screen}");
    cockpit.quit();

    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert!(journal.contains(r#""type":"gate_reopened""#), "{journal}");
    let out = dirs.command(&["report", book]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("**ROLLED BACK**"), "{report}");
}

#[test]
fn an_ended_run_is_not_resumed() {
    let (dirs, _work, book) = setup();
    let book = book.as_str();
    live_with_announce_ticked(&dirs, book).quit();

    let out = dirs.command(&["end", book, "--reason", "called off: vendor outage"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("aborted with 2 step(s) open"), "{said}");
    let again = dirs.command(&["end", book]);
    assert_eq!(again.status.code(), Some(2), "nothing open to end");

    let out = dirs.command(&["report", book]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("**ABORTED**"), "{report}");
    assert!(report.contains("called off: vendor outage"), "{report}");

    let fresh = Cockpit::start(&dirs, &["run", book], 100, 30);
    fresh.wait_for("LIVE");
    fresh.wait_for("pending Announce");
    fresh.quit();
    assert_eq!(dirs.journals().len(), 2, "a fresh run began");
}
