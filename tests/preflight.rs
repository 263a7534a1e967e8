//! The pre-flight through the real binary: `flightdeck check` passes only when vars are filled,
//! the environment is set, programs are on PATH and every source answers; a live `run` refuses
//! placeholders before it touches the terminal; the header says a rehearsal runs unfilled and
//! where T-0 came from.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::book::Book;
use support::http_server::{Reply, Server};

/// A runbook calling `program`, reading `$FD_CHECK_TOKEN`, with `GREETING = greeting` and an
/// http source on `url`.
fn runbook(dir: &Path, greeting: &str, program: &str, url: &str) -> PathBuf {
    Book::new("Pre-flight")
        .table(&format!(
            r#"[vars]
GREETING = "{greeting}"

[[source]]
id = "api"
kind = "http"
url = "{url}"
headers = {{ X-Check = "FD_CHECK_HEADER" }}
timeout = "2s""#
        ))
        .step(
            "hello",
            "Say hello",
            &format!(
                r#"run = "{program} -c 'echo ${{GREETING}} $FD_CHECK_TOKEN' | cat >/dev/null && echo done""#
            ),
        )
        .rollback(r#"{ title = "r", run = "echo back" }"#)
        .write(dir, "preflight.toml")
}

fn flightdeck(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flightdeck"));
    cmd.env("FLIGHTDECK_DATA_DIR", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("PATH", "/usr/bin:/bin")
        .env("FD_CHECK_TOKEN", "t0ken")
        .env("FD_CHECK_HEADER", "h3ader");
    cmd
}

fn check(mut cmd: Command, runbook: &Path) -> (i32, serde_json::Value, String) {
    let text = cmd.arg("check").arg(runbook).output().unwrap();
    let shown = String::from_utf8_lossy(&text.stdout).into_owned();
    let out = cmd.arg("--json").output().unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(
        text.status.code(),
        out.status.code(),
        "text and --json agree"
    );
    (out.status.code().unwrap_or(-1), json, shown)
}

fn failing(json: &serde_json::Value) -> Vec<(String, String)> {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ok"] == false)
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn up_server() -> Server {
    Server::start(|_| Reply::status(200, "ok"))
}

#[test]
fn check_passes_when_everything_holds() {
    let dir = tempfile::tempdir().unwrap();
    let server = up_server();
    let rb = runbook(dir.path(), "hello", "sh", &server.url("/health"));
    let (code, json, shown) = check(flightdeck(dir.path()), &rb);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["ok"], true);
    let names: Vec<(&str, &str)> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["name"].as_str().unwrap()))
        .collect();
    for want in [
        ("var", "GREETING"),
        ("env", "FD_CHECK_TOKEN"),
        ("env", "FD_CHECK_HEADER"),
        ("program", "sh"),
        ("source", "api"),
    ] {
        assert!(names.contains(&want), "{want:?} not checked: {json:#}");
    }
    // `echo` is a builtin, `cat` is found in its own pipeline segment.
    assert!(!names.contains(&("program", "echo")), "{json:#}");
    assert!(names.contains(&("program", "cat")), "{json:#}");
    assert!(shown.contains("✔ source   api: UP in"), "{shown}");
    assert!(shown.contains("all "), "{shown}");
    assert!(
        !shown.contains("t0ken"),
        "an env value is never shown: {shown}"
    );
}

#[test]
fn a_missing_program_fails_the_check_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = up_server();
    let rb = runbook(
        dir.path(),
        "hello",
        "no-such-tool-fd",
        &server.url("/health"),
    );
    let (code, json, shown) = check(flightdeck(dir.path()), &rb);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(
        failing(&json),
        [("program".to_string(), "no-such-tool-fd".to_string())]
    );
    assert!(
        shown.contains("✖ program  no-such-tool-fd: not found on PATH"),
        "{shown}"
    );
}

#[test]
fn an_unset_environment_variable_fails_the_check_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = up_server();
    let rb = runbook(dir.path(), "hello", "sh", &server.url("/health"));
    let mut cmd = flightdeck(dir.path());
    cmd.env_remove("FD_CHECK_TOKEN");
    let (code, json, shown) = check(cmd, &rb);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(
        failing(&json),
        [("env".to_string(), "FD_CHECK_TOKEN".to_string())]
    );
    assert!(
        shown.contains("✖ env      FD_CHECK_TOKEN: not set"),
        "{shown}"
    );
}

#[test]
fn a_placeholder_var_fails_the_check_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = up_server();
    let rb = runbook(
        dir.path(),
        "REPLACE_ME_greeting",
        "sh",
        &server.url("/health"),
    );
    let (code, json, _) = check(flightdeck(dir.path()), &rb);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(
        failing(&json),
        [("var".to_string(), "GREETING".to_string())]
    );
}

#[test]
fn a_source_that_does_not_answer_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = up_server();
    let url = server.url("/health");
    server.stop();
    let rb = runbook(dir.path(), "hello", "sh", &url);
    let (code, json, _) = check(flightdeck(dir.path()), &rb);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(failing(&json), [("source".to_string(), "api".to_string())]);
}

