//! The screen is the truth (issue 11, points 1-5) as data: undo takes back only toggles, a
//! decided gate reopens only with its word and a reason, a rollback leaves the run ROLLED BACK
//! with its gate open again, shifts are held by their gate and bake, wait steps count, and the
//! read-back is watched and journaled once per change.

mod support;

use flightdeck::app::progress::RunState;
use flightdeck::app::{App, Effect, Key, Layer, Mode, Msg, Status};
use flightdeck::journal::Event;
use flightdeck::journal::event::{Action, RunMode, RunOutcome};
use flightdeck::runbook;
use flightdeck::telemetry::poller::Report;
use flightdeck::telemetry::{Reading, Sample};
use support::acting::*;
use support::{NOW, keys, typed};

/// A runbook with a manual step, a wait, a gate, two shifts and a closing manual step.
fn walk_app() -> App {
    let text = r#"
[runbook]
name = "Walk"

[traffic]
set = "echo set {green}"
get = "echo 0"
plan = [{ green = 10, bake = "5m" }, { green = 100 }]

[[phase]]
id = "prep"
title = "Prep"

[[phase.step]]
id = "announce"
title = "Announce"

[[phase.step]]
id = "settle"
title = "Let it settle"
wait = "2m"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = []
signoff = ["Team ready"]

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

[[phase.step]]
id = "confirm"
title = "Confirm"

[rollback]
steps = [{ title = "All to blue", traffic = { green = 0 } }]
"#;
    let rb = runbook::parse(text)
        .unwrap_or_else(|d| panic!("{d:?}"))
        .runbook;
    let mut app = support::started_app(rb, "walk.toml", Some(RunMode::Live));
    app.mode = Mode::Live;
    app
}

fn select(app: &mut App, step: &str) {
    app.selected = app.row_of_step(step).unwrap();
}

/// Ticks `announce`, waits out `settle` and ticks it, passes `go` by its sign-off.
fn walk_to_go(app: &mut App) {
    select(app, "announce");
    keys(app, &[Key::Char(' ')]);
    tick(app, 121);
    select(app, "settle");
    keys(app, &[Key::Char(' ')]);
    assert_eq!(app.progress.status("settle"), Status::Done);
    keys(app, &[Key::Char('g'), Key::Char(' '), Key::Char('y')]);
    assert_eq!(app.progress.status("go"), Status::Done);
}

/// `t`, the word, Enter, and the actuator's success.
fn shift(app: &mut App) -> Vec<Effect> {
    let mut effects = keys(app, &[Key::Char('t')]);
    effects.extend(keys(app, &typed("SHIFT")));
    effects.extend(keys(app, &[Key::Enter]));
    if let Some((id, _)) = starts(&effects).first().copied() {
        effects.extend(end(app, id, true, "exit 0"));
    }
    effects
}

#[test]
fn undo_takes_back_only_a_manual_toggle_never_a_decision_or_a_shift() {
    let mut app = walk_app();
    walk_to_go(&mut app);
    shift(&mut app);
    assert_eq!(app.green(), 10);
    assert_eq!(app.progress.status("shift10"), Status::Done);
    // Eight presses: the two manual ticks go back, nothing else does.
    for _ in 0..8 {
        keys(&mut app, &[Key::Char('u')]);
    }
    assert_eq!(app.progress.status("settle"), Status::Pending);
    assert_eq!(app.progress.status("announce"), Status::Pending);
    assert_eq!(app.progress.status("go"), Status::Done, "the GO stands");
    assert_eq!(
        app.progress.status("shift10"),
        Status::Done,
        "the shift stands"
    );
    assert_eq!(app.green(), 10);
    assert!(app.flash.as_deref().unwrap().contains("nothing to undo"));
}

