//! The evaluation table: each row a criterion, the readings before it (seconds ago), and the
//! verdict with its evidence.

use super::*;
use crate::runbook::unit::{SourceUnit, TimeUnit};
use crate::telemetry::Sample;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-05 22:00:00 UTC);

/// Sources: `lag` in s every 10 s, `api` http (latency in ms) every 10 s, `rate` in %.
fn sources() -> Vec<Source> {
    let text = r#"
[runbook]
name = "x"
[[source]]
id = "lag"
kind = "command"
command = "true"
unit = "s"
interval = "10s"
[[source]]
id = "api"
kind = "http"
url = "http://127.0.0.1:9/"
interval = "10s"
[[source]]
id = "rate"
kind = "command"
command = "true"
unit = "%"
interval = "10s"
[[phase]]
id = "p"
title = "p"
[[phase.step]]
id = "a"
title = "a"
[rollback]
steps = [{ title = "r" }]
"#;
    crate::runbook::parse(text)
        .map_err(|d| format!("{d:?}"))
        .unwrap()
        .runbook
        .sources
}

fn history(readings: &[(i64, Reading)]) -> SourceHistory {
    let mut h = SourceHistory::default();
    for (ago, r) in readings {
        h.push(Sample::new(
            "x",
            NOW - time::Duration::seconds(*ago),
            r.clone(),
        ));
    }
    h
}

/// (seconds ago, reading), oldest first.
type Readings = Vec<(i64, Reading)>;

fn n(v: f64) -> Reading {
    Reading::Number(v)
}

fn up(ms: f64) -> Reading {
    Reading::Up { latency_ms: ms }
}

fn down() -> Reading {
    Reading::Down {
        reason: "503".into(),
    }
}

/// Readings every 10 s from `secs` ago until now, all the same.
fn steady(secs: i64, r: Reading) -> Vec<(i64, Reading)> {
    (0..=secs / 10).rev().map(|i| (i * 10, r.clone())).collect()
}

#[test]
fn verdicts_table() {
    let srcs = sources();
    let by_id = |id: &str| srcs.iter().find(|s| s.id == id).unwrap();
    let lag_rising: Vec<(i64, Reading)> = vec![
        (40, n(5.0)),
        (30, n(50.0)),
        (20, n(6.0)),
        (10, n(7.0)),
        (0, n(8.0)),
    ];
    let cases: Vec<(&str, Readings, Verdict, &str)> = vec![
        ("lag < 30s", vec![(5, n(12.0))], Verdict::Pass, "12s < 30s"),
        ("lag < 30s", vec![(5, n(42.0))], Verdict::Fail, "42s >= 30s"),
        ("lag < 30s", vec![(5, n(30.0))], Verdict::Fail, "30s >= 30s"),
        (
            "lag <= 30s",
            vec![(5, n(30.0))],
            Verdict::Pass,
            "30s <= 30s",
        ),
        ("lag < 1m", vec![(5, n(59.0))], Verdict::Pass, "59s < 60s"),
        (
            "lag < 500ms",
            vec![(5, n(0.4))],
            Verdict::Pass,
            "0.4s < 0.5s",
        ),
        ("lag > 0", vec![(5, n(0.0))], Verdict::Fail, "0s <= 0s"),
        ("lag == 0", vec![(5, n(0.0))], Verdict::Pass, "0s == 0s"),
        ("lag != 0", vec![(5, n(0.0))], Verdict::Fail, "0s == 0s"),
        (
            "rate < 0.1%",
            vec![(5, n(0.02))],
            Verdict::Pass,
            "0.02% < 0.1%",
        ),
        ("lag < 30s", vec![], Verdict::Unknown, "no data yet"),
        (
            "lag < 30s",
            vec![(21, n(1.0))],
            Verdict::Unknown,
            "stale (21s old)",
        ),
        ("lag < 30s", vec![(20, n(1.0))], Verdict::Pass, "1s < 30s"),
        (
            "lag < 30s",
            vec![(5, Reading::Error("timeout".into()))],
            Verdict::Unknown,
            "error: timeout",
        ),
        ("api is up", vec![(5, up(12.0))], Verdict::Pass, "up"),
        ("api is up", vec![(5, down())], Verdict::Fail, "down"),
        ("api is down", vec![(5, down())], Verdict::Pass, "down"),
        (
            "api < 200ms",
            vec![(5, up(250.0))],
            Verdict::Fail,
            "250ms >= 200ms",
        ),
        (
            "api < 200ms",
            vec![(5, down())],
            Verdict::Unknown,
            "down: 503",
        ),
        (
            "api < 1s",
            vec![(5, up(250.0))],
            Verdict::Pass,
            "250ms < 1000ms",
        ),
        (
            "lag < 30s for 5m",
            steady(300, n(3.0)),
            Verdict::Pass,
            "3s < 30s",
        ),
        (
            "lag < 30s for 5m",
            steady(120, n(3.0)),
            Verdict::Fail,
            "3s < 30s, held 2m of 5m",
        ),
        // Held since the first passing reading after the breach (conservative: the breach may
        // have ended any time between the two readings).
        (
            "lag < 30s for 20s",
            lag_rising.clone(),
            Verdict::Pass,
            "8s < 30s",
        ),
        (
            "lag < 30s for 30s",
            lag_rising,
            Verdict::Fail,
            "8s < 30s, held 20s of 30s",
        ),
        // A gap longer than two intervals breaks the hold: missing data is not evidence.
        (
            "lag < 30s for 5m",
            vec![(300, n(1.0)), (100, n(1.0)), (0, n(1.0))],
            Verdict::Fail,
            "1s < 30s, held 0s of 5m",
        ),
        ("api is up for 1m", steady(60, up(5.0)), Verdict::Pass, "up"),
        (
            "api is up for 1m",
            vec![
                (60, up(5.0)),
                (50, down()),
                (40, up(5.0)),
                (30, up(5.0)),
                (20, up(5.0)),
                (10, up(5.0)),
                (0, up(5.0)),
            ],
            Verdict::Fail,
            "up, held 40s of 1m",
        ),
    ];
    for (text, readings, verdict, why) in cases {
        let c = crate::gates::Criterion::parse(text).unwrap();
        let h = history(&readings);
        let e = evaluate(&c, Some(by_id(&c.source)), Some(&h), NOW);
        assert_eq!(
            (e.verdict, e.why.as_str()),
            (verdict, why),
            "{text} with {readings:?}"
        );
    }
}

