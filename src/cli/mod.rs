//! The command line: parses arguments and hands each subcommand to its module.
//! Exit codes: 0 ok, 1 runtime failure, 2 bad input.

mod journal;
mod run;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "flightdeck",
    version,
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
    /// Check runbooks and report every mistake with file:line:col and a fix.
    Validate {
        /// Runbook files to check.
        #[arg(required = true)]
        runbooks: Vec<PathBuf>,
    },
    /// Work with run journals.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
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
}

#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    /// Check the hash chain of a run's journal; names the first bad line.
    Verify {
        /// Run id (default: the most recent run).
        #[arg(long)]
        run: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { runbooks } => validate::run(&runbooks),
        Command::Run(args) => run::run(args),
        Command::Journal {
            command: JournalCommand::Verify { run },
        } => journal::verify(run),
    }
}

/// Logs go to a file in the data dir, never to the screen. The guard flushes on drop.
pub fn init_logging(
    data_dir: &std::path::Path,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = data_dir.join("logs");
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "flightdeck.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
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
