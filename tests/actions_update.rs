//! Commands, shifts, rollback and in-doubt actions as data: keys in, effects out. No action
//! starts without its confirmation, its intent is journaled before its start effect, and the
//! modes hold.

mod support;

use flightdeck::app::{ActionUpdate, Effect, Key, Layer, Mode, Msg, Status};
use flightdeck::journal::Event;
use flightdeck::journal::event::Action;
use support::acting::*;
use support::{keys, typed};

#[test]
fn a_command_runs_only_from_the_run_button_and_its_intent_comes_first() {
    let mut app = acting_app(Mode::Live);
    assert_eq!(app.selected_step().unwrap().id, "backup");

    // Enter opens the dialog with Cancel focused; a second Enter cancels.
    assert!(keys(&mut app, &[Key::Enter, Key::Enter]).is_empty());
    assert_eq!(app.top_layer(), None);

    let effects = keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    let command = "touch /tmp/flightdeck-test/backup && echo $API_ID $DB_PASSWORD";
    assert!(
        matches!(&effects[..], [Effect::Journal(Event::ActionStarted { id: 1, rehearsal: false, action: Action::Command { step, command: c } }), Effect::Start { id: 1, .. }] if step == "backup" && c == command),
        "{effects:?}"
    );
    assert_eq!(shell(starts(&effects)[0].1), command);
    assert_eq!(app.top_layer(), Some(&Layer::Output));
    assert_eq!(app.progress.status("backup"), Status::Running);

    // Output streams in; Ctrl-C asks for an interrupt; the end is journaled with the output.
    app.update(Msg::Action {
        id: 1,
        update: ActionUpdate::Line {
            stderr: false,
            text: "abc123 hunter2".into(),
        },
    });
    assert_eq!(
        keys(&mut app, &[Key::Ctrl('c')]),
        vec![Effect::Interrupt(1)]
    );
    let effects = end(&mut app, 1, true, "exit 0 in 0.1s");
    assert!(
        matches!(&effects[..], [Effect::Journal(Event::ActionEnded { id: 1, ok: true, output, .. })] if output == &vec!["abc123 hunter2".to_string()]),
        "{effects:?}"
    );
    assert_eq!(app.progress.status("backup"), Status::Done);
    keys(&mut app, &[Key::Esc]);
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(
        screen.contains("last run 21:30Z by op@bastion: exit 0 in 0.1s"),
        "{screen}"
    );
}

#[test]
fn the_confirmation_shows_environment_values_but_never_a_secret() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter]);
    let screen = support::frames::text(&support::frames::render(&app, 100, 30, false));
    assert!(
        screen.contains("$ touch /tmp/flightdeck-test/backup"),
        "{screen}"
    );
    assert!(screen.contains("API_ID = abc123"), "{screen}");
    assert!(
        screen.contains("DB_PASSWORD = $DB_PASSWORD (secret"),
        "{screen}"
    );
    assert!(!screen.contains("hunter2"), "{screen}");
    assert!(screen.contains("[ Cancel ]"), "{screen}");
}

#[test]
fn a_failed_command_marks_its_step_failed_and_can_run_again() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    end(&mut app, 1, false, "exit 2 in 0.0s");
    assert_eq!(app.progress.status("backup"), Status::Failed);
    keys(&mut app, &[Key::Esc]);
    let effects = keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    assert_eq!(starts(&effects).len(), 1);
    assert_eq!(starts(&effects)[0].0, 2);
}

#[test]
fn rehearsal_journals_would_run_and_starts_nothing() {
    let mut app = acting_app(Mode::Rehearsal);
    gate_passed(&mut app);
    let mut effects = keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    effects.extend(keys(&mut app, &[Key::Esc, Key::Char('t')]));
    effects.extend(keys(&mut app, &typed("SHIFT")));
    effects.extend(keys(&mut app, &[Key::Enter, Key::Char('R')]));
    effects.extend(keys(&mut app, &typed("ROLLBACK")));
    effects.extend(keys(&mut app, &[Key::Enter, Key::Enter]));
    assert!(starts(&effects).is_empty(), "{effects:?}");
    assert!(!effects.contains(&Effect::ReadTraffic));
    let started = events(&effects)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::ActionStarted {
                    rehearsal: true,
                    ..
                }
            )
        })
        .count();
    // The command, the shift, and the rollback's traffic, command and manual steps.
    assert_eq!(started, 5, "{effects:?}");
    assert!(events(&effects).iter().any(|e| matches!(
        e,
        Event::ActionEnded { ok: true, result, .. } if result.starts_with("would run")
    )));
    assert!(events(&effects).contains(&&Event::RollbackEnded { completed: true }));
}

