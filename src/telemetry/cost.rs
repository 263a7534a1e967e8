//! `cost_explorer` sources: month to date, forecast, top groups; cached on disk because every
//! Cost Explorer request is billed ($0.01, each page counted).
//!
//! One poll, when the cache has no fresh answer: GetCostAndUsage over the month so far (daily,
//! grouped, every page followed), then one GetCostForecast attempt for the rest of the month,
//! falling back to a projection from the daily spend when it fails. The pure rules live in
//! `cost_model`, the file cache in `cost_cache`.

use std::path::Path;

use aws_config::SdkConfig;
use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::config::http::HttpResponse;
use aws_sdk_costexplorer::config::retry::RetryConfig;
use aws_sdk_costexplorer::config::timeout::TimeoutConfig;
use aws_sdk_costexplorer::config::{Builder as ConfigBuilder, Region};
use aws_sdk_costexplorer::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_costexplorer::types::{
    DateInterval, Expression, Granularity, GroupDefinition, GroupDefinitionType, TagValues,
};
use time::{Date, OffsetDateTime, UtcOffset};

use super::cost_cache;
use super::cost_model::{self as model, Line};
use super::sample::{CostReport, Forecast, ForecastMethod, Reading};
use super::sanitize::one_line;
use crate::runbook::{Source, SourceSpec};

pub struct CostPoll {
    pub reading: Reading,
    pub report: Option<CostReport>,
    /// Billable Cost Explorer requests made (pages count; 0 when answered from the cache).
    pub requests: u64,
}

/// Error lines stay short enough for a panel cell and a journal record.
const MAX_ERROR_CHARS: usize = 200;

/// Polls one `cost_explorer` source: the cached answer while it is fresh (no request), else
/// Cost Explorer, caching what it answers.
///
/// When Cost Explorer fails and only an older answer of this month is cached, the reading is the
/// error (so a gate on it is unknown, never passed on an old number) and that older answer rides
/// along as the report, marked `from_cache` with its `as_of`, for the panel to show as last known.
pub async fn poll(
    config: &SdkConfig,
    source: &Source,
    cache_dir: &Path,
    now: OffsetDateTime,
) -> CostPoll {
    let SourceSpec::CostExplorer {
        group_by,
        metric,
        filter,
        budget,
        profile,
        ..
    } = &source.spec
    else {
        return CostPoll {
            reading: Reading::Error("not a cost_explorer source".into()),
            report: None,
            requests: 0,
        };
    };
    let key = cost_cache::query_key(
        metric,
        group_by,
        filter,
        config.region().map(|r| r.as_ref()),
        profile.as_deref(),
        config.endpoint_url(),
    );
    let file = cost_cache::path(cache_dir, &key);
    let with_budget = |report: CostReport| CostReport {
        budget: *budget,
        ..report
    };
    let cached = cost_cache::load(&file, &key);
    if let Some(report) = &cached
        && cost_cache::is_fresh(report.as_of, now, source.interval)
    {
        return CostPoll {
            reading: Reading::Number(report.month_to_date),
            report: Some(with_budget(report.clone())),
            requests: 0,
        };
    }

    let query = Query {
        client: client(config, source.timeout),
        endpoint: config.endpoint_url().unwrap_or("AWS"),
        timeout_secs: source.timeout.as_secs_f64(),
        group_by,
        metric,
        filter: filter.as_ref().map(|(tag, values)| tag_filter(tag, values)),
    };
    let mut requests = 0;
    match fetch(&query, now, &mut requests).await {
        Ok(report) => {
            if let Err(e) = cost_cache::store(&file, &key, &report) {
                // The answer is still good; the next poll merely pays again.
                tracing::warn!(cache = %file.display(), "cost cache not written: {e}");
            }
            CostPoll {
                reading: Reading::Number(report.month_to_date),
                report: Some(with_budget(report)),
                requests,
            }
        }
        Err(why) => CostPoll {
            reading: Reading::Error(one_line(&why).chars().take(MAX_ERROR_CHARS).collect()),
            report: cached
                .filter(|r| cost_cache::same_month(r.as_of, now))
                .map(with_budget),
            requests,
        },
    }
}

