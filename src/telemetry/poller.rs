//! The poller: every source on its own interval, each poll cut off at the source's timeout,
//! exponential backoff with jitter after failures, a bound on how many polls run at once. It owns
//! its work and hands each owned `Sample` to a sink (the app's channel); it shares no state with
//! the UI.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Semaphore;

use super::aws::{self, Target};
use super::read_back::ReadBack;
use super::sample::{Calls, Detail, Reading, Sample};
use super::{cloudwatch, command, cost, http};
use crate::runbook::{Source, SourceSpec};

/// Polls in flight at once, whatever the number of sources.
pub const MAX_CONCURRENT_POLLS: usize = 32;

/// What the poller sends: owned values only.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Sample(Sample),
    /// The billable calls made so far this session, after each AWS call.
    Calls(Calls),
}

/// Where reports go; returns false when nobody listens any more.
pub type Sink = Arc<dyn Fn(Report) -> bool + Send + Sync>;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Holds the Cost Explorer cache (`paths::cache_dir()` in the cockpit and `status`).
    pub cache_dir: PathBuf,
    /// Region and profile for AWS sources that name none (runbook or command line).
    pub aws: Target,
}

impl Settings {
    /// Where an AWS source asks: its own region and profile, else these defaults.
    fn target(&self, region: &Option<String>, profile: &Option<String>) -> Target {
        Target {
            region: region.clone().or_else(|| self.aws.region.clone()),
            profile: profile.clone().or_else(|| self.aws.profile.clone()),
        }
    }
}

/// What all polls share: one HTTP client (connections reused), AWS configs per region and
/// profile, the readers of the traffic split, and the count of billable calls.
pub struct Context {
    pub http: reqwest::Client,
    pub aws: aws::Configs,
    pub settings: Settings,
    pub read_back: ReadBack,
    calls: Mutex<Calls>,
    /// Command polls under way, ended when the poller stops.
    commands: command::InFlight,
}

impl Context {
    pub fn new(settings: Settings, aws: aws::Configs) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("flightdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            http,
            aws,
            settings,
            read_back: ReadBack::default(),
            calls: Mutex::new(Calls::default()),
            commands: command::InFlight::default(),
        }
    }

    /// Reads the traffic split of read-back sources with `read_back` (the actuators' readers:
    /// `actions::traffic::read_back()`).
    pub fn reading_back(mut self, read_back: ReadBack) -> Self {
        self.read_back = read_back;
        self
    }

    pub fn calls(&self) -> Calls {
        *self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count(&self, add: impl FnOnce(&mut Calls)) -> Calls {
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        add(&mut calls);
        *calls
    }
}

/// A unit of polling: one source, or all CloudWatch sources of one region and profile (fetched
/// in one batched call).
#[derive(Debug, Clone)]
pub enum Job {
    One(Box<Source>),
    CloudWatch(Target, Vec<Source>),
}

impl Job {
    fn sources(&self) -> &[Source] {
        match self {
            Job::One(s) => std::slice::from_ref(s),
            Job::CloudWatch(_, sources) => sources,
        }
    }

    /// The most frequent interval of its sources.
    fn interval(&self) -> Duration {
        self.sources()
            .iter()
            .map(|s| s.interval)
            .min()
            .unwrap_or(Duration::from_secs(60))
    }

    /// The most patient timeout of its sources.
    fn timeout(&self) -> Duration {
        self.sources()
            .iter()
            .map(|s| s.timeout)
            .max()
            .unwrap_or(Duration::from_secs(10))
    }

    /// How long one poll of the job may take in all before it is cut off: the timeout applies
    /// per request, and a Cost Explorer poll makes several (usage pages, then the forecast).
    fn deadline(&self) -> Duration {
        let requests = match self {
            Job::One(s) if matches!(s.spec, SourceSpec::CostExplorer { .. }) => 4,
            _ => 1,
        };
        self.timeout() * requests + Duration::from_secs(1)
    }

    fn name(&self) -> &str {
        &self.sources()[0].id
    }
}

