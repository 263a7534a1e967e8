//! Following a team run: `LISTEN` on the doorbell channel, and on every ring (and after every
//! reconnect, and once a second in case a ring was lost) re-read the run's records after the
//! last one seen, each checked against the hash chain. Nothing is missed: the doorbell only
//! says when to look, the records say what happened.

use std::time::Duration;

use tokio_postgres::AsyncMessage;

use super::connect::{ROUND_TRIP, Target, why};
use super::journal::{CHANNEL, lines_after};
use super::seat::{TeamSeat, view_on};
use crate::journal::Record;
use crate::journal::follow::Position;
use crate::journal::record::check_line;

/// What a follower tells its cockpit.
#[derive(Debug)]
pub enum News {
    Records(Vec<Record>),
    Seat(TeamSeat),
    /// The store cannot be reached; the follower keeps trying.
    Unreachable(String),
    Reachable,
    /// Nothing new; lets the follower learn that its cockpit is gone.
    Alive,
    /// The records no longer continue the chain seen: following stops for good.
    Stopped(String),
}

/// Without a ring, the follower still looks this often (a ring lost with a connection).
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Follows `run` from `known` until `send` returns false (the cockpit is gone).
pub async fn follow(
    target: Target,
    run: String,
    mut known: Position,
    stop: &std::sync::atomic::AtomicBool,
    send: impl Fn(News) -> bool,
) {
    let send = |news| !stop.load(std::sync::atomic::Ordering::SeqCst) && send(news);
    let mut reachable = true;
    loop {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        match session(&target, &run, &mut known, &mut reachable, &send).await {
            Ok(()) => return,
            Err(Fatal(why)) => {
                send(News::Stopped(why));
                return;
            }
            Err(Lost(why)) => {
                if reachable && !send(News::Unreachable(why)) {
                    return;
                }
                reachable = false;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

enum Failure {
    Fatal(String),
    Lost(String),
}
use Failure::{Fatal, Lost};

/// One connection's life: listen, catch up, then look on every ring or second.
async fn session(
    target: &Target,
    run: &str,
    known: &mut Position,
    reachable: &mut bool,
    send: &impl Fn(News) -> bool,
) -> Result<(), Failure> {
    let (client, mut connection) = target.connect().await.map_err(Lost)?;
    let (ring, mut rings) = tokio::sync::mpsc::unbounded_channel::<String>();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if ring.send(n.payload().to_string()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("team store follower connection: {e}");
                    return;
                }
            }
        }
    });
    let result = async {
        let bounded = |what: &'static str| {
            move |_| {
                Lost(format!(
                    "{what}: no answer in {} ms",
                    ROUND_TRIP.as_millis()
                ))
            }
        };
        tokio::time::timeout(
            ROUND_TRIP,
            client.batch_execute(&format!("LISTEN {CHANNEL}")),
        )
        .await
        .map_err(bounded("listen"))?
        .map_err(|e| Lost(why(&e)))?;
        if !*reachable {
            *reachable = true;
            if !send(News::Reachable) {
                return Ok(());
            }
        }
        let mut last_seat = None;
        loop {
            let lines =
                tokio::time::timeout(ROUND_TRIP, lines_after(&client, run, known.seq as i64))
                    .await
                    .map_err(bounded("read"))?
                    .map_err(Lost)?;
            let records = check(lines, known).map_err(Fatal)?;
            if !records.is_empty() && !send(News::Records(records)) {
                return Ok(());
            }
            let seat = tokio::time::timeout(ROUND_TRIP, view_on(&client, run))
                .await
                .map_err(bounded("seat"))?
                .map_err(Lost)?;
            if last_seat.as_ref() != Some(&seat) {
                last_seat = Some(seat.clone());
                if !send(News::Seat(seat)) {
                    return Ok(());
                }
            }
            if client.is_closed() {
                return Err(Lost("the connection closed".into()));
            }
            // Wait for a ring of this run (others' runs ring too), or a second.
            let deadline = tokio::time::Instant::now() + LOOK_EVERY;
            loop {
                match tokio::time::timeout_at(deadline, rings.recv()).await {
                    Ok(Some(payload))
                        if payload.rsplit_once(':').is_some_and(|(r, _)| r == run) =>
                    {
                        break;
                    }
                    Ok(Some(_)) => continue,
                    Ok(None) => return Err(Lost("the connection closed".into())),
                    Err(_) => break,
                }
            }
            if !send(News::Alive) {
                return Ok(());
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// Checks new lines against the chain from `known`, moving it on.
fn check(lines: Vec<String>, known: &mut Position) -> Result<Vec<Record>, String> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let seq = known.seq + 1;
        let record = check_line(&line, seq, &known.hash)
            .map_err(|reason| format!("record {seq}: {reason}"))?;
        *known = Position {
            seq: record.seq,
            hash: record.hash.clone(),
        };
        out.push(record);
    }
    Ok(out)
}
