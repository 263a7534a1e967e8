//! Drawing. Every function here only reads the app state; nothing changes while drawing.
//!
//! ```text
//! ┌ header: runbook · phase · T± clock · projected end · mode · operator ┐
//! ├ checklist (phases, steps)      │ detail of the selected row          ┤
//! └ footer: key hints for what applies now, or a message                 ┘
//!   layers on top: help, prompts, search, resume confirmation
//! ```

mod action_dialogs;
mod checklist;
mod detail;
mod dialogs;
mod doubt_dialogs;
mod footer;
mod gate_dialog;
pub mod glyphs;
mod header;
mod hints;
mod output_pane;
mod rollback_dialogs;
mod source_detail;
mod telemetry;
pub mod telemetry_text;
mod traffic_dialogs;
mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap};

use crate::app::App;
use crate::theme::Theme;
pub use glyphs::Glyphs;

/// Below this the cockpit shows a notice instead of a cramped, misleading screen.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// What drawing needs besides the state.
pub struct Look<'a> {
    pub theme: &'a Theme,
    pub glyphs: &'a Glyphs,
}

pub fn draw(frame: &mut Frame, app: &App, look: &Look) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return too_small(frame, area, look);
    }
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, head, app, look);
    let (list, detail, telemetry) = body_areas(body, app);
    checklist::draw(frame, list, app, look);
    detail::draw(frame, detail, app, look);
    if let Some(area) = telemetry {
        telemetry::draw(frame, area, app, look);
    }
    footer::draw(frame, foot, app, look);
    dialogs::draw(frame, area, app, look);
}

/// Checklist on the left. With telemetry: on wide screens a third column; otherwise the right
/// column is split, telemetry above the detail, leaving the detail at least 9 rows (the step at
/// hand matters as much; the telemetry pane scrolls).
fn body_areas(body: Rect, app: &App) -> (Rect, Rect, Option<Rect>) {
    let has_telemetry = !app.runbook.sources.is_empty();
    if has_telemetry && body.width >= WIDE {
        let [list, detail, telemetry] = Layout::horizontal([
            Constraint::Percentage(34),
            Constraint::Min(30),
            Constraint::Percentage(33),
        ])
        .areas(body);
        return (list, detail, Some(telemetry));
    }
    let list_width = (body.width * 45 / 100).max(36);
    let [list, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(body);
    if !has_telemetry {
        return (list, right, None);
    }
    let wanted = telemetry::lines_needed(app) as u16 + 2;
    let height = wanted.min(body.height.saturating_sub(9)).max(4);
    let [telemetry, detail] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(right);
    (list, detail, Some(telemetry))
}

/// From this width on, telemetry gets its own column.
pub const WIDE: u16 = 120;

fn too_small(frame: &mut Frame, area: Rect, look: &Look) {
    let text = vec![
        Line::styled("Terminal too small", look.theme.danger),
        Line::styled(
            format!(
                "need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
                area.width, area.height
            ),
            look.theme.text,
        ),
        Line::styled("enlarge the window; q quits", look.theme.muted),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// A bordered pane whose border lights up when it has the keyboard.
pub fn pane<'a>(title: &'a str, focused: bool, look: &Look) -> ratatui::widgets::Block<'a> {
    let t = look.theme;
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_set(look.glyphs.border)
        .border_style(if focused { t.border_focus } else { t.border })
        .title(ratatui::text::Span::styled(title, t.title))
}

/// A scrollbar on the right border of the pane `area`, when its content (`total` rows, of which
/// `shown` from `offset` on are in view) does not fit. The border's own line is the track, so a
/// pane whose content fits looks as it always did.
pub fn scrollbar(
    frame: &mut Frame,
    area: Rect,
    (offset, shown, total): (usize, usize, usize),
    style: Style,
    look: &Look,
) {
    if total <= shown || shown == 0 {
        return;
    }
    let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
        .begin_symbol(None)
        .end_symbol(None)
        .track_symbol(Some(look.glyphs.border.vertical_right))
        .thumb_symbol(look.glyphs.scroll_thumb)
        .style(style);
    // One position per offset the window can take, so the thumb reaches the bottom at the last.
    let mut state = ScrollbarState::new(total - shown + 1)
        .position(offset)
        .viewport_content_length(shown);
    let track = area.inner(Margin {
        vertical: 1,
        horizontal: 0,
    });
    frame.render_stateful_widget(bar, track, &mut state);
}

/// Columns `text` takes on screen: a CJK glyph or an emoji two, a combining mark none. Padding
/// counts these, not characters, or a wide glyph pushes the columns after it out of line.
pub fn width_of(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by blanks up to `width` columns (`format!("{:<w$}")` counts characters).
pub fn pad_right(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(width_of(text));
    format!("{text}{}", " ".repeat(pad))
}

/// Cuts text to `width` display columns, with an ellipsis when cut.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    if width_of(text) <= width {
        return text.to_string();
    }
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `T-01:23:45`, `T+00:05:00`, with days past 24 hours.
pub fn format_clock(offset_secs: i64) -> String {
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let s = offset_secs.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("T{sign}{d}d {h:02}:{m:02}:{sec:02}")
    } else {
        format!("T{sign}{h:02}:{m:02}:{sec:02}")
    }
}

/// `22:14Z`: times on screen are UTC, like the journal.
pub fn hhmm(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02}Z", t.hour(), t.minute())
}
