//! `flightdeck validate FILE...`: every error of every file, then exit 2 if any.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::runbook::{self, Invalid, Loaded};
use crate::telemetry::sanitize::visible;

pub fn run(paths: &[PathBuf], with: Option<&std::path::Path>) -> ExitCode {
    let mut failed = 0;
    for path in paths {
        let result = runbook::load_with(path, with);
        let shown = Shown::of(&path.display().to_string(), &result);
        if result.is_err() {
            failed += 1;
        }
        print!("{}", shown.stdout);
        eprint!("{}", shown.stderr);
    }
    if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// What `validate` prints for one file. Everything taken from the file (and its name) has
/// its control characters written out, so a runbook cannot drive the terminal.
pub struct Shown {
    pub stdout: String,
    pub stderr: String,
}

impl Shown {
    pub fn of(path: &str, result: &Result<Loaded, Invalid>) -> Self {
        let mut stdout = String::new();
        let mut stderr = String::new();
        match result {
            Ok(loaded) => {
                for w in &loaded.warnings {
                    stderr.push_str(&format!("{}\n\n", loaded.locate(path, w)));
                }
                let rb = &loaded.runbook;
                stdout.push_str(&format!(
                    "ok: {} ({} phases, {} steps, {} sources)\n",
                    visible(path),
                    rb.phases.len(),
                    rb.steps().count(),
                    rb.sources.len()
                ));
            }
            Err(invalid) => {
                let errors = invalid
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == runbook::Severity::Error)
                    .count();
                stderr.push_str(&format!("{invalid}\n"));
                stderr.push_str(&format!("{}: {errors} error(s)\n\n", visible(path)));
            }
        }
        Self { stdout, stderr }
    }
}
