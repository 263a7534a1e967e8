//! A run's journal in the team store: the same records, format and hash chain as the file
//! journal, one row per record keyed `(run_id, seq)`. Appends from any number of cockpits
//! serialize on a lock of the run's row, which holds the chain's head: each append reads the
//! head, chains to it and moves it, in one transaction. An action is appended only under the
//! seat's current epoch, checked in that same transaction (fencing); notes and sign-offs by
//! anyone. Every append rings the doorbell (`NOTIFY flightdeck, 'run:seq'`).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio_postgres::Client;

use super::connect::{ROUND_TRIP, why};
use super::db::Db;
use super::lease::Lease;
use crate::journal::record::{FORMAT, GENESIS, Record, verify_text};
use crate::journal::{Event, Identity, Journal, JournalError};

mod without_seat;

/// The channel the doorbell rings on; the payload is `run_id:seq`.
pub const CHANNEL: &str = "flightdeck";

/// What a run's row says about it when it is created.
pub struct NewRun<'a> {
    pub runbook_key: &'a str,
    pub runbook_name: &'a str,
    pub mode: &'a str,
}

pub struct PgJournal {
    db: Db,
    identity: Identity,
    /// The seat, while this cockpit holds it (shared with the thread that renews it).
    lease: Option<Arc<Mutex<Lease>>>,
    /// Every record this cockpit wrote, as written, in a private local file: the store may be
    /// lost with the network, the records this operator made may not.
    local: Option<std::path::PathBuf>,
    /// This cockpit's mark on the keys of records it acts without the seat (`pid.nanos`).
    tag: String,
    /// Seqs of records acted without the seat that an append uploaded first, for the cockpit
    /// to know them when its follower brings them back ([`PgJournal::take_uploaded`]).
    uploaded: Vec<u64>,
}

/// `pid.nanos`: unique to this cockpit process, for the keys of its records without the seat.
fn process_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}.{nanos}", std::process::id())
}

/// Whether only the seat may append this event. Notes and sign-offs are anyone's, under
/// their own name; the end of a cockpit session says nothing about the run.
pub fn needs_seat(event: &Event) -> bool {
    !matches!(
        event,
        Event::NoteAdded { .. } | Event::SignedOff { .. } | Event::SessionEnded { .. }
    )
}

impl PgJournal {
    /// The journal of run `identity.run`, which exists in the store.
    pub fn open(db: Db, identity: Identity) -> Result<PgJournal, JournalError> {
        let run = identity.run.clone();
        let exists = db
            .with(ROUND_TRIP, async |c| {
                let row = c
                    .query_opt("SELECT 1 FROM flightdeck_runs WHERE run_id = $1", &[&run])
                    .await
                    .map_err(|e| why(&e))?;
                Ok(row.is_some())
            })
            .map_err(store)?;
        if !exists {
            return Err(store(format!("no run {run} in the team store")));
        }
        Ok(PgJournal {
            db,
            identity,
            lease: None,
            local: None,
            tag: process_tag(),
            uploaded: Vec::new(),
        })
    }

