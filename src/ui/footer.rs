//! The footer: key hints for what applies to the selected row (from the one key map), or the
//! latest message.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Look, fit};
use crate::app::keymap::{self, Command, Do};
use crate::app::{App, Layer, Row};
use crate::runbook::StepKind;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let t = look.theme;
    let width = area.width as usize;
    let line = if let Some(Layer::Search(s)) = app.top_layer() {
        let count = app
            .runbook
            .steps()
            .filter(|(_, st)| App::step_matches(st, &s.input.text))
            .count();
        let mut spans = vec![
            Span::styled(format!("/{}{}", s.input.text, look.glyphs.cursor), t.accent),
            Span::styled(format!("  {count} match(es)  "), t.muted),
        ];
        let keys = app.keys.of(&keymap::SEARCH);
        let hints = keys.hints(&[Do::Up, Do::Submit, Do::Cancel]);
        spans.extend(hint_spans(hints, look));
        Line::from(spans)
    } else if let Some(msg) = &app.flash {
        Line::styled(fit(msg, width), t.warn)
    } else if app.layers.is_empty() {
        let main = &app.keys.main;
        let hints = main
            .table
            .bindings
            .iter()
            .enumerate()
            .filter(|(_, b)| b.footer_rank > 0 && applies(app, b.command))
            .map(|(i, b)| (main.label_at(i), word(app, b.command, b.short)));
        Line::from(hint_spans(hints, look))
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Only offer what can apply to the selection now.
fn applies(app: &App, command: Command) -> bool {
    let step = app.selected_step();
    let finished = step.is_some_and(|s| app.progress.status(&s.id).finished());
    let writes = app.mode != crate::app::Mode::ReadOnly;
    match command {
        Command::Toggle | Command::Note | Command::Skip | Command::Undo if !writes => false,
        Command::Toggle => step.is_some_and(|s| {
            finished || matches!(s.kind, StepKind::Manual | StepKind::Wait { .. })
        }),
        Command::Note => step.is_some(),
        Command::Skip => step.is_some() && !finished,
        Command::Act => match step.map(|s| &s.kind) {
            None => true,
            Some(StepKind::Gate { .. }) => true,
            Some(StepKind::Command { .. } | StepKind::Traffic { .. }) => writes && !finished,
            Some(StepKind::Manual | StepKind::Wait { .. }) => false,
        },
        Command::Rollback => writes && !app.runbook.rollback.steps.is_empty(),
        Command::Undo => app.progress.last_undoable().is_some(),
        Command::DemoFault => app.demo && writes,
        _ => true,
    }
}

fn word<'a>(app: &App, command: Command, short: &'a str) -> &'a str {
    let finished = app
        .selected_step()
        .is_some_and(|s| app.progress.status(&s.id).finished());
    match command {
        Command::Toggle if finished => "reopen",
        Command::Act if matches!(app.selected, Row::Phase(p) if app.folded.contains(&p)) => {
            "unfold"
        }
        Command::Act => match app.selected_step().map(|s| &s.kind) {
            Some(StepKind::Command { .. }) => "run",
            Some(StepKind::Gate { .. }) => "gate",
            Some(StepKind::Traffic { .. }) => "shift",
            _ => short,
        },
        _ => short,
    }
}

/// `key word · key word …`: the footer's hints.
fn hint_spans<'a, K: Into<Cow<'a, str>>>(
    hints: impl IntoIterator<Item = (K, &'a str)>,
    look: &Look,
) -> Vec<Span<'a>> {
    let sep = Span::styled(format!(" {} ", look.glyphs.sep), look.theme.muted);
    super::hints::spans(hints, sep, look)
}
