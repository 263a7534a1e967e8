//! Traffic shifts against real parts: HAProxy's runtime API driven by the command actuator
//! (rendered from a runbook, run by the real runner, read back with `get`), real traffic through
//! HAProxy counted per side, the HTTP actuator against a real server, and the read-back's
//! failures.

mod support;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use flightdeck::actions::process::{self, Progress};
use flightdeck::actions::traffic::{Request, read_green, render, send_http};
use flightdeck::runbook::Traffic;
use support::haproxy::Haproxy;
use support::http_server::{Reply, Server};

/// The HAProxy recipe as docs/runbook-format.md documents it (its `toml` block), so the recipe
/// operators copy is the one tested.
fn documented_recipe() -> String {
    let docs = include_str!("../docs/runbook-format.md");
    let section = docs
        .split("### Example actuator: HAProxy")
        .nth(1)
        .expect("the HAProxy example in the docs");
    let block = section.split("```toml\n").nth(1).expect("its toml block");
    block.split("```").next().unwrap().to_string()
}

/// Where the documented recipe's socket is.
const DOCUMENTED_SOCKET: &str = "/run/haproxy/admin.sock";

/// Requests counted after each shift. Roundrobin is a deterministic weighted rotation, so with
/// weights summing to 100, any 200 consecutive picks give green exactly 2 x weight, give or take
/// where the rotation stood when the weights changed (measured: exact in every one of 90 runs,
/// five test binaries at once included).
/// One pick of slack (half a point) still fails a weight that is off by a single point, and a
/// blue left at 100 beside green 10 (18 of 200).
const REQUESTS: usize = 200;
const TOLERANCE: usize = 1;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The runbook's traffic section and vars, pointed at `haproxy`.
fn runbook(haproxy: &Haproxy) -> (Traffic, BTreeMap<String, String>) {
    let recipe = documented_recipe();
    assert!(recipe.contains(DOCUMENTED_SOCKET), "{recipe}");
    let toml = recipe.replace(DOCUMENTED_SOCKET, &haproxy.socket().display().to_string());
    let text = support::runbook_text("traffic", &toml);
    let rb = flightdeck::runbook::parse(&text)
        .unwrap_or_else(|d| panic!("runbook invalid: {d:?}"))
        .runbook;
    (rb.traffic.expect("a [traffic] section"), rb.vars)
}

/// Runs a rendered command through the real runner: (success, every line it printed).
fn run(request: &Request) -> (bool, Vec<String>) {
    let Request::Command(command) = request else {
        panic!("the HAProxy actuator is a command: {request:?}");
    };
    let (tx, rx) = mpsc::channel();
    process::start(command, TIMEOUT, tx).expect("start");
    let mut lines = Vec::new();
    loop {
        match rx.recv_timeout(TIMEOUT * 2).expect("progress") {
            Progress::Line { text, .. } => lines.push(text),
            Progress::Ended(outcome) => return (outcome.success(), lines),
        }
    }
}

#[test]
fn haproxy_weights_follow_the_plan_and_traffic_splits_accordingly() {
    setup();
    let haproxy = Haproxy::start();
    let (traffic, vars) = runbook(&haproxy);
    let get = traffic.get.as_deref().expect("get");
    assert_eq!(read_green(get, &vars, TIMEOUT), Ok(0));
    assert_eq!(haproxy.count(REQUESTS), (REQUESTS, 0), "all on blue before");

    let plan: Vec<u8> = traffic.plan.iter().map(|p| p.green).collect();
    assert_eq!(plan, [10, 50, 100]);
    // The plan, then the rollback's shift back to blue.
    for green in plan.into_iter().chain([0]) {
        let request = render(&traffic.set, &vars, green);
        assert!(request.shown().contains(&format!("weight {green};")));
        let (ok, lines) = run(&request);
        assert!(ok, "shift to {green}% failed: {lines:?}");
        assert_eq!(read_green(get, &vars, TIMEOUT), Ok(green), "read back");

        let (b, g) = haproxy.count(REQUESTS);
        let want = REQUESTS * green as usize / 100;
        eprintln!("green {green}%: {b} blue / {g} green of {REQUESTS}");
        assert!(
            g.abs_diff(want) <= TOLERANCE && b + g == REQUESTS,
            "green {green}%: {g} of {REQUESTS} went to green, {b} to blue"
        );
        if green == 0 || green == 100 {
            assert_eq!(g, want, "an end of the plan is exact");
        }
    }
}

