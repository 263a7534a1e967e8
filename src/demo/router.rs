//! The weighted router in front of blue and green: it forwards every request to one side by
//! weight (smooth weighted round-robin, so 10/90 is exactly one in ten, in a steady rhythm),
//! and measures what it forwarded: error rate and p95 latency over the last ten seconds, which
//! the runbook's `http_json` sources read from `/status`. `/admin/weights` is what the
//! runbook's HTTP actuator changes and its `get` reads back.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::json;

use super::http::{Request, Response};

/// What the error rate and p95 are measured over: short, so a rollback shows within seconds.
pub const WINDOW: Duration = Duration::from_secs(10);
/// Outcomes kept at most, whatever the request rate: memory stays bounded.
const MAX_OUTCOMES: usize = 20_000;
/// A backend that takes longer than this has failed the request (502).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Blue,
    Green,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Blue => "blue",
            Side::Green => "green",
        }
    }
}

/// Smooth weighted round-robin (as in nginx): each pick adds every weight to its side's
/// credit, takes the side with the most, and charges it the total.
#[derive(Debug, Clone)]
pub struct Weights {
    pub green: u8,
    credit: [i32; 2],
}

impl Weights {
    pub fn new(green: u8) -> Self {
        Self {
            green: green.min(100),
            credit: [0, 0],
        }
    }

    pub fn blue(&self) -> u8 {
        100 - self.green
    }

    pub fn pick(&mut self) -> Side {
        let weights = [i32::from(self.blue()), i32::from(self.green)];
        for (credit, weight) in self.credit.iter_mut().zip(weights) {
            *credit += weight;
        }
        let side = if self.credit[1] > self.credit[0] {
            1
        } else {
            0
        };
        self.credit[side] -= 100;
        if side == 1 { Side::Green } else { Side::Blue }
    }
}

struct Outcome {
    at: Instant,
    ok: bool,
    ms: f64,
}

pub struct Router {
    weights: Mutex<Weights>,
    outcomes: Mutex<VecDeque<Outcome>>,
    served: [AtomicU64; 2],
    client: reqwest::Client,
    blue: String,
    green: String,
}

