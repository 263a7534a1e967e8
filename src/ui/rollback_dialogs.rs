//! The rollback's two dialogs: the confirmation (the plan and the typed word) and the progress.
//! Both fit any terminal the cockpit accepts: the typed word, the state and the keys stay at
//! the bottom, and the list of steps above them shows what fits and scrolls.
//!
//! ```text
//! ┌ EMERGENCY ROLLBACK ─────────────────────┐
//! │The emergency plan (steps 1-4 of 12, ↓):│  head: which plan, where the list is
//! │Tab: only this phase's rollback (3 steps)│
//! │1. Switch back                           │  list: a window on the steps
//! │   green → 0%: …                         │
//! │…                                        │
//! │                                         │
//! │Type ROLLBACK to roll back: █            │  foot: notes, the word, the keys
//! │Enter roll back  Esc cancel  ↑↓ PgUp …   │
//! └─────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthChar;

use super::action_dialogs::{mode_note, typed};
use super::dialogs::{boxed, popup};
use super::hints;
use super::{Look, fit, width_of};
use crate::app::App;
use crate::app::actions::Purpose;
use crate::app::keymap::{Do, ROLLBACK, ROLLBACK_RUN};
use crate::runbook::{RollbackAction, RollbackStep};

const WIDTH: u16 = 76;

/// The confirmation: the chosen plan from step `scroll` on, the word typed so far.
pub fn confirm(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    choice: Option<usize>,
    text: &str,
    scroll: usize,
    look: &Look,
) {
    let t = look.theme;
    let plan = app.dialog_plan(choice);
    let steps = app.plan_steps(plan);
    let width = WIDTH.min(area.width);
    let inner = usize::from(width.saturating_sub(2));

    // Every line is cut or wrapped here to the inner width, so the rows counted are the rows
    // drawn and the word can never be pushed out of the box.
    let mut foot = Vec::new();
    if let Some(running) = app.running_now() {
        let text = format!("`{}` is running: it is interrupted first", running.title);
        foot.extend(wrapped("", &text, inner, t.warn));
    }
    if app.rollback_paused() {
        let text = "a rollback begun earlier did not finish: the word continues it";
        foot.extend(wrapped("", text, inner, t.warn));
    }
    foot.extend(mode_note(app, look));
    if app.may_roll_back_without_seat() && !app.acting_without_seat {
        let text =
            "the team database is unreachable: after the word, y confirms acting without the seat";
        foot.extend(wrapped("", text, inner, t.danger));
    }
    foot.push(Line::default());
    let word = &app.runbook.rollback.confirm;
    foot.push(typed(format!("Type {word} to roll back: "), text, look));

    let items: Vec<Vec<Line>> = steps
        .iter()
        .enumerate()
        .map(|(i, step)| step_lines(app, i, step, inner, look))
        .collect();
    let heights: Vec<u16> = items.iter().map(|l| l.len() as u16).collect();
    let offered = app
        .phase_rollback_offered()
        .map(|p| (p, app.plan_steps(Some(p)).len()));
    let tab = app.keys.of(&ROLLBACK).label(Do::Switch);
    let choice = offered.map(|(p, n)| match plan {
        None => format!(
            "{tab}: only the rollback of this phase, {} ({n} steps)",
            app.runbook.phases[p].title
        ),
        Some(_) => format!(
            "{tab}: the emergency plan instead ({} steps)",
            app.plan_steps(None).len()
        ),
    });
    let choice_lines = choice.map_or(Vec::new(), |c| wrapped("", &c, inner, t.key));

    // Everything but the list: the head, the choice, the foot and the keys.
    let fixed = (1 + choice_lines.len() + foot.len() + 1) as u16;
    let room = area.height.saturating_sub(2 + 2 + fixed); // borders, and a row above and below
    let (first, end) = window(&heights, room, scroll);
    let scrolls = first > 0 || end < steps.len();

    let mut lines = vec![head(app, plan, (first, end), steps.len(), inner, look)];
    lines.extend(choice_lines);
    for item in &items[first..end] {
        lines.extend(item.iter().cloned());
    }
    lines.extend(foot);
    let mut pairs = vec![
        hints::pair(app, &ROLLBACK, (Do::Submit, "")),
        hints::pair(app, &ROLLBACK, (Do::Cancel, "")),
    ];
    if scrolls {
        let arrows = hints::both(app, &ROLLBACK, Do::Up, Do::Down, "");
        let pages = hints::both(app, &ROLLBACK, Do::PageUp, Do::PageDown, " ");
        pairs.push((format!("{arrows} {pages}").into(), "scroll"));
    }
    lines.push(hints::line(pairs, look));

    let title = match plan {
        None => "EMERGENCY ROLLBACK".to_string(),
        Some(_) => "ROLLBACK OF THIS PHASE".to_string(),
    };
    let rect = popup(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(boxed(&title, look)), rect);
}

