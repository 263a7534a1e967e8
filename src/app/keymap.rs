//! Keys and what they mean. Each layer (the main screen, every dialog, text fields) has one key
//! table; it drives that layer's key handling, its hint line and the `?` help, so the three can
//! never disagree. The config file's `[keys]` moves commands to other keys: the tables stay
//! as written, and a `Keys` (a table with the user's moves) answers which command a key means.

mod dialogs;
mod main;

use std::borrow::Cow;

pub use dialogs::{
    BREACH, COMMAND, DETAIL, END, GATE, HELP, IN_DOUBT, OUTPUT, QUIT, RESUME, ROLLBACK,
    ROLLBACK_RUN, SEARCH, STOP_ORPHAN, TEXT, WITHOUT_SEAT,
};
pub use dialogs::{DIALOGS, Do};
pub use main::{Command, MAIN};

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    /// A key that types a character into a text field.
    pub fn types(self) -> bool {
        matches!(self, Key::Char(_))
    }
}

/// One command of a layer and its default keys.
#[derive(Debug)]
pub struct Binding<C: 'static> {
    pub command: C,
    /// Its name in the config file's `[keys]`.
    pub name: &'static str,
    pub keys: &'static [Key],
    /// How the keys are written in hints and help (`j/k` covers this binding and the next,
    /// whose own label is empty).
    pub label: &'static str,
    /// One or two words for a hint line.
    pub short: &'static str,
    /// What help says it does.
    pub desc: &'static str,
    /// Main screen: shown in the footer when it applies (lower first; 0 = help only).
    pub footer_rank: u8,
}

impl<C: Copy> Binding<C> {
    pub const fn new(command: C, name: &'static str, keys: &'static [Key]) -> Self {
        Binding {
            command,
            name,
            keys,
            label: "",
            short: "",
            desc: "",
            footer_rank: 0,
        }
    }

    pub const fn label(mut self, label: &'static str) -> Self {
        self.label = label;
        self
    }

    pub const fn short(mut self, short: &'static str) -> Self {
        self.short = short;
        self
    }

    pub const fn desc(mut self, desc: &'static str) -> Self {
        self.desc = desc;
        self
    }

    pub const fn footer(mut self, rank: u8) -> Self {
        self.footer_rank = rank;
        self
    }
}

/// The key table of one layer.
#[derive(Debug)]
pub struct Table<C: 'static> {
    /// Its section in the config file (`[keys.gate]`); empty for the main screen's `[keys]`.
    pub name: &'static str,
    /// Its heading in help.
    pub title: &'static str,
    /// A text field has the focus: letters are typed, so no command may sit on one.
    pub typing: bool,
    pub bindings: &'static [Binding<C>],
}

/// A table with the config file's moves applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys<C: 'static> {
    pub table: &'static Table<C>,
    /// Commands the user moved, with their new keys (their default keys then mean nothing).
    moved: Vec<(C, Vec<Key>)>,
}

/// Tables are constants, so one is known by its (unique) name, not its address.
impl<C: 'static> PartialEq for Table<C> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<C: 'static> Eq for Table<C> {}

