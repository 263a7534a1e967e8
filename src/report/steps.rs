//! Planned vs actual per step. The journal is folded by the cockpit's own `Progress`, so
//! "actual" and a step's status mean here exactly what they meant on screen.

use std::time::Duration;

use super::markdown::{parse_time, table, text, utc};
use super::{Input, Plan};
use crate::app::Progress;
use crate::journal::Record;
use crate::journal::event::{Action, Event};
use crate::runbook::duration::format_duration;

pub fn section(input: &Input) -> String {
    let mut progress = Progress::default();
    for r in input.records {
        if let Some(at) = parse_time(&r.time) {
            progress.apply(&r.event, at, &r.operator);
        }
    }
    let journal_steps = steps_in_journal(input.records);
    let mut rows = Vec::new();
    let mut planned_total = Duration::ZERO;
    let mut out = String::from("## Steps: planned vs actual\n\n");
    match &input.plan {
        Plan::Runbook {
            runbook,
            path,
            changed,
        } => {
            out.push_str(&format!(
                "Planned steps from the runbook file {}",
                text(path)
            ));
            out.push_str(if *changed {
                ": **the file changed since the run last accepted it**, so the plan below is \
                 today's file, not necessarily what was walked.\n\n"
            } else {
                ", unchanged since the run.\n\n"
            });
            for phase in &runbook.phases {
                for step in &phase.steps {
                    planned_total += step.planned.unwrap_or_default();
                    rows.push(row(
                        &text(&phase.title),
                        &step.id,
                        &text(&step.title),
                        step.kind.name(),
                        step.planned,
                        &progress,
                    ));
                }
            }
            for (id, kind) in journal_steps
                .iter()
                .filter(|(id, _)| runbook.step(id).is_none())
            {
                rows.push(row(
                    "(not in the runbook file)",
                    id,
                    "—",
                    kind,
                    None,
                    &progress,
                ));
            }
        }
        Plan::JournalOnly { why } => {
            out.push_str(&format!(
                "The runbook could not be loaded ({}): steps are known from the journal only, \
                 without their plan.\n\n",
                text(why)
            ));
            for (id, kind) in &journal_steps {
                rows.push(row("—", id, "—", kind, None, &progress));
            }
        }
    }
    if rows.is_empty() {
        out.push_str("No steps.\n\n");
        return out;
    }
    out.push_str(&table(
        &[
            "Phase",
            "Step",
            "Title",
            "Kind",
            "Planned",
            "Actual",
            "Status",
            "Finished (UTC)",
        ],
        &rows,
    ));
    if !planned_total.is_zero() {
        out.push_str(&format!(
            "Planned in total: {}.\n\n",
            format_duration(planned_total)
        ));
    }
    out
}

fn row(
    phase: &str,
    id: &str,
    title: &str,
    kind: &str,
    planned: Option<Duration>,
    progress: &Progress,
) -> Vec<String> {
    let state = progress.state(id);
    let status = progress.status(id);
    let mut status_text = status.word().to_string();
    if let Some(why) = state.and_then(|s| s.skip_reason.as_deref()) {
        status_text.push_str(&format!(" ({})", text(why)));
    }
    let secs = |d: Duration| format_duration(Duration::from_secs(d.as_secs()));
    vec![
        phase.to_string(),
        text(id),
        title.to_string(),
        kind.to_string(),
        planned.map_or("—".into(), format_duration),
        state.and_then(|s| s.actual).map_or("—".into(), secs),
        status_text,
        state.and_then(|s| s.finished_at).map_or("—".into(), utc),
    ]
}

/// Step ids the journal mentions, in order of first mention, with the kind the journal implies.
fn steps_in_journal(records: &[Record]) -> Vec<(String, &'static str)> {
    let mut seen: Vec<(String, &'static str)> = Vec::new();
    for r in records {
        let (step, kind) = match &r.event {
            Event::StepTicked { step }
            | Event::StepReopened { step }
            | Event::StepSkipped { step, .. }
            | Event::NoteAdded { step, .. } => (step.as_str(), "—"),
            Event::GateDecided { step, .. } => (step.as_str(), "gate"),
            Event::ActionStarted { action, .. } => match (action, action.step()) {
                (Action::Command { .. }, Some(s)) => (s, "command"),
                (Action::Shift { .. }, Some(s)) => (s, "traffic"),
                _ => continue,
            },
            _ => continue,
        };
        match seen.iter_mut().find(|(id, _)| id == step) {
            Some(known) if known.1 == "—" => known.1 = kind,
            Some(_) => {}
            None => seen.push((step.to_string(), kind)),
        }
    }
    seen
}
