//! Actions with the real binary in a pseudo-terminal: a command runs and streams its output;
//! sentinel commands never run in `--rehearsal` or `--read-only`; a cockpit killed with -9
//! during a command leaves it in doubt, and the next one asks what happened.

mod support;

use std::path::Path;
use std::time::Duration;

use support::book::Book;
use support::cockpit::{Cockpit, Dirs};

/// A runbook whose every action touches a file in `dir`: the command step, the traffic
/// actuator and the rollback's command.
fn sentinel_runbook(dir: &Path, command: &str) -> std::path::PathBuf {
    let d = dir.display();
    Book::new("Sentinel")
        .table(&format!(
            r#"[traffic]
set = "touch {d}/shifted-{{green}}"
plan = [{{ green = 10 }}, {{ green = 100 }}]"#
        ))
        .step("cmd", "The command", &format!(r#"run = "{command}""#))
        .step("after", "After", "")
        .rollback(r#"{ title = "Back to blue", traffic = { green = 0 } }"#)
        .rollback(&format!(
            r#"{{ title = "Undo", run = "touch {d}/rolled-back" }}"#
        ))
        .write(dir, "sentinel.toml")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "sentinel.toml")
        .collect();
    names.sort();
    names
}

#[test]
fn a_command_runs_for_real_with_its_output_streamed_and_recorded() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("ran");
    let book = sentinel_runbook(
        work.path(),
        &format!(
            "echo first line; echo to stderr >&2; touch {}",
            marker.display()
        ),
    );
    let mut cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 100, 30);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("first line");
    cockpit.wait_for("exit 0 in");
    assert!(marker.exists(), "the command ran");
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
    cockpit.quit();
    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert!(journal.contains(r#""type":"action_started""#), "{journal}");
    assert!(journal.contains(r#""ok":true"#) && journal.contains("first line"));
}

#[test]
fn rehearsal_runs_no_command_shift_or_rollback() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let sentinel = format!("touch {}/command-ran", work.path().display());
    let book = sentinel_runbook(work.path(), &sentinel);
    let book = book.to_str().unwrap();
    let mut cockpit = Cockpit::start(&dirs, &["run", book, "--rehearsal"], 100, 30);
    cockpit.wait_for("REHEARSAL");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    // The confirmation itself says "would run"; the output pane's result is what shows it ran.
    cockpit.wait_for("nothing was run");
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
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
    cockpit.quit();
    assert_eq!(files_in(work.path()), Vec::<String>::new(), "nothing ran");
    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    let rehearsed = journal.matches(r#""rehearsal":true"#).count();
    assert_eq!(
        rehearsed, 4,
        "command, shift, two rollback steps: {journal}"
    );
    assert!(!journal.contains(r#""rehearsal":false"#));
}

#[test]
fn read_only_runs_nothing_and_writes_nothing() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let sentinel = format!("touch {}/command-ran", work.path().display());
    let book = sentinel_runbook(work.path(), &sentinel);
    let book = book.to_str().unwrap();
    // A run to observe.
    let first = Cockpit::start(&dirs, &["run", book], 100, 30);
    first.wait_for("LIVE");
    first.quit();
    let before = std::fs::read(dirs.journal()).unwrap();

    let mut cockpit = Cockpit::start(&dirs, &["run", book, "--read-only"], 100, 30);
    cockpit.wait_for("READ-ONLY");
    cockpit.send("\r\t\r");
    cockpit.wait_for("read-only");
    cockpit.send("tSHIFT\rRROLLBACK\r");
    cockpit.send("\x12ROLLBACK\r");
    cockpit.wait_for("no actions here");
    cockpit.quit();
    assert_eq!(files_in(work.path()), Vec::<String>::new(), "nothing ran");
    assert_eq!(
        std::fs::read(dirs.journal()).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn kill_9_during_a_command_leaves_it_in_doubt_until_resolved() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    // A marker in the command line finds its process group afterwards.
    let marker = format!("flightdeck-doubt-{}", std::process::id());
    let book = sentinel_runbook(work.path(), &format!("echo started; sleep 30 # {marker}"));
    let book = book.to_str().unwrap();

    let mut first = Cockpit::start(&dirs, &["run", book], 100, 30);
    first.wait_for("LIVE");
    first.send("\r\t\r");
    first.wait_for("running for");
    // SAFETY: signals our own child.
    unsafe { libc::kill(first.pid(), libc::SIGKILL) };
    drop(first);
    // The command's group outlives the cockpit (it is its own group); end it.
    let _ = std::process::Command::new("pkill")
        .args(["-f", &marker])
        .status();

    let mut second = Cockpit::start(&dirs, &["run", book], 100, 30);
    second.wait_for("Seat left behind");
    second.send("TAKEOVER\r");
    second.wait_for("Action in doubt");
    second.wait_for("IN DOUBT");
    second.wait_for("cmd: run `echo started; sleep 30");
    // Nothing may actuate before it is resolved: a shift is turned back to the question.
    second.send("\x1b");
    second.wait_gone("Action in doubt");
    second.send("tSHIFT\r");
    second.wait_for("Action in doubt");
    assert_eq!(files_in(work.path()), Vec::<String>::new());
    second.send("n");
    second.wait_for("How do you know?");
    second.send("killed with the cockpit, no output after started\r");
    second.wait_gone("IN DOUBT");
    second.quit();
    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert!(
        journal.contains(r#""type":"action_resolved","id":1,"ok":false"#),
        "{journal}"
    );
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn a_failing_gate_passes_only_with_a_typed_override_that_the_report_shows() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use support::http_server::{Reply, Server};

    let lag = Arc::new(AtomicU32::new(42));
    let served = lag.clone();
    let server = Server::start(move |_| {
        let v = served.load(Ordering::SeqCst);
        Reply::json(200, format!(r#"{{"lag": {v}}}"#))
    });
    let work = tempfile::tempdir().unwrap();
    let book = work.path().join("gate.toml");
    let text = format!(
        r#"[runbook]
name = "Gate"

[[source]]
id = "lag"
kind = "http_json"
url = "{url}"
pointer = "/lag"
unit = "s"
interval = "1s"
fail = 30

[[phase]]
id = "p"
title = "Phase"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = ["lag < 30s"]
signoff = ["DBA agrees"]

[rollback]
steps = [{{ title = "Undo" }}]
"#,
        url = server.url("/lag")
    );
    std::fs::write(&book, text).unwrap();
    let dirs = Dirs::new();
    let book = book.to_str().unwrap();
    let mut cockpit = Cockpit::start(&dirs, &["run", book], 100, 30);
    cockpit.wait_for("LIVE");
    cockpit.send("g");
    cockpit.wait_for("42s >= 30s");
    cockpit.send(" y");
    cockpit.wait_for("GO is not possible");
    cockpit.send("o");
    cockpit.wait_for("Override reason:");
    cockpit.send("\r");
    cockpit.wait_for("at least 10 characters");
    cockpit.send("replication catching up, DBA on call\r");
    cockpit.wait_for("`go`: GO");
    cockpit.quit();

    let out = dirs.command(&["report", book]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("replication catching up, DBA on call"),
        "{report}"
    );
    // Markdown-escaped in the report: `<` is `\<`.
    assert!(
        report.contains(r"**OVERRIDDEN criteria** (did not pass): lag \< 30s"),
        "{report}"
    );
    assert!(report.contains("| 42s |"), "{report}");
}
