//! The rollback with the real binary in an 80x24 pseudo-terminal: the largest seed plan shows
//! the typed word and its first steps, the rest scrolls; a step marked `ask` pauses with run /
//! skip, and a skipped step shows (and is reported) as skipped.

mod support;

use std::path::Path;

use support::book::Book;
use support::cockpit::{Cockpit, Dirs, manifest_dir};

const PAGE_DOWN: &str = "\x1b[6~";

#[test]
fn r_on_the_cloudshelf_runbook_shows_the_word_and_the_first_steps_at_80x24() {
    let dirs = Dirs::new();
    let book = manifest_dir().join("runbooks/cloudshelf-dynamodb-to-postgres.toml");
    let args = ["run", book.to_str().unwrap(), "--rehearsal"];
    let mut cockpit = Cockpit::start(&dirs, &args, 80, 24);
    cockpit.wait_for("REHEARSAL");
    cockpit.send("R");
    cockpit.wait_for("Type ROLLBACK to roll back:");
    cockpit.wait_for("1. Switch API Gateway back to Phase 1");
    // The arrows scroll the list; the word keeps the keyboard.
    cockpit.send(PAGE_DOWN);
    cockpit.send(PAGE_DOWN);
    cockpit.send(PAGE_DOWN);
    cockpit.send("RO");
    cockpit.wait_for("12. Post-rollback: reschedule migration");
    cockpit.wait_for("Type ROLLBACK to roll back: RO");
    cockpit.send("\x1b");
    cockpit.wait_gone("Type ROLLBACK");
    cockpit.quit();
}

/// A rollback of three commands, each leaving a file in `dir`; the second asks first.
fn asking_runbook(dir: &Path) -> std::path::PathBuf {
    let d = dir.display();
    let ask = r#"ask = "only if database issues""#;
    Book::new("Asking rollback")
        .step("a", "A step", "")
        .rollback(&format!(
            r#"{{ title = "Stop the writers", run = "touch {d}/stopped" }}"#
        ))
        .rollback(&format!(
            r#"{{ title = "Restore the database", run = "touch {d}/restored", {ask} }}"#
        ))
        .rollback(&format!(
            r#"{{ title = "Start the old app", run = "touch {d}/started" }}"#
        ))
        .write(dir, "asking.toml")
}

#[test]
fn a_rollback_step_marked_ask_pauses_with_run_or_skip_and_shows_skipped() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = asking_runbook(work.path());
    let book = book.to_str().unwrap();
    let mut cockpit = Cockpit::start(&dirs, &["run", book], 80, 24);
    cockpit.wait_for("LIVE");
    cockpit.send("R");
    cockpit.wait_for("asks first: only if database issues");
    cockpit.send("ROLLBACK\r");
    cockpit.wait_for("step 2 asks: only if database issues");
    cockpit.wait_for("r run it  s skip it");
    assert!(work.path().join("stopped").exists(), "step 1 ran");
    assert!(
        !work.path().join("restored").exists(),
        "step 2 ran without asking"
    );
    cockpit.send("s");
    cockpit.wait_for("rollback completed; 1 step(s) skipped");
    cockpit.wait_for("2. Restore the database (skipped)");
    assert!(
        !cockpit.contents().contains("✔ 2."),
        "{}",
        cockpit.contents()
    );
    assert!(work.path().join("started").exists(), "step 3 ran");
    assert!(
        !work.path().join("restored").exists(),
        "the skipped step ran"
    );
    cockpit.send("\x1b");
    cockpit.wait_gone("rollback completed");
    cockpit.quit();

    let out = dirs.command(&["report", book]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("| 2 | Restore the database | — | **SKIPPED** by"),
        "{report}"
    );
    assert!(
        report.contains("completed, **1 step(s) SKIPPED**"),
        "{report}"
    );
}
