use super::*;

fn o(command: &str, keys: &[&str]) -> Override {
    Override {
        command: command.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        span: 0..1,
    }
}

fn messages(result: Result<KeyRemap, Vec<KeyError>>) -> Vec<String> {
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

#[test]
fn every_command_has_a_distinct_name() {
    let names: Vec<&str> = command_names().collect();
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(names.len(), unique.len(), "{names:?}");
    assert_eq!(names.len(), MAIN.len());
}

#[test]
fn users_key_sends_the_default_and_the_old_key_goes_quiet() {
    let remap = KeyRemap::build(&[o("quit", &["x"])]).unwrap();
    assert_eq!(remap.apply(Key::Char('x')), Some(Key::Char('q')));
    assert_eq!(remap.apply(Key::Char('q')), None);
    assert_eq!(remap.apply(Key::Char('j')), Some(Key::Char('j')));
}

#[test]
fn every_default_key_of_a_moved_command_is_released() {
    let remap = KeyRemap::build(&[o("rollback", &["F"])]).unwrap();
    assert_eq!(remap.apply(Key::Char('F')), Some(Key::Char('R')));
    assert_eq!(remap.apply(Key::Char('R')), None);
    assert_eq!(remap.apply(Key::Ctrl('r')), None);
}

#[test]
fn two_commands_may_swap_keys() {
    let remap = KeyRemap::build(&[o("skip", &["q"]), o("quit", &["s"])]).unwrap();
    assert_eq!(remap.apply(Key::Char('q')), Some(Key::Char('s')));
    assert_eq!(remap.apply(Key::Char('s')), Some(Key::Char('q')));
}

#[test]
fn a_command_may_have_several_keys() {
    let remap = KeyRemap::build(&[o("down", &["ctrl-n", "down"])]).unwrap();
    assert_eq!(remap.apply(Key::Ctrl('n')), Some(Key::Char('j')));
    assert_eq!(remap.apply(Key::Down), Some(Key::Char('j')));
    assert_eq!(remap.apply(Key::Char('j')), None);
}

#[test]
fn a_key_of_a_command_that_keeps_its_defaults_is_a_duplicate() {
    let errs = messages(KeyRemap::build(&[o("quit", &["n"])]));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`n` for `quit` is already `note`'s key"),
        "{errs:?}"
    );
}

#[test]
fn one_key_for_two_commands_is_a_duplicate() {
    let errs = messages(KeyRemap::build(&[o("quit", &["x"]), o("skip", &["x"])]));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`x` is bound to both `quit` and `skip`"),
        "{errs:?}"
    );
}

#[test]
fn unknown_commands_and_keys_are_all_reported() {
    let errs = messages(KeyRemap::build(&[
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
    let remap = KeyRemap::build(&[]).unwrap();
    assert!(remap.is_empty());
    assert_eq!(remap.apply(Key::Char('q')), Some(Key::Char('q')));
}
