//! Blue/green shifts: the next weight of the plan, confirmed with the typed word, run through
//! the actuator; then a bake while `abort_when` is watched, and the plan's policy on a breach.

use std::time::Duration;

use super::actions::{Purpose, Work};
use super::gate::MIN_OVERRIDE_REASON;
use super::keymap::{self, Do};
use super::*;
use crate::actions::traffic::{self, Request};
use crate::gates::{Evaluation, Verdict};
use crate::journal::event::Action;
use crate::runbook::{BreachPolicy, Traffic};

/// The weights read back from the actuator's `get`, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficRead {
    pub at: OffsetDateTime,
    pub green: Result<u8, String>,
}

/// What the journal says began a rollback the breach policy started.
const BREACH_TRIGGER: &str = "abort criteria breached (policy: rollback)";

impl App {
    /// The green weight in force as the journal tells it (0 before the first shift).
    pub fn green(&self) -> u8 {
        self.progress.traffic.green.unwrap_or(0)
    }

    /// The read-back disagrees with what the journal says was set (nothing to disagree with
    /// before the run's first shift, nor while one is under way).
    pub fn traffic_mismatch(&self) -> Option<u8> {
        let read = *self.traffic_read.as_ref()?.green.as_ref().ok()?;
        let journaled = self.progress.traffic.green?;
        (read != journaled && self.running_now().is_none()).then_some(read)
    }

    /// The plan's next weight above the current one.
    pub fn next_shift(&self) -> Option<u8> {
        let traffic = self.runbook.traffic.as_ref()?;
        traffic
            .plan
            .iter()
            .map(|p| p.green)
            .find(|g| *g > self.green())
    }

    /// The bake after the last shift: (ends at, whole length) while it runs.
    pub fn bake(&self) -> Option<(OffsetDateTime, Duration)> {
        let traffic = self.runbook.traffic.as_ref()?;
        let shifted = self.progress.traffic.shifted_at?;
        let green = self.progress.traffic.green?;
        if self
            .progress
            .rollback
            .as_ref()
            .is_some_and(|r| r.began_at >= shifted)
        {
            return None;
        }
        let bake = traffic.plan.iter().find(|p| p.green == green)?.bake?;
        let until = super::timers::checked_add(shifted, bake)?;
        (self.now < until).then_some((until, bake))
    }

    /// The request that would put `green` in force.
    pub fn shift_request(&self, green: u8) -> Option<Request> {
        let traffic = self.runbook.traffic.as_ref()?;
        Some(traffic::render(&traffic.set, &self.runbook.vars, green))
    }

    /// `t`, or Enter on a traffic step: the shift dialog for the next weight.
    pub(super) fn open_shift(&mut self, step: Option<String>) -> Vec<Effect> {
        if self.runbook.traffic.is_none() {
            self.flash = Some("this runbook has no [traffic] plan".into());
            return Vec::new();
        }
        let to_green = match &step {
            Some(id) => match self.runbook.step(id).map(|s| &s.kind) {
                Some(StepKind::Traffic { green }) => Some(*green),
                _ => None,
            },
            None => self.next_shift(),
        };
        let read = self.reads_back();
        let step = step.or_else(|| to_green.and_then(|g| self.traffic_step_for(g)));
        self.layers.push(Layer::Shift {
            to_green,
            step,
            input: TextInput::default(),
            reason: None,
        });
        if read {
            vec![Effect::ReadTraffic]
        } else {
            Vec::new()
        }
    }

    /// The first pending traffic step that shifts to `green`, so the checklist follows `t`.
    fn traffic_step_for(&self, green: u8) -> Option<String> {
        self.runbook
            .steps()
            .map(|(_, s)| s)
            .find(|s| {
                matches!(s.kind, StepKind::Traffic { green: g } if g == green)
                    && !self.progress.status(&s.id).finished()
            })
            .map(|s| s.id.clone())
    }

