//! The output pane's state: the lines of the running (or last) action, bounded in memory, and
//! where the operator is looking in them: following the tail, scrolled back, or at a search
//! hit. Every line is also in the action's kept file (`journal::output`), so lines that leave
//! memory are not lost: scrolled back that far, the pane asks for a page of them from the file
//! (`Effect::ReadOutput`) and shows it when it comes (`ActionUpdate::Spilled`).

use std::collections::VecDeque;

use super::TextInput;
use super::keymap::{Do, Key};
pub use crate::actions::report::OutputLine;

/// Lines kept in memory for the pane; beyond it the oldest are only in the kept file.
pub const MEMORY_LINES: usize = 100_000;
/// Bytes of text kept in memory for the pane, whichever limit comes first.
pub const MEMORY_BYTES: usize = 64 * 1024 * 1024;
/// Lines read back from the file at a time, around what is shown.
pub const PAGE_LINES: usize = 2_000;

/// An action's output lines, numbered from 0 for its first line ever printed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputBuffer {
    lines: VecDeque<OutputLine>,
    bytes: usize,
    /// Lines that left memory (the oldest); they are in the kept file.
    spilled: u64,
    /// Lines read back from the kept file (first line's number, texts).
    page: Option<(u64, Vec<String>)>,
    /// The page asked for last, so one view asks once.
    asked: Option<(u64, usize)>,
}

impl OutputBuffer {
    pub fn push(&mut self, stderr: bool, text: String) {
        self.bytes += text.len();
        self.lines.push_back(OutputLine { stderr, text });
        while self.lines.len() > MEMORY_LINES || (self.bytes > MEMORY_BYTES && self.lines.len() > 1)
        {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= old.text.len();
                self.spilled += 1;
            }
        }
    }

    /// Every line printed so far, in memory or not.
    pub fn total(&self) -> u64 {
        self.spilled + self.lines.len() as u64
    }

    /// The number of the first line still in memory.
    pub fn first_in_memory(&self) -> u64 {
        self.spilled
    }

    pub fn get(&self, number: u64) -> Option<&OutputLine> {
        let index = number.checked_sub(self.spilled)?;
        self.lines.get(usize::try_from(index).ok()?)
    }

    /// A line's text wherever it is: in memory, or in the page read back from the file. The
    /// file does not say which stream a line came from: those read back count as stdout.
    pub fn text(&self, number: u64) -> Option<(bool, &str)> {
        if let Some(line) = self.get(number) {
            return Some((line.stderr, &line.text));
        }
        let (first, lines) = self.page.as_ref()?;
        let index = usize::try_from(number.checked_sub(*first)?).ok()?;
        lines.get(index).map(|t| (false, t.as_str()))
    }

    /// The page of spilled lines to read so that `first..first + rows` can be shown, unless
    /// those are in memory, already read, or already asked for.
    pub fn page_needed(&mut self, first: u64, rows: usize) -> Option<(u64, usize)> {
        let end = (first + rows as u64).min(self.spilled);
        if first >= end {
            return None;
        }
        let covered = self
            .page
            .as_ref()
            .is_some_and(|(from, lines)| *from <= first && end <= from + lines.len() as u64);
        if covered {
            return None;
        }
        let from = first.saturating_sub(PAGE_LINES as u64 / 2);
        let count = usize::try_from((self.spilled - from).min(PAGE_LINES as u64 + rows as u64))
            .unwrap_or(PAGE_LINES);
        if self.asked == Some((from, count)) {
            return None;
        }
        self.asked = Some((from, count));
        Some((from, count))
    }

    /// A page read back from the kept file; one asked for before the last is late and
    /// dropped (reads run on threads of their own and may answer out of order).
    pub fn set_page(&mut self, first: u64, lines: Vec<String>) {
        if self.asked.is_some_and(|(asked, _)| asked != first) {
            return;
        }
        self.page = Some((first, lines));
    }

    pub fn last(&self) -> Option<&OutputLine> {
        self.lines.back()
    }

    /// The last `n` lines in memory, oldest first.
    pub fn tail(&self, n: usize) -> impl Iterator<Item = &OutputLine> {
        self.lines.iter().skip(self.lines.len().saturating_sub(n))
    }

    /// The nearest line from `from` in the direction asked (toward older lines when
    /// `older`) that contains `query`, ignoring case; `from` itself is not looked at.
    pub fn find(&self, query: &str, from: u64, older: bool) -> Option<u64> {
        let query = query.to_lowercase();
        let hit = |n: &u64| {
            self.get(*n)
                .is_some_and(|l| l.text.to_lowercase().contains(&query))
        };
        if older {
            (self.spilled..from.min(self.total())).rev().find(hit)
        } else {
            (from.saturating_add(1)..self.total()).find(hit)
        }
    }
}

