//! The emergency rollback while the team store is unreachable: its records cannot be appended
//! under the seat's epoch, so they are kept on this bastion, marked as acted without the seat,
//! and uploaded into the run's chain when the store answers again.
//!
//! They wait in `<run>.without-seat.jsonl` beside the local copy (0600, fsync'd per record), a
//! hash chain of its own from genesis, so an edit made on the bastion before the upload is
//! caught (the file is then refused, never uploaded). Uploading re-chains them onto the run's
//! head as it is then, whoever appended meanwhile: in one transaction under the head's lock,
//! each gets the next `seq`, chains to the head, and is sealed again with the time the store
//! took it in its mark; its `time`, operator, event and the mark's key stay as written. A
//! record whose key is already in the store (an upload cut off after its commit) is not
//! uploaded twice.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use tokio_postgres::Client;

use super::{CHANNEL, PgJournal, store, why};
use crate::journal::file::utc_now;
use crate::journal::record::{GENESIS, WITHOUT_SEAT_FORMAT, WithoutSeat, verify_text};
use crate::journal::{Event, JournalError, Record};

impl PgJournal {
    /// Where records acted without the seat wait for the store.
    pub fn without_seat_path(&self) -> Option<PathBuf> {
        let local = self.local.as_ref()?;
        Some(local.with_file_name(format!("{}.without-seat.jsonl", self.identity.run)))
    }

    /// Whether records acted without the seat wait to be uploaded.
    pub fn has_pending(&self) -> bool {
        self.without_seat_path()
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.len() > 0)
    }

    /// The records waiting, checked against their own chain.
    fn pending(&self) -> Result<Vec<Record>, JournalError> {
        let Some(path) = self.without_seat_path() else {
            return Ok(Vec::new());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(JournalError::Io {
                    path: path.display().to_string(),
                    source: e,
                });
            }
        };
        verify_text(&text).map_err(|bad| JournalError::Damaged {
            path: path.display().to_string(),
            bad,
        })
    }

    /// Appends `event` on this bastion only, marked as acted without the seat: the store is
    /// unreachable and the emergency rollback does not wait for it. On disk when this returns.
    pub fn append_without_seat(
        &mut self,
        event: Event,
        runbook_hash: &str,
    ) -> Result<Record, JournalError> {
        let path = self
            .without_seat_path()
            .ok_or_else(|| store("no local copy to keep records without the store".into()))?;
        let pending = self.pending()?;
        let (seq, prev) = pending
            .last()
            .map_or((1, GENESIS.to_string()), |r| (r.seq + 1, r.hash.clone()));
        let mut record = Record {
            v: WITHOUT_SEAT_FORMAT,
            seq,
            time: utc_now(),
            operator: self.identity.operator.clone(),
            run: self.identity.run.clone(),
            runbook_hash: runbook_hash.to_string(),
            prev,
            event,
            without_seat: Some(WithoutSeat {
                key: format!("{}.{seq}", self.tag),
                uploaded: None,
            }),
            hash: String::new(),
        };
        let line = record.seal() + "\n";
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| {
                f.write_all(line.as_bytes())?;
                f.sync_data()
            })
            .map_err(|e| JournalError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
        Ok(record)
    }

    /// Uploads the records acted without the seat into the run's chain, in the order they were
    /// written, and drops the file they waited in. Returns them as the store now has them.
    pub fn upload_without_seat(&mut self) -> Result<Vec<Record>, JournalError> {
        let pending = self.pending()?;
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let mut outcome = None;
        let reached = self.db.with(super::ROUND_TRIP, async |c| {
            outcome = Some(upload_on(c, pending).await);
            Ok(())
        });
        let uploaded = match (reached, outcome) {
            (_, Some(result)) => result?,
            (Err(e), None) => return Err(store(e)),
            (Ok(()), None) => return Err(store("the upload did not run".into())),
        };
        for record in &uploaded {
            self.copy_locally(record);
        }
        if let Some(path) = self.without_seat_path()
            && let Err(e) = std::fs::remove_file(&path)
        {
            // Harmless: the next upload finds their keys in the store and skips them.
            tracing::warn!(path = %path.display(), "cannot remove the uploaded records: {e}");
        }
        self.uploaded
            .extend(uploaded.iter().map(|r| r.seq).collect::<Vec<_>>());
        Ok(uploaded)
    }
}

/// One transaction: lock the head, skip the records already there, chain the others onto it.
async fn upload_on(c: &mut Client, pending: Vec<Record>) -> Result<Vec<Record>, JournalError> {
    let db = |e: tokio_postgres::Error| store(why(&e));
    let Some(run) = pending.first().map(|r| r.run.clone()) else {
        return Ok(Vec::new());
    };
    let tx = c.transaction().await.map_err(db)?;
    let head = tx
        .query_opt(
            "SELECT head_seq, head_hash,
                    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
             FROM flightdeck_runs WHERE run_id = $1 FOR UPDATE",
            &[&run],
        )
        .await
        .map_err(db)?
        .ok_or_else(|| store(format!("no run {run} in the team store")))?;
    let (mut seq, mut prev, now): (i64, String, String) = (head.get(0), head.get(1), head.get(2));
    let mut uploaded = Vec::new();
    let mut ended = false;
    for mut record in pending {
        let Some(mut mark) = record.without_seat.take() else {
            continue;
        };
        let needle = format!("\"key\":\"{}\"", mark.key);
        let there = tx
            .query_opt(
                "SELECT 1 FROM flightdeck_records
                 WHERE run_id = $1 AND offline AND strpos(line, $2) > 0",
                &[&run, &needle],
            )
            .await
            .map_err(db)?;
        if there.is_some() {
            continue;
        }
        mark.uploaded = Some(now.clone());
        record.without_seat = Some(mark);
        record.seq = seq as u64 + 1;
        record.prev = prev;
        let line = record.seal();
        seq += 1;
        prev = record.hash.clone();
        ended |= matches!(record.event, Event::RunEnded { .. });
        tx.execute(
            "INSERT INTO flightdeck_records (run_id, seq, line, epoch, offline)
             VALUES ($1, $2, $3, NULL, true)",
            &[&run, &seq, &line],
        )
        .await
        .map_err(db)?;
        uploaded.push(record);
    }
    if uploaded.is_empty() {
        return Ok(uploaded);
    }
    tx.execute(
        "UPDATE flightdeck_runs SET head_seq = $2, head_hash = $3,
            last_activity = clock_timestamp(), ended = ended OR $4 WHERE run_id = $1",
        &[&run, &seq, &prev, &ended],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &format!("{run}:{seq}")],
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(uploaded)
}
