//! The emergency rollback: `R` (or Ctrl-R) from anywhere opens it; the typed word starts the
//! plan's steps in order. A failing step stops and asks: retry, skip, or abort; a step marked
//! `ask` stops before it runs and asks: run or skip. It never goes on silently. On a row of a
//! phase with its own rollback, Tab in the dialog picks that phase's plan instead.

use super::actions::{Purpose, Work};
use super::keymap::{self, Do};
use super::traffic::work_for;
use super::*;
use crate::actions::traffic;
use crate::journal::event::Action;
use crate::runbook::{RollbackAction, RollbackStep};

/// Steps one PgUp / PgDn moves the rollback dialog's list.
const PAGE: usize = 5;

/// Where this session is with the rollback; what the journal says of it is in `Progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RollbackHere {
    /// This session has not started or continued a rollback: one a crashed session left
    /// waits for the word again.
    #[default]
    Idle,
    /// Confirmed while an action ran: begins (with the plan of `phase`) once it has stopped.
    Queued {
        phase: Option<usize>,
        trigger: &'static str,
    },
    /// Running its steps; `answered` is the asking step the operator said to run.
    Running { answered: Option<usize> },
    /// Step `index` failed: retry, skip or abort?
    Failed { index: usize },
}

/// What the journal says began the rollback the operator typed the word for.
pub const TYPED: &str = "typed by the operator";

impl App {
    /// The rollback has begun and not ended.
    pub fn rollback_active(&self) -> bool {
        self.progress.rollback.as_ref().is_some_and(|r| r.active())
    }

    /// The first step of an active rollback not yet settled.
    pub fn rollback_next(&self) -> Option<usize> {
        let rollback = self.progress.rollback.as_ref().filter(|r| r.active())?;
        (0..self.rollback_steps().len()).find(|i| !rollback.settled.contains(i))
    }

    /// The steps of a plan: the runbook's emergency one, or the own rollback of a phase.
    pub fn plan_steps(&self, phase: Option<usize>) -> &[RollbackStep] {
        match phase {
            None => &self.runbook.rollback.steps,
            Some(p) => self.runbook.phases.get(p).map_or(&[], |p| &p.rollback),
        }
    }

    /// The phase whose own rollback the last (or current) rollback runs; `None` for the
    /// emergency plan.
    pub fn rollback_phase(&self) -> Option<usize> {
        let id = self.progress.rollback.as_ref()?.phase.as_ref()?;
        // A phase renamed in the file since: its steps are unknown, so none are listed.
        Some(
            self.runbook
                .phases
                .iter()
                .position(|p| &p.id == id)
                .unwrap_or(usize::MAX),
        )
    }

    /// The steps of the rollback under way (or of the last one).
    pub fn rollback_steps(&self) -> &[RollbackStep] {
        self.plan_steps(self.rollback_phase())
    }

    /// The phase of the selected row when it has its own rollback and none is under way: the
    /// rollback dialog offers it beside the emergency plan.
    pub fn phase_rollback_offered(&self) -> Option<usize> {
        if self.rollback_active() {
            return None;
        }
        let p = match self.selected {
            Row::Phase(p) | Row::Step(p, _) => p,
        };
        (!self.plan_steps(Some(p)).is_empty()).then_some(p)
    }

    /// The plan the rollback dialog shows for the choice `phase`: the one under way, if any.
    pub fn dialog_plan(&self, phase: Option<usize>) -> Option<usize> {
        if self.rollback_active() {
            self.rollback_phase()
        } else {
            phase
        }
    }

    /// The step the rollback waits at to ask run or skip (its `ask`), if it does.
    pub fn rollback_asking(&self) -> Option<usize> {
        let index = self.rollback_next()?;
        let step = self.rollback_steps().get(index)?;
        let answered = match self.rollback_here {
            RollbackHere::Running { answered } => answered,
            RollbackHere::Failed { .. } => return None,
            _ => None,
        };
        let waiting = self.running_now().is_none();
        (waiting && step.ask.is_some() && answered != Some(index)).then_some(index)
    }

