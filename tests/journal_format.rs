//! The journal is a versioned format (issue 12, point 5): a journal written by the binary of
//! a141397, before records carried a version, keeps verifying, resuming and reporting; new
//! records say their format; a failing append never leaves a step shown done; run files and
//! directories are private.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use flightdeck::app::progress::RunState;
use flightdeck::app::{App, Status};
use flightdeck::journal::record::{FORMAT, verify_text};
use flightdeck::journal::{Event, FileJournal, Journal};
use support::cockpit::{Cockpit, Dirs};

const FIXTURE: &str = "tests/fixtures/journal-v0";
const RUN: &str = "20261201T053209Z-legacy";

fn fixture(name: &str) -> PathBuf {
    support::cockpit::manifest_dir().join(FIXTURE).join(name)
}

/// The legacy journal copied into `data`'s runs directory.
fn install_legacy(data: &Path) -> PathBuf {
    let runs = data.join("runs");
    std::fs::create_dir_all(&runs).unwrap();
    let path = runs.join(format!("{RUN}.jsonl"));
    std::fs::copy(fixture("legacy.jsonl"), &path).unwrap();
    path
}

#[test]
fn a_format_0_journal_verifies_and_folds_as_it_did() {
    let text = std::fs::read_to_string(fixture("legacy.jsonl")).unwrap();
    let records = verify_text(&text).expect("the legacy journal verifies");
    assert_eq!(records.len(), 15);
    assert!(records.iter().all(|r| r.v == 0), "written before versions");
    // Its gate evidence wrote ages as {secs, nanos}: still read.
    let ages: Vec<_> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::GateDecided { evidence, .. } => Some(evidence[0].age()),
            _ => None,
        })
        .collect();
    assert!(matches!(ages[..], [Some(_)]), "{ages:?}");

    let runbook = flightdeck::runbook::load(&fixture("legacy.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .runbook;
    let mut app = App::new(runbook, "op".into(), RUN.into(), support::NOW);
    app.replay(flightdeck::session::timed(&records));
    for (step, status) in [
        ("announce", Status::Done),
        ("dump", Status::Done),
        ("extra", Status::Skipped),
        ("go", Status::Done),
        ("shift10", Status::RolledBack),
    ] {
        assert_eq!(app.progress.status(step), status, "{step}");
    }
    assert_eq!(app.progress.run_state(), RunState::RolledBack);
    assert_eq!(app.green(), 0);
}

#[test]
fn a_format_0_journal_resumes_with_format_1_records_after_it() {
    let data = tempfile::tempdir().unwrap();
    let path = install_legacy(data.path());
    let mut journal = FileJournal::open(&path, "op@bastion".into()).expect("resumes");
    let record = journal
        .append(
            Event::NoteAdded {
                step: "go".into(),
                text: "resumed by a newer binary".into(),
            },
            "h",
        )
        .unwrap();
    assert_eq!(record.v, FORMAT);
    let text = std::fs::read_to_string(&path).unwrap();
    let records = verify_text(&text).expect("old and new records chain");
    assert_eq!(records.len(), 16);
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with(r#"{"v":1,"seq":16,"#)
    );
}

#[test]
fn the_binary_verifies_and_reports_a_format_0_journal() {
    let dirs = Dirs::new();
    install_legacy(dirs.data.path());
    let out = dirs.command(&["journal", "verify", "--run", RUN]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dirs.command(&["report", "--run", RUN]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    for expected in [
        "lag \\< 30s",
        "BREACH at",
        "policy: prompt",
        "**ROLLED BACK**",
        "posted in \\#ops",
    ] {
        assert!(report.contains(expected), "no `{expected}` in:\n{report}");
    }
}

fn runbook(dir: &Path) -> PathBuf {
    let path = dir.join("append.toml");
    std::fs::write(
        &path,
        "[runbook]\nname = 'Append'\n[[phase]]\nid = 'p'\ntitle = 'Phase'\n[[phase.step]]\nid = 'first'\ntitle = 'First step'\n[[phase.step]]\nid = 'second'\ntitle = 'Second step'\n[rollback]\nsteps = [{ title = 'r' }]\n",
    )
    .unwrap();
    path
}

/// `chattr +i` makes the journal refuse writes even through the cockpit's open descriptor: a
/// real failing append, on the real file system (ext4 here and in CI).
fn immutable(path: &Path, on: bool) {
    let flag = if on { "+i" } else { "-i" };
    let status = std::process::Command::new("chattr")
        .arg(flag)
        .arg(path)
        .status()
        .expect("chattr (e2fsprogs) runs");
    assert!(status.success(), "chattr {flag} {}", path.display());
}

#[test]
fn a_failing_append_never_leaves_a_step_shown_done() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(work.path());
    let mut cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 100, 30);
    cockpit.wait_for("LIVE");
    let journal = dirs.journal();
    immutable(&journal, true);
    // Writable again however the test ends, so the temp dir can be removed.
    struct Thaw(PathBuf);
    impl Drop for Thaw {
        fn drop(&mut self) {
            immutable(&self.0, false);
        }
    }
    let _thaw = Thaw(journal.clone());
    cockpit.send(" ");
    cockpit.wait_for("JOURNAL FAILING");
    let screen = cockpit.contents();
    assert!(screen.contains("pending First step"), "{screen}");
    assert!(!screen.contains("done    First step"), "{screen}");
    drop(cockpit);
}

#[test]
fn run_files_and_directories_are_private() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(work.path());
    let data = dirs.data.path();
    std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 100, 30);
    cockpit.wait_for("LIVE");
    cockpit.quit();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(data), 0o700, "the data dir is tightened");
    assert_eq!(mode(&data.join("runs")), 0o700);
    assert_eq!(mode(&dirs.journal()), 0o600);

    // A torn tail set aside on resume is private too.
    let journal = dirs.journal();
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(r#"{"v":1,"seq":99,"ti"#);
    std::fs::write(&journal, text).unwrap();
    FileJournal::open(&journal, "op".into()).unwrap();
    assert_eq!(mode(&journal.with_extension("jsonl.torn")), 0o600);
}
