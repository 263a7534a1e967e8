//! The command line: parses arguments and hands each subcommand to its module.
//! Exit codes: 0 ok, 1 runtime failure, 2 bad input.

mod check;
mod check_scan;
mod demo;
mod end;
mod generate;
mod import;
mod journal;
mod report;
mod report_output;
mod run;
mod runs;
mod status;
mod status_gates;
mod team;
pub mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "flightdeck",
    // The version and commit, from build.rs: `flightdeck 0.1.0 (abc1234)`.
    version = env!("FLIGHTDECK_VERSION"),
    about = "A terminal cockpit for migration day"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Walk a runbook in the cockpit (resumes its open run unless --new-run).
    Run(RunArgs),
    /// Follow a runbook's open run read-only, as it is walked (same as `run --read-only`).
    Watch(WatchArgs),
    /// List the runs: runbook, mode, state, seat holder, last activity (the team store's with
    /// --journal).
    Runs(runs::RunsArgs),
    /// Check runbooks and report every mistake with file:line:col and a fix.
    Validate {
        /// Runbook files to check (`.toml` runbooks or `.md` guides).
        #[arg(required = true)]
        runbooks: Vec<PathBuf>,
        /// The sidecar of a guide (default: GUIDE.flightdeck.toml beside it).
        #[arg(long)]
        with: Option<PathBuf>,
    },
    /// Write a sidecar skeleton for a Markdown guide (or, with --toml, a TOML runbook).
    Import(import::ImportArgs),
    /// Poll every source once, evaluate every gate; exit 0 if the next gate's criteria pass
    /// (with no gate left: if every source is OK), 3 if not.
    Status(StatusArgs),
    /// Pre-flight: [vars] filled, environment variables set, programs on PATH, AWS credentials
    /// resolving, each source answering once; exit 0 only when all hold, 3 if not.
    Check(CheckArgs),
    /// End the runbook's open run on purpose (completed, or aborted with steps open): the next
    /// `run` starts a fresh one.
    End(EndArgs),
    /// Write a Markdown report of a run from its journal (default: the newest run).
    Report(ReportArgs),
    /// Try it with no cloud account: blue, green, a router with live traffic, replication and
    /// cost on 127.0.0.1, and a demo runbook wired to them (X makes green fail).
    Demo(demo::DemoArgs),
    /// Work with run journals.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Print a shell completion script to stdout (e.g. `flightdeck completions bash`).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, or write one page per command into --dir.
    Man {
        /// Write flightdeck.1 and flightdeck-<command>.1 into this directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The runbook to walk.
    pub runbook: PathBuf,
    /// Start a new run instead of resuming the open one.
    #[arg(long)]
    pub new_run: bool,
    /// Theme name (dark, light, high-contrast, colorblind) or a path to a theme file.
    #[arg(long, env = "FLIGHTDECK_THEME")]
    pub theme: Option<String>,
    /// Draw with ASCII only, for terminals without Unicode glyphs.
    #[arg(long)]
    pub ascii: bool,
    /// Walk the runbook without executing anything that mutates; telemetry stays live.
    #[arg(long, conflicts_with = "read_only")]
    pub rehearsal: bool,
    /// Observe the run: no action at all, nothing written, no seat taken.
    #[arg(long)]
    pub read_only: bool,
    /// `watch --rehearsal`: the run observed is the open rehearsal.
    #[arg(skip)]
    pub watch_rehearsal: bool,
    /// T-0 of this session (RFC 3339, e.g. 2026-12-05T22:00:00Z), over the runbook's `start`.
    #[arg(long, value_parser = parse_start)]
    pub start: Option<time::OffsetDateTime>,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub store: team::StoreArgs,
}

#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    /// The runbook whose open run to follow.
    pub runbook: PathBuf,
    /// Follow the open rehearsal run instead of the live one.
    #[arg(long)]
    pub rehearsal: bool,
    /// Theme name (dark, light, high-contrast, colorblind) or a path to a theme file.
    #[arg(long, env = "FLIGHTDECK_THEME")]
    pub theme: Option<String>,
    /// Draw with ASCII only, for terminals without Unicode glyphs.
    #[arg(long)]
    pub ascii: bool,
    #[command(flatten)]
    pub store: team::StoreArgs,
}

