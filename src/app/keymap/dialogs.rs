//! The key tables of the dialogs, overlays and text fields: one per layer. Their commands
//! share one vocabulary (`Do`); which ones a layer knows is its table.

use super::Binding;
use super::Key::*;

pub type Table = super::Table<Do>;

/// What a key asks of a dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Do {
    Close,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    /// Save, go, confirm: what Enter does in a text field.
    Submit,
    Cancel,
    Yes,
    No,
    Quit,
    /// The other choice of two (the command dialog's Cancel / Run, the rollback's plan).
    Switch,
    Search,
    Older,
    Newer,
    Interrupt,
    Go,
    NoGo,
    Override,
    SignOff,
    Reopen,
    Retry,
    Skip,
    Abort,
    Done,
    TookEffect,
    DidNot,
    Stop,
}

const fn bind(command: Do, name: &'static str, keys: &'static [super::Key]) -> Binding<Do> {
    Binding::new(command, name, keys)
}

pub const HELP: Table = Table {
    name: "help",
    title: "Help",
    typing: false,
    bindings: &[
        bind(Do::Down, "down", &[Char('j'), Down])
            .label("j/k")
            .short("scroll"),
        bind(Do::Up, "up", &[Char('k'), Up]),
        bind(Do::Close, "close", &[Esc, Char('?'), Char('q'), Enter])
            .label("Esc or ?")
            .short("close"),
    ],
};

pub const DETAIL: Table = Table {
    name: "source",
    title: "Source detail",
    typing: false,
    bindings: &[
        bind(Do::Close, "close", &[Esc, Char('?'), Char('q'), Enter])
            .label("Esc")
            .short("close"),
    ],
};

/// Every text field: skip reasons, notes, typed words, override reasons.
pub const TEXT: Table = Table {
    name: "text",
    title: "In a prompt",
    typing: true,
    bindings: &[
        bind(Do::Submit, "submit", &[Enter])
            .label("Enter")
            .short("save"),
        bind(Do::Cancel, "cancel", &[Esc])
            .label("Esc")
            .short("cancel"),
    ],
};

pub const SEARCH: Table = Table {
    name: "search",
    title: "In search",
    typing: true,
    bindings: &[
        bind(Do::Up, "previous", &[Up, Ctrl('p')])
            .label("↑/↓")
            .short("previous / next match"),
        bind(Do::Down, "next", &[Down, Ctrl('n')]),
        bind(Do::Submit, "go", &[Enter]).label("Enter").short("go"),
        bind(Do::Cancel, "cancel", &[Esc])
            .label("Esc")
            .short("cancel"),
    ],
};

pub const RESUME: Table = Table {
    name: "resume",
    title: "Runbook changed",
    typing: false,
    bindings: &[
        bind(Do::Yes, "resume", &[Char('y'), Char('Y')])
            .label("y")
            .short("resume"),
        bind(Do::No, "new-run", &[Char('n'), Char('N')])
            .label("n")
            .short("new run"),
        bind(Do::Quit, "quit", &[Char('q'), Esc])
            .label("q")
            .short("quit"),
    ],
};

pub const COMMAND: Table = Table {
    name: "command",
    title: "Command",
    typing: false,
    bindings: &[
        bind(
            Do::Switch,
            "switch",
            &[Tab, BackTab, Left, Right, Char('h'), Char('l')],
        )
        .label("Tab")
        .short("to Run"),
        bind(Do::Submit, "choose", &[Enter])
            .label("Enter")
            .short("runs (on Run)"),
        bind(Do::Cancel, "cancel", &[Esc])
            .label("Esc")
            .short("cancel"),
    ],
};

pub const OUTPUT: Table = Table {
    name: "output",
    title: "Output",
    typing: false,
    bindings: &[
        bind(Do::Down, "down", &[Char('j'), Down])
            .label("j")
            .short("line down"),
        bind(Do::Up, "up", &[Char('k'), Up])
            .label("k")
            .short("line up"),
        bind(Do::PageUp, "page-up", &[PageUp, Ctrl('b')])
            .label("PgUp")
            .short("page up"),
        bind(Do::PageDown, "page-down", &[PageDown, Ctrl('f'), Char(' ')])
            .label("PgDn")
            .short("page down"),
        bind(Do::Top, "top", &[Home, Char('g')])
            .label("Home")
            .short("first line"),
        bind(Do::Bottom, "tail", &[End, Char('G')])
            .label("End")
            .short("tail (follows)"),
        bind(Do::Search, "search", &[Char('/')])
            .label("/")
            .short("search"),
        bind(Do::Older, "older", &[Char('n')])
            .label("n")
            .short("older"),
        bind(Do::Newer, "newer", &[Char('N')])
            .label("N")
            .short("newer"),
        bind(Do::Interrupt, "interrupt", &[Ctrl('c')])
            .label("Ctrl-C")
            .short("interrupt"),
        bind(Do::Close, "close", &[Esc, Char('q'), Enter])
            .label("Esc")
            .short("close"),
    ],
};

