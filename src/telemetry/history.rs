//! Per-source history in fixed-size rings: memory stays flat however long the run lasts.

use std::collections::{HashMap, VecDeque};

use time::OffsetDateTime;

use super::sample::{Reading, Sample};

/// Enough for an hour of sparkline at a 10 s interval.
pub const HISTORY_LEN: usize = 360;

/// One past reading, without its text: enough to tell whether a criterion held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    Number(f64),
    Up { latency_ms: f64 },
    Down,
    Error,
}

impl From<&Reading> for Point {
    fn from(r: &Reading) -> Self {
        match r {
            Reading::Number(v) => Point::Number(*v),
            Reading::Up { latency_ms } => Point::Up {
                latency_ms: *latency_ms,
            },
            Reading::Down { .. } => Point::Down,
            Reading::Error(_) => Point::Error,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct SourceHistory {
    pub latest: Option<Sample>,
    /// The latest sample that measured something (not an error): what is shown and judged. An
    /// error does not wipe it; it only ages, and after two intervals it is stale.
    pub current: Option<Sample>,
    /// Numeric values (latency for up/down sources), oldest first: the sparkline.
    pub values: VecDeque<(OffsetDateTime, f64)>,
    /// Every reading, oldest first: whether a criterion held `for` a while.
    pub points: VecDeque<(OffsetDateTime, Point)>,
    pub last_error: Option<(OffsetDateTime, String)>,
    pub polls: u64,
    pub failures: u64,
}

impl SourceHistory {
    pub fn push(&mut self, sample: Sample) {
        self.polls += 1;
        push_bounded(&mut self.points, (sample.at, Point::from(&sample.reading)));
        if let Reading::Down { reason } | Reading::Error(reason) = &sample.reading {
            self.failures += 1;
            self.last_error = Some((sample.at, reason.clone()));
        }
        if let Some(v) = sample.reading.value() {
            push_bounded(&mut self.values, (sample.at, v));
        }
        if !matches!(sample.reading, Reading::Error(_)) {
            self.current = Some(sample.clone());
        }
        self.latest = Some(sample);
    }
}

fn push_bounded<T>(ring: &mut VecDeque<T>, item: T) {
    if ring.len() == HISTORY_LEN {
        ring.pop_front();
    }
    ring.push_back(item);
}

/// Everything the UI knows about telemetry: owned by the app, fed by samples from the poller.
#[derive(Debug, Default, Clone)]
pub struct Telemetry {
    pub sources: HashMap<String, SourceHistory>,
}

impl Telemetry {
    pub fn apply(&mut self, sample: Sample) {
        self.sources
            .entry(sample.source.clone())
            .or_default()
            .push(sample);
    }

    pub fn latest(&self, source: &str) -> Option<&Sample> {
        self.sources.get(source)?.latest.as_ref()
    }

    /// The latest sample that measured something (see `SourceHistory::current`).
    pub fn current(&self, source: &str) -> Option<&Sample> {
        self.sources.get(source)?.current.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn history_is_bounded_and_keeps_the_newest() {
        let mut t = Telemetry::default();
        let t0 = datetime!(2026-12-05 22:00:00 UTC);
        for i in 0..(HISTORY_LEN as i64 * 3) {
            t.apply(Sample::new(
                "lag",
                t0 + time::Duration::seconds(i),
                Reading::Number(i as f64),
            ));
        }
        let h = &t.sources["lag"];
        assert_eq!(h.values.len(), HISTORY_LEN);
        assert_eq!(h.points.len(), HISTORY_LEN);
        assert_eq!(
            h.values.back().map(|v| v.1),
            Some((HISTORY_LEN * 3 - 1) as f64)
        );
        assert_eq!(h.polls, HISTORY_LEN as u64 * 3);
    }

    #[test]
    fn errors_are_counted_and_kept_without_touching_values() {
        let mut t = Telemetry::default();
        let t0 = datetime!(2026-12-05 22:00:00 UTC);
        t.apply(Sample::new("api", t0, Reading::Up { latency_ms: 12.0 }));
        t.apply(Sample::new(
            "api",
            t0,
            Reading::Error("connection refused".into()),
        ));
        let h = &t.sources["api"];
        assert_eq!((h.polls, h.failures, h.values.len()), (2, 1, 1));
        assert_eq!(
            h.last_error.as_ref().map(|e| e.1.as_str()),
            Some("connection refused")
        );
    }
}
