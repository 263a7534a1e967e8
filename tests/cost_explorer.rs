//! `cost_explorer` sources through the real AWS SDK against a real moto server on 127.0.0.1:
//! what is asked (moto records every request), how the month is summed and projected, what is
//! billed, and the disk cache that keeps restarts and quick polls free.

mod support;

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_costexplorer::config::{Credentials, SharedCredentialsProvider};
use flightdeck::runbook;
use flightdeck::telemetry::aws::{Configs, Target};
use flightdeck::telemetry::cost::{self, CostPoll};
use flightdeck::telemetry::poller::{self, Context, Job, Settings};
use flightdeck::telemetry::sample::{Forecast, ForecastMethod};
use flightdeck::telemetry::{Detail, Reading};
use serde_json::{Value, json};
use support::moto::{Moto, free_port};
use time::macros::datetime;
use time::{Date, OffsetDateTime};

/// Day 5 of a 31-day month, evening UTC.
const NOW: OffsetDateTime = datetime!(2026-12-05 21:30:00 UTC);

const EC2: &str = "Amazon Elastic Compute Cloud - Compute";
const RDS: &str = "Amazon Relational Database Service";
const S3: &str = "Amazon Simple Storage Service";
const LAMBDA: &str = "AWS Lambda";
const CLOUDWATCH: &str = "AmazonCloudWatch";
const DYNAMODB: &str = "Amazon DynamoDB";

/// December 1–5 (the 5th being today, partial), six services. Amounts are multiples of 1/8 so
/// every sum is exact in floating point and asserted with `==`.
const DECEMBER: &[(u8, &str, &str)] = &[
    (1, EC2, "10.25"),
    (1, S3, "1.5"),
    (1, RDS, "4.0"),
    (2, EC2, "11.0"),
    (2, S3, "1.25"),
    (2, LAMBDA, "0.5"),
    (2, DYNAMODB, "0.125"),
    (3, EC2, "9.75"),
    (3, RDS, "4.0"),
    (4, EC2, "10.0"),
    (4, S3, "1.0"),
    (4, CLOUDWATCH, "0.25"),
    (5, EC2, "3.5"),
    (5, RDS, "1.0"),
];
/// Sum of all of DECEMBER.
const DECEMBER_MTD: f64 = 58.125;
/// 58.125 + (53.625 spent on days 1–4) / 4 × 26 days after the 5th.
const DECEMBER_PROJECTION: f64 = 406.6875;

/// One GetCostAndUsage answer in Cost Explorer's shape: `ResultsByTime[]` per day, each with
/// `Groups[].Metrics.UnblendedCost{Amount, Unit}` and an empty `Total` (grouped queries).
fn answer(month: (i32, u8), lines: &[(u8, &str, &str)], next_page: Option<&str>) -> Value {
    let mut days: Vec<u8> = lines.iter().map(|l| l.0).collect();
    days.dedup();
    let day = |d: u8| {
        Date::from_calendar_date(month.0, time::Month::try_from(month.1).unwrap(), d).unwrap()
    };
    let iso = |d: Date| format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let results: Vec<Value> = days
        .iter()
        .map(|&d| {
            json!({
                "TimePeriod": { "Start": iso(day(d)), "End": iso(day(d).next_day().unwrap()) },
                "Total": {},
                "Groups": lines.iter().filter(|l| l.0 == d).map(|(_, key, amount)| json!({
                    "Keys": [key],
                    "Metrics": { "UnblendedCost": { "Amount": amount, "Unit": "USD" } }
                })).collect::<Vec<_>>(),
                "Estimated": true
            })
        })
        .collect();
    let mut answer = json!({
        "GroupDefinitions": [{ "Type": "DIMENSION", "Key": "SERVICE" }],
        "ResultsByTime": results,
        "DimensionValueAttributes": []
    });
    if let Some(token) = next_page {
        answer["NextPageToken"] = json!(token);
    }
    answer
}

fn one_day(month: (i32, u8), day: u8, key: &str, amount: &str) -> Value {
    answer(month, &[(day, key, amount)], None)
}

/// The `cost_mtd` source with a budget of 395 (unless `extra` sets one) and `extra` keys.
fn source(extra: &str) -> runbook::Source {
    let budget = if extra.contains("budget") {
        ""
    } else {
        "budget = 395"
    };
    let keys =
        format!("[[source]]\nid = \"cost_mtd\"\nkind = \"cost_explorer\"\n{budget}\n{extra}");
    support::sources_of("cost test", &keys).remove(0)
}