#[test]
fn undo_reverts_a_reopen_and_a_skip_and_replays_the_same() {
    let mut app = walk_app();
    let mut journal = Vec::new();
    select(&mut app, "announce");
    journal.extend(keys(&mut app, &[Key::Char(' ')]));
    journal.extend(keys(&mut app, &[Key::Char(' ')])); // reopen
    assert_eq!(app.progress.status("announce"), Status::Pending);
    journal.extend(keys(&mut app, &[Key::Char('u')])); // undo the reopen: done again
    assert_eq!(app.progress.status("announce"), Status::Done);
    select(&mut app, "confirm");
    journal.extend(keys(&mut app, &[Key::Char('s')]));
    journal.extend(keys(&mut app, &typed("not needed today")));
    journal.extend(keys(&mut app, &[Key::Enter]));
    assert_eq!(app.progress.status("confirm"), Status::Skipped);
    journal.extend(keys(&mut app, &[Key::Char('u')]));
    assert_eq!(app.progress.status("confirm"), Status::Pending);

    // The journal replays to the same state.
    let mut again = walk_app();
    let events: Vec<Event> = events(&journal).into_iter().cloned().collect();
    again.replay(events.iter().map(|e| (NOW, "op@bastion", e)));
    for step in ["announce", "confirm"] {
        assert_eq!(again.progress.status(step), app.progress.status(step));
    }
}

