//! `cloudwatch` sources: all sources of one region and profile in one batched GetMetricData.
//!
//! Each source becomes one `MetricDataQuery` with a safe id (`q0`, `q1`, … by position, since
//! source ids may hold characters CloudWatch rejects). Plain metrics and metric-math expressions
//! go in separate requests: an expression CloudWatch rejects fails its whole request, and it
//! must not blank the plain metrics (the sync lag) beside it. Either kind is split at 500
//! queries, the API's limit per request; the chunks run concurrently. Billing is per metric
//! requested, so the split costs nothing; the metrics of every answered request (each page too)
//! are counted.
//!
//! The value is the newest datapoint in a window of the last few periods, which may be the
//! current, still-filling period: on migration day the freshest value beats a complete one.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, MessageData, Metric, MetricDataQuery, MetricStat, ScanBy, StatusCode,
};

use super::cloudwatch_error::{describe, no_region};
use super::sample::Reading;
use super::sanitize::one_line;
use crate::runbook::{CloudWatchQuery, Source, SourceSpec};

/// Queries per GetMetricData request: the API's limit.
pub const MAX_QUERIES_PER_REQUEST: usize = 500;

/// Pages followed per request at most: each page is billed again, and the first page already
/// holds the newest datapoints of most queries.
const MAX_PAGES: usize = 5;

/// The outcome of one batched poll.
pub struct GroupPoll {
    /// A reading per source id, in the order given.
    pub readings: Vec<(String, Reading)>,
    /// Metrics requested (GetMetricData bills $0.01 per 1,000).
    pub metrics_requested: u64,
}

pub async fn poll(config: &SdkConfig, sources: &[Source]) -> GroupPoll {
    let mut readings: Vec<Option<Reading>> = vec![None; sources.len()];
    let (mut metrics, mut expressions) = (Vec::new(), Vec::new());
    for (i, source) in sources.iter().enumerate() {
        match &source.spec {
            SourceSpec::CloudWatch { query, period, .. } => {
                let q = data_query(i, query, *period);
                match query {
                    CloudWatchQuery::Metric { .. } => metrics.push(q),
                    CloudWatchQuery::Expression(_) => expressions.push(q),
                }
            }
            other => {
                readings[i] = Some(Reading::Error(format!(
                    "a {} source is not a cloudwatch source",
                    other.kind_name()
                )))
            }
        }
    }
    let mut metrics_requested = 0;
    let unanswered = if config.region().is_none() {
        no_region()
    } else {
        let window = window(sources);
        let range = time_range(SystemTime::now(), window, align(sources));
        let timeout = timeout(sources);
        let client = client(config, timeout);
        let endpoint = config.endpoint_url().map(str::to_string);
        // Dropping this (the poller's guard gave up) aborts every request still running.
        let mut tasks = tokio::task::JoinSet::new();
        for chunk in metrics
            .chunks(MAX_QUERIES_PER_REQUEST)
            .chain(expressions.chunks(MAX_QUERIES_PER_REQUEST))
        {
            let (client, chunk, endpoint) = (client.clone(), chunk.to_vec(), endpoint.clone());
            tasks.spawn(
                async move { fetch(&client, chunk, range, endpoint.as_deref(), timeout).await },
            );
        }
        while let Some(done) = tasks.join_next().await {
            let Ok(fetched) = done else { continue };
            metrics_requested += fetched.requested;
            for (i, reading) in fetched.readings(window) {
                readings[i] = Some(reading);
            }
        }
        for (slot, source) in readings.iter_mut().zip(sources) {
            if let Some(Reading::Number(v)) = slot {
                *v = convert_unit(source, *v);
            }
        }
        Reading::Error("the CloudWatch request task failed".into())
    };
    GroupPoll {
        readings: sources
            .iter()
            .zip(readings)
            .map(|(s, r)| (s.id.clone(), r.unwrap_or_else(|| unanswered.clone())))
            .collect(),
        metrics_requested,
    }
}

/// The query id of the source at `index`: matches `^[a-z][a-zA-Z0-9_]*$` whatever the source id.
fn query_id(index: usize) -> String {
    format!("q{index}")
}

fn query_index(id: &str) -> Option<usize> {
    id.strip_prefix('q')?.parse().ok()
}

