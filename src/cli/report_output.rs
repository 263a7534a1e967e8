//! The kept output files of a run, for the report: checked against the journal, and read
//! whole when small. And `flightdeck report --run ID --output STEP`: one action's whole output.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::journal::event::{Action, Event, OutputFile};
use crate::journal::{Record, output};
use crate::report::kept::{EMBED_BYTES, Kept, KeptOutputs};

/// Every kept file the records name, checked; the text of those small enough to embed.
pub fn gather(journal: &Path, records: &[Record]) -> KeptOutputs {
    let mut kept = KeptOutputs::new();
    for r in records {
        let Event::ActionEnded {
            id,
            output_file: Some(file),
            ..
        } = &r.event
        else {
            continue;
        };
        let mut bytes = Vec::new();
        let small = file.bytes <= EMBED_BYTES;
        let checked = output::read_checked(journal, file, |block| {
            if small && bytes.len() as u64 <= EMBED_BYTES {
                bytes.extend_from_slice(block);
            }
        });
        let (problem, text) = match checked {
            Ok(()) => (
                None,
                small.then(|| String::from_utf8_lossy(&bytes).into_owned()),
            ),
            Err(problem) => (Some(problem.to_string()), None),
        };
        kept.insert(*id, Kept { problem, text });
    }
    kept
}

/// The ended actions of `step` that kept their output (a step id, or `#N` for action N), in
/// the order they ran.
fn matching<'a>(records: &'a [Record], step: &str) -> Vec<(u64, &'a OutputFile)> {
    let by_id = step.strip_prefix('#').and_then(|n| n.parse::<u64>().ok());
    let mut steps = std::collections::BTreeMap::new();
    let mut found = Vec::new();
    for r in records {
        match &r.event {
            Event::ActionStarted { id, action, .. } => {
                let of_step = match action {
                    Action::Command { step, .. } => Some(step.as_str()),
                    Action::Shift { step, .. } => step.as_deref(),
                    _ => None,
                };
                steps.insert(*id, of_step == Some(step) || by_id == Some(*id));
            }
            Event::ActionEnded {
                id,
                output_file: Some(file),
                ..
            } if steps.get(id) == Some(&true) => found.push((*id, file)),
            _ => {}
        }
    }
    found
}

/// Prints the whole kept output of `step`'s last action to stdout (or `out`, 0600). Exit 1
/// when the file is missing or not what the journal recorded (what is there is still
/// printed, with a warning), 2 when the step kept no output.
pub fn print(journal: &Path, records: &[Record], step: &str, out: Option<&Path>) -> ExitCode {
    let found = matching(records, step);
    let Some(&(id, file)) = found.last() else {
        eprintln!(
            "error: no kept output for `{}` in {}: name a command step that ran, or '#N' for action N",
            crate::telemetry::sanitize::visible(step),
            journal.display()
        );
        return ExitCode::from(2);
    };
    if found.len() > 1 {
        let ids: Vec<String> = found.iter().map(|(id, _)| format!("'#{id}'")).collect();
        eprintln!(
            "note: `{step}` ran {} times ({}); this is the last, action {id}",
            found.len(),
            ids.join(", ")
        );
    }
    let mut sink: Box<dyn Write> = match out {
        None => Box::new(std::io::stdout().lock()),
        Some(path) => {
            use std::os::unix::fs::OpenOptionsExt;
            match std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path)
            {
                Ok(f) => Box::new(std::io::BufWriter::new(f)),
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
        }
    };
    let mut write_failed = None;
    let checked = output::read_checked(journal, file, |block| {
        if write_failed.is_none()
            && let Err(e) = sink.write_all(block)
        {
            write_failed = Some(e);
        }
    });
    let flushed = sink.flush();
    if let Some(e) = write_failed.or(flushed.err()) {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    match checked {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: action {id}: {problem}");
            ExitCode::from(1)
        }
    }
}
