//! Validation of `[[source]]` tables: the keys each kind needs, and only those.

use std::time::Duration;

use toml::Spanned;

use super::check::Checker;
use super::model::*;
use super::raw::{RawMeta, RawSource};
use super::unit::{SourceUnit, TimeUnit};

const KINDS: &[&str] = &[
    "http",
    "http_json",
    "prometheus",
    "cloudwatch",
    "cost_explorer",
    "command",
];
const PANELS: &[&str] = &["health", "sync", "metrics", "cost"];
const STATS: &[&str] = &["Sum", "Average", "Minimum", "Maximum", "SampleCount"];
/// Cost Explorer bills per request; polling faster than this only burns money.
pub const COST_EXPLORER_MIN_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Kind-specific keys: (key, kinds that accept it).
const KIND_KEYS: &[(&str, &[&str])] = &[
    ("url", &["http", "http_json", "prometheus"]),
    ("method", &["http", "http_json"]),
    ("headers", &["http", "http_json"]),
    ("expect_status", &["http"]),
    ("body_pointer", &["http"]),
    ("body_equals", &["http"]),
    ("body_regex", &["http"]),
    ("pointer", &["http_json", "command"]),
    ("query", &["prometheus"]),
    ("namespace", &["cloudwatch"]),
    ("metric", &["cloudwatch", "cost_explorer"]),
    ("dimensions", &["cloudwatch"]),
    ("stat", &["cloudwatch"]),
    ("period", &["cloudwatch"]),
    ("expression", &["cloudwatch"]),
    ("region", &["cloudwatch", "cost_explorer"]),
    ("profile", &["cloudwatch", "cost_explorer"]),
    ("group_by", &["cost_explorer"]),
    ("filter", &["cost_explorer"]),
    ("budget", &["cost_explorer"]),
    ("command", &["command"]),
];

fn present_keys(s: &RawSource) -> Vec<&'static str> {
    let flags = [
        ("url", s.url.is_some()),
        ("method", s.method.is_some()),
        ("headers", !s.headers.is_empty()),
        ("expect_status", s.expect_status.is_some()),
        ("body_pointer", s.body_pointer.is_some()),
        ("body_equals", s.body_equals.is_some()),
        ("body_regex", s.body_regex.is_some()),
        ("pointer", s.pointer.is_some()),
        ("query", s.query.is_some()),
        ("namespace", s.namespace.is_some()),
        ("metric", s.metric.is_some()),
        ("dimensions", !s.dimensions.is_empty()),
        ("stat", s.stat.is_some()),
        ("period", s.period.is_some()),
        ("expression", s.expression.is_some()),
        ("region", s.region.is_some()),
        ("profile", s.profile.is_some()),
        ("group_by", s.group_by.is_some()),
        ("filter", s.filter.is_some()),
        ("budget", s.budget.is_some()),
        ("command", s.command.is_some()),
    ];
    flags
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| k)
        .collect()
}

impl Checker {
    pub fn source(&mut self, s: &RawSource, meta: Option<&RawMeta>) -> Option<Source> {
        let kind = self.choice(&s.kind, "source kind", KINDS)?;
        for key in present_keys(s) {
            let kinds = KIND_KEYS
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(&[][..], |(_, ks)| *ks);
            if !kinds.contains(&kind) {
                self.error(
                    s.kind.span(),
                    format!(
                        "source `{}` of kind `{kind}` has key `{key}`, which belongs to {}",
                        s.id.get_ref(),
                        kinds.join(" / ")
                    ),
                    format!("remove `{key}`, or change `kind` to the kind it belongs to"),
                );
            }
        }
        let default_interval = match kind {
            "cloudwatch" => Duration::from_secs(60),
            "cost_explorer" => Duration::from_secs(3600),
            _ => Duration::from_secs(10),
        };
        let interval = self.interval(&s.interval, "interval", default_interval);
        if kind == "cost_explorer" {
            self.cost_interval(s, interval);
        }
        let default_timeout = Duration::from_secs(if kind == "cost_explorer" { 30 } else { 5 });
        let timeout = self.opt_duration(&s.timeout, "timeout", default_timeout);
        let thresholds = self.thresholds(s);
        let panel = match &s.panel {
            Some(p) => match self.choice(p, "panel", PANELS)? {
                "health" => Panel::Health,
                "sync" => Panel::Sync,
                "cost" => Panel::Cost,
                _ => Panel::Metrics,
            },
            None => match kind {
                "http" => Panel::Health,
                "cost_explorer" => Panel::Cost,
                _ => Panel::Metrics,
            },
        };
        if kind == "http" {
            self.http_unit(s);
        }
        let unit = unit_of(s);
        let spec = self.source_spec(kind, s, meta)?;
        Some(Source {
            id: s.id.get_ref().clone(),
            label: s.label.clone().unwrap_or_else(|| s.id.get_ref().clone()),
            unit,
            interval,
            timeout,
            thresholds: thresholds?,
            panel,
            spec,
        })
    }

