//! Pairs each action's intent (`action_started`) with what became of it: ended, resolved by
//! the operator after a crash, or still in doubt. Every section about actions reads this.

use crate::journal::Record;
use crate::journal::event::{Action, Event};

/// What became of an action.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    Ended {
        ok: bool,
        result: &'a str,
        output: &'a [String],
        output_file: Option<&'a crate::journal::event::OutputFile>,
    },
    /// Left in doubt by a crash, then the operator said what really happened.
    Resolved {
        record: &'a Record,
        ok: bool,
        note: &'a str,
    },
    /// Started and never ended nor resolved: whether it happened is unknown.
    InDoubt,
}

#[derive(Debug, Clone, Copy)]
pub struct ActionRun<'a> {
    pub id: u64,
    pub action: &'a Action,
    pub started: &'a Record,
    pub rehearsal: bool,
    pub outcome: Outcome<'a>,
}

impl ActionRun<'_> {
    pub fn in_doubt(&self) -> bool {
        matches!(self.outcome, Outcome::InDoubt)
    }

    /// One cell: how it ended, in words.
    pub fn result_words(&self) -> String {
        use super::markdown::text;
        let rehearsal = if self.rehearsal { " (rehearsal)" } else { "" };
        match self.outcome {
            Outcome::Ended { ok, result, .. } => {
                format!("{}{rehearsal}: {}", ok_word(ok), text(result))
            }
            Outcome::Resolved { record, ok, note } => format!(
                "in doubt, resolved as {} by {} at {}: {}",
                if ok { "done" } else { "not done" },
                text(&record.operator),
                super::markdown::time(&record.time),
                text(note)
            ),
            Outcome::InDoubt => "**IN DOUBT**: started, never ended".into(),
        }
    }
}

pub fn ok_word(ok: bool) -> &'static str {
    if ok { "succeeded" } else { "**FAILED**" }
}

/// Every action in the order it started. A later end or resolution of the same id wins, since
/// it is the newer word on what happened.
pub fn actions(records: &[Record]) -> Vec<ActionRun<'_>> {
    let mut runs: Vec<ActionRun> = Vec::new();
    for record in records {
        match &record.event {
            Event::ActionStarted {
                id,
                action,
                rehearsal,
            } => runs.push(ActionRun {
                id: *id,
                action,
                started: record,
                rehearsal: *rehearsal,
                outcome: Outcome::InDoubt,
            }),
            Event::ActionEnded {
                id,
                ok,
                result,
                output,
                output_file,
            } => {
                if let Some(run) = runs.iter_mut().rev().find(|r| r.id == *id) {
                    run.outcome = Outcome::Ended {
                        ok: *ok,
                        result,
                        output,
                        output_file: output_file.as_ref(),
                    };
                }
            }
            Event::ActionResolved { id, ok, note } => {
                if let Some(run) = runs.iter_mut().rev().find(|r| r.id == *id) {
                    run.outcome = Outcome::Resolved {
                        record,
                        ok: *ok,
                        note,
                    };
                }
            }
            _ => {}
        }
    }
    runs
}
