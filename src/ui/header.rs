//! Two header lines: what is running and where the clock stands.
//! `✈ Runbook name ............................ [ LIVE ]`
//! `Phase B · T+00:12:31 · end ≈ 23:45Z ........ user@host`

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Look, fit, format_clock, hhmm, width_of};
use crate::app::App;
use crate::app::progress::RunState;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let (t, g) = (look.theme, look.glyphs);
    let width = area.width as usize;
    let state = match app.progress.run_state() {
        RunState::Active => String::new(),
        other => format!(" {} {}", g.sep, other.word().to_uppercase()),
    };
    // A rehearsal of a runbook with placeholders left says so: its commands would fail live.
    let unfilled = if app.vars_unfilled.is_empty() {
        String::new()
    } else {
        format!(" {} vars unfilled", g.sep)
    };
    // A guide without a sidecar is a checklist: nothing is polled, no gate has thresholds.
    let unfilled = match app.guide_banner {
        Some(_) => format!("{unfilled} {} no sidecar", g.sep),
        None => unfilled,
    };
    // Records kept on this host by a rollback without the seat, until the store takes them.
    let state = match (app.acting_without_seat, app.without_seat_pending) {
        (true, _) => format!("{state} {} WITHOUT SEAT", g.sep),
        (false, 0) => state,
        (false, n) => format!("{state} {} {n} kept without seat", g.sep),
    };
    let mode = if app.demo {
        format!(" DEMO {} {}{unfilled}{state} ", g.sep, app.mode.label())
    } else {
        format!(" {}{unfilled}{state} ", app.mode.label())
    };
    // Right of the name: what needs eyes now, the split, the mode; the name gives way first.
    let mut right: Vec<Span> = Vec::new();
    if let Some((text, style)) = alarm(app, look) {
        right.push(Span::styled(format!("{text} "), style));
    }
    if app.runbook.traffic.is_some() {
        right.extend(split(app, look));
    }
    let right_width = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let fixed = width_of(&mode) + width_of(g.plane) + 3;
    while !right.is_empty() && right_width(&right) + fixed + 8 > width {
        right.pop(); // the split's parts go first, the alarm stays
    }
    let name_room = width.saturating_sub(fixed + right_width(&right));
    let name = fit(&app.runbook.meta.name, name_room);
    let pad = width.saturating_sub(
        width_of(&name) + width_of(&mode) + width_of(g.plane) + 2 + right_width(&right),
    );
    let mut spans = vec![
        Span::styled(format!(" {} ", g.plane), t.header),
        Span::styled(name, t.header.patch(t.title)),
        Span::styled(" ".repeat(pad), t.header),
    ];
    spans.extend(right);
    spans.push(Span::styled(mode, mode_style(app, look)));
    let line1 = Line::from(spans);

    let phase = &app.runbook.phases[app.current_phase()].title;
    let clock = app
        .clock_offset()
        .map_or("T --:--:--".to_string(), format_clock);
    let zero = if app.start_from_flag {
        " (--start)"
    } else if app.runbook.meta.start.is_some() {
        ""
    } else {
        " (run)"
    };
    let end = app
        .projected_end()
        .map_or("end ?".to_string(), |e| format!("end ≈ {}", hhmm(e)));
    // Right-aligned: who holds the seat when it is not us (cut to fit, it matters more than
    // the phase name), else the operator (dropped when there is no room).
    // An observer that stopped following says so before anything else: its screen is stale.
    let stopped = app
        .follow_stopped
        .as_ref()
        .map(|why| format!("NOT FOLLOWING: journal {why}"));
    let (right, right_style, must_show) = match (&stopped, &app.seat_note) {
        (Some(stopped), _) => (stopped.as_str(), t.danger, true),
        (None, Some(note)) => (note.as_str(), t.warn, true),
        (None, None) => (app.operator.as_str(), t.muted, false),
    };
    let right_width = width_of(right) + 1;
    let right_room = if must_show {
        right_width.min(width / 2)
    } else {
        right_width
    };
    let fixed = format!(" {} {clock}{zero} {} {end} ", g.sep, g.sep);
    let phase_room = width.saturating_sub(width_of(&fixed) + right_room + 1);
    let phase = fit(phase, phase_room.max(8));
    let used = 1 + width_of(&phase) + width_of(&fixed);
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
        let pad = room.saturating_sub(width_of(&right) + 1);
        line2.push(Span::styled(" ".repeat(pad), t.text));
        line2.push(Span::styled(format!("{right} "), right_style));
    }
    frame.render_widget(Paragraph::new(vec![line1, Line::from(line2)]), area);
}

/// The split as the journal has it (and the read-back beside it when they differ); before
/// the first shift, the read-back marked as such, or unknown.
fn split(app: &App, look: &Look) -> Vec<Span<'static>> {
    let t = look.theme;
    let Some(green) = app.split_shown() else {
        return vec![Span::styled("split unknown ".to_string(), t.stale)];
    };
    let read = if app.progress.traffic.green.is_none() {
        "read "
    } else {
        ""
    };
    let mut spans = vec![Span::styled(
        format!("{read}B {:>3}% ", 100 - green),
        t.accent,
    )];
    spans.extend(split_cells(green, 10, look));
    spans.push(Span::styled(format!(" {green}% G "), t.ok));
    spans
}

/// The one thing that needs the operator's eyes now, most urgent first.
fn alarm(app: &App, look: &Look) -> Option<(String, Style)> {
    let t = look.theme;
    if !app.in_doubt().is_empty() {
        return Some(("IN DOUBT".into(), t.danger));
    }
    if app.rollback_active() {
        return Some(("ROLLBACK".into(), t.danger));
    }
    // Team mode: this cockpit could not renew its seat and acts no more (line 2 says why).
    if app.mode_before_loss.is_some() {
        return Some(("SEAT LOST".into(), t.danger));
    }
    if let Some(read) = app.traffic_mismatch() {
        return Some((format!("MISMATCH: {read}% G in force"), t.danger));
    }
    if let Some((_, policy)) = app.progress.traffic.breach {
        let word = match policy {
            crate::runbook::BreachPolicy::Freeze => "FROZEN: BREACH",
            _ => "BREACH",
        };
        return Some((word.into(), t.danger));
    }
    if let Some(running) = app.running_now() {
        let secs = (app.now - running.started).whole_seconds();
        return Some((
            format!(
                "{} {}",
                look.glyphs.running,
                crate::telemetry::format::age(secs)
            ),
            t.running,
        ));
    }
    let left = |until: time::OffsetDateTime| {
        crate::telemetry::format::age((until - app.now).whole_seconds())
    };
    if let Some((until, _)) = app.bake() {
        return Some((format!("bake {}", left(until)), t.warn));
    }
    if let Some((_, until)) = app.running_wait() {
        return Some((format!("wait {}", left(until)), t.warn));
    }
    let (_, until) = app.running_gate_timeout()?;
    Some((format!("gate timeout {}", left(until)), t.warn))
}

/// Blue cells then green cells; told apart by glyph as well as colour.
pub fn split_cells(green: u8, cells: usize, look: &Look) -> Vec<Span<'static>> {
    let green_cells = (cells * green as usize).div_ceil(100).min(cells);
    vec![
        Span::styled(
            look.glyphs.bar_full.to_string().repeat(cells - green_cells),
            look.theme.accent,
        ),
        Span::styled(
            look.glyphs.bar_empty.to_string().repeat(green_cells),
            look.theme.ok,
        ),
    ]
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