#[test]
fn space_does_not_reopen_a_decided_gate_the_word_and_a_reason_do() {
    let mut app = walk_app();
    walk_to_go(&mut app);
    select(&mut app, "go");
    assert!(keys(&mut app, &[Key::Char(' ')]).is_empty());
    assert_eq!(app.progress.status("go"), Status::Done);

    keys(&mut app, &[Key::Enter, Key::Char('r')]);
    keys(&mut app, &typed("REOPEM"));
    assert!(keys(&mut app, &[Key::Enter]).is_empty(), "wrong word");
    keys(&mut app, &[Key::Backspace, Key::Char('N'), Key::Enter]);
    keys(&mut app, &typed("short"));
    assert!(keys(&mut app, &[Key::Enter]).is_empty(), "reason too short");
    keys(&mut app, &typed(" of breath: lag grew again"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert!(matches!(
        &events(&effects)[..],
        [Event::GateReopened { step, automatic: false, reason }] if step == "go" && reason.contains("lag grew")
    ));
    assert_eq!(app.progress.status("go"), Status::Pending);
    // Judged afresh: the sign-off must be ticked again, and u does not take the reopen back.
    assert!(matches!(app.top_layer(), Some(Layer::Gate(d)) if d.ticked == vec![false]));
    keys(&mut app, &[Key::Esc, Key::Char('u')]);
    assert_eq!(app.progress.status("go"), Status::Pending);
}

#[test]
fn a_shift_is_held_by_its_gate_and_its_bake_unless_overridden_with_a_reason() {
    let mut app = walk_app();
    // Gate not decided: the word leads to a reason, and nothing starts without one.
    let effects = shift(&mut app);
    assert!(starts(&effects).is_empty(), "{effects:?}");
    assert!(matches!(
        app.top_layer(),
        Some(Layer::Shift {
            reason: Some(_),
            ..
        })
    ));
    keys(&mut app, &typed("too short"));
    assert!(starts(&keys(&mut app, &[Key::Enter])).is_empty());
    keys(&mut app, &typed(", but the DBA said go on the phone"));
    let effects = keys(&mut app, &[Key::Enter]);
    let ev = events(&effects);
    assert!(
        matches!(ev[0], Event::HoldOverridden { hold, .. } if hold.contains("gate `go` is not GO")),
        "{ev:?}"
    );
    assert!(matches!(ev[1], Event::ActionStarted { .. }));
    end(&mut app, 1, true, "exit 0");
    assert_eq!(app.green(), 10);

    // The 5m bake holds the next shift the same way; after it, nothing holds (the gate was
    // overridden, not decided: it still holds).
    let effects = shift(&mut app);
    assert!(starts(&effects).is_empty());
    assert!(
        app.shift_holds(Some("shift100"))
            .iter()
            .any(|h| h.contains("bake at 10% green"))
    );
    keys(&mut app, &[Key::Esc]);
    walk_to_go(&mut app);
    tick(&mut app, 300);
    assert!(app.shift_holds(Some("shift100")).is_empty());
    let effects = shift(&mut app);
    assert_eq!(starts(&effects).len(), 1, "{effects:?}");
    assert_eq!(app.green(), 100);
}

#[test]
fn a_wait_step_is_ticked_only_after_its_timer_and_the_header_counts_down() {
    let mut app = walk_app();
    select(&mut app, "settle");
    assert!(keys(&mut app, &[Key::Char(' ')]).is_empty());
    assert!(app.flash.as_deref().unwrap().contains("timer starts when"));
    select(&mut app, "announce");
    keys(&mut app, &[Key::Char(' ')]);
    tick(&mut app, 30);
    select(&mut app, "settle");
    assert!(keys(&mut app, &[Key::Char(' ')]).is_empty());
    assert!(
        app.flash.as_deref().unwrap().contains("waits 1m more"),
        "{:?}",
        app.flash
    );
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(
        screen.lines().next().unwrap().contains("wait 1m"),
        "{screen}"
    );
    tick(&mut app, 90);
    let effects = keys(&mut app, &[Key::Char(' ')]);
    assert!(matches!(&events(&effects)[..], [Event::StepTicked { .. }]));
}

#[test]
fn after_a_rollback_the_run_is_rolled_back_and_the_plan_waits_for_its_gate_again() {
    let mut app = walk_app();
    walk_to_go(&mut app);
    shift(&mut app);
    keys(&mut app, &[Key::Char('R')]);
    keys(&mut app, &typed("ROLLBACK"));
    let effects = keys(&mut app, &[Key::Enter]);
    let id = starts(&effects)[0].0;
    let effects = end(&mut app, id, true, "exit 0");
    assert!(events(&effects).iter().any(|e| matches!(
        e,
        Event::GateReopened {
            automatic: true,
            ..
        }
    )));
    assert_eq!(app.progress.run_state(), RunState::RolledBack);
    assert_eq!(app.progress.status("shift10"), Status::RolledBack);
    assert_eq!(app.progress.status("go"), Status::Pending);
    assert_eq!(app.green(), 0);
    keys(&mut app, &[Key::Esc]);
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(screen.contains("ROLLED BACK"), "{screen}");
    assert!(screen.contains("rolled back Shift 10%"), "{screen}");
    assert!(!screen.contains("done    Shift 10%"), "{screen}");

    // The plan starts again from its first weight, held until the gate is decided again.
    assert_eq!(app.next_shift(), Some(10));
    assert!(!app.shift_holds(Some("shift10")).is_empty());
    keys(&mut app, &[Key::Char('g'), Key::Char(' '), Key::Char('y')]);
    let effects = shift(&mut app);
    assert!(matches!(
        started_actions(&effects)[0],
        Action::Shift { to_green: 10, .. }
    ));
    assert_eq!(app.progress.run_state(), RunState::Active);
}

#[test]
fn when_every_step_is_done_the_cockpit_offers_to_end_the_run() {
    let mut app = walk_app();
    walk_to_go(&mut app);
    shift(&mut app);
    tick(&mut app, 301);
    shift(&mut app);
    select(&mut app, "confirm");
    keys(&mut app, &[Key::Char(' ')]);
    assert_eq!(app.top_layer(), Some(&Layer::ConfirmEnd));
    let effects = keys(&mut app, &[Key::Char('y')]);
    assert!(matches!(
        &events(&effects)[..],
        [Event::RunEnded {
            outcome: RunOutcome::Completed,
            ..
        }]
    ));
    assert_eq!(app.progress.run_state(), RunState::Completed);
    // An ended run takes no more actions, not even a rollback: a fresh run does that.
    keys(&mut app, &[Key::Char('R')]);
    assert_eq!(app.top_layer(), None);
    assert!(app.flash.as_deref().unwrap().contains("opens a fresh run"));
    assert!(starts(&shift(&mut app)).is_empty());
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(screen.contains("COMPLETED"), "{screen}");
}

fn read_back(app: &mut App, green: Reading) -> Vec<Effect> {
    let sample = Sample::new("traffic.green", app.now, green);
    app.update(Msg::Telemetry(Report::Sample(sample)))
}

#[test]
fn the_polled_read_back_is_journaled_once_per_change_and_a_mismatch_alarms() {
    let mut app = walk_app();
    assert!(
        app.runbook.sources.iter().any(|s| s.id == "traffic.green"),
        "the read-back is a source"
    );
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(
        screen.lines().next().unwrap().contains("split unknown"),
        "{screen}"
    );

    let effects = read_back(&mut app, Reading::Number(0.0));
    assert!(matches!(
        &events(&effects)[..],
        [Event::TrafficObserved { green: Some(0), .. }]
    ));
    assert!(
        read_back(&mut app, Reading::Number(0.0)).is_empty(),
        "no change, no record"
    );
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(
        screen.lines().next().unwrap().contains("read B 100%"),
        "{screen}"
    );

    walk_to_go(&mut app);
    shift(&mut app);
    read_back(&mut app, Reading::Number(10.0));
    assert_eq!(app.traffic_mismatch(), None);
    // Someone moved the weights behind the cockpit's back.
    let effects = read_back(&mut app, Reading::Number(100.0));
    assert!(matches!(
        &events(&effects)[..],
        [Event::TrafficObserved {
            green: Some(100),
            ..
        }]
    ));
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(screen.contains("MISMATCH: 100% G in force"), "{screen}");
    // A failing read is journaled once too, and never read as a value.
    let effects = read_back(&mut app, Reading::Error("connection refused".into()));
    assert!(matches!(
        &events(&effects)[..],
        [Event::TrafficObserved { green: None, .. }]
    ));
    assert!(read_back(&mut app, Reading::Error("timeout".into())).is_empty());
}

/// A native actuator reads weights someone set by hand (Route 53 blue 200, green 55) as
/// 21.6 %: the split in force is 22 %, as the shift dialog rounds it, not 21.
#[test]
fn a_fractional_read_back_is_rounded_not_cut() {
    let mut app = walk_app();
    read_back(&mut app, Reading::Number(55.0 * 100.0 / 255.0));
    assert_eq!(
        app.traffic_read.as_ref().map(|r| r.green.clone()),
        Some(Ok(22))
    );
}

#[test]
fn a_gate_may_use_the_read_back_as_a_source() {
    let text = r#"
[runbook]
name = "Drift gate"
[traffic]
set = "echo {green}"
get = "echo 0"
get_interval = "5s"
plan = [{ green = 100 }]
abort_when = ["traffic.green != 100"]
[[phase]]
id = "p"
title = "p"
[[phase.step]]
id = "go"
title = "go"
gate = ["traffic.green == 0"]
[rollback]
steps = [{ title = "back", traffic = { green = 0 } }]
"#;
    let rb = runbook::parse(text)
        .unwrap_or_else(|d| panic!("{d:?}"))
        .runbook;
    let source = rb.sources.iter().find(|s| s.id == "traffic.green").unwrap();
    assert_eq!(source.interval, std::time::Duration::from_secs(5));
    let mut app = App::new(rb, "op".into(), "r".into(), NOW);
    read_back(&mut app, Reading::Number(0.0));
    let verdicts = app.evaluate_gate("go");
    assert_eq!(
        verdicts[0].verdict,
        flightdeck::gates::Verdict::Pass,
        "{verdicts:?}"
    );

    let bad = text.replace("get_interval = \"5s\"", "get_interval = \"0s\"");
    let err = runbook::parse(&bad)
        .err()
        .expect("a zero interval is refused");
    assert!(format!("{err:?}").contains("get_interval is under 100ms"));
}
