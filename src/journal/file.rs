//! The local journal: one JSON-lines file per run, mode 0600, each record fsync'd (a new run's
//! first once the cockpit has drawn its first frame: `settle`).

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
    /// A new run's name and first record, written but not yet synced: `settle` makes them
    /// durable once the cockpit has drawn its first frame (the next `append` would too).
    unsettled: bool,
}

impl FileJournal {
    /// Creates the journal of a new run; fails if it already exists. Its name reaches the disk
    /// with the first record: `settle`, or the first `append`.
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
            unsettled: true,
        })
    }

    /// Writes a new run's first record without waiting for the disk, so the first frame need
    /// not wait for two syncs (~2 ms on the bench host, more on a busy volume). Nothing has been
    /// done yet that the record would vouch for; `settle` before the first key is handled.
    pub fn append_unsettled(
        &mut self,
        event: Event,
        runbook_hash: &str,
    ) -> Result<Record, JournalError> {
        let record = self.write(event, runbook_hash)?;
        self.unsettled = true;
        Ok(record)
    }

    /// Makes what `create` and `append_unsettled` wrote durable: the record's bytes, then the
    /// file's name in its directory, so a crash right after loses neither.
    pub fn settle(&mut self) -> Result<(), JournalError> {
        if !self.unsettled {
            return Ok(());
        }
        self.file.sync_data().map_err(|e| io(&self.path, e))?;
        self.sync_name()
    }

    /// The new file's name on disk too, not only its bytes: a crash must not lose the run.
    fn sync_name(&mut self) -> Result<(), JournalError> {
        if let Some(dir) = self.path.parent() {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io(dir, e))?;
        }
        self.unsettled = false;
        Ok(())
    }

    /// Seals `event` as the next record and writes it in one write, so a crash leaves at most
    /// a torn last line. Not synced.
    fn write(&mut self, event: Event, runbook_hash: &str) -> Result<Record, JournalError> {
        let mut record = Record {
            v: super::record::FORMAT,
            seq: self.seq + 1,
            time: utc_now(),
            operator: self.identity.operator.clone(),
            run: self.identity.run.clone(),
            runbook_hash: runbook_hash.to_string(),
            prev: self.last_hash.clone(),
            event,
            without_seat: None,
            hash: String::new(),
        };
        let mut line = record.seal();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| io(&self.path, e))?;
        self.seq = record.seq;
        self.last_hash = record.hash.clone();
        Ok(record)
    }

    /// Opens an existing run to append to it; refuses a journal whose chain is broken, since
    /// appending would hide the damage.
    pub fn open(path: &Path, operator: String) -> Result<Self, JournalError> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        // Under a live seat holder a last line without its newline is being written right now:
        // this session will only observe, and must not cut the holder's record.
        let text = if super::seat::held_by_the_living(path) {
            whole_lines(text)
        } else {
            set_aside_torn_tail(path, text)?
        };
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
            unsettled: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileJournal {
    /// A session that ends before it settled (its terminal failed) still leaves its run on disk.
    fn drop(&mut self) {
        if let Err(e) = self.settle() {
            tracing::warn!(journal = %self.path.display(), "journal not synced on close: {e}");
        }
    }
}

/// The text up to its last newline.
fn whole_lines(mut text: String) -> String {
    text.truncate(text.rfind('\n').map_or(0, |i| i + 1));
    text
}

