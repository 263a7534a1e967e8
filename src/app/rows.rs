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

/// The checklist's rows counted, indexed and walked without building them: a key or a frame
/// costs the number of phases, not of steps (issue 13: flat at 10,000 steps).
pub struct Rows<'a> {
    runbook: &'a Runbook,
    folded: &'a HashSet<usize>,
}

impl<'a> Rows<'a> {
    pub fn new(runbook: &'a Runbook, folded: &'a HashSet<usize>) -> Self {
        Self { runbook, folded }
    }

    /// Rows phase `p` takes: its header, and its steps unless folded.
    fn span(&self, p: usize) -> usize {
        if self.folded.contains(&p) {
            1
        } else {
            1 + self.runbook.phases[p].steps.len()
        }
    }

    pub fn len(&self) -> usize {
        (0..self.runbook.phases.len()).map(|p| self.span(p)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.runbook.phases.is_empty()
    }

    /// Where `row` is, if it is shown (a step of a folded phase is not).
    pub fn index_of(&self, row: Row) -> Option<usize> {
        let p = row.phase();
        let phase = self.runbook.phases.get(p)?;
        let before: usize = (0..p).map(|q| self.span(q)).sum();
        match row {
            Row::Phase(_) => Some(before),
            Row::Step(_, s) if s < phase.steps.len() && !self.folded.contains(&p) => {
                Some(before + 1 + s)
            }
            Row::Step(..) => None,
        }
    }

    pub fn at(&self, index: usize) -> Option<Row> {
        self.from(index).next()
    }

    /// The rows from `index` on, in order.
    pub fn from(&self, index: usize) -> impl Iterator<Item = Row> + use<'a> {
        let (runbook, folded) = (self.runbook, self.folded);
        let mut skip = index;
        let mut first = (runbook.phases.len(), 0);
        for p in 0..runbook.phases.len() {
            let span = self.span(p);
            if skip < span {
                first = (p, skip);
                break;
            }
            skip -= span;
        }
        let (p0, offset) = first;
        (p0..runbook.phases.len())
            .flat_map(move |p| {
                let steps = if folded.contains(&p) {
                    0
                } else {
                    runbook.phases[p].steps.len()
                };
                std::iter::once(Row::Phase(p)).chain((0..steps).map(move |s| Row::Step(p, s)))
            })
            .skip(offset)
    }
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

    fn runbook(phase_sizes: &[usize]) -> Runbook {
        let mut text = String::from("[runbook]\nname = \"rows\"\n");
        for (p, n) in phase_sizes.iter().enumerate() {
            text += &format!("[[phase]]\nid = \"p{p}\"\ntitle = \"P{p}\"\n");
            for s in 0..*n {
                text += &format!("[[phase.step]]\nid = \"p{p}s{s}\"\ntitle = \"S\"\n");
            }
        }
        text += "[rollback]\nsteps = [{ title = \"r\" }]\n";
        crate::runbook::parse(&text).expect("valid").runbook
    }

    #[test]
    fn counted_rows_agree_with_the_built_list() {
        let book = runbook(&[3, 1, 4, 2, 5]);
        for mask in 0u32..32 {
            let folded: HashSet<usize> = (0..5).filter(|p| mask & (1 << p) != 0).collect();
            let built = visible_rows(&book, &folded);
            let rows = Rows::new(&book, &folded);
            assert_eq!(rows.len(), built.len(), "folded {folded:?}");
            for (i, row) in built.iter().enumerate() {
                assert_eq!(rows.index_of(*row), Some(i), "{row:?} folded {folded:?}");
                assert_eq!(rows.at(i), Some(*row));
                assert_eq!(rows.from(i).collect::<Vec<_>>(), built[i..].to_vec());
            }
            assert_eq!(rows.at(built.len()), None);
            for &p in &folded {
                assert_eq!(rows.index_of(Row::Step(p, 0)), None, "hidden in a fold");
            }
        }
        let none = HashSet::new();
        assert_eq!(Rows::new(&book, &none).index_of(Row::Step(0, 9)), None);
        assert_eq!(Rows::new(&book, &none).index_of(Row::Phase(9)), None);
    }

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
