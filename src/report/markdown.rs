//! Markdown building blocks that journal text cannot break out of. Everything written into a
//! journal (notes, reasons, commands, output, even step ids in a hand-edited file) goes through
//! one of these before it reaches the report: a stray pipe must not split a table row, a
//! backtick must not close a code span, a newline must not start a heading, and an escape
//! sequence must not reach whoever `cat`s the report in a terminal.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::telemetry::sanitize::{one_line, sanitize};

/// Characters Markdown (CommonMark and GitHub's tables and strikethrough) or inline HTML could
/// read as markup. Backslash-escaping any ASCII punctuation is always literal in CommonMark,
/// and `\|` is the GFM way to keep a pipe inside a table cell.
const MARKUP: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '#', '&', '!',
];

/// Journal text as one line of literal Markdown text, safe in a paragraph, a heading, a list
/// item or a table cell. Line breaks fold to spaces: a report row stays one row.
pub fn text(s: &str) -> String {
    let line = one_line(s);
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if MARKUP.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Journal text as an inline code span, on one line: delimited by one backtick more than the
/// longest run inside, padded when it starts or ends with a backtick. Not for table cells
/// (GitHub splits cells at a pipe even inside a code span); use [`text`] there.
pub fn code(s: &str) -> String {
    let line = one_line(s);
    if line.is_empty() {
        return "(empty)".into();
    }
    let ticks = "`".repeat(longest_run(&line, '`') + 1);
    let pad = if line.starts_with('`') || line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{line}{pad}{ticks}")
}

/// Lines of journal text as a fenced block, its fence longer than any backtick run inside so no
/// line can close it early. Always at the start of a line, followed by a blank line.
pub fn fence(lines: &[String]) -> String {
    let body: Vec<String> = lines
        .iter()
        .flat_map(|l| {
            sanitize(l)
                .split('\n')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let longest = body.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("{fence}text\n");
    for line in &body {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push_str("\n\n");
    out
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A table from cells that are already Markdown (built with [`text`] or fixed words).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push('\n');
    out
}

/// A record's RFC 3339 time as `2026-12-05 22:00:01` (UTC, to the second); anything that does
/// not parse is shown as written, escaped.
pub fn time(rfc3339: &str) -> String {
    parse_time(rfc3339).map_or_else(|| text(rfc3339), utc)
}

/// `2026-12-05 22:00:01`, in UTC.
pub fn utc(t: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

pub fn parse_time(rfc3339: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::borders;

    #[test]
    fn text_escapes_markup_and_folds_lines() {
        assert_eq!(text("a | b"), "a \\| b");
        assert_eq!(text("`x` *y* _z_"), "\\`x\\` \\*y\\* \\_z\\_");
        assert_eq!(
            text("line one\n# heading\n| x |"),
            "line one \\# heading \\| x \\|"
        );
        assert_eq!(text("<script>&amp;"), "\\<script\\>\\&amp;");
        assert_eq!(text("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(text("back\\slash"), "back\\\\slash");
        assert_eq!(text("plain words 42%"), "plain words 42%");
    }

    #[test]
    fn text_strips_escape_sequences_and_controls() {
        let hostile = "ok\u{1b}[2J\u{1b}]0;title\u{7}done\u{202e}\u{0}";
        assert_eq!(text(hostile), "okdone");
    }

    #[test]
    fn a_hostile_cell_keeps_its_row_whole() {
        let hostile = "a|b\\|c`d\n| e | f |\r\n\u{1b}[31mred";
        let t = table(&["one", "two"], &[vec![text(hostile), "x".into()]]);
        let row = t.lines().nth(2).unwrap();
        assert_eq!(borders(row), 3, "{row}");
        assert_eq!(t.lines().filter(|l| l.starts_with('|')).count(), 3, "{t}");
        assert!(!t.contains('\u{1b}'));
    }

    #[test]
    fn code_span_outlasts_backticks_inside() {
        assert_eq!(code("ls -l"), "`ls -l`");
        assert_eq!(code("echo `date`"), "`` echo `date` ``");
        assert_eq!(code("a ``` b"), "````a ``` b````");
        assert_eq!(code("x\ny"), "`x y`");
        assert_eq!(code(""), "(empty)");
    }

    #[test]
    fn fence_outlasts_backticks_inside() {
        let out = fence(&["```".into(), "````rust".into(), "\u{1b}[1mbold".into()]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "`````text");
        assert_eq!(lines[1..4], ["```", "````rust", "bold"]);
        assert_eq!(lines[4], "`````");
        assert_eq!(fence(&["plain".into()]).lines().next(), Some("```text"));
    }

    #[test]
    fn times_are_utc_to_the_second() {
        assert_eq!(time("2026-12-05T22:00:01.123Z"), "2026-12-05 22:00:01");
        assert_eq!(time("2026-12-05T23:00:01+01:00"), "2026-12-05 22:00:01");
        assert_eq!(time("yesterday|ish"), "yesterday\\|ish");
    }
}
