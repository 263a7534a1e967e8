//! End-to-end tests: the real `flightdeck` binary in a pseudo-terminal, its output fed into a
//! vt100 parser, assertions on the screen text a person would see.
//!
//! The driver is in `support/cockpit.rs`.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::cockpit::{Cockpit, Dirs, manifest_dir};

const RUNBOOK: &str = "runbooks/cloudshelf-dynamodb-to-postgres.toml";
const NAME: &str = "CloudShelf: DynamoDB to PostgreSQL";
/// The first phase and its first step, as the checklist shows them (titles are cut to fit).
const PHASE_1: &str = "Week 1: Prep";
const STEP_1: &str = "Day 1-2: Phase 2";
const STEP_1_ID: &str = "id w1_infra";

/// The seed with its `[vars]` placeholders filled (a live run refuses them), in `dirs`.
fn runbook(dirs: &Dirs) -> PathBuf {
    let text = std::fs::read_to_string(manifest_dir().join(RUNBOOK)).unwrap();
    let path = dirs.xdg.path().join("cloudshelf-dynamodb-to-postgres.toml");
    std::fs::write(&path, text.replace("REPLACE_ME", "example")).unwrap();
    path
}

/// The standard start: the runbook at the given size, waiting until the cockpit is drawn.
fn open(dirs: &Dirs, cols: u16, rows: u16) -> Cockpit {
    let runbook = runbook(dirs);
    let c = Cockpit::start(dirs, &["run", runbook.to_str().unwrap()], cols, rows);
    c.wait_for(NAME);
    c.wait_for("Checklist");
    c.wait_for("LIVE");
    c
}

/// The text of the checklist and detail panes, row by row: body rows are
/// `│checklist│ │detail│`, so the parts between vertical borders are the panes.
fn panes(screen: &vt100::Screen) -> (Vec<String>, Vec<String>) {
    let (_, cols) = screen.size();
    let mut list = Vec::new();
    let mut detail = Vec::new();
    for row in screen.rows(0, cols.get()) {
        // A pane's border, or the scrollbar's thumb on it.
        let parts: Vec<&str> = row.split(['│', '┃']).collect();
        if parts.len() == 5 {
            list.push(parts[1].trim_end().to_string());
            detail.push(parts[3].trim_end().to_string());
        }
    }
    (list, detail)
}

/// The checklist row containing `title`, if one does.
fn list_row(screen: &vt100::Screen, title: &str) -> Option<String> {
    panes(screen).0.into_iter().find(|r| r.contains(title))
}