    /// An http source measures its latency in milliseconds, whatever `unit` says: a `unit` other
    /// than `ms` would make `api < 1s` compare 5 ms as 5 s, so it is refused.
    fn http_unit(&mut self, s: &RawSource) {
        let Some(unit) = &s.unit else { return };
        if SourceUnit::parse(unit.get_ref()) == SourceUnit::Time(TimeUnit::Millis) {
            return;
        }
        self.error(
            unit.span(),
            format!(
                "source `{}` is http: its value is the latency in ms, so `unit = \"{}\"` would misread it",
                s.id.get_ref(),
                unit.get_ref()
            ),
            "remove `unit` (http latency is always in ms); write `warn`/`fail` in ms, and criteria in any time unit, like `api < 1s`",
        );
    }

    fn cost_interval(&mut self, s: &RawSource, interval: Duration) {
        let span = s.interval.as_ref().map_or(s.kind.span(), Spanned::span);
        if interval < COST_EXPLORER_MIN_INTERVAL {
            self.error(span, "a cost_explorer interval below 15m is not allowed: every request costs $0.01", "set interval = \"1h\" (the default); Cost Explorer data refreshes only a few times a day");
        } else if interval < Duration::from_secs(3600) {
            self.diags.push(super::diagnostic::Diagnostic::warning(span, "cost_explorer polled more often than hourly", "Cost Explorer refreshes a few times a day and bills $0.01 a request; consider interval = \"1h\""));
        }
    }

    fn thresholds(&mut self, s: &RawSource) -> Option<Thresholds> {
        let direction = match &s.direction {
            Some(d) => match self.choice(d, "direction", &["above", "below"])? {
                "below" => Direction::Below,
                _ => Direction::Above,
            },
            None => Direction::Above,
        };
        let (warn, fail) = (
            s.warn.as_ref().map(|w| *w.get_ref()),
            s.fail.as_ref().map(|f| *f.get_ref()),
        );
        if let (Some(w), Some(f), Some(fail_span)) = (warn, fail, s.fail.as_ref()) {
            let ordered = match direction {
                Direction::Above => w <= f,
                Direction::Below => w >= f,
            };
            if !ordered {
                let fix = match direction {
                    Direction::Above => {
                        "with direction = \"above\" (the default) larger is worse, so warn must be <= fail; or set direction = \"below\""
                    }
                    Direction::Below => {
                        "with direction = \"below\" smaller is worse, so warn must be >= fail"
                    }
                };
                self.error(
                    fail_span.span(),
                    format!("fail = {f} comes before warn = {w}"),
                    fix,
                );
                return None;
            }
        }
        Some(Thresholds {
            warn,
            fail,
            direction,
        })
    }

