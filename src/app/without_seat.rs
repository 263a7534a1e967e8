//! Team mode with the store unreachable: nothing new starts, except the emergency rollback,
//! which asks once more after its typed word and then acts without the seat. Its records are
//! kept on this bastion ([`Effect::JournalWithoutSeat`]) until the store takes them. Also the
//! takeover of a seat whose lease ran out, offered to a running cockpit. Pure state.

use super::keymap::{self, Do};
use super::*;
use crate::journal::event::Action;

impl App {
    /// Whether the emergency rollback may act without the seat now: the store is unreachable,
    /// and this is a team member's cockpit that holds the seat or held it when it lost it (a
    /// cockpit that never held it rolls nothing back: the seat's holder does).
    pub fn may_roll_back_without_seat(&self) -> bool {
        self.team
            && self.team_member
            && self.store_lost
            && (self.may_act() || self.mode_before_loss.is_some())
    }

    /// Whether actions run as rehearsal: the run's mode, also while the seat is lost and the
    /// rollback acts without it.
    pub(super) fn rehearsing(&self) -> bool {
        let mode = match (self.acting_without_seat, self.mode_before_loss) {
            (true, Some(before)) => before,
            _ => self.mode,
        };
        mode == Mode::Rehearsal
    }

    /// What the rollback acting without the seat journals: its own records, the results of
    /// what ran, the gate it reopens, and this session's end. Nothing else (a tick, a note, a
    /// decision) is done without the store.
    pub(super) fn kept_without_seat(&self, event: &Event) -> bool {
        match event {
            Event::RollbackBegan { .. }
            | Event::RollbackStepSkipped { .. }
            | Event::RollbackEnded { .. }
            | Event::SessionEnded { .. }
            | Event::ActionEnded { .. }
            | Event::ActionProcess { .. }
            | Event::GateReopened {
                automatic: true, ..
            } => true,
            Event::ActionStarted { action, .. } => matches!(action, Action::RollbackStep { .. }),
            _ => false,
        }
    }

    /// The second confirmation: `y` rolls back without the seat, Esc cancels; every other key
    /// (Enter above all: a held Enter repeats) only says so.
    pub(super) fn without_seat_key(&mut self, command: Option<Do>) -> Vec<Effect> {
        let Some(Layer::RollbackWithoutSeat { phase }) = self.top_layer() else {
            return Vec::new();
        };
        let phase = *phase;
        match command {
            Some(Do::Cancel) => {
                self.layers.pop();
                self.flash = Some("the rollback did not start".into());
                Vec::new()
            }
            Some(Do::Yes) => {
                self.layers.pop();
                if !self.store_lost && self.may_act() {
                    // The store answered meanwhile: the rollback goes through the seat.
                    return self.roll_back_confirmed(phase);
                }
                if !self.may_roll_back_without_seat() {
                    self.flash = Some(self.read_only_note());
                    return Vec::new();
                }
                self.acting_without_seat = true;
                self.flash = Some(
                    "rolling back WITHOUT THE SEAT: its records stay on this host until the team store answers"
                        .into(),
                );
                self.roll_back_confirmed(phase)
            }
            _ => {
                let keys = self.keys.of(&keymap::WITHOUT_SEAT);
                self.flash = Some(format!(
                    "the team store is unreachable: {} rolls back without the seat, {} cancels",
                    keys.label(Do::Yes),
                    keys.label(Do::Cancel)
                ));
                Vec::new()
            }
        }
    }

    /// The cockpit uploaded records kept without the seat (or could not yet).
    pub(super) fn uploaded_without_seat(&mut self, outcome: Result<usize, String>) {
        self.dirty = true;
        match outcome {
            Ok(0) => {}
            Ok(n) => {
                self.without_seat_pending = self.without_seat_pending.saturating_sub(n);
                self.flash = Some(format!(
                    "{n} record(s) acted without the seat are now in the team store, marked so"
                ));
            }
            Err(why) => {
                self.flash = Some(format!(
                    "records acted without the seat wait on this host: {why}"
                ));
            }
        }
    }

    /// The seat's lease ran out: a team member's cockpit without the seat offers the takeover
    /// with the typed word, once per epoch, when no dialog is open (never over one in use).
    pub(super) fn offer_takeover(&mut self) {
        let Some((previous, epoch)) = self.seat_expired.clone() else {
            return;
        };
        let offer = self.team_member
            && self.mode == Mode::ReadOnly
            && !self.acting_without_seat
            && self.layers.is_empty()
            && self.takeover_offered != Some(epoch);
        if offer {
            self.takeover_offered = Some(epoch);
            self.seat_note = Some(format!("seat lease of {previous} expired"));
            self.layers.push(Layer::TakeOver {
                previous,
                input: TextInput::default(),
            });
            self.dirty = true;
        }
    }
}