#[test]
fn check_of_an_invalid_runbook_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("bad.toml");
    std::fs::write(&rb, "[runbook]\nname = 1\n").unwrap();
    let out = flightdeck(dir.path())
        .arg("check")
        .arg(&rb)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_live_run_refuses_placeholders_before_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let rb = runbook(
        dir.path(),
        "REPLACE_ME_greeting",
        "sh",
        "http://127.0.0.1:9/",
    );
    let out = flightdeck(dir.path()).arg("run").arg(&rb).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("still hold a placeholder"), "{stderr}");
    assert!(
        stderr.contains("  GREETING\n"),
        "the list names it: {stderr}"
    );
    assert!(
        !stderr.contains("needs a terminal"),
        "refused before the terminal check: {stderr}"
    );
    assert!(
        !dir.path().join("data").exists(),
        "no run was opened: {stderr}"
    );

    // A rehearsal may: it gets as far as the terminal check.
    let out = flightdeck(dir.path())
        .args(["run", "--rehearsal"])
        .arg(&rb)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("placeholder"), "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}

#[test]
fn run_start_must_be_rfc3339() {
    let dir = tempfile::tempdir().unwrap();
    let rb = runbook(dir.path(), "hello", "sh", "http://127.0.0.1:9/");
    let out = flightdeck(dir.path())
        .args(["run", "--start", "tomorrow at ten"])
        .arg(&rb)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("RFC 3339"), "{stderr}");
}

#[test]
fn the_header_says_a_rehearsal_runs_unfilled_and_where_t0_came_from() {
    use flightdeck::app::{App, Mode};
    let text = support::runbook_text("Header", "");
    let rb = flightdeck::runbook::parse(&text).unwrap().runbook;
    let mut app = App::new(rb, "op@bastion".into(), "run-1".into(), support::NOW);
    app.mode = Mode::Rehearsal;
    let header = |app: &App| {
        let frame = support::frames::text(&support::frames::render(app, 100, 20, false));
        frame.lines().take(2).collect::<Vec<_>>().join("\n")
    };
    assert!(!header(&app).contains("vars unfilled"), "{}", header(&app));
    assert!(header(&app).contains("(run)"), "{}", header(&app));

    app.vars_unfilled = vec!["GREETING".into()];
    app.runbook.meta.start = Some(support::NOW - time::Duration::minutes(5));
    app.start_from_flag = true;
    let shown = header(&app);
    assert!(shown.contains("REHEARSAL · vars unfilled"), "{shown}");
    assert!(shown.contains("T+00:05:00 (--start)"), "{shown}");
}

/// Through the real binary in a pseudo-terminal: a rehearsal of a runbook with a placeholder
/// starts and says so, and `--start` sets T-0 (five minutes ago: the clock reads T+00:05).
#[test]
fn a_rehearsal_with_placeholders_and_start_shows_both_in_the_header() {
    use support::cockpit::{Cockpit, Dirs};
    let dirs = Dirs::new();
    let rb = runbook(
        dirs.data.path(),
        "REPLACE_ME_greeting",
        "sh",
        "http://127.0.0.1:9/",
    );
    let start = (time::OffsetDateTime::now_utc() - time::Duration::minutes(5))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let args = [
        "run",
        rb.to_str().unwrap(),
        "--rehearsal",
        "--start",
        &start,
    ];
    let c = Cockpit::start(&dirs, &args, 100, 30);
    c.wait_for("REHEARSAL · vars unfilled");
    c.wait_for("(--start)");
    c.wait_for("T+00:05:");
    c.quit();
}

/// A runbook with one CloudWatch source in eu-west-1, its endpoint on a closed local port.
fn aws_runbook(dir: &Path) -> PathBuf {
    let sources = r#"
[[source]]
id = "cpu"
kind = "cloudwatch"
namespace = "AWS/EC2"
metric = "CPUUtilization"
region = "eu-west-1"
unit = "%"
"#;
    let path = dir.join("aws.toml");
    std::fs::write(&path, support::runbook_text("AWS pre-flight", sources)).unwrap();
    path
}

/// The AWS environment of `cmd` cleared: no profile files, no instance metadata, nothing
/// reaching a real endpoint.
fn no_aws(cmd: &mut Command, dir: &Path) {
    for var in [
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_CONFIG_FILE", dir.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
}

fn aws_item(json: &serde_json::Value) -> serde_json::Value {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "aws")
        .unwrap_or_else(|| panic!("no aws line: {json:#}"))
        .clone()
}

#[test]
fn aws_credentials_are_checked_per_region_and_name_their_provider() {
    let dir = tempfile::tempdir().unwrap();
    let rb = aws_runbook(dir.path());

    let mut cmd = flightdeck(dir.path());
    no_aws(&mut cmd, dir.path());
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret-example");
    let (code, json, shown) = check(cmd, &rb);
    let aws = aws_item(&json);
    assert_eq!(aws["name"], "profile default, region eu-west-1", "{json:#}");
    assert_eq!(aws["ok"], true, "{json:#}");
    assert!(
        aws["detail"].as_str().unwrap().contains("Environment"),
        "{json:#}"
    );
    assert!(!shown.contains("secret-example"), "{shown}");
    // The source itself cannot answer: its endpoint is a closed port.
    assert_eq!(code, 3);
    assert_eq!(failing(&json), [("source".to_string(), "cpu".to_string())]);

    let mut cmd = flightdeck(dir.path());
    no_aws(&mut cmd, dir.path());
    let (code, json, _) = check(cmd, &rb);
    assert_eq!(code, 3);
    assert_eq!(aws_item(&json)["ok"], false, "{json:#}");
}