fn data_query(index: usize, query: &CloudWatchQuery, period: Duration) -> MetricDataQuery {
    let period = period_secs(period);
    let builder = MetricDataQuery::builder()
        .id(query_id(index))
        .return_data(true);
    match query {
        CloudWatchQuery::Metric {
            namespace,
            metric,
            dimensions,
            stat,
        } => {
            let metric = Metric::builder()
                .namespace(namespace)
                .metric_name(metric)
                .set_dimensions(Some(
                    dimensions
                        .iter()
                        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
                        .collect(),
                ))
                .build();
            // No `unit` on the MetricStat: CloudWatch uses it as a filter, not a conversion, so a
            // mismatched unit would turn a live metric into "no datapoints".
            let stat = MetricStat::builder()
                .metric(metric)
                .period(period)
                .stat(stat)
                .build();
            builder.metric_stat(stat).build()
        }
        CloudWatchQuery::Expression(expression) => {
            builder.expression(expression).period(period).build()
        }
    }
}

fn period_secs(period: Duration) -> i32 {
    period.as_secs().clamp(1, i32::MAX as u64) as i32
}

fn periods(sources: &[Source]) -> impl Iterator<Item = Duration> + '_ {
    sources.iter().filter_map(|s| match &s.spec {
        SourceSpec::CloudWatch { period, .. } => Some(*period),
        _ => None,
    })
}

/// How far back to look: five of the longest period, at least five minutes, so a metric that
/// reports every minute or so (or a little late) still has a datapoint.
fn window(sources: &[Source]) -> Duration {
    let longest = periods(sources).max().unwrap_or(Duration::from_secs(60));
    (longest * 5).max(Duration::from_secs(300))
}

/// Window edges fall on whole minutes (whole periods for longer ones), which is what CloudWatch
/// answers fastest and keeps each period's buckets on its boundaries.
fn align(sources: &[Source]) -> u64 {
    periods(sources)
        .map(|p| p.as_secs())
        .max()
        .unwrap_or(60)
        .max(60)
}

/// `[start, end)`: `end` is `now` rounded up to the alignment, so the current period is in.
fn time_range(now: SystemTime, window: Duration, align: u64) -> (DateTime, DateTime) {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let end = now.div_ceil(align) * align;
    let end = if end == now { end + align } else { end };
    let start = end.saturating_sub(window.as_secs().div_ceil(align) * align);
    (
        DateTime::from_secs(start as i64),
        DateTime::from_secs(end as i64),
    )
}

/// The most patient timeout of the group: the poller's guard sits a second beyond it, so the
/// SDK's own, clearer timeout error comes first.
fn timeout(sources: &[Source]) -> Duration {
    sources
        .iter()
        .map(|s| s.timeout)
        .max()
        .unwrap_or(Duration::from_secs(5))
}

fn client(config: &SdkConfig, timeout: Duration) -> Client {
    let mut timeouts = config
        .timeout_config()
        .map(|t| t.to_builder())
        .unwrap_or_default();
    // The whole call, retries and credential loading included, ends within the source timeout;
    // connecting alone may take at most half of it, so the retry still fits.
    timeouts.set_operation_timeout(Some(timeout));
    let connect = timeouts
        .clone()
        .build()
        .connect_timeout()
        .unwrap_or(timeout)
        .min(timeout / 2);
    timeouts.set_connect_timeout(Some(connect));
    // One retry at most: the poller asks again next interval and backs off on its own, while
    // more SDK retries spend the timeout on backoff and leave "timed out" instead of the cause.
    let retry = config
        .retry_config()
        .cloned()
        .unwrap_or_else(RetryConfig::standard);
    let retry = retry.clone().with_max_attempts(retry.max_attempts().min(2));
    let conf = aws_sdk_cloudwatch::config::Builder::from(config)
        .timeout_config(timeouts.build())
        .retry_config(retry)
        .build();
    Client::from_conf(conf)
}

/// What one chunk's requests brought back.
struct Fetched {
    /// Source indices asked for.
    asked: Vec<usize>,
    /// Metrics of the answered requests.
    requested: u64,
    /// Newest datapoint per source index.
    newest: HashMap<usize, (i64, f64)>,
    /// Status and messages of queries without a datapoint.
    status: HashMap<usize, (Option<StatusCode>, Vec<String>)>,
    /// Messages about the whole request.
    notes: Vec<String>,
    /// Why the request failed, if it did (queries already answered by an earlier page keep
    /// their value).
    error: Option<String>,
}