    /// The gate a shift waits for: the last gate above its step (above where the run stands
    /// when the shift has no step of its own).
    pub fn guard_gate(&self, step: Option<&str>) -> Option<&Step> {
        let until = step.map(str::to_string).or_else(|| {
            self.runbook
                .steps()
                .find(|(_, s)| !self.progress.status(&s.id).finished())
                .map(|(_, s)| s.id.clone())
        });
        self.runbook
            .steps()
            .map(|(_, s)| s)
            .take_while(|s| Some(&s.id) != until.as_ref())
            .filter(|s| matches!(s.kind, StepKind::Gate { .. }))
            .last()
    }

    /// What holds a shift now, in words: its gate not GO, the last shift's bake not over. An
    /// operator may still shift, with a typed reason that is journaled as an override.
    pub fn shift_holds(&self, step: Option<&str>) -> Vec<String> {
        let mut holds = Vec::new();
        if let Some(gate) = self.guard_gate(step)
            && self.progress.status(&gate.id) != Status::Done
        {
            holds.push(format!("gate `{}` is not GO", gate.id));
        }
        if let Some((until, _)) = self.bake() {
            holds.push(format!(
                "the bake at {}% green has {} left",
                self.green(),
                crate::telemetry::format::age((until - self.now).whole_seconds())
            ));
        }
        holds
    }

    /// The shift dialog: the plan's word, then (when a hold stands) the override reason.
    pub(super) fn shift_key(&mut self, command: Option<Do>, key: Key) -> Vec<Effect> {
        let Some(Layer::Shift { input, reason, .. }) = self.layers.last_mut() else {
            return Vec::new();
        };
        match command {
            Some(Do::Cancel) => self.close_top(),
            Some(Do::Submit) => return self.confirm_shift(),
            _ => match reason {
                Some(r) => r.edit(key),
                None => input.edit(key),
            },
        }
        Vec::new()
    }

    /// Enter: the word typed, and a reason when a hold stands; the shift starts.
    fn confirm_shift(&mut self) -> Vec<Effect> {
        let Some(Layer::Shift {
            to_green, input, ..
        }) = self.top_layer()
        else {
            return Vec::new();
        };
        let (Some(green), Some(traffic)) = (*to_green, self.runbook.traffic.clone()) else {
            self.close_top();
            return Vec::new();
        };
        if input.text != traffic.confirm {
            self.flash = Some(format!(
                "type {} exactly to shift, or {} to cancel",
                traffic.confirm,
                self.esc()
            ));
            return Vec::new();
        }
        let Some(Layer::Shift {
            to_green,
            step,
            input,
            reason,
        }) = self.layers.pop()
        else {
            return Vec::new();
        };
        if !self.ready_to_actuate() {
            return Vec::new();
        }
        let holds = self.shift_holds(step.as_deref());
        let override_reason = match (&reason, holds.is_empty()) {
            (_, true) => None,
            (Some(r), false) if r.text.trim().chars().count() >= MIN_OVERRIDE_REASON => {
                Some(r.text.trim().to_string())
            }
            (_, false) => {
                if reason.is_some() {
                    self.flash = Some(format!(
                        "held: an override needs a reason of at least {MIN_OVERRIDE_REASON} characters"
                    ));
                }
                self.layers.push(Layer::Shift {
                    to_green,
                    step,
                    input,
                    reason: Some(reason.unwrap_or_default()),
                });
                return Vec::new();
            }
        };
        let mut effects = Vec::new();
        if let Some(reason) = override_reason {
            effects = self.record(Event::HoldOverridden {
                step: step.clone(),
                hold: holds.join("; "),
                reason,
            });
            if effects.is_empty() {
                return effects;
            }
        }
        effects.extend(self.shift(&traffic, green, step));
        effects
    }

