//! Flightdeck: a terminal cockpit for migration day.
//!
//! The story in modules: a `runbook` is loaded and validated; the operator walks it in the `app`
//! (pure state and update), drawn by `ui` in a `theme`; every action goes to the `journal`, so a
//! run survives a dropped session. `criteria` holds the criteria language and time units, which
//! `gates` evaluates; `report` turns a journal into Markdown. `cli` wires commands; `demo` is the
//! loopback world of `flightdeck demo`. The layers, lowest first, and what each may import are
//! kept by `tests/layers.rs`.

pub mod actions;
pub mod app;
pub mod cli;
pub mod cockpit;
pub mod config;
pub mod criteria;
pub mod demo;
pub mod gates;
pub mod journal;
pub mod logfile;
pub mod notify;
pub mod observer;
pub mod orphans;
pub mod paths;
pub mod report;
pub mod runbook;
pub mod sanitize;
pub mod secrets;
pub mod session;
pub mod shell;
pub mod team;
pub mod telemetry;
pub mod terminal;
pub mod theme;
pub mod ui;
