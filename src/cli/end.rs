//! `flightdeck end RUNBOOK [--rehearsal] [--reason TEXT]`: ends the runbook's open run on
//! purpose (completed when every step is finished, aborted when not), so the next
//! `flightdeck run` starts a fresh one. It needs the run's seat, like any write.

use std::process::ExitCode;

use time::OffsetDateTime;

use super::EndArgs;
use crate::app::Progress;
use crate::journal::event::{RunMode, RunOutcome};
use crate::journal::seat::{self, Claim, Holder};
use crate::journal::{self, Event, FileJournal, Journal, runs};
use crate::{paths, runbook, session};

pub fn run(args: EndArgs) -> ExitCode {
    let loaded = match runbook::load(&args.runbook) {
        Ok(l) => l,
        Err(invalid) => {
            eprintln!("{invalid}");
            return ExitCode::from(2);
        }
    };
    let mode = if args.rehearsal {
        RunMode::Rehearsal
    } else {
        RunMode::Live
    };
    let data_dir = paths::data_dir();
    let key = session::runbook_key(&args.runbook);
    let Some(path) = runs::open_run_for(&data_dir, &key, mode) else {
        eprintln!(
            "error: {} has no open {} run to end",
            args.runbook.display(),
            mode.label()
        );
        return ExitCode::from(2);
    };
    match end(&path, &loaded.runbook, args.reason) {
        Ok(said) => {
            println!("{said}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn end(
    path: &std::path::Path,
    runbook: &runbook::Runbook,
    reason: Option<String>,
) -> anyhow::Result<String> {
    let now = OffsetDateTime::now_utc();
    let _seat = match seat::claim(path, &Holder::me(now))? {
        Claim::Claimed(seat) => seat,
        Claim::Abandoned(abandoned) => abandoned.take(&Holder::me(now))?,
        Claim::Busy(holder) | Claim::Foreign(holder) => anyhow::bail!(
            "the run's seat is held by {}: end the run from that cockpit, or quit it first",
            holder.describe()
        ),
    };
    let mut journal = FileJournal::open(path, journal::operator())?;
    let records = journal.read()?;
    let progress = Progress::fold(session::timed(&records));
    if progress.open_actions().next().is_some() {
        anyhow::bail!(
            "an action of this run is in doubt (cut off by a crash): open the run with \
             `flightdeck run` and record what happened before ending it"
        );
    }
    let open: Vec<&str> = runbook
        .steps()
        .map(|(_, s)| s.id.as_str())
        .filter(|id| !progress.status(id).finished())
        .collect();
    let outcome = if open.is_empty() {
        RunOutcome::Completed
    } else {
        RunOutcome::Aborted
    };
    let reason = reason.unwrap_or_else(|| "ended with `flightdeck end`".into());
    journal.append(Event::RunEnded { outcome, reason }, &runbook.hash)?;
    let id = journal.identity().run.clone();
    Ok(match open.len() {
        0 => format!("run {id} ended: {}", outcome.word()),
        n => format!(
            "run {id} ended: {} with {n} step(s) open ({})",
            outcome.word(),
            open.join(", ")
        ),
    })
}
