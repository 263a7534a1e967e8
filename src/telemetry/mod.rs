//! Live telemetry: samples, their freshness and levels, bounded history, and the sanitizing of
//! outside text. Pollers (one file per source kind) send owned samples to the app over a
//! channel; nothing here is shared with the UI behind a lock.

pub mod command;
pub mod history;
pub mod poller;
pub mod sample;
pub mod sanitize;

pub use history::{SourceHistory, Telemetry};
pub use sample::{Level, Reading, Sample, level};
