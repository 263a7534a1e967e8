//! Opening a run in the team store: resume the runbook's open run of this mode or start one,
//! and take the seat if it is free; a cockpit without the seat follows the run, and may still
//! write notes and sign-offs under its operator's name. No terminal here.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use time::OffsetDateTime;

use super::{Session, Want, app_mode, changed_steps, runbook_key, timed};
use crate::app::{App, Layer, Mode};
use crate::journal::event::RunMode;
use crate::journal::pg::journal::NewRun;
use crate::journal::pg::seat::{self, TeamClaim, TeamHolder};
use crate::journal::pg::{Db, PgJournal, lease, runs};
use crate::journal::store::RunJournal;
use crate::journal::{self, Event, Identity, Journal, follow};
use crate::runbook::Runbook;

/// How long the seat's lease runs: `FLIGHTDECK_SEAT_LEASE` in seconds (at least 3), else 15 s.
pub fn lease_length() -> Duration {
    std::env::var("FLIGHTDECK_SEAT_LEASE")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(lease::DEFAULT_LENGTH, |s| Duration::from_secs(s.max(3)))
}

pub(crate) fn mode_word(mode: RunMode) -> &'static str {
    match mode {
        RunMode::Live => "live",
        RunMode::Rehearsal => "rehearsal",
    }
}

/// Opens the runbook's open run of the wanted mode in the team store, or a new one.
pub fn open(
    runbook: Runbook,
    runbook_path: &Path,
    db: Db,
    want: Want,
    data_dir: &Path,
) -> Result<Session> {
    if !want.read_only {
        upload_waiting(&db, data_dir)?;
    }
    let key = runbook_key(runbook_path);
    let existing = if want.new_run {
        None
    } else {
        runs::open_run_for(&db, &key, mode_word(want.mode)).map_err(anyhow::Error::msg)?
    };
    match (existing, want.read_only) {
        (Some(run), _) => resume(runbook, db, &run, want, data_dir),
        (None, false) => start(runbook, runbook_path, db, want.mode, data_dir),
        (None, true) => anyhow::bail!(
            "there is no open {} run of {} in the team store {} to watch",
            want.mode.label(),
            runbook_path.display(),
            db.target().redacted()
        ),
    }
}

/// Records an emergency rollback kept on this bastion without the seat, of any run of this
/// store, join their chains before anything else is opened: the cockpit that kept them may
/// have quit before the store returned, and the run may have been ended elsewhere meanwhile
/// (what was done was done). A file that cannot be uploaded stops the cockpit, named.
fn upload_waiting(db: &Db, data_dir: &Path) -> Result<()> {
    let dir = local_dir(data_dir)?;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(run) = name.strip_suffix(".without-seat.jsonl") else {
            continue;
        };
        // A run of another store waits for that one.
        if runs::find(db, run).map_err(anyhow::Error::msg)?.is_none() {
            continue;
        }
        let identity = Identity {
            operator: journal::operator(),
            run: run.to_string(),
        };
        let mut waiting = PgJournal::open(
            Db::lazy(db.target().clone()).map_err(anyhow::Error::msg)?,
            identity,
        )?;
        waiting.keep_local_copy(&dir);
        let uploaded = waiting.upload_without_seat().with_context(|| {
            format!(
                "records acted without the seat wait in {} and could not be uploaded; the file is left as it is",
                entry.path().display()
            )
        })?;
        tracing::warn!(
            run,
            count = uploaded.len(),
            "records acted without the seat uploaded"
        );
    }
    Ok(())
}

/// Where a team cockpit keeps its local copy of the records it writes: `<data dir>/team/`.
fn local_dir(data_dir: &Path) -> Result<std::path::PathBuf> {
    let dir = data_dir.join("team");
    super::create_private_dir(&dir)?;
    Ok(dir)
}

