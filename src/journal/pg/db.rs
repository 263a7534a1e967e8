//! A blocking handle on one connection to the team store, for the cockpit's synchronous code:
//! its own small runtime, the connection reopened when it was lost, and every round trip
//! bounded in time. A round trip that times out drops the connection (its state is unknown),
//! so the next call starts clean.

use std::sync::Mutex;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::Client;

use super::connect::{ROUND_TRIP, Target};
use super::schema;

pub struct Db {
    target: Target,
    inner: Mutex<Inner>,
}

struct Inner {
    rt: Runtime,
    client: Option<(Client, JoinHandle<()>)>,
}

impl Db {
    /// Connects and brings the schema up to date; fails with a message naming the server.
    pub fn open(target: Target) -> Result<Db, String> {
        let db = Db::lazy(target)?;
        db.with(ROUND_TRIP * 2, async |c| schema::migrate(c).await)?;
        Ok(db)
    }

    /// A handle that connects on first use (and again after a loss), for a schema known to be
    /// current: the seat's renewer, which must keep trying while the store is away.
    pub fn lazy(target: Target) -> Result<Db, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the database runtime: {e}"))?;
        Ok(Db {
            target,
            inner: Mutex::new(Inner { rt, client: None }),
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Runs `op` on the connection (opened first if there is none), within `limit`.
    pub fn with<T>(
        &self,
        limit: Duration,
        op: impl AsyncFnOnce(&mut Client) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let inner = &mut *guard;
        let shown = self.target.redacted().to_string();
        let late = || format!("{shown} did not answer within {} ms", limit.as_millis());
        // The connect counts against the limit too: a renewal through a partition must fail
        // within its third of the lease, not after a TCP connect's own timeout.
        let deadline = tokio::time::Instant::now() + limit;
        // A kept connection may be dead without knowing it: this runtime drives the connection
        // only inside `block_on`, so a server that restarted meanwhile shows up as the next
        // statement failing. An empty query finds out first, with no effect to repeat, so an
        // append after a restart runs on a fresh connection instead of failing.
        if let Some((client, _)) = inner.client.as_ref()
            && !client.is_closed()
        {
            let ping = async { tokio::time::timeout_at(deadline, client.simple_query("")).await };
            if !matches!(inner.rt.block_on(ping), Ok(Ok(_))) {
                self.drop_connection(inner);
            }
        }
        if inner.client.as_ref().is_none_or(|(c, _)| c.is_closed()) {
            if let Some((_, task)) = inner.client.take() {
                task.abort();
            }
            let target = self.target.clone();
            let connecting = async { tokio::time::timeout_at(deadline, target.connect()).await };
            let (client, connection) = inner.rt.block_on(connecting).map_err(|_| late())??;
            let task = inner.rt.spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!("team store connection ended: {e}");
                }
            });
            inner.client = Some((client, task));
        }
        let Some((client, _)) = inner.client.as_mut() else {
            return Err("no connection".into());
        };
        let outcome = inner
            .rt
            .block_on(async { tokio::time::timeout_at(deadline, op(client)).await });
        match outcome {
            Ok(result) => {
                if result.is_err() && client.is_closed() {
                    self.drop_connection(inner);
                }
                result
            }
            Err(_) => {
                self.drop_connection(inner);
                Err(late())
            }
        }
    }

    fn drop_connection(&self, inner: &mut Inner) {
        if let Some((_, task)) = inner.client.take() {
            task.abort();
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some((_, task)) = inner.client.take() {
            task.abort();
        }
    }
}
