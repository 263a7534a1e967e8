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

/// Wide glyphs (CJK, emoji) take two columns each: padding that counts characters instead of
/// columns pushes the right-hand column (counts, time marks, mode, ages) out of line.
#[test]
fn wide_glyphs_keep_the_right_column_aligned() {
    let book = support::book::Book::new("迁移演练 🚀 rehearsal")
        .table(
            r#"[[source]]
id = "lag"
label = "迁移 lag"
kind = "http"
url = "http://127.0.0.1:9/health""#,
        )
        .phase("cut", "迁移 Cutover")
        .step("copy", "复制数据 🚀 copy", "at = \"T+1h\"")
        .step("plain", "Plain step", "at = \"T+2h\"")
        .parse();
    let app = started_app(book, "wide.toml", None);
    let buf = render(&app, 80, 24, false);
    let screen = text(&buf);
    // Column by column (a wide glyph's second column is a blank cell), so positions are true.
    let row = |y: u16, from: u16, to: u16| -> String {
        (from..to).map(|x| buf[(x, y)].symbol()).collect()
    };
    // Below the header.
    let find = |needle: &str| {
        (2..24)
            .find(|&y| row(y, 0, 80).contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle}:\n{screen}"))
    };
    // The checklist pane is 36 columns wide here (x 0..=35), its right border at x 35.
    let phase = find("Cutover");
    assert!(row(phase, 0, 36).ends_with("0/2│"), "{screen}");
    let wide = find("copy");
    let plain = find("Plain step");
    assert!(row(wide, 0, 36).ends_with(" T+1h│"), "{screen}");
    assert!(row(plain, 0, 36).ends_with(" T+2h│"), "{screen}");
    // The header keeps the mode at the right edge, the operator below it.
    assert!(row(0, 0, 80).ends_with("LIVE "), "{screen}");
    assert!(row(1, 0, 80).ends_with("op@bastion "), "{screen}");
    // The telemetry row keeps its age column against the border.
    let source = find("lag");
    assert!(row(source, 36, 80).trim_end().ends_with("-│"), "{screen}");
}

/// A pane whose rows do not fit shows on its right border where its window is; a pane whose
/// rows fit keeps a plain border (so the frames of short runbooks do not move).
#[test]
fn a_pane_that_scrolls_shows_a_scrollbar_on_its_border() {
    // The checklist's right border at 80 columns, between its corners.
    let border = |app: &App| -> String {
        let buf = render(app, 80, 24, false);
        (3..22).map(|y| buf[(35, y)].symbol()).collect()
    };
    assert_eq!(border(&walked_app()), "│".repeat(19), "the rows fit");
    let mut book = support::book::Book::new("Long");
    for i in 0..60 {
        book = book.step(&format!("s{i}"), &format!("Step {i}"), "");
    }
    let mut app = started_app(book.parse(), "long.toml", None);
    let top = border(&app);
    assert!(top.starts_with('┃') && top.ends_with('│'), "{top}");
    // 19 of 61 rows: a thumb of about a third of the track.
    assert_eq!(top.matches('┃').count(), 6, "{top}");
    keys(&mut app, &[Key::End]);
    let bottom = border(&app);
    assert!(bottom.starts_with('│') && bottom.ends_with('┃'), "{bottom}");
}