/// A client for one poll: no SDK retries (each attempt is billed, and the poller already retries
/// with backoff on the next tick), every call cut off at the source's timeout, and us-east-1 when
/// nothing names a region (Cost Explorer answers from there whatever the region).
fn client(config: &SdkConfig, timeout: std::time::Duration) -> Client {
    let mut builder = ConfigBuilder::from(config)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        );
    if config.region().is_none() {
        builder = builder.region(Region::from_static("us-east-1"));
    }
    Client::from_conf(builder.build())
}

struct Query<'a> {
    client: Client,
    endpoint: &'a str,
    timeout_secs: f64,
    group_by: &'a str,
    metric: &'a str,
    filter: Option<Expression>,
}

async fn fetch(
    q: &Query<'_>,
    now: OffsetDateTime,
    requests: &mut u64,
) -> Result<CostReport, String> {
    let today = now.to_offset(UtcOffset::UTC).date();
    let (start, end) = model::month_to_date_period(today);
    let mut lines = Vec::new();
    let mut token: Option<String> = None;
    for page in 0.. {
        if page == model::MAX_PAGES {
            return Err(format!(
                "Cost Explorer kept paging past {} pages; stopped",
                model::MAX_PAGES
            ));
        }
        let sent = q
            .client
            .get_cost_and_usage()
            .time_period(interval(start, end)?)
            .granularity(Granularity::Daily)
            .metrics(q.metric)
            .group_by(group_definition(q.group_by))
            .set_filter(q.filter.clone())
            .set_next_page_token(token.take())
            .send()
            .await;
        *requests += billable(&sent);
        let page = sent.map_err(|e| describe(&e, q))?;
        for by_time in page.results_by_time() {
            read_day(by_time, q.metric, &mut lines)?;
        }
        match page.next_page_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => break,
        }
    }
    let summary = model::summarize(&lines, today, q.group_by);
    let forecast =
        match forecast(q, today, summary.complete_days, requests).await {
            Some(month_end) => Some(Forecast {
                month_end,
                method: ForecastMethod::CostExplorer,
            }),
            None => model::project(summary.month_to_date, summary.complete_days, today).map(
                |month_end| Forecast {
                    month_end,
                    method: ForecastMethod::Projection,
                },
            ),
        };
    Ok(CostReport {
        month_to_date: summary.month_to_date,
        currency: summary.currency,
        budget: None,
        forecast,
        top: summary.top,
        as_of: now,
        from_cache: false,
    })
}

/// The month-end total from one GetCostForecast attempt, or `None` on any failure (emulators and
/// young accounts lack it; the caller then projects).
async fn forecast(
    q: &Query<'_>,
    today: Date,
    complete_days: f64,
    requests: &mut u64,
) -> Option<f64> {
    let metric = model::forecast_metric(q.metric)?;
    let (start, end) = model::forecast_period(today);
    let sent = q
        .client
        .get_cost_forecast()
        .time_period(interval(start, end).ok()?)
        .metric(metric)
        .granularity(Granularity::Monthly)
        .set_filter(q.filter.clone())
        .send()
        .await;
    *requests += billable(&sent);
    match sent {
        Ok(out) => {
            let rest = out
                .total()
                .and_then(|t| t.amount())
                .and_then(model::parse_amount);
            rest.map(|rest| model::month_end_from_forecast(complete_days, rest))
        }
        Err(e) => {
            tracing::debug!("no Cost Explorer forecast, projecting: {}", describe(&e, q));
            None
        }
    }
}

fn interval(start: Date, end: Date) -> Result<DateInterval, String> {
    DateInterval::builder()
        .start(model::iso(start))
        .end(model::iso(end))
        .build()
        .map_err(|e| format!("bad Cost Explorer period: {e}"))
}

