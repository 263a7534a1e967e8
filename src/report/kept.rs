//! Each action's kept output in the report: where it is, its size and SHA-256, whether the
//! file still matches the journal, and the whole of it collapsed when it is small enough to
//! embed. The files are read by `cli::report`; this only writes what it was given.

use std::collections::BTreeMap;

use super::facts::{ActionRun, Outcome};
use super::markdown::{code, fence, text};
use crate::journal::event::{Action, OutputFile};
use crate::telemetry::format;

/// Outputs up to this size are embedded whole (collapsed); larger ones are linked.
pub const EMBED_BYTES: u64 = 256 * 1024;

/// What `cli::report` found of one action's kept output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// What the file is not, if it is not what the journal recorded (missing, altered).
    pub problem: Option<String>,
    /// The whole output, when it matches and is at most `EMBED_BYTES`.
    pub text: Option<String>,
}

/// Kept outputs by action id.
pub type KeptOutputs = BTreeMap<u64, Kept>;

/// What `flightdeck report --output` takes for this action: its step when that step ran
/// once, else `#id` (a step retried has several outputs).
pub fn selector(action: &ActionRun, all: &[ActionRun]) -> String {
    let step = match action.action {
        Action::Command { step, .. } => Some(step),
        Action::Shift { step, .. } => step.as_ref(),
        _ => None,
    };
    match step {
        Some(step) if all.iter().filter(|a| step_of(a) == Some(step)).count() == 1 => step.clone(),
        _ => format!("'#{}'", action.id),
    }
}

pub fn step_of<'a>(action: &ActionRun<'a>) -> Option<&'a String> {
    match action.action {
        Action::Command { step, .. } => Some(step),
        Action::Shift { step, .. } => step.as_ref(),
        _ => None,
    }
}

/// The file an ended action's output was kept in, if any.
pub fn file_of<'a>(action: &ActionRun<'a>) -> Option<&'a OutputFile> {
    match action.outcome {
        Outcome::Ended { output_file, .. } => output_file,
        _ => None,
    }
}

/// The report's lines about one action's kept output, or nothing when none was kept.
pub fn section(run_id: &str, action: &ActionRun, all: &[ActionRun], kept: &KeptOutputs) -> String {
    let Some(file) = file_of(action) else {
        return String::new();
    };
    let found = kept.get(&action.id);
    let mut out = format!(
        "- **Whole output:** {} lines, {}, SHA-256 {} in {}; print it with {}\n",
        file.lines,
        size(file.bytes),
        code(&file.sha256),
        code(&file.path),
        code(&format!(
            "flightdeck report --run {run_id} --output {}",
            selector(action, all)
        ))
    );
    match found.and_then(|k| k.problem.as_ref()) {
        Some(problem) => out.push_str(&format!(
            "- **OUTPUT FILE NOT AS RECORDED:** {}\n\n",
            text(problem)
        )),
        None if found.is_none() => out.push_str("- Output file not checked.\n\n"),
        None => out.push('\n'),
    }
    if let Some(whole) = found.and_then(|k| k.text.as_ref()) {
        let lines: Vec<String> = whole.lines().map(str::to_string).collect();
        out.push_str(&format!(
            "<details><summary>Whole output ({} lines)</summary>\n\n{}</details>\n\n",
            file.lines,
            fence(&lines)
        ));
    }
    out
}

/// `1,234 bytes` or `1.2 MiB (1,234,567 bytes)`.
fn size(bytes: u64) -> String {
    let exact = format!("{} bytes", format::thousands(bytes));
    match bytes {
        0..1024 => exact,
        1024..1_048_576 => format!("{:.1} KiB ({exact})", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB ({exact})", bytes as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Event, Record};

    fn rec(seq: u64, event: Event) -> Record {
        Record {
            v: 1,
            seq,
            time: "2026-12-05T22:00:00Z".into(),
            operator: "op@bastion".into(),
            run: "run-1".into(),
            runbook_hash: "h".into(),
            prev: String::new(),
            event,
            without_seat: None,
            hash: String::new(),
        }
    }

    fn ran(id: u64, step: &str) -> [Record; 2] {
        [
            rec(
                id * 2,
                Event::ActionStarted {
                    id,
                    action: Action::Command {
                        step: step.into(),
                        command: "terraform plan".into(),
                    },
                    rehearsal: false,
                },
            ),
            rec(
                id * 2 + 1,
                Event::ActionEnded {
                    id,
                    ok: true,
                    result: "exit 0".into(),
                    output: vec![],
                    output_file: Some(OutputFile {
                        path: format!("run-1.output/{id}.log"),
                        sha256: "ab".repeat(32),
                        bytes: 2_500_000,
                        lines: 3,
                    }),
                },
            ),
        ]
    }

    #[test]
    fn an_output_is_linked_with_size_and_hash_and_embedded_collapsed() {
        let records: Vec<Record> = [ran(1, "plan"), ran(2, "apply"), ran(3, "apply")]
            .into_iter()
            .flatten()
            .collect();
        let all = super::super::facts::actions(&records);
        let kept = KeptOutputs::from([
            (
                1,
                Kept {
                    problem: None,
                    text: Some("Plan: 3 to add\n<b>|x|</b>\n```\n".into()),
                },
            ),
            (
                2,
                Kept {
                    problem: Some("output file x is missing".into()),
                    text: None,
                },
            ),
        ]);
        let md = section("run-1", &all[0], &all, &kept);
        assert!(md.contains("3 lines, 2.4 MiB (2,500,000 bytes)"), "{md}");
        assert!(
            md.contains(&format!("SHA-256 `{}`", "ab".repeat(32))),
            "{md}"
        );
        assert!(
            md.contains("`flightdeck report --run run-1 --output plan`"),
            "{md}"
        );
        assert!(md.contains("<details><summary>Whole output (3 lines)</summary>\n\n````text\nPlan: 3 to add\n<b>|x|</b>\n```\n````\n\n</details>"), "{md}");

        let md = section("run-1", &all[1], &all, &kept);
        assert!(
            md.contains("--output '#2'"),
            "a step that ran twice is named by action: {md}"
        );
        assert!(
            md.contains("**OUTPUT FILE NOT AS RECORDED:** output file x is missing"),
            "{md}"
        );
        assert!(!md.contains("<details>"));
    }
}
