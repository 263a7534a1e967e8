use super::*;
use crate::app::keymap::{Do, END, GATE};

fn o(command: &str, keys: &[&str]) -> Override {
    on("", command, keys)
}

/// An override in a dialog's section (`layer`), or the main screen's (`""`).
fn on(layer: &str, command: &str, keys: &[&str]) -> Override {
    Override {
        layer: layer.into(),
        command: command.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        span: 0..1,
    }
}

fn messages(result: Result<KeyMaps, Vec<KeyError>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|e| e.message).collect()
}

#[test]
fn parses_characters_ctrl_and_names() {
    assert_eq!(parse_key("x"), Ok(Key::Char('x')));
    assert_eq!(parse_key("R"), Ok(Key::Char('R')));
    assert_eq!(parse_key("ctrl-r"), Ok(Key::Ctrl('r')));
    assert_eq!(parse_key("Ctrl-R"), Ok(Key::Ctrl('r')));
    assert_eq!(parse_key("enter"), Ok(Key::Enter));
    assert_eq!(parse_key("PageDown"), Ok(Key::PageDown));
    assert_eq!(parse_key("shift-tab"), Ok(Key::BackTab));
    assert_eq!(parse_key("space"), Ok(Key::Char(' ')));
}

#[test]
fn rejects_what_no_terminal_delivers() {
    assert!(parse_key("").is_err());
    assert!(
        parse_key("ctl-r")
            .unwrap_err()
            .contains("unknown key `ctl-r`")
    );
    assert!(parse_key("ctrl-").is_err());
    assert!(parse_key("ctrl-rr").is_err());
    assert!(parse_key("ctrl-1").is_err());
    assert!(parse_key("ctrl-m").unwrap_err().contains("as `enter`"));
    assert!(parse_key("\t").is_err());
    assert!(parse_key("f5").is_err());
}

#[test]
fn key_names_read_back_as_the_same_key() {
    for text in [
        "x",
        "R",
        "ctrl-r",
        "enter",
        "space",
        "shift-tab",
        "pagedown",
    ] {
        let key = parse_key(text).unwrap();
        assert_eq!(parse_key(&key_name(key)), Ok(key), "{text}");
    }
}

/// What `key` means on the main screen with `overrides`.
fn main_command(overrides: &[Override], key: Key) -> Option<Command> {
    build(overrides).unwrap().main.command(key)
}

#[test]
fn users_key_takes_the_command_and_the_old_key_goes_quiet() {
    let moved = [o("quit", &["x"])];
    assert_eq!(main_command(&moved, Key::Char('x')), Some(Command::Quit));
    assert_eq!(main_command(&moved, Key::Char('q')), None);
    assert_eq!(main_command(&moved, Key::Char('j')), Some(Command::Down));
}

#[test]
fn every_default_key_of_a_moved_command_is_released() {
    let moved = [o("rollback", &["F"])];
    assert_eq!(
        main_command(&moved, Key::Char('F')),
        Some(Command::Rollback)
    );
    assert_eq!(main_command(&moved, Key::Char('R')), None);
    assert_eq!(main_command(&moved, Key::Ctrl('r')), None);
}

#[test]
fn two_commands_may_swap_keys() {
    let moved = [o("skip", &["q"]), o("quit", &["s"])];
    assert_eq!(main_command(&moved, Key::Char('q')), Some(Command::Skip));
    assert_eq!(main_command(&moved, Key::Char('s')), Some(Command::Quit));
}

#[test]
fn a_command_may_have_several_keys() {
    let moved = [o("down", &["ctrl-n", "down"])];
    assert_eq!(main_command(&moved, Key::Ctrl('n')), Some(Command::Down));
    assert_eq!(main_command(&moved, Key::Down), Some(Command::Down));
    assert_eq!(main_command(&moved, Key::Char('j')), None);
}

#[test]
fn a_key_of_a_command_that_keeps_its_defaults_is_a_duplicate() {
    let errs = messages(build(&[o("quit", &["n"])]));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`n` for `quit` is already `note`'s key"),
        "{errs:?}"
    );
}

#[test]
fn one_key_for_two_commands_is_a_duplicate() {
    let errs = messages(build(&[o("quit", &["x"]), o("skip", &["x"])]));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`x` is bound to both `quit` and `skip`"),
        "{errs:?}"
    );
}

