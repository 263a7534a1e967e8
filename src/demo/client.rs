//! The synthetic client: steady orders traffic through the router, so the error rate and the
//! latency the runbook gates on are measured on real requests, never made up. Requests are
//! sent on a fixed beat and each runs on its own task, so a slow backend does not slow the
//! beat; a cap on requests in flight keeps a hung backend from piling up tasks.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

/// Requests in flight at most; beyond it a beat is skipped (and not counted anywhere).
const MAX_IN_FLIGHT: usize = 64;
const TIMEOUT: Duration = Duration::from_secs(3);

/// Sends `rate` requests per second to `router` until the runtime stops.
pub async fn run(router: String, rate: u32) {
    if rate == 0 {
        return;
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .no_proxy()
        .build()
        .unwrap_or_default();
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut beat = tokio::time::interval(Duration::from_secs(1) / rate);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for n in 0u64.. {
        beat.tick().await;
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            continue;
        };
        // A small catalogue of orders, every tenth request a write.
        let (method, id) = (
            if n % 10 == 9 {
                reqwest::Method::POST
            } else {
                reqwest::Method::GET
            },
            1000 + n % 500,
        );
        let request = client.request(method, format!("{router}/orders/{id}"));
        tokio::spawn(async move {
            // The router records the outcome; the client only keeps the beat.
            if let Ok(answer) = request.send().await {
                let _ = answer.bytes().await;
            }
            drop(permit);
        });
    }
}
