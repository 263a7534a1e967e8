//! Team mode in `update`, as data: sign-offs signed by name from a cockpit without the seat, a
//! watcher that signs nothing, other cockpits' signatures ticking the gate, and the seat lost
//! and regained.

mod support;

use flightdeck::app::{Effect, Key, Layer, Mode, Msg};
use flightdeck::journal::{Event, Record};
use support::{NOW, fresh_app, keys};

fn team_app(member: bool) -> flightdeck::app::App {
    let mut app = fresh_app();
    app.team = true;
    app.team_member = member;
    app.mode = Mode::ReadOnly;
    app.seat_note = Some("seat held by lead@a pid 1".into());
    app
}

fn signed(effects: &[Effect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(Event::SignedOff { step, signoff }) => {
                Some((step.clone(), signoff.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_team_member_without_the_seat_signs_under_their_name() {
    let mut app = team_app(true);
    let effects = keys(&mut app, &[Key::Char('g'), Key::Char(' ')]);
    assert_eq!(signed(&effects), [("go".into(), "Team ready".into())]);
    assert_eq!(app.signatures("go"), [Some("op@bastion".to_string())]);
    // A signature stands: Space again does not take it back.
    let again = keys(&mut app, &[Key::Char(' ')]);
    assert!(signed(&again).is_empty());
    assert!(
        app.flash
            .as_deref()
            .unwrap_or("")
            .contains("signed by op@bastion")
    );
    // Deciding stays the seat's.
    let decide = keys(&mut app, &[Key::Char('y')]);
    assert!(decide.is_empty(), "{decide:?}");
}

#[test]
fn a_watcher_signs_nothing() {
    let mut app = team_app(false);
    let effects = keys(&mut app, &[Key::Char('g'), Key::Char(' ')]);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.signatures("go"), [None]);
}

#[test]
fn another_cockpits_signature_ticks_the_open_gate() {
    let mut app = team_app(true);
    keys(&mut app, &[Key::Char('g')]);
    let record = Record {
        v: 1,
        seq: 2,
        time: "2026-12-05T21:31:00Z".into(),
        operator: "dba@b".into(),
        run: "run-1".into(),
        runbook_hash: "h".into(),
        prev: String::new(),
        event: Event::SignedOff {
            step: "go".into(),
            signoff: "Team ready".into(),
        },
        hash: String::new(),
    };
    app.update(Msg::TeamRecords(vec![record]));
    match app.layers.last() {
        Some(Layer::Gate(d)) => assert_eq!(d.ticked, [true]),
        other => panic!("the gate is open: {other:?}"),
    }
    assert_eq!(app.signatures("go"), [Some("dba@b".to_string())]);
}

#[test]
fn a_lost_seat_stops_actions_and_a_renewed_one_gives_them_back() {
    let mut app = fresh_app();
    app.team = true;
    app.team_member = true;
    app.now = NOW;
    assert_eq!(app.mode, Mode::Live);
    app.update(Msg::SeatLost("cannot renew the seat".into()));
    assert_eq!(app.mode, Mode::ReadOnly);
    assert!(!app.may_act());
    assert!(app.seat_note.as_deref().unwrap().starts_with("SEAT LOST"));
    // Nothing that needs the seat is recorded meanwhile.
    let tick = keys(&mut app, &[Key::Char(' ')]);
    assert!(tick.is_empty(), "{tick:?}");
    app.update(Msg::SeatBack);
    assert_eq!(app.mode, Mode::Live);
    assert_eq!(app.seat_note, None);
}
