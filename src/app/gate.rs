//! Go/no-go gates: each criterion judged on live telemetry, the manual sign-offs, and the
//! decision. GO only when every criterion passes and every sign-off is ticked; NO-GO needs a
//! reason; passing a criterion that did not pass needs a typed override reason. The decision
//! is journaled with every value it saw.

use std::time::Duration;

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

    pub(super) fn gate_key(&mut self, mut dialog: GateDialog, key: Key) -> Vec<Effect> {
        let decided = self.progress.status(&dialog.step).finished();
        let effects = match &mut dialog.stage {
            GateStage::Review => match key {
                Key::Esc | Key::Char('q') => {
                    self.layers.pop();
                    return Vec::new();
                }
                Key::Down | Key::Char('j') => {
                    dialog.cursor = (dialog.cursor + 1).min(dialog.ticked.len().saturating_sub(1));
                    Vec::new()
                }
                Key::Up | Key::Char('k') => {
                    dialog.cursor = dialog.cursor.saturating_sub(1);
                    Vec::new()
                }
                Key::Char(' ') if self.team && !decided && self.may_sign() => {
                    self.sign_off(&mut dialog)
                }
                _ if !self.may_act() => {
                    self.flash = Some(self.read_only_note());
                    Vec::new()
                }
                Key::Char('r') if decided => {
                    dialog.stage = GateStage::ReopenWord(TextInput::default());
                    Vec::new()
                }
                _ if decided => {
                    self.flash = Some(format!(
                        "`{}` is already decided; r reopens it (typed word and a reason)",
                        dialog.step
                    ));
                    Vec::new()
                }
                Key::Char(' ') => {
                    if let Some(t) = dialog.ticked.get_mut(dialog.cursor) {
                        *t = !*t;
                    }
                    Vec::new()
                }
                Key::Char('y') => match self.go_blocked(&dialog) {
                    Some(why) => {
                        self.flash = Some(format!("GO is not possible: {why}"));
                        Vec::new()
                    }
                    None => {
                        self.layers.pop();
                        return self.decide(&dialog, true, Vec::new(), None);
                    }
                },
                Key::Char('n') => {
                    dialog.stage = GateStage::NoGo(TextInput::default());
                    Vec::new()
                }
                Key::Char('o') => {
                    let unticked = dialog.ticked.iter().any(|t| !t);
                    if self.go_blocked(&dialog).is_none() {
                        self.flash = Some("every criterion passes: y is GO".into());
                    } else if unticked {
                        self.flash =
                            Some("tick every sign-off first: sign-offs are not overridden".into());
                    } else {
                        dialog.stage = GateStage::Override(TextInput::default());
                    }
                    Vec::new()
                }
                _ => Vec::new(),
            },
            GateStage::NoGo(input)
            | GateStage::Override(input)
            | GateStage::ReopenWord(input)
            | GateStage::ReopenReason(input) => match key {
                Key::Esc => {
                    dialog.stage = GateStage::Review;
                    Vec::new()
                }
                Key::Enter => return self.submit_reason(dialog),
                _ => {
                    input.edit(key);
                    Vec::new()
                }
            },
        };
        self.replace_top(Layer::Gate(dialog));
        effects
    }

    fn submit_reason(&mut self, mut dialog: GateDialog) -> Vec<Effect> {
        let (go, reason) = match &dialog.stage {
            GateStage::NoGo(input) => (false, input.text.trim().to_string()),
            GateStage::Override(input) => (true, input.text.trim().to_string()),
            GateStage::ReopenWord(input) => {
                if input.text == REOPEN_WORD {
                    dialog.stage = GateStage::ReopenReason(TextInput::default());
                } else {
                    self.flash = Some(format!("type {REOPEN_WORD} exactly to reopen, or Esc"));
                }
                self.replace_top(Layer::Gate(dialog));
                return Vec::new();
            }
            GateStage::ReopenReason(input) => {
                let reason = input.text.trim().to_string();
                return self.reopen_gate(dialog, reason);
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
            self.replace_top(Layer::Gate(dialog));
            return Vec::new();
        }
        self.layers.pop();
        let overridden = if go {
            self.evaluate_gate(&dialog.step)
                .into_iter()
                .filter(|e| e.verdict != Verdict::Pass)
                .map(|e| e.criterion)
                .collect()
        } else {
            Vec::new()
        };
        self.decide(&dialog, go, overridden, Some(reason))
    }

    /// The typed word and a reason: the decision stands in the journal, and the gate is open
    /// again, its sign-offs unticked, to be judged on the values of now.
    fn reopen_gate(&mut self, mut dialog: GateDialog, reason: String) -> Vec<Effect> {
        if reason.chars().count() < MIN_OVERRIDE_REASON {
            self.flash = Some(format!(
                "reopening needs a reason of at least {MIN_OVERRIDE_REASON} characters"
            ));
            self.replace_top(Layer::Gate(dialog));
            return Vec::new();
        }
        let effects = self.record(Event::GateReopened {
            step: dialog.step.clone(),
            reason,
            automatic: false,
        });
        if !effects.is_empty() {
            self.flash = Some(format!("`{}` reopened: decide it again", dialog.step));
        }
        dialog.ticked.iter_mut().for_each(|t| *t = false);
        dialog.stage = GateStage::Review;
        self.replace_top(Layer::Gate(dialog));
        effects
    }

    fn decide(
        &mut self,
        dialog: &GateDialog,
        go: bool,
        overridden: Vec<String>,
        reason: Option<String>,
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
        let evidence = crate::journal::event::evidence(&self.evaluate_gate(&dialog.step));
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
