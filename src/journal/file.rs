//! The local journal: one JSON-lines file per run, mode 0600, each record fsync'd.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::record::{GENESIS, Record, verify_text};
use super::{Event, Identity, Journal, JournalError};

pub struct FileJournal {
    path: PathBuf,
    file: File,
    identity: Identity,
    seq: u64,
    last_hash: String,
}

impl FileJournal {
    /// Creates the journal of a new run; fails if it already exists.
    pub fn create(path: &Path, identity: Identity) -> Result<Self, JournalError> {
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            identity,
            seq: 0,
            last_hash: GENESIS.into(),
        })
    }

    /// Opens an existing run to append to it; refuses a journal whose chain is broken, since
    /// appending would hide the damage.
    pub fn open(path: &Path, operator: String) -> Result<Self, JournalError> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let records = verify_text(&text).map_err(|bad| JournalError::Damaged {
            path: path.display().to_string(),
            bad,
        })?;
        let run = records
            .first()
            .map(|r| r.run.clone())
            .unwrap_or_else(|| run_id_from_path(path));
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        let (seq, last_hash) = records
            .last()
            .map_or((0, GENESIS.to_string()), |r| (r.seq, r.hash.clone()));
        Ok(Self {
            path: path.to_path_buf(),
            file,
            identity: Identity { operator, run },
            seq,
            last_hash,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn io(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn run_id_from_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Now in UTC as RFC 3339, to the millisecond.
pub fn utc_now() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_millisecond(now.millisecond()).unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}

impl Journal for FileJournal {
    fn append(&mut self, event: Event, runbook_hash: &str) -> Result<Record, JournalError> {
        let mut record = Record {
            seq: self.seq + 1,
            time: utc_now(),
            operator: self.identity.operator.clone(),
            run: self.identity.run.clone(),
            runbook_hash: runbook_hash.to_string(),
            prev: self.last_hash.clone(),
            event,
            hash: String::new(),
        };
        let mut line = record.seal();
        line.push('\n');
        // One write per record so a crash leaves at most a torn last line, then fsync.
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| io(&self.path, e))?;
        self.file.sync_data().map_err(|e| io(&self.path, e))?;
        self.seq = record.seq;
        self.last_hash = record.hash.clone();
        Ok(record)
    }

    fn read(&self) -> Result<Vec<Record>, JournalError> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| io(&self.path, e))?;
        verify_text(&text).map_err(|bad| JournalError::Damaged {
            path: self.path.display().to_string(),
            bad,
        })
    }

    fn verify(&self) -> Result<usize, JournalError> {
        self.read().map(|r| r.len())
    }

    fn identity(&self) -> &Identity {
        &self.identity
    }
}
