//! Dialogs of the actions, drawn over the main screen: which one a layer is, the command's
//! confirmation, and the small confirmations (quit, end, a rollback without the seat). The
//! gate, the traffic and the in-doubt dialogs have their own files; the rollback's are in
//! rollback_dialogs.rs, the output pane in output_pane.rs. They only read the app.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::dialogs::{boxed, popup};
use super::wrap::wrapped_height;
use super::{Look, hints};
use crate::app::actions::{EnvShown, env_refs};
use crate::app::keymap::{COMMAND, Do, END, OUTPUT, QUIT, TEXT, WITHOUT_SEAT};
use crate::app::{App, Layer};
use crate::runbook::StepKind;
use crate::telemetry::format;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, layer: &Layer, look: &Look) {
    let (title, lines, width) = match layer {
        Layer::ConfirmCommand { step, run_focused } => (
            "Run command?",
            confirm_command(app, step, *run_focused, look),
            76,
        ),
        Layer::Output => return super::output_pane::draw(frame, area, app, look),
        Layer::Gate(dialog) => (
            "Go / No-Go",
            super::gate_dialog::lines(app, dialog, look),
            76,
        ),
        Layer::Shift {
            to_green,
            step,
            input,
            reason,
        } => (
            "Shift traffic",
            super::traffic_dialogs::shift(
                app,
                *to_green,
                step.as_deref(),
                &input.text,
                reason.as_ref(),
                look,
            ),
            76,
        ),
        Layer::Breach { evidence } => (
            "ABORT CRITERIA BREACHED",
            super::traffic_dialogs::breach(app, evidence, look),
            70,
        ),
        Layer::Rollback {
            input,
            phase,
            scroll,
        } => {
            let text = &input.text;
            return super::rollback_dialogs::confirm(frame, area, app, *phase, text, *scroll, look);
        }
        Layer::RollbackWithoutSeat { .. } => (
            "ROLLBACK WITHOUT THE SEAT?",
            rollback_without_seat(app, look),
            70,
        ),
        Layer::RollbackRun => return super::rollback_dialogs::progress(frame, area, app, look),
        Layer::InDoubt { id, verdict, input } => (
            "Action in doubt",
            super::doubt_dialogs::in_doubt(app, *id, *verdict, &input.text, look),
            72,
        ),
        Layer::ConfirmQuit => ("Quit?", confirm_quit(app, look), 64),
        Layer::ConfirmEnd => ("Every step is done", confirm_end(app, look), 64),
        Layer::StopOrphan { id } => (
            "Stop the left-over process?",
            super::doubt_dialogs::stop_orphan(app, *id, look),
            72,
        ),
        _ => return,
    };
    let rect = popup(
        area,
        width,
        wrapped_height(&lines, width.min(area.width)) + 2,
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(title, look)),
        rect,
    );
}

/// `! gate go_no_go (…) above this step is not passed`, when one is not.
fn pending_gates<'a>(app: &App, step: &str, look: &Look) -> Option<Line<'a>> {
    let gates = app.gates_pending_before(step);
    let names: Vec<String> = gates
        .iter()
        .map(|g| format!("{} ({})", g.id, g.title))
        .collect();
    let (first, rest) = names.split_first()?;
    let text = if rest.is_empty() {
        format!(
            "{} gate {first} above this step is not passed",
            look.glyphs.levels[1]
        )
    } else {
        format!(
            "{} gates above this step are not passed: {}",
            look.glyphs.levels[1],
            names.join(", ")
        )
    };
    Some(Line::styled(text, look.theme.danger))
}

/// The keys of a text field: Enter does `submit`, Esc does `cancel`.
pub(super) fn text_keys<'a>(app: &App, submit: &'a str, cancel: &'a str, look: &Look) -> Line<'a> {
    hints::of(
        app,
        &TEXT,
        &[(Do::Submit, submit), (Do::Cancel, cancel)],
        look,
    )
}

pub(super) fn typed<'a>(prompt: String, text: &str, look: &Look) -> Line<'a> {
    Line::from(vec![
        Span::styled(prompt, look.theme.title),
        Span::styled(format!("{text}{}", look.glyphs.cursor), look.theme.accent),
    ])
}

