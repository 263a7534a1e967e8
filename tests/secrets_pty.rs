//! Secret values stay out of everything Flightdeck shows or keeps: a command step that prints
//! them, and a source whose error quotes them, run in the real binary; the screen, the journal,
//! the report and `status` say `$NAME` instead.

mod support;

use std::path::Path;

use support::book::Book;
use support::cockpit::{Cockpit, Dirs};

const PASSWORD: &str = "hunter2-correct-horse";
const CONN: &str = "postgres://app@db-prod-7:5432/shop";

fn runbook(dir: &Path) -> std::path::PathBuf {
    Book::new("Secrets")
        .meta(r#"secrets = ["PGCONN"]"#)
        .table(
            r#"[[source]]
id = "replica"
kind = "command"
command = "echo \"login refused for $DB_PASSWORD at $PGCONN\" >&2; exit 1"
interval = "1s""#,
        )
        .step(
            "cmd",
            "The command",
            r#"run = "echo the token is $DB_PASSWORD; echo connecting to $PGCONN >&2""#,
        )
        .rollback(r#"{ title = "Undo" }"#)
        .write(dir, "secrets.toml")
}

/// Neither secret value, nor a telling part of it, is in `text`.
fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains("hunter2"),
        "the password in the {what}:\n{text}"
    );
    assert!(
        !text.contains("db-prod-7"),
        "the connection in the {what}:\n{text}"
    );
}

#[test]
fn secret_values_never_reach_the_screen_the_journal_or_the_report() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = runbook(work.path());
    let book = book.to_str().unwrap();
    let env = [("DB_PASSWORD", PASSWORD), ("PGCONN", CONN)];
    let mut cockpit = Cockpit::start_with_env(&dirs, &["run", book], 160, 40, &env);
    cockpit.wait_for("LIVE");
    cockpit.send("\r");
    cockpit.wait_for("Run command?");
    cockpit.send("\t\r");
    cockpit.wait_for("exit 0 in");
    assert_clean("output pane", &cockpit.contents());
    cockpit.send("\x1b");
    cockpit.wait_gone("Output:");
    // The source's error, in the telemetry pane.
    cockpit.wait_for("ERROR");
    assert_clean("telemetry pane", &cockpit.contents());
    cockpit.quit();

    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert_clean("journal", &journal);
    let ended = journal
        .lines()
        .find(|l| l.contains(r#""type":"action_ended""#))
        .unwrap();
    // The output lines themselves (the command line says `$DB_PASSWORD` anyway).
    assert!(ended.contains(r#""the token is $DB_PASSWORD""#), "{ended}");
    assert!(ended.contains(r#""connecting to $PGCONN""#), "{ended}");

    let report = dirs.command(&["report", book]);
    let report = String::from_utf8_lossy(&report.stdout).into_owned();
    assert_clean("report", &report);
    assert!(report.contains("connecting to $PGCONN"), "{report}");

    let status = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["status", book, "--json"])
        .env("FLIGHTDECK_DATA_DIR", dirs.data.path())
        .env("FLIGHTDECK_CONFIG_DIR", dirs.config.path())
        .envs(env)
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert_clean("status", &status);
    assert!(
        status.contains("login refused for $DB_PASSWORD at $PGCONN"),
        "{status}"
    );
}