/// `text` after `prefix`, cut into rows `width` wide; the rows after the first are indented
/// as far as the prefix. Commands are long and have no good places to break: cut anywhere.
fn wrapped<'a>(prefix: &str, text: &str, width: usize, style: Style) -> Vec<Line<'a>> {
    let indent = width_of(prefix);
    let room = width.saturating_sub(indent).max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        row.push(c);
        used += w;
    }
    rows.push(row);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                prefix.to_string()
            } else {
                " ".repeat(indent)
            };
            Line::styled(format!("{lead}{row}"), style)
        })
        .collect()
}

/// Which plan, and which of its steps the list shows when not all.
fn head<'a>(
    app: &App,
    plan: Option<usize>,
    (first, end): (usize, usize),
    total: usize,
    width: usize,
    look: &Look,
) -> Line<'a> {
    let name = match plan {
        None => "The emergency plan".to_string(),
        Some(p) => format!(
            "The rollback of {}",
            app.runbook
                .phases
                .get(p)
                .map_or("a phase no longer in the runbook", |p| &p.title)
        ),
    };
    let place = if first == 0 && end >= total {
        ", in order:".to_string()
    } else {
        let above = if first > 0 { " ↑" } else { "" };
        let below = if end < total { " ↓" } else { "" };
        format!(" (steps {}-{end} of {total}{above}{below}):", first + 1)
    };
    // Where the list is matters more than the end of a long phase title.
    let name = fit(&name, width.saturating_sub(width_of(&place)));
    Line::styled(format!("{name}{place}"), look.theme.title)
}

/// One step of the confirmation: its title, what it does, whether it asks first.
fn step_lines<'a>(
    app: &App,
    i: usize,
    step: &RollbackStep,
    width: usize,
    look: &Look,
) -> Vec<Line<'a>> {
    let t = look.theme;
    let number = format!("{}. ", i + 1);
    let mut lines = wrapped(&number, &step.title, width, t.text);
    if let Some(what) = rollback_command(app, &step.action) {
        lines.extend(wrapped("   ", &what, width, t.accent));
    }
    if let Some(ask) = &step.ask {
        let text = format!("asks first: {ask} (run / skip)");
        lines.extend(wrapped("   ", &text, width, t.warn));
    }
    lines
}

fn rollback_command(app: &App, action: &RollbackAction) -> Option<String> {
    match action {
        RollbackAction::Run { command, .. } => Some(format!("$ {}", app.resolve(command))),
        RollbackAction::Traffic { green } => app
            .shift_request(*green)
            .map(|r| format!("green → {green}%: {}", r.shown())),
        RollbackAction::Manual => Some(format!(
            "by hand; {} when done",
            app.keys.of(&ROLLBACK_RUN).label(Do::Done)
        )),
    }
}

/// The steps `first..end` to list: from `want` on, as many whole steps as fit in `room` rows,
/// moved up so that the last page is full. At least one step, even if it is cut.
pub fn window(heights: &[u16], room: u16, want: usize) -> (usize, usize) {
    if heights.is_empty() {
        return (0, 0);
    }
    // The first step of the last full page.
    let mut last_first = heights.len();
    let mut used = 0;
    while last_first > 0 && used + heights[last_first - 1] <= room {
        last_first -= 1;
        used += heights[last_first];
    }
    let first = want.min(last_first).min(heights.len() - 1);
    let mut end = first;
    let mut used = 0;
    while end < heights.len() && used + heights[end] <= room {
        used += heights[end];
        end += 1;
    }
    (first, end.max(first + 1))
}