pub const GATE: Table = Table {
    name: "gate",
    title: "Gate",
    typing: false,
    bindings: &[
        bind(Do::Go, "go", &[Char('y')]).label("y").short("GO"),
        bind(Do::NoGo, "no-go", &[Char('n')])
            .label("n")
            .short("NO-GO"),
        bind(Do::Override, "override", &[Char('o')])
            .label("o")
            .short("override"),
        bind(Do::SignOff, "sign-off", &[Char(' ')])
            .label("Space")
            .short("sign-off"),
        bind(Do::Down, "down", &[Char('j'), Down])
            .label("j/k")
            .short("sign-offs"),
        bind(Do::Up, "up", &[Char('k'), Up]),
        bind(Do::Reopen, "reopen", &[Char('r')])
            .label("r")
            .short("reopen"),
        bind(Do::Close, "close", &[Esc, Char('q')])
            .label("Esc")
            .short("close"),
    ],
};

pub const BREACH: Table = Table {
    name: "breach",
    title: "Breach",
    typing: false,
    bindings: &[bind(Do::Close, "hold", &[Esc, Enter])
        .label("Esc")
        .short("hold the weights")],
};

/// The rollback's confirmation: the typed word has the focus; the list scrolls.
pub const ROLLBACK: Table = Table {
    name: "rollback",
    title: "Rollback",
    typing: true,
    bindings: &[
        bind(Do::Submit, "confirm", &[Enter])
            .label("Enter")
            .short("roll back"),
        bind(Do::Cancel, "cancel", &[Esc])
            .label("Esc")
            .short("cancel"),
        bind(Do::Switch, "plan", &[Tab, BackTab])
            .label("Tab")
            .short("the phase's own plan"),
        bind(Do::Up, "up", &[Up]).label("↑").short("scroll up"),
        bind(Do::Down, "down", &[Down])
            .label("↓")
            .short("scroll down"),
        bind(Do::PageUp, "page-up", &[PageUp])
            .label("PgUp")
            .short("page up"),
        bind(Do::PageDown, "page-down", &[PageDown])
            .label("PgDn")
            .short("page down"),
    ],
};

pub const WITHOUT_SEAT: Table = Table {
    name: "without-seat",
    title: "Rollback without the seat",
    typing: false,
    bindings: &[
        bind(Do::Yes, "confirm", &[Char('y'), Char('Y')])
            .label("y")
            .short("roll back without the seat"),
        bind(Do::Cancel, "cancel", &[Esc])
            .label("Esc")
            .short("cancel"),
    ],
};

pub const ROLLBACK_RUN: Table = Table {
    name: "rollback-run",
    title: "Rollback running",
    typing: false,
    bindings: &[
        bind(Do::Retry, "run", &[Char('r')])
            .label("r")
            .short("run / retry"),
        bind(Do::Skip, "skip", &[Char('s')])
            .label("s")
            .short("skip"),
        bind(Do::Abort, "abort", &[Char('a')])
            .label("a")
            .short("abort"),
        bind(Do::Done, "done", &[Enter])
            .label("Enter")
            .short("done (a manual step)"),
        bind(Do::Interrupt, "interrupt", &[Ctrl('c')])
            .label("Ctrl-C")
            .short("interrupt"),
        bind(Do::Close, "hide", &[Esc]).label("Esc").short("hide"),
    ],
};

pub const IN_DOUBT: Table = Table {
    name: "in-doubt",
    title: "In doubt",
    typing: false,
    bindings: &[
        bind(Do::Stop, "stop", &[Char('k')])
            .label("k")
            .short("stop it"),
        bind(Do::TookEffect, "took-effect", &[Char('d')])
            .label("d")
            .short("it took effect"),
        bind(Do::DidNot, "did-not", &[Char('n')])
            .label("n")
            .short("it did not"),
        bind(Do::Close, "later", &[Esc]).label("Esc").short("later"),
    ],
};

pub const QUIT: Table = Table {
    name: "quit",
    title: "Quit while running",
    typing: false,
    bindings: &[
        bind(Do::Yes, "quit", &[Char('y')])
            .label("y")
            .short("interrupt and quit"),
        bind(Do::No, "stay", &[Char('n'), Esc])
            .label("n")
            .short("stay"),
    ],
};

pub const END: Table = Table {
    name: "end",
    title: "End the run",
    typing: false,
    bindings: &[
        bind(Do::Yes, "end", &[Char('y'), Char('Y')])
            .label("y")
            .short("end the run"),
        bind(Do::No, "keep", &[Char('n'), Char('N'), Esc])
            .label("n")
            .short("keep it open"),
        bind(Do::Quit, "quit", &[Char('q')])
            .label("q")
            .short("quit"),
    ],
};

/// Any key but the stop leaves the process running.
pub const STOP_ORPHAN: Table = Table {
    name: "stop-orphan",
    title: "Stop a process",
    typing: false,
    bindings: &[
        bind(Do::Yes, "stop", &[Char('y')])
            .label("y")
            .short("stop it"),
        bind(Do::No, "leave", &[Char('n'), Esc])
            .label("n/Esc")
            .short("leave it running"),
    ],
};

/// Every dialog table, in the order help lists them.
pub const DIALOGS: &[&Table] = &[
    &TEXT,
    &SEARCH,
    &GATE,
    &COMMAND,
    &OUTPUT,
    &BREACH,
    &ROLLBACK,
    &ROLLBACK_RUN,
    &WITHOUT_SEAT,
    &IN_DOUBT,
    &STOP_ORPHAN,
    &RESUME,
    &QUIT,
    &END,
    &HELP,
    &DETAIL,
];
