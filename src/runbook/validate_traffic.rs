//! `[traffic]` → the model: the actuator (a command, an HTTP request, or a native AWS one), the
//! plan, the breach policy, and the read-back that becomes the `traffic.green` source.

use std::time::Duration;

use toml::Spanned;

use super::check::Checker;
use super::model::*;
use super::raw::*;

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

/// A native actuator's keys, each required one reported when missing.
fn native_actuator(
    ck: &mut Checker,
    t: &RawTraffic,
    kind: &str,
    meta: Option<&RawMeta>,
) -> Option<AwsActuator> {
    let span = t.kind.as_ref().map(Spanned::span).unwrap_or(0..0);
    let need = |ck: &mut Checker, key: &str, value: &Option<Spanned<String>>, example: &str| {
        required(ck, kind, &span, key, value, example)
    };
    let mechanism = match kind {
        "route53" => {
            let zone_id = need(ck, "zone_id", &t.zone_id, "Z0123456789ABCDEFGHIJ");
            let record_name = need(ck, "record_name", &t.record_name, "api.example.com");
            let record_type = need(ck, "record_type", &t.record_type, "A");
            let blue_set = need(ck, "blue_set", &t.blue_set, "blue");
            let green_set = need(ck, "green_set", &t.green_set, "green");
            Mechanism::Route53 {
                zone_id: zone_id?,
                record_name: record_name?,
                record_type: record_type?.to_ascii_uppercase(),
                blue_set: blue_set?,
                green_set: green_set?,
            }
        }
        "alb" => {
            let listener = match (&t.listener_arn, &t.rule_arn) {
                (Some(_), Some(r)) => {
                    ck.error(r.span(), "[traffic] has both `listener_arn` and `rule_arn`", "name the listener (its default action is shifted) or one of its rules, not both");
                    None
                }
                (Some(_), None) => {
                    need(ck, "listener_arn", &t.listener_arn, "").map(AlbListener::Listener)
                }
                (None, Some(_)) => need(ck, "rule_arn", &t.rule_arn, "").map(AlbListener::Rule),
                (None, None) => {
                    ck.error(
                        span.clone(),
                        "an alb actuator needs `listener_arn` or `rule_arn`",
                        "add listener_arn = \"arn:aws:elasticloadbalancing:...:listener/app/...\"",
                    );
                    None
                }
            };
            let blue = need(
                ck,
                "blue_target_group",
                &t.blue_target_group,
                "arn:aws:elasticloadbalancing:...:targetgroup/blue/...",
            );
            let green = need(
                ck,
                "green_target_group",
                &t.green_target_group,
                "arn:aws:elasticloadbalancing:...:targetgroup/green/...",
            );
            Mechanism::Alb {
                listener: listener?,
                blue_target_group: blue?,
                green_target_group: green?,
            }
        }
        _ => {
            let rest_api_id = need(ck, "rest_api_id", &t.rest_api_id, "a1b2c3d4e5");
            let stage = need(ck, "stage", &t.stage, "prod");
            let promote = t.promote.as_ref().is_some_and(|p| *p.get_ref());
            let blue_deployment = if promote {
                need(
                    ck,
                    "blue_deployment",
                    &t.blue_deployment,
                    "the stage's deployment id before the shift",
                )
            } else {
                if let Some(d) = &t.blue_deployment {
                    ck.error(
                        d.span(),
                        "`blue_deployment` without `promote = true`",
                        "it is the deployment a promotion replaces: add promote = true, or drop it",
                    );
                }
                None
            };
            if promote && blue_deployment.is_none() {
                return None;
            }
            Mechanism::ApiGateway {
                rest_api_id: rest_api_id?,
                stage: stage?,
                blue_deployment,
            }
        }
    };
    Some(AwsActuator {
        mechanism,
        region: t.region.clone().or_else(|| meta?.region.clone()),
        profile: t.profile.clone().or_else(|| meta?.profile.clone()),
    })
}

/// A required key of a native actuator, trimmed; missing or empty is reported at it (or at
/// `kind` when it is missing).
fn required(
    ck: &mut Checker,
    kind: &str,
    at: &std::ops::Range<usize>,
    key: &str,
    value: &Option<Spanned<String>>,
    example: &str,
) -> Option<String> {
    match value.as_ref().map(Spanned::get_ref) {
        Some(v) if !v.trim().is_empty() => Some(v.trim().to_string()),
        _ => {
            ck.error(
                value.as_ref().map(Spanned::span).unwrap_or(at.clone()),
                format!("a {kind} actuator needs `{key}`"),
                format!("add {key} = \"{example}\" to [traffic]"),
            );
            None
        }
    }
}

/// A native actuator is its own request and read-back: `set`, `http` and `get` have no place.
fn template_keys_absent(ck: &mut Checker, t: &RawTraffic, kind: &str) {
    let at = t.kind.as_ref().map(Spanned::span).unwrap_or(0..0);
    for (key, present) in [
        ("set", t.set.is_some()),
        ("http", t.http.is_some()),
        ("get", t.get.is_some()),
    ] {
        if present {
            ck.error(
                at.clone(),
                format!("a {kind} actuator has no `{key}`"),
                format!("the {kind} actuator calls the AWS API and reads back what is in force itself: drop `{key}`, or drop `kind` to keep the template"),
            );
        }
    }
}

/// The keys of the native actuators on a command or HTTP one are a mistake, not a comment.
fn native_keys_absent(ck: &mut Checker, t: &RawTraffic, kind: &str) {
    let keys: [(&str, Option<std::ops::Range<usize>>); 13] = [
        ("zone_id", t.zone_id.as_ref().map(Spanned::span)),
        ("record_name", t.record_name.as_ref().map(Spanned::span)),
        ("record_type", t.record_type.as_ref().map(Spanned::span)),
        ("blue_set", t.blue_set.as_ref().map(Spanned::span)),
        ("green_set", t.green_set.as_ref().map(Spanned::span)),
        ("listener_arn", t.listener_arn.as_ref().map(Spanned::span)),
        ("rule_arn", t.rule_arn.as_ref().map(Spanned::span)),
        (
            "blue_target_group",
            t.blue_target_group.as_ref().map(Spanned::span),
        ),
        (
            "green_target_group",
            t.green_target_group.as_ref().map(Spanned::span),
        ),
        ("rest_api_id", t.rest_api_id.as_ref().map(Spanned::span)),
        ("stage", t.stage.as_ref().map(Spanned::span)),
        ("promote", t.promote.as_ref().map(Spanned::span)),
        (
            "blue_deployment",
            t.blue_deployment.as_ref().map(Spanned::span),
        ),
    ];
    for (key, span) in keys {
        if let Some(span) = span {
            ck.error(
                span,
                format!("`{key}` belongs to a native actuator, and this one is a {kind} template"),
                "add kind = \"route53\", \"alb\" or \"apigateway\" to [traffic], or drop the key",
            );
        }
    }
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
