//! The checklist pane: phase rows with progress, step rows with status glyph and word.
//! Only the rows in view are built, so a 10,000-step runbook draws as fast as a short one: the
//! window is chosen here (`window_start`), and ratatui's `List` draws just its rows, with the
//! selection as its highlight. A scrollbar on the border says where the window is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

use super::{Look, fit, scrollbar, width_of};
use crate::app::{App, Pane, Row, Status, rows::window_start};
use crate::runbook::duration::format_time_mark;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let t = look.theme;
    let focused = app.focus == Pane::Checklist && app.layers.is_empty();
    let block = super::pane(" Checklist ", focused, look);
    let inner = block.inner(area);

    let rows = app.row_index();
    let total = rows.len();
    let selected = rows.index_of(app.selected);
    let height = inner.height as usize;
    let start = window_start(selected.unwrap_or(0), total, height);
    let width = inner.width as usize;
    // Walks the progress once per frame, not once per phase row.
    let current = app.current_phase();
    let items: Vec<ListItem> = rows
        .from(start)
        .take(height)
        .map(|row| {
            ListItem::new(match row {
                Row::Phase(p) => phase_line(app, p, current, width, look),
                Row::Step(p, s) => step_line(app, p, s, width, look),
            })
        })
        .collect();
    // The list holds only the window, so its offset is 0 and the selection counts from the
    // window's first row.
    let mut state = ListState::default().with_selected(selected.map(|i| i - start));
    let list = List::new(items).block(block).highlight_style(t.selection);
    frame.render_stateful_widget(list, area, &mut state);
    let border = if focused { t.border_focus } else { t.border };
    scrollbar(frame, area, (start, height, total), border, look);
}

fn phase_line<'a>(app: &App, p: usize, current: usize, width: usize, look: &Look) -> Line<'a> {
    let (t, g) = (look.theme, look.glyphs);
    let (done, total) = app.phase_progress(p);
    let arrow = if app.folded.contains(&p) {
        g.folded
    } else {
        g.unfolded
    };
    let count = format!(" {done}/{total}");
    let room = width.saturating_sub(width_of(&count) + width_of(arrow) + 1);
    let title = fit(&app.runbook.phases[p].title, room);
    let pad = room.saturating_sub(width_of(&title));
    let style = if p == current { t.accent } else { t.title };
    let count_style = if done == total { t.ok } else { t.muted };
    Line::from(vec![
        Span::styled(format!("{arrow} "), style),
        Span::styled(title, style),
        Span::raw(" ".repeat(pad)),
        Span::styled(count, count_style),
    ])
}

fn step_line<'a>(app: &App, p: usize, s: usize, width: usize, look: &Look) -> Line<'a> {
    let (t, g) = (look.theme, look.glyphs);
    let step = &app.runbook.phases[p].steps[s];
    let status = app.progress.status(&step.id);
    let style = status_style(status, look);
    let mark = step
        .at
        .map(|a| format!(" {}", format_time_mark(a)))
        .unwrap_or_default();
    let head = format!("  {} {:<7} ", g.status(status), status.word());
    let room = width.saturating_sub(width_of(&head) + width_of(&mark));
    let title = fit(&step.title, room);
    let pad = room.saturating_sub(width_of(&title));
    let matched = crate::app::App::step_matches(step, &app.last_query);
    let title_style = match (matched, status.finished()) {
        (true, _) => t.matched,
        (false, true) => t.muted,
        _ => t.text,
    };
    Line::from(vec![
        Span::styled(head, style),
        Span::styled(title, title_style),
        Span::raw(" ".repeat(pad)),
        Span::styled(mark, t.muted),
    ])
}

pub fn status_style(status: Status, look: &Look) -> Style {
    let t = look.theme;
    match status {
        Status::Pending => t.muted,
        Status::Running => t.running,
        Status::Done => t.ok,
        Status::Skipped => t.warn,
        Status::Failed => t.danger,
        Status::RolledBack => t.warn,
    }
}
