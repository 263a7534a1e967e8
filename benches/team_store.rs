//! Team mode's store under load: 8 writers appending to one run at once (each append takes the
//! head row's lock, chains, inserts and rings), and a follower as a cockpit runs it (LISTEN, then
//! re-read from the last record seen), timing each record from its writer's commit to its
//! arrival at the follower. Starts its own PostgreSQL on 127.0.0.1 (as tests do).
//!
//! `cargo bench --bench team_store` measures 8 x 250 appends; under `cargo test` (no `--bench`)
//! it runs 8 x 5 as a smoke test.

#[path = "../tests/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flightdeck::journal::follow::Position;
use flightdeck::journal::pg::journal::NewRun;
use flightdeck::journal::pg::listen::{self, News};
use flightdeck::journal::pg::seat::TeamHolder;
use flightdeck::journal::pg::{Db, PgJournal, Target};
use flightdeck::journal::{Event, Identity, Journal};

const WRITERS: usize = 8;

fn main() {
    let per_writer = if std::env::args().any(|a| a == "--bench") {
        250
    } else {
        5
    };
    let pg = postgres::Postgres::start();
    let url = pg.database();
    let target = Target::parse(&url, None).unwrap();
    let holder = TeamHolder {
        operator: "lead@bench".into(),
        pid: 1,
    };
    let new = NewRun {
        runbook_key: "/bench.toml",
        runbook_name: "Bench",
        mode: "live",
    };
    let identity = |op: &str| Identity {
        operator: op.into(),
        run: "bench".into(),
    };
    let _lead = PgJournal::create(
        Db::open(target.clone()).unwrap(),
        identity("lead@bench"),
        &new,
        &holder,
        Duration::from_secs(60),
    )
    .unwrap();

    // seq -> when its writer's commit returned, and when the follower had it.
    let committed: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let arrived: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let follower = {
        let (target, arrived, stop) = (target.clone(), Arc::clone(&arrived), Arc::clone(&stop));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(listen::follow(
                target,
                "bench".into(),
                Position::start(),
                &stop,
                |news| {
                    if let News::Records(records) = news {
                        let now = Instant::now();
                        let mut a = arrived.lock().unwrap();
                        for r in records {
                            a.insert(r.seq, now);
                        }
                    }
                    true
                },
            ));
        })
    };
    std::thread::sleep(Duration::from_millis(500));

    let started = Instant::now();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (target, committed) = (target.clone(), Arc::clone(&committed));
            std::thread::spawn(move || {
                let op = format!("op{w}@bench");
                let mut j = PgJournal::open(Db::open(target).unwrap(), identity(&op)).unwrap();
                for i in 0..per_writer {
                    let note = Event::NoteAdded {
                        step: "s".into(),
                        text: format!("writer {w} note {i}"),
                    };
                    let record = j.append(note, "h").unwrap();
                    committed.lock().unwrap().insert(record.seq, Instant::now());
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let elapsed = started.elapsed();
    let total = WRITERS * per_writer;
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrived.lock().unwrap().len() < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = follower.join();

    let committed = committed.lock().unwrap();
    let arrived = arrived.lock().unwrap();
    let mut latencies: Vec<Duration> = committed
        .iter()
        .filter_map(|(seq, at)| Some(arrived.get(seq)?.saturating_duration_since(*at)))
        .collect();
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    let text = flightdeck::journal::pg::journal::text_of(&Db::open(target).unwrap(), "bench")
        .unwrap()
        .unwrap();
    let chain = flightdeck::journal::record::verify_text(&text).map(|r| r.len());
    println!(
        "team_store: {WRITERS} writers x {per_writer} appends = {total} in {:.2} s: {:.0} appends/s; chain {:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        chain.map_err(|b| b.to_string())
    );
    println!(
        "team_store: commit -> follower (LISTEN/NOTIFY, re-read): {} of {total} arrived; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        pick(1.0).as_secs_f64() * 1e3
    );
    assert_eq!(latencies.len(), total, "every record reached the follower");
}
