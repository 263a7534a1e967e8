//! An observer's eyes on a run another session drives: one thread that looks at the journal
//! every 250 ms and at the seat every second, and sends what changed into the cockpit's channel
//! as owned messages. It stops when the cockpit drops its handle or stops listening, and for
//! good when the journal no longer continues what it saw.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::app::Msg;
use crate::journal::follow::{Follower, Position};
use crate::journal::seat::{self, SeatView};

/// Within the 2 s an observer may lag, with room for a loaded machine.
const JOURNAL_EVERY: Duration = Duration::from_millis(250);
/// The seat is looked at every this many journal looks (1 s).
const SEAT_EVERY: u32 = 4;

/// Following stops when this is dropped (the session took the seat, or a new run began).
pub struct Observer {
    stop: Arc<AtomicBool>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Follows the journal at `path` from `known` (what the session replayed when it opened).
pub fn spawn(path: PathBuf, known: Position, tx: Sender<Msg>) -> Observer {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::spawn(move || {
        let host = crate::journal::host();
        let mut follower = Some(Follower::new(&path, known));
        let mut seat: Option<SeatView> = None;
        for look in 0u32.. {
            if stopped.load(Ordering::SeqCst) {
                return;
            }
            if let Some(f) = &mut follower {
                let msg = match f.poll() {
                    Ok(records) if records.is_empty() => None,
                    Ok(records) => Some(Msg::Journal(records)),
                    Err(why) => {
                        tracing::error!(journal = %path.display(), "stopped following: {why}");
                        follower = None;
                        Some(Msg::FollowStopped(why))
                    }
                };
                if let Some(msg) = msg
                    && tx.send(msg).is_err()
                {
                    return;
                }
            }
            if look % SEAT_EVERY == 0 {
                let now = seat::observe(&path, host);
                if seat.as_ref() != Some(&now) {
                    seat = Some(now.clone());
                    if tx.send(Msg::Seat(now)).is_err() {
                        return;
                    }
                }
            }
            std::thread::sleep(JOURNAL_EVERY);
        }
    });
    Observer { stop }
}
