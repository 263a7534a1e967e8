//! Quiet when nothing changes (issue 13), as data: which samples must reach the screen in the
//! next frame (`dirty`) and which may wait for the next telemetry frame, at most a second
//! later (`telemetry_changed`). And the telemetry pane builds only the rows in view, whatever
//! the number of sources.

mod support;

use flightdeck::app::{App, Key, Msg, Pane};
use flightdeck::runbook;
use flightdeck::telemetry::poller::Report;
use flightdeck::telemetry::{Reading, Sample};
use support::frames::text;
use support::{NOW, keys};
use time::Duration;

fn app() -> App {
    let text = include_str!("fixtures/telemetry.toml");
    let rb = runbook::parse(text)
        .unwrap_or_else(|d| panic!("fixture invalid: {d:?}"))
        .runbook;
    App::new(rb, "op@bastion".into(), "run-1".into(), NOW)
}

/// Feeds a sample measured `secs_ago` and says what it asked of the screen: (at once, later).
fn feed(app: &mut App, id: &str, secs_ago: i64, reading: Reading) -> (bool, bool) {
    app.dirty = false;
    app.telemetry_changed = false;
    let s = Sample::new(id, NOW - Duration::seconds(secs_ago), reading);
    app.update(Msg::Telemetry(Report::Sample(s)));
    (app.dirty, app.telemetry_changed)
}

fn up(ms: f64) -> Reading {
    Reading::Up { latency_ms: ms }
}

const AT_ONCE: (bool, bool) = (true, false);
const LATER: (bool, bool) = (false, true);

#[test]
fn a_new_value_within_its_level_waits_for_the_telemetry_frame() {
    let mut app = app();
    assert_eq!(
        feed(&mut app, "blue", 1, up(12.0)),
        AT_ONCE,
        "the first value"
    );
    assert_eq!(feed(&mut app, "blue", 0, up(14.0)), LATER, "OK to OK");
    assert_eq!(feed(&mut app, "lag", 0, Reading::Number(3.0)), AT_ONCE);
    assert_eq!(feed(&mut app, "lag", 0, Reading::Number(4.5)), LATER);
}

#[test]
fn a_threshold_crossing_shows_at_once_both_ways() {
    let mut app = app();
    feed(&mut app, "blue", 1, up(12.0));
    assert_eq!(feed(&mut app, "blue", 0, up(250.0)), AT_ONCE, "OK to WARN");
    assert_eq!(
        feed(&mut app, "blue", 0, up(1500.0)),
        AT_ONCE,
        "WARN to FAIL"
    );
    assert_eq!(feed(&mut app, "blue", 0, up(1600.0)), LATER, "FAIL to FAIL");
    assert_eq!(feed(&mut app, "blue", 0, up(20.0)), AT_ONCE, "FAIL to OK");
}

#[test]
fn a_source_going_down_or_erring_shows_at_once() {
    let mut app = app();
    feed(&mut app, "green", 1, up(12.0));
    let down = Reading::Down {
        reason: "status 503".into(),
    };
    assert_eq!(feed(&mut app, "green", 0, down), AT_ONCE, "UP to DOWN");
    assert_eq!(feed(&mut app, "green", 0, up(12.0)), AT_ONCE, "DOWN to UP");
    // A source that never measured anything says ERROR at once.
    let error = || Reading::Error("AccessDenied".into());
    assert_eq!(feed(&mut app, "lag", 0, error()), AT_ONCE, "-- to ERROR");
    // One that has a fresh value keeps showing it until it goes stale: the error is in its
    // detail, and the row changes at the tick that makes the value stale.
    feed(&mut app, "errors", 0, Reading::Number(0.1));
    assert_eq!(
        feed(&mut app, "errors", 0, error()),
        LATER,
        "a value, then an error"
    );
}

#[test]
fn a_value_going_stale_shows_on_the_next_tick() {
    let mut app = app();
    feed(&mut app, "blue", 0, up(12.0));
    // Stale after two intervals (the default 10 s): the word changes with the clock, not a
    // sample, and the clock's tick redraws.
    app.dirty = false;
    app.update(Msg::Tick(NOW + Duration::seconds(25)));
    assert!(app.dirty, "the tick that makes a value stale redraws");
    let screen = text(&support::frames::render(&app, 120, 30, false));
    let row = screen.lines().find(|l| l.contains("blue /health")).unwrap();
    assert!(row.contains("STALE"), "{row}");
}

#[test]
fn samples_of_unknown_sources_change_nothing() {
    let mut app = app();
    assert_eq!(feed(&mut app, "nope", 0, up(1.0)), (false, false));
}

#[test]
fn fresh_values_show_now_and_late_ones_their_age() {
    let mut app = app();
    // blue polls every 10 s (the default): 11 s is within an interval and the poll itself.
    feed(&mut app, "blue", 11, up(0.4));
    feed(&mut app, "lag", 75, Reading::Number(3.0));
    let screen = text(&support::frames::render(&app, 120, 30, false));
    let blue = screen.lines().find(|l| l.contains("blue /health")).unwrap();
    assert!(blue.contains("<1ms") && blue.contains("now"), "{blue}");
    let lag = screen.lines().find(|l| l.contains("DMS CDC")).unwrap();
    assert!(lag.contains("75s"), "a late value shows its age: {lag}");
}

/// A runbook of `n` http sources.
fn many_sources(n: usize) -> App {
    let mut text = String::from("[runbook]\nname = \"many\"\n");
    for i in 0..n {
        text += &format!(
            "[[source]]\nid = \"s{i}\"\nkind = \"http\"\nlabel = \"source {i:04}\"\n\
             url = \"http://127.0.0.1:9/{i}\"\n"
        );
    }
    text += "[[phase]]\nid = \"p\"\ntitle = \"P\"\n[[phase.step]]\nid = \"a\"\ntitle = \"A\"\n";
    text += "[rollback]\nsteps = [{ title = \"r\" }]\n";
    let rb = runbook::parse(&text).unwrap().runbook;
    App::new(rb, "op@bastion".into(), "run-1".into(), NOW)
}

#[test]
fn the_pane_scrolls_to_the_selection_among_a_thousand_sources() {
    let mut app = many_sources(1000);
    while app.focus != Pane::Telemetry {
        keys(&mut app, &[Key::Tab]);
    }
    for _ in 0..600 {
        keys(&mut app, &[Key::Down]);
    }
    let screen = text(&support::frames::render(&app, 120, 30, false));
    assert!(
        screen.contains("source 0600"),
        "the selection in view:\n{screen}"
    );
    assert!(
        !screen.contains("source 0000"),
        "the top scrolled away:\n{screen}"
    );
    // Rows are contiguous: the one above the selection is the source before it.
    let at = |label: &str| screen.lines().position(|l| l.contains(label));
    assert_eq!(
        at("source 0599").map(|r| r + 1),
        at("source 0600"),
        "{screen}"
    );
    // The pane's right border shows where the window is, below the top.
    let buf = support::frames::render(&app, 120, 30, false);
    let border: String = (3..28).map(|y| buf[(119, y)].symbol()).collect();
    assert!(
        border.contains('┃') && !border.starts_with('┃'),
        "a scrollbar past the top: {border}"
    );
    keys(&mut app, &[Key::End]);
    let screen = text(&support::frames::render(&app, 120, 30, false));
    assert!(screen.contains("source 0999"), "the last source:\n{screen}");
}