#[test]
fn an_error_from_haproxy_fails_the_shift_and_changes_nothing_read_back() {
    setup();
    let haproxy = Haproxy::start();
    let (mut traffic, vars) = runbook(&haproxy);
    let flightdeck::runbook::Actuator::Command(set) = &mut traffic.set else {
        unreachable!()
    };
    *set = set.replace("be/green", "be/teal");
    let (ok, lines) = run(&render(&traffic.set, &vars, 50));
    assert!(!ok, "an unknown server must fail the shift: {lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("No such server")),
        "{lines:?}"
    );
    assert_eq!(
        read_green(traffic.get.as_deref().unwrap(), &vars, TIMEOUT),
        Ok(0)
    );
}

/// The secret the HTTP actuator's header carries, set once before any test reads the environment
/// (every test calls this first, so no thread reads it while it is written).
const SECRET_VAR: &str = "FLIGHTDECK_TEST_LB_TOKEN";
const SECRET: &str = "Bearer s3cr3t-7f1c";

fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: inside call_once, before this binary's tests go further; nothing else writes it.
    ONCE.call_once(|| unsafe { std::env::set_var(SECRET_VAR, SECRET) });
}

/// The HTTP actuator of a runbook, aimed at `url`.
fn http_actuator(url: &str) -> flightdeck::runbook::Actuator {
    let toml = format!(
        "[traffic]\nhttp = {{ method = \"PUT\", url = \"{url}/weights?green={{green}}\", body = '{{\"green\": {{green}}, \"blue\": {{blue}}}}', headers = {{ Authorization = \"{SECRET_VAR}\" }} }}\nplan = [ {{ green = 10 }} ]\n"
    );
    let text = support::runbook_text("http traffic", &toml);
    let rb = flightdeck::runbook::parse(&text)
        .unwrap_or_else(|d| panic!("runbook invalid: {d:?}\n{text}"))
        .runbook;
    rb.traffic.expect("a [traffic] section").set
}

