//! Symbols, in Unicode or plain ASCII (`--ascii`) for terminals without the glyphs.

use crate::app::Status;

pub struct Glyphs {
    pub unfolded: &'static str,
    pub folded: &'static str,
    pub pending: &'static str,
    pub running: &'static str,
    pub done: &'static str,
    pub skipped: &'static str,
    pub failed: &'static str,
    pub sep: &'static str,
    pub plane: &'static str,
    pub cursor: &'static str,
    pub bullet: &'static str,
    pub box_empty: &'static str,
}

pub const UNICODE: Glyphs = Glyphs {
    unfolded: "▾",
    folded: "▸",
    pending: "○",
    running: "◐",
    done: "✔",
    skipped: "⊘",
    failed: "✖",
    sep: "·",
    plane: "✈",
    cursor: "█",
    bullet: "•",
    box_empty: "☐",
};

pub const ASCII: Glyphs = Glyphs {
    unfolded: "v",
    folded: ">",
    pending: "[ ]",
    running: "[~]",
    done: "[x]",
    skipped: "[-]",
    failed: "[!]",
    sep: "|",
    plane: ">>",
    cursor: "_",
    bullet: "*",
    box_empty: "[ ]",
};

impl Glyphs {
    pub fn status(&self, s: Status) -> &'static str {
        match s {
            Status::Pending => self.pending,
            Status::Running => self.running,
            Status::Done => self.done,
            Status::Skipped => self.skipped,
            Status::Failed => self.failed,
        }
    }
}
