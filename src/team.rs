//! Team mode's background work for a cockpit: a follower that brings in the records other
//! cockpits append (LISTEN/NOTIFY, re-read from the last seq) and the seat's holder, and a
//! renewer that extends this cockpit's lease every third of it. Each runs on its own thread
//! with its own connection and sends owned messages into the cockpit's channel; each stops
//! when its handle is dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::app::Msg;
use crate::journal::follow::Position;
use crate::journal::pg::lease::Lease;
use crate::journal::pg::listen::{self, News};
use crate::journal::pg::seat::{self, TeamSeat};
use crate::journal::pg::{Db, Target};

/// Stops its thread when dropped.
pub struct Worker {
    stop: Arc<AtomicBool>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Follows `run` from `known`. Records arrive as [`Msg::TeamRecords`]; the seat, for the
/// header of a cockpit without it, as [`Msg::TeamSeat`]; a store that went away as a journal
/// alarm ([`Msg::StoreLost`]) until it is back.
pub fn follow(target: Target, run: String, known: Position, tx: Sender<Msg>) -> Worker {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        let send = |news: News| {
            let msg = match news {
                News::Records(records) => Msg::TeamRecords(records),
                News::Seat(TeamSeat::Expired { holder, epoch }) => Msg::TeamSeatExpired {
                    previous: holder,
                    epoch,
                },
                News::Seat(seat) => Msg::TeamSeat(match seat {
                    TeamSeat::Free { .. } => Some("seat free: restart to take it".into()),
                    other => Some(other.describe()),
                }),
                News::Unreachable(why) => Msg::StoreLost(why),
                News::Reachable => Msg::StoreBack,
                News::Alive => return true,
                News::Stopped(why) => Msg::FollowStopped(why),
            };
            tx.send(msg).is_ok()
        };
        rt.block_on(listen::follow(target, run, known, &stopped, send));
    });
    Worker { stop }
}

/// Renews the seat held under `lease` every third of it. A renewal that fails or is refused
/// loses the seat at once ([`Msg::SeatLost`]); one of the same epoch that works again
/// regains it ([`Msg::SeatBack`]); a seat taken by another cockpit is lost for good.
pub fn renew(target: Target, run: String, lease: Arc<Mutex<Lease>>, tx: Sender<Msg>) -> Worker {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::spawn(move || {
        let Ok(db) = Db::lazy(target) else {
            return;
        };
        loop {
            let (epoch, length, every) = {
                let l = lease.lock().unwrap_or_else(|p| p.into_inner());
                (l.epoch, l.length, l.renew_every())
            };
            std::thread::sleep(every);
            if stopped.load(Ordering::SeqCst) {
                return;
            }
            let sent = Instant::now();
            let outcome = seat::renew(&db, &run, epoch, length, every);
            // Replaced meanwhile (the seat taken again under a new epoch): this lease's news
            // would only confuse the cockpit.
            if stopped.load(Ordering::SeqCst) {
                return;
            }
            let mut l = lease.lock().unwrap_or_else(|p| p.into_inner());
            let msg = match outcome {
                Ok(true) if l.is_lost() => {
                    l.regained(sent);
                    Some(Msg::SeatBack)
                }
                Ok(true) => {
                    l.renewed(sent);
                    None
                }
                Ok(false) => {
                    let why = "the seat was taken over, or its lease ran out".to_string();
                    l.lose(why.clone());
                    drop(l);
                    let _ = tx.send(Msg::SeatLost(why));
                    return;
                }
                Err(e) => {
                    let why = format!("cannot renew the seat ({e})");
                    tracing::warn!("{why}");
                    let first = !l.is_lost();
                    l.lose(why.clone());
                    first.then_some(Msg::SeatLost(why))
                }
            };
            drop(l);
            if let Some(msg) = msg
                && tx.send(msg).is_err()
            {
                return;
            }
        }
    });
    Worker { stop }
}
