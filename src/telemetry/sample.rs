//! What a poll produces and how it is judged: a reading with its time, fresh or stale, and its
//! level against the source's thresholds. Pure: no I/O, so the UI, `status` and gates share it.

use std::time::Duration;

use time::OffsetDateTime;

use crate::runbook::{Direction, Source, Thresholds};

/// One poll's outcome. Text in it has been sanitized at ingestion.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// A measured number in the source's unit.
    Number(f64),
    /// An endpoint answered as expected, this fast.
    Up { latency_ms: f64 },
    /// An endpoint answered wrongly or not at all: a verdict, not missing data.
    Down { reason: String },
    /// No value could be had (timeout, bad credentials, garbage): unknown, never healthy.
    Error(String),
}

impl Reading {
    /// The number thresholds and criteria compare: the value, or an endpoint's latency in ms.
    pub fn value(&self) -> Option<f64> {
        match self {
            Reading::Number(v) => Some(*v),
            Reading::Up { latency_ms } => Some(*latency_ms),
            Reading::Down { .. } | Reading::Error(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub source: String,
    pub at: OffsetDateTime,
    pub reading: Reading,
    /// What some sources know beyond their one number (the cost breakdown).
    pub detail: Option<Box<Detail>>,
}

impl Sample {
    pub fn new(source: impl Into<String>, at: OffsetDateTime, reading: Reading) -> Self {
        Self {
            source: source.into(),
            at,
            reading,
            detail: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Cost(CostReport),
}

/// A Cost Explorer answer: month to date (the sample's number), forecast and the top groups.
#[derive(Debug, Clone, PartialEq)]
pub struct CostReport {
    pub month_to_date: f64,
    pub currency: String,
    pub budget: Option<f64>,
    pub forecast: Option<Forecast>,
    /// Spend by group (service or tag value), largest first.
    pub top: Vec<(String, f64)>,
    /// When Cost Explorer produced this answer (earlier than the sample when read from cache).
    pub as_of: OffsetDateTime,
    pub from_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    pub month_end: f64,
    pub method: ForecastMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastMethod {
    /// GetCostForecast answered.
    CostExplorer,
    /// GetCostForecast failed; projected from this month's daily spend.
    Projection,
}

/// Billable AWS calls the cockpit made in this session: shown in the cost panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    /// Cost Explorer requests, each page counted ($0.01 each).
    pub cost_explorer: u64,
    /// Metrics requested through GetMetricData ($0.01 per 1,000).
    pub cloudwatch_metrics: u64,
}

impl Calls {
    pub const COST_EXPLORER_USD: f64 = 0.01;
    pub const CLOUDWATCH_USD_PER_METRIC: f64 = 0.01 / 1000.0;

    pub fn dollars(&self) -> f64 {
        self.cost_explorer as f64 * Self::COST_EXPLORER_USD
            + self.cloudwatch_metrics as f64 * Self::CLOUDWATCH_USD_PER_METRIC
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
    /// No value, an error, or a value older than two intervals.
    Unknown,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
            Level::Unknown => "UNKNOWN",
        }
    }
}

/// A value older than this many intervals is stale and counts as unknown everywhere.
pub const STALE_AFTER_INTERVALS: u32 = 2;

pub fn is_stale(sample: &Sample, interval: Duration, now: OffsetDateTime) -> bool {
    let age = (now - sample.at).unsigned_abs();
    age > interval * STALE_AFTER_INTERVALS
}

/// The level of the latest sample of `source` at `now`.
pub fn level(source: &Source, latest: Option<&Sample>, now: OffsetDateTime) -> Level {
    let Some(sample) = latest else {
        return Level::Unknown;
    };
    if is_stale(sample, source.interval, now) {
        return Level::Unknown;
    }
    match (&sample.reading, sample.reading.value()) {
        (_, Some(v)) => against(&source.thresholds, v),
        (Reading::Down { .. }, None) => Level::Fail,
        _ => Level::Unknown,
    }
}

/// When a sample's value was measured: for a Cost Explorer answer, when AWS gave it (it may
/// come from the disk cache), otherwise when it was polled.
pub fn measured_at(sample: &Sample) -> OffsetDateTime {
    match sample.detail.as_deref() {
        Some(Detail::Cost(report)) => report.as_of,
        None => sample.at,
    }
}

/// One word for the state of a source now, from its current value (the latest that measured
/// something) and its latest poll: `UP`, `DOWN`, `OK`, `WARN`, `FAIL`, `STALE` (the value is
/// older than two intervals), `ERROR` (no value yet, polls failing), or `--` before any poll.
pub fn word(
    source: &Source,
    current: Option<&Sample>,
    latest: Option<&Sample>,
    now: OffsetDateTime,
) -> &'static str {
    let Some(sample) = current else {
        return if latest.is_some() { "ERROR" } else { "--" };
    };
    if is_stale(sample, source.interval, now) {
        return "STALE";
    }
    let level = level(source, current, now);
    match &sample.reading {
        Reading::Up { .. } if level == Level::Ok => "UP",
        Reading::Down { .. } => "DOWN",
        Reading::Error(_) => "ERROR",
        _ => level.word(),
    }
}

/// Reaching a threshold counts as crossing it: with `fail = 30`, a lag of exactly 30 fails.
pub fn against(t: &Thresholds, value: f64) -> Level {
    if value.is_nan() {
        return Level::Unknown;
    }
    let reached = |limit: Option<f64>| {
        limit.is_some_and(|l| match t.direction {
            Direction::Above => value >= l,
            Direction::Below => value <= l,
        })
    };
    if reached(t.fail) {
        Level::Fail
    } else if reached(t.warn) {
        Level::Warn
    } else {
        Level::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-05 22:00:00 UTC);

    fn source(direction: Direction) -> Source {
        let text = format!(
            "[runbook]\nname='x'\n[[source]]\nid='s'\nkind='command'\ncommand='true'\ninterval='10s'\nwarn={}\nfail={}\ndirection='{}'\n[[phase]]\nid='p'\ntitle='p'\n[[phase.step]]\nid='a'\ntitle='a'\n[rollback]\nsteps=[{{title='r'}}]\n",
            if direction == Direction::Above {
                10
            } else {
                90
            },
            if direction == Direction::Above {
                30
            } else {
                80
            },
            if direction == Direction::Above {
                "above"
            } else {
                "below"
            },
        );
        crate::runbook::parse(&text)
            .map_err(|d| format!("{d:?}"))
            .unwrap()
            .runbook
            .sources
            .remove(0)
    }

    fn at(secs: i64, reading: Reading) -> Sample {
        Sample::new("s", T0 + time::Duration::seconds(secs), reading)
    }

    #[test]
    fn thresholds_by_direction_with_reached_counting() {
        let up = source(Direction::Above);
        let cases = [
            (5.0, Level::Ok),
            (10.0, Level::Warn),
            (29.9, Level::Warn),
            (30.0, Level::Fail),
            (f64::NAN, Level::Unknown),
        ];
        for (v, want) in cases {
            assert_eq!(
                level(&up, Some(&at(0, Reading::Number(v))), T0),
                want,
                "above {v}"
            );
        }
        let down = source(Direction::Below);
        for (v, want) in [(95.0, Level::Ok), (90.0, Level::Warn), (80.0, Level::Fail)] {
            assert_eq!(
                level(&down, Some(&at(0, Reading::Number(v))), T0),
                want,
                "below {v}"
            );
        }
    }

    #[test]
    fn missing_errors_and_stale_values_are_unknown_never_ok() {
        let s = source(Direction::Above);
        assert_eq!(level(&s, None, T0), Level::Unknown);
        assert_eq!(
            level(&s, Some(&at(0, Reading::Error("timeout".into()))), T0),
            Level::Unknown
        );
        let fresh = at(0, Reading::Number(1.0));
        assert_eq!(
            level(&s, Some(&fresh), T0 + time::Duration::seconds(20)),
            Level::Ok,
            "two intervals old is still fresh"
        );
        assert_eq!(
            level(&s, Some(&fresh), T0 + time::Duration::seconds(21)),
            Level::Unknown,
            "older is stale"
        );
        assert_eq!(
            level(
                &s,
                Some(&at(
                    0,
                    Reading::Down {
                        reason: "503".into()
                    }
                )),
                T0
            ),
            Level::Fail
        );
    }
}
