//! Actions and gate decisions folded from the journal: what a resumed run knows about them,
//! including actions left in doubt by a crash.

mod support;

use flightdeck::app::{Progress, Status};
use flightdeck::journal::Event;
use flightdeck::journal::event::Action;
use support::NOW;

fn cmd(step: &str) -> Action {
    Action::Command {
        step: step.into(),
        command: "pg_dump -Fc $DATABASE_URL".into(),
    }
}

fn fold(events: &[Event]) -> Progress {
    let mut p = Progress::default();
    for e in events {
        // Every event survives the journal's JSON as it is.
        let text = serde_json::to_string(e).unwrap();
        let back: Event = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, e);
        p.apply(&back, NOW, "op@bastion");
    }
    p
}

#[test]
fn a_started_action_without_an_end_is_open_and_its_step_running() {
    let p = fold(&[Event::ActionStarted {
        id: 1,
        action: cmd("backup"),
        rehearsal: false,
    }]);
    let open: Vec<u64> = p.open_actions().map(|(id, _)| id).collect();
    assert_eq!(open, vec![1]);
    assert_eq!(p.status("backup"), Status::Running);
    assert_eq!(p.next_action_id(), 2);
}

#[test]
fn ends_decide_the_step_and_close_the_action() {
    let p = fold(&[
        Event::ActionStarted {
            id: 1,
            action: cmd("backup"),
            rehearsal: false,
        },
        Event::ActionEnded {
            id: 1,
            ok: false,
            result: "exit 1 in 0.2s".into(),
            output: vec!["pg_dump: error".into()],
            output_file: None,
        },
        Event::ActionStarted {
            id: 2,
            action: cmd("migrate"),
            rehearsal: false,
        },
        Event::ActionEnded {
            id: 2,
            ok: true,
            result: "exit 0 in 3.0s".into(),
            output: vec![],
            output_file: None,
        },
    ]);
    assert_eq!(p.status("backup"), Status::Failed);
    assert_eq!(p.status("migrate"), Status::Done);
    assert_eq!(p.open_actions().count(), 0);
    assert_eq!(p.next_action_id(), 3);
}

#[test]
fn an_in_doubt_action_is_closed_by_what_the_operator_found() {
    let p = fold(&[
        Event::ActionStarted {
            id: 7,
            action: cmd("backup"),
            rehearsal: false,
        },
        Event::ActionResolved {
            id: 7,
            ok: true,
            note: "the dump file is complete".into(),
        },
    ]);
    assert_eq!(p.open_actions().count(), 0);
    assert_eq!(p.status("backup"), Status::Done);
    assert!(
        p.actions[&7]
            .ended
            .as_ref()
            .unwrap()
            .1
            .contains("dump file is complete")
    );
}

#[test]
fn gate_decisions_finish_or_fail_the_gate_step() {
    let p = fold(&[
        Event::GateDecided {
            step: "go1".into(),
            go: true,
            overridden: vec![],
            reason: None,
            evidence: vec![],
            signoffs: vec!["DBA".into()],
        },
        Event::GateDecided {
            step: "go2".into(),
            go: false,
            overridden: vec![],
            reason: Some("lag 42s".into()),
            evidence: vec![],
            signoffs: vec![],
        },
    ]);
    assert_eq!(p.status("go1"), Status::Done);
    assert_eq!(p.status("go2"), Status::Failed);
    assert_eq!(
        p.state("go2").unwrap().skip_reason.as_deref(),
        Some("NO-GO: lag 42s")
    );
}