/// Groups sources into jobs: CloudWatch by region and profile, every other source alone.
pub fn plan(sources: Vec<Source>, settings: &Settings) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut groups: std::collections::BTreeMap<Target, Vec<Source>> = Default::default();
    for source in sources {
        if let SourceSpec::CloudWatch {
            region, profile, ..
        } = &source.spec
        {
            groups
                .entry(settings.target(region, profile))
                .or_default()
                .push(source);
        } else {
            jobs.push(Job::One(Box::new(source)));
        }
    }
    jobs.extend(groups.into_iter().map(|(t, s)| Job::CloudWatch(t, s)));
    jobs
}

/// Stops the poller when dropped.
pub struct Poller {
    runtime: Option<tokio::runtime::Runtime>,
    commands: command::InFlight,
}

impl Drop for Poller {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        // Blocking polls are abandoned, not awaited: their commands must not outlive us.
        self.commands.end_all();
    }
}

/// One worker: polling is waiting on sockets, and a thousand sources at 5 s are 200 requests a
/// second, which one thread serves with room to spare. A second worker only added the wake-ups
/// of work stealing (issue 13: CPU while idle). Commands poll on the blocking pool, so a slow
/// one never holds the worker.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("poller")
        .enable_all()
        .build()
}

/// Starts polling `sources` in the background, reporting to `sink`.
pub fn start(sources: Vec<Source>, context: Context, sink: Sink) -> std::io::Result<Poller> {
    let runtime = runtime()?;
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    let commands = context.commands.clone();
    let jobs = plan(sources, &context.settings);
    let context = Arc::new(context);
    let start = tokio::time::Instant::now();
    for (i, job) in jobs.into_iter().enumerate() {
        let (sink, permits, context) = (sink.clone(), permits.clone(), context.clone());
        let anchor = start + first_poll_offset(i);
        runtime.spawn(async move {
            tokio::time::sleep_until(anchor).await;
            poll_forever(job, context, sink, permits, anchor).await;
        });
    }
    Ok(Poller {
        runtime: Some(runtime),
        commands,
    })
}

/// Polls every source once, concurrently (bounded), and returns their samples in source order
/// with the billable calls made: what `flightdeck status` shows.
pub fn poll_all_once(
    sources: Vec<Source>,
    context: Context,
) -> std::io::Result<(Vec<Sample>, Calls)> {
    let order: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
    let runtime = runtime()?;
    let jobs = plan(sources, &context.settings);
    let context = Arc::new(context);
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    let mut samples: Vec<Sample> = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for job in jobs {
            let (context, permits) = (context.clone(), permits.clone());
            set.spawn(async move {
                let _permit = permits.acquire().await;
                run_job(&job, &context).await
            });
        }
        let mut all = Vec::new();
        while let Some(done) = set.join_next().await {
            all.extend(done.unwrap_or_default());
        }
        all
    });
    samples.sort_by_key(|s| order.iter().position(|id| *id == s.source));
    let calls = context.calls();
    runtime.shutdown_background();
    Ok((samples, calls))
}

async fn poll_forever(
    job: Job,
    context: Arc<Context>,
    sink: Sink,
    permits: Arc<Semaphore>,
    anchor: tokio::time::Instant,
) {
    let mut failures = 0u32;
    let calls_before = context.calls();
    let mut reported = calls_before;
    loop {
        let samples = {
            let Ok(_permit) = permits.acquire().await else {
                return;
            };
            run_job(&job, &context).await
        };
        let all_failed = samples
            .iter()
            .all(|s| matches!(s.reading, Reading::Error(_)));
        failures = if all_failed {
            failures.saturating_add(1)
        } else {
            0
        };
        for sample in samples {
            if !sink(Report::Sample(sample)) {
                return;
            }
        }
        let calls = context.calls();
        if calls != reported {
            reported = calls;
            if !sink(Report::Calls(calls)) {
                return;
            }
        }
        // A healthy source keeps to its grid; a failing one backs off with jitter, and its
        // first success brings it back onto the grid.
        let now = tokio::time::Instant::now();
        let due = if failures == 0 {
            anchor + next_on_grid(now - anchor, job.interval())
        } else {
            now + next_delay(job.interval(), failures, jitter_seed(job.name(), failures))
        };
        tokio::time::sleep_until(due).await;
    }
}