impl WatchArgs {
    /// `run --read-only` with the same runbook and look.
    pub fn into_run(self) -> RunArgs {
        RunArgs {
            runbook: self.runbook,
            new_run: false,
            theme: self.theme,
            ascii: self.ascii,
            rehearsal: false,
            read_only: true,
            start: None,
            load: LoadArgs::default(),
            store: self.store,
            watch_rehearsal: self.rehearsal,
        }
    }
}

fn parse_start(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(
        |_| "not an RFC 3339 time with an offset; write it like 2026-12-05T22:00:00Z".to_string(),
    )
}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The runbook whose sources to poll and gates to evaluate.
    pub runbook: PathBuf,
    /// Print JSON (shape in docs/status-json.md) instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The runbook to check before the day.
    pub runbook: PathBuf,
    /// Print the checklist as JSON (`ok`, and `items` of kind, name, ok, detail).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(clap::Args, Debug)]
pub struct EndArgs {
    /// The runbook whose open run ends.
    pub runbook: PathBuf,
    /// End the open rehearsal run instead of the live one.
    #[arg(long)]
    pub rehearsal: bool,
    /// Why the run ends, for the journal and the report.
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub store: team::StoreArgs,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Report the newest run of this runbook (default: the newest run of any runbook).
    pub runbook: Option<PathBuf>,
    /// The run to report, by id (the journal's file name without `.jsonl`); any run in the
    /// data dir.
    #[arg(long)]
    pub run: Option<String>,
    /// Write the report to this file (mode 0600, like the journal) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the whole kept output of this step's last action instead of the report (a step
    /// id, or '#N' for action N).
    #[arg(long, value_name = "STEP")]
    pub output: Option<String>,
    #[command(flatten)]
    pub store: team::StoreArgs,
}

/// Where AWS sources ask. Credentials come from the standard chain (environment, profiles, SSO,
/// instance role); endpoints from `AWS_ENDPOINT_URL` and its per-service variants.
#[derive(clap::Args, Debug, Default)]
pub struct AwsArgs {
    /// AWS profile for every AWS source (overrides the runbook's, since profile names are local).
    #[arg(long, env = "FLIGHTDECK_AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region for AWS sources that name none (neither the source nor `[runbook]`).
    #[arg(long)]
    pub region: Option<String>,
}

impl AwsArgs {
    /// The config file's profile and region where the command line gave none.
    pub fn or_config(self, config: &crate::config::Config) -> AwsArgs {
        AwsArgs {
            profile: self.profile.or_else(|| config.profile.clone()),
            region: self.region.or_else(|| config.region.clone()),
        }
    }

