//! Live telemetry: samples, their freshness and levels, bounded history, and the sanitizing of
//! outside text. The poller runs one task per source (CloudWatch: per region and profile) and
//! sends owned reports to the app over a channel; nothing here is shared with the UI.

pub mod aws;
pub mod cloudwatch;
mod cloudwatch_error;
pub mod command;
pub mod cost;
pub mod cost_cache;
pub mod cost_model;
pub mod format;
pub mod history;
pub mod http;
pub mod http_fetch;
pub mod poller;
pub mod prometheus;
pub mod read_back;
pub mod sample;
/// Terminal-safe text lives below the runbook now; this path stays for the code that used it.
pub use crate::sanitize;

pub use history::{SourceHistory, Telemetry};
pub use sample::{Calls, CostReport, Detail, Level, Reading, Sample, level};
