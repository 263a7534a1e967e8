//! The native actuators of `[traffic]` (`kind = "route53"`, `"alb"`, `"apigateway"`): their
//! keys, each required one reported when missing, and the template keys they exclude.

use toml::Spanned;

use super::check::Checker;
use super::model::*;
use super::raw::*;

/// A native actuator's keys, each required one reported when missing.
pub fn native_actuator(
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
pub fn template_keys_absent(ck: &mut Checker, t: &RawTraffic, kind: &str) {
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
pub fn native_keys_absent(ck: &mut Checker, t: &RawTraffic, kind: &str) {
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
