//! The telemetry acceptance, end to end: the real binary in a pseudo-terminal, pointed through
//! the standard AWS endpoint variables at a real LocalStack (CloudWatch) and a real moto (Cost
//! Explorer), plus a real HTTP health endpoint. Values arrive with their ages; stopping
//! LocalStack turns its values STALE within two intervals while keys keep answering; starting
//! it again brings them back; a restarted cockpit answers cost from its disk cache without
//! calling Cost Explorer again, and says so.

mod support;

use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::StandardUnit;
use serde_json::json;
use support::cockpit::{Cockpit, Dirs};
use support::http_server::{Reply, Server};
use support::localstack::{Account, LocalStack, a_minute_ago, free_port, put};
use support::moto::Moto;
use time::OffsetDateTime;

/// CloudWatch sources poll every 2 s: stale after 4 s without a value.
const INTERVAL_SECS: u64 = 2;

fn runbook(health: &str, namespace: &str) -> String {
    format!(
        r#"
[runbook]
name = "Telemetry end to end"
region = "us-east-1"

[[source]]
id = "blue"
kind = "http"
label = "blue health"
url = "{health}"
interval = "1s"
timeout = "1s"

[[source]]
id = "sync_lag"
kind = "cloudwatch"
label = "sync lag"
namespace = "{namespace}"
metric = "SyncLag"
stat = "Maximum"
unit = "s"
warn = 10
fail = 30
panel = "sync"
interval = "{INTERVAL_SECS}s"
timeout = "1s"

[[source]]
id = "error_rate"
kind = "cloudwatch"
label = "error rate"
namespace = "{namespace}"
metric = "ErrorRate"
stat = "Average"
unit = "%"
warn = 0.5
fail = 1
interval = "{INTERVAL_SECS}s"
timeout = "1s"

[[source]]
id = "cost"
kind = "cost_explorer"
label = "AWS month to date"
budget = 395

[[phase]]
id = "p"
title = "Cutover"

[[phase.step]]
id = "first"
title = "First step"
description = "about the first step"

[[phase.step]]
id = "second"
title = "Second step"
description = "about the second step"

[rollback]
steps = [{{ title = "Undo" }}]
"#
    )
}

/// A GetCostAndUsage answer of this month: two services on day 1, $58.50 in all.
fn cost_answer() -> serde_json::Value {
    let today = OffsetDateTime::now_utc().date();
    let first = today.replace_day(1).unwrap();
    let day = |d: time::Date| d.to_string();
    json!({
        "ResultsByTime": [{
            "TimePeriod": { "Start": day(first), "End": day(first.next_day().unwrap()) },
            "Total": {},
            "Groups": [
                { "Keys": ["Amazon Relational Database Service"],
                  "Metrics": { "UnblendedCost": { "Amount": "40.5", "Unit": "USD" } } },
                { "Keys": ["AWS Database Migration Service"],
                  "Metrics": { "UnblendedCost": { "Amount": "18", "Unit": "USD" } } }
            ],
            "Estimated": true
        }],
        "DimensionValueAttributes": [],
        "GroupDefinitions": [{ "Type": "DIMENSION", "Key": "SERVICE" }]
    })
}

fn put_metrics(ls: &LocalStack, account: &Account, lag: f64) {
    let config = account.config(&ls.endpoint());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let at = a_minute_ago();
        let ns = &account.namespace;
        put(
            &config,
            ns,
            "SyncLag",
            &[],
            &[lag],
            Some(StandardUnit::Seconds),
            at,
        )
        .await;
        put(
            &config,
            ns,
            "ErrorRate",
            &[],
            &[0.05],
            Some(StandardUnit::Percent),
            at,
        )
        .await;
    });
}

/// The screen row holding `label`.
fn row(screen: &vt100::Screen, label: &str) -> String {
    screen
        .contents()
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_default()
        .to_string()
}

