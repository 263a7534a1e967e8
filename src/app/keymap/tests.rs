use super::*;

/// A table's name and its bindings' names and keys.
type Named = (&'static str, Vec<(&'static str, &'static [Key])>);

fn all_tables() -> Vec<Named> {
    let main = MAIN.bindings.iter().map(|b| (b.name, b.keys)).collect();
    let mut tables = vec![("main", main)];
    for t in DIALOGS {
        tables.push((
            t.name,
            t.bindings.iter().map(|b| (b.name, b.keys)).collect(),
        ));
    }
    tables
}

#[test]
fn no_key_is_bound_twice_in_a_layer_and_names_are_unique() {
    for (table, bindings) in all_tables() {
        let mut keys = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for (name, ks) in bindings {
            assert!(names.insert(name), "{table}: `{name}` twice");
            for k in ks {
                assert!(keys.insert(*k), "{table}: {k:?} bound twice");
            }
        }
    }
    let mut tables = std::collections::HashSet::new();
    for t in DIALOGS {
        assert!(!t.name.is_empty() && tables.insert(t.name), "{}", t.name);
    }
}

#[test]
fn no_dialog_hides_the_rollback_key() {
    let rollback = Keys::defaults(&MAIN).keys_of(Command::Rollback).to_vec();
    for t in DIALOGS {
        for b in t.bindings {
            for k in b.keys {
                assert!(!rollback.contains(k), "{}: {k:?} is the rollback's", t.name);
            }
        }
    }
}

#[test]
fn a_text_field_types_every_letter() {
    for t in DIALOGS.iter().filter(|t| t.typing) {
        for b in t.bindings {
            assert!(b.keys.iter().all(|k| !k.types()), "{}: {}", t.name, b.name);
        }
    }
}

#[test]
fn moved_commands_answer_to_their_new_keys_only() {
    let keys = Keys::with_moves(&GATE, vec![(Do::Go, vec![Key::Char('G')])]);
    assert_eq!(keys.command(Key::Char('G')), Some(Do::Go));
    assert_eq!(keys.command(Key::Char('y')), None);
    assert_eq!(keys.command(Key::Char('n')), Some(Do::NoGo));
    assert_eq!(keys.label(Do::Go), "G");
    assert_eq!(keys.label(Do::NoGo), "n");
}

#[test]
fn the_rollback_in_a_text_field_keeps_a_key_that_types_nothing() {
    let default = KeyMaps::default();
    assert!(default.is_rollback(Key::Char('R')));
    assert!(default.is_rollback_typing(Key::Ctrl('r')));
    assert!(!default.is_rollback_typing(Key::Char('R')));

    let moved = |keys: Vec<Key>| KeyMaps {
        main: Keys::with_moves(&MAIN, vec![(Command::Rollback, keys)]),
        ..KeyMaps::default()
    };
    let letter = moved(vec![Key::Char('F')]);
    assert!(letter.is_rollback(Key::Char('F')));
    assert!(!letter.is_rollback(Key::Char('R')));
    assert!(letter.is_rollback_typing(Key::Ctrl('r')));
    assert!(!letter.is_rollback_typing(Key::Char('F')));

    let ctrl = moved(vec![Key::Ctrl('b')]);
    assert!(ctrl.is_rollback_typing(Key::Ctrl('b')));
    assert!(!ctrl.is_rollback_typing(Key::Ctrl('r')));
}