    /// The rollback step that failed and waits for retry, skip or abort.
    pub fn rollback_failed(&self) -> Option<usize> {
        match self.rollback_here {
            RollbackHere::Failed { index } => Some(index),
            _ => None,
        }
    }

    /// This session started or continued the rollback.
    fn rollback_in_this_session(&self) -> bool {
        matches!(
            self.rollback_here,
            RollbackHere::Running { .. } | RollbackHere::Failed { .. }
        )
    }

    /// An action stopped: a rollback confirmed meanwhile begins now.
    pub(super) fn begin_queued_rollback(&mut self) -> Vec<Effect> {
        match self.rollback_here {
            RollbackHere::Queued { phase, trigger } => {
                self.rollback_here = RollbackHere::Idle;
                self.begin_rollback_of(trigger, phase)
            }
            _ => Vec::new(),
        }
    }

    /// `R` / Ctrl-R: the confirmation, or the progress when a rollback is under way.
    pub(super) fn open_rollback(&mut self) {
        if matches!(
            self.top_layer(),
            Some(Layer::Rollback { .. } | Layer::RollbackRun | Layer::RollbackWithoutSeat { .. })
        ) {
            return;
        }
        if self.rollback_active() && !self.rollback_paused() {
            self.layers.push(Layer::RollbackRun);
            return;
        }
        self.layers.push(Layer::Rollback {
            input: TextInput::default(),
            phase: None,
            scroll: 0,
        });
    }

    /// A rollback begun in an earlier session and not ended: it waits for the word again.
    pub fn rollback_paused(&self) -> bool {
        self.rollback_active()
            && self.running_now().is_none()
            && self.rollback_failed().is_none()
            && !self.rollback_in_this_session()
    }

    /// The rollback's confirmation: the word has the focus; the list scrolls; Tab picks the
    /// phase's own plan when one is offered.
    pub(super) fn rollback_key(&mut self, command: Option<Do>, key: Key) -> Vec<Effect> {
        let Some(Layer::Rollback { phase, .. }) = self.top_layer() else {
            return Vec::new();
        };
        let chosen = *phase;
        let last = self
            .plan_steps(self.dialog_plan(chosen))
            .len()
            .saturating_sub(1);
        let offered = self.phase_rollback_offered();
        let Some(Layer::Rollback {
            input,
            phase,
            scroll,
        }) = self.layers.last_mut()
        else {
            return Vec::new();
        };
        match command {
            Some(Do::Cancel) => self.close_top(),
            Some(Do::Up) => *scroll = scroll.saturating_sub(1),
            Some(Do::Down) => *scroll = (*scroll + 1).min(last),
            Some(Do::PageUp) => *scroll = scroll.saturating_sub(PAGE),
            Some(Do::PageDown) => *scroll = (*scroll + PAGE).min(last),
            Some(Do::Switch) => {
                if let Some(offered) = offered {
                    *phase = match phase {
                        None => Some(offered),
                        Some(_) => None,
                    };
                    *scroll = 0;
                }
            }
            Some(Do::Submit) => return self.confirm_rollback(),
            _ => input.edit(key),
        }
        Vec::new()
    }

    /// Enter in the confirmation: the word must be the plan's.
    fn confirm_rollback(&mut self) -> Vec<Effect> {
        let word = self.runbook.rollback.confirm.clone();
        let Some(Layer::Rollback { input, phase, .. }) = self.top_layer() else {
            return Vec::new();
        };
        if input.text != word {
            let esc = self.keys.of(&keymap::ROLLBACK).label(Do::Cancel);
            self.flash = Some(format!("type {word} exactly to roll back, or {esc}"));
            return Vec::new();
        }
        let phase = self.dialog_plan(*phase);
        self.close_top();
        if self.may_roll_back_without_seat() && !self.acting_without_seat {
            self.layers.push(Layer::RollbackWithoutSeat { phase });
            return Vec::new();
        }
        if !self.may_act() && !self.acting_without_seat {
            self.flash = Some(self.read_only_note());
            return Vec::new();
        }
        self.roll_back_confirmed(phase)
    }

