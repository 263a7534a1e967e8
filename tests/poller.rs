//! The poller against real commands: values arrive on their interval, a hanging source is cut off
//! at its timeout without holding up the others, failures back off, and dropping stops it all.

mod support;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use flightdeck::runbook;
use flightdeck::telemetry::poller;
use flightdeck::telemetry::{Reading, Sample};

fn sources(dir: &std::path::Path) -> Vec<runbook::Source> {
    let counter = dir.join("n");
    let sources = format!(
        r#"
[[source]]
id = "counter"
kind = "command"
command = "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; echo $n"
interval = "200ms"
timeout = "2s"

[[source]]
id = "hangs"
kind = "command"
command = "sleep 600"
interval = "200ms"
timeout = "300ms"

[[source]]
id = "fails"
kind = "command"
command = "echo 'no route' >&2; exit 7"
interval = "100ms"
timeout = "1s"
"#,
        c = counter.display()
    );
    support::sources_of("poller test", &sources)
}

fn collect(rx: &mpsc::Receiver<Sample>, for_how_long: Duration) -> Vec<Sample> {
    let end = Instant::now() + for_how_long;
    let mut got = Vec::new();
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(s) => got.push(s),
            Err(_) => break,
        }
    }
    got
}

#[test]
fn samples_flow_hangs_are_cut_off_failures_back_off() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let sink: poller::Sink = Arc::new(move |r| match r {
        poller::Report::Sample(s) => tx.send(s).is_ok(),
        poller::Report::Calls(_) => true,
    });
    let context = poller::Context::new(poller::Settings::default(), Default::default());
    let p = poller::start(sources(dir.path()), context, sink).unwrap();
    let got = collect(&rx, Duration::from_millis(2500));

    let counts: Vec<f64> = got
        .iter()
        .filter(|s| s.source == "counter")
        .filter_map(|s| {
            if let Reading::Number(v) = s.reading {
                Some(v)
            } else {
                None
            }
        })
        .collect();
    assert!(
        counts.len() >= 4,
        "the counter keeps its 200ms interval while another source hangs: {counts:?}"
    );
    assert!(
        counts.windows(2).all(|w| w[1] == w[0] + 1.0),
        "values are fresh each time: {counts:?}"
    );

    let hangs: Vec<&Sample> = got.iter().filter(|s| s.source == "hangs").collect();
    assert!(!hangs.is_empty(), "the hanging source reports");
    assert!(
        matches!(&hangs[0].reading, Reading::Error(e) if e.contains("timed out")),
        "{:?}",
        hangs[0]
    );

    let fails = got.iter().filter(|s| s.source == "fails").count();
    assert!(
        matches!(&got.iter().find(|s| s.source == "fails").unwrap().reading, Reading::Error(e) if e.contains("exit code 7: no route"))
    );
    // At 100ms without backoff it would poll ~25 times in 2.5s; backing off (200, 400, 800ms…) it polls far less.
    assert!((2..=8).contains(&fails), "failures back off: {fails} polls");

    drop(p);
    let _ = collect(&rx, Duration::from_millis(300));
    assert!(
        collect(&rx, Duration::from_millis(700)).is_empty(),
        "nothing arrives after the poller is dropped"
    );
}