/// A poisoned lock only means a handler panicked mid-update; the numbers are still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Router {
    /// `blue` and `green` are base URLs (`http://127.0.0.1:port`). All traffic starts on blue.
    pub fn new(blue: String, green: String) -> Arc<Self> {
        Arc::new(Self {
            weights: Mutex::new(Weights::new(0)),
            outcomes: Mutex::new(VecDeque::new()),
            served: [AtomicU64::new(0), AtomicU64::new(0)],
            client: reqwest::Client::builder()
                .timeout(UPSTREAM_TIMEOUT)
                .no_proxy()
                .build()
                .unwrap_or_default(),
            blue,
            green,
        })
    }

    pub fn green_weight(&self) -> u8 {
        lock(&self.weights).green
    }

    pub fn set_green(&self, green: u8) {
        *lock(&self.weights) = Weights::new(green);
    }

    /// Requests forwarded to each side since the start: (blue, green).
    pub fn served(&self) -> (u64, u64) {
        (
            self.served[0].load(Ordering::Relaxed),
            self.served[1].load(Ordering::Relaxed),
        )
    }

    pub async fn handle(self: Arc<Self>, request: Request) -> Response {
        let path = request.path.split('?').next().unwrap_or("");
        match (request.method.as_str(), path) {
            ("GET", "/status") => Response::json(200, &self.status()),
            ("GET", "/health") => Response::text(200, "ok\n"),
            ("GET", "/admin/weights") => self.weights_response(),
            ("PUT" | "POST", "/admin/weights") => self.set_weights(&request.body),
            (_, "/admin/weights") => Response::text(405, "GET, PUT or POST\n"),
            _ => self.forward(request).await,
        }
    }

    /// Green first, written by hand (serde_json sorts keys): a read-back that takes the first
    /// number it sees reads the green weight.
    fn weights_text(&self) -> String {
        let w = lock(&self.weights);
        format!("{{\"green\": {}, \"blue\": {}}}", w.green, w.blue())
    }

    fn weights_json(&self) -> serde_json::Value {
        let w = lock(&self.weights);
        json!({"green": w.green, "blue": w.blue()})
    }

    fn weights_response(&self) -> Response {
        Response::typed(200, "application/json", self.weights_text().into_bytes())
    }

    /// `{"green": N, "blue": M}`, both 0..=100 and adding up to 100; anything else is refused
    /// with the reason, and the weights in force stay as they were.
    fn set_weights(&self, body: &[u8]) -> Response {
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(body);
        let weight = |v: &serde_json::Value, side: &str| {
            v.get(side)
                .and_then(serde_json::Value::as_u64)
                .filter(|w| *w <= 100)
        };
        let Ok(value) = parsed else {
            return Response::text(400, "body must be JSON: {\"green\": N, \"blue\": M}\n");
        };
        match (weight(&value, "green"), weight(&value, "blue")) {
            (Some(green), Some(blue)) if green + blue == 100 => {
                self.set_green(green as u8);
                tracing::info!(green, blue, "demo router weights set");
                self.weights_response()
            }
            (Some(_), Some(_)) => Response::text(400, "green + blue must add up to 100\n"),
            _ => Response::text(400, "need \"green\" and \"blue\", whole numbers 0 to 100\n"),
        }
    }

    async fn forward(&self, request: Request) -> Response {
        let side = lock(&self.weights).pick();
        self.served[side as usize].fetch_add(1, Ordering::Relaxed);
        let base = match side {
            Side::Blue => &self.blue,
            Side::Green => &self.green,
        };
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let started = Instant::now();
        let sent = self
            .client
            .request(method, format!("{base}{}", request.path))
            .body(request.body)
            .send()
            .await;
        let answer = match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                match r.bytes().await {
                    Ok(body) => Ok((status, body.to_vec())),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let response = match answer {
            Ok((status, body)) => Response::typed(status, "application/json", body),
            Err(e) => Response::text(502, &format!("{} did not answer: {e}\n", side.name())),
        };
        self.record(response.status < 500, ms);
        response.with_header("X-Served-By", side.name().into())
    }

    fn record(&self, ok: bool, ms: f64) {
        let now = Instant::now();
        let mut outcomes = lock(&self.outcomes);
        outcomes.push_back(Outcome { at: now, ok, ms });
        while outcomes
            .front()
            .is_some_and(|o| now.duration_since(o.at) > WINDOW)
            || outcomes.len() > MAX_OUTCOMES
        {
            outcomes.pop_front();
        }
    }

    /// Error rate (%) and p95 latency (ms) of the requests forwarded in the last `WINDOW`.
    pub fn status(&self) -> serde_json::Value {
        let now = Instant::now();
        let (mut latencies, mut errors) = (Vec::new(), 0u64);
        for o in lock(&self.outcomes).iter() {
            if now.duration_since(o.at) <= WINDOW {
                latencies.push(o.ms);
                errors += u64::from(!o.ok);
            }
        }
        let requests = latencies.len() as u64;
        let error_rate = if requests == 0 {
            0.0
        } else {
            errors as f64 * 100.0 / requests as f64
        };
        let (blue, green) = self.served();
        json!({
            "window_seconds": WINDOW.as_secs(),
            "requests": requests,
            "errors": errors,
            "error_rate_percent": round2(error_rate),
            "p95_ms": round2(p95(&mut latencies)),
            "weights": self.weights_json(),
            "served_total": {"blue": blue, "green": green},
        })
    }
}

/// The 95th percentile by nearest rank; 0 with no requests.
pub fn p95(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = (values.len() as f64 * 0.95).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_round_robin_keeps_the_split_exactly_and_evenly() {
        for green in [0u8, 10, 33, 50, 90, 100] {
            let mut w = Weights::new(green);
            let picks: Vec<Side> = (0..100).map(|_| w.pick()).collect();
            let greens = picks.iter().filter(|s| **s == Side::Green).count();
            assert_eq!(greens, usize::from(green), "green {green}");
            // Evenly spread: never more green in a row than the split needs.
            if green == 10 {
                assert!(picks.windows(2).all(|p| p != [Side::Green, Side::Green]));
            }
        }
    }

    #[test]
    fn p95_is_the_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(p95(&mut v), 95.0);
        assert_eq!(p95(&mut [7.0]), 7.0);
        assert_eq!(p95(&mut []), 0.0);
    }
}
