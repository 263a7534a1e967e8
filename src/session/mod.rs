//! Opening a run for a runbook: resume the newest run of this runbook (noting which steps
//! changed in the file since), or start a new one. No terminal here.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::{App, Layer, Mode};
use crate::journal::event::RunMode;
use crate::journal::seat::{self, Abandoned, Claim, Holder, Seat};
use crate::journal::store::RunJournal;
use crate::journal::{self, Event, FileJournal, Identity, Journal, Record, runs};
use crate::runbook::Runbook;

pub mod team;

pub struct Session {
    pub app: App,
    /// The mode once this session holds the seat: live, or rehearsal when asked for.
    pub mode_with_seat: Mode,
    pub journal: RunJournal,
    /// The actuating seat of the run, while this session holds it (local runs; a team run's
    /// seat is the lease its journal holds).
    pub seat: Option<Seat>,
    /// A team run's seat whose lease ran out: its holder and epoch, while the operator decides.
    team_expired: Option<(journal::pg::seat::TeamHolder, i64)>,
    /// A seat left by a dead session, held (flock) while the operator decides on a takeover.
    abandoned: Option<Abandoned>,
    /// Steps changed in the file since the run began, to confirm once the seat is taken.
    changed: Option<Vec<String>>,
    /// The last record replayed on opening: where an observer's follower picks up.
    pub seen: journal::follow::Position,
    /// Records this session appended after `seen` (a resumption): a team follower brings them
    /// back, and they must not be applied twice.
    pub written: Vec<u64>,
}

/// The canonical path of the runbook names its runs.
pub fn runbook_key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// How a session asks for its run.
#[derive(Debug, Clone, Copy)]
pub struct Want {
    /// Live or rehearsal: only a run of this mode is resumed, and a new run gets it.
    pub mode: RunMode,
    pub new_run: bool,
    /// Nothing is written and no seat is claimed: an observer's view of a run that exists.
    pub read_only: bool,
}

/// The app's mode for a run of this mode once the seat is held.
pub fn app_mode(mode: RunMode) -> Mode {
    match mode {
        RunMode::Live => Mode::Live,
        RunMode::Rehearsal => Mode::Rehearsal,
    }
}

/// Opens the runbook's newest open run of the wanted mode, or a new one.
pub fn open(runbook: Runbook, runbook_path: &Path, data_dir: &Path, want: Want) -> Result<Session> {
    let dir = runs::runs_dir(data_dir);
    create_private_dir(&dir)?;
    let key = runbook_key(runbook_path);
    let existing = if want.new_run {
        None
    } else {
        runs::open_run_for(data_dir, &key, want.mode)
    };
    match (existing, want.read_only) {
        (Some(path), _) => resume(runbook, &path, want),
        (None, false) => start(runbook, runbook_path, data_dir, want.mode),
        (None, true) => anyhow::bail!(
            "there is no open {} run of {} to observe; --read-only only opens a run that exists",
            want.mode.label(),
            runbook_path.display()
        ),
    }
}

pub fn start(
    runbook: Runbook,
    runbook_path: &Path,
    data_dir: &Path,
    mode: RunMode,
) -> Result<Session> {
    let now = OffsetDateTime::now_utc();
    let run_id = runs::free_run_id(data_dir, &runs::new_run_id(runbook_path, now));
    let path = runs::run_path(data_dir, &run_id);
    let identity = Identity {
        operator: journal::operator(),
        run: run_id.clone(),
    };
    let mut journal = FileJournal::create(&path, identity.clone())?;
    let seat = match seat::claim(&path, &Holder::me(now))? {
        Claim::Claimed(seat) => seat,
        _ => anyhow::bail!("the seat of the new run {run_id} is taken; try again"),
    };
    let started = Event::RunStarted {
        runbook_path: runbook_key(runbook_path),
        runbook_name: runbook.meta.name.clone(),
        step_fingerprints: runbook.step_fingerprints(),
        mode: Some(mode),
    };
    // Synced after the first frame (`Session::settle`): nothing is done before then.
    let record = journal.append_unsettled(started, &runbook.hash)?;
    let seen = journal::follow::Position::after(std::slice::from_ref(&record));
    let mut app = App::new(runbook, identity.operator, run_id, now);
    app.mode = app_mode(mode);
    app.replay(timed(&[record]));
    app.selected = app.first_open_row();
    Ok(Session {
        app,
        journal: RunJournal::File(journal),
        seat: Some(seat),
        team_expired: None,
        abandoned: None,
        changed: None,
        mode_with_seat: app_mode(mode),
        seen,
        written: Vec::new(),
    })
}

