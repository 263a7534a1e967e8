//! The checklist as rows: phase headers and, for unfolded phases, their steps.

use std::collections::HashSet;

use crate::runbook::Runbook;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    Phase(usize),
    /// Phase index, step index within the phase.
    Step(usize, usize),
}

impl Row {
    pub fn phase(self) -> usize {
        match self {
            Row::Phase(p) | Row::Step(p, _) => p,
        }
    }
}

pub fn visible_rows(runbook: &Runbook, folded: &HashSet<usize>) -> Vec<Row> {
    let mut rows = Vec::with_capacity(runbook.phases.len() + runbook.steps().count());
    for (p, phase) in runbook.phases.iter().enumerate() {
        rows.push(Row::Phase(p));
        if !folded.contains(&p) {
            rows.extend((0..phase.steps.len()).map(|s| Row::Step(p, s)));
        }
    }
    rows
}

/// The first row to draw so that `selected` sits in a window of `height` rows. The window only
/// moves when the selection nears an edge, keeping a few rows of context (like vim's scrolloff).
pub fn window_start(selected: usize, total: usize, height: usize) -> usize {
    if total <= height || height == 0 {
        return 0;
    }
    let context = (height / 4).min(3);
    let max_start = total - height;
    // Anchor to the page the selection is in, then keep `context` rows around it.
    let start = selected.saturating_sub(height - 1 - context);
    start.min(max_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_selection_visible() {
        for total in [1, 5, 30, 10_000] {
            for height in [1, 3, 10, 22] {
                for selected in 0..total.min(200) {
                    let start = window_start(selected, total, height);
                    assert!(
                        start <= selected && selected < start + height.max(1),
                        "sel {selected} total {total} h {height} start {start}"
                    );
                    assert!(start + height <= total.max(height));
                }
            }
        }
    }
}
