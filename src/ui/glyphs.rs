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
    /// A shift the rollback took back.
    pub rolled_back: &'static str,
    pub sep: &'static str,
    pub plane: &'static str,
    pub cursor: &'static str,
    pub bullet: &'static str,
    pub box_empty: &'static str,
    /// Telemetry levels: ok, warn, fail, unknown.
    pub levels: [&'static str; 4],
    /// Sparkline heights, lowest first.
    pub spark: [char; 8],
    pub bar_full: char,
    pub bar_empty: char,
    /// Trend: rising, falling, flat.
    pub trend: [&'static str; 3],
}

/// The ASCII set when asked for (`--ascii` or `ascii = true`), else the Unicode one.
pub fn choose(ascii: bool) -> &'static Glyphs {
    if ascii { &ASCII } else { &UNICODE }
}

pub const UNICODE: Glyphs = Glyphs {
    unfolded: "▾",
    folded: "▸",
    pending: "○",
    running: "◐",
    done: "✔",
    skipped: "⊘",
    failed: "✖",
    rolled_back: "↶",
    sep: "·",
    plane: "✈",
    cursor: "█",
    bullet: "•",
    box_empty: "☐",
    levels: ["●", "▲", "✖", "?"],
    spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
    bar_full: '█',
    bar_empty: '░',
    trend: ["↗", "↘", "→"],
};

pub const ASCII: Glyphs = Glyphs {
    unfolded: "v",
    folded: ">",
    pending: "[ ]",
    running: "[~]",
    done: "[x]",
    skipped: "[-]",
    failed: "[!]",
    rolled_back: "[<]",
    sep: "|",
    plane: ">>",
    cursor: "_",
    bullet: "*",
    box_empty: "[ ]",
    levels: ["+", "!", "X", "?"],
    spark: ['_', '.', ',', ':', '-', '=', '*', '#'],
    bar_full: '#',
    bar_empty: '-',
    trend: ["^", "v", "-"],
};

impl Glyphs {
    pub fn level(&self, level: crate::telemetry::Level) -> &'static str {
        use crate::telemetry::Level;
        match level {
            Level::Ok => self.levels[0],
            Level::Warn => self.levels[1],
            Level::Fail => self.levels[2],
            Level::Unknown => self.levels[3],
        }
    }

    pub fn status(&self, s: Status) -> &'static str {
        match s {
            Status::Pending => self.pending,
            Status::Running => self.running,
            Status::Done => self.done,
            Status::Skipped => self.skipped,
            Status::Failed => self.failed,
            Status::RolledBack => self.rolled_back,
        }
    }
}
