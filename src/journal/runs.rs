//! Where runs live: one `<run id>.jsonl` per run under `<data dir>/runs/`. Run ids start with
//! the UTC start time, so sorting by name sorts by age.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

use super::event::RunMode;
use super::{Event, Record};

pub fn runs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("runs")
}

pub fn run_path(data_dir: &Path, run_id: &str) -> PathBuf {
    runs_dir(data_dir).join(format!("{run_id}.jsonl"))
}

/// `20261205T220000Z-cloudshelf`: start time, then the runbook file's name.
pub fn new_run_id(runbook_path: &Path, now: OffsetDateTime) -> String {
    let stamp = now
        .to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    let stem: String = runbook_path
        .file_stem()
        .map(|s| {
            s.to_string_lossy()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        })
        .unwrap_or_else(|| "run".into());
    format!("{stamp}-{stem}")
}

/// `id`, or `id-2`, `id-3`… when a run of that id exists: two runs begun in the same second
/// (a rehearsal, then the live run) each get their own journal.
pub fn free_run_id(data_dir: &Path, id: &str) -> String {
    (1..)
        .map(|n| match n {
            1 => id.to_string(),
            n => format!("{id}-{n}"),
        })
        .find(|candidate| !run_path(data_dir, candidate).exists())
        .unwrap_or_else(|| id.to_string())
}

/// Run journals, newest first.
pub fn list(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(runs_dir(data_dir)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    paths.reverse();
    paths
}

/// The first record of a run tells which runbook it walks.
pub fn runbook_of(journal: &Path) -> Option<String> {
    let file = std::fs::File::open(journal).ok()?;
    let first = BufReader::new(file).lines().next()?.ok()?;
    match serde_json::from_str::<Record>(&first).ok()?.event {
        Event::RunStarted { runbook_path, .. } => Some(runbook_path),
        _ => None,
    }
}

/// What decides whether a run is resumed: its mode and whether it was ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub mode: RunMode,
    pub ended: bool,
}

/// Reads a run's records for its mode and end; lines that do not parse are left to `verify`.
pub fn summary(journal: &Path) -> Option<RunSummary> {
    let file = std::fs::File::open(journal).ok()?;
    let events: Vec<Event> = BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Record>(&line).ok())
        .map(|r| r.event)
        .collect();
    let mode = match events.first()? {
        Event::RunStarted { mode: Some(m), .. } => *m,
        Event::RunStarted { mode: None, .. } => RunMode::of_old_run(&events),
        _ => return None,
    };
    let ended = events.iter().any(|e| matches!(e, Event::RunEnded { .. }));
    Some(RunSummary { mode, ended })
}

/// The newest run of this runbook (by its canonical path), whatever its mode or state: what
/// `report` and `journal verify` look at.
pub fn newest_run_of(data_dir: &Path, runbook_path: &str) -> Option<PathBuf> {
    list(data_dir)
        .into_iter()
        .find(|p| runbook_of(p).as_deref() == Some(runbook_path))
}

/// The run a new session of this mode resumes: the newest run of this runbook in this mode,
/// unless it was ended (then a fresh one starts). A rehearsal never resumes a live run, nor
/// the other way round.
pub fn open_run_for(data_dir: &Path, runbook_path: &str, mode: RunMode) -> Option<PathBuf> {
    list(data_dir)
        .into_iter()
        .filter(|p| runbook_of(p).as_deref() == Some(runbook_path))
        .find_map(|p| summary(&p).filter(|s| s.mode == mode).map(|s| (p, s)))
        .filter(|(_, s)| !s.ended)
        .map(|(p, _)| p)
}
