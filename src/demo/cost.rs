//! The cost feed: a loopback stand-in for AWS Cost Explorer that answers the real SDK's
//! `GetCostAndUsage` with a bundled response in the real shape (`cost_response.json`: a month
//! of daily spend grouped by service), re-dated to the period asked for, so the runbook's
//! `cost_explorer` source runs its real code path: SDK, signing, paging, summing, cache.
//! `GetCostForecast` answers `DataUnavailableException`, as it does for young accounts, so
//! the cockpit shows its own projection.
//!
//! The demo hands the poller an SDK config pointing only here, with fixed fake credentials:
//! nothing in the demo can reach AWS or read the machine's AWS setup.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::{Value, json};
use time::Date;

use super::http::{Request, Response};
use crate::telemetry::cost_model::{iso, parse_iso};

/// A month of daily spend, grouped by SERVICE, as GetCostAndUsage returns it.
pub const RESPONSE: &str = include_str!("cost_response.json");

const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
const TARGET_USAGE: &str = "AWSInsightsIndexService.GetCostAndUsage";
const TARGET_FORECAST: &str = "AWSInsightsIndexService.GetCostForecast";
/// Days answered at most: a longer period is refused like Cost Explorer refuses it.
const MAX_DAYS: usize = 366;

/// The SDK config of the demo's cost source: this endpoint, a fixed region, fake static
/// credentials; nothing loaded from the environment or `~/.aws`.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIAFLIGHTDECKDEMO",
            "flightdeck-demo-not-a-secret",
            None,
            None,
            "flightdeck demo",
        )))
        .build()
}

pub async fn handle(request: Request) -> Response {
    if request.method != "POST" || request.path != "/" {
        return error(404, "UnknownOperationException", "POST / only");
    }
    match request.header("x-amz-target") {
        Some(TARGET_USAGE) => usage(&request.body),
        Some(TARGET_FORECAST) => error(
            400,
            "DataUnavailableException",
            "Insufficient amount of historical data to generate the forecast (demo).",
        ),
        _ => error(
            400,
            "UnknownOperationException",
            "the demo answers GetCostAndUsage only",
        ),
    }
}

fn usage(body: &[u8]) -> Response {
    let period = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        let start = parse_iso(v.pointer("/TimePeriod/Start")?.as_str()?)?;
        let end = parse_iso(v.pointer("/TimePeriod/End")?.as_str()?)?;
        Some((start, end))
    });
    let Some((start, end)) = period else {
        return error(
            400,
            "ValidationException",
            "TimePeriod Start and End are required",
        );
    };
    match answer(start, end) {
        Some(answer) => Response::typed(200, CONTENT_TYPE, answer.to_string().into_bytes()),
        None => error(
            400,
            "ValidationException",
            "Start must be before End, within a year",
        ),
    }
}

/// The bundled month re-dated onto `[start, end)`: day `i` of the period gets the bundled
/// day `i` (wrapping), and the last day is marked estimated, as today's partial spend is.
pub fn answer(start: Date, end: Date) -> Option<Value> {
    let template: Value = serde_json::from_str(RESPONSE).ok()?;
    let days = template.get("ResultsByTime")?.as_array()?;
    let n = (end - start).whole_days();
    if n <= 0 || n as usize > MAX_DAYS || days.is_empty() {
        return None;
    }
    let mut results = Vec::new();
    let mut day = start;
    for i in 0..n as usize {
        let next = day.next_day()?;
        let mut result = days[i % days.len()].clone();
        result["TimePeriod"] = json!({"Start": iso(day), "End": iso(next)});
        result["Estimated"] = json!(i + 1 == n as usize);
        results.push(result);
        day = next;
    }
    Some(json!({
        "GroupDefinitions": template["GroupDefinitions"],
        "ResultsByTime": results,
        "DimensionValueAttributes": [],
    }))
}

/// The sum of the bundled amounts Cost Explorer would report for `[start, end)`: what the
/// cost panel should show as month to date.
pub fn total(start: Date, end: Date) -> Option<f64> {
    let answer = answer(start, end)?;
    let mut sum = 0.0;
    for day in answer["ResultsByTime"].as_array()? {
        for group in day["Groups"].as_array()? {
            sum += group
                .pointer("/Metrics/UnblendedCost/Amount")?
                .as_str()?
                .parse::<f64>()
                .ok()?;
        }
    }
    Some(sum)
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    Response::typed(
        status,
        CONTENT_TYPE,
        json!({"__type": kind, "message": message})
            .to_string()
            .into_bytes(),
    )
    .with_header("x-amzn-ErrorType", kind.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_bundled_month_is_redated_onto_the_period_asked_for() {
        let a = answer(date!(2027 - 02 - 01), date!(2027 - 02 - 04)).unwrap();
        let days = a["ResultsByTime"].as_array().unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0]["TimePeriod"]["Start"], "2027-02-01");
        assert_eq!(days[2]["TimePeriod"]["End"], "2027-02-04");
        assert_eq!(days[2]["Estimated"], true);
        assert_eq!(days[0]["Estimated"], false);
        assert_eq!(a["GroupDefinitions"][0]["Key"], "SERVICE");
        assert!(answer(date!(2027 - 02 - 04), date!(2027 - 02 - 04)).is_none());
        let month = total(date!(2027 - 01 - 01), date!(2027 - 02 - 01)).unwrap();
        assert!(
            (300.0..395.0).contains(&month),
            "a month stays under budget: {month}"
        );
    }
}