/// A crash during a write can leave a last line without its newline. That record never reached
/// the disk whole, so it was never confirmed: keep its bytes in `<journal>.torn` and cut the
/// journal back to its last whole record, so the run can resume and the chain stays intact.
fn set_aside_torn_tail(path: &Path, text: String) -> Result<String, JournalError> {
    if text.is_empty() || text.ends_with('\n') {
        return Ok(text);
    }
    let keep = text.rfind('\n').map_or(0, |i| i + 1);
    let torn = path.with_extension("jsonl.torn");
    let mut aside = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&torn)
        .map_err(|e| io(&torn, e))?;
    aside
        .write_all(&text.as_bytes()[keep..])
        .map_err(|e| io(&torn, e))?;
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io(path, e))?;
    file.set_len(keep as u64).map_err(|e| io(path, e))?;
    file.sync_all().map_err(|e| io(path, e))?;
    tracing::warn!(journal = %path.display(), torn = %torn.display(), "a torn last record was set aside");
    Ok(text[..keep].to_string())
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
        let record = self.write(event, runbook_hash)?;
        self.file.sync_data().map_err(|e| io(&self.path, e))?;
        if self.unsettled {
            self.sync_name()?;
        }
        Ok(record)
    }

    fn read(&self) -> Result<Vec<Record>, JournalError> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| io(&self.path, e))?;
        // A line still being written by a seat holder is not a record yet (a writer's own
        // journal has no torn line: `open` set it aside).
        verify_text(&whole_lines(text)).map_err(|bad| JournalError::Damaged {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            operator: "op@host".into(),
            run: "r1".into(),
        }
    }

    #[test]
    fn records_chain_and_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.jsonl");
        let mut j = FileJournal::create(&path, identity()).unwrap();
        j.append(Event::StepTicked { step: "a".into() }, "h")
            .unwrap();
        j.append(
            Event::NoteAdded {
                step: "a".into(),
                text: "n".into(),
            },
            "h",
        )
        .unwrap();
        assert_eq!(j.verify().unwrap(), 2);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let reopened = FileJournal::open(&path, "op@host".into()).unwrap();
        assert_eq!(
            reopened.read().unwrap()[1].event,
            Event::NoteAdded {
                step: "a".into(),
                text: "n".into()
            }
        );
    }

    #[test]
    fn an_unsettled_first_record_is_a_record_and_settles_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.jsonl");
        let mut j = FileJournal::create(&path, identity()).unwrap();
        assert!(j.unsettled, "a new file's name is not synced yet");
        j.append_unsettled(Event::StepTicked { step: "a".into() }, "h")
            .unwrap();
        // Written before the sync: an observer (or a resumption after kill -9) reads it.
        assert_eq!(
            FileJournal::open(&path, "x".into())
                .unwrap()
                .verify()
                .unwrap(),
            1
        );
        assert!(j.unsettled);
        j.settle().unwrap();
        assert!(!j.unsettled);
        j.settle().unwrap();
        j.append(Event::StepTicked { step: "b".into() }, "h")
            .unwrap();
        assert!(!j.unsettled, "an append syncs name and bytes");
        assert_eq!(
            j.verify().unwrap(),
            2,
            "the next record chains on the first"
        );
    }

    #[test]
    fn a_torn_last_line_is_set_aside_and_the_run_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.jsonl");
        let mut j = FileJournal::create(&path, identity()).unwrap();
        j.append(Event::StepTicked { step: "a".into() }, "h")
            .unwrap();
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,\"time\":\"2026-").unwrap();
        drop(f);
        let mut j = FileJournal::open(&path, "op@host".into()).unwrap();
        j.append(Event::StepTicked { step: "b".into() }, "h")
            .unwrap();
        assert_eq!(
            j.verify().unwrap(),
            2,
            "chain intact after the torn tail was cut"
        );
        let torn = std::fs::read_to_string(path.with_extension("jsonl.torn")).unwrap();
        assert_eq!(torn, "{\"seq\":2,\"time\":\"2026-");
    }

    #[test]
    fn a_line_being_written_under_a_live_holder_is_left_alone() {
        use crate::journal::seat::{Claim, Holder, claim};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.jsonl");
        let mut j = FileJournal::create(&path, identity()).unwrap();
        j.append(Event::StepTicked { step: "a".into() }, "h")
            .unwrap();
        let Claim::Claimed(_seat) = claim(&path, &Holder::me(OffsetDateTime::now_utc())).unwrap()
        else {
            panic!("the writer holds the seat");
        };
        // The holder is halfway through its next record when an observer opens the run.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,\"time\":\"2026-").unwrap();
        let before = std::fs::read(&path).unwrap();
        let observer = FileJournal::open(&path, "obs@host".into()).unwrap();
        assert_eq!(observer.read().unwrap().len(), 1, "whole records only");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the observer did not cut the holder's line"
        );
        assert!(!path.with_extension("jsonl.torn").exists());
    }

    #[test]
    fn a_damaged_journal_is_refused_not_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.jsonl");
        let mut j = FileJournal::create(&path, identity()).unwrap();
        j.append(Event::StepTicked { step: "a".into() }, "h")
            .unwrap();
        j.append(Event::StepTicked { step: "b".into() }, "h")
            .unwrap();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"b\"", "\"c\"", 1);
        std::fs::write(&path, text).unwrap();
        match FileJournal::open(&path, "op@host".into()) {
            Err(JournalError::Damaged { bad, .. }) => assert_eq!(bad.line, 2),
            other => panic!("expected Damaged, got {:?}", other.map(|_| ())),
        }
    }
}
