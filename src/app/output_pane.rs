//! The output pane on the app: its keys (scrolling and search go to the view, Ctrl-C
//! interrupts, Esc closes), its size, and asking for the lines that left memory.

use super::keymap::{self, Do};
use super::output::OutputView;
use super::*;

impl App {
    /// The output pane: scrolling and search go to its view; Ctrl-C interrupts; Esc, `q` or
    /// Enter close it (Esc first leaves a search being typed).
    pub(super) fn output_key(&mut self, command: Option<Do>, key: Key) -> Vec<Effect> {
        // Ctrl-C interrupts the command even while a query is typed.
        let interrupt =
            !key.types() && self.keys.command(&keymap::OUTPUT, key) == Some(Do::Interrupt);
        let rows = self.output_rows();
        if !interrupt
            && let Some(running) = self.running.as_mut()
            && running.view.key(&running.lines, rows, command, key)
        {
            return self.read_spilled();
        }
        match command {
            _ if interrupt => self.interrupt_running(),
            Some(Do::Close) => {
                self.layers.pop();
                if let Some(running) = self.running.as_mut() {
                    // Opened again, the pane follows the tail.
                    running.view = OutputView::default();
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// New output came: a redraw if it is on screen; scrolled back while the command runs,
    /// what is shown may just have left memory.
    pub(super) fn lines_arrived(&mut self, shown: bool) -> Vec<Effect> {
        self.dirty |= shown;
        let following = self.running.as_ref().is_none_or(|r| r.view.following());
        if shown && !following {
            return self.read_spilled();
        }
        Vec::new()
    }

    /// Asks for the lines the pane would show that left memory, from the kept file.
    pub(super) fn read_spilled(&mut self) -> Vec<Effect> {
        let rows = self.output_rows();
        let Some(running) = self.running.as_mut() else {
            return Vec::new();
        };
        let first = running.view.first_shown(&running.lines, rows);
        match running.lines.page_needed(first, rows) {
            Some((first, count)) => vec![Effect::ReadOutput {
                id: running.id,
                first,
                count,
            }],
            None => Vec::new(),
        }
    }

    /// A query is being typed in the output pane: `R` is a letter there.
    pub(super) fn output_search_typing(&self) -> bool {
        self.running
            .as_ref()
            .and_then(|r| r.view.search.as_ref())
            .is_some_and(|s| s.editing)
    }

    /// Output lines the pane shows at the terminal's size: all but the header, the footer,
    /// the box and the pane's status and key rows.
    pub fn output_rows(&self) -> usize {
        usize::from(self.size.1.saturating_sub(7)).max(1)
    }
}
