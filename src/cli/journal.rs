//! `flightdeck journal verify [--run ID]`.

use std::process::ExitCode;

use crate::journal::record::verify_text;
use crate::journal::{output, runs};
use crate::paths;

pub fn verify(run: Option<String>) -> ExitCode {
    let data_dir = paths::data_dir();
    let path = match run {
        Some(id) => runs::run_path(&data_dir, &id),
        None => match runs::list(&data_dir).into_iter().next() {
            Some(p) => p,
            None => {
                eprintln!("error: no runs in {}", runs::runs_dir(&data_dir).display());
                return ExitCode::from(2);
            }
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    match verify_text(&text) {
        Ok(records) => {
            let problems = output::check_all(&path, &records);
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
            println!(
                "ok: {} ({} records, chain intact; {kept} kept output files match)",
                path.display(),
                records.len()
            );
            ExitCode::SUCCESS
        }
        Err(bad) => {
            eprintln!("error: {}:{}: {}", path.display(), bad.line, bad.reason);
            eprintln!(
                "the journal was altered after it was written; records from line {} on cannot be trusted",
                bad.line
            );
            ExitCode::from(1)
        }
    }
}
