//! The gate dialog: each criterion judged on live telemetry (once per frame), the sign-offs,
//! and whether GO is possible; then the reason for NO-GO, an override, or a reopening.

use ratatui::text::{Line, Span};

use super::Look;
use super::action_dialogs::{text_keys, typed};
use super::hints;
use crate::app::gate::go_blocked_by;
use crate::app::keymap::{Do, GATE};
use crate::app::{App, GateDialog, GateStage};
use crate::gates::{Evaluation, Verdict};
use crate::telemetry::format;

/// One criterion: glyph, text, measured-vs-threshold, age, verdict word.
pub fn evaluation_line<'a>(e: &Evaluation, look: &Look) -> Line<'a> {
    let t = look.theme;
    let (glyph, style) = match e.verdict {
        Verdict::Pass => (look.glyphs.levels[0], t.ok),
        Verdict::Fail => (look.glyphs.levels[2], t.danger),
        Verdict::Unknown => (look.glyphs.levels[3], t.stale),
    };
    let age = e
        .age
        .map(|a| format!(" ({} old)", format::age(a.as_secs() as i64)))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(format!("  {glyph} {:<5} ", e.verdict.word()), style),
        Span::styled(e.criterion.clone(), t.text),
        Span::styled(format!(": {}{age}", e.why), t.muted),
    ])
}

