//! One journal line and its hash chain.
//!
//! A line is the JSON of a [`Record`] whose last field is `"hash"`: the SHA-256 of every byte of
//! the line before `,"hash"`. That prefix includes `prev`, the hash of the previous line, so an
//! edit breaks the line's own hash, and a deletion or reordering breaks `seq` or `prev`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::event::Event;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The record format this version writes. 0 is the unversioned format before it (no `v`
/// field, ages as `{secs, nanos}`), which is still read. A record of a newer format is refused
/// with a message, never guessed at.
pub const FORMAT: u32 = 1;

/// The format of a record acted without the seat ([`WithoutSeat`]): a binary that reads only
/// format 1 refuses it by name instead of showing it as an ordinary seated action.
pub const WITHOUT_SEAT_FORMAT: u32 = 2;

/// The newest format this version reads.
pub const NEWEST: u32 = WITHOUT_SEAT_FORMAT;

/// The mark of a record written while the team store was unreachable, by a cockpit acting
/// without the seat's fencing (the emergency rollback): kept on its bastion, then uploaded into
/// the run's chain when the store answered again. Part of the record, so under its hash: it
/// cannot be edited away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithoutSeat {
    /// Unique to this record (`pid.start-nanos.n`): an upload cut off after its commit is not
    /// uploaded twice.
    pub key: String,
    /// When the store took it (its own clock), once uploaded; the record's `time` stays the
    /// bastion's clock when it was acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record format; first, so a reader knows it before anything else.
    #[serde(default)]
    pub v: u32,
    pub seq: u64,
    /// UTC, RFC 3339.
    pub time: String,
    /// user@host of the operator.
    pub operator: String,
    pub run: String,
    pub runbook_hash: String,
    pub prev: String,
    pub event: Event,
    /// Set only on a record acted without the seat (team mode, the store unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_seat: Option<WithoutSeat>,
    #[serde(default)]
    pub hash: String,
}

const HASH_KEY: &str = ",\"hash\":\"";

impl Record {
    /// Serializes the record as one chained line (without the newline), filling in `hash`.
    pub fn seal(&mut self) -> String {
        self.hash.clear();
        let mut body = serde_json::to_string(self).expect("a record always serializes");
        // The empty hash field is last; cut it off and hash what stands before it.
        let cut = body.rfind(HASH_KEY).expect("hash field is serialized last");
        body.truncate(cut);
        self.hash = hex::encode(Sha256::digest(body.as_bytes()));
        format!("{body}{HASH_KEY}{}\"}}", self.hash)
    }
}

/// Why a journal line fails verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// Checks a whole journal text; returns the records, or the first bad line (1-based).
pub fn verify_text(text: &str) -> Result<Vec<Record>, BadLine> {
    let mut prev = GENESIS.to_string();
    let mut records = Vec::new();
    for (i, line) in text.split_terminator('\n').enumerate() {
        let record = check_line(line, i as u64 + 1, &prev).map_err(|reason| BadLine {
            line: i + 1,
            reason,
        })?;
        prev = record.hash.clone();
        records.push(record);
    }
    Ok(records)
}

/// Checks one line: its own hash, that it is record number `seq`, and that it chains to the
/// record whose hash is `prev`. A follower checks each new line with the same rule.
pub fn check_line(line: &str, seq: u64, prev: &str) -> Result<Record, String> {
    let cut = line
        .rfind(HASH_KEY)
        .ok_or_else(|| "no hash field: the line was altered or truncated".to_string())?;
    if let Some(v) = newer_format(line) {
        return Err(format!(
            "written in journal format {v} by a newer flightdeck; this one reads formats 0 to {NEWEST}: upgrade to read it"
        ));
    }
    let record: Record =
        serde_json::from_str(line).map_err(|e| format!("not a journal record ({e})"))?;
    let computed = hex::encode(Sha256::digest(&line.as_bytes()[..cut]));
    if computed != record.hash {
        return Err("content does not match its hash: the line was edited".into());
    }
    if record.seq != seq {
        return Err(format!(
            "sequence number {} where {seq} was expected: a line was deleted, inserted or moved",
            record.seq
        ));
    }
    if record.prev != prev {
        return Err(
            "does not chain to the line before it: a line was deleted, inserted or moved".into(),
        );
    }
    Ok(record)
}

/// The format of a line written by a newer version, read before the line is parsed as this
/// version's events (which it may not be).
fn newer_format(line: &str) -> Option<u32> {
    #[derive(Deserialize)]
    struct Version {
        #[serde(default)]
        v: u32,
    }
    let v = serde_json::from_str::<Version>(line).ok()?.v;
    (v > NEWEST).then_some(v)
}