impl<C: Copy + PartialEq + 'static> Keys<C> {
    pub fn defaults(table: &'static Table<C>) -> Self {
        Keys {
            table,
            moved: Vec::new(),
        }
    }

    pub fn with_moves(table: &'static Table<C>, moved: Vec<(C, Vec<Key>)>) -> Self {
        Keys { table, moved }
    }

    /// The command `key` means in this layer, if any.
    pub fn command(&self, key: Key) -> Option<C> {
        if let Some((c, _)) = self.moved.iter().find(|(_, keys)| keys.contains(&key)) {
            return Some(*c);
        }
        self.table
            .bindings
            .iter()
            .find(|b| b.keys.contains(&key) && !self.is_moved(b.command))
            .map(|b| b.command)
    }

    /// The keys that mean `command` now.
    pub fn keys_of(&self, command: C) -> &[Key] {
        match self.moved.iter().find(|(c, _)| *c == command) {
            Some((_, keys)) => keys,
            None => self.binding(command).map_or(&[], |b| b.keys),
        }
    }

    pub fn binding(&self, command: C) -> Option<&'static Binding<C>> {
        self.table.bindings.iter().find(|b| b.command == command)
    }

    fn is_moved(&self, command: C) -> bool {
        self.moved.iter().any(|(c, _)| *c == command)
    }

    fn moved_label(&self, command: C) -> Option<String> {
        let (_, keys) = self.moved.iter().find(|(c, _)| *c == command)?;
        Some(
            keys.iter()
                .map(|k| label_of(*k))
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// How hints and help write `command`'s keys: the table's label, or the user's keys.
    pub fn label(&self, command: C) -> Cow<'static, str> {
        match self
            .table
            .bindings
            .iter()
            .position(|b| b.command == command)
        {
            Some(index) => self.label_at(index),
            None => Cow::Borrowed(""),
        }
    }

    /// The label of `bindings[index]` in help and the footer: a label like `j/k` covers the
    /// binding and the next one (whose own label is empty), each side as the user moved it.
    pub fn label_at(&self, index: usize) -> Cow<'static, str> {
        let bindings = self.table.bindings;
        let b = &bindings[index];
        let pair = bindings.get(index + 1).filter(|next| next.label.is_empty());
        let (mine, next) = (
            self.moved_label(b.command),
            pair.and_then(|n| self.moved_label(n.command)),
        );
        match pair {
            Some(_) if mine.is_some() || next.is_some() => {
                let (first, second) = b.label.split_once('/').unwrap_or((b.label, ""));
                Cow::Owned(format!(
                    "{}/{}",
                    mine.as_deref().unwrap_or(first),
                    next.as_deref().unwrap_or(second)
                ))
            }
            _ => mine.map_or(Cow::Borrowed(b.label), Cow::Owned),
        }
    }

    /// `(label, word)` hint pairs for `commands`, each with the table's short word.
    pub fn hints(&self, commands: &[C]) -> Vec<(Cow<'static, str>, &'static str)> {
        commands
            .iter()
            .filter_map(|c| Some((self.label(*c), self.binding(*c)?.short)))
            .collect()
    }

    pub fn is_default(&self) -> bool {
        self.moved.is_empty()
    }
}

/// Every layer's keys, as the config file left them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMaps {
    pub main: Keys<Command>,
    /// In the order of `DIALOGS`.
    dialogs: Vec<Keys<Do>>,
}

impl Default for KeyMaps {
    fn default() -> Self {
        KeyMaps {
            main: Keys::defaults(&MAIN),
            dialogs: DIALOGS.iter().map(|t| Keys::defaults(t)).collect(),
        }
    }
}

impl KeyMaps {
    pub fn new(main: Keys<Command>, dialogs: Vec<Keys<Do>>) -> Self {
        KeyMaps { main, dialogs }
    }

    /// The keys of one dialog's table (its defaults, for a table missing from `DIALOGS`: a
    /// slip in a new table costs its remap, never a panic). Cheap: an unmoved table holds no
    /// allocation.
    pub fn of(&self, table: &'static Table<Do>) -> Keys<Do> {
        self.dialogs
            .iter()
            .find(|k| k.table == table)
            .cloned()
            .unwrap_or_else(|| Keys::defaults(table))
    }

    /// What `key` means in `table`'s layer.
    pub fn command(&self, table: &'static Table<Do>, key: Key) -> Option<Do> {
        self.of(table).command(key)
    }

    pub fn dialogs(&self) -> &[Keys<Do>] {
        &self.dialogs
    }

    pub fn is_default(&self) -> bool {
        self.main.is_default() && self.dialogs.iter().all(Keys::is_default)
    }

    /// The keys that open the rollback from a layer without a text field.
    pub fn is_rollback(&self, key: Key) -> bool {
        self.main.command(key) == Some(Command::Rollback)
    }

    /// The keys that open the rollback while a text field has the focus: the rollback's keys
    /// that type no letter, or Ctrl-R when the user gave it only letters (the emergency key
    /// must work everywhere).
    pub fn is_rollback_typing(&self, key: Key) -> bool {
        let keys = self.main.keys_of(Command::Rollback);
        if keys.iter().all(|k| k.types()) {
            key == Key::Ctrl('r')
        } else {
            !key.types() && keys.contains(&key)
        }
    }
}

/// A key as hints and help write it (the tables' style: `Enter`, `^R`, `PgDn`).
pub fn label_of(key: Key) -> String {
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

#[cfg(test)]
mod tests;