/// Where the pane looks, and its search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputView {
    /// The number of the first line shown; `None` follows the tail.
    pub top: Option<u64>,
    pub search: Option<OutputSearch>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputSearch {
    pub input: TextInput,
    /// The query is being typed (the pane's last row is the input).
    pub editing: bool,
    /// The line found last, highlighted.
    pub hit: Option<u64>,
    /// The last search found nothing (in that direction).
    pub missed: bool,
}

impl OutputView {
    /// The first line shown when `rows` lines fit.
    pub fn first_shown(&self, buffer: &OutputBuffer, rows: usize) -> u64 {
        let bottom = buffer.total().saturating_sub(rows as u64);
        self.top.unwrap_or(bottom).min(bottom)
    }

    pub fn following(&self) -> bool {
        self.top.is_none()
    }

    /// A key meant for the view (scrolling, search), as the top key table reads it (the text
    /// table while a query is typed); `false` when it was not one.
    pub fn key(
        &mut self,
        buffer: &OutputBuffer,
        rows: usize,
        command: Option<Do>,
        key: Key,
    ) -> bool {
        if let Some(search) = self.search.as_mut().filter(|s| s.editing) {
            match command {
                Some(Do::Cancel) => self.search = None,
                Some(Do::Submit) if search.input.text.is_empty() => self.search = None,
                Some(Do::Submit) => {
                    search.editing = false;
                    self.jump(buffer, rows, true, true);
                }
                _ => search.input.edit(key),
            }
            return true;
        }
        let rows = rows.max(1) as u64;
        let first = self.first_shown(buffer, rows as usize);
        let scroll_to = |view: &mut Self, first: i128| {
            let bottom = buffer.total().saturating_sub(rows);
            let first = first.clamp(0, bottom as i128) as u64;
            // Back at the end, the pane follows the tail again.
            view.top = (first < bottom).then_some(first);
        };
        match command {
            Some(Do::Up) => scroll_to(self, first as i128 - 1),
            Some(Do::Down) => scroll_to(self, first as i128 + 1),
            Some(Do::PageUp) => scroll_to(self, first as i128 - rows as i128),
            Some(Do::PageDown) => scroll_to(self, first as i128 + rows as i128),
            Some(Do::Top) => scroll_to(self, 0),
            Some(Do::Bottom) => self.top = None,
            Some(Do::Search) => {
                self.search = Some(OutputSearch {
                    editing: true,
                    ..OutputSearch::default()
                });
            }
            Some(Do::Older) if self.search.is_some() => {
                self.jump(buffer, rows as usize, true, false)
            }
            Some(Do::Newer) if self.search.is_some() => {
                self.jump(buffer, rows as usize, false, false)
            }
            _ => return false,
        }
        true
    }

