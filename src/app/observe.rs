//! An observer's view of a run another session drives: records from the follower go through the
//! same fold as a resume, so the observer shows what the journal says, as it is written.

use super::{App, Layer, Mode, Msg};
use crate::journal::seat::SeatView;

impl App {
    /// Applies what the follower saw. Only while read-only: once this session holds the seat it
    /// writes the journal itself, and a late message from the follower must not apply twice.
    pub(super) fn observe(&mut self, msg: Msg) {
        if self.mode != Mode::ReadOnly {
            return;
        }
        match msg {
            Msg::Journal(records) => {
                for record in &records {
                    self.progress
                        .apply(&record.event, record.at(), &record.operator);
                }
                self.dirty |= !records.is_empty();
            }
            Msg::FollowStopped(why) => {
                self.follow_stopped = Some(why);
                self.dirty = true;
            }
            // This session offers the takeover of that very seat: its dialog says it better.
            Msg::Seat(SeatView::Died(_))
                if self
                    .layers
                    .iter()
                    .any(|l| matches!(l, Layer::TakeOver { .. })) => {}
            Msg::Seat(view) => {
                let note = Some(view.describe());
                if self.seat_note != note {
                    self.seat_note = note;
                    self.dirty = true;
                }
            }
            _ => {}
        }
    }
}
