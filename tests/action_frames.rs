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
