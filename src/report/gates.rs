//! Gate decisions with who, when, the override and the evidence the operator saw.

use super::markdown::{table, text, time};
use super::{Input, Plan};
use crate::journal::event::{Event, Evidence, EvidenceVerdict};
use crate::runbook::duration::format_duration;

pub fn section(input: &Input) -> String {
    let mut out = String::from("## Gate decisions\n\n");
    let mut any = false;
    for r in input.records {
        let Event::GateDecided {
            step,
            go,
            overridden,
            reason,
            evidence,
            signoffs,
        } = &r.event
        else {
            continue;
        };
        any = true;
        let title = match &input.plan {
            Plan::Runbook { runbook, .. } => runbook.step(step).map(|s| s.title.as_str()),
            Plan::JournalOnly { .. } => None,
        };
        let word = if *go { "GO" } else { "NO-GO" };
        out.push_str(&format!(
            "### {word}: {} ({})\n\n",
            text(title.unwrap_or(step)),
            text(step)
        ));
        out.push_str(&format!(
            "- **Decided by** {} at {} UTC\n",
            text(&r.operator),
            time(&r.time)
        ));
        if let Some(reason) = reason {
            out.push_str(&format!("- **Reason:** {}\n", text(reason)));
        }
        if !overridden.is_empty() {
            let list: Vec<String> = overridden.iter().map(|c| text(c)).collect();
            out.push_str(&format!(
                "- **OVERRIDDEN criteria** (did not pass): {}\n",
                list.join("; ")
            ));
        }
        let signoffs: Vec<String> = signoffs.iter().map(|s| text(s)).collect();
        out.push_str(&format!(
            "- **Sign-offs ticked:** {}\n\n",
            if signoffs.is_empty() {
                "none".into()
            } else {
                signoffs.join("; ")
            }
        ));
        out.push_str(&evidence_table(evidence, input, Criteria::Gate));
    }
    if !any {
        out.push_str("No gate was decided.\n\n");
    }
    out
}

/// What a set of evaluations was for, which says which verdict is the bad one.
#[derive(Clone, Copy)]
pub enum Criteria {
    /// A gate's: anything short of PASS holds the gate.
    Gate,
    /// A traffic plan's `abort_when`: a criterion that holds (PASS) is the breach.
    Abort,
}

/// Criterion, measured value (in the source's unit, when the runbook still knows the source),
/// age, verdict and why.
pub fn evidence_table(evidence: &[Evidence], input: &Input, kind: Criteria) -> String {
    if evidence.is_empty() {
        return "No automatic criteria were evaluated.\n\n".into();
    }
    let rows: Vec<Vec<String>> = evidence
        .iter()
        .map(|e| {
            let unit = unit_of(&e.criterion, input);
            vec![
                text(&e.criterion),
                e.measured.map_or("—".into(), |v| {
                    text(&crate::telemetry::format::value(v, unit))
                }),
                e.age().map_or("—".into(), |a| {
                    format_duration(std::time::Duration::from_secs(a.as_secs()))
                }),
                match (kind, e.verdict) {
                    (Criteria::Gate, EvidenceVerdict::Pass) => "PASS".into(),
                    (Criteria::Abort, EvidenceVerdict::Pass) => "**HOLDS: breach**".into(),
                    (Criteria::Abort, EvidenceVerdict::Fail) => "does not hold".into(),
                    (_, other) => format!("**{}**", other.word()),
                },
                text(&e.why),
            ]
        })
        .collect();
    table(&["Criterion", "Measured", "Age", "Verdict", "Why"], &rows)
}

/// The unit of the source a criterion names (its first word), as the evaluation measured it.
fn unit_of<'a>(criterion: &str, input: &'a Input) -> Option<&'a str> {
    let Plan::Runbook { runbook, .. } = &input.plan else {
        return None;
    };
    let id = criterion.split_whitespace().next()?;
    let source = runbook.sources.iter().find(|s| s.id == id)?;
    match source.spec {
        // An http source is judged on its latency.
        crate::runbook::SourceSpec::Http { .. } => Some("ms"),
        _ => source.unit.text(),
    }
}
