//! Following a run's journal as another session writes it: an observer reads only the whole new
//! lines since its last look, and checks that each one continues the hash chain from the last
//! record it saw. A line still being written (no newline yet) is waited on, not failed.
//!
//! Anything else that does not continue the chain (an edited, cut or replaced file) stops the
//! follower for good: it says why, and never guesses which version of the run is true.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::record::{GENESIS, Record, check_line};

/// The last record a reader has seen: its number and hash (`0` and the genesis hash: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub seq: u64,
    pub hash: String,
}

impl Position {
    pub fn start() -> Self {
        Position {
            seq: 0,
            hash: GENESIS.into(),
        }
    }

    /// After the last of `records` (the ones a session replayed when it opened the run).
    pub fn after(records: &[Record]) -> Self {
        records.last().map_or_else(Self::start, |r| Position {
            seq: r.seq,
            hash: r.hash.clone(),
        })
    }
}

pub struct Follower {
    path: PathBuf,
    /// Bytes of the file read and checked so far (whole lines only).
    offset: u64,
    /// The last record checked, from the file's first line on.
    last: Position,
    /// What the reader already has: records up to here are checked, not handed out again.
    known: Position,
    /// The file first read, to notice it being replaced by another one.
    inode: Option<(u64, u64)>,
}

impl Follower {
    /// Follows the journal at `path` for a reader that has seen up to `known`. The first poll
    /// reads the file from its start, checks the chain up to `known` and that the record there
    /// is the one the reader has.
    pub fn new(path: &Path, known: Position) -> Self {
        Follower {
            path: path.to_path_buf(),
            offset: 0,
            last: Position::start(),
            known,
            inode: None,
        }
    }

    /// The records written since the last poll, each checked against the chain. An error means
    /// the file no longer continues what was seen: stop following.
    pub fn poll(&mut self) -> Result<Vec<Record>, String> {
        let mut file = File::open(&self.path).map_err(|e| format!("cannot read it: {e}"))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read it: {e}"))?;
        let inode = (meta.dev(), meta.ino());
        if *self.inode.get_or_insert(inode) != inode {
            return Err("the file was replaced by another one".into());
        }
        if meta.len() < self.offset {
            return Err(format!(
                "it shrank from {} to {} bytes: records were removed",
                self.offset,
                meta.len()
            ));
        }
        file.seek(SeekFrom::Start(self.offset))
            .map_err(|e| format!("cannot read it: {e}"))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read it: {e}"))?;
        // Only whole lines: a last line without its newline is still being written.
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let text = std::str::from_utf8(&bytes[..whole])
            .map_err(|_| "a line is not text: the file was altered".to_string())?;
        let mut new = Vec::new();
        for line in text.split_terminator('\n') {
            let seq = self.last.seq + 1;
            let record = check_line(line, seq, &self.last.hash)
                .map_err(|reason| format!("line {seq}: {reason}"))?;
            if record.seq == self.known.seq && record.hash != self.known.hash {
                return Err(format!(
                    "line {seq} is not the record this cockpit opened with: the file was rewritten"
                ));
            }
            self.last = Position {
                seq: record.seq,
                hash: record.hash.clone(),
            };
            if record.seq > self.known.seq {
                new.push(record);
            }
        }
        if self.last.seq < self.known.seq && whole == bytes.len() {
            return Err(format!(
                "it has {} records where this cockpit opened with {}: records were removed",
                self.last.seq, self.known.seq
            ));
        }
        self.offset += whole as u64;
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;
    use std::io::Write;

    use super::*;
    use crate::journal::{Event, FileJournal, Identity, Journal};

    fn journal(dir: &Path) -> (PathBuf, FileJournal) {
        let path = dir.join("r1.jsonl");
        let identity = Identity {
            operator: "op@host".into(),
            run: "r1".into(),
        };
        let j = FileJournal::create(&path, identity).unwrap();
        (path, j)
    }

    fn tick(j: &mut FileJournal, step: &str) -> Record {
        j.append(Event::StepTicked { step: step.into() }, "h")
            .unwrap()
    }

    fn steps(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| match &r.event {
                Event::StepTicked { step } => step.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn hands_out_only_records_after_what_the_reader_has() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut j) = journal(dir.path());
        let first = tick(&mut j, "a");
        let mut f = Follower::new(&path, Position::after(&[first]));
        assert!(f.poll().unwrap().is_empty(), "the reader has `a` already");
        tick(&mut j, "b");
        tick(&mut j, "c");
        assert_eq!(steps(&f.poll().unwrap()), ["b", "c"]);
        assert!(f.poll().unwrap().is_empty(), "nothing new, nothing twice");
        tick(&mut j, "d");
        assert_eq!(steps(&f.poll().unwrap()), ["d"]);
    }

    #[test]
    fn a_line_being_written_is_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut j) = journal(dir.path());
        tick(&mut j, "a");
        let one = std::fs::read_to_string(&path).unwrap();
        let second = tick(&mut j, "b");
        let two = std::fs::read_to_string(&path).unwrap();
        // The same journal caught with its second line half written.
        std::fs::write(&path, &two[..one.len() + 20]).unwrap();
        let mut f = Follower::new(&path, Position::start());
        assert_eq!(steps(&f.poll().unwrap()), ["a"], "the torn line waits");
        let mut out = OpenOptions::new().append(true).open(&path).unwrap();
        out.write_all(&two.as_bytes()[one.len() + 20..]).unwrap();
        assert_eq!(f.poll().unwrap(), vec![second], "then it is read whole");
    }

    #[test]
    fn an_edit_a_cut_or_a_rewrite_stops_the_follower() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut j) = journal(dir.path());
        tick(&mut j, "a");
        let mut f = Follower::new(&path, Position::start());
        assert_eq!(steps(&f.poll().unwrap()), ["a"]);
        // Someone appends a line that claims to follow but was forged.
        let text = std::fs::read_to_string(&path).unwrap();
        let second = tick(&mut j, "b");
        let full = std::fs::read_to_string(&path).unwrap();
        let forged = full[text.len()..].replace("\"b\"", "\"x\"");
        std::fs::write(&path, format!("{text}{forged}")).unwrap();
        let err = f.poll().unwrap_err();
        assert!(err.contains("line 2") && err.contains("edited"), "{err}");

        // A cut: fewer bytes than already read.
        std::fs::write(&path, &text).unwrap();
        let mut f = Follower::new(&path, Position::start());
        f.poll().unwrap();
        std::fs::write(&path, "").unwrap();
        assert!(f.poll().unwrap_err().contains("shrank"));

        // A reader that opened with record 2 and a file whose record 2 is another one.
        std::fs::write(&path, &text).unwrap();
        let mut f = Follower::new(&path, Position::after(&[second]));
        assert!(f.poll().unwrap_err().contains("records were removed"));
    }
}
