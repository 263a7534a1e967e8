//! Shared test setup: a small runbook and an app at a fixed clock.
#![allow(dead_code)]

pub mod cockpit;
pub mod frames;
pub mod http_server;
pub mod localstack;
pub mod moto;

use flightdeck::app::{App, Key, Msg};
use flightdeck::journal::Event;
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
    let rb = small_runbook();
    let started = Event::RunStarted {
        runbook_path: "small.toml".into(),
        runbook_name: rb.meta.name.clone(),
        step_fingerprints: rb.step_fingerprints(),
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
