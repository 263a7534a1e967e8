//! Raw file → validated model. Collects every diagnostic instead of stopping at the first.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use toml::Spanned;

use super::check::Checker;
use super::diagnostic::Diagnostic;
use super::model::*;
use super::raw::*;
use super::validate_traffic::{read_back_source, shift, traffic};

pub fn validate(
    raw: RawRunbook,
    text: &str,
    hash: String,
) -> Result<(Runbook, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut ck = Checker::default();
    let meta = raw.runbook.as_ref().map(|m| meta(&mut ck, m));
    if raw.runbook.is_none() {
        ck.error(
            0..0,
            "the runbook has no [runbook] table",
            "start the file with [runbook] and name = \"...\"",
        );
    }

    let mut seen = HashMap::new();
    for s in &raw.sources {
        ck.id(&s.id, "source", &mut seen, text);
        let is_http = s.kind.get_ref() == "http";
        let unit = super::validate_source::unit_of(s);
        ck.sources.insert(s.id.get_ref().clone(), (unit, is_http));
    }
    if raw
        .traffic
        .as_ref()
        .is_some_and(|t| super::validate_traffic::reads_back(t.get_ref()))
    {
        ck.sources.insert(
            READ_BACK_SOURCE.into(),
            (super::unit::SourceUnit::Percent, false),
        );
    }
    let raw_meta = raw.runbook.as_ref().map(Spanned::get_ref);
    let mut sources: Vec<Source> = raw
        .sources
        .iter()
        .filter_map(|s| ck.source(s, raw_meta))
        .collect();

    let traffic = raw
        .traffic
        .as_ref()
        .and_then(|t| traffic(&mut ck, t, raw_meta));
    sources.extend(traffic.as_ref().and_then(read_back_source));
    let plan_weights: Option<Vec<u8>> = raw.traffic.as_ref().map(|t| {
        t.get_ref()
            .plan
            .get_ref()
            .iter()
            .filter_map(|p| {
                u8::try_from(*p.get_ref().green.get_ref())
                    .ok()
                    .filter(|g| *g <= 100)
            })
            .collect()
    });

    if raw.phases.is_empty() {
        ck.error(
            0..0,
            "the runbook has no phases",
            "add at least one [[phase]] with id, title and one [[phase.step]]",
        );
    }
    let mut phase_ids = HashMap::new();
    let steps = raw.phases.iter().map(|p| p.get_ref().steps.len()).sum();
    let mut step_ids = HashMap::with_capacity(steps);
    let mut phases = Vec::new();
    for p in &raw.phases {
        ck.id(&p.get_ref().id, "phase", &mut phase_ids, text);
        phases.push(phase(
            &mut ck,
            p,
            &mut step_ids,
            plan_weights.as_deref(),
            text,
        ));
    }

    let rollback = match &raw.rollback {
        Some(r) => rollback(&mut ck, r, plan_weights.as_deref()),
        None => {
            ck.error(0..0, "the runbook has no [rollback] plan", "add a [rollback] table with steps = [ { title = \"...\", run = \"...\" } ]: the emergency plan must exist before the day");
            None
        }
    };

    let notify = super::validate_notify::notify(&mut ck, &raw.notify, text);
    super::vars::check(&mut ck, &raw, text);
    ck.diags.sort_by_key(|d| d.span.start);
    let has_errors = ck
        .diags
        .iter()
        .any(|d| d.severity == super::diagnostic::Severity::Error);
    match (meta.flatten(), rollback, has_errors) {
        (Some(meta), Some(rollback), false) => {
            let vars: BTreeMap<String, String> = raw
                .vars
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect();
            // Sources are polled as written, so their templates are filled in once, here.
            let sources = sources
                .into_iter()
                .map(|mut s| {
                    s.spec.expand(&vars);
                    s
                })
                .collect();
            Ok((
                Runbook {
                    meta,
                    vars,
                    sources,
                    traffic,
                    phases,
                    rollback,
                    notify,
                    hash,
                },
                ck.diags,
            ))
        }
        _ => Err(ck.diags),
    }
}

