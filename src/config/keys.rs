//! `[keys]` of the config file: a command of the main screen moved to other keys.
//!
//! The app's key table (`app::keymap::MAIN`) stays as it is. A `KeyRemap` sits in front of it and
//! translates: the user's key becomes the command's default key, and a default key the user moved
//! away (and did not give to another command) becomes nothing. It applies on the main screen
//! only: dialogs and text fields keep their own keys, so a letter typed into a note stays itself.

use std::collections::HashMap;
use std::ops::Range;

use crate::app::Key;
use crate::app::keymap::{Command, MAIN};

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

/// The config name of a command. Exhaustive on purpose: a new command must get a name here.
pub fn command_name(command: Command) -> &'static str {
    match command {
        Command::Down => "down",
        Command::Up => "up",
        Command::Top => "top",
        Command::Bottom => "bottom",
        Command::PageDown => "page-down",
        Command::PageUp => "page-up",
        Command::FoldOrLeft => "fold",
        Command::UnfoldOrRight => "unfold",
        Command::NextPane => "next-pane",
        Command::PrevPane => "prev-pane",
        Command::Toggle => "tick",
        Command::Act => "act",
        Command::Skip => "skip",
        Command::Note => "note",
        Command::Undo => "undo",
        Command::Search => "search",
        Command::NextGate => "next-gate",
        Command::Traffic => "traffic",
        Command::Rollback => "rollback",
        Command::DemoFault => "demo-fault",
        Command::Help => "help",
        Command::Quit => "quit",
    }
}

/// Every command name, in key-table order (for error messages and docs).
pub fn command_names() -> impl Iterator<Item = &'static str> {
    MAIN.iter().map(|b| command_name(b.command))
}

fn command_by_name(name: &str) -> Option<Command> {
    MAIN.iter()
        .map(|b| b.command)
        .find(|c| command_name(*c) == name)
}

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

/// One `command = "key"` (or `command = ["key", …]`) line, with where it is in the file.
#[derive(Debug, Clone)]
pub struct Override {
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

/// What the main screen's keys become: absent = unchanged, `None` = does nothing. Also how the
/// footer and help write a moved command's keys, so they show what the user pressed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRemap {
    map: HashMap<Key, Option<Key>>,
    labels: HashMap<Command, String>,
}

impl KeyRemap {
    /// Checks every override and reports all problems: unknown commands and keys, and keys
    /// that would mean two commands.
    pub fn build(overrides: &[Override]) -> Result<KeyRemap, Vec<KeyError>> {
        let mut errors = Vec::new();
        let mut moved: Vec<(Command, Vec<Key>, &Override)> = Vec::new();
        for o in overrides {
            let err = |message: String| KeyError {
                span: o.span.clone(),
                message,
            };
            let Some(command) = command_by_name(&o.command) else {
                let near = crate::runbook::check::did_you_mean(&o.command, command_names())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                errors.push(err(format!(
                    "[keys]: unknown command `{}`{near}; commands are {}",
                    o.command,
                    command_names().collect::<Vec<_>>().join(", ")
                )));
                continue;
            };
            if o.keys.is_empty() {
                errors.push(err(format!(
                    "[keys]: `{}` has no key; leave it out to keep its default",
                    o.command
                )));
                continue;
            }
            let mut keys = Vec::new();
            for text in &o.keys {
                match parse_key(text) {
                    Ok(k) if !keys.contains(&k) => keys.push(k),
                    Ok(_) => {}
                    Err(e) => errors.push(err(format!("[keys] {}: {e}", o.command))),
                }
            }
            moved.push((command, keys, o));
        }
        errors.extend(duplicates(&moved));
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.span.start);
            return Err(errors);
        }
        let mut map = HashMap::new();
        let mut labels = HashMap::new();
        // Default keys of moved commands are released first; the user's keys then take theirs.
        for (command, _, _) in &moved {
            for key in default_keys(*command) {
                map.insert(*key, None);
            }
        }
        for (command, keys, _) in &moved {
            let target = default_keys(*command)[0];
            for key in keys {
                map.insert(*key, Some(target));
            }
            let names: Vec<String> = keys.iter().map(|k| label_of(*k)).collect();
            labels.insert(*command, names.join("/"));
        }
        Ok(KeyRemap { map, labels })
    }

    /// The key the app's key table should see for a key pressed on the main screen.
    pub fn apply(&self, key: Key) -> Option<Key> {
        self.map.get(&key).copied().unwrap_or(Some(key))
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How the footer and help write `command`'s keys when the user moved it.
    pub fn label(&self, command: Command) -> Option<&str> {
        self.labels.get(&command).map(String::as_str)
    }
}

/// A key as the footer and help write it (the key table's style: `Enter`, `^R`, `PgDn`).
fn label_of(key: Key) -> String {
    match key {
        Key::Char(' ') => "Space".into(),
        Key::Char(c) => c.to_string(),
        Key::Ctrl(c) => format!("^{}", c.to_ascii_uppercase()),
        Key::Enter => "Enter".into(),
        Key::Esc => "Esc".into(),
        Key::Tab => "Tab".into(),
        Key::BackTab => "S-Tab".into(),
        Key::Backspace => "Bksp".into(),
        Key::Delete => "Del".into(),
        Key::Up => "↑".into(),
        Key::Down => "↓".into(),
        Key::Left => "←".into(),
        Key::Right => "→".into(),
        Key::Home => "Home".into(),
        Key::End => "End".into(),
        Key::PageUp => "PgUp".into(),
        Key::PageDown => "PgDn".into(),
    }
}

fn default_keys(command: Command) -> &'static [Key] {
    crate::app::keymap::binding(command).map_or(&[], |b| b.keys)
}

/// A key may mean one command: the user's keys must differ from each other and from the
/// default keys of every command that keeps its defaults.
fn duplicates(moved: &[(Command, Vec<Key>, &Override)]) -> Vec<KeyError> {
    let mut errors = Vec::new();
    let mut taken: HashMap<Key, &str> = HashMap::new();
    for (command, keys, o) in moved {
        for key in keys {
            let name = command_name(*command);
            if let Some(other) = taken.insert(*key, name)
                && other != name
            {
                errors.push(KeyError {
                    span: o.span.clone(),
                    message: format!(
                        "[keys]: `{}` is bound to both `{other}` and `{name}`",
                        key_name(*key)
                    ),
                });
            }
            let keeps_default = |c: &Command| !moved.iter().any(|(m, _, _)| m == c);
            if let Some(b) = MAIN.iter().find(|b| {
                b.command != *command && b.keys.contains(key) && keeps_default(&b.command)
            }) {
                let holder = command_name(b.command);
                errors.push(KeyError {
                    span: o.span.clone(),
                    message: format!(
                        "[keys]: `{}` for `{name}` is already `{holder}`'s key; move `{holder}` too, or pick another key",
                        key_name(*key)
                    ),
                });
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests;