pub(super) fn mode_note<'a>(app: &App, look: &Look) -> Option<Line<'a>> {
    (app.mode == crate::app::Mode::Rehearsal).then(|| {
        Line::styled(
            "REHEARSAL: nothing runs; it is journaled as \"would run\"",
            look.theme.warn,
        )
    })
}

fn confirm_command<'a>(app: &App, step: &str, run_focused: bool, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let Some(s) = app.runbook.step(step) else {
        return Vec::new();
    };
    let StepKind::Command { run, timeout } = &s.kind else {
        return Vec::new();
    };
    let command = app.resolve(run);
    let mut lines = vec![Line::styled(format!("{}: {}", s.id, s.title), t.title)];
    lines.extend(pending_gates(app, step, look));
    lines.extend([
        Line::styled("runs with sh -c, in its own process group:", t.muted),
        Line::styled(format!("$ {command}"), t.accent),
    ]);
    let refs = env_refs(&command, &app.env, &app.runbook.meta.secrets);
    if !refs.is_empty() {
        lines.push(Line::styled("from the environment:", t.muted));
        for (name, shown) in refs {
            let (text, style) = match shown {
                EnvShown::Value(v) => (format!("  {name} = {v}"), t.text),
                EnvShown::Secret => (format!("  {name} = ${name} (secret, not shown)"), t.text),
                EnvShown::Unset => (format!("  {name} is NOT SET"), t.warn),
            };
            lines.push(Line::styled(text, style));
        }
    }
    lines.push(Line::styled(
        format!(
            "killed after {}; {} in the output interrupts it",
            format::age(timeout.as_secs() as i64),
            app.keys.of(&OUTPUT).label(Do::Interrupt)
        ),
        t.muted,
    ));
    if let Some(state) = app
        .progress
        .state(step)
        .filter(|s| s.status.word() == "failed")
    {
        lines.push(Line::styled(
            format!("it failed before; {} note(s)", state.notes.len()),
            t.warn,
        ));
    }
    lines.extend(mode_note(app, look));
    lines.push(Line::default());
    let keys = app.keys.of(&COMMAND);
    let button = |label: &'static str, focused: bool| {
        let style = if focused { t.selection } else { t.text };
        Span::styled(format!("[ {label} ]"), style)
    };
    lines.push(Line::from(vec![
        button("Cancel", !run_focused),
        Span::raw("  "),
        button("Run", run_focused),
        Span::styled(
            format!(
                "   {} switch · {} choose · {} cancel",
                keys.label(Do::Switch),
                keys.label(Do::Submit),
                keys.label(Do::Cancel)
            ),
            t.muted,
        ),
    ]));
    lines
}

fn confirm_end<'a>(app: &App, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    vec![
        Line::styled("End the run as completed?", t.title),
        Line::styled(
            "An ended run takes no more actions; the next `flightdeck run` starts a fresh one.",
            t.text,
        ),
        Line::default(),
        hints::of(
            app,
            &END,
            &[(Do::Yes, ""), (Do::No, ""), (Do::Quit, "")],
            look,
        ),
    ]
}

/// The second confirmation of a rollback without the store: what acting without the seat means.
fn rollback_without_seat<'a>(app: &App, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let first = if app.store_lost {
        "The team database is UNREACHABLE."
    } else {
        "The team database answers again: y rolls back through the seat."
    };
    vec![
        Line::styled(first, t.danger),
        Line::styled(
            "This rollback will ACT WITHOUT THE SEAT: no lease fences it, and another cockpit may hold the seat by now.",
            t.warn,
        ),
        Line::styled(
            "Its records stay on this host, marked \"acted without the seat\", and are uploaded when the database returns.",
            t.text,
        ),
        Line::default(),
        hints::of(app, &WITHOUT_SEAT, &[(Do::Yes, ""), (Do::Cancel, "")], look),
    ]
}

fn confirm_quit<'a>(app: &App, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let title = app.running_now().map_or(String::new(), |r| r.title.clone());
    vec![
        Line::styled(format!("`{title}` is still running."), t.warn),
        Line::styled(
            "Quitting interrupts it; the next session shows it as in doubt.",
            t.text,
        ),
        Line::default(),
        hints::of(app, &QUIT, &[(Do::Yes, ""), (Do::No, "")], look),
    ]
}
