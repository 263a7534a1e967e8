//! Parse + validate of the largest seed runbook in `runbooks/` and of a generated 10,000-step one.
//!
//! The seed file is picked at bench start (largest `runbooks/*.toml` by bytes), so the bench
//! follows the seed set as it grows. The 10,000-step runbook is the one `benches/render.rs` draws:
//! criterion's loop reuses the allocator's memory, so it times the parser and checks warm, the
//! part of a cockpit's start that grows with the runbook besides the kernel's page faults.
//! Throughput is reported in bytes of runbook text.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flightdeck::runbook;

#[path = "support/steps.rs"]
mod steps;

/// The largest `runbooks/*.toml` by bytes: (file name, text).
fn largest_seed_runbook() -> (String, String) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let (path, _) = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| Some((p.clone(), std::fs::metadata(&p).ok()?.len())))
        // Ties broken by name so the choice is stable.
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .unwrap_or_else(|| panic!("no runbooks/*.toml in {}", dir.display()));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    (name, text)
}

fn parse_largest(c: &mut Criterion) {
    let (name, text) = largest_seed_runbook();
    // Fail loudly up front rather than benchmarking the error path.
    if let Err(diags) = runbook::parse(&text) {
        panic!("{name} does not validate: {diags:?}");
    }

    let generated = steps::generate(10_000);
    if let Err(diags) = runbook::parse(&generated) {
        panic!("the generated 10,000-step runbook does not validate: {diags:?}");
    }

    let mut group = c.benchmark_group("runbook");
    for (name, text) in [(name, text), ("10000_steps".to_string(), generated)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("parse_validate/{name}"), |b| {
            b.iter(|| runbook::parse(black_box(&text)).is_ok())
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse_largest
}
criterion_main!(benches);
