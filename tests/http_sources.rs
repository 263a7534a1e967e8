//! The `http`, `http_json` and `prometheus` sources against a real HTTP server on 127.0.0.1:
//! verdicts, numbers, timeouts, misbehaving servers and hostile text. Sources are written as
//! runbook TOML, so the format is exercised too.

mod support;

use std::time::{Duration, Instant};

use flightdeck::runbook::{self, SourceSpec};
use flightdeck::telemetry::http;
use flightdeck::telemetry::poller::{Context, Settings};
use flightdeck::telemetry::{Reading, sanitize};
use support::http_server::{Reply, Server};

/// The source described by `keys` (the body of one `[[source]]`), parsed as a runbook would be.
fn source(keys: &str) -> runbook::Source {
    support::sources_of("http test", &format!("[[source]]\nid = 's'\n{keys}")).remove(0)
}

/// Polls the source once with the client the poller uses; also returns how long it took.
async fn poll_source(source: &runbook::Source) -> (Reading, Duration) {
    let client = Context::new(Settings::default(), Default::default()).http;
    let started = Instant::now();
    let reading = http::poll(&client, &source.spec, source.timeout).await;
    (reading, started.elapsed())
}

async fn poll(keys: &str) -> Reading {
    poll_source(&source(keys)).await.0
}

fn http_source(url: &str, extra: &str) -> String {
    format!("kind = 'http'\nurl = '{url}'\n{extra}")
}

fn json_source(url: &str, pointer: &str) -> String {
    format!("kind = 'http_json'\nurl = '{url}'\npointer = '{pointer}'")
}

fn down(reason: &str) -> Reading {
    Reading::Down {
        reason: reason.into(),
    }
}

fn error(message: &str) -> Reading {
    Reading::Error(message.into())
}

#[tokio::test]
async fn up_with_its_latency_and_method() {
    let server = Server::start(|_| {
        Reply::After(
            Duration::from_millis(150),
            Box::new(Reply::status(200, "ok")),
        )
    });
    let s = source(&http_source(
        &server.url("/health"),
        "method = 'post'\ntimeout = '3s'",
    ));
    let (reading, took) = poll_source(&s).await;
    let Reading::Up { latency_ms } = reading else {
        panic!("expected Up, got {reading:?}");
    };
    assert!(
        latency_ms >= 150.0 && latency_ms <= took.as_secs_f64() * 1000.0,
        "latency {latency_ms}ms covers the server's 150ms pause and no more than the call ({took:?})"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path()),
        ("POST", "/health")
    );
    assert!(
        requests[0]
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("flightdeck/")),
        "{:?}",
        requests[0].headers
    );
}

#[tokio::test]
async fn wrong_status_is_down_and_says_which() {
    let server = Server::start(|r| match r.path() {
        "/500" => Reply::status(500, "db: connection pool exhausted\n"),
        "/503" => Reply::status(503, ""),
        _ => Reply::status(200, "ok"),
    });
    assert_eq!(
        poll(&http_source(&server.url("/500"), "")).await,
        down("status 500: db: connection pool exhausted")
    );
    assert_eq!(
        poll(&http_source(&server.url("/ok"), "expect_status = 204")).await,
        down("status 200, expected 204: ok")
    );
    // The status the runbook expects is up, even an error status (a maintenance page, say).
    assert!(matches!(
        poll(&http_source(&server.url("/503"), "expect_status = 503")).await,
        Reading::Up { .. }
    ));
    assert_eq!(
        poll(&http_source(&server.url("/503"), "")).await,
        down("status 503")
    );
}

