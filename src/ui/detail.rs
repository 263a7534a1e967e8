//! The detail pane: everything about the selected step (or phase), scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::checklist::status_style;
use super::{Look, hhmm};
use crate::app::{App, Pane, Row};
use crate::runbook::duration::{format_duration, format_time_mark};
use crate::runbook::{Phase, RollbackAction, RollbackStep, Step, StepKind};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let focused = app.focus == Pane::Detail && app.layers.is_empty();
    let block = super::pane(" Detail ", focused, look);
    let lines = match app.selected {
        Row::Step(..) => app
            .selected_step()
            .map(|s| step_lines(app, s, look))
            .unwrap_or_default(),
        Row::Phase(p) => phase_lines(app, &app.runbook.phases[p], p, look),
    };
    let para = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(para, area);
}

fn label<'a>(name: impl Into<std::borrow::Cow<'a, str>>, look: &Look) -> Line<'a> {
    Line::styled(name, look.theme.title)
}

fn text_lines<'a>(text: &str, look: &Look) -> Vec<Line<'a>> {
    text.lines()
        .map(|l| Line::styled(format!("  {l}"), look.theme.text))
        .collect()
}

/// The step's latest action: when, by whom, and how it ended (or that it is in doubt).
fn last_action<'a>(app: &App, step: &str, look: &Look) -> Option<Line<'a>> {
    let t = look.theme;
    let (id, action) = app
        .progress
        .actions
        .iter()
        .rev()
        .find(|(_, a)| a.action.step() == Some(step))?;
    let when = format!(
        "last run {} by {}",
        hhmm(action.started_at),
        action.operator
    );
    let rehearsal = if action.rehearsal { " (rehearsal)" } else { "" };
    Some(match &action.ended {
        Some((true, result)) => Line::styled(format!("{when}{rehearsal}: {result}"), t.ok),
        Some((false, result)) => Line::styled(format!("{when}: FAILED {result}"), t.danger),
        None if app.in_doubt().contains(id) => Line::styled(
            format!("{when}: IN DOUBT (its end was never recorded)"),
            t.danger,
        ),
        None => Line::styled(format!("{when}: running"), t.running),
    })
}