    fn require<'a>(
        &mut self,
        s: &'a RawSource,
        value: &'a Option<Spanned<String>>,
        key: &str,
        kind: &str,
    ) -> Option<String> {
        match value {
            Some(v) => Some(v.get_ref().clone()),
            None => {
                self.error(
                    s.kind.span(),
                    format!("source `{}` of kind `{kind}` needs `{key}`", s.id.get_ref()),
                    format!(
                        "add `{key} = \"...\"` to this [[source]] (see docs/runbook-format.md)"
                    ),
                );
                None
            }
        }
    }

    fn http_target(&mut self, s: &RawSource, kind: &str) -> Option<HttpTarget> {
        Some(HttpTarget {
            url: self.require(s, &s.url, "url", kind)?,
            method: s
                .method
                .as_ref()
                .map_or("GET".into(), |m| m.get_ref().to_uppercase()),
            headers: s.headers.clone(),
        })
    }

    fn source_spec(
        &mut self,
        kind: &str,
        s: &RawSource,
        meta: Option<&RawMeta>,
    ) -> Option<SourceSpec> {
        let region = s
            .region
            .clone()
            .or_else(|| meta.and_then(|m| m.region.clone()));
        let profile = s
            .profile
            .clone()
            .or_else(|| meta.and_then(|m| m.profile.clone()));
        Some(match kind {
            "http" => {
                let body_check = match (&s.body_pointer, &s.body_equals, &s.body_regex) {
                    (Some(p), Some(v), None) => Some(BodyCheck::PointerEquals {
                        pointer: p.get_ref().clone(),
                        value: serde_json::to_value(v.get_ref()).ok()?,
                    }),
                    (None, None, Some(r)) => Some(BodyCheck::Regex(r.get_ref().clone())),
                    (None, None, None) => None,
                    _ => {
                        self.error(s.kind.span(), format!("source `{}`: a body check is either body_pointer + body_equals, or body_regex", s.id.get_ref()), "keep body_pointer with body_equals, or body_regex alone");
                        return None;
                    }
                };
                SourceSpec::Http {
                    target: self.http_target(s, kind)?,
                    expect_status: s.expect_status.as_ref().map(|v| *v.get_ref()),
                    body_check,
                }
            }
            "http_json" => SourceSpec::HttpJson {
                target: self.http_target(s, kind)?,
                pointer: self.require(s, &s.pointer, "pointer", kind)?,
            },
            "prometheus" => SourceSpec::Prometheus {
                url: self.require(s, &s.url, "url", kind)?,
                query: self.require(s, &s.query, "query", kind)?,
            },
            "command" => SourceSpec::Command {
                command: self.require(s, &s.command, "command", kind)?,
                pointer: s.pointer.as_ref().map(|p| p.get_ref().clone()),
            },
            "cloudwatch" => {
                let query = if let Some(e) = &s.expression {
                    CloudWatchQuery::Expression(e.get_ref().clone())
                } else {
                    let stat = match &s.stat {
                        Some(st) if is_percentile(st.get_ref()) => st.get_ref().clone(),
                        Some(st) => self.choice(st, "statistic (or pNN)", STATS)?.to_string(),
                        None => "Average".into(),
                    };
                    CloudWatchQuery::Metric {
                        namespace: self.require(s, &s.namespace, "namespace", kind)?,
                        metric: self.require(s, &s.metric, "metric", kind)?,
                        dimensions: s.dimensions.clone(),
                        stat,
                    }
                };
                let period = self.opt_duration(&s.period, "period", Duration::from_secs(60));
                SourceSpec::CloudWatch {
                    query,
                    period,
                    region,
                    profile,
                }
            }
            _ => {
                let group_by = s
                    .group_by
                    .as_ref()
                    .map_or("SERVICE".into(), |g| g.get_ref().clone());
                if group_by != "SERVICE" && !group_by.starts_with("TAG:") {
                    self.error(
                        s.group_by.as_ref()?.span(),
                        format!("group_by `{group_by}` is not supported"),
                        "write \"SERVICE\" or \"TAG:<tag key>\"",
                    );
                    return None;
                }
                SourceSpec::CostExplorer {
                    group_by,
                    metric: s
                        .metric
                        .as_ref()
                        .map_or("UnblendedCost".into(), |m| m.get_ref().clone()),
                    filter: s.filter.as_ref().map(|f| (f.tag.clone(), f.values.clone())),
                    budget: s.budget.as_ref().map(|b| *b.get_ref()),
                    region,
                    profile,
                }
            }
        })
    }
}

fn is_percentile(stat: &str) -> bool {
    stat.strip_prefix('p')
        .is_some_and(|n| n.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v)))
}

/// The unit a source reports in, parsed once: its own `unit`, else its kind's (`$` for cost).
/// An http source is always in `ms`, its latency (see `http_unit`). Criteria are checked
/// against it before the source itself is validated.
pub fn unit_of(s: &RawSource) -> SourceUnit {
    match (s.kind.get_ref().as_str(), &s.unit) {
        ("http", _) => SourceUnit::Time(TimeUnit::Millis),
        (_, Some(u)) => SourceUnit::parse(u.get_ref()),
        ("cost_explorer", None) => SourceUnit::Dollars,
        (_, None) => SourceUnit::Count,
    }
}
