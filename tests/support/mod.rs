//! Shared test setup: a small runbook and an app at a fixed clock.
#![allow(dead_code)]

pub mod acting;
pub mod aws_traffic;
pub mod book;
pub mod cockpit;
pub mod frames;
pub mod haproxy;
pub mod http_server;
pub mod localstack;
pub mod moto;
pub mod postgres;
pub mod proxy;

use flightdeck::app::{App, Key, Msg};
use flightdeck::journal::Event;
use flightdeck::journal::event::RunMode;
use flightdeck::runbook;
use time::OffsetDateTime;
use time::macros::datetime;

pub const NOW: OffsetDateTime = datetime!(2026-12-05 21:30:00 UTC);

pub fn small_runbook() -> runbook::Runbook {
    let text = include_str!("../fixtures/small.toml");
    runbook::parse(text)
        .unwrap_or_else(|d| panic!("fixture invalid: {d:?}"))
        .runbook
}

/// An app as a fresh run leaves it: run started at NOW, first open step selected.
pub fn fresh_app() -> App {
    started_app(small_runbook(), "small.toml", None)
}

/// An app on `rb` as a fresh run of `path` leaves it: the run journaled as started at NOW (in
/// `mode`, if the journal says one), by `op@bastion`, its first open step selected.
pub fn started_app(rb: runbook::Runbook, path: &str, mode: Option<RunMode>) -> App {
    let started = Event::RunStarted {
        runbook_path: path.into(),
        runbook_name: rb.meta.name.clone(),
        step_fingerprints: rb.step_fingerprints(),
        mode,
    };
    let mut app = App::new(rb, "op@bastion".into(), "run-1".into(), NOW);
    app.replay([(NOW, "op@bastion", &started)]);
    app
}

pub fn keys(app: &mut App, keys: &[Key]) -> Vec<flightdeck::app::Effect> {
    keys.iter().flat_map(|k| app.update(Msg::Key(*k))).collect()
}

pub fn typed(text: &str) -> Vec<Key> {
    text.chars().map(Key::Char).collect()
}

/// A minimal valid runbook named `name` around `sources` (`[[source]]` tables): one phase with
/// one step, and a rollback.
pub fn runbook_text(name: &str, sources: &str) -> String {
    book::Book::new(name).table(sources).text()
}

/// The sources of `runbook_text(name, sources)`, validated as a runbook's are.
pub fn sources_of(name: &str, sources: &str) -> Vec<runbook::Source> {
    book::Book::new(name).table(sources).parse().sources
}

/// Processes whose command line holds `marker` (a zombie's is empty, so it is left out).
pub fn processes_with(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
        .collect()
}
