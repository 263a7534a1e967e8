//! Where runs live: one `<run id>.jsonl` per run under `<data dir>/runs/`. Run ids start with
//! the UTC start time, so sorting by name sorts by age.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

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

/// The newest run of this runbook (by its canonical path), which a new session resumes.
pub fn open_run_for(data_dir: &Path, runbook_path: &str) -> Option<PathBuf> {
    list(data_dir)
        .into_iter()
        .find(|p| runbook_of(p).as_deref() == Some(runbook_path))
}