#[tokio::test]
async fn body_pointer_must_equal_the_value() {
    let server = Server::start(|r| match r.path() {
        "/ok" => Reply::json(
            200,
            r#"{"status":"ok","checks":{"db":true,"replicas":2.0}}"#,
        ),
        "/degraded" => Reply::json(200, r#"{"status":"degraded","checks":{"db":false}}"#),
        _ => Reply::status(200, "<html>It works!</html>"),
    });
    let check = |path: &str, pointer: &str, value: &str| {
        http_source(
            &server.url(path),
            &format!("body_pointer = '{pointer}'\nbody_equals = {value}"),
        )
    };
    assert!(matches!(
        poll(&check("/ok", "/status", "'ok'")).await,
        Reading::Up { .. }
    ));
    assert!(matches!(
        poll(&check("/ok", "/checks/db", "true")).await,
        Reading::Up { .. }
    ));
    assert!(
        matches!(
            poll(&check("/ok", "/checks/replicas", "2")).await,
            Reading::Up { .. }
        ),
        "numbers compare by value: 2 equals 2.0"
    );
    assert_eq!(
        poll(&check("/degraded", "/status", "'ok'")).await,
        down(r#"/status is "degraded", expected "ok""#)
    );
    assert_eq!(
        poll(&check("/degraded", "/checks/cache", "true")).await,
        down("no /checks/cache in the body (expected true)")
    );
    assert_eq!(
        poll(&check("/html", "/status", "'ok'")).await,
        down(r#"body is not JSON (expected /status = "ok"): <html>It works!</html>"#)
    );
}

#[tokio::test]
async fn body_regex_must_match() {
    let server = Server::start(|_| Reply::status(200, "status: READY (3 of 3 replicas)"));
    let url = server.url("/");
    assert!(matches!(
        poll(&http_source(&url, r"body_regex = 'READY \(\d of \d'")).await,
        Reading::Up { .. }
    ));
    assert_eq!(
        poll(&http_source(&url, "body_regex = '^OK$'")).await,
        down("body does not match /^OK$/: status: READY (3 of 3 replicas)")
    );
    let before = server.requests().len();
    assert!(matches!(
        poll(&http_source(&url, "body_regex = 'READY ('")).await,
        Reading::Error(e) if e.starts_with("body_regex is not valid")
    ));
    assert_eq!(
        server.requests().len(),
        before,
        "a bad pattern sends nothing"
    );
}

#[tokio::test]
async fn a_slow_answer_is_cut_off_at_the_timeout() {
    let server = Server::start(|_| {
        Reply::After(Duration::from_secs(5), Box::new(Reply::status(200, "late")))
    });
    let s = source(&http_source(&server.url("/"), "timeout = '500ms'"));
    let (reading, took) = poll_source(&s).await;
    assert_eq!(reading, down("timed out after 0.5s"));
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1200),
        "returned after {took:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_is_cut_off() {
    let server = Server::start(|_| Reply::Hang);
    let (reading, took) =
        poll_source(&source(&http_source(&server.url("/"), "timeout = '400ms'"))).await;
    assert_eq!(reading, down("timed out after 0.4s"));
    assert!(
        took < Duration::from_millis(1100),
        "returned after {took:?}"
    );

    let (reading, took) = poll_source(&source(&format!(
        "{}\ntimeout = '400ms'",
        json_source(&server.url("/"), "/lag")
    )))
    .await;
    assert_eq!(
        reading,
        error("timed out after 0.4s"),
        "no number is unknown, not down"
    );
    assert!(
        took < Duration::from_millis(1100),
        "returned after {took:?}"
    );
}

#[tokio::test]
async fn unreachable_endpoints_are_down() {
    // A port that was just free: bound, then released, so nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/health");
    assert_eq!(
        poll(&http_source(&url, "")).await,
        down("connection refused")
    );
    assert_eq!(
        poll(&json_source(&url, "/lag")).await,
        error("connection refused")
    );

    let server = Server::start(|r| match r.path() {
        "/close" => Reply::Close,
        _ => Reply::status(200, "ok"),
    });
    let closed = poll(&http_source(&server.url("/close"), "")).await;
    assert!(
        matches!(&closed, Reading::Down { reason } if reason.starts_with("request failed: connection closed")),
        "{closed:?}"
    );
    // TLS spoken to a plain HTTP server: the handshake fails, and that is a verdict too.
    let tls = poll(&http_source(
        &format!("https://127.0.0.1:{}/", server.port()),
        "",
    ))
    .await;
    assert!(
        matches!(&tls, Reading::Down { reason } if reason.starts_with("TLS handshake failed")),
        "{tls:?}"
    );
}

#[tokio::test]
async fn http_json_reads_numbers_and_rejects_the_rest() {
    let server = Server::start(|r| match r.path() {
        "/lag" => Reply::json(
            200,
            r#"{"replication":{"lag_seconds":4.5,"lag_text":" 12 ","healthy":true,"slots":[1],"none":null}}"#,
        ),
        "/garbage" => Reply::json(200, "<html><body>Gateway login</body></html>"),
        _ => Reply::status(503, "upstream overloaded"),
    });
    let at = |pointer: &str| json_source(&server.url("/lag"), pointer);
    assert_eq!(
        poll(&at("/replication/lag_seconds")).await,
        Reading::Number(4.5)
    );
    assert_eq!(
        poll(&at("/replication/lag_text")).await,
        Reading::Number(12.0)
    );
    assert_eq!(
        poll(&at("/replication/healthy")).await,
        error("/replication/healthy is true, not a number")
    );
    assert_eq!(
        poll(&at("/replication/slots")).await,
        error("/replication/slots holds an array, not a number")
    );
    assert_eq!(
        poll(&at("/replication/none")).await,
        error("/replication/none is null")
    );
    assert_eq!(
        poll(&at("/replication/missing")).await,
        error("no value at /replication/missing")
    );
    assert_eq!(
        poll(&json_source(&server.url("/garbage"), "/lag")).await,
        error("not JSON: <html><body>Gateway login</body></html>")
    );
    assert_eq!(
        poll(&json_source(&server.url("/down"), "/lag")).await,
        error("status 503: upstream overloaded")
    );
}

/// True if `c` could move the cursor, retitle the terminal or reorder text.
fn controlling(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[tokio::test]
async fn hostile_text_never_reaches_a_reading() {
    const HOSTILE: &str = "\x1b[2J\x1b]0;pwned\x07\u{202e}evil\u{9b}31m\u{85}\u{2066}boom\r\n\tend";
    let server = Server::start(|r| match r.path() {
        "/500" => Reply::status(500, HOSTILE),
        "/json" => Reply::json(
            200,
            format!(
                r#"{{"status":"{}"}}"#,
                "\\u001b]0;pwned\\u0007\\u202edegraded"
            ),
        ),
        "/long" => Reply::status(500, "x".repeat(10_000)),
        _ => Reply::json(200, HOSTILE),
    });
    let readings = [
        poll(&http_source(&server.url("/500"), "")).await,
        poll(&http_source(&server.url("/200"), "body_regex = '^ok'")).await,
        poll(&http_source(
            &server.url("/json"),
            "body_pointer = '/status'\nbody_equals = 'ok'",
        ))
        .await,
        poll(&json_source(&server.url("/200"), "/x")).await,
        poll(&json_source(&server.url("/json"), "/status")).await,
    ];
    let texts: Vec<&str> = readings
        .iter()
        .map(|r| match r {
            Reading::Down { reason } => reason.as_str(),
            Reading::Error(e) => e.as_str(),
            other => panic!("expected a reason, got {other:?}"),
        })
        .collect();
    for text in &texts {
        assert!(!text.chars().any(controlling), "{text:?}");
        assert!(
            !text.contains("pwned"),
            "an OSC title string goes whole: {text:?}"
        );
    }
    assert_eq!(texts[0], "status 500: evilboom end");
    assert_eq!(texts[1], "body does not match /^ok/: evilboom end");
    assert_eq!(texts[2], r#"/status is "degraded", expected "ok""#);
    assert_eq!(texts[3], "not JSON: evilboom end");
    assert_eq!(texts[4], r#"/status is "degraded", not a number"#);

    let long = poll(&http_source(&server.url("/long"), "")).await;
    let Reading::Down { reason } = long else {
        panic!("{long:?}")
    };
    assert!(
        reason.chars().count() <= http::MAX_TEXT + 1,
        "shortened: {} chars",
        reason.chars().count()
    );
    assert!(
        reason.starts_with("status 500: xxx") && reason.ends_with('…'),
        "{reason}"
    );
    // What a reading says is already clean: cleaning again changes nothing.
    assert_eq!(sanitize::one_line(&reason), reason);
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_cap() {
    let server = Server::start(|_| Reply::Endless);
    let url = server.url("/stream");
    // A long timeout: only the cap can end these polls quickly.
    let (reading, took) = poll_source(&source(&format!(
        "{}\ntimeout = '20s'",
        json_source(&url, "/x")
    )))
    .await;
    assert_eq!(reading, error("answer is over 1 MiB"));
    assert!(took < Duration::from_secs(5), "returned after {took:?}");

    let checked = format!(
        "{}\ntimeout = '20s'",
        http_source(&url, "body_pointer = '/x'\nbody_equals = 1")
    );
    assert_eq!(
        poll(&checked).await,
        down("body is over 1 MiB, /x not checked")
    );
    // Without a body check the body is only read up to the cap; the answer itself was a 200.
    assert!(matches!(
        poll(&format!("{}\ntimeout = '20s'", http_source(&url, ""))).await,
        Reading::Up { .. }
    ));

    // The client hung up after the cap, so each endless writer failed soon after. (An async
    // sleep: the runtime must run to close the last dropped connection.)
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.endless_ended() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        server.endless_ended(),
        3,
        "every connection was closed by the client"
    );
    let written = server.endless_bytes();
    assert!(
        written < 3 * 32 * 1024 * 1024,
        "the client stopped reading near the cap: {written} bytes written for 3 polls"
    );
}

#[tokio::test]
async fn header_values_come_from_the_environment() {
    // Unique per process and used by this test alone, so setting it races with no reader.
    let var = format!("FD_TEST_TOKEN_{}", std::process::id());
    let token = format!("Bearer t0ken-{}", std::process::id());
    // SAFETY: no other code in this process reads this variable.
    unsafe { std::env::set_var(&var, &token) };
    let server = Server::start(|_| Reply::status(200, "ok"));
    let with = |var: &str| {
        http_source(
            &server.url("/"),
            &format!("headers = {{ Authorization = '{var}' }}"),
        )
    };

    assert!(matches!(poll(&with(&var)).await, Reading::Up { .. }));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("authorization"), Some(token.as_str()));

    let unset = format!("FD_TEST_UNSET_{}", std::process::id());
    assert_eq!(
        poll(&with(&unset)).await,
        error(&format!("header Authorization: ${unset} is not set"))
    );
    assert_eq!(
        server.requests().len(),
        1,
        "no request goes out with the header missing"
    );
}

/// A Prometheus HTTP API imitation: answers in the shapes Prometheus uses (see
/// https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries).
fn prometheus() -> Server {
    Server::start(|r| {
        if !r.path().ends_with("/api/v1/query") || r.method != "GET" {
            return Reply::status(404, "404 page not found");
        }
        let query = r.query("query").unwrap_or_default();
        match query.as_str() {
            r#"sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))"# => {
                Reply::json(
                    200,
                    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1733436000.781,"0.0042"]}]}}"#,
                )
            }
            "pg_replication_lag_seconds" => Reply::json(
                200,
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"pg_replication_lag_seconds","instance":"db-1:9187"},"value":[1733436000.781,"7.25"]},{"metric":{"__name__":"pg_replication_lag_seconds","instance":"db-2:9187"},"value":[1733436000.781,"0.5"]}]}}"#,
            ),
            "scalar(42)" => Reply::json(
                200,
                r#"{"status":"success","data":{"resultType":"scalar","result":[1733436000.781,"42"]}}"#,
            ),
            "absent_metric" => Reply::json(
                200,
                r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
            ),
            "up[5m]" => Reply::json(
                200,
                r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"api"},"values":[[1733435700,"1"],[1733436000,"1"]]}]}}"#,
            ),
            "proxy" => Reply::status(502, "<html><h1>502 Bad Gateway</h1></html>"),
            _ => Reply::json(
                400,
                format!(
                    r#"{{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:{}: parse error: unexpected end of input"}}"#,
                    query.len() + 1
                ),
            ),
        }
    })
}