/// The detail pane as one line, whitespace collapsed, so wrapped text reads as written.
fn detail_text(screen: &vt100::Screen) -> String {
    collapse(&panes(screen).1.join(" "))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn row_has(screen: &vt100::Screen, title: &str, word: &str) -> bool {
    list_row(screen, title).is_some_and(|r| r.contains(word))
}

/// `(done, total)` from a phase row ending in ` done/total`.
fn phase_count(screen: &vt100::Screen, title: &str) -> Option<(usize, usize)> {
    let row = list_row(screen, title)?;
    let last = row.split_whitespace().last()?;
    let (done, total) = last.split_once('/')?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

#[test]
fn tick_quit_resume() {
    let dirs = Dirs::new();
    let mut c = open(&dirs, 80, 24);
    // The first pending step is selected: its row is pending, the detail pane describes it.
    c.wait_until("the first step pending and selected", |s| {
        row_has(s, STEP_1, "○ pending") && detail_text(s).contains(STEP_1_ID)
    });
    let total = c.with_screen(|s| phase_count(s, PHASE_1));
    let Some((0, total)) = total else {
        panic!("phase row not `0/N`: {total:?}\n{}", c.contents())
    };
    assert!(total > 1, "phase has {total} steps");
    // The hints are the last row drawn: wait for them rather than read a frame mid-write.
    c.wait_until("the key hints", |s| s.contents().contains("Space tick"));

    c.send(" ");
    c.wait_until("the step ticked and the phase at 1/N", |s| {
        row_has(s, STEP_1, "✔ done") && phase_count(s, PHASE_1) == Some((1, total))
    });
    c.quit();

    // Same data dir: the run resumes with the tick.
    let c = open(&dirs, 80, 24);
    c.wait_until("the tick restored on resume", |s| {
        row_has(s, STEP_1, "✔ done") && phase_count(s, PHASE_1) == Some((1, total))
    });
    c.quit();
    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert!(
        journal.contains("run_resumed"),
        "second session did not resume the run:\n{journal}"
    );
}

#[test]
fn skip_note_search_help_undo() {
    let dirs = Dirs::new();
    // Tall enough that the whole detail of the first step, notes included, is in view.
    let mut c = open(&dirs, 100, 40);
    c.wait_until("the first step selected", |s| {
        row_has(s, STEP_1, "pending") && detail_text(s).contains(STEP_1_ID)
    });

    // Skip, with a reason.
    c.send("s");
    c.wait_for("Skip step");
    c.send("not today");
    c.wait_for("not today");
    c.send("\r");
    c.wait_until("the step skipped with its reason", |s| {
        row_has(s, STEP_1, "⊘ skipped")
            && detail_text(s).contains("skipped because: not today")
            && !s.contents().contains("Skip step")
    });

    // A note.
    c.send("n");
    c.wait_for("Add note");
    c.send("paged the DBA");
    c.wait_for("paged the DBA");
    c.send("\r");
    c.wait_until("the note in the detail pane", |s| {
        let d = detail_text(s);
        d.contains("Notes") && d.contains("paged the DBA") && !s.contents().contains("Add note")
    });

    // Search for a word of a later step's title.
    c.send("/troubleshooting");
    c.wait_for("/troubleshooting");
    c.send("\r");
    c.wait_until("the found step in the detail pane", |s| {
        let d = detail_text(s);
        d.contains("Documentation: troubleshooting guide (common issues and solutions)")
            && d.contains("id doc_troubleshooting")
    });

    // Help opens and Esc closes it. Esc goes alone: followed by more bytes it reads as Alt.
    c.send("?");
    // Every dialog's keys are listed too, so help scrolls at this size.
    c.wait_until("the help box", |s| {
        let text = s.contents();
        text.contains(" Help (j/k scroll) ") && text.contains("move down / up")
    });
    c.send("\x1b");
    c.wait_gone("move down / up");
    assert!(!c.contents().contains(" Help "), "{}", c.contents());

    // Undo reverts the skip (a note is not undoable): back on the step, pending again.
    c.send("u");
    c.wait_until("the skip undone", |s| {
        let d = detail_text(s);
        row_has(s, STEP_1, "○ pending")
            && d.contains(STEP_1_ID)
            && !d.contains("skipped because")
            && d.contains("paged the DBA")
    });
    c.quit();
}

#[test]
fn journal_verify_detects_edit() {
    let dirs = Dirs::new();
    let mut c = open(&dirs, 80, 24);
    c.send(" ");
    c.wait_until("the step ticked", |s| row_has(s, STEP_1, "✔ done"));
    c.quit();

    let out = dirs.command(&["journal", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "verify of an intact journal: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let path = dirs.journal();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines.len() >= 3, "journal too short:\n{text}");
    assert!(lines[1].contains("step_ticked"), "line 2: {}", lines[1]);
    // Change one digit in the middle of line 2's time.
    let line = &lines[1];
    let start = line.find("\"time\":\"").expect("a time field") + "\"time\":\"".len();
    let len = line[start..].find('"').unwrap();
    let digits: Vec<usize> = (start..start + len)
        .filter(|&i| line.as_bytes()[i].is_ascii_digit())
        .collect();
    let at = digits[digits.len() / 2];
    let mut bytes = line.clone().into_bytes();
    bytes[at] = b'0' + (bytes[at] - b'0' + 1) % 10;
    lines[1] = String::from_utf8(bytes).unwrap();
    assert_ne!(&lines[1], text.lines().nth(1).unwrap());
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let out = dirs.command(&["journal", "verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(0),
        "verify passed an edited journal: {stderr}"
    );
    assert!(
        stderr.contains(":2:"),
        "verify does not name line 2: {stderr}"
    );
}

#[test]
fn tiny_terminal_and_resize() {
    let dirs = Dirs::new();
    let runbook = runbook(&dirs);
    let mut c = Cockpit::start(&dirs, &["run", runbook.to_str().unwrap()], 20, 5);
    c.wait_for("too small");
    assert!(!c.contents().contains("Checklist"), "{}", c.contents());

    c.resize(80, 24);
    c.wait_for(NAME);
    c.wait_for("Checklist");
    c.wait_gone("too small");
    c.quit();
}

#[test]
fn sighup_ends_cleanly() {
    let dirs = Dirs::new();
    let mut c = open(&dirs, 80, 24);
    c.send(" ");
    c.wait_until("the step ticked", |s| row_has(s, STEP_1, "✔ done"));

    let rc = unsafe { libc::kill(c.pid(), libc::SIGHUP) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    let code = c.wait_exit(Duration::from_secs(5));
    assert_eq!(code, 0, "exit code after SIGHUP; screen:\n{}", c.contents());
    c.assert_terminal_restored();

    let text = std::fs::read_to_string(dirs.journal()).unwrap();
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.contains("session_ended") && last.contains("hangup"),
        "last journal line: {last}"
    );
}

#[test]
fn invalid_runbook_refused() {
    let dirs = Dirs::new();
    let fixture = manifest_dir().join("tests/invalid_runbooks/bad_duration.toml");
    // Where the diagnostic must point, from the fixture's own expectation.
    let expected = std::fs::read_to_string(fixture.with_extension("expected")).unwrap();
    let at = expected
        .lines()
        .find_map(|l| {
            l.split_once("--> FIXTURE:")
                .map(|(_, at)| at.trim().to_string())
        })
        .expect("a location in the .expected file");

    let out = dirs.command(&["run", fixture.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    let location = format!("{}:{at}", fixture.display());
    assert!(
        stderr.contains(&location),
        "no {location} in stderr:\n{stderr}"
    );
    assert!(
        !stdout.contains("\x1b[?1049h"),
        "entered the alternate screen for an invalid runbook"
    );
    assert!(
        !Path::new(&dirs.data.path().join("runs")).exists() || dirs.journals().is_empty(),
        "a run was started for an invalid runbook"
    );
}