#[test]
fn the_http_actuator_sends_the_weights_with_the_secret_header_it_never_shows() {
    setup();
    let server = Server::start(|_| Reply::status(200, "ok"));
    let request = render(&http_actuator(&server.url("")), &BTreeMap::new(), 10);
    let sent = send_http(&request, TIMEOUT);
    assert!(
        sent.as_deref()
            .is_ok_and(|s| s.starts_with("HTTP 200 in ") && s.ends_with(" ms")),
        "{sent:?}"
    );

    let got = server.requests();
    assert_eq!(got.len(), 1, "one request: {got:?}");
    let got = &got[0];
    assert_eq!(
        (got.method.as_str(), got.target.as_str()),
        ("PUT", "/weights?green=10")
    );
    assert_eq!(got.body, r#"{"green": 10, "blue": 90}"#);
    assert_eq!(got.header("authorization"), Some(SECRET));
    assert_eq!(got.header("content-type"), Some("application/json"));

    let shown = request.shown();
    assert!(
        shown.contains(&format!("Authorization: ${SECRET_VAR}")),
        "{shown}"
    );
    assert!(
        !shown.contains("s3cr3t"),
        "the secret must not be shown: {shown}"
    );
}

#[test]
fn an_http_error_answer_is_an_err_with_the_status_and_its_first_line() {
    setup();
    let server = Server::start(|_| {
        Reply::status(
            500,
            "\n  pool \x1b[31mlocked\x1b[0m by another change\nat lb.rs:42\n",
        )
    });
    let request = render(&http_actuator(&server.url("")), &BTreeMap::new(), 50);
    assert_eq!(
        send_http(&request, TIMEOUT),
        Err("HTTP 500: pool locked by another change".into())
    );
}

#[test]
fn an_http_actuator_that_never_answers_times_out_on_time() {
    setup();
    let server = Server::start(|_| Reply::Hang);
    let request = render(&http_actuator(&server.url("")), &BTreeMap::new(), 50);
    let started = Instant::now();
    let sent = send_http(&request, Duration::from_millis(700));
    let took = started.elapsed();
    assert_eq!(sent, Err("timed out after 0.7s".into()));
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(server.requests().len(), 1, "the request did arrive");
}

#[test]
fn an_http_actuator_without_a_listener_or_its_secret_fails_plainly() {
    setup();
    let port = support::localstack::free_port();
    let request = render(
        &http_actuator(&format!("http://127.0.0.1:{port}")),
        &BTreeMap::new(),
        10,
    );
    assert_eq!(
        send_http(&request, TIMEOUT),
        Err("connection refused".into())
    );

    // A header whose variable is unset stops the request before it is sent.
    let server = Server::start(|_| Reply::status(200, "ok"));
    let Request::Http { mut headers, .. } =
        render(&http_actuator(&server.url("")), &BTreeMap::new(), 10)
    else {
        unreachable!()
    };
    headers.insert("Authorization".into(), "FLIGHTDECK_TEST_UNSET".into());
    let request = Request::Http {
        method: "POST".into(),
        url: server.url("/weights"),
        body: None,
        headers,
    };
    assert_eq!(
        send_http(&request, TIMEOUT),
        Err("header Authorization: $FLIGHTDECK_TEST_UNSET is not set".into())
    );
    assert!(server.requests().is_empty());
}

fn read(get: &str, timeout: Duration) -> Result<u8, String> {
    read_green(get, &BTreeMap::new(), timeout)
}

#[test]
fn a_read_back_that_prints_no_weight_says_what_it_printed() {
    setup();
    assert_eq!(
        read("echo 'No such server.'", TIMEOUT),
        Err("the read-back printed \"No such server.\": no number in it".into())
    );
    assert_eq!(
        read("echo '150 (initial 0)'", TIMEOUT),
        Err("the read-back printed \"150 (initial 0)\": 150 is not a weight 0 to 100".into())
    );
    assert_eq!(
        read("true", TIMEOUT),
        Err("the read-back printed nothing: no number in it".into())
    );
    let failed = read("echo 'connect(): No such file' >&2; exit 1", TIMEOUT);
    assert!(
        failed
            .as_ref()
            .is_err_and(|e| e.starts_with("the read-back failed, exit 1 in ")
                && e.ends_with("(it printed \"connect(): No such file\")")),
        "{failed:?}"
    );
    // `${NAME}` comes from the runbook's vars.
    let vars = BTreeMap::from([("W".to_string(), "42".to_string())]);
    assert_eq!(read_green("echo 'weight ${W}'", &vars, TIMEOUT), Ok(42));
}

#[test]
fn a_read_back_that_hangs_is_killed_at_its_timeout() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("sleep.pid");
    let started = Instant::now();
    let got = read(
        &format!(
            "echo waiting; sleep 600 & echo $! > {}; wait",
            pidfile.display()
        ),
        Duration::from_millis(500),
    );
    let took = started.elapsed();
    assert_eq!(
        got,
        Err("the read-back was killed at its 500ms timeout (it printed \"waiting\")".into())
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The sleep went with its group: SIGKILL lands asynchronously, so it gets a moment; it may
    // linger as a zombie until init reaps it.
    let gone = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z "))
    };
    let asked = Instant::now();
    while !gone() && asked.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(gone(), "the read-back's sleep {pid} outlived the timeout");
}
