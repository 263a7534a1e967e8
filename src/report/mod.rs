//! The run report: journal records in, one Markdown document out. Pure (no files, no clock), so
//! the same journal always gives the same report and every part is tested as a string. Reading
//! the journal and the runbook is `cli::report`'s job.

mod actions;
mod facts;
mod gates;
pub mod kept;
pub mod markdown;
mod notes;
mod notifications;
mod rollback;
mod steps;
mod timeline;

use crate::journal::Record;
use crate::journal::event::Event;
use crate::runbook::Runbook;
use markdown::{text, time};

/// What `journal verify`'s check said about the records.
#[derive(Debug, Clone)]
pub enum Chain {
    Intact,
    /// The first bad line (1-based) and why; records from there on cannot be trusted.
    Broken {
        line: usize,
        reason: String,
    },
}

/// Where the planned side of "planned vs actual" comes from.
pub enum Plan<'a> {
    /// The runbook file the run walked, as it loads today; `changed` when its hash is not the
    /// one the run last accepted.
    Runbook {
        runbook: &'a Runbook,
        path: &'a str,
        changed: bool,
    },
    /// The runbook did not load: steps are known only from the journal, and this says why.
    JournalOnly { why: String },
}

pub struct Input<'a> {
    pub run_id: &'a str,
    /// Every record that parsed, in file order (for a broken chain, the records after the bad
    /// line are included and marked).
    pub records: &'a [Record],
    pub chain: Chain,
    pub plan: Plan<'a>,
    /// What `cli::report` found of the kept output files, by action id.
    pub kept: &'a kept::KeptOutputs,
}

impl Input<'_> {
    /// Records before this index passed verification.
    fn trusted(&self) -> usize {
        match self.chain {
            Chain::Intact => self.records.len(),
            Chain::Broken { line, .. } => line.saturating_sub(1).min(self.records.len()),
        }
    }
}

pub fn render(input: &Input) -> String {
    let actions = facts::actions(input.records);
    let mut out = String::new();
    out.push_str(&summary(input, &actions));
    out.push_str(&actions::in_doubt(input, &actions));
    out.push_str(&timeline::section(input, &actions));
    out.push_str(&steps::section(input));
    out.push_str(&gates::section(input));
    out.push_str(&actions::commands(input, &actions));
    out.push_str(&actions::traffic(input, &actions));
    out.push_str(&rollback::section(input, &actions));
    out.push_str(&notes::section(input.records));
    out.push_str(&notifications::section(input.records));
    out
}

fn summary(input: &Input, actions: &[facts::ActionRun]) -> String {
    let records = input.records;
    let name = records.iter().find_map(|r| match &r.event {
        Event::RunStarted { runbook_name, .. } => Some(runbook_name.as_str()),
        _ => None,
    });
    let name = match (&input.plan, name) {
        (_, Some(n)) => text(n),
        (Plan::Runbook { runbook, .. }, None) => text(&runbook.meta.name),
        (Plan::JournalOnly { .. }, None) => "(unknown runbook)".into(),
    };
    let mut operators: Vec<&str> = Vec::new();
    for r in records {
        if !operators.contains(&r.operator.as_str()) {
            operators.push(&r.operator);
        }
    }
    let operators: Vec<String> = operators.iter().map(|o| text(o)).collect();
    let rehearsed = actions.iter().filter(|a| a.rehearsal).count();
    let rehearsal = match rehearsed {
        0 => "no action ran as rehearsal".to_string(),
        n if n == actions.len() => {
            format!("**yes**: all {n} actions ran as rehearsal (nothing was executed)")
        }
        n => format!(
            "**yes**: {n} of {} actions ran as rehearsal (those were not executed)",
            actions.len()
        ),
    };
    let chain = match &input.chain {
        Chain::Intact => format!("intact ({} records)", records.len()),
        Chain::Broken { line, reason } => format!(
            "**BROKEN at line {line}**: {}. Records from line {line} on cannot be trusted; they are marked UNVERIFIED below",
            text(reason)
        ),
    };
    let first_last =
        |r: Option<&Record>| r.map_or("—".into(), |r| format!("{} UTC", time(&r.time)));
    let operators = if operators.is_empty() {
        "—".into()
    } else {
        operators.join(", ")
    };
    let (mode, state) = life(records);
    let unseated = records.iter().filter(|r| r.without_seat.is_some()).count();
    let mut fields = vec![
        ("Run", text(input.run_id)),
        ("Mode", mode.into()),
        ("State", state),
        ("Operators", operators),
        ("First record", first_last(records.first())),
        ("Last record", first_last(records.last())),
        ("Rehearsal", rehearsal),
        ("Hash chain", chain),
    ];
    if unseated > 0 {
        fields.push((
            "Without the seat",
            format!(
                "**{unseated} record(s) ACTED WITHOUT THE SEAT** (the team store was unreachable; kept on the bastion, uploaded when it returned; marked below)"
            ),
        ));
    }
    let mut out = format!("# Run report: {name}\n\n");
    for (label, value) in fields {
        out.push_str(&format!("- **{label}:** {value}\n"));
    }
    out.push('\n');
    out
}

/// The run's mode and where its life stands, folded from the journal the way the cockpit
/// folds it (the same `Progress`), so the report and the header cannot disagree.
fn life(records: &[Record]) -> (&'static str, String) {
    use crate::journal::event::RunMode;
    let progress = crate::app::Progress::fold(crate::session::timed(records));
    let mode = progress
        .mode
        .unwrap_or_else(|| RunMode::of_old_run(records.iter().map(|r| &r.event)));
    let state = progress.run_state();
    let ended = records.iter().find_map(|r| match &r.event {
        Event::RunEnded { reason, .. } => Some(format!(
            " by {} at {} UTC ({})",
            text(&r.operator),
            time(&r.time),
            text(reason)
        )),
        _ => None,
    });
    let word = match state {
        crate::app::progress::RunState::Active => state.word().to_string(),
        _ => format!("**{}**", state.word().to_uppercase()),
    };
    (mode.label(), format!("{word}{}", ended.unwrap_or_default()))
}

#[cfg(test)]
mod tests;