pub fn start(
    runbook: Runbook,
    runbook_path: &Path,
    db: Db,
    mode: RunMode,
    data_dir: &Path,
) -> Result<Session> {
    let now = OffsetDateTime::now_utc();
    let id = journal::runs::new_run_id(runbook_path, now);
    let run_id = runs::free_run_id(&db, &id).map_err(anyhow::Error::msg)?;
    let identity = Identity {
        operator: journal::operator(),
        run: run_id.clone(),
    };
    let key = runbook_key(runbook_path);
    let new = NewRun {
        runbook_key: &key,
        runbook_name: &runbook.meta.name,
        mode: mode_word(mode),
    };
    let local = local_dir(data_dir)?;
    let mut journal = PgJournal::create(
        db,
        identity.clone(),
        &new,
        &TeamHolder::me(),
        lease_length(),
    )?;
    let started = Event::RunStarted {
        runbook_path: key.clone(),
        runbook_name: runbook.meta.name.clone(),
        step_fingerprints: runbook.step_fingerprints(),
        mode: Some(mode),
    };
    journal.keep_local_copy(&local);
    let record = journal.append(started, &runbook.hash)?;
    let seen = follow::Position::after(std::slice::from_ref(&record));
    let mut app = App::new(runbook, identity.operator, run_id, now);
    app.mode = app_mode(mode);
    app.team = true;
    app.team_member = true;
    app.replay(timed(&[record]));
    app.selected = app.first_open_row();
    Ok(Session {
        app,
        journal: RunJournal::Team(Box::new(journal)),
        seat: None,
        team_expired: None,
        abandoned: None,
        changed: None,
        mode_with_seat: app_mode(mode),
        seen,
        written: Vec::new(),
    })
}

fn resume(runbook: Runbook, db: Db, run: &str, want: Want, data_dir: &Path) -> Result<Session> {
    let shown = db.target().redacted().to_string();
    let identity = Identity {
        operator: journal::operator(),
        run: run.to_string(),
    };
    let mut journal = PgJournal::open(db, identity.clone())?;
    // A watcher writes none, but reads kept command output beside it.
    journal.keep_local_copy(&local_dir(data_dir)?);
    let records = journal
        .read()
        .with_context(|| format!("cannot resume run {run} from {shown}; check it with `flightdeck journal verify --run {run}`"))?;
    let changed = changed_steps(&records, &runbook);
    let now = OffsetDateTime::now_utc();
    let mut app = App::new(runbook, identity.operator, identity.run, now);
    app.replay(timed(&records));
    app.mode = app_mode(want.mode);
    app.team = true;
    app.team_member = !want.read_only;
    let mut session = Session {
        app,
        journal: RunJournal::Team(Box::new(journal)),
        seat: None,
        team_expired: None,
        abandoned: None,
        changed,
        mode_with_seat: app_mode(want.mode),
        seen: follow::Position::after(&records),
        written: Vec::new(),
    };
    if want.read_only {
        session.app.mode = Mode::ReadOnly;
        return Ok(session);
    }
    let Some(team) = session.journal.team_mut() else {
        unreachable!("a team session has a team journal");
    };
    match seat::claim(team.db(), run, &TeamHolder::me(), lease_length())
        .map_err(anyhow::Error::msg)?
    {
        TeamClaim::Claimed(lease) => {
            team.hold(Arc::new(Mutex::new(lease)));
            session.continue_resume()?;
        }
        TeamClaim::Busy(holder) => {
            session.app.mode = Mode::ReadOnly;
            session.app.seat_note = Some(format!("seat held by {}", holder.describe()));
        }
        TeamClaim::Expired { previous, epoch } => {
            session.app.mode = Mode::ReadOnly;
            let described = previous.describe();
            session.app.seat_note = Some(format!("seat lease of {described} expired"));
            session.app.layers.push(Layer::TakeOver {
                previous: described,
                input: Default::default(),
            });
            session.team_expired = Some((previous, epoch));
            session.app.takeover_offered = Some(epoch);
        }
    }
    Ok(session)
}

impl Session {
    /// The follower saw the seat's lease run out: what a takeover would take, should the
    /// operator type the word.
    pub fn note_team_expired(&mut self, previous: TeamHolder, epoch: i64) {
        self.team_expired = Some((previous, epoch));
    }

    /// The operator typed the word over an expired lease: the seat becomes ours under a new
    /// epoch, unless someone renewed or took it meanwhile.
    pub(super) fn take_team_seat(&mut self, previous: TeamHolder, epoch: i64) -> Result<()> {
        let run = self.app.run_id.clone();
        let Some(team) = self.journal.team_mut() else {
            return Ok(());
        };
        let lease = seat::take_over(team.db(), &run, &TeamHolder::me(), epoch, lease_length())
            .map_err(anyhow::Error::msg)?;
        tracing::warn!(previous = %previous.describe(), epoch = lease.epoch, "team seat taken over");
        team.hold(Arc::new(Mutex::new(lease)));
        self.app.mode = self.mode_with_seat;
        self.app.seat_note = None;
        self.app.mode_before_loss = None;
        self.app.seat_expired = None;
        self.continue_resume()
    }
}
