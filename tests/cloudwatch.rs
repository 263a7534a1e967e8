//! CloudWatch sources against a real LocalStack on 127.0.0.1: metrics are put with the SDK's
//! PutMetricData, then read back through `cloudwatch::poll`, the poller, and the production
//! config loader (in a child process with a controlled environment).

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::types::{MetricDatum, StandardUnit};
use flightdeck::runbook::unit::SourceUnit;
use flightdeck::runbook::{CloudWatchQuery, Direction, Panel, Source, SourceSpec, Thresholds};
use flightdeck::telemetry::aws::{Configs, Target};
use flightdeck::telemetry::cloudwatch;
use flightdeck::telemetry::poller::{self, Context, Job, Report, Settings};
use flightdeck::telemetry::{Level, Reading, Sample, level};
use support::localstack::{Account, LocalStack, a_minute_ago, free_port, put};

const NO_DATA: &str = "no datapoints in the last 5m";

fn source(id: &str, query: CloudWatchQuery) -> Source {
    Source {
        id: id.into(),
        label: id.into(),
        unit: SourceUnit::Count,
        interval: Duration::from_secs(60),
        timeout: Duration::from_secs(5),
        thresholds: Thresholds {
            warn: None,
            fail: None,
            direction: Direction::Above,
        },
        panel: Panel::Metrics,
        spec: SourceSpec::CloudWatch {
            query,
            period: Duration::from_secs(60),
            region: None,
            profile: None,
        },
    }
}

fn metric(id: &str, namespace: &str, name: &str, dims: &[(&str, &str)], stat: &str) -> Source {
    source(
        id,
        CloudWatchQuery::Metric {
            namespace: namespace.into(),
            metric: name.into(),
            dimensions: dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            stat: stat.into(),
        },
    )
}

fn by_id(readings: &[(String, Reading)], id: &str) -> Reading {
    readings
        .iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no reading for {id}: {readings:?}"))
        .1
        .clone()
}

#[tokio::test]
async fn statistics_come_back_with_their_values() {
    let server = LocalStack::shared();
    let account = Account::new("stats");
    let config = account.config(&server.endpoint());
    let ns = &account.namespace;
    put(
        &config,
        ns,
        "Latency",
        &[("Service", "api")],
        &[1.0, 2.0, 3.0, 10.0],
        None,
        a_minute_ago(),
    )
    .await;

    let dims = [("Service", "api")];
    let sources = [
        metric("sum", ns, "Latency", &dims, "Sum"),
        metric("avg", ns, "Latency", &dims, "Average"),
        metric("max", ns, "Latency", &dims, "Maximum"),
        metric("min", ns, "Latency", &dims, "Minimum"),
        metric("count", ns, "Latency", &dims, "SampleCount"),
    ];
    let polled = cloudwatch::poll(&config, &sources).await;
    let got: Vec<(&str, Reading)> = polled
        .readings
        .iter()
        .map(|(id, r)| (id.as_str(), r.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("sum", Reading::Number(16.0)),
            ("avg", Reading::Number(4.0)),
            ("max", Reading::Number(10.0)),
            ("min", Reading::Number(1.0)),
            ("count", Reading::Number(4.0)),
        ],
        "in source order, each with its statistic"
    );
    assert_eq!(polled.metrics_requested, 5);
}

#[tokio::test]
async fn dimensions_select_the_series_and_a_missing_metric_has_no_datapoints() {
    let server = LocalStack::shared();
    let account = Account::new("dims");
    let config = account.config(&server.endpoint());
    let ns = &account.namespace;
    let at = a_minute_ago();
    put(
        &config,
        ns,
        "Requests",
        &[("Color", "blue")],
        &[5.0, 5.0],
        None,
        at,
    )
    .await;
    put(
        &config,
        ns,
        "Requests",
        &[("Color", "green")],
        &[7.0],
        None,
        at,
    )
    .await;

    let sources = [
        metric("blue", ns, "Requests", &[("Color", "blue")], "Sum"),
        metric("green", ns, "Requests", &[("Color", "green")], "Sum"),
        metric("purple", ns, "Requests", &[("Color", "purple")], "Sum"),
        metric("never_put", ns, "NoSuchMetric", &[], "Average"),
    ];
    let polled = cloudwatch::poll(&config, &sources).await;
    assert_eq!(by_id(&polled.readings, "blue"), Reading::Number(10.0));
    assert_eq!(by_id(&polled.readings, "green"), Reading::Number(7.0));
    assert_eq!(
        by_id(&polled.readings, "purple"),
        Reading::Error(NO_DATA.into())
    );
    assert_eq!(
        by_id(&polled.readings, "never_put"),
        Reading::Error(NO_DATA.into())
    );
    assert_eq!(
        polled.metrics_requested, 4,
        "queries without data are billed too"
    );
}

