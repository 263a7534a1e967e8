//! Process groups a crash left behind, as data: a command's group is journaled once it started;
//! after a restart what the cockpit found of it is shown, and stopping it takes `k` and a
//! confirming `y`, journaled before the stop effect and after its result.

mod support;

use flightdeck::app::orphans::{Orphan, ProcessNews};
use flightdeck::app::{App, Effect, Key, Layer, Mode, Msg};
use flightdeck::journal::Event;
use flightdeck::journal::event::Action;
use flightdeck::orphans::{Liveness, ProcessGroup};
use support::acting::*;
use support::keys;

const GROUP: ProcessGroup = ProcessGroup {
    pgid: 4242,
    start_ticks: 987_654,
};

/// A resumed run whose command `backup` started as `GROUP` and never ended.
fn crashed(mode: Mode) -> App {
    let rb = actions_runbook();
    let started = Event::RunStarted {
        runbook_path: "actions.toml".into(),
        runbook_name: rb.meta.name.clone(),
        step_fingerprints: rb.step_fingerprints(),
        mode: None,
    };
    let action = Event::ActionStarted {
        id: 1,
        action: Action::Command {
            step: "backup".into(),
            command: "sleep 300".into(),
        },
        rehearsal: false,
    };
    let process = Event::ActionProcess {
        id: 1,
        pgid: GROUP.pgid,
        start_ticks: GROUP.start_ticks,
    };
    let mut app = App::new(rb, "op@bastion".into(), "run-1".into(), support::NOW);
    app.replay([
        (support::NOW, "op@bastion", &started),
        (support::NOW, "op@bastion", &action),
        (support::NOW, "op@bastion", &process),
    ]);
    app.mode = mode;
    app
}

fn checked(app: &mut App, liveness: Liveness) -> Vec<Effect> {
    app.update(Msg::Process(ProcessNews::Checked { id: 1, liveness }))
}

#[test]
fn a_started_command_journals_its_process_group() {
    let mut app = acting_app(Mode::Live);
    let effects = keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    assert_eq!(starts(&effects)[0].0, 1);
    let effects = app.update(Msg::Process(ProcessNews::Spawned {
        id: 1,
        group: GROUP,
    }));
    assert_eq!(
        events(&effects),
        vec![&Event::ActionProcess {
            id: 1,
            pgid: 4242,
            start_ticks: 987_654
        }]
    );
    assert_eq!(app.progress.actions[&1].process, Some(GROUP));
    // News of an action the run does not know is not journaled.
    let stray = app.update(Msg::Process(ProcessNews::Spawned {
        id: 9,
        group: GROUP,
    }));
    assert!(stray.is_empty());
}

#[test]
fn the_group_of_an_in_doubt_action_is_offered_to_the_cockpit_to_check() {
    let app = crashed(Mode::Live);
    assert_eq!(app.orphan_groups(), vec![(1, GROUP)]);
}

#[test]
fn a_live_orphan_is_stopped_only_after_y_and_the_stop_is_journaled_both_ways() {
    let mut app = crashed(Mode::Live);
    assert!(checked(&mut app, Liveness::Alive).is_empty());
    app.ask_about_doubt();
    assert!(matches!(
        app.top_layer(),
        Some(Layer::InDoubt { id: 1, .. })
    ));

    // `k`, then anything but `y`: nothing is stopped.
    assert!(keys(&mut app, &[Key::Char('k')]).is_empty());
    assert_eq!(app.top_layer(), Some(&Layer::StopOrphan { id: 1 }));
    for no in [Key::Char('n'), Key::Esc, Key::Enter, Key::Char('Y')] {
        assert!(keys(&mut app, &[no]).is_empty(), "{no:?}");
        assert!(matches!(app.top_layer(), Some(Layer::InDoubt { .. })));
        keys(&mut app, &[Key::Char('k')]);
    }

    let effects = keys(&mut app, &[Key::Char('y')]);
    assert_eq!(
        effects,
        vec![
            Effect::Journal(Event::OrphanStopAsked { id: 1, pgid: 4242 }),
            Effect::StopOrphan {
                id: 1,
                group: GROUP
            },
        ],
        "the intent is journaled before the stop"
    );
    assert_eq!(app.orphans[&1], Orphan::Stopping);
    assert!(matches!(app.top_layer(), Some(Layer::InDoubt { .. })));

    let result = "process group 4242 stopped by SIGTERM".to_string();
    let effects = app.update(Msg::Process(ProcessNews::Stopped {
        id: 1,
        result: result.clone(),
        alive: false,
    }));
    assert_eq!(
        events(&effects),
        vec![&Event::OrphanStopped {
            id: 1,
            result,
            alive: false
        }]
    );
    assert!(!app.orphans[&1].may_stop());
    assert_eq!(
        app.in_doubt(),
        vec![1],
        "stopping it does not say what it did"
    );
    keys(&mut app, &[Key::Char('k')]);
    assert!(
        matches!(app.top_layer(), Some(Layer::InDoubt { .. })),
        "nothing left to stop"
    );
}

#[test]
fn nothing_is_offered_to_stop_when_the_group_is_gone_or_its_pid_recycled() {
    for liveness in [Liveness::Gone, Liveness::Recycled] {
        let mut app = crashed(Mode::Live);
        checked(&mut app, liveness);
        app.ask_about_doubt();
        assert!(keys(&mut app, &[Key::Char('k'), Key::Char('y')]).is_empty());
        assert!(
            matches!(app.top_layer(), Some(Layer::InDoubt { .. })),
            "{liveness:?}"
        );
    }
}

#[test]
fn a_read_only_cockpit_sees_the_orphan_and_cannot_stop_it() {
    let mut app = crashed(Mode::ReadOnly);
    checked(&mut app, Liveness::Alive);
    app.layers.push(Layer::InDoubt {
        id: 1,
        verdict: None,
        input: Default::default(),
    });
    assert!(keys(&mut app, &[Key::Char('k'), Key::Char('y')]).is_empty());
    assert_eq!(app.orphans[&1], Orphan::Alive);
}

#[test]
fn journals_written_before_process_groups_still_read() {
    let old = r#"{"type":"action_started","id":1,"action":{"kind":"command","step":"s","command":"c"},"rehearsal":false}"#;
    assert!(serde_json::from_str::<Event>(old).is_ok());
    let new = serde_json::to_string(&Event::ActionProcess {
        id: 1,
        pgid: 7,
        start_ticks: 8,
    })
    .unwrap();
    assert_eq!(
        new,
        r#"{"type":"action_process","id":1,"pgid":7,"start_ticks":8}"#
    );
}
