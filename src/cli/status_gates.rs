//! The gates part of `flightdeck status`: every gate step's criteria evaluated against the one
//! poll, and which gate is next (the first one the runbook's open run has not finished).
//! Sign-offs are ticked by people in the cockpit, so here they are listed and never counted.

use std::path::Path;

use serde::Serialize;
use time::OffsetDateTime;

use crate::app::Progress;
use crate::gates::criterion::Condition;
use crate::gates::evaluate::in_source_unit;
use crate::gates::{Criterion, Verdict, evaluate};
use crate::journal::event::RunMode;
use crate::journal::record::verify_text;
use crate::journal::runs;
use crate::runbook::{Runbook, Source, SourceSpec, StepKind};
use crate::telemetry::format::{age, value};
use crate::telemetry::sanitize::visible;
use crate::telemetry::{Sample, Telemetry};

#[derive(Serialize)]
pub struct GateStatus<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// Every criterion passes (sign-offs not counted).
    pub go: bool,
    /// Decided GO, ticked or skipped in the open run.
    pub finished: bool,
    pub criteria: Vec<CriterionStatus>,
    /// Manual: listed so nobody forgets them, never counted.
    pub signoffs: &'a [String],
}

#[derive(Serialize)]
pub struct CriterionStatus {
    pub criterion: String,
    pub source: String,
    /// `< 30s`, `is up`: the criterion's condition in the source's unit.
    pub threshold: String,
    /// The threshold's number in the source's unit, for comparisons.
    pub limit: Option<f64>,
    pub verdict: Verdict,
    pub measured: Option<f64>,
    pub measured_text: String,
    pub age_seconds: Option<u64>,
    pub why: String,
}

/// Every gate step in runbook order, judged on `samples` (one poll) at `now`.
pub fn evaluate_all<'a>(
    book: &'a Runbook,
    samples: &[Sample],
    progress: &Progress,
    now: OffsetDateTime,
) -> Vec<GateStatus<'a>> {
    let mut telemetry = Telemetry::default();
    for sample in samples {
        telemetry.apply(sample.clone());
    }
    book.steps()
        .filter_map(|(_, step)| match &step.kind {
            StepKind::Gate {
                criteria, signoffs, ..
            } => {
                let criteria: Vec<CriterionStatus> = criteria
                    .iter()
                    .map(|c| judge(c, book, &telemetry, now))
                    .collect();
                Some(GateStatus {
                    id: &step.id,
                    title: &step.title,
                    go: criteria.iter().all(|c| c.verdict == Verdict::Pass),
                    finished: progress.status(&step.id).finished(),
                    criteria,
                    signoffs,
                })
            }
            _ => None,
        })
        .collect()
}

fn judge(
    criterion: &Criterion,
    book: &Runbook,
    telemetry: &Telemetry,
    now: OffsetDateTime,
) -> CriterionStatus {
    let source = book.sources.iter().find(|s| s.id == criterion.source);
    let history = telemetry.sources.get(&criterion.source);
    let evaluation = evaluate(criterion, source, history, now);
    let unit = source.and_then(measured_unit);
    let (threshold, limit) = threshold(criterion, source);
    CriterionStatus {
        criterion: evaluation.criterion,
        source: criterion.source.clone(),
        threshold,
        limit,
        verdict: evaluation.verdict,
        measured: evaluation.measured,
        measured_text: evaluation.measured.map_or("—".into(), |v| value(v, unit)),
        age_seconds: evaluation.age.map(|a| a.as_secs()),
        why: evaluation.why,
    }
}

/// The unit a criterion's measured value is in: latency in ms for `http`.
fn measured_unit(source: &Source) -> Option<&str> {
    match source.spec {
        SourceSpec::Http { .. } => Some("ms"),
        _ => source.unit.text(),
    }
}

