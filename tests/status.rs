//! `flightdeck status` as a script sees it: the real binary, real commands as sources, the exit
//! code following the thresholds, and the JSON shape of docs/status-json.md.

mod support;

use std::process::Command;

use support::book::Book;

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
    Book::new("status test")
        .table(&sources)
        .write(dir, "status.toml")
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

/// A runbook whose two gates judge `lag`, a number served by a real HTTP server: `first` needs
/// it under 30s, `second` under 5s. `lag` has no thresholds of its own, so as a source it is
/// OK whenever it answers: only the gates can make status fail.
fn gated_runbook(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    Book::new("gated")
        .table(&format!(
            r#"[[source]]
id = "lag"
kind = "http_json"
url = "{url}"
pointer = "/replication/lag_seconds"
unit = "s"
panel = "sync""#
        ))
        .step(
            "first",
            "First gate",
            r#"gate = ["lag < 30s"]
signoff = ["DBA agrees"]"#,
        )
        .step("second", "Second gate", r#"gate = ["lag < 5s"]"#)
        .write(dir, "gated.toml")
}

/// A lag server whose answer the test changes between runs of `status`.
fn lag_server() -> (
    support::http_server::Server,
    std::sync::Arc<std::sync::Mutex<f64>>,
) {
    use support::http_server::{Reply, Server};
    let lag = std::sync::Arc::new(std::sync::Mutex::new(42.0));
    let served = lag.clone();
    let server = Server::start(move |_| {
        let v = *served.lock().unwrap();
        Reply::json(200, format!(r#"{{"replication": {{"lag_seconds": {v}}}}}"#))
    });
    (server, lag)
}

fn json_status(dir: &std::path::Path, runbook: &std::path::Path) -> (i32, serde_json::Value) {
    let (code, out) = status(dir, runbook, true);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, json)
}

#[test]
fn the_next_gate_decides_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (server, lag) = lag_server();
    let runbook = gated_runbook(dir.path(), &server.url("/lag"));

    let (code, json) = json_status(dir.path(), &runbook);
    assert_eq!(code, 3, "lag 42s fails `lag < 30s`: {json:#}");
    assert_eq!(json["ok"], false);
    assert_eq!(json["decided_by"], "next_gate");
    assert_eq!(
        json["sources"][0]["state"], "ok",
        "the source itself is fine"
    );
    assert_eq!(json["next_gate"], "first", "no run yet: the first gate");
    assert_eq!(json["run"], serde_json::Value::Null);
    let gate = &json["gates"][0];
    assert_eq!(gate["id"], "first");
    assert_eq!(gate["title"], "First gate");
    assert_eq!(gate["go"], false);
    assert_eq!(gate["signoffs"][0], "DBA agrees");
    let c = &gate["criteria"][0];
    assert_eq!(c["criterion"], "lag < 30s");
    assert_eq!(c["source"], "lag");
    assert_eq!(c["threshold"], "< 30s");
    assert_eq!(c["limit"], 30.0);
    assert_eq!(c["verdict"], "fail");
    assert_eq!(c["measured"], 42.0);
    assert_eq!(c["measured_text"], "42s");
    assert_eq!(c["why"], "42s >= 30s");
    assert_eq!(json["gates"][1]["criteria"][0]["verdict"], "fail");

    *lag.lock().unwrap() = 12.0;
    let (code, json) = json_status(dir.path(), &runbook);
    assert_eq!(code, 0, "lag 12s passes the first gate: {json:#}");
    assert_eq!(json["ok"], true);
    assert_eq!(json["gates"][0]["go"], true);
    assert_eq!(json["gates"][0]["criteria"][0]["verdict"], "pass");
    assert_eq!(json["gates"][0]["criteria"][0]["why"], "12s < 30s");
    assert_eq!(
        json["gates"][1]["go"], false,
        "the second gate is evaluated too"
    );

    let (code, text) = status(dir.path(), &runbook, false);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("GATES (sign-offs are manual and not counted here)"));
    let row = text.lines().find(|l| l.contains("lag < 30s")).unwrap();
    for part in ["12s", "< 30s", "PASS", "12s < 30s"] {
        assert!(row.contains(part), "{part} in {row}");
    }
    assert!(text.contains("sign-offs (manual, not counted): DBA agrees"));
    assert!(text.contains(
        "next gate first: every criterion passes (sign-offs are manual and not counted)"
    ));

    *lag.lock().unwrap() = 31.0;
    let (code, text) = status(dir.path(), &runbook, false);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("next gate first: NO-GO, 1 of 1 criteria not passing"));
}

