//! Go/no-go gates: each criterion judged on live telemetry, the manual sign-offs, and the
//! decision. GO only when every criterion passes and every sign-off is ticked; NO-GO needs a
//! reason; passing a criterion that did not pass needs a typed override reason. The decision
//! is journaled with every value it saw.

use std::time::Duration;

use super::keymap::{self, Do};
use super::*;
use crate::gates::{Evaluation, Verdict};
use crate::runbook::TimeoutPolicy;

/// Shortest override reason: a reason is a sentence, not a keystroke.
pub const MIN_OVERRIDE_REASON: usize = 10;
/// The word that reopens a decided gate.
pub const REOPEN_WORD: &str = "REOPEN";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateDialog {
    pub step: String,
    pub ticked: Vec<bool>,
    /// The sign-off under the cursor.
    pub cursor: usize,
    pub stage: GateStage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateStage {
    Review,
    NoGo(TextInput),
    Override(TextInput),
    /// Reopening a decided gate: first the word, then the reason.
    ReopenWord(TextInput),
    ReopenReason(TextInput),
}

impl GateStage {
    /// A text field has the keys (letters are typed, not commands).
    pub fn typing(&self) -> bool {
        !matches!(self, GateStage::Review)
    }
}

/// A gate step's parts, borrowed from the runbook.
pub struct GateSpec<'a> {
    pub criteria: &'a [crate::gates::Criterion],
    pub signoffs: &'a [String],
    pub timeout: Option<Duration>,
    pub on_timeout: TimeoutPolicy,
}

