//! Symbols, in Unicode or plain ASCII (`--ascii`) for terminals without the glyphs.

use ratatui::symbols::{bar, border};

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
    /// Sparkline cells from empty to full, for ratatui's `Sparkline`.
    pub spark: bar::Set<'static>,
    /// The part of a pane's scrollbar that shows where the view is.
    pub scroll_thumb: &'static str,
    pub bar_full: char,
    pub bar_empty: char,
    /// Trend: rising, falling, flat.
    pub trend: [&'static str; 3],
    /// The boxes of panes and dialogs.
    pub border: border::Set<'static>,
}

/// `+--+` boxes: the line-drawing characters are what terminals without Unicode mangle first.
const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

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
    spark: bar::NINE_LEVELS,
    scroll_thumb: "┃",
    bar_full: '█',
    bar_empty: '░',
    trend: ["↗", "↘", "→"],
    border: border::PLAIN,
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
    spark: bar::Set {
        full: "#",
        seven_eighths: "*",
        three_quarters: "=",
        five_eighths: "-",
        half: ":",
        three_eighths: ",",
        one_quarter: ".",
        one_eighth: "_",
        empty: " ",
    },
    scroll_thumb: "#",
    bar_full: '#',
    bar_empty: '-',
    trend: ["^", "v", "-"],
    border: ASCII_BORDER,
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
