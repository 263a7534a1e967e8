//! The runbook file exactly as serde reads it: every table denies unknown keys and keeps the
//! spans that validation needs to point at the offending text. Nothing here checks meaning;
//! `validate` turns this into the model.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunbook {
    pub runbook: Option<S<RawMeta>>,
    #[serde(default)]
    pub vars: BTreeMap<String, S<String>>,
    #[serde(default, rename = "source")]
    pub sources: Vec<RawSource>,
    pub traffic: Option<S<RawTraffic>>,
    #[serde(default, rename = "phase")]
    pub phases: Vec<S<RawPhase>>,
    pub rollback: Option<S<RawRollback>>,
    #[serde(default)]
    pub notify: Vec<S<RawNotify>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub id: S<String>,
    pub kind: S<String>,
    /// The environment variable holding the webhook URL (a secret, never in the file).
    pub url_env: S<String>,
    #[serde(default)]
    pub on: Vec<S<String>>,
    pub timeout: Option<S<String>>,
    pub retries: Option<S<i64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: S<String>,
    pub description: Option<String>,
    /// A TOML datetime or an RFC 3339 string.
    pub start: Option<S<toml::Value>>,
    pub owner: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Environment variables whose values are secret beyond those whose names look so.
    #[serde(default)]
    pub secrets: Vec<S<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: S<String>,
    pub kind: S<String>,
    pub label: Option<String>,
    pub unit: Option<S<String>>,
    pub interval: Option<S<String>>,
    pub timeout: Option<S<String>>,
    pub warn: Option<S<f64>>,
    pub fail: Option<S<f64>>,
    pub direction: Option<S<String>>,
    pub panel: Option<S<String>>,
    // http, http_json, prometheus
    pub url: Option<S<String>>,
    pub method: Option<S<String>>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub expect_status: Option<S<u16>>,
    pub body_pointer: Option<S<String>>,
    pub body_equals: Option<S<toml::Value>>,
    pub body_regex: Option<S<String>>,
    pub pointer: Option<S<String>>,
    pub query: Option<S<String>>,
    // cloudwatch
    pub namespace: Option<S<String>>,
    pub metric: Option<S<String>>,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    pub stat: Option<S<String>>,
    pub period: Option<S<String>>,
    pub expression: Option<S<String>>,
    pub region: Option<String>,
    pub profile: Option<String>,
    // cost_explorer
    pub group_by: Option<S<String>>,
    pub filter: Option<RawCostFilter>,
    pub budget: Option<S<f64>>,
    // command
    pub command: Option<S<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCostFilter {
    pub tag: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    /// `route53`, `alb`, `apigateway` (native, through the AWS SDK); none: `set` or `http`.
    pub kind: Option<S<String>>,
    pub blue: Option<String>,
    pub green: Option<String>,
    pub set: Option<S<String>>,
    pub http: Option<S<RawHttpRequest>>,
    pub get: Option<String>,
    /// How often `get` is polled to watch for drift (default 10 s).
    pub get_interval: Option<S<String>>,
    pub timeout: Option<S<String>>,
    pub plan: S<Vec<S<RawPlanStep>>>,
    #[serde(default)]
    pub abort_when: Vec<S<String>>,
    pub on_breach: Option<S<String>>,
    pub confirm: Option<String>,
    // native actuators: where they ask
    pub region: Option<String>,
    pub profile: Option<String>,
    // route53
    pub zone_id: Option<S<String>>,
    pub record_name: Option<S<String>>,
    pub record_type: Option<S<String>>,
    pub blue_set: Option<S<String>>,
    pub green_set: Option<S<String>>,
    // alb
    pub listener_arn: Option<S<String>>,
    pub rule_arn: Option<S<String>>,
    pub blue_target_group: Option<S<String>>,
    pub green_target_group: Option<S<String>>,
    // apigateway
    pub rest_api_id: Option<S<String>>,
    pub stage: Option<S<String>>,
    pub promote: Option<S<bool>>,
    pub blue_deployment: Option<S<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttpRequest {
    pub method: Option<String>,
    pub url: String,
    pub body: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlanStep {
    pub green: S<i64>,
    pub bake: Option<S<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPhase {
    pub id: S<String>,
    pub title: String,
    pub description: Option<String>,
    #[serde(default, rename = "step")]
    pub steps: Vec<S<RawStep>>,
    #[serde(default)]
    pub rollback: Vec<S<RawRollbackStep>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub id: S<String>,
    pub title: String,
    pub kind: Option<S<String>>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub planned: Option<S<String>>,
    pub at: Option<S<String>>,
    pub expect: Option<String>,
    pub run: Option<S<String>>,
    pub timeout: Option<S<String>>,
    pub gate: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    pub signoff: Vec<String>,
    pub gate_timeout: Option<S<String>>,
    pub on_timeout: Option<S<String>>,
    pub traffic: Option<S<RawShift>>,
    pub wait: Option<S<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    pub green: S<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRollback {
    pub confirm: Option<S<String>>,
    pub steps: Vec<S<RawRollbackStep>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRollbackStep {
    pub title: String,
    pub description: Option<String>,
    pub run: Option<S<String>>,
    pub traffic: Option<S<RawShift>>,
    pub timeout: Option<S<String>>,
    /// `true`, or the condition the operator answers (`"only if database issues"`).
    pub ask: Option<S<toml::Value>>,
}
