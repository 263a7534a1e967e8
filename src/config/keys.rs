//! `[keys]` of the config file: commands moved to other keys, on the main screen (`[keys]`) and
//! in each dialog (`[keys.gate]`, `[keys.output]`, …: the names are the key tables' in
//! `app::keymap`). A moved command answers to the user's keys only; its default keys then mean
//! nothing, unless the user gave them to another command of the same layer.

use std::ops::Range;

use crate::app::Key;
use crate::app::keymap::{Command, DIALOGS, KeyMaps, Keys, MAIN, Table};

/// Names of keys other than single characters, as written in the config file.
const NAMED: &[(&str, Key)] = &[
    ("enter", Key::Enter),
    ("esc", Key::Esc),
    ("tab", Key::Tab),
    ("shift-tab", Key::BackTab),
    ("space", Key::Char(' ')),
    ("backspace", Key::Backspace),
    ("delete", Key::Delete),
    ("up", Key::Up),
    ("down", Key::Down),
    ("left", Key::Left),
    ("right", Key::Right),
    ("home", Key::Home),
    ("end", Key::End),
    ("pageup", Key::PageUp),
    ("pagedown", Key::PageDown),
];

/// Control keys a terminal sends as another key (`ctrl-m` is Enter), so they never arrive.
const CTRL_ALIASES: &[(char, &str)] = &[('m', "enter"), ('i', "tab"), ('h', "backspace")];

/// Parses `x`, `R`, `ctrl-r`, `enter`, `shift-tab`, … Single characters are case-sensitive
/// (`R` is shift-r); names and `ctrl-` are not.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.clone().next()) {
        return if c.is_control() {
            Err("a control character is not a key; write `ctrl-x` or a key name".into())
        } else {
            Ok(Key::Char(c))
        };
    }
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("ctrl-") {
        let mut chars = rest.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => {
                match CTRL_ALIASES.iter().find(|(a, _)| *a == c) {
                    Some((_, name)) => Err(format!(
                        "terminals send `ctrl-{c}` as `{name}`, so it would never arrive"
                    )),
                    None => Ok(Key::Ctrl(c)),
                }
            }
            _ => Err(format!(
                "`{text}`: ctrl- goes with one letter, as in `ctrl-r`"
            )),
        };
    }
    NAMED
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, key)| *key)
        .ok_or_else(|| {
            let names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown key `{text}`: write one character (`x`, `R`), `ctrl-` and a letter, or one of {}",
                names.join(", ")
            )
        })
}

/// A key as the config file writes it, for messages.
pub fn key_name(key: Key) -> String {
    match key {
        Key::Char(' ') => "space".into(),
        Key::Char(c) => c.to_string(),
        Key::Ctrl(c) => format!("ctrl-{c}"),
        other => NAMED
            .iter()
            .find(|(_, k)| *k == other)
            .map_or_else(|| format!("{other:?}"), |(n, _)| (*n).to_string()),
    }
}

/// One `command = "key"` (or `command = ["key", …]`) line of a layer (`""`: the main screen),
/// with where it is in the file.
#[derive(Debug, Clone)]
pub struct Override {
    pub layer: String,
    pub command: String,
    pub keys: Vec<String>,
    pub span: Range<usize>,
}

/// A problem with one override, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub span: Range<usize>,
    pub message: String,
}

