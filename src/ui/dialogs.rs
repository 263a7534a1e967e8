//! Layers drawn over the main screen: help, text prompts, the resume confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use super::{Look, fit};
use crate::app::keymap::{Binding, Command, Do, HELP, RESUME, TEXT};
use crate::app::{App, Layer, PromptPurpose};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    for layer in &app.layers {
        match layer {
            Layer::Help { scroll } => help(frame, area, app, *scroll, look),
            Layer::Prompt { purpose, input } => {
                prompt(frame, area, app, purpose, &input.text, look)
            }
            Layer::ConfirmResume { changed } => confirm_resume(frame, area, app, changed, look),
            Layer::TakeOver { previous, input } => {
                take_over(frame, area, app, previous, &input.text, look)
            }
            Layer::Search(_) => {} // drawn in the footer, with live matches in the checklist
            Layer::SourceDetail { source } => {
                super::source_detail::draw(frame, area, app, source, look)
            }
            _ => super::action_dialogs::draw(frame, area, app, layer, look),
        }
    }
}

pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

pub fn boxed<'a>(title: &'a str, look: &Look) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(look.glyphs.border)
        .border_style(look.theme.border_focus)
        .title(Span::styled(format!(" {title} "), look.theme.title))
}

fn help(frame: &mut Frame, area: Rect, app: &App, scroll: u16, look: &Look) {
    let t = look.theme;
    let mut lines = vec![Line::styled("Checklist", t.title)];
    let main = &app.keys.main;
    // The failure key exists only in the demo.
    let shown =
        |b: &Binding<Command>| !b.label.is_empty() && (app.demo || b.command != Command::DemoFault);
    for (i, b) in main.table.bindings.iter().enumerate() {
        if shown(b) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10}", main.label_at(i)), t.key),
                Span::styled(b.desc, t.text),
            ]));
        }
    }
    // Each dialog's own keys, from its table: what help says is what the dialog does.
    let width = usize::from(area.width.min(76).saturating_sub(2));
    for keys in app.keys.dialogs() {
        let pairs = keys
            .table
            .bindings
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.label.is_empty())
            .map(|(i, b)| (keys.label_at(i), b.short));
        // Editing is not a command (no table has it), but help says how to correct a typo.
        let editing = (keys.table == &TEXT)
            .then_some([("Backspace".into(), "delete"), ("^U".into(), "clear")])
            .into_iter()
            .flatten();
        lines.extend(flowed(keys.table.title, pairs.chain(editing), width, look));
    }
    let close = app.keys.of(&HELP).label(Do::Close);
    lines.push(Line::styled(format!("{close} closes this help"), t.muted));
    let rect = popup(area, 76, lines.len() as u16 + 2);
    // Scrolled no further than the last line at the bottom.
    let hidden = (lines.len() as u16).saturating_sub(rect.height.saturating_sub(2));
    let title = if hidden > 0 {
        format!("Help ({} scroll)", app.keys.of(&HELP).label(Do::Down))
    } else {
        "Help".to_string()
    };
    let (total, offset) = (lines.len(), scroll.min(hidden));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((offset, 0))
            .block(boxed(&title, look)),
        rect,
    );
    let shown = usize::from(rect.height.saturating_sub(2));
    let bar = (usize::from(offset), shown, total);
    super::scrollbar(frame, rect, bar, t.border_focus, look);
}

/// `Title: key word · key word …`, flowed over lines of `width`, continued indented.
fn flowed<'a>(
    title: &'a str,
    pairs: impl Iterator<Item = (std::borrow::Cow<'static, str>, &'a str)>,
    width: usize,
    look: &Look,
) -> Vec<Line<'a>> {
    let t = look.theme;
    let mut lines = Vec::new();
    let mut line = vec![Span::styled(format!("{title}: "), t.title)];
    let mut used = title.width() + 2;
    let sep = format!(" {} ", look.glyphs.sep);
    for (i, (key, word)) in pairs.enumerate() {
        let item = key.width() + 1 + word.width();
        if i > 0 && used + sep.width() + item > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            line.push(Span::raw("    "));
            used = 4;
        } else if i > 0 {
            used += sep.width();
            line.push(Span::styled(sep.clone(), t.muted));
        }
        used += item;
        line.push(Span::styled(key, t.key));
        line.push(Span::styled(format!(" {word}"), t.text));
    }
    lines.push(Line::from(line));
    lines
}

fn prompt(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    purpose: &PromptPurpose,
    text: &str,
    look: &Look,
) {
    let t = look.theme;
    let (title, question, step) = match purpose {
        PromptPurpose::Skip { step } => ("Skip step", "Why is it skipped? (journaled)", step),
        PromptPurpose::Note { step } => ("Add note", "Note (journaled):", step),
    };
    let rect = popup(area, 64, 7);
    let inner_width = rect.width.saturating_sub(4) as usize;
    // Show the end of long input, where the cursor is.
    let shown: String = {
        let chars: Vec<char> = text.chars().collect();
        chars[chars.len().saturating_sub(inner_width.saturating_sub(1))..]
            .iter()
            .collect()
    };
    let lines = vec![
        Line::styled(fit(&format!("{step}: {question}"), inner_width), t.text),
        Line::from(vec![
            Span::styled(shown, t.accent),
            Span::styled(look.glyphs.cursor, t.accent),
        ]),
        Line::default(),
        super::hints::of(app, &TEXT, &[(Do::Submit, ""), (Do::Cancel, "")], look),
    ];
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(boxed(title, look).padding(ratatui::widgets::Padding::horizontal(1))),
        rect,
    );
}

fn confirm_resume(frame: &mut Frame, area: Rect, app: &App, changed: &[String], look: &Look) {
    let t = look.theme;
    let mut lines = vec![
        Line::styled("The runbook file changed since this run began.", t.warn),
        Line::styled("Changed, added or removed steps:", t.text),
    ];
    let shown = changed.len().min(8);
    lines.extend(
        changed[..shown]
            .iter()
            .map(|s| Line::styled(format!("  {} {s}", look.glyphs.bullet), t.text)),
    );
    if changed.len() > shown {
        lines.push(Line::styled(
            format!("  … and {} more", changed.len() - shown),
            t.muted,
        ));
    }
    lines.push(Line::default());
    lines.push(super::hints::of(
        app,
        &RESUME,
        &[
            (Do::Yes, "resume with the changes"),
            (Do::No, "start a new run"),
            (Do::Quit, "quit"),
        ],
        look,
    ));
    let rect = popup(area, 64, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed("Resume run?", look)),
        rect,
    );
}

fn take_over(frame: &mut Frame, area: Rect, app: &App, previous: &str, typed: &str, look: &Look) {
    let t = look.theme;
    let word = crate::app::TAKEOVER_WORD;
    let lines = vec![
        Line::styled("The seat of this run was left by", t.text),
        Line::styled(format!("  {previous}"), t.warn),
        Line::styled(
            "whose session ended without releasing it (killed, crashed, host lost). \
             Whatever it was doing may not have finished: check before acting.",
            t.text,
        ),
        Line::default(),
        Line::from(vec![
            Span::styled(format!("Type {word} to take the seat: "), t.title),
            Span::styled(format!("{typed}{}", look.glyphs.cursor), t.accent),
        ]),
        Line::styled(
            format!(
                "{} take over · {} watch read-only",
                app.keys.of(&TEXT).label(Do::Submit),
                app.keys.of(&TEXT).label(Do::Cancel)
            ),
            t.key,
        ),
    ];
    let rect = popup(area, 70, 10);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(boxed("Seat left behind", look))
            .wrap(Wrap { trim: false }),
        rect,
    );
}
