//! `flightdeck validate FILE...`: every error of every file, then exit 2 if any.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::runbook;

pub fn run(paths: &[PathBuf]) -> ExitCode {
    let mut failed = 0;
    for path in paths {
        match runbook::load(path) {
            Ok(loaded) => {
                for w in &loaded.warnings {
                    eprintln!("{}\n", w.located(&path.display().to_string(), &loaded.text));
                }
                let rb = &loaded.runbook;
                let steps = rb.steps().count();
                println!(
                    "ok: {} ({} phases, {} steps, {} sources)",
                    path.display(),
                    rb.phases.len(),
                    steps,
                    rb.sources.len()
                );
            }
            Err(invalid) => {
                failed += 1;
                eprintln!("{invalid}");
                eprintln!(
                    "{}: {} error(s)\n",
                    path.display(),
                    invalid
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == runbook::Severity::Error)
                        .count()
                );
            }
        }
    }
    if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