/// Slots per second that first polls are spread over. Few on purpose: sources in one slot
/// with one interval poll together for as long as they stay healthy, so fifty sources at
/// 1 s wake the poller and the cockpit a few times a second instead of fifty (issue 13);
/// the bound on polls in flight keeps a slot of a thousand sources from being one burst.
const FIRST_POLL_SLOTS: u64 = 4;

/// When the `i`th job first polls, after the poller starts: within the first second.
fn first_poll_offset(i: usize) -> Duration {
    let slot = (i as u64 * 3) % FIRST_POLL_SLOTS; // 3 is coprime to 4: neighbours differ
    Duration::from_millis(slot * 1000 / FIRST_POLL_SLOTS)
}

/// From the job's anchor, the first point of its grid (whole intervals) after `elapsed`.
pub fn next_on_grid(elapsed: Duration, interval: Duration) -> Duration {
    let step = interval.as_nanos().max(1);
    let periods = elapsed.as_nanos() / step + 1;
    Duration::from_nanos(u64::try_from(periods * step).unwrap_or(u64::MAX))
}

/// One poll of one job, never longer than its timeout: a sample per source.
pub async fn run_job(job: &Job, context: &Context) -> Vec<Sample> {
    let work = async {
        match job {
            Job::One(source) => vec![poll_one(source, context).await],
            Job::CloudWatch(target, sources) => {
                let config = context.aws.get(target).await;
                let group = cloudwatch::poll(&config, sources).await;
                context.count(|c| c.cloudwatch_metrics += group.metrics_requested);
                let at = OffsetDateTime::now_utc();
                group
                    .readings
                    .into_iter()
                    .map(|(id, reading)| Sample::new(id, at, reading))
                    .collect()
            }
        }
    };
    // Each kind enforces its own timeout; this guard covers whatever hangs beyond it (an SDK
    // probing for credentials, a stuck DNS lookup).
    match tokio::time::timeout(job.deadline(), work).await {
        Ok(samples) => samples,
        Err(_) => {
            let at = OffsetDateTime::now_utc();
            let why = format!("no answer within {}s", job.deadline().as_secs_f64());
            job.sources()
                .iter()
                .map(|s| Sample::new(s.id.clone(), at, Reading::Error(why.clone())))
                .collect()
        }
    }
}

async fn poll_one(source: &Source, context: &Context) -> Sample {
    let timeout = source.timeout;
    let reading = match &source.spec {
        SourceSpec::Command {
            command: cmd,
            pointer,
        } => {
            let (cmd, pointer) = (cmd.clone(), pointer.clone());
            let in_flight = context.commands.clone();
            tokio::task::spawn_blocking(move || {
                command::poll_tracked(&cmd, pointer.as_deref(), timeout, &in_flight)
            })
            .await
            .unwrap_or_else(|e| Reading::Error(format!("poll task failed: {e}")))
        }
        SourceSpec::Http { .. } | SourceSpec::HttpJson { .. } | SourceSpec::Prometheus { .. } => {
            http::poll(&context.http, &source.spec, timeout).await
        }
        SourceSpec::CostExplorer {
            region, profile, ..
        } => {
            let config = context
                .aws
                .get(&context.settings.target(region, profile))
                .await;
            let now = OffsetDateTime::now_utc();
            let polled = cost::poll(&config, source, &context.settings.cache_dir, now).await;
            context.count(|c| c.cost_explorer += polled.requests);
            let mut sample = Sample::new(source.id.clone(), now, polled.reading);
            sample.detail = polled.report.map(|r| Box::new(Detail::Cost(r)));
            return sample;
        }
        SourceSpec::CloudWatch { .. } => {
            Reading::Error("cloudwatch sources are polled in groups".into())
        }
        SourceSpec::AwsReadBack(actuator) => {
            let target = context.settings.target(&actuator.region, &actuator.profile);
            let config = context.aws.get(&target).await;
            let read = (context.read_back.aws)(config, actuator.mechanism.clone());
            match tokio::time::timeout(timeout, read).await {
                Ok(Ok(green)) => Reading::Number(green),
                Ok(Err(why)) => Reading::Error(why),
                Err(_) => Reading::Error(format!(
                    "no answer within {}",
                    crate::runbook::duration::format_duration(timeout)
                )),
            }
        }
        SourceSpec::ReadBack { get } => {
            let (get, read) = (get.clone(), context.read_back.command.clone());
            tokio::task::spawn_blocking(move || match read(&get, timeout) {
                Ok(green) => Reading::Number(green as f64),
                Err(why) => Reading::Error(why),
            })
            .await
            .unwrap_or_else(|e| Reading::Error(format!("poll task failed: {e}")))
        }
    };
    Sample::new(source.id.clone(), OffsetDateTime::now_utc(), reading)
}

