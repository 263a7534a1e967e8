//! The runs in the team store: which to resume, which to report, and the list `flightdeck
//! runs` prints.

use super::connect::{ROUND_TRIP, why};
use super::db::Db;
use super::seat::{TeamHolder, TeamSeat};

/// One run as `flightdeck runs` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRun {
    pub run_id: String,
    pub runbook: String,
    pub runbook_name: String,
    pub mode: String,
    pub ended: bool,
    pub records: i64,
    /// `YYYY-MM-DDTHH:MM:SSZ` by the server's clock.
    pub last_activity: String,
    pub seat: TeamSeat,
}

const COLUMNS: &str = "run_id, runbook, runbook_name, mode, ended, head_seq,
    to_char(last_activity AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
    seat_operator, seat_pid, seat_epoch, coalesce(seat_expires > clock_timestamp(), false)";

fn from_row(r: &tokio_postgres::Row) -> TeamRun {
    let epoch: i64 = r.get(9);
    let operator: Option<String> = r.get(7);
    let seat = match operator {
        None => TeamSeat::Free { epoch },
        Some(operator) => {
            let holder = TeamHolder {
                operator,
                pid: r.get::<_, Option<i32>>(8).unwrap_or(0),
            };
            if r.get::<_, bool>(10) {
                TeamSeat::Held { holder, epoch }
            } else {
                TeamSeat::Expired { holder, epoch }
            }
        }
    };
    TeamRun {
        run_id: r.get(0),
        runbook: r.get(1),
        runbook_name: r.get(2),
        mode: r.get(3),
        ended: r.get(4),
        records: r.get(5),
        last_activity: r.get(6),
        seat,
    }
}

/// Every run, newest first; of one runbook (its canonical path) when given.
pub fn list(db: &Db, runbook: Option<&str>) -> Result<Vec<TeamRun>, String> {
    db.with(ROUND_TRIP, async |c| {
        let rows = c
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM flightdeck_runs
                     WHERE $1::text IS NULL OR runbook = $1 ORDER BY started DESC, run_id DESC"
                ),
                &[&runbook],
            )
            .await
            .map_err(|e| why(&e))?;
        Ok(rows.iter().map(from_row).collect())
    })
}

/// The run a session of `mode` resumes: the newest run of this runbook in this mode, unless it
/// was ended (then a fresh one starts), as with the file journal.
pub fn open_run_for(db: &Db, runbook: &str, mode: &str) -> Result<Option<String>, String> {
    Ok(list(db, Some(runbook))?
        .into_iter()
        .find(|r| r.mode == mode)
        .filter(|r| !r.ended)
        .map(|r| r.run_id))
}

/// A run by id, if the store has it.
pub fn find(db: &Db, run_id: &str) -> Result<Option<TeamRun>, String> {
    db.with(ROUND_TRIP, async |c| {
        let row = c
            .query_opt(
                &format!("SELECT {COLUMNS} FROM flightdeck_runs WHERE run_id = $1"),
                &[&run_id],
            )
            .await
            .map_err(|e| why(&e))?;
        Ok(row.as_ref().map(from_row))
    })
}

/// Whether a run of this id exists: new run ids take a `-2`, `-3`… like files do.
pub fn free_run_id(db: &Db, id: &str) -> Result<String, String> {
    for n in 1..1000 {
        let candidate = match n {
            1 => id.to_string(),
            n => format!("{id}-{n}"),
        };
        if find(db, &candidate)?.is_none() {
            return Ok(candidate);
        }
    }
    Err(format!("no free run id for {id}"))
}
