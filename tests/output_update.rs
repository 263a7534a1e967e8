//! The output pane as data: keys and lines in, view, redraws and file reads out.

mod support;

use flightdeck::app::output::MEMORY_LINES;
use flightdeck::app::{ActionUpdate, Effect, Key, Layer, Mode, Msg};
use support::acting::*;
use support::keys;

fn line(app: &mut flightdeck::app::App, text: String) -> Vec<Effect> {
    app.update(Msg::Action {
        id: 1,
        update: ActionUpdate::Line {
            stderr: false,
            text,
        },
    })
}

/// The fixture's first command running, its pane open.
fn running() -> flightdeck::app::App {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Enter, Key::Tab, Key::Enter]);
    assert_eq!(app.top_layer(), Some(&Layer::Output));
    app
}

#[test]
fn r_typed_into_the_search_is_a_letter_not_the_rollback() {
    let mut app = running();
    keys(&mut app, &[Key::Char('/'), Key::Char('R'), Key::Char('q')]);
    assert_eq!(
        app.top_layer(),
        Some(&Layer::Output),
        "no rollback dialog, pane open"
    );
    let query = &app
        .running
        .as_ref()
        .unwrap()
        .view
        .search
        .as_ref()
        .unwrap()
        .input
        .text;
    assert_eq!(query, "Rq");
    assert_eq!(
        keys(&mut app, &[Key::Ctrl('c')]),
        vec![Effect::Interrupt(1)],
        "Ctrl-C interrupts even while a query is typed"
    );
    keys(&mut app, &[Key::Esc]);
    keys(&mut app, &[Key::Char('R')]);
    assert!(
        matches!(app.top_layer(), Some(Layer::Rollback { .. })),
        "outside the query R opens the rollback: {:?}",
        app.top_layer()
    );
}

#[test]
fn lines_redraw_only_while_the_pane_shows_them() {
    let mut app = running();
    app.dirty = false;
    line(&mut app, "shown".into());
    assert!(app.dirty, "the pane is open");
    keys(&mut app, &[Key::Esc]);
    app.dirty = false;
    line(&mut app, "not shown".into());
    assert!(!app.dirty, "nothing on screen changed");
    assert_eq!(
        app.running.as_ref().unwrap().lines.total(),
        2,
        "kept all the same"
    );
}

#[test]
fn scrolled_back_past_memory_the_pane_reads_the_kept_file() {
    let mut app = running();
    for i in 0..MEMORY_LINES + 300 {
        assert!(line(&mut app, format!("line {i}")).is_empty());
    }
    let effects = keys(&mut app, &[Key::Home]);
    assert_eq!(
        effects,
        vec![Effect::ReadOutput {
            id: 1,
            first: 0,
            count: 300
        }],
        "the first 300 lines left memory"
    );
    assert!(keys(&mut app, &[Key::Down]).is_empty(), "asked once");
    app.update(Msg::Action {
        id: 1,
        update: ActionUpdate::Spilled {
            first: 0,
            lines: (0..300).map(|i| format!("line {i}")).collect(),
        },
    });
    let screen = support::frames::text(&support::frames::render(&app, 80, 24, false));
    assert!(
        screen.contains("line 1 ") || screen.contains("line 1│"),
        "{screen}"
    );
    assert!(screen.contains("lines 2-18 of 100,300"), "{screen}");
}
