//! Where each step stands, folded from journal events. The same fold runs live and on resume,
//! so a resumed run is exactly what the journal says happened.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use crate::journal::Event;
use crate::journal::event::Action;

/// An action as the journal tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionState {
    pub action: Action,
    pub started_at: OffsetDateTime,
    pub operator: String,
    pub rehearsal: bool,
    /// (ok, result) once it ended, or once an in-doubt action was resolved.
    pub ended: Option<(bool, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Running,
    Done,
    Skipped,
    Failed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }

    /// Done or skipped: nothing more to do for it.
    pub fn finished(self) -> bool {
        matches!(self, Status::Done | Status::Skipped)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: OffsetDateTime,
    pub operator: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepState {
    pub status: Status,
    pub skip_reason: Option<String>,
    /// When it was ticked or skipped.
    pub finished_at: Option<OffsetDateTime>,
    /// Time spent on it: from the previous step finishing (or the session start) to this one.
    pub actual: Option<std::time::Duration>,
    pub notes: Vec<Note>,
}

impl Default for StepState {
    fn default() -> Self {
        Self {
            status: Status::Pending,
            skip_reason: None,
            finished_at: None,
            actual: None,
            notes: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Progress {
    steps: HashMap<String, StepState>,
    /// Ticks and skips in order, for undo.
    undo_stack: Vec<String>,
    /// When the last step finished or a session began: the start of the current step's clock.
    pub clock_from: Option<OffsetDateTime>,
    pub run_started: Option<OffsetDateTime>,
    pub actions: BTreeMap<u64, ActionState>,
    pub traffic: TrafficState,
    pub rollback: Option<RollbackState>,
}

/// The blue/green split as the journal tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrafficState {
    /// The green weight last put in force; `None` before the first shift.
    pub green: Option<u8>,
    /// When that shift ended: the bake timer runs from here.
    pub shifted_at: Option<OffsetDateTime>,
    /// An `abort_when` breach since the last shift, with its policy.
    pub breach: Option<(OffsetDateTime, crate::runbook::BreachPolicy)>,
}

/// The emergency rollback, from `rollback_began` to `rollback_ended`.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackState {
    pub began_at: OffsetDateTime,
    pub trigger: String,
    /// Steps that succeeded or were skipped (by index into the plan).
    pub settled: Vec<usize>,
    /// Of those, the ones the operator skipped: never drawn or reported as done.
    pub skipped: Vec<usize>,
    /// The phase whose own rollback this is; `None` for the runbook's emergency plan.
    pub phase: Option<String>,
    /// `Some(completed)` once it ended.
    pub ended: Option<bool>,
}

impl RollbackState {
    pub fn active(&self) -> bool {
        self.ended.is_none()
    }
}

impl Progress {
    pub fn state(&self, step: &str) -> Option<&StepState> {
        self.steps.get(step)
    }

    pub fn status(&self, step: &str) -> Status {
        self.steps.get(step).map_or(Status::Pending, |s| s.status)
    }

    /// Actions started and not ended. On resume these are in doubt: the process that ran them
    /// is gone, and whether they happened must be found out before anything else actuates.
    pub fn open_actions(&self) -> impl Iterator<Item = (u64, &ActionState)> {
        self.actions
            .iter()
            .filter(|(_, a)| a.ended.is_none())
            .map(|(id, a)| (*id, a))
    }

    /// The id for the next action.
    pub fn next_action_id(&self) -> u64 {
        self.actions.keys().next_back().map_or(1, |id| id + 1)
    }

    /// The step `u` would reopen.
    pub fn last_undoable(&self) -> Option<&str> {
        self.undo_stack.last().map(String::as_str)
    }

    pub fn apply(&mut self, event: &Event, at: OffsetDateTime, operator: &str) {
        match event {
            Event::RunStarted { .. } => {
                self.run_started = Some(at);
                self.clock_from = Some(at);
            }
            Event::RunResumed { .. } => self.clock_from = Some(at),
            Event::StepTicked { step } => self.finish(step, Status::Done, None, at),
            Event::StepSkipped { step, reason } => {
                self.finish(step, Status::Skipped, Some(reason.clone()), at)
            }
            Event::StepReopened { step } => {
                self.undo_stack.retain(|s| s != step);
                let state = self.steps.entry(step.clone()).or_default();
                state.status = Status::Pending;
                state.skip_reason = None;
                state.finished_at = None;
                state.actual = None;
            }
            Event::NoteAdded { step, text } => {
                let note = Note {
                    at,
                    operator: operator.to_string(),
                    text: text.clone(),
                };
                self.steps.entry(step.clone()).or_default().notes.push(note);
            }
            Event::SessionEnded { .. } => {}
            Event::ActionStarted {
                id,
                action,
                rehearsal,
            } => {
                if let Some(step) = action.step() {
                    self.steps.entry(step.to_string()).or_default().status = Status::Running;
                }
                self.actions.insert(
                    *id,
                    ActionState {
                        action: action.clone(),
                        started_at: at,
                        operator: operator.to_string(),
                        rehearsal: *rehearsal,
                        ended: None,
                    },
                );
            }
            Event::ActionEnded { id, ok, result, .. } => self.end_action(*id, *ok, result, at),
            Event::ActionResolved { id, ok, note } => {
                self.end_action(*id, *ok, &format!("resolved after a crash: {note}"), at)
            }
            Event::BreachDetected { policy, .. } => self.traffic.breach = Some((at, *policy)),
            Event::RollbackBegan { trigger, phase } => {
                self.rollback = Some(RollbackState {
                    began_at: at,
                    trigger: trigger.clone(),
                    settled: Vec::new(),
                    skipped: Vec::new(),
                    phase: phase.clone(),
                    ended: None,
                })
            }
            Event::RollbackStepSkipped { index, .. } => {
                if let Some(rollback) = &mut self.rollback {
                    rollback.settled.push(*index);
                    rollback.skipped.push(*index);
                }
            }
            Event::RollbackEnded { completed } => {
                if let Some(rollback) = &mut self.rollback {
                    rollback.ended = Some(*completed);
                }
                self.traffic.breach = None;
            }
            Event::GateDecided {
                step, go, reason, ..
            } => {
                if *go {
                    self.finish(step, Status::Done, None, at);
                } else {
                    let why = reason.clone().unwrap_or_else(|| "NO-GO".into());
                    self.finish(step, Status::Failed, Some(format!("NO-GO: {why}")), at);
                }
            }
        }
    }

    /// An action's end decides its step: done when it worked, failed when not (a failed
    /// step can be run again or skipped with a reason).
    fn end_action(&mut self, id: u64, ok: bool, result: &str, at: OffsetDateTime) {
        let Some(state) = self.actions.get_mut(&id) else {
            return;
        };
        state.ended = Some((ok, result.to_string()));
        if ok {
            match &state.action {
                Action::Shift { to_green, .. } => {
                    self.traffic.green = Some(*to_green);
                    self.traffic.shifted_at = Some(at);
                    self.traffic.breach = None;
                }
                Action::RollbackStep {
                    index, to_green, ..
                } => {
                    if let Some(green) = to_green {
                        self.traffic.green = Some(*green);
                        self.traffic.shifted_at = Some(at);
                    }
                    if let Some(rollback) = self.rollback.as_mut().filter(|r| r.active()) {
                        rollback.settled.push(*index);
                    }
                }
                Action::Command { .. } => {}
            }
        }
        if let Some(step) = state.action.step().map(str::to_string) {
            if ok {
                self.finish(&step, Status::Done, None, at);
            } else {
                self.steps.entry(step).or_default().status = Status::Failed;
            }
        }
    }

    fn finish(&mut self, step: &str, status: Status, reason: Option<String>, at: OffsetDateTime) {
        let actual = self.clock_from.map(|from| (at - from).unsigned_abs());
        let state = self.steps.entry(step.to_string()).or_default();
        state.status = status;
        state.skip_reason = reason;
        state.finished_at = Some(at);
        state.actual = actual;
        self.undo_stack.retain(|s| s != step);
        self.undo_stack.push(step.to_string());
        self.clock_from = Some(at);
    }
}