#[tokio::test]
async fn time_metrics_arrive_in_the_unit_of_the_source() {
    let server = LocalStack::shared();
    let account = Account::new("units");
    let config = account.config(&server.endpoint());
    // An ALB publishes TargetResponseTime in seconds; the runbook wants milliseconds. The
    // account is this test's own, so the AWS namespace is too.
    let alb = [("LoadBalancer", "app/green/1")];
    put(
        &config,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        &alb,
        &[0.25],
        Some(StandardUnit::Seconds),
        a_minute_ago(),
    )
    .await;
    let mut in_ms = metric(
        "p_ms",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        &alb,
        "Average",
    );
    in_ms.unit = SourceUnit::parse("ms");
    let mut in_s = metric(
        "p_s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        &alb,
        "Average",
    );
    in_s.unit = SourceUnit::parse("s");
    let polled = cloudwatch::poll(&config, &[in_ms, in_s]).await;
    assert_eq!(by_id(&polled.readings, "p_ms"), Reading::Number(250.0));
    assert_eq!(by_id(&polled.readings, "p_s"), Reading::Number(0.25));
}

/// LocalStack 2026.3 answers no metric math (and no percentiles): its GetMetricData fails the
/// whole request with an internal error. What it does show: an expression travels in a request
/// of its own, so its failure leaves the plain metrics of the group untouched, and the failure
/// reads as one short line.
#[tokio::test]
async fn a_failing_expression_does_not_blank_the_plain_metrics() {
    let server = LocalStack::shared();
    let account = Account::new("expr");
    let config = account.config(&server.endpoint());
    let ns = &account.namespace;
    put(&config, ns, "Errors", &[], &[3.0], None, a_minute_ago()).await;

    let sources = [
        metric("errors", ns, "Errors", &[], "Sum"),
        source(
            "math",
            CloudWatchQuery::Expression(format!(
                "SUM(SEARCH('{{{ns}}} MetricName=\"Errors\"', 'Sum', 60))"
            )),
        ),
    ];
    let polled = cloudwatch::poll(&config, &sources).await;
    assert_eq!(by_id(&polled.readings, "errors"), Reading::Number(3.0));
    let Reading::Error(why) = by_id(&polled.readings, "math") else {
        panic!("LocalStack answered metric math: {:?}", polled.readings);
    };
    assert!(why.starts_with("CloudWatch: InternalError"), "{why}");
    assert!(!why.contains('\n') && why.chars().count() <= 160, "{why}");
    assert_eq!(
        polled.metrics_requested, 1,
        "two requests of one query each; the failed one is not billed"
    );
}

/// LocalStack takes any number of queries per request, so the split shows in its request log:
/// this test has a server of its own, where nothing else asks.
#[tokio::test]
async fn more_than_500_sources_are_split_and_all_answered() {
    let server = LocalStack::start_on(free_port());
    let account = Account::new("batch");
    let config = account.config(&server.endpoint());
    let ns = &account.namespace;
    let at = a_minute_ago();
    let client = aws_sdk_cloudwatch::Client::new(&config);
    // Distinct metric names, not dimension values: LocalStack matches dimensions by substring
    // (`Index=1` would also match `Index=10`), AWS exactly.
    let names: Vec<String> = (0..520).map(|i| format!("Metric{i:03}")).collect();
    for (c, chunk) in names.chunks(200).enumerate() {
        let data = chunk
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let i = (c * 200 + j) as f64;
                MetricDatum::builder()
                    .metric_name(name)
                    .timestamp(at)
                    .value(i * 1.5)
                    .build()
            })
            .collect();
        client
            .put_metric_data()
            .namespace(ns)
            .set_metric_data(Some(data))
            .send()
            .await
            .expect("PutMetricData");
    }
    let sources: Vec<Source> = names
        .iter()
        .map(|n| metric(&format!("src-{n}"), ns, n, &[], "Maximum"))
        .collect();
    let polled = cloudwatch::poll(&config, &sources).await;
    assert_eq!(polled.metrics_requested, 520);
    assert_eq!(
        server.requests("cloudwatch.GetMetricData"),
        2,
        "500 queries, then 20"
    );
    assert_eq!(polled.readings.len(), 520);
    for (i, (id, reading)) in polled.readings.iter().enumerate() {
        assert_eq!(id, &format!("src-Metric{i:03}"));
        assert_eq!(reading, &Reading::Number(i as f64 * 1.5), "{id}");
    }
}