/// The progress: every step with its state, following the step the rollback is at.
pub fn progress(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let t = look.theme;
    let g = look.glyphs;
    let width = WIDTH.min(area.width);
    let inner = width.saturating_sub(2) as usize;
    let state = app.progress.rollback.as_ref();
    let settled = state.map(|r| r.settled.clone()).unwrap_or_default();
    let skipped = state.map(|r| r.skipped.clone()).unwrap_or_default();
    let steps = app.rollback_steps();
    let next = app.rollback_next();
    let running = app.running_now().and_then(|r| match r.purpose {
        Purpose::Rollback(i) => Some(i),
        _ => None,
    });

    let mut foot = Vec::new();
    if let Some(last) = app.running.as_ref().and_then(|r| r.lines.last()) {
        foot.push(Line::styled(
            fit(&format!("  {}", last.text), inner),
            t.muted,
        ));
    }
    foot.push(Line::default());
    let ended = state.and_then(|r| r.ended);
    let asking = app.rollback_asking();
    let hint = match (ended, app.rollback_failed(), running, next) {
        (Some(true), ..) => {
            let note = if skipped.is_empty() {
                "rollback completed".to_string()
            } else {
                format!("rollback completed; {} step(s) skipped", skipped.len())
            };
            foot.push(Line::styled(note, t.ok));
            run_keys(app, &[(Do::Close, "close")], look)
        }
        (Some(false), ..) => {
            foot.push(Line::styled(
                "rollback ABORTED: later steps did not run",
                t.danger,
            ));
            run_keys(app, &[(Do::Close, "close")], look)
        }
        (_, Some(i), ..) => {
            let why = app
                .running
                .as_ref()
                .and_then(|r| r.ended.clone())
                .map(|(_, r)| r)
                .unwrap_or_default();
            let text = format!("step {} FAILED: {why}", i + 1);
            foot.extend(wrapped("", &text, inner, t.danger));
            run_keys(
                app,
                &[
                    (Do::Retry, "retry"),
                    (Do::Skip, "skip"),
                    (Do::Abort, "abort"),
                    (Do::Close, "hide"),
                ],
                look,
            )
        }
        (_, _, Some(_), _) => run_keys(app, &[(Do::Interrupt, ""), (Do::Close, "")], look),
        (_, _, _, Some(i)) if asking == Some(i) => {
            let ask = steps[i].ask.clone().unwrap_or_default();
            let text = format!("step {} asks: {ask}", i + 1);
            foot.extend(wrapped("", &text, inner, t.warn));
            run_keys(
                app,
                &[
                    (Do::Retry, "run it"),
                    (Do::Skip, "skip it"),
                    (Do::Close, ""),
                ],
                look,
            )
        }
        (_, _, _, Some(i)) if matches!(steps[i].action, RollbackAction::Manual) => {
            foot.push(Line::styled(
                format!("step {} is done by hand", i + 1),
                t.warn,
            ));
            run_keys(app, &[(Do::Done, "done"), (Do::Close, "")], look)
        }
        _ => run_keys(app, &[(Do::Close, "")], look),
    };
    foot.push(hint);

    // One row per step; the window keeps the current step in sight with the one before it.
    let fixed = foot.len() as u16 + 1;
    let room = area.height.saturating_sub(2 + 2 + fixed);
    let current = running
        .or(app.rollback_failed())
        .or(next)
        .unwrap_or(steps.len().saturating_sub(1));
    let heights = vec![1; steps.len()];
    let context = usize::from(room >= 2);
    let (first, end) = window(&heights, room, current.saturating_sub(context));
    let plan = app.rollback_phase();
    let mut lines = vec![head(app, plan, (first, end), steps.len(), inner, look)];
    for (i, step) in steps.iter().enumerate().take(end).skip(first) {
        let (glyph, style, word): (&str, Style, &str) = if skipped.contains(&i) {
            (g.skipped, t.warn, " (skipped)")
        } else if settled.contains(&i) {
            (g.done, t.ok, "")
        } else if app.rollback_failed() == Some(i) {
            (g.failed, t.danger, "")
        } else if running == Some(i) {
            (g.running, t.running, "")
        } else if asking == Some(i) {
            (g.pending, t.warn, " (asks)")
        } else {
            (g.pending, t.muted, "")
        };
        let text = format!("{glyph} {}. {}", i + 1, step.title);
        let text = fit(&text, inner.saturating_sub(word.len()));
        lines.push(Line::styled(format!("{text}{word}"), style));
    }
    lines.extend(foot);
    let title = match app.rollback_phase() {
        None => "Rollback",
        Some(_) => "Rollback of a phase",
    };
    let rect = popup(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(boxed(title, look)), rect);
}

/// The rollback progress's keys.
fn run_keys<'a>(app: &App, commands: &[(Do, &'a str)], look: &Look) -> Line<'a> {
    hints::of(app, &ROLLBACK_RUN, commands, look)
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_window_keeps_whole_steps_and_a_full_last_page() {
        assert_eq!(window(&[2, 2, 2], 10, 0), (0, 3));
        assert_eq!(window(&[2, 2, 2, 2], 5, 0), (0, 2));
        assert_eq!(window(&[2, 2, 2, 2], 5, 1), (1, 3));
        // Scrolled past the end: the last page, full.
        assert_eq!(window(&[2, 2, 2, 2], 5, 3), (2, 4));
        // A step taller than the room is still shown (cut).
        assert_eq!(window(&[9, 1], 4, 0), (0, 1));
        assert_eq!(window(&[], 4, 0), (0, 0));
    }
}