    /// To the next hit toward older lines (`older`) or newer ones, from the last hit or, for
    /// a fresh query, from the bottom of what is shown (then from the end, once); the hit is
    /// shown a third from the top.
    fn jump(&mut self, buffer: &OutputBuffer, rows: usize, older: bool, fresh: bool) {
        let first = self.first_shown(buffer, rows);
        let Some(search) = self.search.as_mut() else {
            return;
        };
        let from = match (fresh, search.hit) {
            (false, Some(hit)) => hit,
            _ if older => (first + rows as u64).min(buffer.total()),
            _ => first.saturating_sub(1),
        };
        let found = buffer.find(&search.input.text, from, older);
        // A fresh query wraps around once, as in less and vim: the hit may be below the view.
        let found = match found {
            None if fresh => buffer.find(&search.input.text, buffer.total(), true),
            found => found,
        };
        match found {
            Some(hit) => {
                search.hit = Some(hit);
                search.missed = false;
                let bottom = buffer.total().saturating_sub(rows as u64);
                let top = hit.saturating_sub(rows as u64 / 3).min(bottom);
                self.top = (top < bottom).then_some(top);
            }
            None => search.missed = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key as the cockpit reads it in the output pane, with the default key tables.
    fn press(v: &mut OutputView, b: &OutputBuffer, key: Key) {
        use crate::app::keymap::{Keys, OUTPUT, TEXT};
        let typing = v.search.as_ref().is_some_and(|s| s.editing);
        let table = if typing { &TEXT } else { &OUTPUT };
        v.key(b, 10, Keys::defaults(table).command(key), key);
    }

    fn buffer(n: u64) -> OutputBuffer {
        let mut b = OutputBuffer::default();
        for i in 0..n {
            b.push(false, format!("line {i}"));
        }
        b
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_lines_spill() {
        let b = buffer(MEMORY_LINES as u64 + 5);
        assert_eq!(b.total(), MEMORY_LINES as u64 + 5);
        assert_eq!(b.first_in_memory(), 5);
        assert_eq!(b.get(4), None);
        assert_eq!(b.get(5).unwrap().text, "line 5");

        let mut big = OutputBuffer::default();
        for _ in 0..5 {
            big.push(false, "x".repeat(MEMORY_BYTES / 2));
        }
        assert_eq!(
            (big.total(), big.first_in_memory()),
            (5, 3),
            "64 MiB at most"
        );
    }

    #[test]
    fn scrolling_back_and_following_the_tail_again() {
        let b = buffer(100);
        let mut v = OutputView::default();
        assert_eq!(v.first_shown(&b, 10), 90);
        press(&mut v, &b, Key::PageUp);
        assert_eq!((v.first_shown(&b, 10), v.following()), (80, false));
        press(&mut v, &b, Key::Home);
        assert_eq!(v.first_shown(&b, 10), 0);
        press(&mut v, &b, Key::Up);
        assert_eq!(v.first_shown(&b, 10), 0, "the top stops at the first line");
        press(&mut v, &b, Key::PageDown);
        assert_eq!(v.first_shown(&b, 10), 10);
        for _ in 0..20 {
            press(&mut v, &b, Key::PageDown);
        }
        assert!(
            v.following(),
            "paging down to the end follows the tail again"
        );
        press(&mut v, &b, Key::Up);
        press(&mut v, &b, Key::End);
        assert!(v.following());
    }

    #[test]
    fn search_finds_older_then_newer_hits_ignoring_case() {
        let mut b = buffer(100);
        b.push(false, "Plan: 3 to add".into());
        let mut v = OutputView::default();
        press(&mut v, &b, Key::Char('/'));
        for c in "LINE 4".chars() {
            press(&mut v, &b, Key::Char(c));
        }
        press(&mut v, &b, Key::Enter);
        let hit = |v: &OutputView| v.search.as_ref().unwrap().hit;
        assert_eq!(hit(&v), Some(49), "the nearest above the bottom");
        assert!(v.first_shown(&b, 10) <= 49 && 49 < v.first_shown(&b, 10) + 10);
        press(&mut v, &b, Key::Char('n'));
        assert_eq!(hit(&v), Some(48));
        press(&mut v, &b, Key::Char('N'));
        assert_eq!(hit(&v), Some(49));
        for _ in 0..20 {
            press(&mut v, &b, Key::Char('n'));
        }
        assert_eq!(hit(&v), Some(4), "line 4 is the oldest hit");
        assert!(v.search.as_ref().unwrap().missed);
        press(&mut v, &b, Key::Home);
        press(&mut v, &b, Key::Char('/'));
        for c in "plan:".chars() {
            press(&mut v, &b, Key::Char(c));
        }
        press(&mut v, &b, Key::Enter);
        assert_eq!(hit(&v), Some(100), "a fresh search wraps to the end once");
        press(&mut v, &b, Key::Char('/'));
        press(&mut v, &b, Key::Esc);
        assert_eq!(v.search, None, "Esc leaves the search");
    }

    #[test]
    fn lines_that_left_memory_are_asked_for_once_and_shown_from_the_page() {
        let mut b = buffer(MEMORY_LINES as u64 + 500);
        let mut v = OutputView::default();
        assert_eq!(
            b.page_needed(v.first_shown(&b, 10), 10),
            None,
            "the tail is in memory"
        );
        press(&mut v, &b, Key::Home);
        assert_eq!(v.first_shown(&b, 10), 0, "Home goes to the very first line");
        assert_eq!(b.text(0), None);
        assert_eq!(b.page_needed(0, 10), Some((0, 500)));
        assert_eq!(b.page_needed(0, 10), None, "asked once");
        b.set_page(0, (0..500).map(|i| format!("line {i}")).collect());
        assert_eq!(b.text(3), Some((false, "line 3")));
        assert_eq!(b.page_needed(0, 10), None, "covered");
        assert_eq!(
            b.text(600).map(|(_, t)| t.to_string()),
            Some("line 600".into())
        );

        // Asked for another page, the answer to an older question is dropped.
        let mut b = buffer(MEMORY_LINES as u64 + 5_000);
        assert_eq!(b.page_needed(0, 10), Some((0, 2_010)));
        assert_eq!(b.page_needed(4_000, 10), Some((3_000, 2_000)));
        b.set_page(0, vec!["late".into()]);
        assert_eq!(b.text(0), None, "a late page is not shown");
        b.set_page(3_000, vec!["line 3000".into()]);
        assert_eq!(b.text(3_000), Some((false, "line 3000")));
    }
}