/// A planned start outside these years is a typo; inside them, start + any bounded duration
/// stays far from the limits of the clock arithmetic.
const START_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn meta(ck: &mut Checker, m: &Spanned<RawMeta>) -> Option<Meta> {
    let m = m.get_ref();
    let start = match &m.start {
        None => None,
        Some(v) => {
            let text = match v.get_ref() {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match OffsetDateTime::parse(&text, &Rfc3339) {
                Ok(t) if !START_YEARS.contains(&t.year()) => {
                    ck.error(
                        v.span(),
                        format!("start `{text}` is not between the years {} and {}", START_YEARS.start(), START_YEARS.end()),
                        "give the planned T-0 of this migration, like 2026-12-05T22:00:00Z, or leave `start` out",
                    );
                    return None;
                }
                Ok(t) => Some(t),
                Err(_) => {
                    ck.error(
                        v.span(),
                        format!("start `{text}` is not a date and time with an offset"),
                        "write it like 2026-12-05T22:00:00Z (UTC) or 2026-12-05T23:00:00+01:00",
                    );
                    return None;
                }
            }
        }
    };
    let secrets = secret_names(ck, &m.secrets);
    Some(Meta {
        secrets,
        name: m.name.get_ref().clone(),
        description: m.description.clone(),
        start,
        owner: m.owner.clone(),
        region: m.region.clone(),
        profile: m.profile.clone(),
    })
}

/// `[runbook] secrets`: environment variable names, each once.
fn secret_names(ck: &mut Checker, names: &[Spanned<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let text = name.get_ref();
        let valid = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            ck.error(
                name.span(),
                format!("secret `{text}` is not an environment variable name"),
                "name the variable, without `$`: letters, digits and `_`, not starting with a digit, like DB_PASSWORD",
            );
        } else if out.contains(text) {
            ck.error(
                name.span(),
                format!("secret `{text}` is listed twice"),
                "list each variable once",
            );
        } else {
            out.push(text.clone());
        }
    }
    out
}

fn phase<'r>(
    ck: &mut Checker,
    p: &'r Spanned<RawPhase>,
    step_ids: &mut HashMap<&'r str, std::ops::Range<usize>>,
    plan: Option<&[u8]>,
    text: &str,
) -> Phase {
    let raw = p.get_ref();
    if raw.steps.is_empty() {
        ck.error(
            raw.id.span(),
            format!("phase `{}` has no steps", raw.id.get_ref()),
            "add at least one [[phase.step]] after this [[phase]], or remove the phase",
        );
    }
    let steps = raw
        .steps
        .iter()
        .filter_map(|s| {
            ck.id(&s.get_ref().id, "step", step_ids, text);
            step(ck, s, plan)
        })
        .collect();
    let rollback = raw
        .rollback
        .iter()
        .filter_map(|r| rollback_step(ck, r, plan))
        .collect();
    Phase {
        id: raw.id.get_ref().clone(),
        title: raw.title.clone(),
        description: raw.description.clone(),
        steps,
        rollback,
    }
}

fn step(ck: &mut Checker, s: &Spanned<RawStep>, plan: Option<&[u8]>) -> Option<Step> {
    let r = s.get_ref();
    let present: Vec<&str> = [
        ("run", r.run.is_some()),
        ("gate", r.gate.is_some()),
        ("traffic", r.traffic.is_some()),
        ("wait", r.wait.is_some()),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| k)
    .collect();
    if present.len() > 1 {
        ck.error(
            r.id.span(),
            format!(
                "step `{}` has both `{}` and `{}`",
                r.id.get_ref(),
                present[0],
                present[1]
            ),
            "a step does one thing: split it into two steps",
        );
        return None;
    }
    let inferred = match present.first() {
        Some(&"run") => "command",
        Some(&"gate") => "gate",
        Some(&"traffic") => "traffic",
        Some(&"wait") => "wait",
        _ => "manual",
    };
    if let Some(k) = &r.kind {
        let declared = ck.choice(
            k,
            "step kind",
            &["manual", "command", "gate", "traffic", "wait"],
        )?;
        if declared != inferred {
            let key = match declared {
                "command" => "`run = \"...\"`",
                "gate" => "`gate = [...]`",
                "traffic" => "`traffic = { green = N }`",
                "wait" => "`wait = \"5m\"`",
                _ => "none of run, gate, traffic, wait",
            };
            ck.error(
                k.span(),
                format!(
                    "step `{}` says kind = \"{declared}\" but its keys make it a {inferred} step",
                    r.id.get_ref()
                ),
                format!("a {declared} step has {key}; fix the keys or drop `kind`"),
            );
            return None;
        }
    }
    let gate_only = |ck: &mut Checker, key: &str, present: bool| {
        if present && inferred != "gate" {
            ck.error(
                r.id.span(),
                format!("step `{}` has `{key}` but is not a gate", r.id.get_ref()),
                "`signoff`, `gate_timeout` and `on_timeout` belong to steps with `gate = [...]`",
            );
        }
    };
    gate_only(ck, "signoff", !r.signoff.is_empty());
    gate_only(ck, "gate_timeout", r.gate_timeout.is_some());
    gate_only(ck, "on_timeout", r.on_timeout.is_some());
    if r.timeout.is_some() && inferred != "command" {
        ck.error(
            r.id.span(),
            format!(
                "step `{}` has `timeout` but runs no command",
                r.id.get_ref()
            ),
            "`timeout` limits a `run` command; use `gate_timeout` for a gate",
        );
    }
    let kind = match inferred {
        "command" => StepKind::Command {
            run: r.run.as_ref()?.get_ref().clone(),
            timeout: ck.opt_duration(&r.timeout, "timeout", Duration::from_secs(600)),
        },
        "gate" => {
            let on_timeout = match &r.on_timeout {
                Some(p) => match ck.choice(p, "timeout policy", &["hold", "no-go"])? {
                    "no-go" => TimeoutPolicy::NoGo,
                    _ => TimeoutPolicy::Hold,
                },
                None => TimeoutPolicy::Hold,
            };
            StepKind::Gate {
                criteria: ck.criteria(r.gate.as_ref()?.get_ref()),
                signoffs: r.signoff.clone(),
                timeout: r
                    .gate_timeout
                    .as_ref()
                    .and_then(|t| ck.duration(t, "gate_timeout")),
                on_timeout,
            }
        }
        "traffic" => StepKind::Traffic {
            green: shift(ck, r.traffic.as_ref()?, plan)?,
        },
        "wait" => StepKind::Wait {
            duration: ck.duration(r.wait.as_ref()?, "wait")?,
        },
        _ => StepKind::Manual,
    };
    let planned = r.planned.as_ref().and_then(|p| ck.duration(p, "planned"));
    let at = r.at.as_ref().and_then(|a| ck.time_mark(a));
    Some(Step {
        id: r.id.get_ref().clone(),
        title: r.title.clone(),
        kind,
        description: r.description.clone(),
        owner: r.owner.clone(),
        planned,
        at,
        expect: r.expect.clone(),
    })
}