/// Explicit endpoint, region and static test credentials: nothing read from the machine's AWS
/// setup, nothing sent anywhere but 127.0.0.1.
fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIAFLIGHTDECKTEST",
            "flightdeck-test-secret",
            None,
            None,
            "flightdeck tests",
        )))
        .build()
}

fn number(polled: &CostPoll) -> f64 {
    match polled.reading {
        Reading::Number(v) => v,
        ref other => panic!("expected a number, got {other:?}"),
    }
}

fn error(polled: &CostPoll) -> &str {
    match &polled.reading {
        Reading::Error(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn names(polled: &CostPoll) -> Vec<(&str, f64)> {
    polled
        .report
        .as_ref()
        .expect("a report")
        .top
        .iter()
        .map(|(n, v)| (n.as_str(), *v))
        .collect()
}

/// The files in the cache directory.
fn cache_files(data_dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir(data_dir.join("cost-cache")) else {
        return vec![];
    };
    let mut files: Vec<_> = dir.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[tokio::test]
async fn month_to_date_top_services_and_projection_from_one_preset_month() {
    let moto = Moto::start();
    eprintln!("moto answered after {:?}", moto.startup);
    moto.preset_cost_and_usage(&[answer((2026, 12), DECEMBER, None)]);
    let data = tempfile::tempdir().unwrap();
    let polled = cost::poll(&sdk_config(&moto.endpoint()), &source(""), data.path(), NOW).await;

    assert_eq!(number(&polled), DECEMBER_MTD);
    let report = polled.report.as_ref().unwrap();
    assert_eq!(report.month_to_date, DECEMBER_MTD);
    assert_eq!(report.currency, "USD");
    assert_eq!(report.budget, Some(395.0));
    assert_eq!(report.as_of, NOW);
    assert!(!report.from_cache);
    assert_eq!(
        names(&polled),
        [
            (EC2, 44.5),
            (RDS, 9.0),
            (S3, 3.75),
            (LAMBDA, 0.5),
            (CLOUDWATCH, 0.25)
        ],
        "largest first, five kept"
    );
    // Moto has no GetCostForecast: the attempt fails and the month is projected.
    assert_eq!(
        report.forecast,
        Some(Forecast {
            month_end: DECEMBER_PROJECTION,
            method: ForecastMethod::Projection
        })
    );
    assert_eq!(
        polled.requests, 2,
        "one usage page and one forecast attempt"
    );

    let calls = moto.calls();
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["GetCostAndUsage", "GetCostForecast"],
        "no SDK retries"
    );
    assert_eq!(
        calls[0].body,
        json!({
            "TimePeriod": { "Start": "2026-12-01", "End": "2026-12-06" },
            "Granularity": "DAILY",
            "Metrics": ["UnblendedCost"],
            "GroupBy": [{ "Type": "DIMENSION", "Key": "SERVICE" }]
        })
    );
    assert_eq!(
        calls[1].body,
        json!({
            "TimePeriod": { "Start": "2026-12-05", "End": "2027-01-01" },
            "Metric": "UNBLENDED_COST",
            "Granularity": "MONTHLY"
        })
    );
}

#[tokio::test]
async fn every_page_is_followed_summed_and_billed() {
    let moto = Moto::start();
    let (first, rest) = DECEMBER.split_at(6);
    moto.preset_cost_and_usage(&[
        answer((2026, 12), first, Some("page-2")),
        answer((2026, 12), rest, None),
    ]);
    let data = tempfile::tempdir().unwrap();
    let polled = cost::poll(&sdk_config(&moto.endpoint()), &source(""), data.path(), NOW).await;

    assert_eq!(number(&polled), DECEMBER_MTD);
    assert_eq!(names(&polled)[0], (EC2, 44.5), "groups merged across pages");
    assert_eq!(
        polled.report.as_ref().unwrap().forecast.unwrap().month_end,
        DECEMBER_PROJECTION
    );
    assert_eq!(polled.requests, 3, "two pages and one forecast attempt");
    let calls = moto.calls();
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["GetCostAndUsage", "GetCostAndUsage", "GetCostForecast"]
    );
    assert_eq!(calls[0].body.get("NextPageToken"), None);
    assert_eq!(calls[1].body["NextPageToken"], "page-2");
    assert_eq!(calls[1].body["TimePeriod"], calls[0].body["TimePeriod"]);
}

#[tokio::test]
async fn tag_grouping_and_tag_filter_are_sent_and_tag_values_shown() {
    let moto = Moto::start();
    let tagged = answer(
        (2026, 12),
        &[
            (1, "team$checkout", "6.0"),
            (1, "team$", "1.0"),
            (2, "team$search", "2.5"),
            (2, "team$checkout", "6.0"),
        ],
        None,
    );
    // Two requests with different bodies: each takes one.
    moto.preset_cost_and_usage(&[tagged.clone(), tagged]);
    let data = tempfile::tempdir().unwrap();
    let config = sdk_config(&moto.endpoint());
    let polled = cost::poll(
        &config,
        &source("group_by = \"TAG:team\""),
        data.path(),
        NOW,
    )
    .await;
    assert_eq!(number(&polled), 15.5);
    assert_eq!(
        names(&polled),
        [("checkout", 12.0), ("search", 2.5), ("(untagged)", 1.0)]
    );

    let spec = "group_by = \"TAG:team\"\nmetric = \"AmortizedCost\"\nfilter = { tag = \"migration\", values = [\"cloudshelf\", \"shared\"] }";
    let polled = cost::poll(&config, &source(spec), data.path(), NOW).await;
    // The answer carries UnblendedCost while AmortizedCost was asked: none of it counts.
    assert_eq!(number(&polled), 0.0);
    assert_eq!(
        polled.requests, 2,
        "another query: not served from the first one's cache"
    );
    let calls = moto.calls();
    assert_eq!(calls.len(), 4);
    assert_eq!(
        calls[0].body["GroupBy"],
        json!([{ "Type": "TAG", "Key": "team" }])
    );
    assert_eq!(calls[0].body.get("Filter"), None);
    assert_eq!(
        calls[2].body,
        json!({
            "TimePeriod": { "Start": "2026-12-01", "End": "2026-12-06" },
            "Granularity": "DAILY",
            "Metrics": ["AmortizedCost"],
            "GroupBy": [{ "Type": "TAG", "Key": "team" }],
            "Filter": { "Tags": { "Key": "migration", "Values": ["cloudshelf", "shared"] } }
        })
    );
    assert_eq!(calls[3].body["Metric"], "AMORTIZED_COST");
    assert_eq!(calls[3].body["Filter"], calls[2].body["Filter"]);
}

#[tokio::test]
async fn a_fresh_cache_answers_without_a_request_even_after_a_restart() {
    let moto = Moto::start();
    moto.preset_cost_and_usage(&[answer((2026, 12), DECEMBER, None)]);
    let data = tempfile::tempdir().unwrap();
    let config = sdk_config(&moto.endpoint());
    let first = cost::poll(&config, &source(""), data.path(), NOW).await;
    assert_eq!(number(&first), DECEMBER_MTD);
    assert_eq!(moto.operations().len(), 2);

    // Moto forgets everything and holds a different answer: any new request would return 99.
    moto.reset();
    moto.preset_cost_and_usage(&[one_day((2026, 12), 5, EC2, "99.0")]);

    // A new poll (nothing in memory: as after a restart) 59 minutes later, with a new budget.
    let later = NOW + time::Duration::minutes(59);
    let again = cost::poll(&config, &source("budget = 500"), data.path(), later).await;
    assert_eq!(again.requests, 0);
    assert_eq!(number(&again), DECEMBER_MTD);
    let report = again.report.as_ref().unwrap();
    assert!(report.from_cache);
    assert_eq!(report.as_of, NOW, "the original fetch time");
    assert_eq!(
        report.budget,
        Some(500.0),
        "the budget is the runbook's, not the cache's"
    );
    assert_eq!(
        report.forecast,
        first.report.as_ref().unwrap().forecast,
        "the forecast is cached too"
    );
    assert_eq!(report.top, first.report.as_ref().unwrap().top);
    assert_eq!(moto.operations().len(), 2, "moto saw no new request");

    // The file: one per query, private, holding the fetch time.
    let files = cache_files(data.path());
    assert_eq!(files.len(), 1);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let stored: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(stored["fetched_at"], "2026-12-05T21:30:00Z");
}

#[tokio::test]
async fn a_stale_cache_or_last_months_is_refetched() {
    let moto = Moto::start();
    moto.preset_cost_and_usage(&[answer((2026, 12), DECEMBER, None)]);
    let data = tempfile::tempdir().unwrap();
    let config = sdk_config(&moto.endpoint());
    cost::poll(&config, &source(""), data.path(), NOW).await;

    // One interval (1h) later: stale, asked again. The same day asks the same period, which
    // moto would answer as before, so it forgets that answer first.
    moto.reset();
    moto.preset_cost_and_usage(&[one_day((2026, 12), 5, EC2, "99.0")]);
    let hour_later = NOW + time::Duration::hours(1);
    let refetched = cost::poll(&config, &source(""), data.path(), hour_later).await;
    assert_eq!(refetched.requests, 2);
    assert_eq!(number(&refetched), 99.0);
    let report = refetched.report.as_ref().unwrap();
    assert!(!report.from_cache);
    assert_eq!(report.as_of, hour_later);
    assert_eq!(cache_files(data.path()).len(), 1, "overwritten, not added");

    // A shorter interval makes the same answer stale sooner.
    moto.reset();
    moto.preset_cost_and_usage(&[one_day((2026, 12), 5, EC2, "7.0")]);
    let soon = hour_later + time::Duration::minutes(20);
    let polled = cost::poll(&config, &source("interval = \"15m\""), data.path(), soon).await;
    assert_eq!((polled.requests, number(&polled)), (2, 7.0));

    // Ten minutes into a new month, last month's answer is not this month's.
    let late = datetime!(2026-12-31 23:55:00 UTC);
    moto.preset_cost_and_usage(&[
        one_day((2026, 12), 31, EC2, "300.0"),
        one_day((2027, 1), 1, EC2, "0.5"),
    ]);
    let december = cost::poll(&config, &source(""), data.path(), late).await;
    assert_eq!((december.requests, number(&december)), (2, 300.0));
    let january = cost::poll(
        &config,
        &source(""),
        data.path(),
        late + time::Duration::minutes(10),
    )
    .await;
    assert_eq!((january.requests, number(&january)), (2, 0.5));
    // On the 1st no day is complete yet: no projection rather than a guess.
    assert_eq!(january.report.as_ref().unwrap().forecast, None);
    let last = moto.calls().into_iter().rev().nth(1).unwrap();
    assert_eq!(
        last.body["TimePeriod"],
        json!({ "Start": "2027-01-01", "End": "2027-01-02" })
    );
    // On the last day the projection is the month to date.
    assert_eq!(
        december
            .report
            .as_ref()
            .unwrap()
            .forecast
            .unwrap()
            .month_end,
        300.0
    );
}

#[tokio::test]
async fn a_corrupt_cache_file_is_refetched_and_replaced() {
    let moto = Moto::start();
    moto.preset_cost_and_usage(&[answer((2026, 12), DECEMBER, None)]);
    let data = tempfile::tempdir().unwrap();
    let config = sdk_config(&moto.endpoint());
    cost::poll(&config, &source(""), data.path(), NOW).await;
    let file = cache_files(data.path()).remove(0);

    for garbage in [&b"{\"version\": 1, \"query\""[..], b"\xff\xfe\x00", b""] {
        std::fs::write(&file, garbage).unwrap();
        let polled = cost::poll(&config, &source(""), data.path(), NOW).await;
        assert_eq!(polled.requests, 2, "refetched after {garbage:?}");
        assert_eq!(
            number(&polled),
            DECEMBER_MTD,
            "moto repeats its answer to one body"
        );
    }
    // Replaced by a readable file: the next poll is served from it.
    let cached = cost::poll(&config, &source(""), data.path(), NOW).await;
    assert_eq!(cached.requests, 0);
    assert!(cached.report.unwrap().from_cache);
    assert_eq!(moto.operations().len(), 8);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_one_clear_error_and_costs_nothing() {
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let data = tempfile::tempdir().unwrap();
    let began = Instant::now();
    let polled = cost::poll(
        &sdk_config(&endpoint),
        &source("timeout = \"5s\""),
        data.path(),
        NOW,
    )
    .await;
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(
        error(&polled),
        format!("cannot reach Cost Explorer at {endpoint}: Connection refused (os error 111)")
    );
    assert_eq!(polled.requests, 0);
    assert!(polled.report.is_none(), "nothing cached, nothing to show");
    assert!(cache_files(data.path()).is_empty(), "errors are not cached");
}

#[tokio::test]
async fn a_hanging_endpoint_is_cut_off_at_the_timeout() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let data = tempfile::tempdir().unwrap();
    let began = Instant::now();
    let polled = cost::poll(
        &sdk_config(&endpoint),
        &source("timeout = \"1s\""),
        data.path(),
        NOW,
    )
    .await;
    let took = began.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(error(&polled), "no answer from Cost Explorer within 1s");
    assert_eq!(polled.requests, 1, "it was sent: it may be billed");
    drop(listener);
}

#[tokio::test]
async fn when_cost_explorer_fails_the_last_answer_is_kept_beside_the_error() {
    let moto = Moto::start();
    moto.preset_cost_and_usage(&[answer((2026, 12), DECEMBER, None)]);
    let data = tempfile::tempdir().unwrap();
    let config = sdk_config(&moto.endpoint());
    cost::poll(&config, &source(""), data.path(), NOW).await;
    drop(moto);

    let later = NOW + time::Duration::hours(3);
    let polled = cost::poll(&config, &source(""), data.path(), later).await;
    assert!(
        error(&polled).starts_with("cannot reach Cost Explorer at http://127.0.0.1:"),
        "{:?}",
        polled.reading
    );
    let report = polled.report.as_ref().expect("the last answer");
    assert!(report.from_cache);
    assert_eq!(report.as_of, NOW);
    assert_eq!(report.month_to_date, DECEMBER_MTD);

    // Not last month's, though.
    let next_month = datetime!(2027-01-02 09:00:00 UTC);
    let polled = cost::poll(&config, &source(""), data.path(), next_month).await;
    assert!(matches!(polled.reading, Reading::Error(_)));
    assert!(polled.report.is_none());
}

#[tokio::test]
async fn rejected_credentials_and_garbage_amounts_are_clear_errors() {
    let moto = Moto::start();
    moto.preset_cost_and_usage(&[one_day((2026, 12), 1, EC2, "n/a")]);
    let data = tempfile::tempdir().unwrap();
    let config = sdk_config(&moto.endpoint());
    let garbage = cost::poll(&config, &source(""), data.path(), NOW).await;
    assert_eq!(
        error(&garbage),
        "Cost Explorer sent an unreadable amount \"n/a\""
    );
    assert_eq!(
        garbage.requests, 1,
        "the page was answered; no forecast after a failure"
    );
    assert_eq!(moto.operations(), ["GetCostAndUsage"]);

    moto.require_auth();
    let denied = cost::poll(&config, &source(""), data.path(), NOW).await;
    assert_eq!(
        error(&denied),
        "Cost Explorer refused the request (HTTP 403): check credentials and permissions"
    );
    assert_eq!(denied.requests, 1);
}

#[tokio::test]
async fn no_credentials_is_a_clear_error_without_a_request() {
    let moto = Moto::start();
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .build();
    let data = tempfile::tempdir().unwrap();
    let polled = cost::poll(&config, &source(""), data.path(), NOW).await;
    assert_eq!(
        error(&polled),
        "no AWS credentials: configure a profile, environment keys, SSO or an instance role"
    );
    assert_eq!(polled.requests, 0);
    assert!(moto.operations().is_empty());
}

#[tokio::test]
async fn the_poller_counts_billable_calls_and_attaches_the_report() {
    let moto = Moto::start();
    // Amounts on the 1st of the current month, whatever today is: moto answers any period.
    let today: Date = OffsetDateTime::now_utc().date();
    let month = (today.year(), u8::from(today.month()));
    moto.preset_cost_and_usage(&[answer(month, &[(1, EC2, "120.5"), (1, S3, "2.25")], None)]);
    let data = tempfile::tempdir().unwrap();
    let settings = Settings {
        cache_dir: data.path().to_path_buf(),
        aws: Target::default(),
    };
    let context = Context::new(
        settings,
        Configs::preset(Target::default(), sdk_config(&moto.endpoint())),
    );
    let job = Job::One(Box::new(source("")));

    let samples = poller::run_job(&job, &context).await;
    assert_eq!(samples.len(), 1);
    assert_eq!(samples[0].source, "cost_mtd");
    assert_eq!(samples[0].reading, Reading::Number(122.75));
    let Some(detail) = &samples[0].detail else {
        panic!("no cost detail")
    };
    let Detail::Cost(report) = detail.as_ref();
    assert_eq!(report.top[0], (EC2.to_string(), 120.5));
    assert_eq!(report.budget, Some(395.0));
    assert_eq!(context.calls().cost_explorer, 2);

    let again = poller::run_job(&job, &context).await;
    assert_eq!(again[0].reading, Reading::Number(122.75));
    let Detail::Cost(report) = again[0].detail.as_deref().unwrap();
    assert!(report.from_cache);
    assert_eq!(context.calls().cost_explorer, 2, "the cache costs nothing");
    assert_eq!(moto.operations().len(), 2);
}
