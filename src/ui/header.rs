//! Two header lines: what is running and where the clock stands.
//! `✈ Runbook name ............................ [ LIVE ]`
//! `Phase B · T+00:12:31 · end ≈ 23:45Z ........ user@host`

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Look, fit, format_clock, hhmm};
use crate::app::App;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let (t, g) = (look.theme, look.glyphs);
    let width = area.width as usize;
    let mode = format!(" {} ", app.mode.label());
    let name_room = width.saturating_sub(mode.len() + g.plane.len() + 3);
    let name = fit(&app.runbook.meta.name, name_room);
    let pad = width.saturating_sub(name.chars().count() + mode.len() + g.plane.chars().count() + 2);
    let line1 = Line::from(vec![
        Span::styled(format!(" {} ", g.plane), t.header),
        Span::styled(name, t.header.patch(t.title)),
        Span::styled(" ".repeat(pad), t.header),
        Span::styled(mode, mode_style(app, look)),
    ]);

    let phase = &app.runbook.phases[app.current_phase()].title;
    let clock = app
        .clock_offset()
        .map_or("T --:--:--".to_string(), format_clock);
    let zero = if app.runbook.meta.start.is_some() {
        ""
    } else {
        " (run)"
    };
    let end = app
        .projected_end()
        .map_or("end ?".to_string(), |e| format!("end ≈ {}", hhmm(e)));
    // Right-aligned: who holds the seat when it is not us (cut to fit, it matters more than
    // the phase name), else the operator (dropped when there is no room).
    let (right, right_style, must_show) = match &app.seat_note {
        Some(note) => (note.as_str(), t.warn, true),
        None => (app.operator.as_str(), t.muted, false),
    };
    let right_width = right.chars().count() + 1;
    let right_room = if must_show {
        right_width.min(width / 2)
    } else {
        right_width
    };
    let fixed = format!(" {} {clock}{zero} {} {end} ", g.sep, g.sep);
    let phase_room = width.saturating_sub(fixed.chars().count() + right_room + 1);
    let phase = fit(phase, phase_room.max(8));
    let used = 1 + phase.chars().count() + fixed.chars().count();
    let mut line2 = vec![
        Span::styled(" ", t.text),
        Span::styled(phase, t.accent),
        Span::styled(fixed, t.text),
    ];
    if let Some(err) = &app.journal_error {
        line2.push(Span::styled(
            fit(
                &format!("JOURNAL FAILING: {err}"),
                width.saturating_sub(used),
            ),
            t.danger,
        ));
    } else if must_show || used + right_width <= width {
        let room = width.saturating_sub(used);
        let right = fit(right, room.saturating_sub(1));
        let pad = room.saturating_sub(right.chars().count() + 1);
        line2.push(Span::styled(" ".repeat(pad), t.text));
        line2.push(Span::styled(format!("{right} "), right_style));
    }
    frame.render_widget(Paragraph::new(vec![line1, Line::from(line2)]), area);
}

fn mode_style(app: &App, look: &Look) -> Style {
    match app.mode {
        crate::app::Mode::Live => look
            .theme
            .ok
            .patch(look.theme.title)
            .add_modifier(ratatui::style::Modifier::REVERSED),
        _ => look
            .theme
            .warn
            .patch(look.theme.title)
            .add_modifier(ratatui::style::Modifier::REVERSED),
    }
}
