//! Team mode in `update`, as data: sign-offs signed by name from a cockpit without the seat, a
//! watcher that signs nothing, other cockpits' signatures ticking the gate, the seat lost
//! and regained, the emergency rollback without the store (a second confirmation, its records
//! kept on the bastion), and an expired seat offered to a running cockpit.

mod support;

use flightdeck::app::{ActionUpdate, Effect, Key, Layer, Mode, Msg};
use flightdeck::journal::event::Action;
use flightdeck::journal::pg::seat::TeamHolder;
use flightdeck::journal::{Event, Record};
use support::{NOW, fresh_app, keys, typed};

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
        without_seat: None,
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

/// A team cockpit that held the seat when the store went away: the follower alarmed and the
/// renewal failed.
fn store_lost_app() -> flightdeck::app::App {
    let mut app = fresh_app();
    app.team = true;
    app.team_member = true;
    app.now = NOW;
    app.update(Msg::StoreLost("connection refused".into()));
    app.update(Msg::SeatLost(
        "cannot renew the seat (connection refused)".into(),
    ));
    app
}

fn word_typed(app: &mut flightdeck::app::App) -> Vec<Effect> {
    let mut k = vec![Key::Char('R')];
    k.extend(typed("ROLLBACK"));
    k.push(Key::Enter);
    keys(app, &k)
}

#[test]
fn without_the_store_the_rollback_asks_again_then_keeps_its_records_here() {
    let mut app = store_lost_app();
    assert!(!app.may_act());
    // Nothing else starts or is recorded while the store is away.
    assert!(keys(&mut app, &[Key::Char(' ')]).is_empty());

    assert!(
        word_typed(&mut app).is_empty(),
        "the word alone acts on nothing"
    );
    assert!(matches!(
        app.top_layer(),
        Some(Layer::RollbackWithoutSeat { .. })
    ));
    // The Enter that finished the word, held: it repeats, and never confirms.
    let held = keys(
        &mut app,
        &[Key::Enter, Key::Enter, Key::Enter, Key::Char(' ')],
    );
    assert!(held.is_empty(), "{held:?}");
    assert!(matches!(
        app.top_layer(),
        Some(Layer::RollbackWithoutSeat { .. })
    ));
    assert!(!app.acting_without_seat);

    let effects = keys(&mut app, &[Key::Char('y')]);
    assert!(app.acting_without_seat);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Journal(_))),
        "nothing goes to the store: {effects:?}"
    );
    assert!(matches!(
        effects.first(),
        Some(Effect::JournalWithoutSeat(Event::RollbackBegan { .. }))
    ));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::JournalWithoutSeat(Event::ActionStarted {
            action: Action::RollbackStep { index: 0, .. },
            rehearsal: false,
            ..
        })
    )));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Start { id, .. } => Some(*id),
            _ => None,
        })
        .expect("the first rollback step starts");

    // Each step's result is kept too, and the next step starts, until the rollback ends.
    let mut id = id;
    let mut kept = Vec::new();
    for _ in 0..2 {
        let ended = app.update(Msg::Action {
            id,
            update: ActionUpdate::Ended {
                ok: true,
                result: "exit 0".into(),
                output_file: None,
            },
        });
        assert!(
            ended
                .iter()
                .all(|e| matches!(e, Effect::JournalWithoutSeat(_) | Effect::Start { .. })),
            "{ended:?}"
        );
        if let Some(next) = ended.iter().find_map(|e| match e {
            Effect::Start { id, .. } => Some(*id),
            _ => None,
        }) {
            id = next;
        }
        kept.extend(ended);
    }
    assert!(kept.iter().any(|e| matches!(
        e,
        Effect::JournalWithoutSeat(Event::RollbackEnded { completed: true })
    )));
    assert!(
        !app.acting_without_seat,
        "the rollback ended, and with it acting without the seat"
    );
    assert_eq!(app.without_seat_pending, app.progress.actions.len() * 2 + 2);
    // Once over, nothing more is kept here: a tick waits for the store like before.
    assert!(keys(&mut app, &[Key::Esc, Key::Char(' ')]).is_empty());

    // The store takes them when it answers again.
    app.update(Msg::StoreBack);
    app.update(Msg::UploadedWithoutSeat(Ok(6)));
    assert_eq!(app.without_seat_pending, 0);
}

#[test]
fn the_second_confirmation_cancels_with_esc_and_a_cockpit_that_never_held_the_seat_rolls_nothing_back()
 {
    let mut app = store_lost_app();
    word_typed(&mut app);
    assert!(keys(&mut app, &[Key::Esc]).is_empty());
    assert!(app.layers.is_empty());
    assert!(!app.acting_without_seat);

    // A team member following the seat's holder: the holder rolls back, not this cockpit.
    let mut follower = team_app(true);
    follower.update(Msg::StoreLost("connection refused".into()));
    assert!(!follower.may_roll_back_without_seat());
    assert!(word_typed(&mut follower).is_empty());
    assert!(follower.layers.is_empty());
    assert!(
        follower
            .flash
            .as_deref()
            .unwrap_or("")
            .contains("read-only"),
        "{:?}",
        follower.flash
    );
}

#[test]
fn with_the_store_reachable_the_rollback_goes_through_the_seat_as_ever() {
    let mut app = fresh_app();
    app.team = true;
    app.team_member = true;
    let effects = word_typed(&mut app);
    assert!(matches!(
        effects.first(),
        Some(Effect::Journal(Event::RollbackBegan { .. }))
    ));
    assert!(!app.acting_without_seat);
}

#[test]
fn a_running_cockpit_is_offered_an_expired_seat_once_with_the_word() {
    let holder = TeamHolder {
        operator: "lead@a".into(),
        pid: 1,
    };
    let expired = Msg::TeamSeatExpired {
        previous: holder.clone(),
        epoch: 4,
    };
    // A watcher follows; it takes nothing.
    let mut watcher = team_app(false);
    watcher.update(expired.clone());
    assert!(watcher.layers.is_empty());

    let mut app = team_app(true);
    app.update(expired.clone());
    assert!(matches!(app.top_layer(), Some(Layer::TakeOver { .. })));
    assert_eq!(
        app.seat_note.as_deref(),
        Some("seat lease of lead@a pid 1 expired")
    );
    let mut k = typed("TAKEOVER");
    k.push(Key::Enter);
    assert_eq!(keys(&mut app, &k), [Effect::TakeSeat]);

    // Declined, it is not offered again for the same epoch; a later expiry is offered.
    let mut app = team_app(true);
    app.update(expired.clone());
    assert_eq!(keys(&mut app, &[Key::Esc]), [Effect::DeclineSeat]);
    app.update(Msg::Tick(NOW));
    app.update(expired);
    assert!(app.layers.is_empty());
    app.update(Msg::TeamSeatExpired {
        previous: holder,
        epoch: 5,
    });
    assert!(matches!(app.top_layer(), Some(Layer::TakeOver { .. })));
}