#[cfg(test)]
thread_local! {
    /// How many times this thread judged a set of criteria: a test counts a frame's work.
    pub static EVALUATED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Why GO is not possible with these evaluations and sign-offs, in plain words; `None` when
/// it is. The gate dialog passes the evaluations it shows, so a frame judges them once.
pub fn go_blocked_by(evaluations: &[Evaluation], ticked: &[bool]) -> Option<String> {
    let open: Vec<&str> = evaluations
        .iter()
        .filter(|e| e.verdict != Verdict::Pass)
        .map(|e| e.criterion.as_str())
        .collect();
    let unticked = ticked.iter().filter(|t| !**t).count();
    match (open.is_empty(), unticked) {
        (true, 0) => None,
        (false, _) => Some(format!("not passing: {}", open.join(", "))),
        (true, n) => Some(format!("{n} sign-off(s) not ticked")),
    }
}

impl App {
    pub fn gate_spec(&self, step: &str) -> Option<GateSpec<'_>> {
        match &self.runbook.step(step)?.kind {
            StepKind::Gate {
                criteria,
                signoffs,
                timeout,
                on_timeout,
            } => Some(GateSpec {
                criteria,
                signoffs,
                timeout: *timeout,
                on_timeout: *on_timeout,
            }),
            _ => None,
        }
    }

    /// Every criterion of a gate judged now.
    pub fn evaluate_gate(&self, step: &str) -> Vec<Evaluation> {
        let Some(spec) = self.gate_spec(step) else {
            return Vec::new();
        };
        self.evaluate_all(spec.criteria)
    }

    pub fn evaluate_all(&self, criteria: &[crate::gates::Criterion]) -> Vec<Evaluation> {
        #[cfg(test)]
        EVALUATED.with(|n| n.set(n.get() + 1));
        criteria
            .iter()
            .map(|c| {
                let source = self.runbook.sources.iter().find(|s| s.id == c.source);
                let history = self.telemetry.sources.get(&c.source);
                crate::gates::evaluate(c, source, history, self.now)
            })
            .collect()
    }

    /// How long the gate has been over its timeout, if it is.
    pub fn gate_overdue(&self, step: &str) -> Option<Duration> {
        let timeout = self.gate_spec(step)?.timeout?;
        let until = super::timers::checked_add(self.reached_at(step)?, timeout)?;
        let over = self.now - until;
        over.is_positive().then(|| over.unsigned_abs())
    }

    /// Gates above `step` in the runbook that are not passed yet (GO, ticked or skipped). Acting
    /// below one acts without the decision it guards; the dialogs say so, and the operator still
    /// may (an emergency does not wait for a gate), with the gate's own override for the record.
    pub fn gates_pending_before(&self, step: &str) -> Vec<&crate::runbook::Step> {
        self.runbook
            .steps()
            .map(|(_, s)| s)
            .take_while(|s| s.id != step)
            .filter(|s| {
                matches!(s.kind, StepKind::Gate { .. }) && !self.progress.status(&s.id).finished()
            })
            .collect()
    }

    /// `g`: the next gate not yet passed, from the top.
    pub(super) fn next_gate(&mut self) {
        let next = self
            .runbook
            .steps()
            .map(|(_, s)| s)
            .find(|s| {
                matches!(s.kind, StepKind::Gate { .. }) && !self.progress.status(&s.id).finished()
            })
            .map(|s| s.id.clone());
        match next.and_then(|id| Some((self.row_of_step(&id)?, id))) {
            Some((row, id)) => {
                self.folded.remove(&row.phase());
                self.selected = row;
                self.open_gate(&id);
            }
            None => self.flash = Some("no gate left: every gate is decided".into()),
        }
    }

    pub(super) fn open_gate(&mut self, step: &str) {
        let Some(spec) = self.gate_spec(step) else {
            return;
        };
        let ticked = if self.team {
            self.team_ticks(step)
        } else {
            vec![false; spec.signoffs.len()]
        };
        self.layers.push(Layer::Gate(GateDialog {
            step: step.to_string(),
            ticked,
            cursor: 0,
            stage: GateStage::Review,
        }));
    }

    /// Why GO is not possible now, in plain words; `None` when it is.
    pub fn go_blocked(&self, dialog: &GateDialog) -> Option<String> {
        go_blocked_by(&self.evaluate_gate(&dialog.step), &dialog.ticked)
    }

    /// The gate dialog on top, to change in place.
    fn gate_mut(&mut self) -> Option<&mut GateDialog> {
        match self.layers.last_mut() {
            Some(Layer::Gate(dialog)) => Some(dialog),
            _ => None,
        }
    }

    fn gate_on_top(&self) -> Option<&GateDialog> {
        match self.top_layer() {
            Some(Layer::Gate(dialog)) => Some(dialog),
            _ => None,
        }
    }

    pub(super) fn gate_key(&mut self, command: Option<Do>, key: Key) -> Vec<Effect> {
        let Some(dialog) = self.gate_on_top() else {
            return Vec::new();
        };
        if dialog.stage.typing() {
            return self.gate_text_key(command, key);
        }
        let decided = self.progress.status(&dialog.step).finished();
        let step = dialog.step.clone();
        match command {
            Some(Do::Close) => {
                self.layers.pop();
            }
            Some(Do::Down) => {
                if let Some(d) = self.gate_mut() {
                    d.cursor = (d.cursor + 1).min(d.ticked.len().saturating_sub(1));
                }
            }
            Some(Do::Up) => {
                if let Some(d) = self.gate_mut() {
                    d.cursor = d.cursor.saturating_sub(1);
                }
            }
            Some(Do::SignOff) if self.team && !decided && self.may_sign() => {
                return self.sign_off();
            }
            _ if !self.may_act() => self.flash = Some(self.read_only_note()),
            Some(Do::Reopen) if decided => {
                self.set_gate_stage(GateStage::ReopenWord(TextInput::default()))
            }
            _ if decided => {
                let reopen = self.keys.of(&keymap::GATE).label(Do::Reopen);
                self.flash = Some(format!(
                    "`{step}` is already decided; {reopen} reopens it (typed word and a reason)"
                ));
            }
            Some(Do::SignOff) => {
                if let Some(d) = self.gate_mut()
                    && let Some(t) = d.ticked.get_mut(d.cursor)
                {
                    *t = !*t;
                }
            }
            Some(Do::Go) => {
                // Judged once: what decides GO is what the journal keeps as evidence.
                let evaluations = self.evaluate_gate(&step);
                let ticked = self.gate_on_top().map_or(&[][..], |d| &d.ticked);
                match go_blocked_by(&evaluations, ticked) {
                    Some(why) => self.flash = Some(format!("GO is not possible: {why}")),
                    None => {
                        if let Some(Layer::Gate(dialog)) = self.layers.pop() {
                            return self.decide(&dialog, true, Vec::new(), None, &evaluations);
                        }
                    }
                }
            }
            Some(Do::NoGo) => self.set_gate_stage(GateStage::NoGo(TextInput::default())),
            Some(Do::Override) => {
                let unticked = self
                    .gate_on_top()
                    .is_some_and(|d| d.ticked.iter().any(|t| !t));
                if self
                    .gate_on_top()
                    .is_some_and(|d| self.go_blocked(d).is_none())
                {
                    let go = self.keys.of(&keymap::GATE).label(Do::Go);
                    self.flash = Some(format!("every criterion passes: {go} is GO"));
                } else if unticked {
                    self.flash =
                        Some("tick every sign-off first: sign-offs are not overridden".into());
                } else {
                    self.set_gate_stage(GateStage::Override(TextInput::default()));
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn set_gate_stage(&mut self, stage: GateStage) {
        if let Some(d) = self.gate_mut() {
            d.stage = stage;
        }
    }

    /// A reason or the reopening word is typed: letters go to it, Enter submits, Esc goes back
    /// to the review.
    fn gate_text_key(&mut self, command: Option<Do>, key: Key) -> Vec<Effect> {
        match command {
            Some(Do::Cancel) => self.set_gate_stage(GateStage::Review),
            Some(Do::Submit) => return self.submit_reason(),
            _ => {
                if let Some(GateDialog {
                    stage:
                        GateStage::NoGo(input)
                        | GateStage::Override(input)
                        | GateStage::ReopenWord(input)
                        | GateStage::ReopenReason(input),
                    ..
                }) = self.gate_mut()
                {
                    input.edit(key);
                }
            }
        }
        Vec::new()
    }

    fn submit_reason(&mut self) -> Vec<Effect> {
        let Some(dialog) = self.gate_on_top() else {
            return Vec::new();
        };
        let (go, reason) = match &dialog.stage {
            GateStage::NoGo(input) => (false, input.text.trim().to_string()),
            GateStage::Override(input) => (true, input.text.trim().to_string()),
            GateStage::ReopenWord(input) => {
                if input.text == REOPEN_WORD {
                    self.set_gate_stage(GateStage::ReopenReason(TextInput::default()));
                } else {
                    let esc = self.esc();
                    self.flash = Some(format!("type {REOPEN_WORD} exactly to reopen, or {esc}"));
                }
                return Vec::new();
            }
            GateStage::ReopenReason(input) => {
                let reason = input.text.trim().to_string();
                return self.reopen_gate(reason);
            }
            GateStage::Review => return Vec::new(),
        };
        let short = reason.chars().count() < if go { MIN_OVERRIDE_REASON } else { 1 };
        if short {
            self.flash = Some(match go {
                true => format!(
                    "an override needs a reason of at least {MIN_OVERRIDE_REASON} characters"
                ),
                false => "type why it is NO-GO first".into(),
            });
            return Vec::new();
        }
        let Some(Layer::Gate(dialog)) = self.layers.pop() else {
            return Vec::new();
        };
        let evaluations = self.evaluate_gate(&dialog.step);
        let overridden = if go {
            evaluations
                .iter()
                .filter(|e| e.verdict != Verdict::Pass)
                .map(|e| e.criterion.clone())
                .collect()
        } else {
            Vec::new()
        };
        self.decide(&dialog, go, overridden, Some(reason), &evaluations)
    }

    /// The typed word and a reason: the decision stands in the journal, and the gate is open
    /// again, its sign-offs unticked, to be judged on the values of now.
    fn reopen_gate(&mut self, reason: String) -> Vec<Effect> {
        if reason.chars().count() < MIN_OVERRIDE_REASON {
            self.flash = Some(format!(
                "reopening needs a reason of at least {MIN_OVERRIDE_REASON} characters"
            ));
            return Vec::new();
        }
        let Some(step) = self.gate_on_top().map(|d| d.step.clone()) else {
            return Vec::new();
        };
        let effects = self.record(Event::GateReopened {
            step: step.clone(),
            reason,
            automatic: false,
        });
        if !effects.is_empty() {
            self.flash = Some(format!("`{step}` reopened: decide it again"));
        }
        if let Some(d) = self.gate_mut() {
            d.ticked.iter_mut().for_each(|t| *t = false);
            d.stage = GateStage::Review;
        }
        effects
    }

    fn decide(
        &mut self,
        dialog: &GateDialog,
        go: bool,
        overridden: Vec<String>,
        reason: Option<String>,
        evaluations: &[Evaluation],
    ) -> Vec<Effect> {
        let signoffs = self
            .gate_spec(&dialog.step)
            .map(|spec| {
                spec.signoffs
                    .iter()
                    .zip(&dialog.ticked)
                    .filter(|(_, t)| **t)
                    .map(|(s, _)| s.clone())
                    .collect()
            })
            .unwrap_or_default();
        let evidence = crate::journal::event::evidence(evaluations);
        self.flash = Some(format!(
            "`{}`: {}",
            dialog.step,
            if go { "GO" } else { "NO-GO" }
        ));
        self.record(Event::GateDecided {
            step: dialog.step.clone(),
            go,
            overridden,
            reason,
            evidence,
            signoffs,
        })
    }

    /// A gate with `on_timeout = "no-go"` decides itself NO-GO when its time runs out.
    pub(super) fn check_gate_timeouts(&mut self) -> Vec<Effect> {
        if !self.may_act() || self.journal_error.is_some() {
            return Vec::new();
        }
        // Only the step at hand can be reached, so only it can be overdue: one pass over the
        // steps a tick, not one search per pending step (issue 13's quadratic tick).
        let due: Vec<(String, Duration)> = self
            .step_at_hand()
            .filter(|(s, _)| self.progress.status(&s.id) == Status::Pending)
            .and_then(|(s, reached)| {
                let StepKind::Gate {
                    timeout: Some(timeout),
                    on_timeout: TimeoutPolicy::NoGo,
                    ..
                } = s.kind
                else {
                    return None;
                };
                let until = super::timers::checked_add(reached?, timeout)?;
                (self.now > until).then(|| (s.id.clone(), timeout))
            })
            .into_iter()
            .collect();
        let mut effects = Vec::new();
        for (step, timeout) in due {
            if matches!(self.top_layer(), Some(Layer::Gate(d)) if d.step == step) {
                self.layers.pop();
            }
            let evidence = crate::journal::event::evidence(&self.evaluate_gate(&step));
            effects.extend(self.record(Event::GateDecided {
                step: step.clone(),
                go: false,
                overridden: Vec::new(),
                reason: Some(format!(
                    "gate timeout of {} ran out (on_timeout = no-go)",
                    crate::telemetry::format::age(timeout.as_secs() as i64)
                )),
                evidence,
                signoffs: Vec::new(),
            }));
            self.flash = Some(format!("`{step}`: NO-GO, its gate timeout ran out"));
        }
        effects
    }
}
