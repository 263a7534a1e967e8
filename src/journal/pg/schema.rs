//! The team store's schema, created and migrated by the binary. Each migration has a number;
//! the database records the highest applied. Migrating is idempotent and safe to race: it runs
//! under a transaction-scoped advisory lock (released at commit, so no session holds it), and a
//! role that may only read (the observer role) never tries DDL when the schema is current.

use tokio_postgres::Client;

use super::connect::why;

/// Each entry brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: runs with their chain head and seat, and the records.
    "CREATE TABLE flightdeck_runs (
        run_id        text PRIMARY KEY,
        runbook       text NOT NULL,
        runbook_name  text NOT NULL,
        mode          text NOT NULL,
        ended         boolean NOT NULL DEFAULT false,
        head_seq      bigint NOT NULL DEFAULT 0,
        head_hash     text NOT NULL,
        started       timestamptz NOT NULL DEFAULT now(),
        last_activity timestamptz NOT NULL DEFAULT now(),
        seat_operator text,
        seat_pid      integer,
        seat_epoch    bigint NOT NULL DEFAULT 0,
        seat_expires  timestamptz
    );
    CREATE INDEX flightdeck_runs_runbook ON flightdeck_runs (runbook, started DESC);
    CREATE TABLE flightdeck_records (
        run_id  text NOT NULL REFERENCES flightdeck_runs (run_id),
        seq     bigint NOT NULL,
        line    text NOT NULL,
        epoch   bigint,
        offline boolean NOT NULL DEFAULT false,
        PRIMARY KEY (run_id, seq)
    );",
];

pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// Brings the schema to [`VERSION`]. Refuses a database migrated by a newer flightdeck.
pub async fn migrate(client: &mut Client) -> Result<(), String> {
    if current(client).await? == VERSION {
        return Ok(());
    }
    let tx = client.transaction().await.map_err(|e| why(&e))?;
    // Two cockpits starting at once: the second waits here, then finds the work done.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7420150001);
         CREATE TABLE IF NOT EXISTS flightdeck_schema (version integer NOT NULL);",
    )
    .await
    .map_err(|e| format!("cannot create the schema: {}", why(&e)))?;
    let row = tx
        .query_opt("SELECT version FROM flightdeck_schema", &[])
        .await
        .map_err(|e| why(&e))?;
    let at: i32 = row.map_or(0, |r| r.get(0));
    if at > VERSION {
        return Err(newer(at));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(at as usize) {
        tx.batch_execute(sql)
            .await
            .map_err(|e| format!("migration {} failed: {}", i + 1, why(&e)))?;
    }
    tx.execute("DELETE FROM flightdeck_schema", &[])
        .await
        .map_err(|e| why(&e))?;
    tx.execute("INSERT INTO flightdeck_schema VALUES ($1)", &[&VERSION])
        .await
        .map_err(|e| why(&e))?;
    tx.commit().await.map_err(|e| why(&e))
}

/// The schema version in the database, 0 for none.
async fn current(client: &Client) -> Result<i32, String> {
    let exists = client
        .query_one("SELECT to_regclass('flightdeck_schema') IS NOT NULL", &[])
        .await
        .map_err(|e| why(&e))?
        .get::<_, bool>(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT version FROM flightdeck_schema", &[])
        .await
        .map_err(|e| why(&e))?;
    let at = row.map_or(0, |r| r.get(0));
    if at > VERSION {
        return Err(newer(at));
    }
    Ok(at)
}

fn newer(at: i32) -> String {
    format!(
        "the database's flightdeck schema is version {at}, newer than this flightdeck's {VERSION}: upgrade flightdeck"
    )
}
