//! `flightdeck status` as a script sees it: the real binary, real commands as sources, the exit
//! code following the thresholds, and the JSON shape of docs/status-json.md.

mod support;

use std::process::Command;

fn runbook(dir: &std::path::Path, errors_command: &str) -> std::path::PathBuf {
    let sources = format!(
        r#"
[[source]]
id = "lag"
kind = "command"
command = "echo 4.2"
unit = "s"
warn = 10
fail = 30
panel = "sync"

[[source]]
id = "errors"
kind = "command"
command = "{errors_command}"
pointer = "/rate"
unit = "%"
warn = 0.5
fail = 1
"#
    );
    let path = dir.join("status.toml");
    std::fs::write(&path, support::runbook_text("status test", &sources)).unwrap();
    path
}

fn status(dir: &std::path::Path, runbook: &std::path::Path, json: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flightdeck"));
    cmd.arg("status")
        .arg(runbook)
        .env("FLIGHTDECK_DATA_DIR", dir.join("data"));
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn exit_code_and_json_follow_the_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let good = runbook(dir.path(), r#"echo '{\"rate\": 0.1}'"#);
    let (code, out) = status(dir.path(), &good, true);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["sources"][0]["id"], "lag");
    assert_eq!(json["sources"][0]["value"], 4.2);
    assert_eq!(json["sources"][0]["value_text"], "4.2s");
    assert_eq!(json["sources"][0]["state"], "ok");
    assert_eq!(json["sources"][0]["age_seconds"], 0);
    assert_eq!(json["sources"][1]["value"], 0.1);

    let failing = runbook(dir.path(), r#"echo '{\"rate\": 1.5}'"#);
    let (code, out) = status(dir.path(), &failing, true);
    assert_eq!(code, 3, "a source over its fail threshold: {out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["sources"][1]["state"], "fail");
    assert_eq!(json["sources"][1]["word"], "FAIL");

    let broken = runbook(dir.path(), "echo not-json; exit 0");
    let (code, out) = status(dir.path(), &broken, false);
    assert_eq!(code, 3, "no value is not OK: {out}");
    let line = out.lines().find(|l| l.starts_with("errors")).unwrap();
    assert!(line.contains("ERROR"), "{line}");
    assert!(out.contains("NOT all sources OK"));
}

#[test]
fn an_invalid_runbook_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[runbook]\nname = 'x'\n[[source]]\nid = 'a'\nkind = 'nope'\n",
    )
    .unwrap();
    let (code, _) = status(dir.path(), &path, true);
    assert_eq!(code, 2);
}
