//! An observer's `update`, as data: records from the follower fold into progress exactly as a
//! resume would, mark the screen for redrawing, and stop mattering once this session holds the
//! seat; the seat's state and a stopped follower reach the header.

mod support;

use flightdeck::app::{App, Mode, Msg, Status};
use flightdeck::journal::event::Action;
use flightdeck::journal::seat::{Holder, SeatView};
use flightdeck::journal::{Event, Record};
use support::frames::{render, text};
use support::{NOW, fresh_app};

/// Records as the holder would have written them, one minute apart from NOW (the follower has
/// already checked their chain; `update` takes them as they come).
fn records(events: Vec<Event>) -> Vec<Record> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            let at = NOW + time::Duration::minutes(i as i64 + 1);
            Record {
                v: flightdeck::journal::record::FORMAT,
                seq: i as u64 + 2,
                time: at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap(),
                operator: "lead@bastion".into(),
                run: "run-1".into(),
                runbook_hash: "h".into(),
                prev: "p".into(),
                event,
                without_seat: None,
                hash: "x".into(),
            }
        })
        .collect()
}

fn observer() -> App {
    let mut app = fresh_app();
    app.mode = Mode::ReadOnly;
    app.seat_note = Some("seat held by lead@bastion pid 42 since 21:30Z".into());
    app.dirty = false;
    app
}

fn the_holders_run() -> Vec<Record> {
    records(vec![
        Event::StepTicked {
            step: "announce".into(),
        },
        Event::NoteAdded {
            step: "announce".into(),
            text: "bridge says go".into(),
        },
        Event::GateDecided {
            step: "go".into(),
            go: true,
            overridden: Vec::new(),
            reason: None,
            evidence: Vec::new(),
            signoffs: vec!["Team ready".into()],
        },
        Event::ActionStarted {
            id: 1,
            action: Action::Shift {
                step: Some("shift10".into()),
                from_green: None,
                to_green: 10,
                request: "echo 10".into(),
            },
            rehearsal: false,
        },
        Event::ActionEnded {
            id: 1,
            ok: true,
            result: "exit 0".into(),
            output: Vec::new(),
            output_file: None,
        },
        Event::RollbackBegan {
            trigger: "typed by lead@bastion".into(),
            phase: None,
        },
    ])
}

#[test]
fn followed_records_apply_through_the_progress_fold_and_mark_the_screen_dirty() {
    let mut app = observer();
    assert_eq!(app.progress.status("announce"), Status::Pending);
    let effects = app.update(Msg::Journal(the_holders_run()));
    assert!(
        effects.is_empty(),
        "an observer asks for nothing: {effects:?}"
    );
    assert!(app.dirty, "the screen is redrawn");
    assert_eq!(app.progress.status("announce"), Status::Done);
    let note = &app.progress.state("announce").unwrap().notes[0];
    assert_eq!(
        (note.operator.as_str(), note.text.as_str()),
        ("lead@bastion", "bridge says go"),
        "the note is the holder's, not the observer's"
    );
    assert_eq!(
        note.at,
        NOW + time::Duration::minutes(2),
        "at its journal time"
    );
    assert_eq!(app.progress.status("go"), Status::Done);
    assert_eq!(app.progress.status("shift10"), Status::Done);
    assert_eq!(app.green(), 10);
    assert!(app.rollback_active());

    // The same as a fresh app replaying the whole journal.
    let mut replayed = fresh_app();
    let all = the_holders_run();
    replayed.replay(all.iter().map(|r| (r.at(), r.operator.as_str(), &r.event)));
    for id in ["backup", "announce", "freeze", "go", "shift10"] {
        assert_eq!(app.progress.state(id), replayed.progress.state(id), "{id}");
    }

    app.dirty = false;
    app.update(Msg::Journal(Vec::new()));
    assert!(!app.dirty, "nothing new, no redraw");
}

#[test]
fn once_this_session_holds_the_seat_followed_records_are_ignored() {
    let mut app = observer();
    app.mode = Mode::Live;
    app.update(Msg::Journal(the_holders_run()));
    assert_eq!(app.progress.status("announce"), Status::Pending);
    app.update(Msg::Seat(SeatView::Free));
    assert_eq!(
        app.seat_note.as_deref(),
        Some("seat held by lead@bastion pid 42 since 21:30Z"),
        "a late seat report does not touch a holder's header"
    );
}

#[test]
fn the_header_says_released_died_and_not_following() {
    let mut app = observer();
    let header = |app: &App| {
        text(&render(app, 100, 30, false))
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(header(&app).contains("seat held by lead@bastion"));

    app.update(Msg::Seat(SeatView::Free));
    assert!(app.dirty);
    assert!(header(&app).contains("seat released"), "{}", header(&app));

    let dead = Holder {
        pid: 4242,
        operator: "lead@bastion".into(),
        host: "bastion".into(),
        since: NOW,
    };
    app.update(Msg::Seat(SeatView::Died(dead.clone())));
    assert!(
        header(&app).contains("holder died (pid 4242)"),
        "{}",
        header(&app)
    );
    app.dirty = false;
    app.update(Msg::Seat(SeatView::Died(dead)));
    assert!(!app.dirty, "the same seat again is no change");

    app.update(Msg::FollowStopped(
        "line 7: content does not match its hash".into(),
    ));
    assert!(app.dirty);
    assert!(
        header(&app).contains("NOT FOLLOWING"),
        "a stopped follower outranks the seat: {}",
        header(&app)
    );
}

#[test]
fn a_session_offering_the_takeover_keeps_its_own_words_for_the_dead_holder() {
    let mut app = observer();
    app.seat_note = Some("seat left by lead@bastion pid 4242 since 21:30Z".into());
    app.layers.push(flightdeck::app::Layer::TakeOver {
        previous: "lead@bastion pid 4242 since 21:30Z".into(),
        input: Default::default(),
    });
    let dead = Holder {
        pid: 4242,
        operator: "lead@bastion".into(),
        host: "bastion".into(),
        since: NOW,
    };
    app.update(Msg::Seat(SeatView::Died(dead)));
    assert_eq!(
        app.seat_note.as_deref(),
        Some("seat left by lead@bastion pid 4242 since 21:30Z"),
        "not `restart to take over` beside the dialog that takes it over"
    );
}