fn group_definition(group_by: &str) -> GroupDefinition {
    let (kind, key) = match group_by.strip_prefix("TAG:") {
        Some(tag) => (GroupDefinitionType::Tag, tag),
        None => (GroupDefinitionType::Dimension, group_by),
    };
    GroupDefinition::builder().r#type(kind).key(key).build()
}

fn tag_filter(tag: &str, values: &[String]) -> Expression {
    Expression::builder()
        .tags(
            TagValues::builder()
                .key(tag)
                .set_values(Some(values.to_vec()))
                .build(),
        )
        .build()
}

/// Reads one day's groups. A group without this metric holds none of it; an amount or a date
/// that cannot be read fails the poll instead of being counted as zero.
fn read_day(
    by_time: &aws_sdk_costexplorer::types::ResultByTime,
    metric: &str,
    lines: &mut Vec<Line>,
) -> Result<(), String> {
    let start = by_time.time_period().map(|p| p.start()).unwrap_or_default();
    let day = model::parse_iso(start)
        .ok_or_else(|| format!("Cost Explorer sent an unreadable date {start:?}"))?;
    for group in by_time.groups() {
        let Some(value) = group.metrics().and_then(|m| m.get(metric)) else {
            continue;
        };
        let raw = value.amount().unwrap_or_default();
        let amount = model::parse_amount(raw)
            .ok_or_else(|| format!("Cost Explorer sent an unreadable amount {raw:?}"))?;
        lines.push(Line {
            day,
            key: group.keys().first().cloned().unwrap_or_default(),
            amount,
            unit: value.unit().map(str::to_string),
        });
    }
    Ok(())
}

/// Requests Cost Explorer may bill: those it answered, and those cut off while it might have
/// been answering. A request that never left (no credentials, connection refused) costs nothing.
fn billable<T, E, R>(sent: &Result<T, SdkError<E, R>>) -> u64 {
    match sent {
        Ok(_) => 1,
        Err(SdkError::ServiceError(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_)) => {
            1
        }
        Err(_) => 0,
    }
}

/// One plain line for a failed call (the caller sanitizes it).
fn describe<E>(err: &SdkError<E, HttpResponse>, q: &Query<'_>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    // The SDK finds out late (when signing) that there is nothing to sign with.
    if !matches!(err, SdkError::ServiceError(_)) {
        if chain_mentions(err, "no identity resolver") {
            return "no AWS credentials: configure a profile, environment keys, SSO or an instance role".into();
        }
        if chain_mentions(err, "credential") {
            return format!("no AWS credentials: {}", root_cause(err));
        }
    }
    match err {
        SdkError::ServiceError(ctx) => model::service_failure(
            ctx.err().code(),
            ctx.err().message(),
            Some(ctx.raw().status().as_u16()),
        ),
        SdkError::ResponseError(ctx) => format!(
            "unreadable answer from Cost Explorer (HTTP {})",
            ctx.raw().status().as_u16()
        ),
        SdkError::TimeoutError(_) => {
            format!("no answer from Cost Explorer within {}s", q.timeout_secs)
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            format!("no answer from Cost Explorer within {}s", q.timeout_secs)
        }
        SdkError::DispatchFailure(_) => {
            format!(
                "cannot reach Cost Explorer at {}: {}",
                q.endpoint,
                root_cause(err)
            )
        }
        _ => format!("Cost Explorer request failed: {}", root_cause(err)),
    }
}

/// The innermost error's message: the SDK's outer layers say only "dispatch failure".
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = err;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

fn chain_mentions(err: &(dyn std::error::Error + 'static), word: &str) -> bool {
    let mut at = Some(err);
    while let Some(e) = at {
        if e.to_string().to_lowercase().contains(word) {
            return true;
        }
        at = e.source();
    }
    false
}
