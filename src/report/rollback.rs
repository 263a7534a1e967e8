//! Each emergency rollback: its trigger, every step as it ran or was skipped (with output), and
//! how it ended, or that the journal stops before it did.

use super::Input;
use super::facts::{ActionRun, Outcome};
use super::markdown::{fence, table, text, time};
use crate::journal::Record;
use crate::journal::event::{Action, Event};

pub fn section(input: &Input, actions: &[ActionRun]) -> String {
    let mut out = String::from("## Rollback\n\n");
    let mut current: Option<Block> = None;
    let mut any = false;
    for r in input.records {
        match &r.event {
            Event::RollbackBegan { trigger, phase } => {
                if let Some(block) = current.take() {
                    out.push_str(&block.end("the next rollback began before this one ended"));
                }
                let plan = match phase {
                    None => "the emergency plan (`[rollback]`)".to_string(),
                    Some(id) => format!("the own rollback of phase {}", text(id)),
                };
                out.push_str(&format!(
                    "### ROLLBACK began at {} UTC by {}\n\n- **Trigger:** {}\n- **Plan:** {plan}\n\n",
                    time(&r.time),
                    text(&r.operator),
                    text(trigger)
                ));
                if r.without_seat.is_some() {
                    out.push_str(&format!(
                        "- **{}** the team store was unreachable; its records were kept on the bastion and uploaded when the store returned (times by the bastion's clock)\n\n",
                        super::timeline::without_seat(r).trim()
                    ));
                }
                current = Some(Block::default());
                any = true;
            }
            Event::ActionStarted { id, .. } => {
                // The run of this very record: ids are unique per run, records are not reused.
                let run = actions
                    .iter()
                    .find(|a| a.id == *id && std::ptr::eq(a.started, r));
                if let (Some(block), Some(run)) = (current.as_mut(), run) {
                    let kept = super::kept::section(input.run_id, run, actions, input.kept);
                    block.step(run, kept);
                }
            }
            Event::RollbackStepSkipped { index, title } => {
                if let Some(block) = current.as_mut() {
                    block.skipped(r, *index, title);
                }
            }
            Event::RollbackEnded { completed } => {
                let skipped = current.as_ref().map_or(0, |b| b.skipped);
                let how = match (*completed, skipped) {
                    (true, 0) => "completed".to_string(),
                    (true, n) => format!("completed, **{n} step(s) SKIPPED**"),
                    (false, _) => "**ABORTED** by the operator".to_string(),
                };
                let ended = format!("- **Ended:** {how} at {} UTC\n\n", time(&r.time));
                out.push_str(&current.take().unwrap_or_default().close());
                out.push_str(&ended);
            }
            _ => {}
        }
    }
    match current {
        Some(block) => out.push_str(&block.end("the journal stops before the rollback ended")),
        None if !any => out.push_str("No rollback.\n\n"),
        None => {}
    }
    out
}

/// The steps of one rollback so far, and their outputs.
#[derive(Default)]
struct Block {
    rows: Vec<Vec<String>>,
    outputs: String,
    /// Steps skipped: a rollback that "completed" with them did not do everything.
    skipped: usize,
}

impl Block {
    /// `kept`: the step's kept-output lines (`report::kept::section`), if any.
    fn step(&mut self, run: &ActionRun, kept: String) {
        let Action::RollbackStep {
            index,
            title,
            command,
            to_green,
        } = run.action
        else {
            return;
        };
        let what = match (command, to_green) {
            (Some(c), _) => text(c),
            (None, Some(g)) => format!("traffic: green → {g}%"),
            (None, None) => "manual".into(),
        };
        let n = index + 1;
        self.rows
            .push(vec![n.to_string(), text(title), what, run.result_words()]);
        if let Outcome::Ended { output, .. } = run.outcome
            && !output.is_empty()
        {
            let block = fence(output);
            self.outputs
                .push_str(&format!("Output of rollback step {n}:\n\n{block}"));
        }
        self.outputs.push_str(&kept);
    }

    fn skipped(&mut self, r: &Record, index: usize, title: &str) {
        self.skipped += 1;
        self.rows.push(vec![
            (index + 1).to_string(),
            text(title),
            "—".into(),
            format!(
                "**SKIPPED** by {} at {} UTC",
                text(&r.operator),
                time(&r.time)
            ),
        ]);
    }

    fn close(self) -> String {
        let mut out = String::new();
        if !self.rows.is_empty() {
            out.push_str(&table(
                &["#", "Rollback step", "Command", "Result"],
                &self.rows,
            ));
        }
        out + &self.outputs
    }

    /// Closes a rollback that has no `rollback_ended`, saying why.
    fn end(self, why: &str) -> String {
        format!("{}- **NOT ENDED:** {why}.\n\n", self.close())
    }
}
