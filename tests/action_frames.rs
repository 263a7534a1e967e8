//! Snapshots of the action dialogs at 80x24: what the operator reads before typing the word.

mod support;

use flightdeck::app::{ActionUpdate, App, Key, Mode, Msg};
use support::acting::*;
use support::{keys, typed};

fn screen(app: &App) -> String {
    support::frames::text(&support::frames::render(app, 80, 24, false))
}

#[test]
fn command_confirmation() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter]);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn output_of_a_running_command() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    for (stderr, text) in [(false, "dumping table books"), (true, "warning: slow disk")] {
        let update = ActionUpdate::Line {
            stderr,
            text: text.into(),
        };
        app.update(Msg::Action { id: 1, update });
    }
    tick(&mut app, 12);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn shift_dialog_with_the_word_half_typed() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Char('t')]);
    app.update(Msg::TrafficRead(Ok(0)));
    keys(&mut app, &typed("SHI"));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn rollback_dialog_in_rehearsal() {
    let mut app = acting_app(Mode::Rehearsal);
    keys(&mut app, &[Key::Char('R')]);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn rollback_step_failed() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Char('R')]);
    keys(&mut app, &typed("ROLLBACK"));
    keys(&mut app, &[Key::Enter]);
    end(&mut app, 1, true, "exit 0 in 0.1s");
    end(&mut app, 2, false, "exit 1 in 0.2s");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn breach_prompt() {
    let mut app = acting_app(Mode::Live);
    gate_passed(&mut app);
    keys(&mut app, &[Key::Char('t')]);
    keys(&mut app, &typed("SHIFT"));
    keys(&mut app, &[Key::Enter]);
    end(&mut app, 1, true, "exit 0");
    feed(&mut app, "errors", 2.5);
    tick(&mut app, 1);
    insta::assert_snapshot!(screen(&app));
}

/// The largest seed rollback plan, at 80x24: the typed word and the first steps are in sight,
/// the rest scrolls with the arrows while the word keeps the keyboard.
#[test]
fn the_largest_rollback_plan_fits_at_80x24() {
    let rb = flightdeck::runbook::parse(include_str!(
        "../runbooks/cloudshelf-dynamodb-to-postgres.toml"
    ))
    .unwrap_or_else(|d| panic!("seed invalid: {d:?}"))
    .runbook;
    let mut app = App::new(rb, "op@bastion".into(), "run-1".into(), support::NOW);
    app.mode = Mode::Rehearsal;
    keys(&mut app, &[Key::Char('R')]);
    let shown = screen(&app);
    assert!(shown.contains("Type ROLLBACK to roll back: █"), "{shown}");
    assert!(
        shown.contains("1. Switch API Gateway back to Phase 1"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
    // Down the list: the last step comes into sight, the word is still there and still typed.
    keys(
        &mut app,
        &[Key::PageDown, Key::PageDown, Key::Down, Key::Down],
    );
    keys(&mut app, &typed("ROLL"));
    let shown = screen(&app);
    assert!(
        shown.contains("12. Post-rollback: reschedule migration"),
        "{shown}"
    );
    assert!(
        shown.contains("Type ROLLBACK to roll back: ROLL█"),
        "{shown}"
    );
    assert!(!shown.contains("1. Switch API Gateway"), "{shown}");
    keys(&mut app, &[Key::PageUp, Key::PageUp, Key::PageUp]);
    assert!(screen(&app).contains("1. Switch API Gateway"));

    // The progress follows the step the rollback is at.
    keys(&mut app, &typed("BACK"));
    keys(&mut app, &[Key::Enter]);
    for id in 1..=3 {
        end(&mut app, id, true, "would run (rehearsal)");
    }
    let shown = screen(&app);
    assert!(shown.contains("✔ 3. Verify the prod stage"), "{shown}");
    for _ in 0..8 {
        keys(&mut app, &[Key::Enter]);
        if app.rollback_asking().is_some() {
            keys(&mut app, &[Key::Char('r')]);
        }
    }
    let shown = screen(&app);
    assert!(
        shown.contains("12. Post-rollback: reschedule migration"),
        "{shown}"
    );
    assert!(shown.contains("step 12 is done by hand"), "{shown}");
    assert!(shown.contains("Enter done"), "{shown}");
}

/// Team mode, the database unreachable: the word, then the second confirmation says what
/// acting without the seat means, at 80x24; once confirmed, the header says so.
#[test]
fn the_rollback_without_the_seat_asks_once_more_at_80x24() {
    let mut app = acting_app(Mode::Live);
    app.team = true;
    app.team_member = true;
    app.update(Msg::StoreLost("connection refused".into()));
    app.update(Msg::SeatLost("cannot renew the seat".into()));
    keys(&mut app, &[Key::Char('R')]);
    let shown = screen(&app);
    assert!(shown.contains("after the word, y confirms"), "{shown}");
    keys(&mut app, &typed("ROLLBACK"));
    keys(&mut app, &[Key::Enter]);
    let shown = screen(&app);
    for said in [
        "ROLLBACK WITHOUT THE SEAT?",
        "The team database is UNREACHABLE.",
        "ACT WITHOUT THE SEAT",
        "y roll back without the seat",
        "READ-ONLY",
    ] {
        assert!(shown.contains(said), "{said}: {shown}");
    }
    insta::assert_snapshot!(shown);
    keys(&mut app, &[Key::Char('y')]);
    assert!(screen(&app).contains("WITHOUT SEAT"));
}
