//! The run's life: when every step is finished the cockpit offers to end it (completed); an
//! ended run takes no more actions, and the next `flightdeck run` starts a fresh one.

use super::keymap::Do;
use super::*;
use crate::journal::event::RunOutcome;

impl App {
    /// Every step done or skipped.
    pub fn all_steps_finished(&self) -> bool {
        self.runbook
            .steps()
            .all(|(_, s)| self.progress.status(&s.id).finished())
    }

    /// Once per session, when the last step is finished: offer to end the run.
    pub(super) fn offer_end(&mut self) {
        let idle = self.layers.is_empty() && self.running_now().is_none();
        if self.end_offered
            || !idle
            || !self.may_act()
            || self.progress.ended.is_some()
            || self.rollback_active()
            || !self.all_steps_finished()
        {
            return;
        }
        self.end_offered = true;
        self.layers.push(Layer::ConfirmEnd);
    }

    pub(super) fn confirm_end_key(&mut self, command: Option<Do>) -> Vec<Effect> {
        match command {
            Some(Do::Yes) => {
                self.layers.pop();
                let effects = self.record(Event::RunEnded {
                    outcome: RunOutcome::Completed,
                    reason: "every step done; ended from the cockpit".into(),
                });
                if !effects.is_empty() {
                    self.flash =
                        Some("run completed: the next `flightdeck run` starts a fresh one".into());
                }
                effects
            }
            Some(Do::No) => {
                self.layers.pop();
                self.flash = Some("the run stays open; `flightdeck end` ends it later".into());
                Vec::new()
            }
            // Quitting leaves the run open, as `n` would.
            Some(Do::Quit) => {
                self.layers.pop();
                self.end_session("quit")
            }
            _ => Vec::new(),
        }
    }
}