async fn fetch(
    client: &Client,
    queries: Vec<MetricDataQuery>,
    (start, end): (DateTime, DateTime),
    endpoint: Option<&str>,
    timeout: Duration,
) -> Fetched {
    let mut fetched = Fetched {
        asked: queries
            .iter()
            .filter_map(|q| q.id().and_then(query_index))
            .collect(),
        requested: 0,
        newest: HashMap::new(),
        status: HashMap::new(),
        notes: Vec::new(),
        error: None,
    };
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let sent = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(start)
            .end_time(end)
            .scan_by(ScanBy::TimestampDescending)
            .set_next_token(token.take())
            .send()
            .await;
        let output = match sent {
            Ok(output) => {
                // Billed per metric of each answered request (pages too); a request that
                // failed is not.
                fetched.requested += queries.len() as u64;
                output
            }
            Err(e) => {
                fetched.error = Some(describe(&e, endpoint, timeout));
                break;
            }
        };
        fetched.notes.extend(output.messages().iter().map(message));
        for result in output.metric_data_results() {
            let Some(i) = result.id().and_then(query_index) else {
                continue;
            };
            // Newest first was asked for; taking the maximum also holds if a server ignores it.
            let newest = result
                .timestamps()
                .iter()
                .zip(result.values())
                .map(|(t, v)| (t.secs(), *v))
                .max_by_key(|(t, _)| *t);
            if let Some((t, v)) = newest {
                let slot = fetched.newest.entry(i).or_insert((t, v));
                if t > slot.0 {
                    *slot = (t, v);
                }
            }
            let status = fetched.status.entry(i).or_default();
            status.0 = result.status_code().cloned();
            status.1.extend(result.messages().iter().map(message));
        }
        // Later pages hold older datapoints: only worth their cost for a query still empty
        // whose data CloudWatch says goes on (an empty `Complete` query has none to come).
        let missing = fetched.asked.iter().any(|i| {
            !fetched.newest.contains_key(i)
                && matches!(
                    fetched.status.get(i),
                    Some((Some(StatusCode::PartialData), _))
                )
        });
        match output.next_token() {
            Some(next) if missing => token = Some(next.to_string()),
            _ => break,
        }
    }
    fetched
}

fn message(m: &MessageData) -> String {
    let text = match (m.code(), m.value()) {
        (Some(c), Some(v)) => format!("{c}: {v}"),
        (Some(x), None) | (None, Some(x)) => x.to_string(),
        (None, None) => String::new(),
    };
    one_line(&text)
}

