//! The seat of a team run: a lease in the run's row, never a session advisory lock (a
//! partitioned holder would keep one for hours under default TCP keepalives, and a pooler
//! breaks it). The row holds the holder (user@host and pid), an epoch that grows with every
//! claim, and an expiry by the server's clock. Whoever takes the seat bumps the epoch, so a
//! holder that lost it cannot append an action even before it knows (see `PgJournal::append`).

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::connect::{ROUND_TRIP, why};
use super::db::Db;
use super::lease::Lease;

/// Who holds, or last held, a team run's seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamHolder {
    pub operator: String,
    pub pid: i32,
}

impl TeamHolder {
    pub fn me() -> TeamHolder {
        TeamHolder {
            operator: crate::journal::operator(),
            pid: i32::try_from(std::process::id()).unwrap_or(i32::MAX),
        }
    }

    pub fn describe(&self) -> String {
        format!("{} pid {}", self.operator, self.pid)
    }
}

/// The seat as the store has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamSeat {
    /// Held, its lease running.
    Held { holder: TeamHolder, epoch: i64 },
    /// Its holder stopped renewing (killed, partitioned): may be taken over with the word.
    Expired { holder: TeamHolder, epoch: i64 },
    /// Released cleanly.
    Free { epoch: i64 },
}

impl TeamSeat {
    pub fn describe(&self) -> String {
        match self {
            TeamSeat::Held { holder, .. } => format!("seat held by {}", holder.describe()),
            TeamSeat::Expired { holder, .. } => {
                format!("seat lease of {} expired", holder.describe())
            }
            TeamSeat::Free { .. } => "seat free".into(),
        }
    }
}

/// The outcome of asking for the seat.
#[derive(Debug)]
pub enum TeamClaim {
    Claimed(Lease),
    Busy(TeamHolder),
    /// The lease ran out; [`take_over`] it once the operator typed the word.
    Expired {
        previous: TeamHolder,
        epoch: i64,
    },
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Claims a free seat (released, or never held).
pub fn claim(db: &Db, run: &str, me: &TeamHolder, length: Duration) -> Result<TeamClaim, String> {
    let sent = Instant::now();
    let claimed = db.with(ROUND_TRIP, async |c| {
        let row = c
            .query_opt(
                "UPDATE flightdeck_runs SET seat_operator = $2, seat_pid = $3,
                    seat_epoch = seat_epoch + 1,
                    seat_expires = clock_timestamp() + $4 * interval '1 millisecond'
                 WHERE run_id = $1 AND seat_operator IS NULL RETURNING seat_epoch",
                &[&run, &me.operator, &me.pid, &millis(length)],
            )
            .await
            .map_err(|e| why(&e))?;
        Ok(row.map(|r| r.get::<_, i64>(0)))
    })?;
    if let Some(epoch) = claimed {
        return Ok(TeamClaim::Claimed(Lease::granted(epoch, length, sent)));
    }
    match view(db, run)? {
        TeamSeat::Held { holder, .. } => Ok(TeamClaim::Busy(holder)),
        TeamSeat::Expired { holder, epoch } => Ok(TeamClaim::Expired {
            previous: holder,
            epoch,
        }),
        // Released between the two statements: ask again.
        TeamSeat::Free { .. } => claim(db, run, me, length),
    }
}

/// Takes over an expired seat, only if nobody renewed or took it since it was seen at `epoch`.
pub fn take_over(
    db: &Db,
    run: &str,
    me: &TeamHolder,
    epoch: i64,
    length: Duration,
) -> Result<Lease, String> {
    let sent = Instant::now();
    let taken = db.with(ROUND_TRIP, async |c| {
        let row = c
            .query_opt(
                "UPDATE flightdeck_runs SET seat_operator = $2, seat_pid = $3,
                    seat_epoch = seat_epoch + 1,
                    seat_expires = clock_timestamp() + $5 * interval '1 millisecond'
                 WHERE run_id = $1 AND seat_epoch = $4
                   AND (seat_expires IS NULL OR seat_expires <= clock_timestamp())
                 RETURNING seat_epoch",
                &[&run, &me.operator, &me.pid, &epoch, &millis(length)],
            )
            .await
            .map_err(|e| why(&e))?;
        Ok(row.map(|r| r.get::<_, i64>(0)))
    })?;
    match taken {
        Some(epoch) => Ok(Lease::granted(epoch, length, sent)),
        None => Err(format!(
            "the seat changed since its lease was seen expired: {}",
            view(db, run)?.describe()
        )),
    }
}

/// Extends the lease of `epoch`; `Ok(false)` when the seat is no longer ours.
pub fn renew(
    db: &Db,
    run: &str,
    epoch: i64,
    length: Duration,
    limit: Duration,
) -> Result<bool, String> {
    db.with(limit, async |c| {
        let n = c
            .execute(
                "UPDATE flightdeck_runs
                 SET seat_expires = clock_timestamp() + $3 * interval '1 millisecond'
                 WHERE run_id = $1 AND seat_epoch = $2 AND seat_expires > clock_timestamp()",
                &[&run, &epoch, &millis(length)],
            )
            .await
            .map_err(|e| why(&e))?;
        Ok(n == 1)
    })
}

/// Lets the seat go cleanly, if it is still ours.
pub fn release(db: &Db, run: &str, epoch: i64) -> Result<(), String> {
    db.with(ROUND_TRIP, async |c| {
        c.execute(
            "UPDATE flightdeck_runs SET seat_operator = NULL, seat_pid = NULL, seat_expires = NULL
             WHERE run_id = $1 AND seat_epoch = $2",
            &[&run, &epoch],
        )
        .await
        .map_err(|e| why(&e))?;
        Ok(())
    })
}

/// The seat of `run` as the store has it, judged by the server's clock.
pub fn view(db: &Db, run: &str) -> Result<TeamSeat, String> {
    db.with(ROUND_TRIP, async |c| view_on(c, run).await)
}

pub async fn view_on(c: &Client, run: &str) -> Result<TeamSeat, String> {
    let row = c
        .query_opt(
            "SELECT seat_operator, seat_pid, seat_epoch,
                    coalesce(seat_expires > clock_timestamp(), false)
             FROM flightdeck_runs WHERE run_id = $1",
            &[&run],
        )
        .await
        .map_err(|e| why(&e))?
        .ok_or_else(|| format!("no run {run} in the team store"))?;
    let epoch: i64 = row.get(2);
    let operator: Option<String> = row.get(0);
    let Some(operator) = operator else {
        return Ok(TeamSeat::Free { epoch });
    };
    let holder = TeamHolder {
        operator,
        pid: row.get::<_, Option<i32>>(1).unwrap_or(0),
    };
    Ok(if row.get::<_, bool>(3) {
        TeamSeat::Held { holder, epoch }
    } else {
        TeamSeat::Expired { holder, epoch }
    })
}