#[tokio::test]
async fn prometheus_instant_queries() {
    let server = prometheus();
    let q = |query: &str| {
        format!(
            "kind = 'prometheus'\nurl = '{}'\nquery = '''{query}'''",
            server.url("")
        )
    };
    let error_rate =
        r#"sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))"#;
    assert_eq!(poll(&q(error_rate)).await, Reading::Number(0.0042));
    assert_eq!(
        server.requests().last().map(|r| r.query("query")),
        Some(Some(error_rate.to_string())),
        "the query arrives intact, braces, quotes and all"
    );
    assert_eq!(
        poll(&q("pg_replication_lag_seconds")).await,
        Reading::Number(7.25),
        "the first series"
    );
    assert_eq!(poll(&q("scalar(42)")).await, Reading::Number(42.0));
    assert_eq!(poll(&q("absent_metric")).await, error("no data"));
    assert!(
        matches!(poll(&q("up[5m]")).await, Reading::Error(e) if e.starts_with("the query returns a matrix"))
    );
    assert_eq!(
        poll(&q("rate(")).await,
        error(
            r#"Prometheus error (bad_data): invalid parameter "query": 1:6: parse error: unexpected end of input"#
        )
    );
    assert_eq!(
        poll(&q("proxy")).await,
        error("status 502: <html><h1>502 Bad Gateway</h1></html>")
    );

    // Behind a proxy under a path prefix, with or without a trailing slash.
    let prefixed = format!(
        "kind = 'prometheus'\nurl = '{}'\nquery = 'scalar(42)'",
        server.url("/prometheus/")
    );
    assert_eq!(poll(&prefixed).await, Reading::Number(42.0));
    assert_eq!(
        server.requests().last().unwrap().path(),
        "/prometheus/api/v1/query"
    );
}

#[tokio::test]
async fn a_source_of_another_kind_is_not_polled_here() {
    let s = source("kind = 'command'\ncommand = 'echo 1'");
    assert!(matches!(s.spec, SourceSpec::Command { .. }));
    assert_eq!(
        poll_source(&s).await.0,
        error("command is not an HTTP source")
    );
}