impl Fetched {
    fn readings(self, window: Duration) -> Vec<(usize, Reading)> {
        let Fetched {
            asked,
            newest,
            mut status,
            notes,
            error,
            ..
        } = self;
        asked
            .into_iter()
            .map(|i| {
                if let Some((_, v)) = newest.get(&i) {
                    return (i, Reading::Number(*v));
                }
                if let Some(e) = &error {
                    return (i, Reading::Error(e.clone()));
                }
                let (code, mut messages) = status.remove(&i).unwrap_or_default();
                messages.extend(notes.iter().cloned());
                messages.retain(|m| !m.is_empty());
                let why = match code {
                    Some(StatusCode::Forbidden) => "access denied to this metric".to_string(),
                    Some(StatusCode::InternalError) => {
                        "CloudWatch could not compute this query".to_string()
                    }
                    _ => format!("no datapoints in the last {}", human(window)),
                };
                let text = if messages.is_empty() {
                    why
                } else {
                    format!("{why}: {}", messages.join("; "))
                };
                (i, Reading::Error(super::cloudwatch_error::short(&text)))
            })
            .collect()
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// AWS time metrics and the seconds in the unit they are published in. CloudWatch returns
/// values as published and never converts (`MetricStat.Unit` only filters), so for these a
/// source whose `unit` is a time unit gets the value converted to it: `unit = "ms"` on an ALB's
/// `TargetResponseTime` (published in seconds) reads 250, not 0.25. Other metrics are returned
/// as published: their `unit` must name the published one.
const TIME_METRICS: &[(&str, &str, f64)] = &[
    ("AWS/DMS", "CDCLatencySource", 1.0),
    ("AWS/DMS", "CDCLatencyTarget", 1.0),
    ("AWS/ApplicationELB", "TargetResponseTime", 1.0),
    ("AWS/ELB", "Latency", 1.0),
    ("AWS/ApiGateway", "Latency", 0.001),
    ("AWS/ApiGateway", "IntegrationLatency", 0.001),
    ("AWS/Lambda", "Duration", 0.001),
    ("AWS/RDS", "ReplicaLag", 1.0),
    ("AWS/RDS", "AuroraReplicaLag", 0.001),
    ("AWS/RDS", "ReadLatency", 1.0),
    ("AWS/RDS", "WriteLatency", 1.0),
    ("AWS/DynamoDB", "SuccessfulRequestLatency", 0.001),
    ("AWS/DynamoDB", "ReplicationLatency", 0.001),
];

/// The value in the source's unit (see `TIME_METRICS`); a count (`SampleCount`) is no time.
fn convert_unit(source: &Source, value: f64) -> f64 {
    let SourceSpec::CloudWatch {
        query:
            CloudWatchQuery::Metric {
                namespace,
                metric,
                stat,
                ..
            },
        ..
    } = &source.spec
    else {
        return value;
    };
    let published = TIME_METRICS
        .iter()
        .find(|(ns, m, _)| ns == namespace && m == metric)
        .map(|(_, _, secs)| *secs);
    match (published, source.unit.time().map(|t| t.seconds())) {
        (Some(from), Some(to)) if stat != "SampleCount" => value * from / to,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::unit::SourceUnit;
    use std::collections::BTreeMap;

    fn source(namespace: &str, metric: &str, stat: &str, unit: Option<&str>) -> Source {
        Source {
            id: "s".into(),
            label: "s".into(),
            unit: unit.map_or(SourceUnit::Count, SourceUnit::parse),
            interval: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
            thresholds: crate::runbook::Thresholds {
                warn: None,
                fail: None,
                direction: crate::runbook::Direction::Above,
            },
            panel: crate::runbook::Panel::Metrics,
            spec: SourceSpec::CloudWatch {
                query: CloudWatchQuery::Metric {
                    namespace: namespace.into(),
                    metric: metric.into(),
                    dimensions: BTreeMap::new(),
                    stat: stat.into(),
                },
                period: Duration::from_secs(60),
                region: None,
                profile: None,
            },
        }
    }

    #[test]
    fn known_time_metrics_convert_to_the_source_unit_others_pass_through() {
        let cases = [
            (
                "AWS/ApplicationELB",
                "TargetResponseTime",
                "Average",
                Some("ms"),
                0.25,
                250.0,
            ),
            (
                "AWS/ApplicationELB",
                "TargetResponseTime",
                "p99",
                Some("s"),
                0.25,
                0.25,
            ),
            (
                "AWS/ApiGateway",
                "Latency",
                "Maximum",
                Some("s"),
                1500.0,
                1.5,
            ),
            (
                "AWS/DMS",
                "CDCLatencyTarget",
                "Maximum",
                Some("m"),
                90.0,
                1.5,
            ),
            (
                "AWS/ApiGateway",
                "Latency",
                "SampleCount",
                Some("s"),
                42.0,
                42.0,
            ),
            ("AWS/ApiGateway", "Latency", "Average", None, 42.0, 42.0),
            (
                "AWS/ApiGateway",
                "Latency",
                "Average",
                Some("count"),
                42.0,
                42.0,
            ),
            ("Custom/App", "Latency", "Average", Some("ms"), 0.25, 0.25),
        ];
        for (ns, metric, stat, unit, value, want) in cases {
            let got = convert_unit(&source(ns, metric, stat, unit), value);
            assert!(
                (got - want).abs() < 1e-9,
                "{ns} {metric} {stat} {unit:?}: {got}"
            );
        }
    }

    #[test]
    fn window_covers_five_periods_on_whole_minutes_and_the_current_period() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000_030); // 30 s into a minute
        let (start, end) = time_range(now, Duration::from_secs(300), 60);
        assert_eq!(
            end.secs(),
            1_000_000_080,
            "rounded up: the current minute is in"
        );
        assert_eq!(start.secs(), 1_000_000_080 - 300);
        let on_edge = UNIX_EPOCH + Duration::from_secs(1_000_000_020);
        let (_, end) = time_range(on_edge, Duration::from_secs(300), 60);
        assert_eq!(end.secs(), 1_000_000_080, "a minute just begun is in too");
        let (start, end) = time_range(now, Duration::from_secs(5 * 3600), 3600);
        assert_eq!(
            (end.secs() % 3600, end.secs() - start.secs()),
            (0, 5 * 3600)
        );
    }

    #[test]
    fn query_ids_are_safe_and_map_back() {
        let re = regex::Regex::new("^[a-z][a-zA-Z0-9_]*$").unwrap();
        for i in [0, 7, 519] {
            let id = query_id(i);
            assert!(re.is_match(&id), "{id}");
            assert_eq!(query_index(&id), Some(i));
        }
        assert_eq!(query_index("x1"), None);
    }

    #[test]
    fn windows_are_named_plainly() {
        assert_eq!(human(Duration::from_secs(300)), "5m");
        assert_eq!(human(Duration::from_secs(18000)), "5h");
        assert_eq!(human(Duration::from_secs(45)), "45s");
    }
}
