//! The validated runbook: what the rest of Flightdeck works with. Every value here has been
//! checked, so consumers never re-validate.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::criteria::Criterion;

#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    pub meta: Meta,
    pub vars: BTreeMap<String, String>,
    pub sources: Vec<Source>,
    pub traffic: Option<Traffic>,
    pub phases: Vec<Phase>,
    pub rollback: Rollback,
    /// Where the events the runbook chooses are sent (`[[notify]]`).
    pub notify: Vec<Notify>,
    /// SHA-256 of the file's bytes: the journal records it to notice edits between sessions.
    pub hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub name: String,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub start: Option<OffsetDateTime>,
    pub owner: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Environment variables declared secret (`[runbook] secrets`): their values are shown
    /// and journaled as `$NAME` only, like those whose names look secret.
    pub secrets: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Panel {
    Health,
    Sync,
    Metrics,
    Cost,
}

impl Panel {
    /// As written in the runbook.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Health => "health",
            Panel::Sync => "sync",
            Panel::Metrics => "metrics",
            Panel::Cost => "cost",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Larger values are worse (lag, error rate).
    Above,
    /// Smaller values are worse (cache hit rate, availability).
    Below,
}

#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    pub warn: Option<f64>,
    pub fail: Option<f64>,
    pub direction: Direction,
}

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: String,
    pub label: String,
    /// Parsed once at validation; `Count` when the runbook gives none.
    pub unit: super::unit::SourceUnit,
    pub interval: Duration,
    pub timeout: Duration,
    pub thresholds: Thresholds,
    pub panel: Panel,
    pub spec: SourceSpec,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpTarget {
    pub url: String,
    pub method: String,
    /// Header name → name of the environment variable holding its value.
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub enum BodyCheck {
    PointerEquals {
        pointer: String,
        value: serde_json::Value,
    },
    Regex(String),
}

#[derive(Debug, Clone, Serialize)]
pub enum SourceSpec {
    Http {
        target: HttpTarget,
        expect_status: Option<u16>,
        body_check: Option<BodyCheck>,
    },
    HttpJson {
        target: HttpTarget,
        pointer: String,
    },
    Prometheus {
        url: String,
        query: String,
    },
    CloudWatch {
        query: CloudWatchQuery,
        period: Duration,
        region: Option<String>,
        profile: Option<String>,
    },
    CostExplorer {
        group_by: String,
        metric: String,
        filter: Option<(String, Vec<String>)>,
        budget: Option<f64>,
        region: Option<String>,
        profile: Option<String>,
    },
    Command {
        command: String,
        pointer: Option<String>,
    },
    /// The traffic actuator's `get`: the green weight in force, polled like any source so
    /// drift shows without asking (the `traffic.green` source).
    ReadBack {
        get: String,
    },
    /// A native actuator's read-back: the weights in force, asked from its AWS API.
    AwsReadBack(AwsActuator),
}

/// The id of the source the traffic read-back feeds, for gates and `abort_when`.
pub const READ_BACK_SOURCE: &str = "traffic.green";

#[derive(Debug, Clone, Serialize)]
pub enum CloudWatchQuery {
    Metric {
        namespace: String,
        metric: String,
        dimensions: BTreeMap<String, String>,
        stat: String,
    },
    Expression(String),
}

impl SourceSpec {
    /// Fills `${NAME}` of runbook variables into every templated field.
    pub fn expand(&mut self, vars: &BTreeMap<String, String>) {
        let fill = |t: &mut String| *t = super::template::expand(t, vars);
        match self {
            SourceSpec::Http { target, .. } | SourceSpec::HttpJson { target, .. } => {
                fill(&mut target.url)
            }
            SourceSpec::Prometheus { url, query } => {
                fill(url);
                fill(query);
            }
            SourceSpec::CloudWatch { query, .. } => match query {
                CloudWatchQuery::Metric { dimensions, .. } => {
                    dimensions.values_mut().for_each(fill)
                }
                CloudWatchQuery::Expression(e) => fill(e),
            },
            SourceSpec::CostExplorer { filter, .. } => {
                if let Some((_, values)) = filter {
                    values.iter_mut().for_each(fill);
                }
            }
            SourceSpec::Command { command, .. } => fill(command),
            SourceSpec::ReadBack { get } => fill(get),
            SourceSpec::AwsReadBack(a) => a.mechanism.expand(vars),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            SourceSpec::Http { .. } => "http",
            SourceSpec::HttpJson { .. } => "http_json",
            SourceSpec::Prometheus { .. } => "prometheus",
            SourceSpec::CloudWatch { .. } => "cloudwatch",
            SourceSpec::CostExplorer { .. } => "cost_explorer",
            SourceSpec::Command { .. } => "command",
            SourceSpec::ReadBack { .. } | SourceSpec::AwsReadBack(_) => "read-back",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachPolicy {
    Prompt,
    Rollback,
    Freeze,
}

impl BreachPolicy {
    /// As written in the runbook.
    pub fn name(self) -> &'static str {
        match self {
            BreachPolicy::Prompt => "prompt",
            BreachPolicy::Rollback => "rollback",
            BreachPolicy::Freeze => "freeze",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub enum Actuator {
    Command(String),
    Http {
        method: String,
        url: String,
        body: Option<String>,
        headers: BTreeMap<String, String>,
    },
    /// A native actuator: the AWS API called through the SDK, read back from the same API.
    Aws(AwsActuator),
}

impl Actuator {
    /// As written in `[traffic] kind`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Actuator::Command(_) => "command",
            Actuator::Http { .. } => "http",
            Actuator::Aws(a) => a.mechanism.kind_name(),
        }
    }
}

/// Where a native actuator asks (`region`/`profile` of `[traffic]`, then `[runbook]`, then the
/// environment as for the telemetry sources) and which mechanism it moves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwsActuator {
    pub mechanism: Mechanism,
    pub region: Option<String>,
    pub profile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Mechanism {
    /// Two weighted records of one name and type, told apart by their set identifiers.
    Route53 {
        zone_id: String,
        record_name: String,
        record_type: String,
        blue_set: String,
        green_set: String,
    },
    /// The weighted forward action of a listener's default actions, or of one rule.
    Alb {
        listener: AlbListener,
        blue_target_group: String,
        green_target_group: String,
    },
    /// A REST API stage's canary: `percentTraffic` is the green share; 100 promotes the
    /// canary's deployment to the stage, and going back from there restores `blue_deployment`.
    ApiGateway {
        rest_api_id: String,
        stage: String,
        /// Set when the runbook names the promotion (`promote = true`): the deployment the
        /// stage runs before it, which a shift below 100 after the promotion puts back.
        blue_deployment: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AlbListener {
    Listener(String),
    Rule(String),
}

impl Mechanism {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Mechanism::Route53 { .. } => "route53",
            Mechanism::Alb { .. } => "alb",
            Mechanism::ApiGateway { .. } => "apigateway",
        }
    }

    /// Fills `${NAME}` of runbook variables into every field (ids, names, ARNs).
    pub fn expand(&mut self, vars: &BTreeMap<String, String>) {
        let fill = |t: &mut String| *t = super::template::expand(t, vars);
        match self {
            Mechanism::Route53 {
                zone_id,
                record_name,
                record_type,
                blue_set,
                green_set,
            } => [zone_id, record_name, record_type, blue_set, green_set]
                .into_iter()
                .for_each(fill),
            Mechanism::Alb {
                listener,
                blue_target_group,
                green_target_group,
            } => {
                match listener {
                    AlbListener::Listener(a) | AlbListener::Rule(a) => fill(a),
                }
                fill(blue_target_group);
                fill(green_target_group);
            }
            Mechanism::ApiGateway {
                rest_api_id,
                stage,
                blue_deployment,
            } => {
                fill(rest_api_id);
                fill(stage);
                if let Some(d) = blue_deployment {
                    fill(d);
                }
            }
        }
    }
}

/// A webhook told about the events of the run it chooses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notify {
    pub id: String,
    pub kind: NotifyKind,
    /// The environment variable holding the URL: a webhook URL is a credential.
    pub url_env: String,
    pub on: Vec<Topic>,
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts after the first, each after a pause twice the last.
    pub retries: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyKind {
    /// A Slack-compatible incoming webhook: `{"text": "..."}`.
    Slack,
    /// Any endpoint taking JSON: the text, the topic and the journal record.
    Webhook,
}

/// The events a `[[notify]]` entry may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// A gate decided GO or NO-GO.
    Gate,
    /// A traffic shift ended (done or failed).
    Shift,
    /// An abort criterion held during a bake.
    Breach,
    /// A rollback began or ended.
    Rollback,
    /// The run started, resumed or ended.
    Run,
    /// A restarted cockpit found an action in doubt.
    InDoubt,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::Gate,
        Topic::Shift,
        Topic::Breach,
        Topic::Rollback,
        Topic::Run,
        Topic::InDoubt,
    ];

    /// As written in `on`.
    pub fn name(self) -> &'static str {
        match self {
            Topic::Gate => "gate",
            Topic::Shift => "shift",
            Topic::Breach => "breach",
            Topic::Rollback => "rollback",
            Topic::Run => "run",
            Topic::InDoubt => "in_doubt",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanStep {
    pub green: u8,
    pub bake: Option<Duration>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Traffic {
    pub blue: String,
    pub green: String,
    pub set: Actuator,
    pub get: Option<String>,
    /// How often the read-back is polled.
    pub get_interval: Duration,
    pub timeout: Duration,
    pub plan: Vec<PlanStep>,
    pub abort_when: Vec<Criterion>,
    pub on_breach: BreachPolicy,
    pub confirm: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub steps: Vec<Step>,
    pub rollback: Vec<RollbackStep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutPolicy {
    Hold,
    NoGo,
}

#[derive(Debug, Clone, Serialize)]
pub enum StepKind {
    Manual,
    Command {
        run: String,
        timeout: Duration,
    },
    Gate {
        criteria: Vec<Criterion>,
        signoffs: Vec<String>,
        timeout: Option<Duration>,
        on_timeout: TimeoutPolicy,
    },
    Traffic {
        green: u8,
    },
    Wait {
        duration: Duration,
    },
}

impl StepKind {
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Manual => "manual",
            StepKind::Command { .. } => "command",
            StepKind::Gate { .. } => "gate",
            StepKind::Traffic { .. } => "traffic",
            StepKind::Wait { .. } => "wait",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub kind: StepKind,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub planned: Option<Duration>,
    /// Seconds relative to T-0.
    pub at: Option<i64>,
    pub expect: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub enum RollbackAction {
    Run { command: String, timeout: Duration },
    Traffic { green: u8 },
    Manual,
}

impl RollbackAction {
    pub fn is_traffic(&self) -> bool {
        matches!(self, RollbackAction::Traffic { .. })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RollbackStep {
    pub title: String,
    pub description: Option<String>,
    pub action: RollbackAction,
    /// The rollback pauses here and asks run or skip; the text is the condition shown.
    pub ask: Option<String>,
}

/// What `ask = true` shows: the step has no condition of its own written out.
pub const ASK_DEFAULT: &str = "run this step?";

#[derive(Debug, Clone, Serialize)]
pub struct Rollback {
    pub confirm: String,
    pub steps: Vec<RollbackStep>,
}

impl Runbook {
    /// All steps in checklist order, with the index of their phase.
    pub fn steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        self.phases
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.steps.iter().map(move |s| (i, s)))
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().map(|(_, s)| s).find(|s| s.id == id)
    }

    /// A fingerprint per step, so a resumed run can name the steps that changed in the file.
    /// The journal's first record carries them, so a large runbook's first frame waits for
    /// them: above `FINGERPRINT_CHUNK` steps they are computed on all cores. Each is the first
    /// 8 bytes of the SHA-256 of the step's JSON; journals compare them across versions, so
    /// the value must not change.
    pub fn step_fingerprints(&self) -> BTreeMap<String, String> {
        let steps: Vec<&Step> = self.steps().map(|(_, s)| s).collect();
        // The cores are asked only for a large runbook: std reads the cgroup's CPU quota files
        // to answer, on the way to every new run's first frame.
        let threads = if steps.len() <= FINGERPRINT_CHUNK {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        };
        if threads == 1 {
            return fingerprint_all(&steps).collect();
        }
        let chunk = steps.len().div_ceil(threads).max(FINGERPRINT_CHUNK);
        std::thread::scope(|scope| {
            let parts: Vec<_> = steps
                .chunks(chunk)
                .map(|part| scope.spawn(move || fingerprint_all(part).collect::<Vec<_>>()))
                .collect();
            parts
                .into_iter()
                .flat_map(|part| part.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }
}

/// Below this many steps a second thread costs more than it saves.
const FINGERPRINT_CHUNK: usize = 1_000;

fn fingerprint_all<'a>(steps: &'a [&'a Step]) -> impl Iterator<Item = (String, String)> + 'a {
    use sha2::{Digest, Sha256};
    let mut json = Vec::new();
    steps.iter().map(move |s| {
        json.clear();
        if serde_json::to_writer(&mut json, s).is_err() {
            json.clear(); // never for plain data; as before, the fingerprint of nothing
        }
        (s.id.clone(), hex::encode(&Sha256::digest(&json)[..8]))
    })
}