    /// Applies the flags to the runbook's AWS sources and its native traffic actuator.
    pub fn apply(&self, runbook: &mut crate::runbook::Runbook) {
        let actuator = runbook.traffic.as_mut().and_then(|t| match &mut t.set {
            crate::runbook::Actuator::Aws(a) => Some(a),
            _ => None,
        });
        let read_backs = runbook
            .sources
            .iter_mut()
            .filter_map(|s| match &mut s.spec {
                crate::runbook::SourceSpec::AwsReadBack(a) => Some(a),
                _ => None,
            });
        for a in actuator.into_iter().chain(read_backs) {
            if let Some(p) = &self.profile {
                a.profile = Some(p.clone());
            }
            if a.region.is_none() {
                a.region.clone_from(&self.region);
            }
        }
        for source in &mut runbook.sources {
            if let crate::runbook::SourceSpec::CloudWatch {
                region, profile, ..
            }
            | crate::runbook::SourceSpec::CostExplorer {
                region, profile, ..
            } = &mut source.spec
            {
                if let Some(p) = &self.profile {
                    *profile = Some(p.clone());
                }
                if region.is_none() {
                    region.clone_from(&self.region);
                }
            }
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    /// Check the hash chain of a run's journal; names the first bad line.
    Verify {
        /// Run id (default: the most recent run).
        #[arg(long)]
        run: Option<String>,
        #[command(flatten)]
        store: team::StoreArgs,
    },
    /// Copy a run's journal to a file, as it is: verify and report it offline.
    Export {
        /// Run id (default: the most recent run).
        #[arg(long)]
        run: Option<String>,
        /// The file to write (mode 0600); an existing file is not overwritten.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        store: team::StoreArgs,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { runbooks, with } => validate::run(&runbooks, with.as_deref()),
        Command::Import(args) => import::run(args),
        Command::Run(args) => run::run(args),
        Command::Watch(args) => run::run(args.into_run()),
        Command::Runs(args) => runs::run(args),
        Command::Status(args) => status::run(args),
        Command::Check(args) => check::run(args),
        Command::End(args) => end::run(args),
        Command::Report(args) => report::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Journal {
            command: JournalCommand::Verify { run, store },
        } => journal::verify(run, store),
        Command::Journal {
            command: JournalCommand::Export { run, out, store },
        } => journal::export(run, store, &out),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man { dir } => generate::man(dir.as_deref()),
    }
}

/// What `run`, `status` and `check` read a runbook with, besides its path: a guide's sidecar
/// and where AWS sources ask.
#[derive(clap::Args, Debug, Default)]
pub struct LoadArgs {
    /// The sidecar of a Markdown guide (default: GUIDE.flightdeck.toml beside it).
    #[arg(long)]
    pub with: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

impl LoadArgs {
    /// The config file and the runbook at `path`, with the AWS profile and region of the flags
    /// or the config applied: what `run`, `status` and `check` start from. Errors are printed;
    /// bad input is exit 2. `refusal` is a line after the runbook's diagnostics, when the
    /// command has one.
    pub fn load(
        self,
        path: &std::path::Path,
        refusal: Option<&str>,
    ) -> Result<(crate::config::Config, crate::runbook::Loaded), ExitCode> {
        let config = load_config()?;
        let mut loaded =
            crate::runbook::load_with(path, self.with.as_deref()).map_err(|invalid| {
                eprintln!("{invalid}");
                if let Some(line) = refusal {
                    eprintln!("{line}");
                }
                ExitCode::from(2)
            })?;
        self.aws.or_config(&config).apply(&mut loaded.runbook);
        Ok((config, loaded))
    }
}

/// What `status` and `check` poll with: the cost cache of the cockpit, the default AWS chain,
/// and the actuators' readers of the traffic split.
pub fn poll_context() -> crate::telemetry::poller::Context {
    let settings = crate::telemetry::poller::Settings {
        cache_dir: crate::paths::cache_dir(),
        ..Default::default()
    };
    crate::telemetry::poller::Context::new(settings, Default::default())
        .reading_back(crate::actions::traffic::read_back())
}

/// The config file, or its error printed: bad input, exit 2.
pub fn load_config() -> Result<crate::config::Config, ExitCode> {
    crate::config::Config::load().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

/// The cockpit draws with escape codes and reads keys: without a terminal on both ends it
/// would write a screenful of codes into a file or pipe and wait for keys that never come.
/// Said on stderr, bad input (exit 2); `status` is the command for scripts.
pub fn require_terminal(command: &str) -> Result<(), ExitCode> {
    use std::io::IsTerminal;
    let missing = match (
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
    ) {
        (true, true) => return Ok(()),
        (false, false) => "stdin and stdout are not",
        (false, true) => "stdin is not",
        (true, false) => "stdout is not",
    };
    eprintln!(
        "flightdeck {command} needs a terminal: {missing} one (redirected or piped?). \
         For a check from a script, use `flightdeck status RUNBOOK`."
    );
    Err(ExitCode::from(2))
}

/// Log lines queued for the writer thread at most.
const LOG_QUEUE_LINES: usize = 1024;

/// Logs go to `<state dir>/logs/flightdeck.log` (private, rotated: see `logfile`), never to the
/// screen. The guard flushes on drop.
pub fn init_logging(
    state_dir: &std::path::Path,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let file = crate::logfile::RotatingFile::open(
        &state_dir.join("logs"),
        crate::logfile::Limits::default(),
    )
    .ok()?;
    // The default queue holds 128,000 lines and is allocated and touched whole at start: 4 MB
    // of a cockpit that logs a few lines a minute (issue 13: RSS). A burst past this queue
    // drops lines rather than block the cockpit.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLIGHTDECK_LOG")
        .unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