#[tokio::test]
async fn a_closed_port_is_a_clear_error_within_the_timeout() {
    let port = free_port();
    let account = Account::new("closed");
    let endpoint = format!("http://127.0.0.1:{port}");
    let config = account.config(&endpoint);
    let sources = [
        metric("a", &account.namespace, "A", &[], "Sum"),
        metric("b", &account.namespace, "B", &[], "Sum"),
    ];
    let began = Instant::now();
    let polled = cloudwatch::poll(&config, &sources).await;
    let took = began.elapsed();
    let want = Reading::Error(format!(
        "CloudWatch endpoint at {endpoint} refused the connection"
    ));
    assert_eq!(by_id(&polled.readings, "a"), want);
    assert_eq!(by_id(&polled.readings, "b"), want);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(
        polled.metrics_requested, 0,
        "nothing answered, nothing billed"
    );
}

#[tokio::test]
async fn no_region_is_said_before_anything_is_sent() {
    let config = SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    let polled = cloudwatch::poll(&config, &[metric("a", "N", "A", &[], "Sum")]).await;
    assert_eq!(
        polled.readings,
        [(
            "a".to_string(),
            Reading::Error(
                "no AWS region (set region in the runbook or the source, AWS_REGION, or the profile's region)"
                    .into()
            )
        )]
    );
    assert_eq!(polled.metrics_requested, 0);
}

#[tokio::test]
async fn the_poller_runs_a_cloudwatch_job_and_counts_the_metrics() {
    let server = LocalStack::shared();
    let account = Account::new("poller");
    let config = account.config(&server.endpoint());
    let ns = &account.namespace;
    put(
        &config,
        ns,
        "CDCLatencyTarget",
        &[("Task", "t1")],
        &[4.0, 12.0],
        None,
        a_minute_ago(),
    )
    .await;
    let target = Target {
        region: Some("us-east-1".into()),
        profile: None,
    };
    let context = Context::new(Settings::default(), Configs::preset(target.clone(), config));
    let sources = vec![
        metric(
            "sync_lag",
            ns,
            "CDCLatencyTarget",
            &[("Task", "t1")],
            "Maximum",
        ),
        metric(
            "other",
            ns,
            "CDCLatencyTarget",
            &[("Task", "t2")],
            "Maximum",
        ),
    ];
    let samples = poller::run_job(&Job::CloudWatch(target, sources), &context).await;
    let got: Vec<(&str, &Reading)> = samples
        .iter()
        .map(|s| (s.source.as_str(), &s.reading))
        .collect();
    assert_eq!(
        got,
        [
            ("sync_lag", &Reading::Number(12.0)),
            ("other", &Reading::Error(NO_DATA.into()))
        ]
    );
    assert_eq!(context.calls().cloudwatch_metrics, 2);
}

