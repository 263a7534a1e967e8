//! Actions: the ones left in doubt first (loudly), then commands, and traffic shifts with
//! breaches. The rollback has its own module.

use super::Input;
use super::facts::{ActionRun, Outcome};
use super::gates::{Criteria, evidence_table};
use super::markdown::{code, fence, table, text, time};
use crate::journal::event::{Action, Event};

pub fn in_doubt(input: &Input, actions: &[ActionRun]) -> String {
    let mut out = String::from("## Actions in doubt\n\n");
    let doubtful: Vec<&ActionRun> = actions.iter().filter(|a| a.in_doubt()).collect();
    if doubtful.is_empty() {
        out.push_str("None: every action that started has an end or a resolution.\n\n");
    } else {
        out.push_str(&format!(
            "> **WARNING: {} ACTION(S) IN DOUBT.** Each was started and never ended: the session \
             died while it ran and nobody has recorded what really happened. Check by hand \
             before trusting this run's state.\n>\n",
            doubtful.len()
        ));
        for a in doubtful {
            out.push_str(&format!("> - {}\n", started_line(a)));
            if matches!(
                a.action,
                Action::Command { .. }
                    | Action::Shift { .. }
                    | Action::RollbackStep {
                        command: Some(_),
                        ..
                    }
            ) && !a.rehearsal
            {
                // No end record, so no hash: whatever the file holds is unverified.
                out.push_str(&format!(
                    ">   What it printed before the session died may be in {} (not hashed: unverified).\n",
                    code(&format!("{}.output/{}.log", input.run_id, a.id))
                ));
            }
        }
        out.push('\n');
    }
    let resolved: Vec<&ActionRun> = actions
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Resolved { .. }))
        .collect();
    if !resolved.is_empty() {
        out.push_str("Left in doubt by a crash, then resolved by the operator:\n\n");
        for a in resolved {
            out.push_str(&format!("- {}: {}\n", started_line(a), a.result_words()));
        }
        out.push('\n');
    }
    out
}

/// `action 3, started by op at 2026-12-05 22:00:01 UTC: shift green 10% -> 50%`.
fn started_line(a: &ActionRun) -> String {
    format!(
        "action {}, started{} by {} at {} UTC: {}",
        a.id,
        if a.rehearsal { " as rehearsal" } else { "" },
        text(&a.started.operator),
        time(&a.started.time),
        text(&a.action.summary())
    )
}

pub fn commands(input: &Input, actions: &[ActionRun]) -> String {
    let mut out = String::from("## Commands\n\n");
    let mut any = false;
    for a in actions {
        let Action::Command { step, command } = a.action else {
            continue;
        };
        any = true;
        out.push_str(&format!("### {}\n\n", text(step)));
        out.push_str(&command_line(command));
        out.push_str(&format!(
            "- **Started**{} by {} at {} UTC\n",
            if a.rehearsal {
                " as rehearsal (not executed)"
            } else {
                ""
            },
            text(&a.started.operator),
            time(&a.started.time)
        ));
        out.push_str(&format!("- **Result:** {}\n\n", a.result_words()));
        out.push_str(&output(a));
        out.push_str(&super::kept::section(input.run_id, a, actions, input.kept));
    }
    if !any {
        out.push_str("No command was run.\n\n");
    }
    out
}

/// A command in a list item: a code span, or a fenced block for a multi-line script.
fn command_line(command: &str) -> String {
    if command.contains('\n') {
        format!("- **Command:**\n\n{}", fence(&[command.to_string()]))
    } else {
        format!("- **Command:** {}\n", code(command))
    }
}

/// The journaled tail of an action's output, fenced.
fn output(a: &ActionRun) -> String {
    match a.outcome {
        Outcome::Ended { output, .. } if !output.is_empty() => {
            format!("Last lines of output:\n\n{}", fence(output))
        }
        Outcome::Ended { .. } => "No output.\n\n".into(),
        _ => String::new(),
    }
}

pub fn traffic(input: &Input, actions: &[ActionRun]) -> String {
    let mut out = String::from("## Traffic\n\n");
    let rows: Vec<Vec<String>> = actions
        .iter()
        .filter_map(|a| match a.action {
            Action::Shift {
                step,
                from_green,
                to_green,
                request,
            } => Some(vec![
                time(&a.started.time),
                text(&a.started.operator),
                step.as_deref().map_or("—".into(), text),
                format!(
                    "green {} → {to_green}%",
                    from_green.map_or("?".into(), |f| format!("{f}%"))
                ),
                text(request),
                a.result_words(),
            ]),
            _ => None,
        })
        .collect();
    // A command actuator's output is kept like a command's.
    let mut kept = String::new();
    for a in actions
        .iter()
        .filter(|a| matches!(a.action, Action::Shift { .. }))
    {
        let section = super::kept::section(input.run_id, a, actions, input.kept);
        if !section.is_empty() {
            kept.push_str(&format!(
                "Output of the shift, action {}:\n\n{section}",
                a.id
            ));
        }
    }
    if rows.is_empty() {
        out.push_str("No traffic shift.\n\n");
    } else {
        out.push_str(&table(
            &[
                "Started (UTC)",
                "Operator",
                "Step",
                "Shift",
                "Request",
                "Result",
            ],
            &rows,
        ));
    }
    out.push_str(&kept);
    for r in input.records {
        if let Event::BreachDetected {
            green,
            evidence,
            policy,
        } = &r.event
        {
            out.push_str(&format!(
                "### BREACH at {} UTC (green at {}), policy: {}\n\n",
                time(&r.time),
                green.map_or("?".into(), |g| format!("{g}%")),
                policy.policy().name()
            ));
            out.push_str("Abort criteria as evaluated (one that holds is the breach):\n\n");
            out.push_str(&evidence_table(evidence, input, Criteria::Abort));
        }
    }
    out
}
