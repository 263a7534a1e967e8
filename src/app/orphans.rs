//! Process groups a crash left behind. A command's group is journaled once it started; after a
//! restart the cockpit looks whether the group of each in-doubt action still runs and says so
//! here (`ProcessNews::Checked`), the in-doubt dialog shows it, and `k` offers to stop it. The
//! stop is confirmed, journaled before it is sent, and its result journaled after.

use super::keymap::Do;
use super::*;
pub use crate::actions::report::ProcessNews;
use crate::orphans::{Liveness, ProcessGroup};

/// What the in-doubt dialog says about an action's process group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Orphan {
    Alive,
    Gone,
    /// Its pid belongs to another process now.
    Recycled,
    Stopping,
    /// The stop's result: gone or, rarely, still alive.
    Stopped {
        result: String,
        alive: bool,
    },
}

impl Orphan {
    /// Whether `k` may offer to stop it.
    pub fn may_stop(&self) -> bool {
        matches!(self, Orphan::Alive | Orphan::Stopped { alive: true, .. })
    }
}

impl App {
    pub(super) fn process_news(&mut self, news: ProcessNews) -> Vec<Effect> {
        match news {
            ProcessNews::Spawned { id, group } => {
                if self.progress.actions.contains_key(&id) {
                    return self.record(Event::ActionProcess {
                        id,
                        pgid: group.pgid,
                        start_ticks: group.start_ticks,
                    });
                }
            }
            ProcessNews::Checked { id, liveness } => {
                let orphan = match liveness {
                    Liveness::Alive => Orphan::Alive,
                    Liveness::Gone => Orphan::Gone,
                    Liveness::Recycled => Orphan::Recycled,
                };
                self.orphans.insert(id, orphan);
            }
            ProcessNews::Stopped { id, result, alive } => {
                self.orphans.insert(
                    id,
                    Orphan::Stopped {
                        result: result.clone(),
                        alive,
                    },
                );
                self.flash = Some(format!("left-over process: {result}"));
                return self.record(Event::OrphanStopped { id, result, alive });
            }
        }
        Vec::new()
    }

    /// In-doubt actions whose process group was journaled: for the cockpit to look at.
    pub fn orphan_groups(&self) -> Vec<(u64, ProcessGroup)> {
        self.in_doubt()
            .into_iter()
            .filter_map(|id| Some((id, self.progress.actions.get(&id)?.process?)))
            .collect()
    }

    /// `k` in the in-doubt dialog: the confirmation, when the group still runs.
    pub(super) fn offer_stop(&mut self, id: u64) {
        if !self.may_act() {
            self.flash = Some(self.read_only_note());
        } else if self.orphans.get(&id).is_some_and(Orphan::may_stop) {
            self.layers.push(Layer::StopOrphan { id });
        } else {
            self.flash = Some("no process of it is known to run".into());
        }
    }

    /// `y` stops the group (journaled first); any other key keeps it running.
    pub(super) fn stop_orphan_key(&mut self, command: Option<Do>) -> Vec<Effect> {
        let Some(Layer::StopOrphan { id }) = self.layers.pop() else {
            return Vec::new();
        };
        let group = self.progress.actions.get(&id).and_then(|a| a.process);
        let (Some(Do::Yes), Some(group)) = (command, group) else {
            self.flash = Some("left running".into());
            return Vec::new();
        };
        let mut effects = self.record(Event::OrphanStopAsked {
            id,
            pgid: group.pgid,
        });
        if !effects.is_empty() {
            self.orphans.insert(id, Orphan::Stopping);
            effects.push(Effect::StopOrphan { id, group });
        }
        effects
    }
}
