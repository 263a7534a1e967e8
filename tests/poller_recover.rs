//! The poller across outages, with real time: an HTTP endpoint that goes away reads Down, its last
//! good value turns stale (Unknown) after two intervals, and the source is Up again when a server
//! returns on the same port. A command that never exits is killed at its timeout, leaving nothing.

mod support;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use flightdeck::runbook;
use flightdeck::telemetry::poller::{self, Report};
use flightdeck::telemetry::sample::is_stale;
use flightdeck::telemetry::{Level, Reading, Sample, level};
use support::http_server::{Reply, Server};
use time::OffsetDateTime;

fn source(keys: &str) -> runbook::Source {
    support::sources_of("recover test", &format!("[[source]]\nid = 's'\n{keys}")).remove(0)
}

/// Starts the poller on one source; samples arrive on the returned channel.
fn start(source: &runbook::Source) -> (poller::Poller, mpsc::Receiver<Sample>) {
    let (tx, rx) = mpsc::channel();
    let sink: poller::Sink = Arc::new(move |r| match r {
        Report::Sample(s) => tx.send(s).is_ok(),
        Report::Calls(_) => true,
    });
    let context = poller::Context::new(poller::Settings::default(), Default::default());
    let p = poller::start(vec![source.clone()], context, sink).unwrap();
    (p, rx)
}

/// Samples until one satisfies `want` (returned last) or `within` runs out.
fn until(
    rx: &mpsc::Receiver<Sample>,
    within: Duration,
    want: impl Fn(&Sample) -> bool,
) -> Vec<Sample> {
    let end = Instant::now() + within;
    let mut got = Vec::new();
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(s) => {
                let done = want(&s);
                got.push(s);
                if done {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    got
}

fn is_up(s: &Sample) -> bool {
    matches!(s.reading, Reading::Up { .. })
}

#[test]
fn an_endpoint_that_goes_away_reads_down_goes_stale_and_recovers_on_the_same_port() {
    let mut server = Server::start(|_| Reply::status(200, "ok"));
    let port = server.port();
    let api = source(&format!(
        "kind = 'http'\nurl = 'http://127.0.0.1:{port}/health'\ninterval = '200ms'\ntimeout = '1s'"
    ));
    let (_poller, rx) = start(&api);

    // Up, on its interval.
    let seen = until(&rx, Duration::from_secs(3), is_up);
    let first = seen
        .last()
        .filter(|s| is_up(s))
        .expect("an Up sample")
        .clone();
    assert_eq!(
        level(&api, Some(&first), OffsetDateTime::now_utc()),
        Level::Ok
    );
    let more = until(&rx, Duration::from_millis(700), |_| false);
    assert!(
        more.len() >= 2 && more.iter().all(is_up),
        "polled every 200ms and Up: {more:?}"
    );
    let mut last_good = more.last().unwrap().clone();

    // The server goes away: the port refuses.
    server.stop();
    let seen = until(&rx, Duration::from_secs(2), |s| !is_up(s));
    // A poll already in flight when the server stopped may still have been answered.
    if let Some(up) = seen.iter().rev().find(|s| is_up(s)) {
        last_good = up.clone();
    }
    let refused = seen.last().expect("a sample after the stop");
    assert_eq!(
        refused.reading,
        Reading::Down {
            reason: "connection refused".into()
        }
    );
    // Down is a verdict, so polling keeps its interval (no backoff); every sample says why.
    let downs = until(&rx, Duration::from_millis(700), |_| false);
    assert!(downs.len() >= 2, "still polled every 200ms: {downs:?}");
    assert!(
        downs.iter().all(
            |s| matches!(&s.reading, Reading::Down { reason } if reason == "connection refused")
        ),
        "{downs:?}"
    );
    let latest = downs.last().unwrap();
    let now = OffsetDateTime::now_utc();
    assert_eq!(level(&api, Some(latest), now), Level::Fail);
    assert!(
        is_stale(&last_good, api.interval, now),
        "the last Up is over two intervals old: {}",
        now - last_good.at
    );
    assert_eq!(level(&api, Some(&last_good), now), Level::Unknown);

    // A server returns on the same port: Up again.
    let server = Server::start_on(port, |_| Reply::status(200, "back"));
    let seen = until(&rx, Duration::from_secs(3), is_up);
    let back = seen.last().filter(|s| is_up(s)).expect("Up again");
    assert_eq!(
        level(&api, Some(back), OffsetDateTime::now_utc()),
        Level::Ok
    );
    assert!(!server.requests().is_empty(), "the new server was polled");
}

/// Processes whose command line holds `marker`.
fn running(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(marker))
        .collect()
}

#[test]
fn a_command_that_never_exits_is_killed_at_its_timeout() {
    // A sleep with a duration unique to this process: its own command line carries the marker
    // whether or not `sh` execs it, and no other test's `sleep 600` matches.
    let marker = format!("sleep 600.0{}", std::process::id());
    let stuck = source(&format!(
        "kind = 'command'\ncommand = '{marker}'\ninterval = '200ms'\ntimeout = '500ms'"
    ));
    let started = Instant::now();
    let (poller, rx) = start(&stuck);

    // While a poll runs the sleep is there, so its absence later means it was killed.
    let deadline = Instant::now() + Duration::from_secs(2);
    while running(&marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!running(&marker).is_empty(), "the command was started");

    let first = rx.recv_timeout(Duration::from_secs(3)).expect("a sample");
    let took = started.elapsed();
    assert_eq!(
        first.reading,
        Reading::Error("timed out after 0.5s and was killed".into())
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_millis(1500),
        "cut off at its timeout: {took:?}"
    );
    let second = rx
        .recv_timeout(Duration::from_secs(3))
        .expect("a second sample");
    assert_eq!(second.reading, first.reading);

    // Stop polling; a poll still in flight is killed at its own timeout.
    drop(poller);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        running(&marker),
        Vec::<String>::new(),
        "no sleep survives its poll"
    );
}
