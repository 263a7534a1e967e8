//! `flightdeck status RUNBOOK [--json]`: polls every source once (Cost Explorer from its cache
//! while fresh), prints value, age and state, and evaluates every gate on that poll. Exit 0
//! only when the next gate's criteria all pass and no source is blind (error, stale, no data,
//! down), 3 otherwise; with no gate left to decide, 0 when every source is OK and 3 when any
//! is WARN, FAIL or unknown. Exit 2 for a runbook that does not validate.

use std::process::ExitCode;

use serde::Serialize;
use time::OffsetDateTime;

use super::StatusArgs;
use super::status_gates::{self, GateStatus};
use crate::paths;
use crate::runbook::Source;
use crate::telemetry::format::{age, value};
use crate::telemetry::poller;
use crate::telemetry::sample::{ForecastMethod, measured_at, word};
use crate::telemetry::sanitize::visible;
use crate::telemetry::{Calls, Detail, Level, Reading, Sample, level};

/// Exit code when the next gate would be NO-GO, or (no gate to decide) some source is not OK.
pub const NOT_ALL_OK: u8 = 3;

#[derive(Serialize)]
struct Report<'a> {
    runbook: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    checked_at: OffsetDateTime,
    ok: bool,
    /// Which rule decided `ok`: `next_gate`, `blind_sources` or `sources`.
    decided_by: &'static str,
    /// Sources that say nothing true now (error, stale, no data, down): any one of them
    /// makes the exit code 3, whatever the gate says.
    blind_sources: Vec<&'a str>,
    /// Every source is OK (the rule when no gate is left to decide), for scripts that want it.
    sources_ok: bool,
    sources: Vec<SourceStatus<'a>>,
    gates: Vec<GateStatus<'a>>,
    next_gate: Option<&'a str>,
    /// The runbook's open run, which says which gates are finished.
    run: Option<String>,
    /// That run's state: `active` or `rolled back` (an ended run is not open).
    run_state: Option<&'static str>,
    aws_calls: CallsJson,
}

#[derive(Serialize)]
struct SourceStatus<'a> {
    id: &'a str,
    label: &'a str,
    kind: &'static str,
    panel: crate::runbook::Panel,
    unit: Option<&'a str>,
    /// ok, warn, fail or unknown.
    state: &'static str,
    /// UP, DOWN, OK, WARN, FAIL, ERROR, STALE or --.
    word: &'static str,
    value: Option<f64>,
    value_text: String,
    age_seconds: Option<i64>,
    error: Option<String>,
    thresholds: &'a crate::runbook::Thresholds,
    cost: Option<CostJson>,
}

#[derive(Serialize)]
struct CostJson {
    month_to_date: f64,
    currency: String,
    budget: Option<f64>,
    forecast: Option<f64>,
    /// "cost_explorer" or "projection".
    forecast_method: Option<&'static str>,
    top: Vec<(String, f64)>,
    #[serde(with = "time::serde::rfc3339")]
    as_of: OffsetDateTime,
    from_cache: bool,
}

#[derive(Serialize)]
struct CallsJson {
    cost_explorer: u64,
    cloudwatch_metrics: u64,
    usd: f64,
}

pub fn run(args: StatusArgs) -> ExitCode {
    let loaded = match args.load.load(&args.runbook, None) {
        Ok((_, loaded)) => loaded,
        Err(code) => return code,
    };
    let book = loaded.runbook;
    let context = super::poll_context();
    let (samples, calls) = match poller::poll_all_once(book.sources.clone(), context) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start polling: {e}");
            return ExitCode::from(1);
        }
    };
    // Source errors can quote a command's output: secret values are printed as `$NAME`.
    let redactor = crate::secrets::Redactor::from_process_env(&book.meta.secrets);
    let samples: Vec<Sample> = samples
        .into_iter()
        .map(|mut s| {
            s.reading = redactor.reading(s.reading);
            s
        })
        .collect();
    let now = OffsetDateTime::now_utc();
    let statuses: Vec<SourceStatus> = book
        .sources
        .iter()
        .map(|s| status_of(s, samples.iter().find(|x| x.source == s.id), now))
        .collect();
    let sources_ok = statuses.iter().all(|s| s.state == "ok");
    let (run, progress) = status_gates::open_run(&paths::data_dir(), &args.runbook);
    let gates = status_gates::evaluate_all(&book, &samples, &progress, now);
    // Without an open run nothing is finished, so this is the first gate.
    let next = gates.iter().find(|g| !g.finished);
    let blind_sources: Vec<&str> = statuses
        .iter()
        .filter(|s| is_blind(s))
        .map(|s| s.id)
        .collect();
    let (ok, decided_by) = exit_rule(next.map(|g| g.go), !blind_sources.is_empty(), sources_ok);
    let next_gate = next.map(|g| g.id);
    let report = Report {
        runbook: &book.meta.name,
        checked_at: now,
        ok,
        decided_by,
        blind_sources,
        sources_ok,
        sources: statuses,
        gates,
        next_gate,
        run_state: run.as_ref().map(|_| progress.run_state().word()),
        run,
        aws_calls: CallsJson {
            cost_explorer: calls.cost_explorer,
            cloudwatch_metrics: calls.cloudwatch_metrics,
            usd: calls.dollars(),
        },
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print_table(&report, calls);
        let run = report
            .run
            .as_ref()
            .map(|id| format!("{id}, {}", report.run_state.unwrap_or("active")));
        status_gates::print(&report.gates, report.next_gate, run.as_deref());
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_ALL_OK)
    }
}