    /// The word (and, without the store, the second confirmation) was given: resolve what is
    /// in doubt first, stop what runs, then roll back.
    pub(super) fn roll_back_confirmed(&mut self, phase: Option<usize>) -> Vec<Effect> {
        if let Some(id) = self.in_doubt().first().copied() {
            self.open_in_doubt(id);
            return Vec::new();
        }
        if self.running_now().is_some() {
            // An emergency does not wait: stop what runs, then roll back.
            self.answer_breach_prompt();
            self.rollback_here = RollbackHere::Queued {
                phase,
                trigger: TYPED,
            };
            self.layers.push(Layer::RollbackRun);
            return self.interrupt_running();
        }
        self.begin_rollback_of(TYPED, phase)
    }

    /// A breach prompt under the rollback is answered by it; left in the stack, it would come
    /// back with stale evidence when the rollback's dialog closes.
    fn answer_breach_prompt(&mut self) {
        self.layers.retain(|l| !matches!(l, Layer::Breach { .. }));
    }

    /// The emergency plan: journals the start (unless resuming one) and runs its first step.
    pub(super) fn begin_rollback(&mut self, trigger: &str) -> Vec<Effect> {
        self.begin_rollback_of(trigger, None)
    }

    /// Journals the start of the plan of `phase` (the emergency one for `None`), unless one is
    /// under way, and runs the first unsettled step.
    pub(super) fn begin_rollback_of(&mut self, trigger: &str, phase: Option<usize>) -> Vec<Effect> {
        let mut effects = Vec::new();
        if !self.rollback_active() {
            let phase = phase
                .and_then(|p| self.runbook.phases.get(p))
                .map(|p| p.id.clone());
            effects = self.record(Event::RollbackBegan {
                trigger: trigger.to_string(),
                phase,
            });
            if effects.is_empty() {
                return effects;
            }
            self.rollback_here = RollbackHere::Running { answered: None };
        }
        self.answer_breach_prompt();
        if !matches!(self.rollback_here, RollbackHere::Running { .. }) {
            self.rollback_here = RollbackHere::Running { answered: None };
        }
        if !matches!(self.top_layer(), Some(Layer::RollbackRun)) {
            self.layers.push(Layer::RollbackRun);
        }
        effects.extend(self.run_rollback_step());
        effects
    }

    /// Starts the next step, or ends the rollback when none is left. A step marked `ask`
    /// waits for run or skip; a manual step waits for the operator to say it is done.
    fn run_rollback_step(&mut self) -> Vec<Effect> {
        let Some(index) = self.rollback_next() else {
            self.flash = Some("rollback completed".into());
            let mut effects = self.record(Event::RollbackEnded { completed: true });
            if self.progress.traffic.rolled_back {
                effects.extend(self.reopen_guard_gate());
            }
            self.acting_without_seat = false;
            return effects;
        };
        if self.rollback_asking() == Some(index) {
            return Vec::new();
        }
        let step = self.rollback_steps()[index].clone();
        let (command, to_green, work) = match &step.action {
            RollbackAction::Manual => return Vec::new(),
            RollbackAction::Run { command, timeout } => {
                let command = self.resolve(command);
                let work = Work::Shell {
                    command: command.clone(),
                    timeout: *timeout,
                };
                (Some(command), None, work)
            }
            RollbackAction::Traffic { green } => {
                let Some(t) = &self.runbook.traffic else {
                    return Vec::new(); // validation requires [traffic] for traffic steps
                };
                let request = traffic::render(&t.set, &self.runbook.vars, *green);
                (
                    Some(request.shown()),
                    Some(*green),
                    work_for(request, t.timeout),
                )
            }
        };
        let action = Action::RollbackStep {
            index,
            title: step.title,
            command,
            to_green,
        };
        self.start_action(action, work, Purpose::Rollback(index))
    }

    /// A rollback step ended: on to the next, or stop and ask.
    pub(super) fn rollback_step_ended(&mut self, index: usize, ok: bool) -> Vec<Effect> {
        if !self.rollback_active() {
            return Vec::new();
        }
        if ok {
            self.run_rollback_step()
        } else {
            self.rollback_here = RollbackHere::Failed { index };
            if !matches!(self.top_layer(), Some(Layer::RollbackRun)) {
                self.layers.push(Layer::RollbackRun);
            }
            Vec::new()
        }
    }

