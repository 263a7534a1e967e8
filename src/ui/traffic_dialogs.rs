//! The traffic dialogs: the shift (the plan, the next weight, its request and holds, the typed
//! word) and the breach prompt.

use ratatui::text::{Line, Span};

use super::Look;
use super::action_dialogs::{mode_note, text_keys, typed};
use super::hints;
use crate::app::App;
use crate::app::keymap::{BREACH, Command, Do, TEXT};
use crate::gates::Evaluation;
use crate::telemetry::format;

/// `blue 90% ███████░ 10% green`, for the header and the shift dialog.
pub fn split_bar(green: u8, width: usize, look: &Look) -> Vec<Span<'static>> {
    let t = look.theme;
    let mut spans = vec![Span::styled(format!("blue {}% ", 100 - green), t.accent)];
    spans.extend(super::header::split_cells(green, width.max(4), look));
    spans.push(Span::styled(format!(" {green}% green"), t.ok));
    spans
}

pub(super) fn shift<'a>(
    app: &App,
    to_green: Option<u8>,
    step: Option<&str>,
    text: &str,
    reason: Option<&crate::app::TextInput>,
    look: &Look,
) -> Vec<Line<'a>> {
    let t = look.theme;
    let Some(traffic) = &app.runbook.traffic else {
        return Vec::new();
    };
    let mut lines = vec![
        Line::styled(
            format!("blue: {} · green: {}", traffic.blue, traffic.green),
            t.muted,
        ),
        match app.split_shown() {
            Some(green) => Line::from(split_bar(green, 30, look)),
            None => Line::styled("split: unknown (no shift yet, nothing read back)", t.stale),
        },
    ];
    lines.push(read_back_line(app, look));
    if let Some((at, policy)) = app.progress.traffic.breach {
        lines.push(Line::styled(
            format!(
                "abort criteria breached {} ago (policy {}): R rolls back",
                format::age((app.now - at).whole_seconds()),
                policy.name()
            ),
            t.danger,
        ));
    }
    if let Some((until, _)) = app.bake() {
        lines.push(Line::styled(
            format!(
                "baking: {} left of the watch after the last shift",
                format::age((until - app.now).whole_seconds())
            ),
            t.warn,
        ));
    }
    let plan: Vec<String> = traffic
        .plan
        .iter()
        .map(|p| {
            let mark = if Some(p.green) == to_green { "▶" } else { "" };
            format!("{mark}{}%", p.green)
        })
        .collect();
    lines.push(Line::styled(format!("plan: {}", plan.join(" → ")), t.text));
    let Some(green) = to_green else {
        lines.push(Line::styled(
            "nothing left to shift: the plan is complete (R rolls back)",
            t.muted,
        ));
        lines.push(hints::of(app, &TEXT, &[(Do::Cancel, "close")], look));
        return lines;
    };
    let from = app.split_shown().map_or("?".to_string(), |g| g.to_string());
    lines.push(Line::styled(
        format!("next: green {from}% → {green}%, with:"),
        t.title,
    ));
    if let Some(request) = app.shift_request(green) {
        lines.push(Line::styled(format!("  {}", request.shown()), t.accent));
    }
    lines.extend(mode_note(app, look));
    let holds = app.shift_holds(step);
    for hold in &holds {
        lines.push(Line::styled(
            format!("{} HELD: {hold}", look.glyphs.failed),
            t.danger,
        ));
    }
    lines.push(Line::default());
    match reason {
        None => {
            lines.push(typed(
                format!("Type {} to shift: ", traffic.confirm),
                text,
                look,
            ));
            let then = if holds.is_empty() {
                "shift"
            } else {
                "then a reason to override"
            };
            lines.push(text_keys(app, then, "cancel", look));
        }
        Some(reason) => {
            lines.push(Line::styled(
                "Shifting past the hold is an override: the reason is journaled and reported.",
                t.warn,
            ));
            lines.push(typed("Override reason: ".into(), &reason.text, look));
            lines.push(text_keys(app, "shift with override", "cancel", look));
        }
    }
    lines
}

fn read_back_line<'a>(app: &App, look: &Look) -> Line<'a> {
    let t = look.theme;
    match &app.traffic_read {
        None => Line::styled("in force: not read (no `get` in [traffic])", t.muted),
        Some(read) => match &read.green {
            Ok(g) if app.traffic_mismatch().is_some() => Line::styled(
                format!(
                    "MISMATCH: {g}% green in force, the journal says {}%",
                    app.green()
                ),
                t.danger,
            ),
            Ok(g) => Line::styled(
                format!(
                    "in force: {g}% green (read {} ago)",
                    format::age((app.now - read.at).whole_seconds())
                ),
                t.ok,
            ),
            Err(why) => Line::styled(format!("in force: unknown ({why})"), t.warn),
        },
    }
}

pub(super) fn breach<'a>(app: &App, evidence: &[Evaluation], look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let mut lines = vec![Line::styled(
        format!(
            "During the bake at {}% green, abort criteria hold:",
            app.green()
        ),
        t.danger,
    )];
    for e in crate::app::traffic::breached(evidence) {
        lines.push(Line::styled(
            format!("  {} {}: {}", look.glyphs.failed, e.criterion, e.why),
            t.danger,
        ));
    }
    let policy = app.runbook.traffic.as_ref().map(|t| t.on_breach);
    lines.push(Line::styled(
        match policy {
            Some(crate::runbook::BreachPolicy::Freeze) => {
                "FROZEN: the weights are held (policy freeze); going back may be worse than staying"
            }
            _ => "Decide: roll back, or hold the weights and watch",
        },
        t.warn,
    ));
    lines.push(Line::default());
    let rollback = app.keys.main.label(Command::Rollback);
    lines.push(hints::line(
        vec![
            (rollback, "roll back"),
            hints::pair(app, &BREACH, (Do::Close, "")),
        ],
        look,
    ));
    lines
}
