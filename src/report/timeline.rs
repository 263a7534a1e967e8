//! Every record, one row each: when, who, what (`Event::summary`).

use super::Input;
use super::markdown::{table, text, time};

pub fn section(input: &Input) -> String {
    let trusted = input.trusted();
    let rows: Vec<Vec<String>> = input
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // After a broken link nothing proves the record is what was written.
            let mark = if i >= trusted { "**UNVERIFIED** " } else { "" };
            vec![
                time(&r.time),
                text(&r.operator),
                format!("{mark}{}", text(&r.event.summary())),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "## Timeline\n\nThe journal holds no records.\n\n".into();
    }
    format!(
        "## Timeline\n\n{}",
        table(&["Time (UTC)", "Operator", "Event"], &rows)
    )
}
