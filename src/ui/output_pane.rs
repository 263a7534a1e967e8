//! The output pane: the running (or last) action's output over the body, scrolled where the
//! operator looks (the tail by default), with its search. Only the visible lines are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::dialogs::boxed;
use super::{Look, fit, hints};
use crate::app::App;
use crate::app::keymap::{Do, OUTPUT, TEXT};
use crate::telemetry::format;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let t = look.theme;
    // Over the body: the header (mode, alarms, split) and the footer stay in sight.
    let rect = Rect {
        x: area.x,
        y: area.y + 2,
        width: area.width,
        height: area.height.saturating_sub(3),
    };
    let Some(running) = &app.running else {
        return;
    };
    let rows = app.output_rows();
    let width = rect.width.saturating_sub(2) as usize;
    let (buffer, view) = (&running.lines, &running.view);
    let first = view.first_shown(buffer, rows);
    let total = buffer.total();
    let mut lines = vec![status(app, running, first, rows, look)];
    let hit = view.search.as_ref().and_then(|s| s.hit);
    for number in first..total.min(first + rows as u64) {
        let line = match buffer.text(number) {
            Some((stderr, text)) => {
                let style = match () {
                    _ if Some(number) == hit => t.selection,
                    _ if stderr => t.warn,
                    _ => t.text,
                };
                Line::styled(fit(text, width), style)
            }
            // Left memory; its page is being read back from the kept file.
            None => Line::styled(
                format!("line {} (reading the kept file)", number + 1),
                t.muted,
            ),
        };
        lines.push(line);
    }
    while lines.len() < rows + 1 {
        lines.push(Line::default());
    }
    lines.push(hint(app, running, look));
    let title = fit(&running.title, width.saturating_sub(10));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(boxed(&format!("Output: {title}"), look)),
        rect,
    );
    // Beside the output's rows only, between the status line and the keys.
    let beside = Rect {
        y: rect.y + 1,
        height: (rows as u16)
            .saturating_add(2)
            .min(rect.height.saturating_sub(1)),
        ..rect
    };
    let bar = (first as usize, rows, total as usize);
    super::scrollbar(frame, beside, bar, t.border_focus, look);
}

/// How the action stands, and where the view is: `running for 5s · 1,204 lines`, or
/// `· lines 81-88 of 1,204` when scrolled back.
fn status<'a>(
    app: &App,
    running: &crate::app::RunningAction,
    first: u64,
    rows: usize,
    look: &Look,
) -> Line<'a> {
    let t = look.theme;
    let total = running.lines.total();
    let (text, style) = match &running.ended {
        None if running.interrupting => (
            "interrupting: SIGINT sent, SIGKILL after 5 s".to_string(),
            t.warn,
        ),
        None => {
            let secs = (app.now - running.started).whole_seconds();
            (format!("running for {}", format::age(secs)), t.running)
        }
        Some((true, result)) => (format!("{} {result}", look.glyphs.done), t.ok),
        Some((false, result)) => (format!("{} FAILED: {result}", look.glyphs.failed), t.danger),
    };
    let place = if running.view.following() || total <= rows as u64 {
        format!("{} lines", format::thousands(total))
    } else {
        let last = (first + rows as u64).min(total);
        format!(
            "lines {}-{} of {}",
            format::thousands(first + 1),
            format::thousands(last),
            format::thousands(total)
        )
    };
    Line::from(vec![
        Span::styled(text, style),
        Span::styled(format!(" {} {place}", look.glyphs.sep), t.muted),
    ])
}

/// The last row: the search being typed, the search's keys, or the pane's keys.
fn hint<'a>(app: &App, running: &crate::app::RunningAction, look: &Look) -> Line<'a> {
    let t = look.theme;
    let text = app.keys.of(&TEXT);
    let pages = hints::both(app, &OUTPUT, Do::PageUp, Do::PageDown, "/");
    let ends = hints::both(app, &OUTPUT, Do::Top, Do::Bottom, "/");
    match &running.view.search {
        Some(search) if search.editing => Line::from(vec![
            Span::styled("/", t.key),
            Span::styled(
                format!("{}{}", search.input.text, look.glyphs.cursor),
                t.accent,
            ),
            Span::styled(
                format!(
                    "  {} find · {} cancel",
                    text.label(Do::Submit),
                    text.label(Do::Cancel)
                ),
                t.muted,
            ),
        ]),
        Some(search) => {
            let mut line = hints::of(
                app,
                &OUTPUT,
                &[
                    (Do::Older, ""),
                    (Do::Newer, ""),
                    (Do::Search, "new search"),
                    (Do::Bottom, "tail"),
                ],
                look,
            );
            if search.missed {
                line.spans.insert(
                    0,
                    Span::styled(format!("no more `{}` ", search.input.text), t.warn),
                );
            }
            line
        }
        None if running.is_running() => hints::line(
            vec![
                hints::pair(app, &OUTPUT, (Do::Interrupt, "")),
                (pages, "scroll"),
                hints::pair(app, &OUTPUT, (Do::Search, "")),
                hints::pair(app, &OUTPUT, (Do::Close, "hide")),
            ],
            look,
        ),
        None => hints::line(
            vec![
                (pages, "scroll"),
                (ends, "top/tail"),
                hints::pair(app, &OUTPUT, (Do::Search, "")),
                hints::pair(app, &OUTPUT, (Do::Close, "")),
            ],
            look,
        ),
    }
}
