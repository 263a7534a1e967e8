//! The replication feed: how far green's database is behind blue's, in seconds.
//!
//! The story it tells: at start the sync is still catching up on the initial copy
//! (`INITIAL_LAG`), so the go/no-go gate's `sync_lag < 30s` fails for the first quarter minute
//! or so; then writes keep coming to blue in waves and the lag rides between `BAND_LOW` and
//! `BAND_HIGH`, growing while a wave of writes runs. Writes follow traffic: once cutover starts,
//! every point of weight moved to green is a point of writes no longer replicated, so the lag's
//! level scales with blue's share and drains to zero at 100 % green. A rollback brings the
//! writes, and the lag, back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::http::{Request, Response};
use super::router::Router;

/// Seconds behind at start: the tail of the initial copy.
pub const INITIAL_LAG: f64 = 45.0;
/// How fast the sync catches up when it is behind its level (seconds of lag per second).
pub const CATCH_UP_RATE: f64 = 1.0;
/// How fast the lag grows while a wave of writes outpaces the sync.
pub const BUILD_UP_RATE: f64 = 0.5;
/// The lag's level with all writes on blue swings between these, one wave per `WAVE_SECONDS`.
pub const BAND_LOW: f64 = 6.0;
pub const BAND_HIGH: f64 = 16.0;
pub const WAVE_SECONDS: f64 = 60.0;
/// How often the feed advances the model.
const TICK: Duration = Duration::from_millis(250);

/// The lag model: pure, advanced by `step`, so tests run it on simulated time.
#[derive(Debug, Clone, PartialEq)]
pub struct Lag {
    pub seconds: f64,
    /// Model time since start.
    pub t: f64,
}

impl Default for Lag {
    fn default() -> Self {
        Self {
            seconds: INITIAL_LAG,
            t: 0.0,
        }
    }
}

impl Lag {
    /// Where the lag is heading with `blue_share` (0..=1) of the writes on blue.
    pub fn level(&self, blue_share: f64) -> f64 {
        let wave = 0.5 - 0.5 * (std::f64::consts::TAU * self.t / WAVE_SECONDS).cos();
        (BAND_LOW + (BAND_HIGH - BAND_LOW) * wave) * blue_share.clamp(0.0, 1.0)
    }

    /// Advances `dt` seconds: toward the level, catching up faster than it builds up.
    pub fn step(&mut self, dt: f64, blue_share: f64) {
        self.t += dt;
        let level = self.level(blue_share);
        self.seconds = if self.seconds > level {
            (self.seconds - CATCH_UP_RATE * dt).max(level)
        } else {
            (self.seconds + BUILD_UP_RATE * dt).min(level)
        };
    }

    pub fn state(&self, blue_share: f64) -> &'static str {
        match () {
            _ if self.seconds <= 0.0 => "drained",
            _ if self.seconds > self.level(blue_share) + 0.5 => "catching up",
            _ => "replicating",
        }
    }
}

pub struct Feed {
    lag: Mutex<Lag>,
    router: Arc<Router>,
}

impl Feed {
    pub fn new(router: Arc<Router>) -> Arc<Self> {
        Arc::new(Self {
            lag: Mutex::new(Lag::default()),
            router,
        })
    }

    fn blue_share(&self) -> f64 {
        f64::from(100 - self.router.green_weight()) / 100.0
    }

    fn lag(&self) -> std::sync::MutexGuard<'_, Lag> {
        self.lag.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Advances the model in real time times `speed` (tests run it faster), until the
    /// runtime stops.
    pub async fn run(self: Arc<Self>, speed: f64) {
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let share = self.blue_share();
            self.lag().step(TICK.as_secs_f64() * speed, share);
        }
    }

    pub async fn handle(self: Arc<Self>, request: Request) -> Response {
        let path = request.path.split('?').next().unwrap_or("");
        match (request.method.as_str(), path) {
            ("GET", "/status") => {
                let share = self.blue_share();
                let lag = self.lag().clone();
                Response::json(
                    200,
                    &json!({
                        "lag_seconds": (lag.seconds * 10.0).round() / 10.0,
                        "state": lag.state(share),
                        "writes_on_blue_percent": (share * 100.0).round(),
                    }),
                )
            }
            ("GET", "/health") => Response::text(200, "ok\n"),
            _ => Response::text(404, "no such endpoint\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lag: &mut Lag, seconds: f64, blue_share: f64) {
        for _ in 0..(seconds * 4.0) as usize {
            lag.step(0.25, blue_share);
        }
    }

    #[test]
    fn catches_up_then_rides_the_band_then_drains_at_full_cutover() {
        let mut lag = Lag::default();
        assert!(lag.seconds > 30.0, "the gate fails at first");
        run(&mut lag, 30.0, 1.0);
        assert!(
            (BAND_LOW..=BAND_HIGH).contains(&lag.seconds),
            "{}",
            lag.seconds
        );
        let (mut low, mut high) = (f64::MAX, 0.0f64);
        for _ in 0..(WAVE_SECONDS * 4.0) as usize {
            lag.step(0.25, 1.0);
            low = low.min(lag.seconds);
            high = high.max(lag.seconds);
        }
        assert!(
            high - low > 5.0,
            "grows and shrinks with the writes: {low}..{high}"
        );
        assert!(high <= BAND_HIGH && low >= BAND_LOW - 0.01);

        run(&mut lag, BAND_HIGH / CATCH_UP_RATE + 1.0, 0.0);
        assert_eq!(lag.seconds, 0.0, "drained at 100 % green");
        assert_eq!(lag.state(0.0), "drained");
        run(&mut lag, 30.0, 1.0);
        assert!(lag.seconds > 0.0, "rolled back: writes on blue again");
    }

    #[test]
    fn the_level_scales_with_blues_share_of_the_writes() {
        let lag = Lag {
            seconds: 0.0,
            t: WAVE_SECONDS / 2.0,
        };
        assert_eq!(lag.level(1.0), BAND_HIGH);
        assert_eq!(lag.level(0.5), BAND_HIGH / 2.0);
        assert_eq!(lag.level(0.0), 0.0);
    }
}
