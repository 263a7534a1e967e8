//! The poller: every source on its own interval, each poll cut off at the source's timeout,
//! exponential backoff with jitter after failures, a bound on how many polls run at once. It owns
//! its work and hands each owned `Sample` to a sink (the app's channel); it shares no state with
//! the UI.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Semaphore;

use super::command;
use super::sample::{Reading, Sample};
use crate::runbook::{Source, SourceSpec};

/// Polls in flight at once, whatever the number of sources.
pub const MAX_CONCURRENT_POLLS: usize = 32;

pub type Sink = Arc<dyn Fn(Sample) -> bool + Send + Sync>;

/// Stops the poller when dropped.
pub struct Poller {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Poller {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Starts polling `sources`; `sink` returns false when nobody listens any more.
pub fn start(sources: Vec<Source>, sink: Sink) -> std::io::Result<Poller> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("poller")
        .enable_all()
        .build()?;
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    for (i, source) in sources.into_iter().enumerate() {
        let (sink, permits) = (sink.clone(), permits.clone());
        // Spread first polls over a second so many sources do not fire in one burst.
        let stagger = Duration::from_millis((i as u64 * 37) % 1000);
        runtime.spawn(async move {
            tokio::time::sleep(stagger).await;
            poll_forever(source, sink, permits).await;
        });
    }
    Ok(Poller {
        runtime: Some(runtime),
    })
}

async fn poll_forever(source: Source, sink: Sink, permits: Arc<Semaphore>) {
    let mut failures = 0u32;
    loop {
        let reading = {
            let Ok(_permit) = permits.acquire().await else {
                return;
            };
            poll_once(&source).await
        };
        failures = if matches!(reading, Reading::Error(_)) {
            failures.saturating_add(1)
        } else {
            0
        };
        if !sink(Sample {
            source: source.id.clone(),
            at: OffsetDateTime::now_utc(),
            reading,
        }) {
            return;
        }
        tokio::time::sleep(next_delay(
            source.interval,
            failures,
            jitter_seed(&source.id, failures),
        ))
        .await;
    }
}

/// One poll of one source, never longer than its timeout.
pub async fn poll_once(source: &Source) -> Reading {
    let timeout = source.timeout;
    let work = async {
        match &source.spec {
            SourceSpec::Command {
                command: cmd,
                pointer,
            } => {
                let (cmd, pointer) = (cmd.clone(), pointer.clone());
                tokio::task::spawn_blocking(move || {
                    command::poll(&cmd, pointer.as_deref(), timeout)
                })
                .await
                .unwrap_or_else(|e| Reading::Error(format!("poll task failed: {e}")))
            }
            other => Reading::Error(format!("{} sources are not polled yet", other.kind_name())),
        }
    };
    // The command source kills its own process group at the timeout; this guard covers the rest.
    match tokio::time::timeout(timeout + Duration::from_secs(1), work).await {
        Ok(r) => r,
        Err(_) => Reading::Error(format!("no answer within {}s", timeout.as_secs_f64())),
    }
}

/// After `failures` failed polls in a row: the interval doubled per failure, capped at eight
/// intervals (and at least the interval), with ±20 % jitter so sources that failed together do
/// not retry together.
pub fn next_delay(interval: Duration, failures: u32, seed: u64) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(3));
    let base = interval * factor;
    let jitter_permille = (seed % 401) as i64 - 200; // -200..=200 ‰ of the base
    if failures == 0 {
        return interval;
    }
    let ms = base.as_millis() as i64;
    Duration::from_millis(
        (ms + ms * jitter_permille / 1000).max(interval.as_millis() as i64) as u64,
    )
}

/// A cheap per-source, per-attempt number for jitter (no RNG dependency, still spread out).
fn jitter_seed(id: &str, attempt: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (attempt as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in id
        .bytes()
        .chain(OffsetDateTime::now_utc().nanosecond().to_le_bytes())
    {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters_within_bounds() {
        let i = Duration::from_secs(10);
        assert_eq!(
            next_delay(i, 0, 12345),
            i,
            "healthy sources keep their interval"
        );
        for failures in 1..10 {
            for seed in [0, 100, 200, 300, 400, 7777] {
                let d = next_delay(i, failures, seed);
                let base = i * 2u32.pow(failures.min(3));
                assert!(
                    d >= i && d <= base.mul_f64(1.2) && d >= base.mul_f64(0.8).max(i),
                    "f={failures} seed={seed} d={d:?}"
                );
            }
        }
        assert!(
            next_delay(i, 50, 200) <= Duration::from_secs(96),
            "capped at 8 intervals + 20 %"
        );
    }
}