#[test]
fn unknown_commands_and_keys_are_all_reported() {
    let errs = messages(build(&[
        o("rollbak", &["F"]),
        o("quit", &["ctl-q"]),
        o("help", &[]),
    ]));
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs[0].contains("unknown command `rollbak` (did you mean `rollback`?)"));
    assert!(errs[1].contains("unknown key `ctl-q`"));
    assert!(errs[2].contains("`help` has no key"));
}

#[test]
fn no_overrides_change_nothing() {
    let keys = build(&[]).unwrap();
    assert!(keys.is_default());
    assert_eq!(keys, KeyMaps::default());
}

#[test]
fn dialog_keys_move_in_their_own_section() {
    let keys = build(&[on("gate", "go", &["G"]), on("gate", "no-go", &["x"])]).unwrap();
    assert_eq!(keys.command(&GATE, Key::Char('G')), Some(Do::Go));
    assert_eq!(keys.command(&GATE, Key::Char('y')), None);
    assert_eq!(keys.command(&GATE, Key::Char('x')), Some(Do::NoGo));
    assert_eq!(
        keys.command(&END, Key::Char('y')),
        Some(Do::Yes),
        "other dialogs keep theirs"
    );
    assert_eq!(
        keys.main.command(Key::Char('G')),
        None,
        "the main screen keeps its keys"
    );
}

#[test]
fn dialog_keys_are_checked_like_the_main_screens() {
    let errs = messages(build(&[
        on("gate", "go", &["n"]),
        on("gat", "go", &["G"]),
        on("gate", "goo", &["G"]),
        on("text", "submit", &["s"]),
        on("gate", "close", &["R"]),
    ]));
    assert_eq!(errs.len(), 5, "{errs:?}");
    let has = |text: &str| errs.iter().any(|e| e.contains(text));
    assert!(
        has("[keys.gate]: `n` for `go` is already `no-go`'s key"),
        "{errs:?}"
    );
    assert!(
        has("[keys.gat]: unknown dialog (did you mean `gate`?)"),
        "{errs:?}"
    );
    assert!(
        has("[keys.gate]: unknown command `goo` (did you mean `go`?)"),
        "{errs:?}"
    );
    assert!(
        has("[keys.text]: `s` for `submit` would type a letter"),
        "{errs:?}"
    );
    assert!(
        has("[keys.gate]: `R` for `close` is the rollback's key"),
        "{errs:?}"
    );
}

#[test]
fn a_rollback_moved_onto_a_dialogs_key_is_refused_unless_that_moves_too() {
    let errs = messages(build(&[o("rollback", &["y"])]));
    assert!(
        errs.iter()
            .any(|e| e.contains("`y` for `rollback` is `go`'s key in [keys.gate]")),
        "{errs:?}"
    );
    let keys = build(&[o("rollback", &["F"]), on("gate", "close", &["esc"])]).unwrap();
    assert!(keys.is_rollback(Key::Char('F')));
    assert!(!keys.is_rollback(Key::Char('R')));
}

#[test]
fn labels_follow_the_config_file() {
    let label = |overrides: &[Override], command: Command| {
        let keys = build(overrides).unwrap();
        let index = MAIN
            .bindings
            .iter()
            .position(|b| b.command == command)
            .unwrap();
        keys.main.label_at(index).into_owned()
    };
    assert_eq!(label(&[], Command::Rollback), "R");
    assert_eq!(
        label(&[o("rollback", &["F", "ctrl-e"])], Command::Rollback),
        "F/^E"
    );
    assert_eq!(label(&[o("up", &["ctrl-p"])], Command::Down), "j/^P");
    assert_eq!(
        label(
            &[o("page-down", &["space"]), o("tick", &["x"])],
            Command::PageDown
        ),
        "Space/PgUp"
    );
    assert_eq!(label(&[o("quit", &["x"])], Command::Help), "?");
}

#[test]
fn the_docs_name_every_dialog_and_its_commands() {
    let doc = include_str!("../../../docs/config.md");
    for table in DIALOGS {
        let head = format!("| `[keys.{}]`", table.name);
        let row = doc
            .lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("docs/config.md has no row for [keys.{}]", table.name));
        for b in table.bindings {
            assert!(
                row.contains(&format!("`{}`", b.name)),
                "{}: {}",
                table.name,
                b.name
            );
        }
    }
}
