//! What the journal records. Events are facts in the past tense; the app folds them into its
//! progress state, both live and when a run is resumed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The first record of every run.
    RunStarted {
        runbook_path: String,
        runbook_name: String,
        step_fingerprints: BTreeMap<String, String>,
    },
    /// A later session picked the run up again; `changed_steps` lists steps edited in the file
    /// since the run began (accepted by the operator before resuming).
    RunResumed {
        changed_steps: Vec<String>,
        step_fingerprints: BTreeMap<String, String>,
    },
    StepTicked {
        step: String,
    },
    /// A tick or skip was undone: the step is pending again.
    StepReopened {
        step: String,
    },
    StepSkipped {
        step: String,
        reason: String,
    },
    NoteAdded {
        step: String,
        text: String,
    },
    /// The cockpit closed: on quit, SIGHUP or SIGTERM. Keeps the selection for the next session.
    SessionEnded {
        reason: String,
        selected: Option<String>,
    },
}

impl Event {
    /// One line for journal views and reports.
    pub fn summary(&self) -> String {
        match self {
            Event::RunStarted { runbook_name, .. } => format!("run started: {runbook_name}"),
            Event::RunResumed { changed_steps, .. } if changed_steps.is_empty() => {
                "run resumed".into()
            }
            Event::RunResumed { changed_steps, .. } => format!(
                "run resumed; runbook changed in: {}",
                changed_steps.join(", ")
            ),
            Event::StepTicked { step } => format!("{step}: done"),
            Event::StepReopened { step } => format!("{step}: reopened"),
            Event::StepSkipped { step, reason } => format!("{step}: skipped ({reason})"),
            Event::NoteAdded { step, text } => format!("{step}: note: {text}"),
            Event::SessionEnded { reason, .. } => format!("session ended ({reason})"),
        }
    }
}
