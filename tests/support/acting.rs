//! An app on the actions fixture, and helpers to read what `update` asked for.

use flightdeck::app::{ActionUpdate, App, Effect, Mode, Msg, Work};
use flightdeck::journal::Event;
use flightdeck::journal::event::Action;
use flightdeck::runbook;
use flightdeck::telemetry::poller::Report;
use flightdeck::telemetry::{Reading, Sample};

pub fn actions_runbook() -> runbook::Runbook {
    runbook::parse(include_str!("../fixtures/actions.toml"))
        .unwrap_or_else(|d| panic!("fixture invalid: {d:?}"))
        .runbook
}

/// A fresh run of the actions fixture in `mode`, with a fake environment.
pub fn acting_app(mode: Mode) -> App {
    let mut app = super::started_app(actions_runbook(), "actions.toml", None);
    app.mode = mode;
    app.env = [("API_ID", "abc123"), ("DB_PASSWORD", "hunter2")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    app
}

/// A sample of `value` for `source`, taken now.
pub fn feed(app: &mut App, source: &str, value: f64) -> Vec<Effect> {
    let sample = Sample::new(source, app.now, Reading::Number(value));
    app.update(Msg::Telemetry(Report::Sample(sample)))
}

pub fn events(effects: &[Effect]) -> Vec<&Event> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(event) => Some(event),
            _ => None,
        })
        .collect()
}

pub fn starts(effects: &[Effect]) -> Vec<(u64, &Work)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Start { id, work } => Some((*id, work)),
            _ => None,
        })
        .collect()
}

/// The actions whose intent was journaled.
pub fn started_actions(effects: &[Effect]) -> Vec<&Action> {
    events(effects)
        .into_iter()
        .filter_map(|e| match e {
            Event::ActionStarted { action, .. } => Some(action),
            _ => None,
        })
        .collect()
}

pub fn shell(work: &Work) -> &str {
    match work {
        Work::Shell { command, .. } => command,
        other => panic!("not a shell command: {other:?}"),
    }
}

/// The cockpit's report that action `id` ended.
pub fn end(app: &mut App, id: u64, ok: bool, result: &str) -> Vec<Effect> {
    app.update(Msg::Action {
        id,
        update: ActionUpdate::Ended {
            ok,
            result: result.into(),
            output_file: None,
        },
    })
}

/// Moves the clock on by `secs` (one tick).
pub fn tick(app: &mut App, secs: i64) -> Vec<Effect> {
    let now = app.now + time::Duration::seconds(secs);
    app.update(Msg::Tick(now))
}

/// The fixture's gate `go` decided GO, as an earlier session would have journaled it: shifts
/// are held until their gate is GO.
pub fn gate_passed(app: &mut App) {
    let go = Event::GateDecided {
        step: "go".into(),
        go: true,
        overridden: Vec::new(),
        reason: None,
        evidence: Vec::new(),
        signoffs: vec!["Team ready".into()],
    };
    let now = app.now;
    app.progress.apply(&go, now, "op@bastion");
}
