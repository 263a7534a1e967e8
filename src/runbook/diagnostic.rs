//! Errors that point into the runbook file: `file:line:col`, the line, a caret, a fix.

use std::fmt;
use std::ops::Range;

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

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diag;
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.text.is_empty() {
            // Nothing to quote (the file could not be read): name it and say what to do.
            return write!(
                f,
                "{kind}: {}\n --> {}\n  = fix: {}",
                d.message, self.path, d.fix
            );
        }
        let (line, col) = line_col(self.text, d.span.start);
        let line_text = self.text.lines().nth(line - 1).unwrap_or("");
        // The caret covers the span, but never past the end of its first line.
        let span_chars = self
            .text
            .get(d.span.clone())
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count());
        let room = line_text.chars().count().saturating_sub(col - 1);
        let carets = span_chars.clamp(1, room.max(1));
        let gutter = line.to_string().len();
        writeln!(f, "{kind}: {}", d.message)?;
        writeln!(f, "{:gutter$}--> {}:{line}:{col}", "", self.path)?;
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{line} | {}", line_text.replace('\t', " "))?;
        writeln!(
            f,
            "{:gutter$} | {}{}",
            "",
            " ".repeat(col - 1),
            "^".repeat(carets)
        )?;
        write!(f, "{:gutter$} = fix: {}", "", d.fix)
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
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("é = 1\nab", 8), (2, 2));
    }
}
