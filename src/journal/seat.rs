//! One actuating seat per run: a lock file beside the run's journal, held with std's
//! `File::try_lock` (an `flock` on Unix) so the kernel frees it when its process dies, and
//! naming its holder (pid, user@host, since when) so a second instance can say who has the seat.
//!
//! Outcomes of `claim`:
//! - `Claimed`: the seat is ours until the `Seat` is dropped.
//! - `Busy`: a live process holds it; open read-only and name the holder.
//! - `Abandoned`: the lock is free but names a holder on this host whose process is gone (it
//!   crashed or was killed): the seat may be taken, after a typed confirmation.
//! - `Foreign`: the lock names a holder on another host (a shared data directory), where we
//!   cannot tell whether it lives: read-only, like `Busy`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    /// `user@host`.
    pub operator: String,
    pub host: String,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

impl Holder {
    pub fn me(now: OffsetDateTime) -> Self {
        Holder {
            pid: std::process::id(),
            operator: super::operator(),
            host: super::host().to_string(),
            since: now,
        }
    }

    /// `ops@bastion pid 4242 since 22:05Z`: short enough for the header.
    pub fn describe(&self) -> String {
        let since = self.since.to_offset(time::UtcOffset::UTC);
        let host = if self.operator.ends_with(&format!("@{}", self.host)) {
            String::new()
        } else {
            format!(" on {}", self.host)
        };
        format!(
            "{}{host} pid {} since {:02}:{:02}Z",
            self.operator,
            self.pid,
            since.hour(),
            since.minute()
        )
    }
}

/// The seat, held while this value lives.
#[derive(Debug)]
pub struct Seat {
    file: File,
    path: PathBuf,
}

#[derive(Debug)]
pub enum Claim {
    Claimed(Seat),
    Busy(Holder),
    Foreign(Holder),
    /// The previous holder died; `take` it only after the operator confirms.
    Abandoned(Abandoned),
}

/// A free lock whose file still names a dead holder. We hold the flock meanwhile, so nobody
/// else can take the seat while the operator decides.
#[derive(Debug)]
pub struct Abandoned {
    pub previous: Holder,
    file: File,
    path: PathBuf,
}

impl Abandoned {
    /// Takes the seat over: writes us as the holder.
    pub fn take(mut self, me: &Holder) -> std::io::Result<Seat> {
        write_holder(&mut self.file, me)?;
        Ok(Seat {
            file: self.file,
            path: self.path,
        })
    }
}

pub fn lock_path(journal: &Path) -> PathBuf {
    journal.with_extension("lock")
}

/// Tries to claim the seat of the run whose journal is at `journal`.
pub fn claim(journal: &Path, me: &Holder) -> std::io::Result<Claim> {
    let path = lock_path(journal);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)?;
    // std's lock is `flock(LOCK_EX | LOCK_NB)` on Unix. Any failure to take it, not only another
    // holder, reads as busy: a cockpit that cannot be sure of the seat must not act.
    let locked = file.try_lock().is_ok();
    let previous = read_holder(&mut file);
    if !locked {
        let holder = previous.unwrap_or(Holder {
            pid: 0,
            operator: "another process".into(),
            host: me.host.clone(),
            since: me.since,
        });
        return Ok(Claim::Busy(holder));
    }
    match previous {
        Some(p) if p.host != me.host => Ok(Claim::Foreign(p)),
        // The lock was free, yet the file names someone: a clean release empties the file, so
        // they died holding it (the kernel dropped their flock). Whether their last action
        // finished only the operator can judge.
        Some(p) if p.pid != me.pid => Ok(Claim::Abandoned(Abandoned {
            previous: p,
            file,
            path,
        })),
        _ => {
            write_holder(&mut file, me)?;
            Ok(Claim::Claimed(Seat { file, path }))
        }
    }
}

/// The seat as an observer sees it, without touching the lock (an observer must never hold
/// it, even for an instant, or a cockpit starting then would open read-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatView {
    /// A live process on this host holds it.
    Held(Holder),
    /// Held from another host (a shared data directory): whether it lives cannot be told here.
    Foreign(Holder),
    /// Its holder's process is gone without releasing it (killed, crashed).
    Died(Holder),
    /// Released cleanly: nobody holds it.
    Free,
}

impl SeatView {
    /// For the header of an observer.
    pub fn describe(&self) -> String {
        match self {
            SeatView::Held(h) => format!("seat held by {}", h.describe()),
            SeatView::Foreign(h) => format!("seat held by {}", h.describe()),
            SeatView::Died(h) => format!("holder died (pid {}): restart to take over", h.pid),
            SeatView::Free => "seat released: restart to take it".into(),
        }
    }
}

/// Reads who holds the seat of the run at `journal`: the holder named in the lock file, and
/// whether that process still lives. A clean release empties the file; a holder killed leaves
/// its name behind.
pub fn observe(journal: &Path, host: &str) -> SeatView {
    let holder = std::fs::read_to_string(lock_path(journal))
        .ok()
        .and_then(|text| serde_json::from_str::<Holder>(text.trim()).ok());
    match holder {
        None => SeatView::Free,
        Some(h) if h.host != host => SeatView::Foreign(h),
        Some(h) if alive(h.pid) => SeatView::Held(h),
        Some(h) => SeatView::Died(h),
    }
}