    fn shift(&mut self, traffic: &Traffic, green: u8, step: Option<String>) -> Vec<Effect> {
        let request = traffic::render(&traffic.set, &self.runbook.vars, green);
        // Where it shifts from: what the journal says was set, else what the actuator read back.
        let read_back = self
            .traffic_read
            .as_ref()
            .and_then(|r| r.green.clone().ok());
        let action = Action::Shift {
            step: step.clone(),
            from_green: self.progress.traffic.green.or(read_back),
            to_green: green,
            request: request.shown(),
        };
        let purpose = match step {
            Some(step) => Purpose::Step(step),
            None => Purpose::Shift,
        };
        let work = work_for(request, traffic.timeout);
        self.start_action(action, work, purpose)
    }

    /// Each second of a bake: judge `abort_when`; when one of them holds, apply the
    /// plan's policy, once per shift.
    pub(super) fn watch_bake(&mut self) -> Vec<Effect> {
        let Some(traffic) = &self.runbook.traffic else {
            return Vec::new();
        };
        let breached_already = self.progress.traffic.breach.is_some();
        if self.bake().is_none() || breached_already || self.mode == Mode::ReadOnly {
            return Vec::new();
        }
        let policy = traffic.on_breach;
        let evidence = self.evaluate_all(&traffic.abort_when.clone());
        if breached(&evidence).is_empty() {
            return Vec::new();
        }
        let mut effects = self.record(Event::BreachDetected {
            green: self.progress.traffic.green,
            evidence: crate::journal::event::evidence(&evidence),
            policy: policy.into(),
        });
        if effects.is_empty() {
            return effects;
        }
        match policy {
            BreachPolicy::Prompt | BreachPolicy::Freeze => {
                self.layers.push(Layer::Breach { evidence });
            }
            BreachPolicy::Rollback => {
                if self.running_now().is_some() {
                    self.rollback_here = super::rollback::RollbackHere::Queued {
                        phase: None,
                        trigger: BREACH_TRIGGER,
                    };
                    effects.extend(self.interrupt_running());
                } else {
                    effects.extend(self.begin_rollback(BREACH_TRIGGER));
                }
            }
        }
        effects
    }

    /// The breach prompt: `R` rolls back (through its dialog), Esc holds the weights.
    pub(super) fn breach_key(&mut self, command: Option<Do>) {
        if command == Some(Do::Close) {
            self.layers.pop();
            let rollback = self.keys.main.label(keymap::Command::Rollback);
            self.flash = Some(format!("holding the weights; {rollback} rolls back"));
        }
    }

    /// A read-back arrived (polled, or asked for by the shift dialog). A change of the value
    /// in force (or of whether it can be read) is journaled once, by the seat holder.
    pub(super) fn traffic_read(&mut self, green: Result<u8, String>) -> Vec<Effect> {
        let seen = green.as_ref().ok().copied();
        let error = green.as_ref().err().cloned();
        self.traffic_read = Some(TrafficRead {
            at: self.now,
            green,
        });
        self.dirty = true;
        let changed = self.progress.traffic.observed != Some(seen);
        if !changed || self.mode == Mode::ReadOnly || self.journal_error.is_some() {
            return Vec::new();
        }
        self.record(Event::TrafficObserved { green: seen, error })
    }

    /// What the header shows as the split: the journaled one, else the one read back, else
    /// nothing known.
    pub fn split_shown(&self) -> Option<u8> {
        self.progress
            .traffic
            .green
            .or_else(|| self.traffic_read.as_ref()?.green.clone().ok())
    }
}

/// The work that carries out an actuator request.
pub fn work_for(request: Request, timeout: Duration) -> Work {
    match request {
        Request::Command(command) => Work::Shell { command, timeout },
        http => Work::Http {
            request: http,
            timeout,
        },
    }
}

/// The abort criteria that hold: an `abort_when` criterion is a condition for aborting, so
/// its *passing* is the breach. Unknown (stale, missing) is not a breach; it shows as unknown.
pub fn breached(evidence: &[Evaluation]) -> Vec<&Evaluation> {
    evidence
        .iter()
        .filter(|e| e.verdict == Verdict::Pass)
        .collect()
}
