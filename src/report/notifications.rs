//! What the `[[notify]]` webhooks were told, and what could not be sent.

use super::markdown::{table, text, time};
use crate::journal::Record;
use crate::journal::event::Event;

pub fn section(records: &[Record]) -> String {
    let rows: Vec<Vec<String>> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::NotificationSent {
                target,
                topic,
                ok,
                attempts,
                detail,
                text: message,
            } => Some(vec![
                time(&r.time),
                text(target),
                topic.name().into(),
                if *ok {
                    format!("sent ({})", text(detail))
                } else {
                    format!("**FAILED** after {attempts} attempt(s): {}", text(detail))
                },
                text(message),
            ]),
            _ => None,
        })
        .collect();
    // A run without webhooks says nothing about them.
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from("## Notifications\n\n");
    out.push_str(&table(
        &["Time (UTC)", "Webhook", "Event", "Outcome", "Message"],
        &rows,
    ));
    out
}
