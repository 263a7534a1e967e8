//! What a notification says: which journal records are news for which topic, the one-line
//! text, and the body each kind of webhook gets. Pure: no I/O, tested as values.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::journal::Record;
use crate::journal::event::{Action, Event};
use crate::runbook::{NotifyKind, Topic};

/// One notification, before it is sent to each target that chose its topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub topic: Topic,
    /// One line: `[Flightdeck] CloudShelf: go_no_go: GO`.
    pub text: String,
    /// The journal record it is about (none for an action found in doubt at start).
    pub record: Option<Value>,
}

/// Follows the records to tell a shift's end from a command's: an `action_ended` says only
/// its id.
#[derive(Default)]
pub struct Composer {
    shifts: HashMap<u64, Action>,
    pub runbook: String,
    pub rehearsal: bool,
}

impl Composer {
    pub fn new(runbook: &str, rehearsal: bool) -> Composer {
        Composer {
            shifts: HashMap::new(),
            runbook: runbook.to_string(),
            rehearsal,
        }
    }

    /// The message a record makes, if it is news for any topic.
    pub fn record(&mut self, record: &Record) -> Option<Message> {
        let (topic, what) = match &record.event {
            Event::ActionStarted { id, action, .. } => {
                if matches!(action, Action::Shift { .. }) {
                    self.shifts.insert(*id, action.clone());
                }
                return None;
            }
            Event::ActionEnded { id, ok, result, .. } => {
                let action = self.shifts.remove(id)?;
                let word = if *ok { "done" } else { "FAILED" };
                (
                    Topic::Shift,
                    format!("{} {word}: {result}", action.summary()),
                )
            }
            Event::GateDecided { .. } => (Topic::Gate, record.event.summary()),
            Event::BreachDetected { .. } => (Topic::Breach, record.event.summary()),
            Event::RollbackBegan { .. } | Event::RollbackEnded { .. } => {
                (Topic::Rollback, record.event.summary())
            }
            Event::RunStarted { .. } | Event::RunResumed { .. } | Event::RunEnded { .. } => {
                (Topic::Run, record.event.summary())
            }
            _ => return None,
        };
        Some(Message {
            topic,
            text: self.line(&what, &record.operator),
            record: serde_json::to_value(record).ok(),
        })
    }

    /// A restarted cockpit found an action started and never ended.
    pub fn in_doubt(&self, summary: &str, operator: &str) -> Message {
        Message {
            topic: Topic::InDoubt,
            text: self.line(
                &format!("action in doubt after a restart: {summary}"),
                operator,
            ),
            record: None,
        }
    }

    fn line(&self, what: &str, operator: &str) -> String {
        let rehearsal = if self.rehearsal { "REHEARSAL: " } else { "" };
        format!(
            "[Flightdeck] {}: {rehearsal}{what} ({operator})",
            self.runbook
        )
    }
}

/// The JSON body a webhook of `kind` gets: Slack's `{"text": …}`, or for a generic webhook
/// the text, the topic and the journal record.
pub fn body(kind: NotifyKind, message: &Message, composer: &Composer) -> Value {
    match kind {
        NotifyKind::Slack => json!({ "text": message.text }),
        NotifyKind::Webhook => json!({
            "text": message.text,
            "topic": message.topic.name(),
            "runbook": composer.runbook,
            "rehearsal": composer.rehearsal,
            "record": message.record,
        }),
    }
}
