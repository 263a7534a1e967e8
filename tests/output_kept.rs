//! Every line an action printed is kept in a file beside the journal (sanitized, redacted, 0600),
//! hashed in its end record, checked by `journal verify`, printed by `report --output`; with
//! the real binary in a pseudo-terminal.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::book::Book;
use support::cockpit::{Cockpit, Dirs};

const SECRET: &str = "hunter2-very-secret";

fn runbook(dir: &Path, command: &str, rollback: &str) -> PathBuf {
    Book::new("Kept")
        .step("plan", "Plan", &format!("run = '''{command}'''"))
        .step("after", "After", "")
        .rollback(&format!("{{ title = \"Undo\", run = '''{rollback}''' }}"))
        .write(dir, "kept.toml")
}

/// The `action_ended` records of the journal, as JSON.
fn ends(journal: &Path) -> Vec<Value> {
    std::fs::read_to_string(journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["event"]["type"] == "action_ended")
        .map(|r| r["event"].clone())
        .collect()
}

fn kept_path(journal: &Path, end: &Value) -> PathBuf {
    let name = end["output_file"]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no output_file in {end}"));
    journal.parent().unwrap().join(name)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn the_whole_output_is_kept_hashed_and_verified_for_commands_and_rollback_steps() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    // 60 lines, stdout and stderr interleaved, an escape sequence and a secret among them.
    let command = "for i in $(seq 1 30); do echo \"out $i\"; echo \"err $i\" >&2; sleep 0.001; done; \
                   printf 'red \\033[31mRED\\033[0m\\n'; echo \"pw=$DB_PASSWORD\"";
    let book = runbook(
        work.path(),
        command,
        "echo undoing; sleep 0.2; echo undone >&2",
    );
    let env = [("DB_PASSWORD", SECRET)];
    let mut cockpit =
        Cockpit::start_with_env(&dirs, &["run", book.to_str().unwrap()], 100, 30, &env);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("exit 0 in");
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
    cockpit.send("R");
    cockpit.wait_for("Type ROLLBACK");
    cockpit.send("ROLLBACK\r");
    cockpit.wait_for("rollback completed");
    cockpit.send("\x1b");
    cockpit.wait_gone("rollback completed");
    cockpit.quit();

    let journal = dirs.journal();
    let ends = ends(&journal);
    assert_eq!(ends.len(), 2, "the command and the rollback step: {ends:?}");

    let file = kept_path(&journal, &ends[0]);
    let kept = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(lines.len(), 62, "every line, not the last 20:\n{kept}");
    assert_eq!(ends[0]["output_file"]["lines"], 62);
    for i in 1..=30 {
        assert!(lines.contains(&format!("out {i}").as_str()), "{kept}");
        assert!(lines.contains(&format!("err {i}").as_str()), "{kept}");
    }
    assert!(lines.contains(&"red RED"), "escapes stripped:\n{kept}");
    assert!(!kept.contains('\x1b'));
    assert!(lines.contains(&"pw=$DB_PASSWORD"), "redacted:\n{kept}");
    assert!(!kept.contains(SECRET));
    assert_eq!(
        ends[0]["output_file"]["bytes"].as_u64(),
        Some(kept.len() as u64)
    );
    use sha2::Digest;
    assert_eq!(
        ends[0]["output_file"]["sha256"].as_str().unwrap(),
        hex::encode(sha2::Sha256::digest(kept.as_bytes()))
    );
    assert_eq!(
        ends[0]["output"].as_array().unwrap().len(),
        20,
        "the journal keeps the last lines as before"
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);

    let rollback = std::fs::read_to_string(kept_path(&journal, &ends[1])).unwrap();
    assert_eq!(
        rollback, "undoing\nundone\n",
        "a rollback step's output is kept too"
    );

    let verify = dirs.command(&["journal", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    assert!(
        text(&verify.stdout).contains("2 kept output files match"),
        "{}",
        text(&verify.stdout)
    );

    // The report names each kept output with its size and hash, and embeds it collapsed;
    // `--output STEP` prints one whole.
    let run = journal.file_stem().unwrap().to_string_lossy().into_owned();
    let report = dirs.command(&["report", "--run", &run]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let md = text(&report.stdout);
    let sha = ends[0]["output_file"]["sha256"].as_str().unwrap();
    assert!(
        md.contains(&format!(
            "- **Whole output:** 62 lines, {} bytes, SHA-256 `{sha}`",
            kept.len()
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!("`flightdeck report --run {run} --output plan`")),
        "{md}"
    );
    assert!(
        md.contains("<details><summary>Whole output (62 lines)</summary>"),
        "{md}"
    );
    assert!(
        md.contains("out 1\n") && md.contains("err 30\n"),
        "embedded whole: {md}"
    );
    assert!(
        md.contains("Whole output:** 2 lines"),
        "the rollback step's too: {md}"
    );
    let printed = dirs.command(&["report", "--run", &run, "--output", "plan"]);
    assert!(printed.status.success(), "{}", text(&printed.stderr));
    assert_eq!(
        text(&printed.stdout),
        kept,
        "the whole output, byte for byte"
    );
    let rollback_id = ends[1]["id"].as_u64().unwrap();
    let printed = dirs.command(&[
        "report",
        "--run",
        &run,
        "--output",
        &format!("#{rollback_id}"),
    ]);
    assert_eq!(text(&printed.stdout), "undoing\nundone\n");
    let none = dirs.command(&["report", "--run", &run, "--output", "after"]);
    assert_eq!(none.status.code(), Some(2), "a step that kept no output");

    // One byte changed: the journal is intact, the output is not.
    std::fs::write(&file, kept.replacen("out 7", "out 8", 1)).unwrap();
    let verify = dirs.command(&["journal", "verify"]);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify.stdout));
    assert!(
        text(&verify.stderr).contains("was altered"),
        "{}",
        text(&verify.stderr)
    );

    let md = text(&dirs.command(&["report", "--run", &run]).stdout);
    assert!(md.contains("**OUTPUT FILE NOT AS RECORDED:**"), "{md}");
    let printed = dirs.command(&["report", "--run", &run, "--output", "plan"]);
    assert_eq!(
        printed.status.code(),
        Some(1),
        "an altered output is printed, then refused"
    );

    std::fs::remove_file(&file).unwrap();
    let verify = dirs.command(&["journal", "verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        text(&verify.stderr).contains("is missing"),
        "{}",
        text(&verify.stderr)
    );
}

#[test]
fn a_command_interrupted_mid_way_keeps_what_it_printed() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(
        work.path(),
        "seq -f 'line %g' 1 500; echo \"print\"\"ed\"; exec sleep 600",
        "true",
    );
    let mut cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 100, 30);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("printed");
    cockpit.send("\x03");
    cockpit.wait_for("interrupted");
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
    cockpit.quit();

    let journal = dirs.journal();
    let end = &ends(&journal)[0];
    assert_eq!(end["ok"], false);
    let kept = std::fs::read_to_string(kept_path(&journal, end)).unwrap();
    assert_eq!(kept.lines().count(), 501, "{kept}");
    assert!(kept.starts_with("line 1\n") && kept.ends_with("line 500\nprinted\n"));
    assert!(dirs.command(&["journal", "verify"]).status.success());
}

/// Kills the group when dropped, so no `sleep 600` outlives the test.
struct Reap(u32);

impl Drop for Reap {
    fn drop(&mut self) {
        flightdeck::shell::signal_group(self.0, libc::SIGKILL);
    }
}

#[test]
fn a_cockpit_killed_mid_way_leaves_in_the_file_what_was_printed() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(
        work.path(),
        "seq -f 'line %g' 1 300; echo \"print\"\"ed\"; exec sleep 600",
        "true",
    );
    let mut cockpit = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 100, 30);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("printed");
    let journal = dirs.journal();
    // The command's group outlives the cockpit: ended when the test ends, pass or fail.
    let pgid = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["event"]["type"] == "action_process")
        .and_then(|r| r["event"]["pgid"].as_u64())
        .expect("the group is journaled before its output shows") as u32;
    let _reap = Reap(pgid);
    // SAFETY: signals our own child.
    unsafe { libc::kill(cockpit.pid(), libc::SIGKILL) };
    drop(cockpit);
    let file = journal.parent().unwrap().join(format!(
        "{}.output/1.log",
        journal.file_stem().unwrap().to_string_lossy()
    ));
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(
        kept.starts_with("line 1\n") && kept.ends_with("line 300\nprinted\n"),
        "{kept}"
    );
}
