//! Team mode in the app: records other cockpits wrote, the seat lost and regained, and
//! sign-offs ticked by each operator under their own name. Pure state, like the rest of `app`.

use super::{App, Effect, Layer, Mode, Msg};
use crate::journal::Event;

impl App {
    /// Whether this cockpit may write notes and sign-offs under its operator's name without
    /// holding the seat: a team member's cockpit, not a watcher's.
    pub fn may_sign(&self) -> bool {
        self.team_member || self.may_act()
    }

    pub(super) fn team_news(&mut self, msg: Msg) {
        match msg {
            Msg::TeamRecords(records) => {
                for record in &records {
                    self.progress
                        .apply(&record.event, record.at(), &record.operator);
                }
                self.refresh_signatures();
                self.dirty |= !records.is_empty();
            }
            Msg::SeatLost(why) => {
                if self.mode != Mode::ReadOnly {
                    self.mode_before_loss = Some(self.mode);
                    self.mode = Mode::ReadOnly;
                }
                if self.mode_before_loss.is_some() {
                    self.seat_note = Some(format!("SEAT LOST: {why}"));
                    self.dirty = true;
                }
            }
            Msg::TeamSeat(_) if self.seat_expired.is_some() => {
                // Held or free again: nothing to take over.
                self.seat_expired = None;
                self.team_news(msg);
            }
            Msg::SeatBack => {
                if let Some(mode) = self.mode_before_loss.take() {
                    self.mode = mode;
                    self.seat_note = None;
                    self.dirty = true;
                }
            }
            Msg::StoreLost(why) if self.journal_error.is_none() || self.store_lost => {
                self.journal_error = Some(format!("team store unreachable ({why})"));
                self.store_lost = true;
                self.dirty = true;
            }
            Msg::StoreBack if self.store_lost => {
                self.journal_error = None;
                self.store_lost = false;
                self.dirty = true;
            }
            Msg::TeamSeatExpired { previous, epoch } => {
                self.seat_expired = Some((previous.describe(), epoch));
                self.offer_takeover();
            }
            Msg::UploadedWithoutSeat(outcome) => self.uploaded_without_seat(outcome),
            Msg::TeamSeat(note)
                if self.mode_before_loss.is_none()
                    && self.mode == Mode::ReadOnly
                    && self.seat_note != note =>
            {
                self.seat_note = note;
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// Who signed each sign-off of `step`'s gate since it was last reopened.
    pub fn signatures(&self, step: &str) -> Vec<Option<String>> {
        let Some(spec) = self.gate_spec(step) else {
            return Vec::new();
        };
        spec.signoffs
            .iter()
            .map(|s| self.progress.signed_by(step, s).map(str::to_string))
            .collect()
    }

    /// In team mode a gate's ticks are the journaled signatures, whoever wrote them.
    pub(super) fn team_ticks(&self, step: &str) -> Vec<bool> {
        self.signatures(step).iter().map(Option::is_some).collect()
    }

    fn refresh_signatures(&mut self) {
        if !self.team {
            return;
        }
        let ticks: Vec<(usize, Vec<bool>)> = self
            .layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match l {
                Layer::Gate(d) => Some((i, self.team_ticks(&d.step))),
                _ => None,
            })
            .collect();
        for (i, t) in ticks {
            if let Some(Layer::Gate(d)) = self.layers.get_mut(i) {
                d.ticked = t;
            }
        }
    }

    /// Space on a sign-off in team mode: signed under this operator's name, for every cockpit
    /// of the run to see. A signature stands; reopening the gate clears them all.
    /// Space in the gate dialog on top: sign the sign-off under the cursor, by name.
    pub(super) fn sign_off(&mut self) -> Vec<Effect> {
        let Some(Layer::Gate(dialog)) = self.top_layer() else {
            return Vec::new();
        };
        let step = dialog.step.clone();
        let Some(signoff) = self
            .gate_spec(&step)
            .and_then(|s| s.signoffs.get(dialog.cursor).cloned())
        else {
            return Vec::new();
        };
        if let Some(by) = self.progress.signed_by(&step, &signoff) {
            self.flash = Some(format!(
                "`{signoff}` was signed by {by}; a signature stands (reopening the gate clears it)"
            ));
            return Vec::new();
        }
        let effects = self.record(Event::SignedOff {
            step: step.clone(),
            signoff,
        });
        let ticked = self.team_ticks(&step);
        if let Some(Layer::Gate(dialog)) = self.layers.last_mut() {
            dialog.ticked = ticked;
        }
        effects
    }
}
