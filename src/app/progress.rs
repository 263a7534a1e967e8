//! Where each step stands, folded from journal events. The same fold runs live and on resume,
//! so a resumed run is exactly what the journal says happened.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use crate::journal::Event;
use crate::journal::event::{Action, RunMode, RunOutcome};

/// An action as the journal tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionState {
    pub action: Action,
    pub started_at: OffsetDateTime,
    pub operator: String,
    pub rehearsal: bool,
    /// (ok, result) once it ended, or once an in-doubt action was resolved.
    pub ended: Option<(bool, String)>,
    /// The process group a command runs as, once it started.
    pub process: Option<crate::orphans::ProcessGroup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Running,
    Done,
    Skipped,
    Failed,
    /// A shift the rollback took back: to be made again, after its gate is decided again.
    RolledBack,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
            Status::RolledBack => "rolled back",
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

/// Where the run stands in its life, as the journal tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Active,
    /// The rollback completed and no shift was made since.
    RolledBack,
    Completed,
    Aborted,
}

impl RunState {
    /// As the header, `status --json` and the report say it.
    pub fn word(self) -> &'static str {
        match self {
            RunState::Active => "active",
            RunState::RolledBack => "rolled back",
            RunState::Completed => "completed",
            RunState::Aborted => "aborted",
        }
    }
}

/// A manual toggle `u` can take back: the step's state before it.
#[derive(Debug, Clone, PartialEq)]
struct Toggle {
    step: String,
    before: StepState,
}

#[derive(Debug, Default, Clone)]
pub struct Progress {
    steps: HashMap<String, StepState>,
    /// The operator's manual ticks, skips and reopens in order, for undo. Nothing else goes
    /// here: a decision, a command's result, a shift or a rollback step is never undone.
    undo_stack: Vec<Toggle>,
    /// Live or rehearsal, from the run's first record.
    pub mode: Option<RunMode>,
    /// Set once the run was ended on purpose.
    pub ended: Option<(RunOutcome, OffsetDateTime)>,
    /// When the last step finished or a session began: the start of the current step's clock.
    pub clock_from: Option<OffsetDateTime>,
    pub run_started: Option<OffsetDateTime>,
    pub actions: BTreeMap<u64, ActionState>,
    pub traffic: TrafficState,
    pub rollback: Option<RollbackState>,
    /// Team mode: who signed each (gate step, sign-off) since the gate was last reopened.
    signatures: BTreeMap<(String, String), String>,
    /// Unique to this state of `steps` in the whole process: what derives from the steps'
    /// states may be kept until it changes (the header's projected end, issue 13).
    version: u64,
}

