//! `cost_explorer` sources: month to date, forecast, top groups; cached on disk because every
//! Cost Explorer request is billed.

use std::path::Path;

use aws_config::SdkConfig;
use time::OffsetDateTime;

use super::sample::{CostReport, Reading};
use crate::runbook::Source;

pub struct CostPoll {
    pub reading: Reading,
    pub report: Option<CostReport>,
    /// Billable Cost Explorer requests made (pages count; 0 when answered from the cache).
    pub requests: u64,
}

pub async fn poll(
    _config: &SdkConfig,
    _source: &Source,
    _cache_dir: &Path,
    _now: OffsetDateTime,
) -> CostPoll {
    CostPoll {
        reading: Reading::Error("cost_explorer sources are not polled yet".into()),
        report: None,
        requests: 0,
    }
}