fn step_lines<'a>(app: &App, step: &Step, look: &Look) -> Vec<Line<'a>> {
    let (t, g) = (look.theme, look.glyphs);
    let mut out = vec![Line::styled(step.title.clone(), t.title)];
    let mut facts = vec![step.kind.name().to_string(), format!("id {}", step.id)];
    facts.extend(step.owner.as_ref().map(|o| format!("owner {o}")));
    facts.extend(step.at.map(|a| format!("at {}", format_time_mark(a))));
    out.push(Line::styled(facts.join(&format!(" {} ", g.sep)), t.muted));

    let state = app.progress.state(&step.id);
    let status = app.progress.status(&step.id);
    let mut line = vec![Span::styled(
        format!("{} {}", g.status(status), status.word()),
        status_style(status, look),
    )];
    if let Some(at) = state.and_then(|s| s.finished_at) {
        line.push(Span::styled(format!(" at {}", hhmm(at)), t.text));
    }
    let planned = step.planned.map_or("—".into(), format_duration);
    let actual = state.and_then(|s| s.actual).map_or("—".into(), |a| {
        format_duration(std::time::Duration::from_secs(a.as_secs()))
    });
    line.push(Span::styled(
        format!("  planned {planned} {} actual {actual}", g.sep),
        t.muted,
    ));
    out.push(Line::from(line));
    if let Some(reason) = state.and_then(|s| s.skip_reason.as_ref()) {
        let why = if status == crate::app::Status::Skipped {
            format!("skipped because: {reason}")
        } else {
            reason.clone()
        };
        out.push(Line::styled(why, t.warn));
    }
    if let Some(line) = last_action(app, &step.id, look) {
        out.push(line);
    }
    // The operator's own notes come first: they are what changed since the runbook was written.
    if let Some(notes) = state.map(|s| &s.notes).filter(|n| !n.is_empty()) {
        out.push(label("Notes", look));
        for n in notes {
            out.push(Line::from(vec![
                Span::styled(format!("  {} {} ", hhmm(n.at), n.operator), t.muted),
                Span::styled(n.text.clone(), t.text),
            ]));
        }
    }
    if let Some(d) = &step.description {
        out.push(Line::default());
        out.extend(text_lines(d, look));
    }
    out.push(Line::default());
    match &step.kind {
        StepKind::Command { run, timeout } => {
            out.push(label("Command", look));
            out.extend(text_lines(run, look));
            out.push(Line::styled(
                format!("  timeout {}", format_duration(*timeout)),
                t.muted,
            ));
        }
        StepKind::Gate {
            criteria,
            signoffs,
            timeout,
            ..
        } => {
            out.push(label("Go/no-go criteria", look));
            out.extend(
                criteria
                    .iter()
                    .map(|c| Line::styled(format!("  {} {c}", g.bullet), t.text)),
            );
            if !signoffs.is_empty() {
                out.push(label("Sign-offs", look));
                out.extend(
                    signoffs
                        .iter()
                        .map(|s| Line::styled(format!("  {} {s}", g.box_empty), t.text)),
                );
            }
            if let Some(d) = timeout {
                out.push(Line::styled(
                    format!("  gate timeout {}", format_duration(*d)),
                    t.muted,
                ));
            }
        }
        StepKind::Traffic { green } => {
            if let Some(tr) = &app.runbook.traffic {
                out.push(label("Traffic shift", look));
                out.push(Line::styled(
                    format!(
                        "  {} {}% {} {} {green}%",
                        tr.blue,
                        100 - green,
                        g.sep,
                        tr.green
                    ),
                    t.text,
                ));
            }
        }
        StepKind::Wait { duration } => out.push(Line::styled(
            format!("Wait {}", format_duration(*duration)),
            t.text,
        )),
        StepKind::Manual => {}
    }
    if let Some(e) = &step.expect {
        out.push(label("Expected", look));
        out.extend(text_lines(e, look));
    }
    out
}

fn phase_lines<'a>(app: &App, phase: &Phase, p: usize, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let (done, total) = app.phase_progress(p);
    let planned = (phase.steps.iter().filter_map(|s| s.planned)).fold(
        std::time::Duration::ZERO,
        std::time::Duration::saturating_add,
    );
    let mut out = vec![
        Line::styled(phase.title.clone(), t.title),
        Line::styled(
            format!(
                "{done}/{total} steps finished {} planned {}",
                look.glyphs.sep,
                format_duration(planned)
            ),
            t.muted,
        ),
    ];
    if let Some(d) = &phase.description {
        out.push(Line::default());
        out.extend(text_lines(d, look));
    }
    if !phase.rollback.is_empty() {
        out.push(Line::default());
        let keys = &app.keys;
        let (rollback, tab) = (
            keys.main.label(crate::app::keymap::Command::Rollback),
            keys.of(&crate::app::keymap::ROLLBACK)
                .label(crate::app::keymap::Do::Switch),
        );
        out.push(label(
            format!("Rollback of this phase ({rollback}, then {tab}, runs it)"),
            look,
        ));
        out.extend(
            phase
                .rollback
                .iter()
                .enumerate()
                .flat_map(|(i, r)| rollback_lines(i, r, look)),
        );
    }
    out
}

pub fn rollback_lines<'a>(i: usize, r: &RollbackStep, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let mut out = vec![Line::styled(format!("  {}. {}", i + 1, r.title), t.text)];
    match &r.action {
        RollbackAction::Run { command, .. } => {
            out.push(Line::styled(format!("     $ {command}"), t.muted))
        }
        RollbackAction::Traffic { green } => out.push(Line::styled(
            format!("     traffic: green {green}%"),
            t.muted,
        )),
        RollbackAction::Manual => {}
    }
    if let Some(ask) = &r.ask {
        out.push(Line::styled(format!("     asks first: {ask}"), t.warn));
    }
    out
}
