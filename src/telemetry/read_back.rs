//! How the poller reads the traffic split for a runbook's read-back source. Reading an
//! actuator is the actuators' business (`actions::traffic`, a layer above this one), so whoever
//! starts the poller hands it their readers here, as the poller hands its samples to a sink.
//! Without them a read-back source says it cannot read, never guesses.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;

use crate::runbook::Mechanism;

/// A native actuator's green weight (0 to 100) as its API reports it, or why not.
pub type SplitRead = Pin<Box<dyn Future<Output = Result<f64, String>> + Send>>;

/// Runs a `get` command with its timeout and parses the green weight it prints.
pub type ReadCommand = dyn Fn(&str, Duration) -> Result<u8, String> + Send + Sync;

/// Reads a native actuator's split through the API of its mechanism.
pub type ReadAws = dyn Fn(SdkConfig, Mechanism) -> SplitRead + Send + Sync;

#[derive(Clone)]
pub struct ReadBack {
    /// A `get` command's answer. Blocking; the poller gives it a thread.
    pub command: Arc<ReadCommand>,
    /// A native actuator's split.
    pub aws: Arc<ReadAws>,
}

impl Default for ReadBack {
    fn default() -> Self {
        const UNWIRED: &str = "no traffic read-back is wired into this poller";
        Self {
            command: Arc::new(|_, _| Err(UNWIRED.into())),
            aws: Arc::new(|_, _| Box::pin(async { Err(UNWIRED.into()) })),
        }
    }
}
