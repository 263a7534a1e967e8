//! `flightdeck end RUNBOOK [--rehearsal] [--reason TEXT]`: ends the runbook's open run on
//! purpose (completed when every step is finished, aborted when not), so the next
//! `flightdeck run` starts a fresh one. It needs the run's seat, like any write; with
//! `--journal postgres://…` (or `FLIGHTDECK_DATABASE_URL`) the run is the team store's, and
//! its seat the lease there.

use std::process::ExitCode;

use time::OffsetDateTime;

use super::EndArgs;
use crate::app::Progress;
use crate::journal::event::{RunMode, RunOutcome};
use crate::journal::pg;
use crate::journal::pg::seat::{self as team_seat, TeamClaim, TeamHolder};
use crate::journal::seat::{self, Claim, Holder};
use crate::journal::{self, Event, FileJournal, Journal, runs};
use crate::{paths, runbook, session};
use std::sync::{Arc, Mutex};

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
    let key = session::runbook_key(&args.runbook);
    let no_run = || {
        eprintln!(
            "error: {} has no open {} run to end",
            args.runbook.display(),
            mode.label()
        );
        ExitCode::from(2)
    };
    let db = match args.store.open() {
        Ok(db) => db,
        Err(code) => return code,
    };
    let ended = if let Some(db) = db {
        let found = pg::runs::open_run_for(&db, &key, session::team::mode_word(mode));
        match found {
            Ok(Some(run)) => end_team(db, run, &loaded.runbook, args.reason),
            Ok(None) => return no_run(),
            Err(e) => Err(anyhow::anyhow!("team store: {e}")),
        }
    } else {
        let data_dir = paths::data_dir();
        let Some(path) = runs::open_run_for(&data_dir, &key, mode) else {
            return no_run();
        };
        end(&path, &loaded.runbook, args.reason)
    };
    match ended {
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
    finish(&mut journal, runbook, reason)
}

/// The team run's end: its seat claimed, or taken over when its lease ran out (as a local
/// seat left by a dead session is), for the one record; released again when done.
fn end_team(
    db: pg::Db,
    run: String,
    runbook: &runbook::Runbook,
    reason: Option<String>,
) -> anyhow::Result<String> {
    let me = TeamHolder::me();
    let length = session::team::lease_length();
    let lease = match team_seat::claim(&db, &run, &me, length).map_err(anyhow::Error::msg)? {
        TeamClaim::Claimed(lease) => lease,
        TeamClaim::Expired { epoch, .. } => {
            team_seat::take_over(&db, &run, &me, epoch, length).map_err(anyhow::Error::msg)?
        }
        TeamClaim::Busy(holder) => anyhow::bail!(
            "the run's seat is held by {}: end the run from that cockpit, or quit it first",
            holder.describe()
        ),
    };
    let identity = journal::Identity {
        operator: me.operator.clone(),
        run,
    };
    let mut journal = pg::PgJournal::open(db, identity)?;
    // Held for this one record; dropping the journal releases it.
    journal.hold(Arc::new(Mutex::new(lease)));
    finish(&mut journal, runbook, reason)
}

/// With the seat held: refuses while an action is in doubt, else appends the end.
fn finish(
    journal: &mut impl Journal,
    runbook: &runbook::Runbook,
    reason: Option<String>,
) -> anyhow::Result<String> {
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