/// Whether the exit code is 0, and the rule that decided it. A gate that would fail decides
/// first; then a blind source: unknown is never called healthy, even when the next gate has
/// only sign-offs or judges other sources. With no gate left, every source must be OK.
pub fn exit_rule(
    next_gate_go: Option<bool>,
    any_blind: bool,
    sources_ok: bool,
) -> (bool, &'static str) {
    match next_gate_go {
        Some(false) => (false, "next_gate"),
        _ if any_blind => (false, "blind_sources"),
        Some(true) => (true, "next_gate"),
        None => (sources_ok, "sources"),
    }
}

/// A source that cannot be read (error, no sample), whose value is stale, or that is down.
fn is_blind(status: &SourceStatus) -> bool {
    status.state == "unknown" || status.word == "DOWN"
}

fn status_of<'a>(
    source: &'a Source,
    sample: Option<&Sample>,
    now: OffsetDateTime,
) -> SourceStatus<'a> {
    let current = sample.filter(|s| !matches!(s.reading, Reading::Error(_)));
    let state = match level(source, current, now) {
        Level::Ok => "ok",
        Level::Warn => "warn",
        Level::Fail => "fail",
        Level::Unknown => "unknown",
    };
    let reading = sample.map(|s| &s.reading);
    let number = reading.and_then(Reading::value);
    let unit = match reading {
        Some(Reading::Up { .. }) => Some("ms"),
        _ => source.unit.text(),
    };
    let error = match reading {
        Some(Reading::Down { reason }) | Some(Reading::Error(reason)) => Some(reason.clone()),
        None => Some("no sample".into()),
        _ => None,
    };
    let cost = sample.and_then(|s| s.detail.as_deref()).map(|d| match d {
        Detail::Cost(r) => CostJson {
            month_to_date: r.month_to_date,
            currency: r.currency.clone(),
            budget: r.budget,
            forecast: r.forecast.map(|f| f.month_end),
            forecast_method: r.forecast.map(|f| match f.method {
                ForecastMethod::CostExplorer => "cost_explorer",
                ForecastMethod::Projection => "projection",
            }),
            top: r.top.clone(),
            as_of: r.as_of,
            from_cache: r.from_cache,
        },
    });
    SourceStatus {
        id: &source.id,
        label: &source.label,
        kind: source.spec.kind_name(),
        panel: source.panel,
        unit: source.unit.text(),
        state,
        word: word(source, current, sample, now),
        value: number,
        value_text: number.map_or("—".into(), |v| value(v, unit)),
        // A cost answer from the cache is as old as the answer, not as the poll.
        age_seconds: sample.map(|s| (now - measured_at(s)).whole_seconds().max(0)),
        error,
        thresholds: &source.thresholds,
        cost,
    }
}

fn print_table(report: &Report, calls: Calls) {
    let id_width = report
        .sources
        .iter()
        .map(|s| s.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:<id_width$}  {:<8} {:>10}  {:<6} {:>5}  DETAIL",
        "SOURCE", "PANEL", "VALUE", "STATE", "AGE"
    );
    for s in &report.sources {
        let panel = s.panel.name();
        let detail = match (&s.error, &s.cost) {
            (Some(e), _) => e.clone(),
            (None, Some(c)) => format!(
                "as of {}{}",
                c.as_of.time().to_string().get(..5).unwrap_or_default(),
                if c.from_cache { " (cached)" } else { "" }
            ),
            _ => String::new(),
        };
        // Ids, units and errors come from the runbook or a source: shown, never obeyed.
        println!(
            "{:<id_width$}  {:<8} {:>10}  {:<6} {:>5}  {}",
            visible(s.id),
            panel,
            visible(&s.value_text),
            s.word,
            s.age_seconds.map_or("-".into(), age),
            visible(&detail)
        );
    }
    println!(
        "AWS calls: {} Cost Explorer, {} CloudWatch metrics = ${:.2}",
        calls.cost_explorer,
        calls.cloudwatch_metrics,
        calls.dollars()
    );
    println!(
        "{}",
        if report.sources_ok {
            "all sources OK"
        } else {
            "NOT all sources OK"
        }
    );
}

#[cfg(test)]
mod tests {
    use super::exit_rule;

    #[test]
    fn unknown_is_never_healthy() {
        // (next gate, any blind source, every source OK) -> (exit 0, rule)
        let table = [
            ((Some(true), false, true), (true, "next_gate")),
            ((Some(true), false, false), (true, "next_gate")),
            ((Some(true), true, false), (false, "blind_sources")),
            ((Some(false), true, false), (false, "next_gate")),
            ((Some(false), false, true), (false, "next_gate")),
            ((None, true, false), (false, "blind_sources")),
            ((None, false, false), (false, "sources")),
            ((None, false, true), (true, "sources")),
        ];
        for ((go, blind, ok), want) in table {
            assert_eq!(exit_rule(go, blind, ok), want, "{go:?} {blind} {ok}");
        }
    }
}