/// After `failures` failed polls in a row: the interval doubled per failure, capped at eight
/// intervals (and at least the interval), with ±20 % jitter so sources that failed together do
/// not retry together.
pub fn next_delay(interval: Duration, failures: u32, seed: u64) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(3));
    let base = interval * factor;
    let jitter_permille = (seed % 401) as i64 - 200; // -200..=200 ‰ of the base
    if failures == 0 {
        return interval;
    }
    let ms = base.as_millis() as i64;
    Duration::from_millis(
        (ms + ms * jitter_permille / 1000).max(interval.as_millis() as i64) as u64,
    )
}

/// A cheap per-source, per-attempt number for jitter (no RNG dependency, still spread out).
fn jitter_seed(id: &str, attempt: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (attempt as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in id
        .bytes()
        .chain(OffsetDateTime::now_utc().nanosecond().to_le_bytes())
    {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_polls_keep_to_their_grid_whatever_a_poll_took() {
        let s = Duration::from_secs(1);
        let ms = Duration::from_millis;
        assert_eq!(next_on_grid(Duration::ZERO, s), s, "polled at the anchor");
        assert_eq!(
            next_on_grid(ms(30), s),
            s,
            "a 30 ms poll does not shift the grid"
        );
        assert_eq!(
            next_on_grid(s, s),
            ms(2000),
            "strictly after: never twice at once"
        );
        assert_eq!(
            next_on_grid(ms(2500), s),
            ms(3000),
            "a slow poll skips, not bunches"
        );
        assert_eq!(
            next_on_grid(ms(7), Duration::ZERO),
            ms(7) + Duration::from_nanos(1)
        );
    }

    #[test]
    fn first_polls_share_a_few_slots_within_a_second() {
        let offsets: std::collections::BTreeSet<_> = (0..50).map(first_poll_offset).collect();
        assert_eq!(offsets.len(), FIRST_POLL_SLOTS as usize);
        assert!(offsets.iter().all(|o| *o < Duration::from_secs(1)));
        assert_ne!(first_poll_offset(0), first_poll_offset(1));
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_within_bounds() {
        let i = Duration::from_secs(10);
        assert_eq!(
            next_delay(i, 0, 12345),
            i,
            "healthy sources keep their interval"
        );
        for failures in 1..10 {
            for seed in [0, 100, 200, 300, 400, 7777] {
                let d = next_delay(i, failures, seed);
                let base = i * 2u32.pow(failures.min(3));
                assert!(
                    d >= i && d <= base.mul_f64(1.2) && d >= base.mul_f64(0.8).max(i),
                    "f={failures} seed={seed} d={d:?}"
                );
            }
        }
        assert!(
            next_delay(i, 50, 200) <= Duration::from_secs(96),
            "capped at 8 intervals + 20 %"
        );
    }
}
