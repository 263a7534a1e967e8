//! The checklist pane: phase rows with progress, step rows with status glyph and word.
//! Only the rows in view are built, so a 10,000-step runbook draws as fast as a short one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Look, fit};
use crate::app::{App, Pane, Row, Status, rows::window_start};
use crate::runbook::duration::format_time_mark;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let t = look.theme;
    let focused = app.focus == Pane::Checklist && app.layers.is_empty();
    let block = super::pane(" Checklist ", focused, look);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let rows = app.row_index();
    let selected = rows.index_of(app.selected).unwrap_or(0);
    let height = inner.height as usize;
    let start = window_start(selected, rows.len(), height);
    let width = inner.width as usize;
    // Walks the progress once per frame, not once per phase row.
    let current = app.current_phase();
    let lines: Vec<Line> = rows
        .from(start)
        .take(height)
        .map(|row| {
            let line = match row {
                Row::Phase(p) => phase_line(app, p, current, width, look),
                Row::Step(p, s) => step_line(app, p, s, width, look),
            };
            if row == app.selected {
                line.patch_style(t.selection)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
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
    let room = width.saturating_sub(count.len() + arrow.chars().count() + 1);
    let title = fit(&app.runbook.phases[p].title, room);
    let pad = room.saturating_sub(title.chars().count());
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
    let room = width.saturating_sub(head.chars().count() + mark.chars().count());
    let title = fit(&step.title, room);
    let pad = room.saturating_sub(title.chars().count());
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
