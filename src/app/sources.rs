//! The telemetry side of the app: samples in, the order sources are listed in, the selection in
//! the telemetry pane. Pure, like the rest of `app`.

use std::collections::HashMap;

use crate::runbook::{Panel, READ_BACK_SOURCE, Source};
use crate::telemetry::Reading;
use crate::telemetry::poller::Report;
use crate::telemetry::sample::{measured_at, word};
use crate::telemetry::{Level, SourceHistory, level};

use super::{App, Effect};

/// Panels in the order they are drawn.
pub const PANELS: [Panel; 4] = [Panel::Health, Panel::Sync, Panel::Metrics, Panel::Cost];

/// Each source's index in the runbook, by id: a sample finds its source without a search.
pub fn source_index(sources: &[Source]) -> HashMap<String, usize> {
    sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect()
}

/// Indices of the runbook's sources as the telemetry pane lists them: by panel, then as written.
pub fn source_order(sources: &[Source]) -> Vec<usize> {
    PANELS
        .iter()
        .flat_map(|panel| {
            sources
                .iter()
                .enumerate()
                .filter(move |(_, s)| s.panel == *panel)
                .map(|(i, _)| i)
        })
        .collect()
}

impl App {
    pub(super) fn apply_report(&mut self, report: Report) -> Vec<Effect> {
        match report {
            Report::Sample(sample) => {
                // Samples of sources this runbook does not have are dropped, not stored.
                let Some(&index) = self.source_index.get(&sample.source) else {
                    return Vec::new();
                };
                let shown = self.source_word(&self.runbook.sources[index]);
                let read_back =
                    (sample.source == READ_BACK_SOURCE).then(|| match &sample.reading {
                        Reading::Number(green) => Ok(green.clamp(0.0, 100.0) as u8),
                        Reading::Error(why) => Err(why.clone()),
                        other => Err(format!("unexpected reading {other:?}")),
                    });
                self.telemetry.apply(sample);
                // A new level or state word (OK to WARN, FAIL, DOWN, STALE...) shows at once; a
                // new value within the same level waits for the next frame, at most a second.
                if self.source_word(&self.runbook.sources[index]) != shown {
                    self.dirty = true;
                } else {
                    self.telemetry_changed = true;
                }
                read_back.map_or_else(Vec::new, |green| self.traffic_read(green))
            }
            Report::Calls(calls) => {
                self.dirty |= self.calls != calls;
                self.calls = calls;
                Vec::new()
            }
        }
    }

    /// The source selected in the telemetry pane.
    pub fn selected_source(&self) -> Option<&Source> {
        let index = *self.source_order.get(self.source_selected)?;
        self.runbook.sources.get(index)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.runbook.sources.get(*self.source_index.get(id)?)
    }

    /// The word the cockpit shows for the source's state now: `OK`, `WARN`, `STALE`, `DOWN`...
    pub fn source_word(&self, source: &Source) -> &'static str {
        word(
            source,
            self.telemetry.current(&source.id),
            self.telemetry.latest(&source.id),
            self.now,
        )
    }

    pub fn history(&self, id: &str) -> Option<&SourceHistory> {
        self.telemetry.sources.get(id)
    }

    /// The source's level now: stale and missing values are unknown.
    pub fn source_level(&self, source: &Source) -> Level {
        level(source, self.telemetry.current(&source.id), self.now)
    }

    /// Seconds since the source's current value was measured: for a Cost Explorer answer, since
    /// AWS gave it (it may come from the disk cache), otherwise since the poll. `None` before
    /// the first value.
    pub fn source_age(&self, id: &str) -> Option<i64> {
        let at = measured_at(self.telemetry.current(id)?);
        Some((self.now - at).whole_seconds().max(0))
    }

    pub(super) fn move_source(&mut self, delta: isize) {
        let last = self.source_order.len().saturating_sub(1);
        self.source_selected = self.source_selected.saturating_add_signed(delta).min(last);
    }
}