    /// The progress dialog: `r` retry, `s` skip, `a` abort after a failure; Enter marks a
    /// manual step done; Ctrl-C interrupts the running step; Esc hides it (it goes on).
    pub(super) fn rollback_run_key(&mut self, command: Option<Do>) -> Vec<Effect> {
        // The manual step waiting for the operator's Enter, if that is where the rollback is.
        let waiting_manual = self
            .rollback_next()
            .filter(|_| self.running_now().is_none() && self.rollback_failed().is_none())
            .filter(|_| self.rollback_asking().is_none())
            .filter(|i| matches!(self.rollback_steps()[*i].action, RollbackAction::Manual));
        let asking = self
            .rollback_asking()
            .filter(|_| self.rollback_in_this_session());
        match (command, self.rollback_failed()) {
            (Some(Do::Close), _) => self.close_top(),
            (Some(Do::Interrupt), _) => return self.interrupt_running(),
            (Some(Do::Retry), None) if asking.is_some() => {
                self.rollback_here = RollbackHere::Running { answered: asking };
                return self.run_rollback_step();
            }
            (Some(Do::Skip), None) => {
                if let Some(index) = asking {
                    return self.skip_rollback_step(index);
                }
            }
            (Some(Do::Retry), Some(index)) => {
                // Retrying is the operator's answer to run it, asked or not.
                self.rollback_here = RollbackHere::Running {
                    answered: Some(index),
                };
                return self.run_rollback_step();
            }
            (Some(Do::Skip), Some(index)) => {
                self.rollback_here = RollbackHere::Running { answered: None };
                return self.skip_rollback_step(index);
            }
            (Some(Do::Abort), Some(_)) => {
                self.flash = Some("rollback aborted: the remaining steps did not run".into());
                let effects = self.record(Event::RollbackEnded { completed: false });
                if !effects.is_empty() {
                    self.rollback_here = RollbackHere::Idle;
                }
                self.acting_without_seat = false;
                return effects;
            }
            (Some(Do::Done), None) if self.rollback_in_this_session() => {
                if let Some(index) = waiting_manual {
                    return self.manual_rollback_done(index);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// The operator skipped a step (failed, or asked about): journaled, then on to the next.
    fn skip_rollback_step(&mut self, index: usize) -> Vec<Effect> {
        let title = self.rollback_steps()[index].title.clone();
        let mut effects = self.record(Event::RollbackStepSkipped { index, title });
        if effects.is_empty() {
            return effects;
        }
        effects.extend(self.run_rollback_step());
        effects
    }

    /// The operator did a manual rollback step: journaled as an action that succeeded.
    fn manual_rollback_done(&mut self, index: usize) -> Vec<Effect> {
        let id = self.progress.next_action_id();
        let title = self.rollback_steps()[index].title.clone();
        let rehearsal = self.rehearsing();
        let mut effects = self.record(Event::ActionStarted {
            id,
            action: Action::RollbackStep {
                index,
                title,
                command: None,
                to_green: None,
            },
            rehearsal,
        });
        if effects.is_empty() {
            return effects;
        }
        effects.extend(self.record(Event::ActionEnded {
            id,
            ok: true,
            result: "done by hand (confirmed by the operator)".into(),
            output: Vec::new(),
            output_file: None,
        }));
        effects.extend(self.run_rollback_step());
        effects
    }
}

impl App {
    /// After a completed rollback the traffic plan starts again from its first weight, and
    /// only once its gate is decided again: the gate reopens by itself, journaled.
    fn reopen_guard_gate(&mut self) -> Vec<Effect> {
        let first_shift = self
            .runbook
            .steps()
            .find(|(_, s)| matches!(s.kind, StepKind::Traffic { .. }))
            .map(|(_, s)| s.id.clone());
        let Some(gate) = self
            .guard_gate(first_shift.as_deref())
            .map(|g| g.id.clone())
        else {
            return Vec::new();
        };
        if self.progress.status(&gate) != Status::Done {
            return Vec::new();
        }
        self.record(Event::GateReopened {
            step: gate,
            reason: "the rollback put traffic back; decide again before shifting".into(),
            automatic: true,
        })
    }
}
