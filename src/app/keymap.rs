//! Keys and what they mean. One table feeds the key handling, the footer and the `?` help, so
//! the three can never disagree.

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

/// What the operator asks for in the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    FoldOrLeft,
    UnfoldOrRight,
    NextPane,
    PrevPane,
    Toggle,
    Act,
    Skip,
    Note,
    Undo,
    Search,
    NextGate,
    Traffic,
    Rollback,
    Help,
    Quit,
    /// `flightdeck demo` only: make green fail, or heal it.
    DemoFault,
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in the footer and help.
    pub label: &'static str,
    pub command: Command,
    pub desc: &'static str,
    /// One word for the footer.
    pub short: &'static str,
    /// Shown in the footer when it applies (lower numbers first; 0 = help only).
    pub footer_rank: u8,
}

use Key::*;

pub const MAIN: &[Binding] = &[
    Binding {
        keys: &[Char('j'), Down],
        label: "j/k",
        command: Command::Down,
        short: "move",
        desc: "move down / up",
        footer_rank: 0,
    },
    Binding {
        keys: &[Char('k'), Up],
        label: "",
        command: Command::Up,
        short: "",
        desc: "",
        footer_rank: 0,
    },
    Binding {
        keys: &[Char('h'), Left],
        label: "h/l",
        command: Command::FoldOrLeft,
        short: "fold",
        desc: "fold phase / back to the checklist",
        footer_rank: 0,
    },
    Binding {
        keys: &[Char('l'), Right],
        label: "",
        command: Command::UnfoldOrRight,
        short: "",
        desc: "unfold phase / into the detail pane",
        footer_rank: 0,
    },
    Binding {
        keys: &[Tab],
        label: "Tab",
        command: Command::NextPane,
        short: "pane",
        desc: "next pane: checklist, detail, telemetry",
        footer_rank: 0,
    },
    Binding {
        keys: &[BackTab],
        label: "S-Tab",
        command: Command::PrevPane,
        short: "",
        desc: "previous pane",
        footer_rank: 0,
    },
    Binding {
        keys: &[Home],
        label: "Home/End",
        command: Command::Top,
        short: "",
        desc: "first / last row",
        footer_rank: 0,
    },
    Binding {
        keys: &[End],
        label: "",
        command: Command::Bottom,
        short: "",
        desc: "",
        footer_rank: 0,
    },
    Binding {
        keys: &[PageDown, Ctrl('d')],
        label: "PgDn/PgUp",
        command: Command::PageDown,
        short: "",
        desc: "a page down / up",
        footer_rank: 0,
    },
    Binding {
        keys: &[PageUp, Ctrl('u')],
        label: "",
        command: Command::PageUp,
        short: "",
        desc: "",
        footer_rank: 0,
    },
    Binding {
        keys: &[Char(' ')],
        label: "Space",
        command: Command::Toggle,
        short: "tick",
        desc: "tick / untick a manual step",
        footer_rank: 2,
    },
    Binding {
        keys: &[Enter],
        label: "Enter",
        command: Command::Act,
        short: "fold",
        desc: "act: run a command, open a gate, shift; fold; source detail",
        footer_rank: 3,
    },
    Binding {
        keys: &[Char('s')],
        label: "s",
        command: Command::Skip,
        short: "skip",
        desc: "skip the step, with a reason",
        footer_rank: 4,
    },
    Binding {
        keys: &[Char('n')],
        label: "n",
        command: Command::Note,
        short: "note",
        desc: "add a note to the step",
        footer_rank: 5,
    },
    Binding {
        keys: &[Char('u')],
        label: "u",
        command: Command::Undo,
        short: "undo",
        desc: "undo the last tick or skip",
        footer_rank: 6,
    },
    Binding {
        keys: &[Char('g')],
        label: "g",
        command: Command::NextGate,
        short: "gate",
        desc: "open the next gate",
        footer_rank: 0,
    },
    Binding {
        keys: &[Char('t')],
        label: "t",
        command: Command::Traffic,
        short: "traffic",
        desc: "traffic: shift to the plan's next weight",
        footer_rank: 0,
    },
    Binding {
        keys: &[Char('R'), Ctrl('r')],
        label: "R",
        command: Command::Rollback,
        short: "rollback",
        desc: "emergency rollback from anywhere (Ctrl-R in text fields)",
        footer_rank: 1,
    },
    Binding {
        keys: &[Char('/')],
        label: "/",
        command: Command::Search,
        short: "search",
        desc: "search steps",
        footer_rank: 7,
    },
    Binding {
        keys: &[Char('X')],
        label: "X",
        command: Command::DemoFault,
        short: "fail green",
        desc: "demo only: green answers 500 until X again (abort, rollback)",
        footer_rank: 10,
    },
    Binding {
        keys: &[Char('?')],
        label: "?",
        command: Command::Help,
        short: "help",
        desc: "help: every key",
        footer_rank: 9,
    },
    Binding {
        keys: &[Char('q')],
        label: "q",
        command: Command::Quit,
        short: "quit",
        desc: "quit (the run stays open and resumes)",
        footer_rank: 8,
    },
];

/// Keys inside a text prompt (skip reason, note, search), for the footer and help.
pub const PROMPT_HINTS: &[(&str, &str)] = &[
    ("Enter", "save"),
    ("Esc", "cancel"),
    ("Backspace", "delete"),
];
pub const SEARCH_HINTS: &[(&str, &str)] = &[
    ("↑/↓", "previous / next match"),
    ("Enter", "go"),
    ("Esc", "cancel"),
];

/// Keys inside the action dialogs, for the help.
pub const DIALOG_HINTS: &[(&str, &str)] = &[
    (
        "Gate",
        "y GO · n NO-GO (reason) · o override (reason) · Space sign-off",
    ),
    (
        "Command",
        "Tab to Run, Enter runs · Ctrl-C in the output interrupts",
    ),
    (
        "Output",
        "PgUp/PgDn · Home/End (End follows) · / search, n older, N newer",
    ),
    ("Shift", "type the plan's word (SHIFT), Enter"),
    (
        "Rollback",
        "ROLLBACK, Enter · Tab phase's own · r run/retry · s skip · a abort",
    ),
    (
        "In doubt",
        "d it took effect · n it did not, then how you know",
    ),
];

pub fn command_for(key: Key) -> Option<Command> {
    MAIN.iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.command)
}

pub fn binding(command: Command) -> Option<&'static Binding> {
    MAIN.iter().find(|b| b.command == command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = std::collections::HashSet::new();
        for b in MAIN {
            for k in b.keys {
                assert!(seen.insert(*k), "{k:?} bound twice");
            }
        }
    }
}