/// The row of `label` shows all of `words`, and ends with an age like `3s`.
fn shows(screen: &vt100::Screen, label: &str, words: &[&str]) -> bool {
    let r = row(screen, label);
    let age_shown = r
        .trim_end_matches(['│', '┃', ' '])
        .rsplit(' ')
        .next()
        .is_some_and(|a| {
            // A fresh value's age reads `now` (issue 13: no 0s, 1s, 0s flicker); a late one's
            // its seconds.
            a == "now" || a.ends_with('s') && a[..a.len() - 1].parse::<u32>().is_ok()
        });
    words.iter().all(|w| r.contains(w)) && age_shown
}

#[test]
fn live_values_go_stale_when_localstack_stops_and_come_back() {
    let port = free_port();
    let mut localstack = Some(LocalStack::start_on(port));
    let account = Account::new("e2e");
    put_metrics(localstack.as_ref().unwrap(), &account, 4.0);
    let moto = Moto::start();
    moto.preset_cost_and_usage(&[cost_answer()]);
    let health = Server::start(|_| Reply::json(200, r#"{"status":"ok"}"#));

    let dirs = Dirs::new();
    let book = dirs.data.path().join("e2e.toml");
    std::fs::write(&book, runbook(&health.url("/health"), &account.namespace)).unwrap();
    let aws_home = tempfile::tempdir().unwrap();
    let cw = localstack.as_ref().unwrap().endpoint();
    let ce = moto.endpoint();
    let none = aws_home.path().join("none");
    let env = [
        ("AWS_ACCESS_KEY_ID", account.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("AWS_ENDPOINT_URL_CLOUDWATCH", cw.as_str()),
        ("AWS_ENDPOINT_URL_COST_EXPLORER", ce.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", none.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", none.to_str().unwrap()),
    ];
    let args = ["run", book.to_str().unwrap()];
    let mut c = Cockpit::start_with_env(&dirs, &args, 100, 30, &env);

    c.wait_until("health, lag, error rate and cost with ages", |s| {
        shows(s, "blue health", &["UP"])
            && shows(s, "sync lag", &["4s", "OK"])
            && shows(s, "error rate", &["0.05%", "OK"])
            && shows(s, "AWS month to date", &["$58.50", "OK"])
            && s.contents().contains("AWS calls: 2 CE")
    });
    assert_eq!(moto.operations(), ["GetCostAndUsage", "GetCostForecast"]);

    // LocalStack goes away: its values age into STALE within two intervals of the last one.
    drop(localstack.take());
    let stopped = Instant::now();
    c.wait_until("sync lag and error rate STALE", |s| {
        shows(s, "sync lag", &["4s", "STALE"]) && shows(s, "error rate", &["STALE"])
    });
    let took = stopped.elapsed();
    assert!(
        took <= Duration::from_secs(2 * INTERVAL_SECS + 2),
        "STALE after {took:?}"
    );
    assert!(
        c.with_screen(|s| shows(s, "blue health", &["UP"])),
        "the others stay live"
    );
    // Keys still answer: the selection moves and the detail follows at once.
    let pressed = Instant::now();
    c.send("jj");
    c.wait_for("about the second step");
    assert!(pressed.elapsed() < Duration::from_secs(2));

    // LocalStack returns (empty: it keeps no state), the metrics are put again: values return.
    let back = LocalStack::start_on(port);
    put_metrics(&back, &account, 5.0);
    c.wait_until("sync lag back", |s| shows(s, "sync lag", &["5s", "OK"]));
    c.quit();

    // A restarted cockpit answers cost from the disk cache: no new Cost Explorer request.
    let c = Cockpit::start_with_env(&dirs, &args, 100, 30, &env);
    c.wait_until("cost from the cache", |s| {
        shows(s, "AWS month to date", &["$58.50"])
            && s.contents().contains("cached")
            && s.contents().contains("AWS calls: 0 CE")
    });
    assert_eq!(
        moto.operations(),
        ["GetCostAndUsage", "GetCostForecast"],
        "no Cost Explorer call after the restart"
    );
    c.quit();
}