/// Whether a live process holds the seat of the run at `journal` (or one on another host, whose
/// liveness cannot be told): then the run is being written by someone else.
pub fn held_by_the_living(journal: &Path) -> bool {
    let host = super::host();
    matches!(
        observe(journal, host),
        SeatView::Held(_) | SeatView::Foreign(_)
    )
}

/// Whether process `pid` exists and is not a zombie (a killed holder whose parent has not
/// reaped it yet is dead for our purpose).
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let exists = unsafe { libc::kill(pid, 0) } == 0
        || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        // The state follows the command name, which is in parentheses and may hold spaces.
        .and_then(|stat| Some(stat[stat.rfind(')')? + 1..].trim_start().starts_with('Z')))
        .unwrap_or(false);
    exists && !zombie
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// Not synced to disk: the flock holds the seat, these words only name the holder, and a crash
/// of the host that could lose them frees the flock as well. A new run's first frame waits for
/// this write (issue 13), and on a slow volume a sync is milliseconds.
fn write_holder(file: &mut File, holder: &Holder) -> std::io::Result<()> {
    let text = serde_json::to_string(holder).map_err(std::io::Error::other)?;
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

impl Drop for Seat {
    /// A clean release empties the file (so the next claim is not mistaken for a takeover);
    /// the flock goes with the descriptor.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.sync_data();
        tracing::debug!(path = %self.path.display(), "seat released");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: u32, host: &str) -> Holder {
        Holder {
            pid,
            operator: format!("op{pid}@{host}"),
            host: host.into(),
            since: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn claimed_then_busy_then_released() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("run.jsonl");
        let me = Holder::me(OffsetDateTime::UNIX_EPOCH);
        let Claim::Claimed(seat) = claim(&journal, &me).unwrap() else {
            panic!("a free seat is claimed");
        };
        // flock is per open file description, so a second open in this process conflicts like
        // a second process would.
        match claim(&journal, &holder(1, &me.host)).unwrap() {
            Claim::Busy(h) => assert_eq!(h, me, "the holder is named"),
            other => panic!("expected busy, got {other:?}"),
        }
        drop(seat);
        assert!(matches!(
            claim(&journal, &holder(2, &me.host)).unwrap(),
            Claim::Claimed(_)
        ));
    }

    #[test]
    fn a_dead_holder_on_this_host_is_abandoned_and_can_be_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("run.jsonl");
        let me = Holder::me(OffsetDateTime::UNIX_EPOCH);
        // A holder that died: its name is in the file, its flock is gone.
        let dead = holder(999_999, &me.host);
        std::fs::write(lock_path(&journal), serde_json::to_string(&dead).unwrap()).unwrap();
        let Claim::Abandoned(abandoned) = claim(&journal, &me).unwrap() else {
            panic!("expected abandoned");
        };
        assert_eq!(abandoned.previous, dead);
        let seat = abandoned.take(&me).unwrap();
        match claim(&journal, &holder(3, &me.host)).unwrap() {
            Claim::Busy(h) => assert_eq!(h.pid, me.pid),
            other => panic!("expected busy after the takeover, got {other:?}"),
        }
        drop(seat);
    }

    #[test]
    fn an_observer_tells_held_released_died_and_foreign_apart_without_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("run.jsonl");
        let me = Holder::me(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            observe(&journal, &me.host),
            SeatView::Free,
            "no lock file yet"
        );
        let Claim::Claimed(seat) = claim(&journal, &me).unwrap() else {
            panic!("a free seat is claimed");
        };
        assert_eq!(observe(&journal, &me.host), SeatView::Held(me.clone()));
        assert!(
            matches!(
                claim(&journal, &holder(7, &me.host)).unwrap(),
                Claim::Busy(_)
            ),
            "observing did not take or drop the lock"
        );
        drop(seat);
        assert_eq!(observe(&journal, &me.host), SeatView::Free);
        // Beyond any pid the kernel hands out: a holder that is gone.
        let dead = holder(i32::MAX as u32, &me.host);
        std::fs::write(lock_path(&journal), serde_json::to_string(&dead).unwrap()).unwrap();
        assert_eq!(observe(&journal, &me.host), SeatView::Died(dead));
        let other = holder(42, "another-bastion");
        std::fs::write(lock_path(&journal), serde_json::to_string(&other).unwrap()).unwrap();
        assert_eq!(observe(&journal, &me.host), SeatView::Foreign(other));
    }

    #[test]
    fn a_holder_on_another_host_is_foreign() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("run.jsonl");
        let me = Holder::me(OffsetDateTime::UNIX_EPOCH);
        let other = holder(42, "another-bastion");
        std::fs::write(lock_path(&journal), serde_json::to_string(&other).unwrap()).unwrap();
        match claim(&journal, &me).unwrap() {
            Claim::Foreign(h) => assert_eq!(h, other),
            c => panic!("expected foreign, got {c:?}"),
        }
    }
}
