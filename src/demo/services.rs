//! Blue and green: the two versions of the demo's "orders" API. Each answers `/health`,
//! `/status` and `/orders/<id>` after a few milliseconds of simulated work, so the router
//! measures a real latency. Green can be told to fail (the demo's failure key): its orders then
//! answer 500 while `/health` keeps saying ok, as a shallow health check does in real life; the
//! error rate is what catches it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;

use super::http::{Request, Response};

pub struct Service {
    pub name: &'static str,
    pub version: &'static str,
    /// Simulated work per order, in ms: `base + (0..spread)`.
    base_ms: u64,
    spread_ms: u64,
    failing: AtomicBool,
    requests: AtomicU64,
    errors: AtomicU64,
}

impl Service {
    pub fn blue() -> Arc<Self> {
        Arc::new(Self::new("blue", "v1 (MySQL)", 18, 25))
    }

    pub fn green() -> Arc<Self> {
        Arc::new(Self::new("green", "v2 (PostgreSQL)", 12, 20))
    }

    fn new(name: &'static str, version: &'static str, base_ms: u64, spread_ms: u64) -> Self {
        Self {
            name,
            version,
            base_ms,
            spread_ms,
            failing: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::SeqCst)
    }

    pub async fn handle(self: Arc<Self>, request: Request) -> Response {
        let path = request.path.split('?').next().unwrap_or("");
        match (request.method.as_str(), path) {
            ("GET", "/health") => Response::text(200, "ok\n"),
            ("GET", "/status") => Response::json(
                200,
                &json!({
                    "service": self.name,
                    "version": self.version,
                    "requests": self.requests.load(Ordering::Relaxed),
                    "errors": self.errors.load(Ordering::Relaxed),
                    "failing": self.is_failing(),
                }),
            ),
            ("GET" | "POST", p) if p.starts_with("/orders/") => self.order(&p[8..]).await,
            ("GET" | "POST", _) => Response::text(404, "no such endpoint\n"),
            _ => Response::text(405, "method not allowed\n"),
        }
    }

    async fn order(&self, id: &str) -> Response {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        if self.is_failing() {
            self.errors.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(3)).await;
            return Response::json(
                500,
                &json!({"error": "connection pool exhausted", "service": self.name}),
            );
        }
        let work = self.base_ms + splitmix(n ^ self.base_ms) % self.spread_ms.max(1);
        tokio::time::sleep(Duration::from_millis(work)).await;
        let id: String = id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect();
        Response::json(
            200,
            &json!({
                "id": id,
                "status": "shipped",
                "served_by": self.name,
                "version": self.version,
            }),
        )
    }
}

/// A well-mixed number from a counter: jitter without a random-number dependency.
pub fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
