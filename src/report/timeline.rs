//! Every record, one row each: when, who, what (`Event::summary`).

use super::Input;
use super::facts::ActionRun;
use super::markdown::{table, text, time};
use crate::journal::event::Event;

pub fn section(input: &Input, actions: &[ActionRun]) -> String {
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
                format!(
                    "{mark}{}{}",
                    without_seat(r),
                    text(&summary(&r.event, actions))
                ),
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

/// The mark of a record acted without the seat (the team store was unreachable), with when
/// the store took it; its time is the bastion's clock.
pub fn without_seat(r: &crate::journal::Record) -> String {
    match &r.without_seat {
        None => String::new(),
        Some(mark) => match &mark.uploaded {
            Some(at) => format!(
                "**ACTED WITHOUT THE SEAT** (bastion clock; uploaded {} UTC) ",
                time(at)
            ),
            None => "**ACTED WITHOUT THE SEAT** (bastion clock; not uploaded) ".into(),
        },
    }
}

/// `Event::summary`, with the action named on an end or resolution (the journal gives only its
/// id there), so a row reads on its own.
fn summary(event: &Event, actions: &[ActionRun]) -> String {
    let id = match event {
        Event::ActionEnded { id, .. }
        | Event::ActionResolved { id, .. }
        | Event::ActionProcess { id, .. }
        | Event::OrphanStopAsked { id, .. }
        | Event::OrphanStopped { id, .. } => *id,
        _ => return event.summary(),
    };
    match actions.iter().find(|a| a.id == id) {
        Some(a) => format!("{} {}", a.action.summary(), event.summary()),
        None => event.summary(),
    }
}