/// LocalStack stopped mid-run: values turn to errors (so the cockpit shows them unknown), and
/// come back once it runs again on the same port. It keeps no state across restarts here (no
/// PERSISTENCE), so the metric is put again, with a new value to tell old from new.
#[test]
fn values_turn_to_errors_while_cloudwatch_is_down_and_come_back() {
    let port = free_port();
    let mut server = Some(LocalStack::start_on(port));
    eprintln!(
        "LocalStack started in {:?}",
        server.as_ref().unwrap().startup
    );
    let account = Account::new("restart");
    let endpoint = format!("http://127.0.0.1:{port}");
    let config = account.config(&endpoint);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = account.namespace.clone();
    rt.block_on(put(&config, &ns, "Lag", &[], &[11.0], None, a_minute_ago()));

    let mut lag = metric("lag", &ns, "Lag", &[], "Maximum");
    lag.interval = Duration::from_millis(500);
    lag.timeout = Duration::from_secs(2);
    let context = Context::new(
        Settings::default(),
        Configs::preset(Target::default(), config.clone()),
    );
    let (tx, rx) = mpsc::channel::<Sample>();
    let sink: poller::Sink = Arc::new(move |r| match r {
        Report::Sample(s) => tx.send(s).is_ok(),
        Report::Calls(_) => true,
    });
    let _poller = poller::start(vec![lag.clone()], context, sink).unwrap();

    // The first sample that is `want`; every sample before it must pass `meanwhile`.
    let wait_for = |want: Reading, limit: Duration, meanwhile: &dyn Fn(&Reading) -> bool| {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let Ok(sample) = rx.recv_timeout(left) else {
                panic!("no {want:?} within {limit:?}");
            };
            if sample.reading == want {
                return sample;
            }
            assert!(
                meanwhile(&sample.reading),
                "meanwhile: {:?}",
                sample.reading
            );
        }
    };
    let any = |_: &Reading| true;
    wait_for(Reading::Number(11.0), Duration::from_secs(15), &any);

    drop(server.take()); // kills LocalStack's process group
    // A poll in flight at the kill may end otherwise (a reset); no value may come meanwhile,
    // except the one answered just before the kill.
    let refused = Reading::Error(format!(
        "CloudWatch endpoint at {endpoint} refused the connection"
    ));
    let down = wait_for(refused, Duration::from_secs(15), &|r| {
        matches!(r, Reading::Error(_)) || *r == Reading::Number(11.0)
    });
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(level(&lag, Some(&down), now), Level::Unknown);
    let no_value = |r: &Reading| matches!(r, Reading::Error(_));

    server = Some(LocalStack::start_on(port));
    eprintln!(
        "LocalStack restarted in {:?}",
        server.as_ref().unwrap().startup
    );
    rt.block_on(put(&config, &ns, "Lag", &[], &[22.0], None, a_minute_ago()));
    // Failures back off up to eight intervals (4 s here) plus jitter. Until the new value,
    // only errors (the fresh server has no data before the put).
    wait_for(Reading::Number(22.0), Duration::from_secs(30), &no_value);
    drop(server);
}

/// Set in a child process of this test binary to the one test it runs.
const CHILD: &str = "FLIGHTDECK_CLOUDWATCH_CHILD";

/// Whether this process is the child running `test` (see `run_child`). Checked first thing, so
/// a child does none of its parent's setup.
fn is_child(test: &str) -> bool {
    std::env::var(CHILD).as_deref() == Ok(test)
}

/// Runs `test` again in a child process of this test binary with exactly `env` (plus PATH), so
/// the production config loader (`Configs::get`) sees a controlled environment: no credentials,
/// profiles of the test's making, endpoint variables. Panics unless the child passed.
fn run_child(test: &str, env: &[(&str, String)]) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env(CHILD, test)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run the test binary as a child");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "child {test} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn poll_through_configs(target: Target, sources: Vec<Source>) -> (Vec<Sample>, Duration) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let context = Context::new(Settings::default(), Configs::default());
    let began = Instant::now();
    let samples = rt.block_on(poller::run_job(&Job::CloudWatch(target, sources), &context));
    (samples, began.elapsed())
}

const NO_CREDENTIALS: &str = "no AWS credentials (set AWS_PROFILE or run aws sso login)";