pub(super) fn lines<'a>(app: &App, dialog: &GateDialog, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let title = app
        .runbook
        .step(&dialog.step)
        .map_or(dialog.step.clone(), |s| s.title.clone());
    let mut lines = vec![Line::styled(title, t.title)];
    let evaluations = app.evaluate_gate(&dialog.step);
    if !evaluations.is_empty() {
        lines.push(Line::styled("Criteria (live):", t.muted));
        lines.extend(evaluations.iter().map(|e| evaluation_line(e, look)));
    }
    if let Some(spec) = app.gate_spec(&dialog.step)
        && !spec.signoffs.is_empty()
    {
        let key = app.keys.of(&GATE).label(Do::SignOff);
        lines.push(Line::styled(
            if app.team {
                format!("Sign-offs ({key} signs under your name):")
            } else {
                format!("Sign-offs ({key} ticks):")
            },
            t.muted,
        ));
        let signed = app.signatures(&dialog.step);
        for (i, (signoff, ticked)) in spec.signoffs.iter().zip(&dialog.ticked).enumerate() {
            let glyph = if *ticked {
                look.glyphs.done
            } else {
                look.glyphs.box_empty
            };
            let style = if i == dialog.cursor && dialog.stage == GateStage::Review {
                t.selection
            } else {
                t.text
            };
            let by = match signed.get(i) {
                Some(Some(by)) if app.team => format!(" (signed by {by})"),
                _ => String::new(),
            };
            lines.push(Line::styled(format!("  {glyph} {signoff}{by}"), style));
        }
    }
    if let Some(over) = app.gate_overdue(&dialog.step) {
        let policy = app.gate_spec(&dialog.step).map(|s| s.on_timeout);
        lines.push(Line::styled(
            format!(
                "gate timeout ran out {} ago ({})",
                format::age(over.as_secs() as i64),
                match policy {
                    Some(crate::runbook::TimeoutPolicy::NoGo) => "NO-GO by policy",
                    _ => "held",
                }
            ),
            t.warn,
        ));
    }
    lines.push(Line::default());
    let decided = app.progress.status(&dialog.step).finished();
    if decided && dialog.stage == GateStage::Review {
        lines.push(Line::styled(
            "already decided; reopening it asks for the word REOPEN and a reason",
            t.muted,
        ));
        lines.push(hints::of(
            app,
            &GATE,
            &[(Do::Reopen, ""), (Do::Close, "")],
            look,
        ));
        return lines;
    }
    match &dialog.stage {
        GateStage::Review => {
            let verdict = match go_blocked_by(&evaluations, &dialog.ticked) {
                None => Line::styled(format!("{} GO is possible", look.glyphs.done), t.ok),
                Some(why) => Line::styled(format!("{} NO GO: {why}", look.glyphs.failed), t.danger),
            };
            lines.push(verdict);
            lines.push(hints::of(
                app,
                &GATE,
                &[
                    (Do::Go, ""),
                    (Do::NoGo, ""),
                    (Do::Override, ""),
                    (Do::Close, ""),
                ],
                look,
            ));
        }
        GateStage::NoGo(input) => {
            lines.push(typed("NO-GO because: ".into(), &input.text, look));
            lines.push(text_keys(app, "record NO-GO", "back", look));
        }
        GateStage::Override(input) => {
            lines.push(Line::styled(
                "Overriding the criteria that do not pass. The reason is journaled and reported.",
                t.warn,
            ));
            lines.push(typed("Override reason: ".into(), &input.text, look));
            lines.push(text_keys(app, "GO with override", "back", look));
        }
        GateStage::ReopenWord(input) => {
            lines.push(Line::styled(
                "Reopening takes the decision back: shifts after this gate are held until it is decided again.",
                t.warn,
            ));
            lines.push(typed(
                format!("Type {} to reopen: ", crate::app::gate::REOPEN_WORD),
                &input.text,
                look,
            ));
            lines.push(text_keys(app, "next", "back", look));
        }
        GateStage::ReopenReason(input) => {
            lines.push(typed("Why reopen: ".into(), &input.text, look));
            lines.push(text_keys(app, "reopen", "back", look));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use time::macros::datetime;

    use crate::app::gate::EVALUATED;
    use crate::app::{App, Key, Layer, Msg};
    use crate::theme::Theme;
    use crate::ui::{Look, glyphs};

    /// The dialog shows the criteria and whether GO is possible from one judgement of them: a
    /// second one per frame doubled the work and could disagree with the lines above it.
    #[test]
    fn the_gate_dialog_judges_its_criteria_once_per_frame() {
        let text = r#"
[runbook]
name = "gate"
[[source]]
id = "api"
kind = "http"
url = "http://127.0.0.1:9/health"
[[phase]]
id = "p"
title = "P"
[[phase.step]]
id = "go"
title = "Go or no go"
gate = ["api is up"]
[rollback]
steps = [{ title = "r" }]
"#;
        let runbook = crate::runbook::parse(text).expect("valid").runbook;
        let now = datetime!(2026-12-05 21:30:00 UTC);
        let mut app = App::new(runbook, "op@bastion".into(), "run-1".into(), now);
        app.update(Msg::Key(Key::Char('g')));
        assert!(matches!(app.top_layer(), Some(Layer::Gate(_))));
        let theme = Theme::default_dark();
        let look = Look {
            theme: &theme,
            glyphs: glyphs::choose(false),
        };
        let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
        EVALUATED.with(|n| n.set(0));
        term.draw(|f| crate::ui::draw(f, &app, &look)).unwrap();
        let screen: String = term
            .backend()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(screen.contains("Go / No-Go"), "{screen}");
        assert!(screen.contains("NO GO: not passing: api is up"), "{screen}");
        assert_eq!(EVALUATED.with(|n| n.get()), 1, "criteria judged per frame");

        // Deciding judges them once too: the override reason names what did not pass and the
        // journal keeps the evidence, from the same judgement.
        app.update(Msg::Key(Key::Char('o')));
        for c in "the check is known flaky".chars() {
            app.update(Msg::Key(Key::Char(c)));
        }
        EVALUATED.with(|n| n.set(0));
        let effects = app.update(Msg::Key(Key::Enter));
        assert!(!effects.is_empty(), "the override is journaled");
        assert_eq!(
            EVALUATED.with(|n| n.get()),
            1,
            "criteria judged per decision"
        );
    }
}