/// Checks every override and reports all problems: unknown layers, commands and keys, keys
/// that would mean two commands of a layer, a letter in a text field, and a dialog key that
/// the rollback already has.
pub fn build(overrides: &[Override]) -> Result<KeyMaps, Vec<KeyError>> {
    let mut errors = Vec::new();
    for o in overrides {
        let known = o.layer.is_empty() || DIALOGS.iter().any(|t| t.name == o.layer);
        if !known {
            let names = DIALOGS.iter().map(|t| t.name);
            let near = crate::runbook::check::did_you_mean(&o.layer, names.clone())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            errors.push(KeyError {
                span: o.span.clone(),
                message: format!(
                    "[keys.{}]: unknown dialog{near}; dialogs are {}",
                    o.layer,
                    names.collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    let of_layer =
        |name: &str| -> Vec<&Override> { overrides.iter().filter(|o| o.layer == name).collect() };
    let main = resolve(&MAIN, &of_layer(""), &[]).map_err(|e| errors.extend(e));
    let rollback: Vec<Key> = main
        .as_ref()
        .map(|m| m.keys_of(Command::Rollback).to_vec())
        .unwrap_or_default();
    errors.extend(rollback_in_dialogs(&rollback, overrides));
    let mut dialogs = Vec::new();
    for table in DIALOGS {
        match resolve(table, &of_layer(table.name), &rollback) {
            Ok(keys) => dialogs.push(keys),
            Err(e) => errors.extend(e),
        }
    }
    match main {
        Ok(main) if errors.is_empty() => Ok(KeyMaps::new(main, dialogs)),
        _ => {
            errors.sort_by_key(|e| e.span.start);
            Err(errors)
        }
    }
}

/// The rollback's keys work in every dialog, so a rollback moved onto a key a dialog keeps
/// would take that dialog's command away.
fn rollback_in_dialogs(rollback: &[Key], overrides: &[Override]) -> Vec<KeyError> {
    let moved = |layer: &str, name: &str| {
        overrides
            .iter()
            .any(|o| o.layer == layer && o.command == name)
    };
    let Some(o) = overrides
        .iter()
        .find(|o| o.layer.is_empty() && o.command == "rollback")
    else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    for table in DIALOGS {
        for b in table.bindings.iter().filter(|b| !moved(table.name, b.name)) {
            if let Some(key) = b.keys.iter().find(|k| rollback.contains(k)) {
                errors.push(KeyError {
                    span: o.span.clone(),
                    message: format!(
                        "[keys]: `{}` for `rollback` is `{}`'s key in [keys.{}]; the rollback's key works in every dialog, so move that one too, or pick another key",
                        key_name(*key),
                        b.name,
                        table.name
                    ),
                });
            }
        }
    }
    errors
}

/// One layer's moves, checked against its table.
fn resolve<C: Copy + PartialEq + 'static>(
    table: &'static Table<C>,
    overrides: &[&Override],
    rollback: &[Key],
) -> Result<Keys<C>, Vec<KeyError>> {
    let section = match table.name {
        "" => "[keys]".to_string(),
        name => format!("[keys.{name}]"),
    };
    let names = || table.bindings.iter().map(|b| b.name);
    let mut errors = Vec::new();
    let mut moved: Vec<(C, Vec<Key>, &Override)> = Vec::new();
    for o in overrides {
        let err = |message: String| KeyError {
            span: o.span.clone(),
            message: format!("{section}: {message}"),
        };
        let Some(binding) = table.bindings.iter().find(|b| b.name == o.command) else {
            let near = crate::runbook::check::did_you_mean(&o.command, names())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            errors.push(err(format!(
                "unknown command `{}`{near}; commands are {}",
                o.command,
                names().collect::<Vec<_>>().join(", ")
            )));
            continue;
        };
        if o.keys.is_empty() {
            errors.push(err(format!(
                "`{}` has no key; leave it out to keep its default",
                o.command
            )));
            continue;
        }
        let mut keys = Vec::new();
        for text in &o.keys {
            match parse_key(text) {
                Ok(k) if table.typing && k.types() => errors.push(err(format!(
                    "`{}` for `{}` would type a letter into the text field; use a ctrl- or named key",
                    key_name(k),
                    o.command
                ))),
                Ok(k) if rollback.contains(&k) => errors.push(err(format!(
                    "`{}` for `{}` is the rollback's key, which works in every dialog",
                    key_name(k),
                    o.command
                ))),
                Ok(k) if !keys.contains(&k) => keys.push(k),
                Ok(_) => {}
                Err(e) => errors.push(err(format!("{}: {e}", o.command))),
            }
        }
        moved.push((binding.command, keys, o));
    }
    errors.extend(duplicates(table, &section, &moved));
    if !errors.is_empty() {
        return Err(errors);
    }
    let moves = moved.into_iter().map(|(c, keys, _)| (c, keys)).collect();
    Ok(Keys::with_moves(table, moves))
}

/// A key may mean one command of a layer: the user's keys must differ from each other and
/// from the default keys of every command that keeps its defaults.
fn duplicates<C: Copy + PartialEq>(
    table: &Table<C>,
    section: &str,
    moved: &[(C, Vec<Key>, &Override)],
) -> Vec<KeyError> {
    let mut errors = Vec::new();
    let mut taken: Vec<(Key, &str)> = Vec::new();
    let keeps_default = |c: C| !moved.iter().any(|(m, _, _)| *m == c);
    for (command, keys, o) in moved {
        let name = o.command.as_str();
        let err = |message: String| KeyError {
            span: o.span.clone(),
            message: format!("{section}: {message}"),
        };
        for key in keys {
            if let Some((_, other)) = taken.iter().find(|(k, n)| k == key && *n != name) {
                errors.push(err(format!(
                    "`{}` is bound to both `{other}` and `{name}`",
                    key_name(*key)
                )));
            }
            taken.push((*key, name));
            if let Some(b) = table
                .bindings
                .iter()
                .find(|b| b.command != *command && b.keys.contains(key) && keeps_default(b.command))
            {
                errors.push(err(format!(
                    "`{}` for `{name}` is already `{}`'s key; move `{}` too, or pick another key",
                    key_name(*key),
                    b.name,
                    b.name
                )));
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests;
