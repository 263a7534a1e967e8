//! `flightdeck report [RUNBOOK] [--run ID] [--out FILE]`: picks a run, reads and verifies its
//! journal, loads the runbook it walked if that still loads, and writes the Markdown that
//! `report::render` makes of it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::ReportArgs;
use crate::journal::record::{parse_lines, verify_text};
use crate::journal::{Event, Record, runs};
use crate::report::{self, Chain, Plan};
use crate::{paths, runbook, session};

pub fn run(args: ReportArgs) -> ExitCode {
    let (name, text) = match journal_text(&args) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let path = std::path::PathBuf::from(&name);
    let records: Vec<Record> = parse_lines(&text).into_iter().map(|(_, r)| r).collect();
    if let Some(step) = &args.output {
        return super::report_output::print(&path, &records, step, args.out.as_deref());
    }
    let chain = match verify_text(&text) {
        Ok(_) => Chain::Intact,
        Err(bad) => {
            eprintln!(
                "warning: {}:{}: {}; the report marks the records from there on UNVERIFIED",
                name, bad.line, bad.reason
            );
            Chain::Broken {
                line: bad.line,
                reason: bad.reason,
            }
        }
    };
    let run_id = records.first().map_or_else(
        || {
            path.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        },
        |r| r.run.clone(),
    );
    let loaded = load_runbook(&records);
    let plan = match &loaded {
        Ok((book, path, changed)) => Plan::Runbook {
            runbook: book,
            path,
            changed: *changed,
        },
        Err(why) => Plan::JournalOnly { why: why.clone() },
    };
    let kept = super::report_output::gather(&path, &records);
    let markdown = report::render(&report::Input {
        run_id: &run_id,
        records: &records,
        chain,
        plan,
        kept: &kept,
    });
    match write(args.out.as_deref(), &markdown) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The run's journal text and its name for messages: from the team store with `--journal`,
/// else from the data dir.
fn journal_text(args: &ReportArgs) -> Result<(String, String), ExitCode> {
    if let Some(db) = args.store.open()? {
        let run = match (&args.run, &args.runbook) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(book)) => {
                let key = session::runbook_key(book);
                match crate::journal::pg::runs::list(&db, Some(&key)) {
                    Ok(runs) => match runs.into_iter().next() {
                        Some(r) => Some(r.run_id),
                        None => {
                            eprintln!("error: no run of {key} in the team store");
                            return Err(ExitCode::from(2));
                        }
                    },
                    Err(e) => {
                        eprintln!("error: team store: {e}");
                        return Err(ExitCode::from(1));
                    }
                }
            }
            (None, None) => None,
        };
        return super::team::run_text(&db, run.as_deref()).map_err(|(message, code)| {
            eprintln!("error: {message}");
            code
        });
    }
    let data_dir = paths::data_dir();
    let path = match select(&data_dir, args.runbook.as_deref(), args.run.as_deref()) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("error: {message}");
            return Err(ExitCode::from(2));
        }
    };
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok((path.display().to_string(), t)),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            Err(ExitCode::from(1))
        }
    }
}

/// `--run` wins (searched among every run; with RUNBOOK too, it must be a run of it), then the
/// newest run of RUNBOOK, then the newest run of all. Errors are the operator's to fix (exit 2).
fn select(data_dir: &Path, runbook: Option<&Path>, run: Option<&str>) -> Result<PathBuf, String> {
    let dir = runs::runs_dir(data_dir);
    let key = runbook.map(session::runbook_key);
    if let Some(id) = run {
        // A run id is a file name: nothing that could walk out of the runs directory.
        if id.is_empty() || id.contains('/') || id.starts_with('.') {
            return Err(format!(
                "`{id}` is not a run id (ids look like 20261205T220000Z-cloudshelf)"
            ));
        }
        let path = runs::run_path(data_dir, id);
        if !path.is_file() {
            return Err(format!(
                "no run `{id}` in {}{}",
                dir.display(),
                known_runs(data_dir)
            ));
        }
        if let Some(key) = key.filter(|k| runs::runbook_of(&path).as_ref() != Some(k)) {
            return Err(format!(
                "run `{id}` is not a run of {key}; drop RUNBOOK or pick one of its runs"
            ));
        }
        return Ok(path);
    }
    match key {
        Some(key) => runs::newest_run_of(data_dir, &key).ok_or_else(|| {
            format!(
                "no run of {key} in {}{}",
                dir.display(),
                known_runs(data_dir)
            )
        }),
        None => runs::list(data_dir).into_iter().next().ok_or_else(|| {
            format!(
                "no runs in {}; a run begins with `flightdeck run RUNBOOK`",
                dir.display()
            )
        }),
    }
}

/// `; newest runs there: a, b, c` to help pick one, or nothing when there are none.
fn known_runs(data_dir: &Path) -> String {
    let ids: Vec<String> = runs::list(data_dir)
        .iter()
        .take(5)
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!("; newest runs there: {}", ids.join(", "))
    }
}

/// The runbook the run walked (its path from `run_started`), with whether the file changed
/// since the run last accepted it; or why there is none.
fn load_runbook(records: &[Record]) -> Result<(runbook::Runbook, String, bool), String> {
    let Some(path) = records.iter().find_map(|r| match &r.event {
        Event::RunStarted { runbook_path, .. } => Some(runbook_path.clone()),
        _ => None,
    }) else {
        return Err("the journal has no run_started record naming it".into());
    };
    let accepted = records.iter().rev().find_map(|r| match r.event {
        Event::RunStarted { .. } | Event::RunResumed { .. } => Some(r.runbook_hash.as_str()),
        _ => None,
    });
    match runbook::load(Path::new(&path)) {
        Ok(loaded) => {
            let changed = accepted != Some(loaded.runbook.hash.as_str());
            Ok((loaded.runbook, path, changed))
        }
        Err(invalid) => {
            let first = invalid
                .diagnostics
                .first()
                .map_or(String::new(), |d| d.message.clone());
            Err(format!("{path}: {first}"))
        }
    }
}

/// To stdout, or to a new or truncated file that only its owner can read, like the journal
/// it comes from (command output may be in it).
fn write(out: Option<&Path>, markdown: &str) -> Result<(), String> {
    let Some(path) = out else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(markdown.as_bytes())
            .map_err(|e| format!("stdout: {e}"));
    };
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(markdown.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