#[test]
fn an_unknown_source_is_unknown_never_pass() {
    let c = crate::gates::Criterion::parse("nope < 1").unwrap();
    let e = evaluate(&c, None, None, NOW);
    assert_eq!(e.verdict, Verdict::Unknown);
}

#[test]
fn units_convert_into_the_source_unit() {
    let su = SourceUnit::parse;
    let t = |u| Some(Unit::Time(u));
    assert_eq!(in_source_unit(5.0, t(TimeUnit::Minutes), &su("s")), 300.0);
    assert_eq!(in_source_unit(1.0, t(TimeUnit::Seconds), &su("ms")), 1000.0);
    assert_eq!(in_source_unit(250.0, t(TimeUnit::Millis), &su("s")), 0.25);
    assert_eq!(in_source_unit(1.0, t(TimeUnit::Days), &su("h")), 24.0);
    assert_eq!(in_source_unit(5.0, t(TimeUnit::Minutes), &su("min")), 5.0);
    assert_eq!(in_source_unit(0.1, Some(Unit::Percent), &su("%")), 0.1);
    assert_eq!(in_source_unit(3.0, None, &su("count")), 3.0);
}

/// One table of time units: `5min`, `5m` and `300s` are the same in a threshold and in `for`,
/// and so are `1d` and `24h`.
#[test]
fn a_threshold_and_a_for_read_time_units_alike() {
    let limit = |text: &str| match crate::gates::Criterion::parse(text).unwrap().condition {
        crate::gates::Condition::Compare { value, unit, .. } => {
            in_source_unit(value, unit, &SourceUnit::Time(TimeUnit::Seconds))
        }
        other => panic!("{other:?}"),
    };
    let held = |text: &str| crate::gates::Criterion::parse(text).unwrap().held_for;
    for (a, b) in [
        ("5min", "5m"),
        ("5min", "300s"),
        ("1d", "24h"),
        ("1d", "86400s"),
    ] {
        assert_eq!(
            limit(&format!("lag < {a}")),
            limit(&format!("lag < {b}")),
            "{a} vs {b}"
        );
        assert_eq!(
            held(&format!("lag < 1 for {a}")),
            held(&format!("lag < 1 for {b}"))
        );
        let d = crate::runbook::duration::parse_duration;
        assert_eq!(d(a), d(b), "{a} vs {b} as durations");
        assert_eq!(d(a).unwrap().as_secs_f64(), limit(&format!("lag < {a}")));
    }
}

/// An http source is judged on its latency in ms: `api < 1s` passes at 5.22 ms.
#[test]
fn an_http_latency_of_5ms_passes_under_1s() {
    let c = crate::gates::Criterion::parse("api < 1s").unwrap();
    let srcs = sources();
    let source = srcs.iter().find(|s| s.id == "api").unwrap();
    assert_eq!(source.unit, SourceUnit::Time(TimeUnit::Millis));
    let h = history(&[(0, up(5.22))]);
    let e = evaluate(&c, Some(source), Some(&h), NOW);
    assert_eq!(
        (e.verdict, e.why.as_str()),
        (Verdict::Pass, "5.22ms < 1000ms")
    );
}

/// Before units were typed, `unit = "s"` on an http source validated, and then `api < 1s`
/// failed at 5 ms (`WHY 5.22s >= 1s`). Now validate refuses any unit but `ms` on it.
#[test]
fn an_http_source_with_a_unit_other_than_ms_does_not_validate() {
    let book = |unit: &str| {
        format!(
            r#"
[runbook]
name = "x"
[[source]]
id = "api"
kind = "http"
url = "http://127.0.0.1:9/"
unit = "{unit}"
[[phase]]
id = "p"
title = "p"
[[phase.step]]
id = "a"
title = "a"
gate = ["api < 1s"]
[rollback]
steps = [{{ title = "r" }}]
"#
        )
    };
    for unit in ["s", "m", "%", "rps"] {
        let Err(diags) = crate::runbook::parse(&book(unit)) else {
            panic!("an http source with unit = {unit:?} validated");
        };
        assert!(
            diags.iter().any(|d| d.message.contains("latency in ms")),
            "unit {unit}: {diags:?}"
        );
    }
    let ok = crate::runbook::parse(&book("ms")).map_err(|d| format!("{d:?}"));
    let sources = ok.unwrap().runbook.sources;
    assert_eq!(sources[0].unit, SourceUnit::Time(TimeUnit::Millis));
}
