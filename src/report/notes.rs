//! Notes and skips, with who wrote them and when.

use super::markdown::{table, text, time};
use crate::journal::Record;
use crate::journal::event::Event;

pub fn section(records: &[Record]) -> String {
    let mut notes = Vec::new();
    let mut skips = Vec::new();
    for r in records {
        match &r.event {
            Event::NoteAdded { step, text: note } => notes.push(row(r, step, note)),
            Event::StepSkipped { step, reason } => skips.push(row(r, step, reason)),
            _ => {}
        }
    }
    let mut out = String::from("## Notes\n\n");
    if notes.is_empty() {
        out.push_str("No notes.\n\n");
    } else {
        out.push_str(&table(&["Time (UTC)", "Operator", "Step", "Note"], &notes));
    }
    out.push_str("## Skipped steps\n\n");
    if skips.is_empty() {
        out.push_str("No step was skipped.\n\n");
    } else {
        out.push_str(&table(
            &["Time (UTC)", "Operator", "Step", "Reason"],
            &skips,
        ));
    }
    out
}

fn row(r: &Record, step: &str, words: &str) -> Vec<String> {
    vec![time(&r.time), text(&r.operator), text(step), text(words)]
}