#[test]
fn read_only_offers_nothing() {
    let mut app = acting_app(Mode::ReadOnly);
    let mut effects = keys(&mut app, &[Key::Enter]);
    assert_eq!(app.top_layer(), None, "no command dialog in read-only");
    for key in [Key::Char('t'), Key::Char('R'), Key::Ctrl('r')] {
        effects.extend(keys(&mut app, &[key]));
        assert_eq!(app.top_layer(), None);
        assert!(app.flash.as_deref().unwrap().contains("read-only"));
    }
    // The gate opens to look at, but decides nothing.
    effects.extend(keys(
        &mut app,
        &[Key::Char('g'), Key::Char(' '), Key::Char('n')],
    ));
    effects.extend(keys(&mut app, &typed("no")));
    effects.extend(keys(&mut app, &[Key::Enter]));
    assert!(effects.is_empty(), "{effects:?}");
}

/// The next shift of the plan, made as the plan wants it: after its gate's GO and the bake.
fn shift_to(app: &mut flightdeck::app::App, id: u64) -> Vec<Effect> {
    if app.progress.status("go") != Status::Done {
        gate_passed(app);
    }
    if let Some((until, _)) = app.bake() {
        tick(app, (until - app.now).whole_seconds() + 1);
    }
    let mut effects = keys(app, &[Key::Char('t')]);
    effects.extend(keys(app, &typed("SHIFT")));
    effects.extend(keys(app, &[Key::Enter]));
    effects.extend(end(app, id, true, "exit 0 in 0.0s"));
    effects
}