impl Record {
    /// When it was written; the epoch if the time does not parse (it is under the hash, so
    /// only a writer's bug could make it so).
    pub fn at(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::parse(&self.time, &time::format_description::well_known::Rfc3339)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
}

/// Every line that parses as a record, with its 1-based line number, whatever the chain says.
/// A report of a damaged journal still shows what it can, beside `verify_text`'s verdict.
pub fn parse_lines(text: &str) -> Vec<(usize, Record)> {
    text.split_terminator('\n')
        .enumerate()
        .filter_map(|(i, line)| Some((i + 1, serde_json::from_str(line).ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(n: u64) -> Vec<String> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = Record {
                    v: FORMAT,
                    seq,
                    time: format!("2026-12-05T22:00:0{seq}Z"),
                    operator: "op@host".into(),
                    run: "r".into(),
                    runbook_hash: "h".into(),
                    prev: prev.clone(),
                    event: Event::StepTicked {
                        step: format!("s{seq}"),
                    },
                    without_seat: None,
                    hash: String::new(),
                };
                let line = r.seal();
                prev = r.hash;
                line
            })
            .collect()
    }

    fn verify(lines: &[String]) -> Result<usize, usize> {
        let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        verify_text(&text).map(|r| r.len()).map_err(|b| b.line)
    }

    #[test]
    fn intact_journal_verifies() {
        assert_eq!(verify(&journal(4)), Ok(4));
    }

    #[test]
    fn names_the_first_bad_line() {
        let mut edited = journal(4);
        edited[2] = edited[2].replace("s3", "s9");
        assert_eq!(verify(&edited), Err(3), "an edited line fails its own hash");

        let mut deleted = journal(4);
        deleted.remove(1);
        assert_eq!(
            verify(&deleted),
            Err(2),
            "the line after a deletion no longer chains"
        );

        let mut swapped = journal(4);
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped), Err(2), "reordering breaks seq and prev");

        let mut rehashed = journal(3);
        // An edit that also recomputes its own hash still breaks the next line's `prev`.
        let mut r: Record = serde_json::from_str(&rehashed[1]).unwrap();
        r.event = Event::StepTicked {
            step: "forged".into(),
        };
        rehashed[1] = r.seal();
        assert_eq!(verify(&rehashed), Err(3));
    }

    #[test]
    fn parse_lines_keeps_line_numbers_and_skips_garbage() {
        let mut lines = journal(3);
        lines[1] = "not json".into();
        let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let parsed: Vec<usize> = parse_lines(&text).iter().map(|(n, _)| *n).collect();
        assert_eq!(parsed, vec![1, 3]);
    }

    #[test]
    fn a_record_of_a_newer_format_is_refused_by_name() {
        let mut lines = journal(2);
        let mut r: Record = serde_json::from_str(&lines[1]).unwrap();
        r.v = NEWEST + 1;
        r.prev = serde_json::from_str::<Record>(&lines[0]).unwrap().hash;
        lines[1] = r.seal();
        let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let bad = verify_text(&text).unwrap_err();
        assert_eq!(bad.line, 2);
        assert!(bad.reason.contains("newer flightdeck"), "{bad}");
    }

    #[test]
    fn the_mark_of_acting_without_the_seat_is_under_the_hash() {
        let mut r: Record = serde_json::from_str(&journal(1)[0]).unwrap();
        r.v = WITHOUT_SEAT_FORMAT;
        r.without_seat = Some(WithoutSeat {
            key: "42.7.1".into(),
            uploaded: None,
        });
        let line = r.seal();
        assert!(line.starts_with("{\"v\":2,"), "{line}");
        assert!(
            line.contains(r#","without_seat":{"key":"42.7.1"},"hash":"#),
            "{line}"
        );
        assert_eq!(verify_text(&format!("{line}\n")).map(|r| r.len()), Ok(1));
        // Edited away, the line no longer matches its hash.
        let unmarked = line.replace(r#","without_seat":{"key":"42.7.1"}"#, "");
        let bad = verify_text(&format!("{unmarked}\n")).unwrap_err();
        assert!(bad.reason.contains("edited"), "{bad}");
        // An ordinary record carries no mark at all: old journals read as they were.
        assert!(!journal(1)[0].contains("without_seat"));
    }

    #[test]
    fn new_records_say_their_format_first() {
        let line = &journal(1)[0];
        assert!(line.starts_with(&format!("{{\"v\":{FORMAT},")), "{line}");
    }
}