    /// Creates a run's row with its seat claimed by `me`, epoch 1.
    pub fn create(
        db: Db,
        identity: Identity,
        run: &NewRun,
        me: &super::seat::TeamHolder,
        length: std::time::Duration,
    ) -> Result<PgJournal, JournalError> {
        let sent = Instant::now();
        let id = identity.run.clone();
        let ms = length.as_secs_f64() * 1000.0;
        db.with(ROUND_TRIP, async |c| {
            c.execute(
                "INSERT INTO flightdeck_runs (run_id, runbook, runbook_name, mode, head_hash,
                    seat_operator, seat_pid, seat_epoch, seat_expires)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1,
                    clock_timestamp() + $8 * interval '1 millisecond')",
                &[
                    &id,
                    &run.runbook_key,
                    &run.runbook_name,
                    &run.mode,
                    &GENESIS,
                    &me.operator,
                    &me.pid,
                    &ms,
                ],
            )
            .await
            .map_err(|e| why(&e))?;
            Ok(())
        })
        .map_err(store)?;
        Ok(PgJournal {
            db,
            identity,
            lease: Some(Arc::new(Mutex::new(Lease::granted(1, length, sent)))),
            local: None,
            tag: process_tag(),
            uploaded: Vec::new(),
        })
    }

    /// Keeps a copy of every record this cockpit appends in `dir/<run>.jsonl` (mode 0600).
    pub fn keep_local_copy(&mut self, dir: &std::path::Path) {
        self.local = Some(dir.join(format!("{}.jsonl", self.identity.run)));
    }

    /// Appends one line to the local copy, fsync'd; a failure is logged, never fatal (the
    /// record is in the store).
    fn copy_locally(&self, record: &Record) {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let Some(path) = &self.local else {
            return;
        };
        let mut sealed = record.clone();
        let line = sealed.seal() + "\n";
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .and_then(|mut f| {
                f.write_all(line.as_bytes())?;
                f.sync_data()
            });
        if let Err(e) = written {
            tracing::warn!(path = %path.display(), "local copy of a team record failed: {e}");
        }
    }

    /// The local copy's path (set by `keep_local_copy`; a bare file name before).
    pub fn local_path(&self) -> &std::path::Path {
        self.local
            .as_deref()
            .unwrap_or(std::path::Path::new("team-run.jsonl"))
    }

    /// The seqs of records acted without the seat uploaded since the last call.
    pub fn take_uploaded(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.uploaded)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// From now on actions are appended under this lease (shared with its renewer).
    pub fn hold(&mut self, lease: Arc<Mutex<Lease>>) {
        self.lease = Some(lease);
    }

    pub fn lease(&self) -> Option<&Arc<Mutex<Lease>>> {
        self.lease.as_ref()
    }

    /// The run's records after `seq`, as their lines: what a follower reads on each doorbell.
    pub fn lines_after(&self, seq: i64) -> Result<Vec<String>, JournalError> {
        let run = self.identity.run.clone();
        self.db
            .with(ROUND_TRIP, async |c| lines_after(c, &run, seq).await)
            .map_err(store)
    }

    /// The whole journal as the file journal would hold it: one line per record, each ending
    /// in a newline. `journal verify`, `report` and `export` read this.
    pub fn text(&self) -> Result<String, JournalError> {
        let lines = self.lines_after(0)?;
        Ok(lines.into_iter().map(|l| l + "\n").collect())
    }

    /// The epoch actions go under now, or why none may start.
    fn fence(&self) -> Result<i64, JournalError> {
        let Some(lease) = &self.lease else {
            return Err(JournalError::Fenced(
                "this cockpit does not hold the seat".into(),
            ));
        };
        let lease = lease.lock().unwrap_or_else(|p| p.into_inner());
        lease.may_act(Instant::now()).map_err(JournalError::Fenced)
    }
}

