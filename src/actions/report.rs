//! What the actions do and what they report, as owned values: the app says what to run
//! (`Work`), the runner hands each piece of news to a callback (`Sink`), as the poller does with
//! its samples. The runner knows nothing of the app's messages; the cockpit turns reports into
//! them.

use std::sync::Arc;
use std::time::Duration;

use super::traffic::Request;
use crate::journal::event::OutputFile;
use crate::orphans::{Liveness, ProcessGroup};

/// What the cockpit runs for an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    Shell { command: String, timeout: Duration },
    Http { request: Request, timeout: Duration },
}

/// A line of an action's output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputLine {
    pub stderr: bool,
    pub text: String,
}

/// How a running action reports back.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionUpdate {
    Line {
        stderr: bool,
        text: String,
    },
    /// Lines that came together, in order.
    Lines(Vec<OutputLine>),
    Ended {
        ok: bool,
        result: String,
        /// The whole output, kept in a file beside the journal (commands only).
        output_file: Option<OutputFile>,
    },
    /// Lines that had left memory, read back from the kept file for the pane (`first` is
    /// the number of the first, counted from 0).
    Spilled {
        first: u64,
        lines: Vec<String>,
    },
}

/// What the outside world says about a command's process group.
#[derive(Debug, Clone, PartialEq)]
pub enum ProcessNews {
    /// A command started as this group (journaled, to be found after a crash).
    Spawned { id: u64, group: ProcessGroup },
    /// After a restart: what was found of an in-doubt action's group.
    Checked { id: u64, liveness: Liveness },
    /// The confirmed stop ended: what happened, and whether the group still runs.
    Stopped {
        id: u64,
        result: String,
        alive: bool,
    },
}

/// What the runner sends: owned values only.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// Output or the end of action `id`.
    Action { id: u64, update: ActionUpdate },
    /// A command's process group: started, found alive or gone after a crash, stopped.
    Process(ProcessNews),
    /// The traffic actuator's read-back: the green weight in force.
    TrafficRead(Result<u8, String>),
}

/// Where reports go; returns false when nobody listens any more.
pub type Sink = Arc<dyn Fn(Report) -> bool + Send + Sync>;