/// Where versions come from: never the same twice, even across `Progress` values.
static VERSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The blue/green split as the journal tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrafficState {
    /// The green weight last put in force; `None` before the first shift.
    pub green: Option<u8>,
    /// When that shift ended: the bake timer runs from here.
    pub shifted_at: Option<OffsetDateTime>,
    /// An `abort_when` breach since the last shift, with its policy.
    pub breach: Option<(OffsetDateTime, crate::runbook::BreachPolicy)>,
    /// The rollback completed and no shift succeeded since.
    pub rolled_back: bool,
    /// The read-back as last journaled: `Some(None)` when it was failing.
    pub observed: Option<Option<u8>>,
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

    /// The step whose last manual toggle `u` would take back.
    pub fn last_undoable(&self) -> Option<&str> {
        self.undo_stack.last().map(|t| t.step.as_str())
    }

    /// The progress a run's records tell, folded in order: what `replay`, `status`, `end` and
    /// the report all start from.
    pub fn fold<'a>(
        records: impl IntoIterator<Item = (OffsetDateTime, &'a str, &'a Event)>,
    ) -> Self {
        let mut progress = Progress::default();
        for (at, operator, event) in records {
            progress.apply(event, at, operator);
        }
        progress
    }

    pub fn run_state(&self) -> RunState {
        match self.ended {
            Some((RunOutcome::Completed, _)) => RunState::Completed,
            Some((RunOutcome::Aborted, _)) => RunState::Aborted,
            None if self.traffic.rolled_back => RunState::RolledBack,
            None => RunState::Active,
        }
    }

    /// The run's mode; a run journaled before modes were is taken as live here (the session
    /// that opens it infers the mode from its actions).
    pub fn run_mode(&self) -> RunMode {
        self.mode.unwrap_or(RunMode::Live)
    }

    /// Unique to the steps' states as they are now (see `version`).
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn apply(&mut self, event: &Event, at: OffsetDateTime, operator: &str) {
        self.version = VERSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match event {
            Event::RunStarted { mode, .. } => {
                self.run_started = Some(at);
                self.clock_from = Some(at);
                self.mode = *mode;
            }
            Event::RunResumed { .. } => self.clock_from = Some(at),
            Event::RunEnded { outcome, .. } => self.ended = Some((*outcome, at)),
            Event::StepTicked { step } => {
                self.remember_toggle(step);
                self.finish(step, Status::Done, None, at)
            }
            Event::StepSkipped { step, reason } => {
                self.remember_toggle(step);
                self.finish(step, Status::Skipped, Some(reason.clone()), at)
            }
            Event::StepReopened { step } => {
                self.remember_toggle(step);
                self.reopen(step);
            }
            Event::ToggleUndone { step } => {
                if let Some(at) = self.undo_stack.iter().rposition(|t| t.step == *step) {
                    let toggle = self.undo_stack.remove(at);
                    let state = self.steps.entry(step.clone()).or_default();
                    let notes = std::mem::take(&mut state.notes);
                    *state = StepState {
                        notes,
                        ..toggle.before
                    };
                }
            }
            Event::SignedOff { step, signoff } => {
                self.signatures
                    .entry((step.clone(), signoff.clone()))
                    .or_insert_with(|| operator.to_string());
            }
            Event::GateReopened { step, .. } => {
                self.signatures.retain(|(s, _), _| s != step);
                self.forget_toggles(step);
                self.reopen(step);
            }
            Event::HoldOverridden { .. } => {}
            Event::TrafficObserved { green, .. } => self.traffic.observed = Some(*green),
            Event::NoteAdded { step, text } => {
                let note = Note {
                    at,
                    operator: operator.to_string(),
                    text: text.clone(),
                };
                self.steps.entry(step.clone()).or_default().notes.push(note);
            }
            Event::SessionEnded { .. } | Event::NotificationSent { .. } => {}
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
                        process: None,
                    },
                );
            }
            Event::ActionEnded { id, ok, result, .. } => self.end_action(*id, *ok, result, at),
            Event::ActionResolved { id, ok, note } => {
                self.end_action(*id, *ok, &format!("resolved after a crash: {note}"), at)
            }
            Event::ActionProcess {
                id,
                pgid,
                start_ticks,
            } => {
                if let Some(action) = self.actions.get_mut(id) {
                    action.process = Some(crate::orphans::ProcessGroup {
                        pgid: *pgid,
                        start_ticks: *start_ticks,
                    });
                }
            }
            Event::OrphanStopAsked { .. } | Event::OrphanStopped { .. } => {}
            Event::BreachDetected { policy, .. } => {
                self.traffic.breach = Some((at, policy.policy()))
            }
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
                // The whole run's rollback, or a phase's that put traffic back, takes the
                // shifts back; a phase's undo that left traffic alone does not.
                let whole = self.rollback.as_ref().is_some_and(|r| r.phase.is_none());
                if *completed && (whole || self.rollback_moved_traffic()) {
                    self.mark_shifts_rolled_back();
                }
            }
            Event::GateDecided {
                step, go, reason, ..
            } => {
                self.forget_toggles(step);
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
                    self.traffic.rolled_back = false;
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
            self.forget_toggles(&step);
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
        self.clock_from = Some(at);
    }

    /// Who signed `signoff` of the gate at `step`, if anyone has since it was last reopened.
    pub fn signed_by(&self, step: &str, signoff: &str) -> Option<&str> {
        self.signatures
            .get(&(step.to_string(), signoff.to_string()))
            .map(String::as_str)
    }

    fn reopen(&mut self, step: &str) {
        let state = self.steps.entry(step.to_string()).or_default();
        state.status = Status::Pending;
        state.skip_reason = None;
        state.finished_at = None;
        state.actual = None;
    }

    /// Before a manual toggle of `step`: its state now, for `u`.
    fn remember_toggle(&mut self, step: &str) {
        let mut before = self.steps.get(step).cloned().unwrap_or_default();
        before.notes.clear();
        self.undo_stack.push(Toggle {
            step: step.to_string(),
            before,
        });
    }

    /// Something that is not a toggle decided `step`: earlier toggles of it can no longer be
    /// taken back, or `u` would undo the decision with them.
    fn forget_toggles(&mut self, step: &str) {
        self.undo_stack.retain(|t| t.step != step);
    }

    /// A traffic step of the current rollback succeeded.
    fn rollback_moved_traffic(&self) -> bool {
        let Some(began) = self.rollback.as_ref().map(|r| r.began_at) else {
            return false;
        };
        self.actions.values().any(|a| {
            matches!(
                a.action,
                Action::RollbackStep {
                    to_green: Some(_),
                    ..
                }
            ) && a.started_at >= began
                && matches!(a.ended, Some((true, _)))
        })
    }

    /// After a completed rollback, the steps whose shift it took back.
    fn mark_shifts_rolled_back(&mut self) {
        self.traffic.rolled_back = true;
        let shifted: Vec<String> = self
            .actions
            .values()
            .filter(|a| matches!(a.action, Action::Shift { .. }))
            .filter(|a| matches!(a.ended, Some((true, _))))
            .filter_map(|a| a.action.step().map(str::to_string))
            .collect();
        for step in shifted {
            self.forget_toggles(&step);
            let state = self.steps.entry(step).or_default();
            if state.status == Status::Done {
                state.status = Status::RolledBack;
            }
        }
    }
}