fn rollback_step(
    ck: &mut Checker,
    s: &Spanned<RawRollbackStep>,
    plan: Option<&[u8]>,
) -> Option<RollbackStep> {
    let r = s.get_ref();
    let action = match (&r.run, &r.traffic) {
        (Some(run), None) => RollbackAction::Run {
            command: run.get_ref().clone(),
            timeout: ck.opt_duration(&r.timeout, "timeout", Duration::from_secs(300)),
        },
        (None, Some(t)) => RollbackAction::Traffic {
            green: shift(ck, t, plan)?,
        },
        (None, None) => RollbackAction::Manual,
        (Some(run), Some(_)) => {
            ck.error(
                run.span(),
                format!("rollback step `{}` has both `run` and `traffic`", r.title),
                "split it into two rollback steps",
            );
            return None;
        }
    };
    Some(RollbackStep {
        title: r.title.clone(),
        description: r.description.clone(),
        action,
        ask: r.ask.as_ref().and_then(|a| ask(ck, a)),
    })
}

/// `ask = true` or `ask = "only if database issues"`: the condition the operator answers.
fn ask(ck: &mut Checker, value: &Spanned<toml::Value>) -> Option<String> {
    match value.get_ref() {
        toml::Value::Boolean(true) => Some(crate::runbook::ASK_DEFAULT.into()),
        toml::Value::Boolean(false) => None,
        toml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => {
            ck.error(
                value.span(),
                "`ask` must be true or the condition to ask about",
                "write ask = true, or ask = \"only if database issues\"",
            );
            None
        }
    }
}

fn rollback(ck: &mut Checker, r: &Spanned<RawRollback>, plan: Option<&[u8]>) -> Option<Rollback> {
    let raw = r.get_ref();
    if raw.steps.is_empty() {
        ck.error(
            r.span().start..r.span().start + 10,
            "the [rollback] plan has no steps",
            "list the emergency steps in order: steps = [ { title = \"...\", run = \"...\" } ]",
        );
        return None;
    }
    let confirm = raw
        .confirm
        .as_ref()
        .map_or("ROLLBACK".to_string(), |c| c.get_ref().clone());
    if confirm.trim().is_empty() || confirm.contains(char::is_whitespace) {
        ck.error(
            raw.confirm.as_ref()?.span(),
            "the rollback confirmation word must be one word",
            "use a single word such as ROLLBACK",
        );
    }
    let steps = raw
        .steps
        .iter()
        .filter_map(|s| rollback_step(ck, s, plan))
        .collect();
    Some(Rollback { confirm, steps })
}
