//! Frames at 80x24 with a fixed clock, snapshotted as text. Colours are not in the snapshot,
//! so the styles that carry meaning are asserted on cells.

mod support;

use flightdeck::app::{App, Key};
use flightdeck::theme::Theme;
use ratatui::style::Modifier;
use support::frames::{render, text};
use support::*;

fn walked_app() -> App {
    let mut app = fresh_app();
    // Tick the manual step, then skip the command step before it with a reason.
    let mut ks = vec![Key::Down, Key::Char(' '), Key::Up, Key::Char('s')];
    ks.extend(typed("dump taken yesterday"));
    ks.extend([Key::Enter, Key::Char('n')]);
    ks.extend(typed("comms confirmed by mail"));
    ks.push(Key::Enter);
    keys(&mut app, &ks);
    app
}

#[test]
fn main_screen() {
    let app = walked_app();
    let buf = render(&app, 80, 24, false);
    insta::assert_snapshot!(text(&buf));
    // The selected row is drawn reversed, whatever the colours.
    let row = (0..24)
        .find(|y| {
            text(&buf)
                .lines()
                .nth(*y as usize)
                .unwrap()
                .contains("skipped Back up")
        })
        .unwrap();
    assert!(
        buf[(2, row)].modifier.contains(Modifier::REVERSED),
        "selection is visible without colour"
    );
    // Done is green, skipped is the warning style.
    let done_row = (0..24)
        .find(|y| {
            text(&buf)
                .lines()
                .nth(*y as usize)
                .unwrap()
                .contains("done    Announce")
        })
        .unwrap();
    assert_eq!(buf[(4, done_row)].fg, Theme::default_dark().ok.fg.unwrap());
}

#[test]
fn help_overlay() {
    let mut app = walked_app();
    keys(&mut app, &[Key::Char('?')]);
    insta::assert_snapshot!(text(&render(&app, 80, 24, false)));
}

#[test]
fn search_in_progress() {
    let mut app = walked_app();
    let mut ks = vec![Key::Char('/')];
    ks.extend(typed("go"));
    keys(&mut app, &ks);
    insta::assert_snapshot!(text(&render(&app, 80, 24, false)));
}

#[test]
fn folded_phase_ascii() {
    let mut app = walked_app();
    keys(&mut app, &[Key::Char('h'), Key::Char('h')]);
    insta::assert_snapshot!(text(&render(&app, 80, 24, true)));
}

/// `--ascii` is for terminals that mangle line drawing: no box-drawing or block character on
/// any screen, the boxes of panes, help and prompts included.
#[test]
fn ascii_draws_no_box_drawing_character() {
    let line_drawing = |c: char| ('\u{2500}'..='\u{259F}').contains(&c);
    let mut app = walked_app();
    let mut screens = vec![
        ("main 80x24", text(&render(&app, 80, 24, true))),
        ("main 160x40", text(&render(&app, 160, 40, true))),
    ];
    keys(&mut app, &[Key::Char('?')]);
    screens.push(("help", text(&render(&app, 80, 24, true))));
    keys(&mut app, &[Key::Esc, Key::Down, Key::Char('s')]);
    screens.push(("skip prompt", text(&render(&app, 80, 24, true))));
    for (name, screen) in screens {
        assert!(
            screen.contains('+') && screen.contains('|'),
            "{name}:\n{screen}"
        );
        let drawn: Vec<char> = screen.chars().filter(|&c| line_drawing(c)).collect();
        assert!(drawn.is_empty(), "{name} draws {drawn:?}:\n{screen}");
    }
}

#[test]
fn skip_prompt() {
    let mut app = walked_app();
    let mut ks = vec![Key::Down, Key::Char('s')];
    ks.extend(typed("window moved"));
    keys(&mut app, &ks);
    insta::assert_snapshot!(text(&render(&app, 80, 24, false)));
}

#[test]
fn too_small_terminal_says_so() {
    let app = walked_app();
    for (w, h) in [(20, 5), (59, 24), (80, 14)] {
        let screen = text(&render(&app, w, h, false));
        assert!(screen.contains("too small"), "{w}x{h}:\n{screen}");
    }
    assert!(!text(&render(&app, 60, 15, false)).contains("too small"));
}

#[test]
fn larger_terminal_uses_the_room() {
    let app = walked_app();
    let screen = text(&render(&app, 160, 40, false));
    assert!(
        screen.contains("Back up the database"),
        "full titles at 160 columns"
    );
    assert!(screen.contains("Shift 10% to green"));
}
