//! One actuating seat per run, with the real binary: a second cockpit on the same run is
//! read-only and names the holder; a seat left by a killed cockpit is taken over only with
//! the typed word.

mod support;

use flightdeck::app::{Effect, Key, Layer, Mode, TAKEOVER_WORD};
use support::cockpit::{Cockpit, Dirs, fixture};
use support::{fresh_app, keys, typed};

#[test]
fn a_read_only_app_records_nothing_and_says_so() {
    let mut app = fresh_app();
    app.mode = Mode::ReadOnly;
    app.seat_note = Some("seat held by op@other".into());
    let mut ks = vec![Key::Down, Key::Char(' '), Key::Char('n')];
    ks.extend(typed("hello"));
    ks.push(Key::Enter);
    let effects = keys(&mut app, &ks);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.flash.as_deref().unwrap().contains("read-only"));
}

#[test]
fn the_takeover_dialog_needs_the_exact_word() {
    let mut app = fresh_app();
    app.layers.push(Layer::TakeOver {
        previous: "op (pid 1)".into(),
        input: Default::default(),
    });
    let mut ks = typed("takeover");
    ks.push(Key::Enter);
    assert!(keys(&mut app, &ks).is_empty(), "lower case is not the word");
    for _ in 0..8 {
        keys(&mut app, &[Key::Backspace]);
    }
    let mut ks = typed(TAKEOVER_WORD);
    ks.push(Key::Enter);
    assert_eq!(keys(&mut app, &ks), vec![Effect::TakeSeat]);
    app.layers.push(Layer::TakeOver {
        previous: "op (pid 1)".into(),
        input: Default::default(),
    });
    assert_eq!(keys(&mut app, &[Key::Esc]), vec![Effect::DeclineSeat]);
}

#[test]
fn a_second_cockpit_is_read_only_and_a_dead_holder_can_be_replaced() {
    let dirs = Dirs::new();
    let book = fixture("small.toml");
    let first = Cockpit::start(&dirs, &["run", &book], 100, 30);
    first.wait_for("LIVE");

    let mut second = Cockpit::start(&dirs, &["run", &book], 100, 30);
    second.wait_for("READ-ONLY");
    second.wait_for("seat held by");
    let before = dirs.journal_lines();
    second.send("j ");
    second.wait_for("nothing is recorded");
    assert_eq!(dirs.journal_lines(), before, "the observer wrote nothing");
    second.quit();
    assert_eq!(dirs.journal_lines(), before, "not even its session end");

    // The holder dies without releasing the seat.
    // SAFETY: signals our own child.
    unsafe { libc::kill(first.pid(), libc::SIGKILL) };
    drop(first);

    let mut third = Cockpit::start(&dirs, &["run", &book], 100, 30);
    third.wait_for("Seat left behind");
    third.send("TAKEOVR\r");
    third.wait_for("type TAKEOVER exactly");
    third.send("\x7fER\r");
    third.wait_for("LIVE");
    third.wait_gone("Seat left behind");
    let before = dirs.journal_lines();
    // The manual step after the command step: a tick is journaled again.
    third.send("j ");
    third.wait_until("the tick journaled", |_| dirs.journal_lines() > before);
    third.quit();
}