fn resume(runbook: Runbook, path: &Path, want: Want) -> Result<Session> {
    let journal = FileJournal::open(path, journal::operator())
        .with_context(|| {
        format!("cannot resume the run in {}; the file is left as it is. Start a fresh run with --new-run, and check the old one with `flightdeck journal verify`", path.display())
    })?;
    let records = journal.read()?;
    let changed = changed_steps(&records, &runbook);
    let now = OffsetDateTime::now_utc();
    let identity = journal.identity().clone();
    let mut app = App::new(runbook, identity.operator, identity.run, now);
    app.replay(timed(&records));
    if app.progress.mode.is_none() {
        app.progress.mode = Some(RunMode::of_old_run(records.iter().map(|r| &r.event)));
    }
    app.mode = app_mode(want.mode);
    let mut session = Session {
        app,
        journal: RunJournal::File(journal),
        seat: None,
        team_expired: None,
        abandoned: None,
        changed,
        mode_with_seat: app_mode(want.mode),
        seen: journal::follow::Position::after(&records),
        written: Vec::new(),
    };
    if want.read_only {
        session.app.mode = Mode::ReadOnly;
        return Ok(session);
    }
    match seat::claim(path, &Holder::me(now))? {
        Claim::Claimed(seat) => {
            session.seat = Some(seat);
            session.continue_resume()?;
        }
        Claim::Busy(holder) | Claim::Foreign(holder) => {
            session.app.mode = Mode::ReadOnly;
            session.app.seat_note = Some(format!("seat held by {}", holder.describe()));
        }
        Claim::Abandoned(abandoned) => {
            session.app.mode = Mode::ReadOnly;
            let previous = abandoned.previous.describe();
            session.app.seat_note = Some(format!("seat left by {previous}"));
            session.app.layers.push(Layer::TakeOver {
                previous,
                input: Default::default(),
            });
            session.abandoned = Some(abandoned);
        }
    }
    Ok(session)
}

impl Session {
    /// A new run's first record, written before the first frame, reaches the disk: called
    /// once the frame is drawn, before the first key is handled.
    pub fn settle(&mut self) -> Result<()> {
        self.journal
            .settle()
            .context("the new run's journal could not be synced")
    }

    /// The operator typed the word: the abandoned seat becomes ours and the run resumes.
    pub fn take_seat(&mut self) -> Result<()> {
        if let Some((previous, epoch)) = self.team_expired.take() {
            return self.take_team_seat(previous, epoch);
        }
        let Some(abandoned) = self.abandoned.take() else {
            return Ok(());
        };
        let previous = abandoned.previous.describe();
        self.seat = Some(abandoned.take(&Holder::me(OffsetDateTime::now_utc()))?);
        // The mode asked for on the command line, now that the seat allows acting.
        self.app.mode = self.mode_with_seat;
        self.app.seat_note = None;
        tracing::warn!(previous = %previous, "seat taken over");
        self.continue_resume()
    }

    /// The operator declined the takeover: stay an observer and let the seat go.
    pub fn decline_seat(&mut self) {
        self.abandoned = None;
        self.team_expired = None;
    }

    /// With the seat held: confirm a changed runbook first, or record the resumption.
    pub(crate) fn continue_resume(&mut self) -> Result<()> {
        match self.changed.take() {
            Some(changed) => self.app.layers.push(Layer::ConfirmResume { changed }),
            None => {
                let event = Event::RunResumed {
                    changed_steps: Vec::new(),
                    step_fingerprints: self.app.runbook.step_fingerprints(),
                };
                let record = self.journal.append(event.clone(), &self.app.runbook.hash)?;
                self.written.push(record.seq);
                let now = OffsetDateTime::now_utc();
                self.app
                    .progress
                    .apply(&event, now, &self.app.operator.clone());
            }
        }
        Ok(())
    }
}

/// Steps whose definition differs from what the run last accepted; `None` if the file is the same.
pub fn changed_steps(records: &[Record], runbook: &Runbook) -> Option<Vec<String>> {
    let (hash, accepted) = records.iter().rev().find_map(|r| match &r.event {
        Event::RunStarted {
            step_fingerprints, ..
        }
        | Event::RunResumed {
            step_fingerprints, ..
        } => Some((&r.runbook_hash, step_fingerprints)),
        _ => None,
    })?;
    if *hash == runbook.hash {
        return None;
    }
    let now: BTreeMap<String, String> = runbook.step_fingerprints();
    let mut changed: Vec<String> = now
        .iter()
        .filter(|(id, fp)| accepted.get(*id) != Some(fp))
        .map(|(id, _)| id.clone())
        .collect();
    changed.extend(
        accepted
            .keys()
            .filter(|id| !now.contains_key(*id))
            .map(|id| format!("{id} (removed)")),
    );
    if changed.is_empty() {
        changed.push("(no step changed: other parts of the file did)".into());
    }
    Some(changed)
}

/// Records as (time, operator, event) for `App::replay`.
pub fn timed(records: &[Record]) -> impl Iterator<Item = (OffsetDateTime, &str, &Event)> {
    records.iter().map(|r| {
        (
            OffsetDateTime::parse(&r.time, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            r.operator.as_str(),
            &r.event,
        )
    })
}

/// Creates `dir` (the runs dir) and its parent (the data dir) as 0700, and tightens them when
/// they existed looser: journals name hosts, operators and what was done. A directory that is
/// not ours, or shared on purpose (sticky, like /tmp), is left as it is.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    // SAFETY: geteuid has no preconditions and touches no memory.
    let me = unsafe { libc::geteuid() };
    for d in [Some(dir), dir.parent()].into_iter().flatten() {
        let Ok(meta) = std::fs::metadata(d) else {
            continue;
        };
        let ours = meta.uid() == me && meta.mode() & 0o1000 == 0;
        if ours && meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot make {} private", d.display()))?;
        }
    }
    Ok(())
}
