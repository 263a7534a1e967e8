//! The seat as its holder sees it: an epoch and how long it may still act on it, by its own
//! monotonic clock. Pure logic, no I/O.
//!
//! The server grants the lease until `server now + length`. The holder counts from when it
//! *sent* the claim or renewal (which is before the server's now), and stops acting a third of
//! the lease before even that: so it stops before the server could let anyone take the seat,
//! whatever the clocks of the bastions say and however long the answer took to come back. A
//! renewal that fails stops it at once.

use std::time::{Duration, Instant};

/// The lease the seat is granted for unless configured otherwise.
pub const DEFAULT_LENGTH: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct Lease {
    pub epoch: i64,
    pub length: Duration,
    /// When the last claim or renewal that succeeded was sent.
    sent: Instant,
    /// Why this holder may no longer act, once it may not.
    lost: Option<String>,
}

impl Lease {
    pub fn granted(epoch: i64, length: Duration, sent: Instant) -> Lease {
        Lease {
            epoch,
            length,
            sent,
            lost: None,
        }
    }

    /// How often the holder renews: every third of the lease.
    pub fn renew_every(&self) -> Duration {
        self.length / 3
    }

    /// The server extended the lease of a renewal sent at `sent`.
    pub fn renewed(&mut self, sent: Instant) {
        if self.lost.is_none() {
            self.sent = sent;
        }
    }

    /// A renewal of the same epoch succeeded after a failure: nobody took the seat meanwhile
    /// (taking it bumps the epoch), so acting may resume.
    pub fn regained(&mut self, sent: Instant) {
        self.lost = None;
        self.sent = sent;
    }

    /// A renewal failed or was refused: no more acting on this epoch, ever.
    pub fn lose(&mut self, why: String) {
        self.lost.get_or_insert(why);
    }

    /// Whether the holder may start an action now; the error says why not, for the header.
    pub fn may_act(&self, now: Instant) -> Result<i64, String> {
        if let Some(why) = &self.lost {
            return Err(why.clone());
        }
        let safe = self.length - self.length / 3;
        if now.saturating_duration_since(self.sent) >= safe {
            return Err(format!(
                "the seat's lease was not renewed for {} s",
                now.saturating_duration_since(self.sent).as_secs()
            ));
        }
        Ok(self.epoch)
    }

    pub fn is_lost(&self) -> bool {
        self.lost.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acts_within_two_thirds_of_the_lease_and_never_after_a_loss() {
        let t0 = Instant::now();
        let mut lease = Lease::granted(3, Duration::from_secs(15), t0);
        assert_eq!(lease.may_act(t0 + Duration::from_secs(9)), Ok(3));
        assert!(lease.may_act(t0 + Duration::from_secs(10)).is_err());
        lease.renewed(t0 + Duration::from_secs(5));
        assert_eq!(lease.may_act(t0 + Duration::from_secs(14)), Ok(3));
        lease.lose("renewal refused".into());
        lease.renewed(t0 + Duration::from_secs(14));
        assert_eq!(
            lease.may_act(t0 + Duration::from_secs(14)),
            Err("renewal refused".into())
        );
        assert_eq!(lease.renew_every(), Duration::from_secs(5));
    }
}
