//! Dialogs of the actions: command confirmation and output, the gate, the traffic shift, the
//! breach prompt, the rollback and its progress, actions in doubt. They only read the app.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::dialogs::{boxed, popup};
use super::wrap::wrapped_height;
use super::{Look, hints};
use crate::app::actions::{EnvShown, env_refs};
use crate::app::gate::go_blocked_by;
use crate::app::keymap::{
    BREACH, COMMAND, Command, Do, END, GATE, IN_DOUBT, OUTPUT, QUIT, STOP_ORPHAN, TEXT,
    WITHOUT_SEAT,
};
use crate::app::orphans::Orphan;
use crate::app::{App, GateDialog, GateStage, Layer};
use crate::gates::{Evaluation, Verdict};
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
        Layer::Gate(dialog) => ("Go / No-Go", gate(app, dialog, look), 76),
        Layer::Shift {
            to_green,
            step,
            input,
            reason,
        } => (
            "Shift traffic",
            shift(
                app,
                *to_green,
                step.as_deref(),
                &input.text,
                reason.as_ref(),
                look,
            ),
            76,
        ),
        Layer::Breach { evidence } => ("ABORT CRITERIA BREACHED", breach(app, evidence, look), 70),
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
            in_doubt(app, *id, *verdict, &input.text, look),
            72,
        ),
        Layer::ConfirmQuit => ("Quit?", confirm_quit(app, look), 64),
        Layer::ConfirmEnd => ("Every step is done", confirm_end(app, look), 64),
        Layer::StopOrphan { id } => (
            "Stop the left-over process?",
            stop_orphan(app, *id, look),
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

fn gate<'a>(app: &App, dialog: &GateDialog, look: &Look) -> Vec<Line<'a>> {
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

/// `blue 90% ███████░ 10% green`, for the header and the shift dialog.
pub fn split_bar(green: u8, width: usize, look: &Look) -> Vec<Span<'static>> {
    let t = look.theme;
    let mut spans = vec![Span::styled(format!("blue {}% ", 100 - green), t.accent)];
    spans.extend(super::header::split_cells(green, width.max(4), look));
    spans.push(Span::styled(format!(" {green}% green"), t.ok));
    spans
}

fn shift<'a>(
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

fn breach<'a>(app: &App, evidence: &[Evaluation], look: &Look) -> Vec<Line<'a>> {
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

fn in_doubt<'a>(
    app: &App,
    id: u64,
    verdict: Option<bool>,
    text: &str,
    look: &Look,
) -> Vec<Line<'a>> {
    let t = look.theme;
    let Some(action) = app.progress.actions.get(&id) else {
        return Vec::new();
    };
    let mut lines = vec![
        Line::styled(action.action.summary(), t.title),
        Line::styled(
            format!(
                "started {} by {}; its end was never recorded (the session died).",
                action
                    .started_at
                    .format(&time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute]:[second]Z"
                    ))
                    .unwrap_or_default(),
                action.operator
            ),
            t.warn,
        ),
        Line::styled(
            "Find out what really happened before anything else actuates.",
            t.text,
        ),
        Line::default(),
    ];
    lines.extend(process_line(app, id, look));
    let stoppable = app.orphans.get(&id).is_some_and(Orphan::may_stop);
    match verdict {
        None if stoppable => lines.push(hints::of(
            app,
            &IN_DOUBT,
            &[
                (Do::Stop, ""),
                (Do::TookEffect, ""),
                (Do::DidNot, ""),
                (Do::Close, ""),
            ],
            look,
        )),
        None => lines.push(hints::of(
            app,
            &IN_DOUBT,
            &[(Do::TookEffect, ""), (Do::DidNot, ""), (Do::Close, "")],
            look,
        )),
        Some(ok) => {
            let said = if ok {
                "it took effect"
            } else {
                "it did not take effect"
            };
            lines.push(Line::styled(format!("You say: {said}"), t.text));
            lines.push(typed("How do you know? ".into(), text, look));
            lines.push(text_keys(app, "record", "later", look));
        }
    }
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

/// What is known of the action's process group now, when one was journaled.
fn process_line<'a>(app: &App, id: u64, look: &Look) -> Option<Line<'a>> {
    let t = look.theme;
    let pgid = app.progress.actions.get(&id)?.process?.pgid;
    let (text, style) = match app.orphans.get(&id)? {
        Orphan::Alive => (
            format!("Its process group {pgid} is STILL RUNNING."),
            t.danger,
        ),
        Orphan::Gone => (format!("Its process group {pgid} has ended."), t.text),
        Orphan::Recycled => (
            format!("Its process group {pgid} has ended (the pid is another process's now)."),
            t.text,
        ),
        Orphan::Stopping => (format!("Stopping process group {pgid}…"), t.warn),
        Orphan::Stopped { result, alive } => (
            format!("Stopped: {result}"),
            if *alive { t.danger } else { t.text },
        ),
    };
    Some(Line::styled(text, style))
}

fn stop_orphan<'a>(app: &App, id: u64, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let Some(action) = app.progress.actions.get(&id) else {
        return Vec::new();
    };
    let pgid = action.process.map_or(0, |p| p.pgid);
    vec![
        Line::styled(action.action.summary(), t.title),
        Line::styled(
            format!("Stop process group {pgid}: SIGTERM, then SIGKILL after 5s?"),
            t.warn,
        ),
        Line::styled(
            "Whatever it was doing stops half-way; the action stays in doubt.",
            t.text,
        ),
        Line::default(),
        hints::of(app, &STOP_ORPHAN, &[(Do::Yes, ""), (Do::No, "")], look),
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
