//! The main screen's key table.

use super::Binding;
use super::Key::*;

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

pub const MAIN: super::Table<Command> = super::Table {
    name: "",
    title: "Checklist",
    typing: false,
    bindings: &[
        Binding::new(Command::Down, "down", &[Char('j'), Down])
            .label("j/k")
            .short("move")
            .desc("move down / up"),
        Binding::new(Command::Up, "up", &[Char('k'), Up]),
        Binding::new(Command::FoldOrLeft, "fold", &[Char('h'), Left])
            .label("h/l")
            .short("fold")
            .desc("fold phase / back to the checklist"),
        Binding::new(Command::UnfoldOrRight, "unfold", &[Char('l'), Right])
            .desc("unfold phase / into the detail pane"),
        Binding::new(Command::NextPane, "next-pane", &[Tab])
            .label("Tab")
            .short("pane")
            .desc("next pane: checklist, detail, telemetry"),
        Binding::new(Command::PrevPane, "prev-pane", &[BackTab])
            .label("S-Tab")
            .desc("previous pane"),
        Binding::new(Command::Top, "top", &[Home])
            .label("Home/End")
            .desc("first / last row"),
        Binding::new(Command::Bottom, "bottom", &[End]),
        Binding::new(Command::PageDown, "page-down", &[PageDown, Ctrl('d')])
            .label("PgDn/PgUp")
            .desc("a page down / up"),
        Binding::new(Command::PageUp, "page-up", &[PageUp, Ctrl('u')]),
        Binding::new(Command::Toggle, "tick", &[Char(' ')])
            .label("Space")
            .short("tick")
            .desc("tick / untick a manual step")
            .footer(2),
        Binding::new(Command::Act, "act", &[Enter])
            .label("Enter")
            .short("fold")
            .desc("act: run a command, open a gate, shift; fold; source detail")
            .footer(3),
        Binding::new(Command::Skip, "skip", &[Char('s')])
            .label("s")
            .short("skip")
            .desc("skip the step, with a reason")
            .footer(4),
        Binding::new(Command::Note, "note", &[Char('n')])
            .label("n")
            .short("note")
            .desc("add a note to the step")
            .footer(5),
        Binding::new(Command::Undo, "undo", &[Char('u')])
            .label("u")
            .short("undo")
            .desc("undo the last tick or skip")
            .footer(6),
        Binding::new(Command::NextGate, "next-gate", &[Char('g')])
            .label("g")
            .short("gate")
            .desc("open the next gate"),
        Binding::new(Command::Traffic, "traffic", &[Char('t')])
            .label("t")
            .short("traffic")
            .desc("traffic: shift to the plan's next weight"),
        Binding::new(Command::Rollback, "rollback", &[Char('R'), Ctrl('r')])
            .label("R")
            .short("rollback")
            .desc("emergency rollback from anywhere (Ctrl-R in text fields)")
            .footer(1),
        Binding::new(Command::Search, "search", &[Char('/')])
            .label("/")
            .short("search")
            .desc("search steps")
            .footer(7),
        Binding::new(Command::DemoFault, "demo-fault", &[Char('X')])
            .label("X")
            .short("fail green")
            .desc("demo only: green answers 500 until X again (abort, rollback)")
            .footer(10),
        Binding::new(Command::Help, "help", &[Char('?')])
            .label("?")
            .short("help")
            .desc("help: every key")
            .footer(9),
        Binding::new(Command::Quit, "quit", &[Char('q')])
            .label("q")
            .short("quit")
            .desc("quit (the run stays open and resumes)")
            .footer(8),
    ],
};
