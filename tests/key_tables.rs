//! Each layer's key table drives its keys, its hint line and help, and the config file moves
//! dialog keys as it moves the main screen's: as data, on the app and its frames.

mod support;

use std::path::Path;

use flightdeck::app::gate::GateStage;
use flightdeck::app::{App, Key, Layer, Mode};
use flightdeck::config::Config;
use support::acting::acting_app;
use support::frames::{render, text};
use support::keys;

fn app_with(config: &str) -> App {
    let config = Config::parse(config, Path::new("config.toml")).unwrap();
    let mut app = acting_app(Mode::Live);
    app.keys = config.keys;
    app
}

fn rollback_open(app: &App) -> bool {
    matches!(app.top_layer(), Some(Layer::Rollback { .. }))
}

/// `rollback = "F"` moves the rollback in every dialog, not only on the main screen: `R` there
/// is no longer the rollback, `F` is; in a text field, where F is a letter, Ctrl-R still is.
#[test]
fn the_rollback_key_follows_the_config_in_every_dialog() {
    let mut app = app_with("[keys]\nrollback = \"F\"\n");
    keys(&mut app, &[Key::Char('?')]);
    keys(&mut app, &[Key::Char('R')]);
    assert!(!rollback_open(&app), "R in help: {:?}", app.layers);
    keys(&mut app, &[Key::Char('F')]);
    assert!(rollback_open(&app), "F in help: {:?}", app.layers);

    let mut app = app_with("[keys]\nrollback = \"F\"\n");
    keys(&mut app, &[Key::Char('n'), Key::Char('F')]);
    let Some(Layer::Prompt { input, .. }) = app.top_layer() else {
        panic!("no note prompt: {:?}", app.layers);
    };
    assert_eq!(input.text, "F", "a letter in a note is typed");
    keys(&mut app, &[Key::Ctrl('r')]);
    assert!(rollback_open(&app), "Ctrl-R in a note: {:?}", app.layers);
}

/// `[keys.gate] no-go = "x"`: the gate dialog answers to x, no longer to n, and its hint line
/// says so.
#[test]
fn a_dialogs_keys_move_in_its_own_section() {
    let mut app = app_with("[keys.gate]\nno-go = \"x\"\n");
    keys(&mut app, &[Key::Char('g')]);
    let stage = |app: &App| match app.top_layer() {
        Some(Layer::Gate(d)) => d.stage.clone(),
        other => panic!("no gate dialog: {other:?}"),
    };
    assert!(text(&render(&app, 100, 40, false)).contains("x NO-GO"));
    keys(&mut app, &[Key::Char('n')]);
    assert_eq!(stage(&app), GateStage::Review, "n no longer means NO-GO");
    keys(&mut app, &[Key::Char('x')]);
    assert!(matches!(stage(&app), GateStage::NoGo(_)), "x is NO-GO");
}

/// Help lists every dialog's keys from its table, as the config file left them.
#[test]
fn help_lists_each_dialogs_keys_from_its_table() {
    let mut app = app_with("[keys.gate]\ngo = \"G\"\n[keys.rollback-run]\nabort = \"ctrl-a\"\n");
    keys(&mut app, &[Key::Char('?')]);
    let mut seen = String::new();
    // Help scrolls: read it page by page.
    for _ in 0..12 {
        seen.push_str(&text(&render(&app, 80, 24, false)));
        keys(&mut app, &[Key::Char('j'); 15]);
    }
    for expected in [
        "Gate: G GO",
        "n NO-GO",
        "^A abort",
        "Output:",
        "In a prompt: Enter save",
    ] {
        assert!(seen.contains(expected), "`{expected}` not in help:\n{seen}");
    }
}
