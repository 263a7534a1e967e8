//! An action a crash left in doubt: what is known of it and its process group, the operator's
//! verdict and how they know; and stopping the group it left running.

use ratatui::text::Line;

use super::Look;
use super::action_dialogs::{text_keys, typed};
use super::hints;
use crate::app::App;
use crate::app::keymap::{Do, IN_DOUBT, STOP_ORPHAN};
use crate::app::orphans::Orphan;

pub(super) fn in_doubt<'a>(
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

pub(super) fn stop_orphan<'a>(app: &App, id: u64, look: &Look) -> Vec<Line<'a>> {
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
