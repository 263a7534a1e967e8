//! Evaluating a criterion against live telemetry: pass, fail, or unknown (stale or missing data,
//! which holds a gate like a fail). Pure: the history and the clock come in as arguments.

use std::time::Duration;

use time::OffsetDateTime;

use super::criterion::{Condition, Criterion, Op, Unit};
use crate::runbook::Source;
use crate::runbook::unit::{SourceUnit, TimeUnit};
use crate::telemetry::history::Point;
use crate::telemetry::sample::{STALE_AFTER_INTERVALS, is_stale};
use crate::telemetry::{Reading, SourceHistory};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Unknown,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Unknown => "UNKNOWN",
        }
    }
}

/// A criterion's verdict with the evidence: what was measured, how old it was, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    pub criterion: String,
    pub verdict: Verdict,
    /// The latest value in the source's unit (latency in ms for `http`), if there is one.
    pub measured: Option<f64>,
    pub age: Option<Duration>,
    /// Plain words: `42s > 30s`, `stale (3m old)`, `no data yet`, `held 2m of 5m`.
    pub why: String,
}

/// Evaluates `criterion` against `source`'s history at `now`. `source` is `None` when the
/// criterion names a source the runbook lacks (validation prevents it; still unknown, not pass).
pub fn evaluate(
    criterion: &Criterion,
    source: Option<&Source>,
    history: Option<&SourceHistory>,
    now: OffsetDateTime,
) -> Evaluation {
    let result = |verdict, measured, age, why: String| Evaluation {
        criterion: criterion.to_string(),
        verdict,
        measured,
        age,
        why,
    };
    let Some(source) = source else {
        return result(Verdict::Unknown, None, None, "no such source".into());
    };
    // Judged on the current value: an error does not erase it, it only lets it age.
    let Some((history, latest)) = history.and_then(|h| Some((h, h.current.as_ref()?))) else {
        let why = match history.and_then(|h| h.last_error.as_ref()) {
            Some((_, e)) => format!("error: {e}"),
            None => "no data yet".into(),
        };
        return result(Verdict::Unknown, None, None, why);
    };
    let age = (now - latest.at).unsigned_abs();
    let measured = latest.reading.value();
    if is_stale(latest, source.interval, now) {
        let why = format!(
            "stale ({} old)",
            crate::runbook::duration::format_duration(age)
        );
        return result(Verdict::Unknown, measured, Some(age), why);
    }
    let point = Point::from(&latest.reading);
    let Some(holds) = holds(&criterion.condition, point, source) else {
        let why = match &latest.reading {
            Reading::Error(e) => format!("error: {e}"),
            Reading::Down { reason } => format!("down: {reason}"),
            _ => "not a number".into(),
        };
        return result(Verdict::Unknown, measured, Some(age), why);
    };
    let shown = describe(&criterion.condition, point, source, holds);
    if !holds {
        return result(Verdict::Fail, measured, Some(age), shown);
    }
    let Some(wanted) = criterion.held_for else {
        return result(Verdict::Pass, measured, Some(age), shown);
    };
    let held = held_for(&criterion.condition, source, history, now);
    if held >= wanted {
        result(Verdict::Pass, measured, Some(age), shown)
    } else {
        let why = format!(
            "{shown}, held {} of {}",
            crate::runbook::duration::format_duration(Duration::from_secs(held.as_secs())),
            crate::runbook::duration::format_duration(wanted)
        );
        result(Verdict::Fail, measured, Some(age), why)
    }
}

/// Whether the condition holds for one reading; `None` when the reading cannot say (an error,
/// or a comparison against a down endpoint).
fn holds(condition: &Condition, point: Point, source: &Source) -> Option<bool> {
    match (condition, point) {
        (_, Point::Error) => None,
        (Condition::IsUp, Point::Up { .. }) => Some(true),
        (Condition::IsUp, Point::Down) => Some(false),
        (Condition::IsDown, Point::Up { .. }) => Some(false),
        (Condition::IsDown, Point::Down) => Some(true),
        (Condition::IsUp | Condition::IsDown, Point::Number(_)) => None,
        (Condition::Compare { .. }, Point::Down) => None,
        (Condition::Compare { op, value, unit }, Point::Number(v))
        | (Condition::Compare { op, value, unit }, Point::Up { latency_ms: v }) => {
            let limit = in_source_unit(*value, *unit, &source.unit);
            Some(compare(*op, v, limit))
        }
    }
}

fn compare(op: Op, a: f64, b: f64) -> bool {
    // Equality of measured floats within a relative hair, so `== 0` works on `0.0000000001`.
    let eq = (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs()).max(1.0) * 16.0;
    match op {
        Op::Lt => a < b && !eq,
        Op::Le => a < b || eq,
        Op::Gt => a > b && !eq,
        Op::Ge => a > b || eq,
        Op::Eq => eq,
        Op::Ne => !eq,
    }
}

/// A criterion's value in the source's unit: `5m` against a source in `s` is 300.
pub fn in_source_unit(value: f64, unit: Option<Unit>, source_unit: &SourceUnit) -> f64 {
    let from = unit.and_then(Unit::seconds);
    let to = source_unit.time().map(TimeUnit::seconds);
    match (from, to) {
        (Some(f), Some(t)) => value * f / t,
        _ => value,
    }
}

/// `42s > 30s`-style evidence: the measured value against the criterion.
fn describe(condition: &Condition, point: Point, source: &Source, holds: bool) -> String {
    let unit = source.unit.text();
    match (condition, point) {
        (Condition::IsUp | Condition::IsDown, Point::Up { .. }) => "up".into(),
        (Condition::IsUp | Condition::IsDown, _) => "down".into(),
        (
            Condition::Compare {
                op,
                value,
                unit: cu,
            },
            Point::Number(v) | Point::Up { latency_ms: v },
        ) => {
            let limit = in_source_unit(*value, *cu, &source.unit);
            let op = if holds { op.symbol() } else { negated(*op) };
            format!(
                "{} {op} {}",
                crate::telemetry::format::value(v, unit),
                crate::telemetry::format::value(limit, unit)
            )
        }
        _ => String::new(),
    }
}

/// The comparison that is true when `op` is false, to show why a criterion failed (`42s >= 30s`
/// for a failed `< 30s`).
fn negated(op: Op) -> &'static str {
    match op {
        Op::Lt => ">=",
        Op::Le => ">",
        Op::Gt => "<=",
        Op::Ge => "<",
        Op::Eq => "!=",
        Op::Ne => "==",
    }
}

/// How long the condition has held without a break up to `now`: back through the readings
/// while each holds and no two are further apart than the staleness limit (a gap is not
/// evidence). Zero if the latest does not hold.
pub fn held_for(
    condition: &Condition,
    source: &Source,
    history: &SourceHistory,
    now: OffsetDateTime,
) -> Duration {
    let max_gap = source.interval * STALE_AFTER_INTERVALS;
    let mut since: Option<OffsetDateTime> = None;
    let mut next_at = now;
    for &(at, point) in history.points.iter().rev() {
        if (next_at - at).unsigned_abs() > max_gap || holds(condition, point, source) != Some(true)
        {
            break;
        }
        since = Some(at);
        next_at = at;
    }
    since.map_or(Duration::ZERO, |s| (now - s).unsigned_abs())
}

#[cfg(test)]
mod tests;
