//! `[traffic]` → the model: the actuator (a command, an HTTP request, or a native AWS one), the
//! plan, the breach policy, and the read-back that becomes the `traffic.green` source.

use std::time::Duration;

use toml::Spanned;

use super::check::Checker;
use super::model::*;
use super::raw::*;
use super::validate_native::{native_actuator, native_keys_absent, template_keys_absent};

/// The kinds `[traffic] kind` may name.
const KINDS: &[&str] = &["command", "http", "route53", "alb", "apigateway"];

/// Whether the traffic table has a read-back (a `get`, or a native actuator's own).
pub fn reads_back(t: &RawTraffic) -> bool {
    t.get.is_some()
        || t.kind
            .as_ref()
            .is_some_and(|k| matches!(k.get_ref().as_str(), "route53" | "alb" | "apigateway"))
}

/// The read-back as a source: polled on its own interval, shown, and usable in criteria.
pub fn read_back_source(t: &Traffic) -> Option<Source> {
    let spec = match (&t.set, &t.get) {
        (Actuator::Aws(aws), _) => SourceSpec::AwsReadBack(aws.clone()),
        (_, Some(get)) => SourceSpec::ReadBack { get: get.clone() },
        (_, None) => return None,
    };
    Some(Source {
        id: READ_BACK_SOURCE.into(),
        label: "green weight in force (read-back)".into(),
        unit: super::unit::SourceUnit::Percent,
        interval: t.get_interval,
        timeout: t.timeout,
        thresholds: Thresholds {
            warn: None,
            fail: None,
            direction: Direction::Above,
        },
        panel: Panel::Metrics,
        spec,
    })
}

pub fn traffic(
    ck: &mut Checker,
    t: &Spanned<RawTraffic>,
    meta: Option<&RawMeta>,
) -> Option<Traffic> {
    let span = t.span();
    let t = t.get_ref();
    let kind = match &t.kind {
        Some(k) => Some(ck.choice(k, "traffic kind", KINDS)?),
        None => None,
    };
    let set = match kind {
        Some(native @ ("route53" | "alb" | "apigateway")) => {
            template_keys_absent(ck, t, native);
            native_actuator(ck, t, native, meta).map(Actuator::Aws)
        }
        _ => {
            native_keys_absent(ck, t, kind.unwrap_or("command"));
            template_actuator(ck, t, span.start, kind)
        }
    };
    if t.plan.get_ref().is_empty() {
        ck.error(t.plan.span(), "the traffic plan is empty", "list the shifts in order, e.g. plan = [ { green = 10, bake = \"30m\" }, { green = 100 } ]");
    }
    let plan: Vec<PlanStep> = t
        .plan
        .get_ref()
        .iter()
        .filter_map(|p| {
            let p = p.get_ref();
            let bake = p.bake.as_ref().and_then(|b| ck.duration(b, "bake"));
            Some(PlanStep {
                green: ck.weight(&p.green)?,
                bake,
            })
        })
        .collect();
    let unnamed_promotion =
        kind == Some("apigateway") && t.promote.as_ref().is_none_or(|p| !p.get_ref());
    if unnamed_promotion
        && let Some(full) = t
            .plan
            .get_ref()
            .iter()
            .find(|p| *p.get_ref().green.get_ref() == 100)
    {
        ck.error(
            full.get_ref().green.span(),
            "green 100% on API Gateway is a promotion, and the runbook does not name it",
            "add `promote = true` and `blue_deployment = \"<the stage's deployment id now>\"` to [traffic], or end the plan below 100",
        );
    }
    let abort_when = ck.criteria(&t.abort_when);
    let on_breach = match &t.on_breach {
        Some(p) => match ck.choice(p, "breach policy", &["prompt", "rollback", "freeze"])? {
            "rollback" => BreachPolicy::Rollback,
            "freeze" => BreachPolicy::Freeze,
            _ => BreachPolicy::Prompt,
        },
        None => BreachPolicy::Prompt,
    };
    let timeout = ck.opt_duration(&t.timeout, "timeout", Duration::from_secs(30));
    Some(Traffic {
        blue: t.blue.clone().unwrap_or_else(|| "blue".into()),
        green: t.green.clone().unwrap_or_else(|| "green".into()),
        set: set?,
        get: t.get.clone(),
        get_interval: ck.interval(&t.get_interval, "get_interval", Duration::from_secs(10)),
        timeout,
        plan,
        abort_when,
        on_breach,
        confirm: t.confirm.clone().unwrap_or_else(|| "SHIFT".into()),
    })
}

/// `set` (a command) or `http` (a request), exactly one; `kind`, if written, must agree.
fn template_actuator(
    ck: &mut Checker,
    t: &RawTraffic,
    at: usize,
    kind: Option<&str>,
) -> Option<Actuator> {
    let set = match (&t.set, &t.http) {
        (Some(cmd), None) => Actuator::Command(cmd.get_ref().clone()),
        (None, Some(h)) => {
            let h = h.get_ref();
            Actuator::Http {
                method: h.method.clone().unwrap_or_else(|| "POST".into()),
                url: h.url.clone(),
                body: h.body.clone(),
                headers: h.headers.clone(),
            }
        }
        (Some(a), Some(_)) => {
            ck.error(
                a.span(),
                "[traffic] has both `set` and `http`",
                "keep one actuator: a command template (`set`) or an HTTP request (`http`)",
            );
            return None;
        }
        (None, None) => {
            ck.error(at..at + 9, "[traffic] has no actuator", "add `set = \"command with {green} and {blue}\"`, `http = { url = \"...\", body = \"...\" }`, or a native `kind` (route53, alb, apigateway)");
            return None;
        }
    };
    if let (Some(k), Some(written)) = (kind, &t.kind)
        && k != set.kind_name()
    {
        ck.error(
            written.span(),
            format!(
                "[traffic] says kind = \"{k}\" but has `{}`",
                if t.set.is_some() { "set" } else { "http" }
            ),
            "a command actuator has `set`, an HTTP one `http`: fix the key or drop `kind`",
        );
        return None;
    }
    Some(set)
}

/// A shift's weight must exist in the plan (or be 0, all blue), and a plan must exist at all.
pub fn shift(ck: &mut Checker, s: &Spanned<RawShift>, plan: Option<&[u8]>) -> Option<u8> {
    let Some(plan) = plan else {
        ck.error(
            s.span(),
            "a traffic shift needs a [traffic] table",
            "add [traffic] with an actuator (`set` or `http`) and a `plan`",
        );
        return None;
    };
    let green = ck.weight(&s.get_ref().green)?;
    if green != 0 && !plan.contains(&green) {
        let listed = plan
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        ck.error(
            s.get_ref().green.span(),
            format!("shift to green {green}% is not in the traffic plan ({listed})"),
            "use a weight from [traffic] plan, or add this one to the plan",
        );
        return None;
    }
    Some(green)
}
