//! Per-source history in fixed-size rings: memory stays flat however long the run lasts.

use std::collections::{HashMap, VecDeque};

use time::OffsetDateTime;

use super::sample::{Reading, Sample};

/// Enough for an hour of sparkline at a 10 s interval.
pub const HISTORY_LEN: usize = 360;

#[derive(Debug, Default, Clone)]
pub struct SourceHistory {
    pub latest: Option<Sample>,
    /// Numeric values (latency for up/down sources), oldest first.
    pub values: VecDeque<(OffsetDateTime, f64)>,
    pub last_error: Option<(OffsetDateTime, String)>,
    pub polls: u64,
    pub failures: u64,
}

impl SourceHistory {
    pub fn push(&mut self, sample: Sample) {
        self.polls += 1;
        let value = match &sample.reading {
            Reading::Number(v) => Some(*v),
            Reading::Up { latency_ms } => Some(*latency_ms),
            Reading::Down { reason } | Reading::Error(reason) => {
                self.failures += 1;
                self.last_error = Some((sample.at, reason.clone()));
                None
            }
        };
        if let Some(v) = value {
            if self.values.len() == HISTORY_LEN {
                self.values.pop_front();
            }
            self.values.push_back((sample.at, v));
        }
        self.latest = Some(sample);
    }
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