pub async fn lines_after(c: &Client, run: &str, seq: i64) -> Result<Vec<String>, String> {
    let rows = c
        .query(
            "SELECT line FROM flightdeck_records WHERE run_id = $1 AND seq > $2 ORDER BY seq",
            &[&run, &seq],
        )
        .await
        .map_err(|e| why(&e))?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

/// The whole journal of `run` as text (a newline after each line), `None` if there is no such
/// run: what `journal verify`, `report` and `journal export` read.
pub fn text_of(db: &Db, run: &str) -> Result<Option<String>, String> {
    if super::runs::find(db, run)?.is_none() {
        return Ok(None);
    }
    let lines = db.with(ROUND_TRIP, async |c| lines_after(c, run, 0).await)?;
    Ok(Some(lines.into_iter().map(|l| l + "\n").collect()))
}

fn store(message: String) -> JournalError {
    JournalError::Store(message)
}

/// One append, in one transaction: lock the head, check the fence, chain, insert, move the
/// head, ring. `fence` is the epoch an action must be appended under.
async fn append_on(
    c: &mut Client,
    mut record: Record,
    fence: Option<i64>,
) -> Result<Record, JournalError> {
    let db = |e: tokio_postgres::Error| store(why(&e));
    let tx = c.transaction().await.map_err(db)?;
    let head = tx
        .query_opt(
            "SELECT head_seq, head_hash, seat_epoch,
                    coalesce(seat_expires > clock_timestamp(), false),
                    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
             FROM flightdeck_runs WHERE run_id = $1 FOR UPDATE",
            &[&record.run],
        )
        .await
        .map_err(db)?
        .ok_or_else(|| store(format!("no run {} in the team store", record.run)))?;
    let (seq, prev, epoch, live): (i64, String, i64, bool) =
        (head.get(0), head.get(1), head.get(2), head.get(3));
    if let Some(mine) = fence
        && (epoch != mine || !live)
    {
        return Err(JournalError::Fenced(if epoch != mine {
            format!("the seat was taken over (epoch {epoch}, this cockpit held {mine})")
        } else {
            "the seat's lease expired".into()
        }));
    }
    record.seq = seq as u64 + 1;
    record.prev = prev;
    // The server's clock: one clock for every writer of the run, whatever the bastions say.
    record.time = head.get(4);
    let line = record.seal();
    let ended = matches!(record.event, Event::RunEnded { .. });
    let next = record.seq as i64;
    tx.execute(
        "INSERT INTO flightdeck_records (run_id, seq, line, epoch) VALUES ($1, $2, $3, $4)",
        &[&record.run, &next, &line, &fence],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "UPDATE flightdeck_runs SET head_seq = $2, head_hash = $3, last_activity = clock_timestamp(),
            ended = ended OR $4 WHERE run_id = $1",
        &[&record.run, &next, &record.hash, &ended],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &format!("{}:{next}", record.run)],
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(record)
}

impl Journal for PgJournal {
    fn append(&mut self, event: Event, runbook_hash: &str) -> Result<Record, JournalError> {
        // Records acted without the seat go first: the chain keeps the order things were done.
        if self.has_pending() {
            self.upload_without_seat()?;
        }
        let fence = if needs_seat(&event) {
            Some(self.fence()?)
        } else {
            None
        };
        let record = Record {
            v: FORMAT,
            seq: 0,
            time: String::new(),
            operator: self.identity.operator.clone(),
            run: self.identity.run.clone(),
            runbook_hash: runbook_hash.to_string(),
            prev: String::new(),
            event,
            without_seat: None,
            hash: String::new(),
        };
        let mut outcome = None;
        let reached = self.db.with(ROUND_TRIP, async |c| {
            outcome = Some(append_on(c, record, fence).await);
            Ok(())
        });
        match (reached, outcome) {
            (_, Some(result)) => {
                if let Ok(record) = &result {
                    self.copy_locally(record);
                }
                result
            }
            (Err(e), None) => Err(store(e)),
            (Ok(()), None) => Err(store("the append did not run".into())),
        }
    }

    fn read(&self) -> Result<Vec<Record>, JournalError> {
        let text = self.text()?;
        verify_text(&text).map_err(|bad| JournalError::Damaged {
            path: format!("{} run {}", self.db.target().redacted(), self.identity.run),
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

impl Drop for PgJournal {
    /// A cockpit that quits lets its seat go cleanly, so the next one claims it without the
    /// typed word; one killed leaves it to expire.
    fn drop(&mut self) {
        let Some(lease) = &self.lease else {
            return;
        };
        let (epoch, lost) = {
            let l = lease.lock().unwrap_or_else(|p| p.into_inner());
            (l.epoch, l.is_lost())
        };
        if !lost && let Err(e) = super::seat::release(&self.db, &self.identity.run, epoch) {
            tracing::warn!("could not release the team seat: {e}");
        }
    }
}
