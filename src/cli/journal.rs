//! `flightdeck journal verify [--run ID]` and `flightdeck journal export`, on the local data
//! dir or, with `--journal postgres://…`, on the team store: the same text, the same check.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;

use super::team::{self, StoreArgs};
use crate::journal::record::verify_text;
use crate::journal::{output, runs};
use crate::paths;

/// A run's journal text and what to call it in messages, from whichever store is in use.
fn load(run: Option<&str>, store: &StoreArgs) -> Result<(String, String), ExitCode> {
    let fail = |(message, code): (String, ExitCode)| {
        eprintln!("error: {message}");
        code
    };
    if let Some(db) = store.open()? {
        return team::run_text(&db, run).map_err(fail);
    }
    let data_dir = paths::data_dir();
    let path = match run {
        Some(id) => runs::run_path(&data_dir, id),
        None => match runs::list(&data_dir).into_iter().next() {
            Some(p) => p,
            None => {
                return Err(fail((
                    format!("no runs in {}", runs::runs_dir(&data_dir).display()),
                    ExitCode::from(2),
                )));
            }
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok((path.display().to_string(), text)),
        Err(e) => Err(fail((
            format!("cannot read {}: {e}", path.display()),
            ExitCode::from(2),
        ))),
    }
}

pub fn verify(run: Option<String>, store: StoreArgs) -> ExitCode {
    let (name, text) = match load(run.as_deref(), &store) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let local = (!store.is_team()).then(|| std::path::PathBuf::from(&name));
    match verify_text(&text) {
        Ok(records) => {
            // A team run's kept output files are on the bastion that ran each command.
            let problems = match &local {
                Some(path) => output::check_all(path, &records),
                None => Vec::new(),
            };
            if !problems.is_empty() {
                for (id, problem) in &problems {
                    eprintln!("error: action {id}: {problem}");
                }
                eprintln!(
                    "the chain of {} records is intact, but {} kept output file(s) are not what the journal recorded",
                    records.len(),
                    problems.len()
                );
                return ExitCode::from(1);
            }
            let kept = records
                .iter()
                .filter(|r| {
                    matches!(
                        &r.event,
                        crate::journal::Event::ActionEnded {
                            output_file: Some(_),
                            ..
                        }
                    )
                })
                .count();
            let unseated = records.iter().filter(|r| r.without_seat.is_some()).count();
            let unseated = match unseated {
                0 => String::new(),
                n => format!(
                    "; {n} acted without the seat (the team store was unreachable; uploaded when it returned)"
                ),
            };
            println!(
                "ok: {name} ({} records, chain intact; {kept} kept output files match{unseated})",
                records.len()
            );
            ExitCode::SUCCESS
        }
        Err(bad) => {
            eprintln!("error: {name}:{}: {}", bad.line, bad.reason);
            eprintln!(
                "the journal was altered after it was written; records from line {} on cannot be trusted",
                bad.line
            );
            ExitCode::from(1)
        }
    }
}

/// Writes the run's journal, as it is, to a new file (mode 0600) that `journal verify` and
/// `report` can read offline. Refuses to overwrite a file.
pub fn export(run: Option<String>, store: StoreArgs, out: &Path) -> ExitCode {
    let (name, text) = match load(run.as_deref(), &store) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        });
    match written {
        Ok(()) => {
            println!(
                "exported {name} to {} ({} lines)",
                out.display(),
                text.lines().count()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}