fn threshold(criterion: &Criterion, source: Option<&Source>) -> (String, Option<f64>) {
    let held = criterion.held_for.map_or(String::new(), |d| {
        format!(" for {}", crate::runbook::duration::format_duration(d))
    });
    match &criterion.condition {
        Condition::IsUp => (format!("is up{held}"), None),
        Condition::IsDown => (format!("is down{held}"), None),
        Condition::Compare { op, value: v, unit } => {
            let none = crate::runbook::unit::SourceUnit::Count;
            let limit = in_source_unit(*v, *unit, source.map_or(&none, |s| &s.unit));
            let shown = value(limit, source.and_then(measured_unit));
            (format!("{} {shown}{held}", op.symbol()), Some(limit))
        }
    }
}

/// The runbook's open live run (its id and folded progress), as the cockpit would resume it. A
/// journal that fails verification is not trusted to say which gates are finished.
pub fn open_run(data_dir: &Path, runbook_path: &Path) -> (Option<String>, Progress) {
    let progress = Progress::default();
    let key = crate::session::runbook_key(runbook_path);
    let Some(path) = runs::open_run_for(data_dir, &key, RunMode::Live) else {
        return (None, progress);
    };
    let records = match std::fs::read_to_string(&path).map(|t| verify_text(&t)) {
        Ok(Ok(records)) => records,
        Ok(Err(bad)) => {
            eprintln!(
                "warning: {}:{}: {}; gates are taken as not finished",
                path.display(),
                bad.line,
                bad.reason
            );
            return (None, progress);
        }
        Err(e) => {
            eprintln!("warning: cannot read {}: {e}", path.display());
            return (None, progress);
        }
    };
    let id = records.first().map(|r| r.run.clone());
    (id, Progress::fold(crate::session::timed(&records)))
}

/// The gates as a table per gate, then the verdict on the next one.
pub fn print(gates: &[GateStatus], next: Option<&str>, run: Option<&str>) {
    if gates.is_empty() {
        return;
    }
    println!();
    println!("GATES (sign-offs are manual and not counted here)");
    for g in gates {
        print_gate(g, Some(g.id) == next);
    }
    const UNCOUNTED: &str = "(sign-offs are manual and not counted)";
    match gates.iter().find(|g| Some(g.id) == next) {
        Some(g) if g.go => println!("next gate {}: every criterion passes {UNCOUNTED}", g.id),
        Some(g) => {
            let failing = g.criteria.iter().filter(|c| c.verdict != Verdict::Pass);
            println!(
                "next gate {}: NO-GO, {} of {} criteria not passing {UNCOUNTED}",
                g.id,
                failing.count(),
                g.criteria.len()
            )
        }
        None => println!(
            "every gate of run {} is finished; the exit code follows the sources",
            run.unwrap_or("?")
        ),
    }
}

fn print_gate(g: &GateStatus, is_next: bool) {
    let mark = match (is_next, g.finished) {
        (true, _) => "  <- next",
        (false, true) => "  (finished)",
        _ => "",
    };
    let word = if g.go {
        "criteria pass"
    } else {
        "NOT all criteria pass"
    };
    // Titles, criteria and units come from the runbook: shown, never obeyed.
    println!("{} \"{}\": {word}{mark}", visible(g.id), visible(g.title));
    let width =
        |f: fn(&CriterionStatus) -> usize| g.criteria.iter().map(f).max().unwrap_or(0).max(9);
    let (cw, tw) = (
        width(|c| visible(&c.criterion).chars().count()),
        width(|c| visible(&c.threshold).chars().count()),
    );
    if !g.criteria.is_empty() {
        println!(
            "  {:<cw$}  {:>10}  {:<tw$}  {:>5}  {:<7}  WHY",
            "CRITERION", "MEASURED", "THRESHOLD", "AGE", "VERDICT"
        );
    }
    for c in &g.criteria {
        println!(
            "  {:<cw$}  {:>10}  {:<tw$}  {:>5}  {:<7}  {}",
            visible(&c.criterion),
            visible(&c.measured_text),
            visible(&c.threshold),
            c.age_seconds.map_or("-".into(), |a| age(a as i64)),
            c.verdict.word(),
            visible(&c.why)
        );
    }
    if !g.signoffs.is_empty() {
        println!(
            "  sign-offs (manual, not counted): {}",
            visible(&g.signoffs.join("; "))
        );
    }
}