#[test]
fn the_open_run_says_which_gate_is_next() {
    use flightdeck::journal::{Event, FileJournal, Identity, Journal, runs};
    let dir = tempfile::tempdir().unwrap();
    let (server, lag) = lag_server();
    *lag.lock().unwrap() = 12.0;
    let runbook = gated_runbook(dir.path(), &server.url("/lag"));
    let data = dir.path().join("data");
    std::fs::create_dir_all(runs::runs_dir(&data)).unwrap();
    let run = "20261205T220000Z-gated";
    let identity = Identity {
        operator: "op@host".into(),
        run: run.into(),
    };
    let mut journal = FileJournal::create(&runs::run_path(&data, run), identity).unwrap();
    let mut append = |event| journal.append(event, "h").unwrap();
    append(Event::RunStarted {
        runbook_path: flightdeck::session::runbook_key(&runbook),
        runbook_name: "gated".into(),
        step_fingerprints: Default::default(),
        mode: None,
    });
    append(Event::GateDecided {
        step: "first".into(),
        go: true,
        overridden: vec![],
        reason: None,
        evidence: vec![],
        signoffs: vec![],
    });

    let (code, json) = json_status(dir.path(), &runbook);
    assert_eq!(code, 3, "the second gate wants lag < 5s: {json:#}");
    assert_eq!(json["run"], run);
    assert_eq!(json["next_gate"], "second");
    assert_eq!(json["gates"][0]["finished"], true);
    assert_eq!(json["gates"][0]["go"], true);

    append(Event::StepSkipped {
        step: "second".into(),
        reason: "not needed".into(),
    });
    let (code, json) = json_status(dir.path(), &runbook);
    assert_eq!(code, 0, "no gate left: the sources decide: {json:#}");
    assert_eq!(json["next_gate"], serde_json::Value::Null);
    assert_eq!(json["decided_by"], "sources");

    drop(server);
    let (code, json) = json_status(dir.path(), &runbook);
    assert_eq!(code, 3, "the source is down now: {json:#}");
    assert_eq!(json["sources_ok"], false);
}

/// Every source down and a next gate with sign-offs only: nothing is known, so nothing is
/// called healthy (this exited 0 before: the gate alone decided, and it had nothing to judge).
#[test]
fn status_never_calls_unknown_healthy() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let text = format!(
        r#"
[runbook]
name = "blind"

[[source]]
id = "lag"
kind = "command"
command = "echo 'replica unreachable' >&2; exit 1"
unit = "s"

[[source]]
id = "green"
kind = "http"
url = "http://127.0.0.1:{port}/health"

[[phase]]
id = "p"
title = "p"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = []
signoff = ["DBA agrees"]

[rollback]
steps = [{{ title = "r" }}]
"#
    );
    let runbook = dir.path().join("blind.toml");
    std::fs::write(&runbook, text).unwrap();
    let (code, json) = json_status(dir.path(), &runbook);
    assert_eq!(code, 3, "every source down is not healthy: {json:#}");
    assert_eq!(json["ok"], false);
    assert_eq!(json["next_gate"], "go");
    assert_eq!(json["gates"][0]["go"], true, "the gate alone would pass");
    assert_eq!(json["decided_by"], "blind_sources");
    assert_eq!(json["blind_sources"], serde_json::json!(["lag", "green"]));
}