#[test]
fn a_shift_needs_the_exact_word_then_bakes_and_reads_back() {
    let mut app = acting_app(Mode::Live);
    gate_passed(&mut app);
    let effects = keys(&mut app, &[Key::Char('t')]);
    assert_eq!(
        effects,
        vec![Effect::ReadTraffic],
        "opening reads the weights in force"
    );
    assert!(matches!(
        app.top_layer(),
        Some(Layer::Shift { to_green: Some(10), step: Some(s), .. }) if s == "shift10"
    ));
    let mut effects = keys(&mut app, &typed("shift"));
    effects.extend(keys(&mut app, &[Key::Enter]));
    assert!(effects.is_empty(), "a wrong word shifts nothing");
    keys(&mut app, &[Key::Ctrl('u')]);
    keys(&mut app, &typed("SHIFT"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert_eq!(
        started_actions(&effects),
        vec![&Action::Shift {
            step: Some("shift10".into()),
            from_green: None,
            to_green: 10,
            request: "echo set 10 90".into(),
        }]
    );
    assert_eq!(shell(starts(&effects)[0].1), "echo set 10 90");
    let effects = end(&mut app, 1, true, "exit 0 in 0.0s");
    assert!(effects.contains(&Effect::ReadTraffic));
    assert_eq!(app.green(), 10);
    assert_eq!(app.progress.status("shift10"), Status::Done);
    assert!(app.bake().is_some(), "a 5m bake follows the 10% shift");

    // The read-back disagrees: flagged.
    app.update(Msg::TrafficRead(Ok(0)));
    assert_eq!(app.traffic_mismatch(), Some(0));
    app.update(Msg::TrafficRead(Ok(10)));
    assert_eq!(app.traffic_mismatch(), None);

    // The next `t` goes to 50.
    let effects = shift_to(&mut app, 2);
    assert_eq!(
        started_actions(&effects)[0],
        &Action::Shift {
            step: Some("shift50".into()),
            from_green: Some(10),
            to_green: 50,
            request: "echo set 50 50".into(),
        }
    );
    assert_eq!(app.green(), 50);
}

#[test]
fn a_breach_during_the_bake_prompts_once() {
    let mut app = acting_app(Mode::Live);
    feed(&mut app, "errors", 0.2);
    shift_to(&mut app, 1);
    let effects = tick(&mut app, 1);
    assert!(
        effects.is_empty(),
        "errors at 0.2% is no breach: {effects:?}"
    );
    feed(&mut app, "errors", 2.5);
    let effects = tick(&mut app, 1);
    assert!(
        matches!(
            &events(&effects)[..],
            [Event::BreachDetected {
                green: Some(10),
                ..
            }]
        ),
        "{effects:?}"
    );
    assert!(matches!(app.top_layer(), Some(Layer::Breach { .. })));
    assert!(
        tick(&mut app, 1).is_empty(),
        "a breach is acted on once per shift"
    );
    // After the bake, the same value is no breach of a bake.
    keys(&mut app, &[Key::Esc]);
    assert!(app.bake().is_some());
    tick(&mut app, 400);
    assert!(app.bake().is_none());
}

/// `R` from the breach prompt answers it: once the rollback begins the prompt is gone, so it
/// does not come back with stale evidence when the rollback's dialog closes.
#[test]
fn rolling_back_from_the_breach_prompt_answers_it() {
    let mut app = acting_app(Mode::Live);
    shift_to(&mut app, 1);
    feed(&mut app, "errors", 2.5);
    tick(&mut app, 1);
    assert!(matches!(app.top_layer(), Some(Layer::Breach { .. })));
    keys(&mut app, &[Key::Char('R')]);
    keys(&mut app, &typed("ROLLBACK"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert!(matches!(events(&effects)[0], Event::RollbackBegan { .. }));
    assert!(
        !app.layers.iter().any(|l| matches!(l, Layer::Breach { .. })),
        "{:?}",
        app.layers
    );
    keys(&mut app, &[Key::Esc]);
    assert_eq!(app.top_layer(), None);
}

#[test]
fn the_rollback_policy_rolls_back_by_itself_on_a_breach() {
    let mut app = acting_app(Mode::Live);
    app.runbook.traffic.as_mut().unwrap().on_breach = flightdeck::runbook::BreachPolicy::Rollback;
    shift_to(&mut app, 1);
    feed(&mut app, "errors", 5.0);
    let effects = tick(&mut app, 1);
    let ev = events(&effects);
    assert!(matches!(ev[0], Event::BreachDetected { .. }), "{ev:?}");
    assert!(matches!(ev[1], Event::RollbackBegan { trigger, .. } if trigger.contains("breach")));
    assert_eq!(shell(starts(&effects)[0].1), "echo set 0 100");
}

#[test]
fn rollback_runs_in_order_and_asks_on_a_failure() {
    let mut app = acting_app(Mode::Live);
    shift_to(&mut app, 1);
    // R inside the shift dialog's text field is a letter; Ctrl-R is the way out there.
    keys(&mut app, &[Key::Char('t'), Key::Char('R')]);
    assert!(matches!(app.top_layer(), Some(Layer::Shift { input, .. }) if input.text == "R"));
    keys(&mut app, &[Key::Ctrl('r')]);
    assert!(matches!(app.top_layer(), Some(Layer::Rollback { .. })));
    let mut effects = keys(&mut app, &typed("ROLLBACk"));
    effects.extend(keys(&mut app, &[Key::Enter]));
    assert!(effects.is_empty(), "the wrong word rolls nothing back");
    keys(&mut app, &[Key::Backspace, Key::Char('K')]);
    let effects = keys(&mut app, &[Key::Enter]);
    let ev = events(&effects);
    assert!(matches!(ev[0], Event::RollbackBegan { .. }));
    assert!(matches!(
        started_actions(&effects)[0],
        Action::RollbackStep {
            index: 0,
            to_green: Some(0),
            ..
        }
    ));
    assert_eq!(shell(starts(&effects)[0].1), "echo set 0 100");

    let effects = end(&mut app, 2, true, "exit 0");
    assert_eq!(app.green(), 0);
    assert_eq!(shell(starts(&effects)[0].1), "echo restore");
    assert!(
        end(&mut app, 3, false, "exit 1")
            .iter()
            .all(|e| !matches!(e, Effect::Start { .. }))
    );
    assert_eq!(app.rollback_failed(), Some(1));
    assert_eq!(app.top_layer(), Some(&Layer::RollbackRun));

    // Retry runs it again; skip moves on to the manual step, which waits for Enter.
    let effects = keys(&mut app, &[Key::Char('r')]);
    assert_eq!(shell(starts(&effects)[0].1), "echo restore");
    end(&mut app, 4, false, "exit 1");
    let effects = keys(&mut app, &[Key::Char('s')]);
    assert!(events(&effects).contains(&&Event::RollbackStepSkipped {
        index: 1,
        title: "Restore the backup".into()
    }));
    assert!(starts(&effects).is_empty());
    let effects = keys(&mut app, &[Key::Enter]);
    // The rollback ends, and the gate the shifts waited for opens again by itself.
    let ev = events(&effects);
    assert!(
        ev.windows(2).any(|w| matches!(
            w,
            [
                Event::RollbackEnded { completed: true },
                Event::GateReopened { step, automatic: true, .. }
            ] if step == "go"
        )),
        "{ev:?}"
    );
    assert!(!app.rollback_active());
}

#[test]
fn abort_stops_the_rollback_where_it_is() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Char('R')]);
    keys(&mut app, &typed("ROLLBACK"));
    keys(&mut app, &[Key::Enter]);
    end(&mut app, 1, false, "exit 1");
    let effects = keys(&mut app, &[Key::Char('a')]);
    assert_eq!(
        events(&effects),
        vec![&Event::RollbackEnded { completed: false }]
    );
    assert!(starts(&effects).is_empty());
}

#[test]
fn rollback_during_a_command_interrupts_it_first() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    keys(&mut app, &[Key::Char('R')]);
    keys(&mut app, &typed("ROLLBACK"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert_eq!(effects, vec![Effect::Interrupt(1)]);
    let effects = end(&mut app, 1, false, "interrupted (signal 2) after 0.3s");
    assert!(
        events(&effects)
            .iter()
            .any(|e| matches!(e, Event::RollbackBegan { .. }))
    );
    assert_eq!(shell(starts(&effects)[0].1), "echo set 0 100");
}

#[test]
fn an_action_in_doubt_blocks_actuation_until_resolved() {
    let rb = actions_runbook();
    let started = Event::RunStarted {
        runbook_path: "actions.toml".into(),
        runbook_name: rb.meta.name.clone(),
        step_fingerprints: rb.step_fingerprints(),
        mode: None,
    };
    let crashed = Event::ActionStarted {
        id: 1,
        action: Action::Command {
            step: "backup".into(),
            command: "touch x".into(),
        },
        rehearsal: false,
    };
    let mut app = flightdeck::app::App::new(rb, "op@bastion".into(), "run-1".into(), support::NOW);
    app.replay([
        (support::NOW, "op@bastion", &started),
        (support::NOW, "op@bastion", &crashed),
    ]);
    assert_eq!(app.in_doubt(), vec![1]);

    keys(&mut app, &[Key::Char('t')]);
    keys(&mut app, &typed("SHIFT"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert!(effects.is_empty());
    assert!(matches!(
        app.top_layer(),
        Some(Layer::InDoubt { id: 1, .. })
    ));

    keys(&mut app, &[Key::Char('n')]);
    assert!(
        keys(&mut app, &[Key::Enter]).is_empty(),
        "a note is required"
    );
    keys(&mut app, &typed("no backup file on the host"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert_eq!(
        events(&effects),
        vec![&Event::ActionResolved {
            id: 1,
            ok: false,
            note: "no backup file on the host".into()
        }]
    );
    assert!(app.in_doubt().is_empty());
    assert_eq!(app.progress.status("backup"), Status::Failed);
    let effects = shift_to(&mut app, 2);
    assert_eq!(starts(&effects).len(), 1);
}

#[test]
fn quitting_while_a_command_runs_asks_and_interrupts_it() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter, Key::Esc]);
    assert!(keys(&mut app, &[Key::Char('q')]).is_empty());
    assert_eq!(app.top_layer(), Some(&Layer::ConfirmQuit));
    let effects = keys(&mut app, &[Key::Char('y')]);
    assert_eq!(effects[0], Effect::Interrupt(1));
    assert_eq!(effects.last(), Some(&Effect::Quit));
}

#[test]
fn nothing_else_actuates_while_a_rollback_is_under_way() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Char('R')]);
    keys(&mut app, &typed("ROLLBACK"));
    keys(&mut app, &[Key::Enter]);
    end(&mut app, 1, false, "exit 1");
    keys(&mut app, &[Key::Esc, Key::Char('t')]);
    keys(&mut app, &typed("SHIFT"));
    let mut effects = keys(&mut app, &[Key::Enter]);
    effects.extend(keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]));
    assert!(starts(&effects).is_empty(), "{effects:?}");
    assert!(
        app.flash
            .as_deref()
            .unwrap()
            .contains("rollback is under way")
    );
}
