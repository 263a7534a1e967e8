//! A run's journal in whichever store holds it: the local file (the default) or the team store.
//! The session and the cockpit append, read and verify through this one type.

use std::path::Path;

use super::file::FileJournal;
use super::pg::PgJournal;
use super::{Event, Identity, Journal, JournalError, Record};

pub enum RunJournal {
    File(FileJournal),
    Team(Box<PgJournal>),
}

impl RunJournal {
    /// The local journal file, for the file observer; `None` in team mode.
    pub fn file_path(&self) -> Option<&Path> {
        match self {
            RunJournal::File(f) => Some(f.path()),
            RunJournal::Team(_) => None,
        }
    }

    /// Where kept output files go, beside it: the journal file, or a team run's local copy.
    pub fn path(&self) -> &Path {
        match self {
            RunJournal::File(f) => f.path(),
            RunJournal::Team(t) => t.local_path(),
        }
    }

    /// Makes a new run's first record durable (a team store commits each record already).
    pub fn settle(&mut self) -> Result<(), JournalError> {
        match self {
            RunJournal::File(f) => f.settle(),
            RunJournal::Team(_) => Ok(()),
        }
    }

    pub fn team(&self) -> Option<&PgJournal> {
        match self {
            RunJournal::Team(t) => Some(t),
            RunJournal::File(_) => None,
        }
    }

    pub fn team_mut(&mut self) -> Option<&mut PgJournal> {
        match self {
            RunJournal::Team(t) => Some(t),
            RunJournal::File(_) => None,
        }
    }

    /// Keeps `event` on this bastion, marked as acted without the seat, for the store to take
    /// when it answers again (team mode; a file journal has no seat to act without).
    pub fn append_without_seat(
        &mut self,
        event: Event,
        runbook_hash: &str,
    ) -> Result<Record, JournalError> {
        match self {
            RunJournal::Team(t) => t.append_without_seat(event, runbook_hash),
            RunJournal::File(f) => f.append(event, runbook_hash),
        }
    }
}

impl Journal for RunJournal {
    fn append(&mut self, event: Event, runbook_hash: &str) -> Result<Record, JournalError> {
        match self {
            RunJournal::File(f) => f.append(event, runbook_hash),
            RunJournal::Team(t) => t.append(event, runbook_hash),
        }
    }

    fn read(&self) -> Result<Vec<Record>, JournalError> {
        match self {
            RunJournal::File(f) => f.read(),
            RunJournal::Team(t) => t.read(),
        }
    }

    fn verify(&self) -> Result<usize, JournalError> {
        match self {
            RunJournal::File(f) => f.verify(),
            RunJournal::Team(t) => t.verify(),
        }
    }

    fn identity(&self) -> &Identity {
        match self {
            RunJournal::File(f) => f.identity(),
            RunJournal::Team(t) => t.identity(),
        }
    }
}
