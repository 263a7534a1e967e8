//! Errors that point into the runbook file: `file:line:col`, the line, a caret, a fix.

use std::fmt;
use std::ops::Range;

use crate::sanitize::{push_visible, visible, visible_cut};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a runbook, located by byte span in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Range<usize>,
    pub fix: String,
}

impl Diagnostic {
    pub fn error(span: Range<usize>, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            span,
            fix: fix.into(),
        }
    }

    pub fn warning(span: Range<usize>, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            message: message.into(),
            span,
            fix: fix.into(),
        }
    }

    /// Ties the diagnostic to its file so it can be printed.
    pub fn located<'a>(&'a self, path: &'a str, text: &'a str) -> Located<'a> {
        Located {
            diag: self,
            path,
            text,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub struct Located<'a> {
    diag: &'a Diagnostic,
    path: &'a str,
    text: &'a str,
}

/// Characters of a source line quoted around the caret: a 10 MB line must not become a
/// 10 MB diagnostic.
pub const QUOTE_WIDTH: usize = 200;
/// Characters of a message or a fix: they can hold a value from the file.
const MESSAGE_WIDTH: usize = 1000;

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diag;
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Everything below can come from the file: shown with its control characters
        // written out, so a runbook cannot retitle, clear or write to the terminal.
        let message = visible_cut(&d.message, MESSAGE_WIDTH);
        let fix = visible_cut(&d.fix, MESSAGE_WIDTH);
        let path = visible(self.path);
        if self.text.is_empty() {
            // Nothing to quote (an empty file, or one that could not be read): everything is
            // at its start, and tools that jump to `file:line:col` still can.
            return write!(f, "{kind}: {message}\n --> {path}:1:1\n  = fix: {fix}");
        }
        let (line, col) = line_col(self.text, d.span.start);
        let line_text = self.text.lines().nth(line - 1).unwrap_or("");
        // The caret covers the span, but never past the end of its first line.
        let span_chars = self
            .text
            .get(d.span.clone())
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count());
        let quote = Quote::new(line_text, col - 1, span_chars);
        let gutter = line.to_string().len();
        writeln!(f, "{kind}: {message}")?;
        writeln!(f, "{:gutter$}--> {path}:{line}:{col}", "")?;
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{line} | {}", quote.text)?;
        writeln!(
            f,
            "{:gutter$} | {}{}",
            "",
            " ".repeat(quote.caret_at),
            "^".repeat(quote.carets)
        )?;
        write!(f, "{:gutter$} = fix: {fix}", "")
    }
}

/// A source line as quoted: at most [`QUOTE_WIDTH`] characters around the caret, control
/// characters written out, and where the caret goes in that text.
struct Quote {
    text: String,
    caret_at: usize,
    carets: usize,
}

impl Quote {
    fn new(line: &str, col: usize, span_chars: usize) -> Self {
        let chars: Vec<char> = line.chars().collect();
        let col = col.min(chars.len());
        let from = col.saturating_sub(QUOTE_WIDTH / 2);
        let to = (from + QUOTE_WIDTH).min(chars.len());
        let mut text = String::new();
        if from > 0 {
            text.push('…');
        }
        let mut caret_at = text.chars().count();
        let mut caret_end = caret_at;
        for (i, &c) in chars.iter().enumerate().take(to).skip(from) {
            if i == col {
                caret_at = text.chars().count();
            }
            if c == '\t' {
                text.push(' ');
            } else {
                push_visible(&mut text, c);
            }
            if i < col + span_chars.max(1) {
                caret_end = text.chars().count();
            }
        }
        if col >= to {
            caret_at = text.chars().count();
            caret_end = caret_at;
        }
        if to < chars.len() {
            text.push('…');
        }
        Quote {
            text,
            caret_at,
            carets: caret_end.saturating_sub(caret_at).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_caret_and_fix() {
        let text = "[runbook]\nname = \"x\"\nstart = \"soon\"\n";
        let at = text.find("\"soon\"").unwrap();
        let d = Diagnostic::error(at..at + 6, "bad start", "write an RFC 3339 time");
        let out = d.located("rb.toml", text).to_string();
        assert_eq!(
            out,
            "error: bad start\n --> rb.toml:3:9\n  |\n3 | start = \"soon\"\n  |         ^^^^^^\n  = fix: write an RFC 3339 time"
        );
    }

    #[test]
    fn quoted_text_shows_controls_and_keeps_the_caret() {
        let text = "# \x1b[2J\x07\nplanned = \"\x1b]0;PWNED\x07\"\n";
        let at = text.find("\"\x1b]").unwrap();
        let d = Diagnostic::error(at..at + 12, "bad `\x1b]0;PWNED\x07`", "fix \x1b[2J");
        let out = d.located("rb\x1b.toml", text).to_string();
        assert_eq!(
            out,
            "error: bad `\\e]0;PWNED\\u{7}`\n --> rb\\e.toml:2:11\n  |\n2 | planned = \"\\e]0;PWNED\\u{7}\"\n  |           ^^^^^^^^^^^^^^^^^\n  = fix: fix \\e[2J"
        );
    }

    #[test]
    fn a_long_line_is_cut_around_the_caret() {
        let text = format!("x = \"{}BAD{}\"\n", "a".repeat(10_000_000), "b".repeat(500));
        let at = text.find("BAD").unwrap();
        let d = Diagnostic::error(at..at + 3, "bad", "fix");
        let out = d.located("rb.toml", &text).to_string();
        assert!(out.len() < 1000, "{} bytes", out.len());
        let lines: Vec<&str> = out.lines().collect();
        // Columns in characters: the quote starts with a one-character `…`.
        let caret = lines[4].find('^').unwrap();
        let quoted: String = lines[3].chars().skip(caret).take(3).collect();
        assert_eq!(quoted, "BAD", "{out}");
        assert_eq!(&lines[4][caret..], "^^^");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("é = 1\nab", 8), (2, 2));
    }
}
