//! Values a runbook may no longer give (validation bounds them) can still reach the app: a
//! journal written by an older version, a runbook edited mid-run. Whatever they are, the
//! clock arithmetic of the cockpit never panics: the screen draws, ticks go on, shifts bake.

mod support;

use std::time::Duration;

use flightdeck::app::{App, Key, Mode, Msg};
use flightdeck::journal::Event;
use flightdeck::journal::event::RunMode;
use flightdeck::runbook::{self, StepKind};
use support::acting::{end, starts, tick};
use support::frames::{render, text};
use support::{NOW, keys, typed};
use time::macros::datetime;

const RUNBOOK: &str = r#"
[runbook]
name = "Huge"

[traffic]
set = "echo set {green}"
plan = [{ green = 10, bake = "5m" }, { green = 100 }]

[[phase]]
id = "prep"
title = "Prep"

[[phase.step]]
id = "announce"
title = "Announce"
planned = "5m"

[[phase.step]]
id = "settle"
title = "Let it settle"
wait = "2m"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = []
signoff = ["Team ready"]
gate_timeout = "10m"

[[phase]]
id = "cut"
title = "Cutover"

[[phase.step]]
id = "shift10"
title = "Shift 10%"
traffic = { green = 10 }

[[phase.step]]
id = "shift100"
title = "Shift 100%"
traffic = { green = 100 }

[rollback]
steps = [{ title = "All to blue", traffic = { green = 0 } }]
"#;

/// The values of the issue, and the largest a `Duration` holds.
const HUGE: [Duration; 2] = [Duration::from_secs(10_000_000 * 86_400), Duration::MAX];

/// A valid runbook whose every duration is then set to `huge`, and its start to the last
/// second of year 9999, as if they had slipped past validation.
fn huge_app(huge: Duration) -> App {
    let mut rb = runbook::parse(RUNBOOK)
        .unwrap_or_else(|d| panic!("{d:?}"))
        .runbook;
    rb.meta.start = Some(datetime!(9999-12-31 23:59:59 UTC));
    for plan in &mut rb.traffic.as_mut().unwrap().plan {
        plan.bake = Some(huge);
    }
    for phase in &mut rb.phases {
        for step in &mut phase.steps {
            step.planned = Some(huge);
            match &mut step.kind {
                StepKind::Wait { duration } => *duration = huge,
                StepKind::Gate { timeout, .. } => *timeout = Some(huge),
                _ => {}
            }
        }
    }
    let mut app = support::started_app(rb, "huge.toml", Some(RunMode::Live));
    app.mode = Mode::Live;
    app
}

fn draw(app: &App) {
    let frame = text(&render(app, 120, 40, false));
    assert!(frame.contains("Huge"), "{frame}");
}

#[test]
fn huge_durations_and_a_far_start_never_panic_the_cockpit() {
    for huge in HUGE {
        let mut app = huge_app(huge);
        draw(&app);
        tick(&mut app, 1);
        draw(&app);
        // Every step in turn: the wait and the gate timeout run from here, the shift bakes.
        keys(&mut app, &[Key::Char(' ')]);
        app.selected = app.row_of_step("settle").unwrap();
        keys(&mut app, &[Key::Char(' ')]);
        app.selected = app.row_of_step("go").unwrap();
        keys(&mut app, &[Key::Char('g'), Key::Char(' '), Key::Char('y')]);
        draw(&app);
        app.selected = app.row_of_step("shift10").unwrap();
        let mut effects = keys(&mut app, &[Key::Char('t')]);
        effects.extend(keys(&mut app, &typed("SHIFT")));
        effects.extend(keys(&mut app, &[Key::Enter]));
        if let Some((id, _)) = starts(&effects).first().copied() {
            end(&mut app, id, true, "exit 0");
        }
        assert_eq!(app.green(), 10, "the shift was made and now bakes");
        for _ in 0..3 {
            tick(&mut app, 3600);
            draw(&app);
        }
        app.update(Msg::Tick(datetime!(9999-12-31 23:59:58 UTC)));
        draw(&app);
        let _ = app.projected_end();
        let _ = app.clock_offset();
    }
}

/// A journal's records hold times, not durations: one from the far end of the calendar (a
/// clock gone wrong, a hand-edited file) replays, draws and ticks on without a panic.
#[test]
fn a_journal_from_the_end_of_the_calendar_still_resumes() {
    let rb = runbook::parse(RUNBOOK)
        .unwrap_or_else(|d| panic!("{d:?}"))
        .runbook;
    let far = datetime!(9999-12-31 23:59:59 UTC);
    let started = Event::RunStarted {
        runbook_path: "huge.toml".into(),
        runbook_name: "Huge".into(),
        step_fingerprints: rb.step_fingerprints(),
        mode: Some(RunMode::Live),
    };
    let ticked = Event::StepTicked {
        step: "announce".into(),
    };
    let mut app = App::new(rb, "op@bastion".into(), "run-1".into(), NOW);
    app.replay([(NOW, "op@bastion", &started), (far, "op@bastion", &ticked)]);
    draw(&app);
    app.update(Msg::Tick(NOW));
    draw(&app);
    app.update(Msg::Tick(far));
    draw(&app);
    let _ = app.wait_timer("settle");
    let _ = app.projected_end();
}