/// No credentials anywhere (no env keys, no profile files, instance metadata disabled): an
/// error saying what to do, quickly, not a hang.
#[test]
fn missing_credentials_are_a_quick_clear_error() {
    const TEST: &str = "missing_credentials_are_a_quick_clear_error";
    if is_child(TEST) {
        let (samples, took) = poll_through_configs(
            Target::default(),
            vec![metric("lag", "Flightdeck/None", "Lag", &[], "Maximum")],
        );
        assert_eq!(samples[0].reading, Reading::Error(NO_CREDENTIALS.into()));
        assert!(took < Duration::from_secs(1), "took {took:?}");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    run_child(
        TEST,
        &[
            ("HOME", home.path().display().to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            // Were credentials found after all, the request would go here, not to AWS.
            (
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", free_port()),
            ),
        ],
    );
}

/// Instance metadata that accepts connections and never answers (a firewall, a broken proxy):
/// the poll still ends, well within the source timeout, with the same clear error.
#[test]
fn a_silent_instance_metadata_service_cannot_hang_the_poll() {
    const TEST: &str = "a_silent_instance_metadata_service_cannot_hang_the_poll";
    if is_child(TEST) {
        let mut lag = metric("lag", "Flightdeck/None", "Lag", &[], "Maximum");
        lag.timeout = Duration::from_secs(3);
        let (samples, took) = poll_through_configs(Target::default(), vec![lag]);
        // The SDK gives instance metadata about a second, then the chain has found nothing.
        assert_eq!(samples[0].reading, Reading::Error(NO_CREDENTIALS.into()));
        assert!(took < Duration::from_secs(3), "took {took:?}");
        return;
    }
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let home = tempfile::tempdir().unwrap();
    run_child(
        TEST,
        &[
            ("HOME", home.path().display().to_string()),
            ("AWS_REGION", "us-east-1".into()),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                format!("http://{}", silent.local_addr().unwrap()),
            ),
            (
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", free_port()),
            ),
        ],
    );
    drop(silent);
}

/// A fresh account on the shared LocalStack holding one `Lag` value, a minute old, for the tests
/// that read it back through the production config loader in a child process.
fn account_with_lag(name: &str, value: f64) -> (&'static LocalStack, Account) {
    let server = LocalStack::shared();
    let account = Account::new(name);
    let config = account.config(&server.endpoint());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = &account.namespace;
    rt.block_on(put(&config, ns, "Lag", &[], &[value], None, a_minute_ago()));
    (server, account)
}

/// The way an operator points Flightdeck somewhere: credentials and region in the environment,
/// `AWS_ENDPOINT_URL_CLOUDWATCH` for the endpoint, through the production config loader.
#[test]
fn environment_credentials_region_and_endpoint_variable_are_honoured() {
    const TEST: &str = "environment_credentials_region_and_endpoint_variable_are_honoured";
    if is_child(TEST) {
        let ns = std::env::var("NS").unwrap();
        let (samples, _) = poll_through_configs(
            Target::default(),
            vec![metric("lag", &ns, "Lag", &[], "Maximum")],
        );
        assert_eq!(samples[0].reading, Reading::Number(8.0));
        return;
    }
    let (server, account) = account_with_lag("env", 8.0);
    let home = tempfile::tempdir().unwrap();
    run_child(
        TEST,
        &[
            ("HOME", home.path().display().to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", account.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", "test-secret".into()),
            ("AWS_ENDPOINT_URL_CLOUDWATCH", server.endpoint()),
            ("NS", account.namespace.clone()),
        ],
    );
}

/// A profile named by the runbook (`Target.profile`) brings its region, keys and endpoint.
#[test]
fn a_runbook_profile_brings_region_credentials_and_endpoint() {
    const TEST: &str = "a_runbook_profile_brings_region_credentials_and_endpoint";
    if is_child(TEST) {
        let ns = std::env::var("NS").unwrap();
        let target = Target {
            region: None,
            profile: Some("migration".into()),
        };
        let (samples, _) =
            poll_through_configs(target, vec![metric("lag", &ns, "Lag", &[], "Maximum")]);
        assert_eq!(samples[0].reading, Reading::Number(9.0));
        return;
    }
    let (server, account) = account_with_lag("profile", 9.0);
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile migration]\nregion = us-east-1\nendpoint_url = {}\n",
            server.endpoint()
        ),
    )
    .unwrap();
    std::fs::write(
        aws.join("credentials"),
        format!(
            "[migration]\naws_access_key_id = {}\naws_secret_access_key = test-secret\n",
            account.access_key_id
        ),
    )
    .unwrap();
    run_child(
        TEST,
        &[
            ("HOME", home.path().display().to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("NS", account.namespace.clone()),
        ],
    );
}
