//! Hint lines of the dialogs: each key written as its layer's key table, and the config file,
//! have it, so a moved key is shown where it now is.

use std::borrow::Cow;

use ratatui::text::{Line, Span};

use super::Look;
use crate::app::App;
use crate::app::keymap::{Do, Table};

/// `key word  key word`: a dialog's hint line.
pub fn line<'a>(pairs: Vec<(Cow<'static, str>, &'a str)>, look: &Look) -> Line<'a> {
    Line::from(spans(pairs, Span::styled("  ", look.theme.text), look))
}

/// Each key in the key style and its word, `sep` between two pairs (the footer's ` · `).
pub fn spans<'a, K: Into<Cow<'a, str>>>(
    pairs: impl IntoIterator<Item = (K, &'a str)>,
    sep: Span<'a>,
    look: &Look,
) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (i, (key, word)) in pairs.into_iter().enumerate() {
        if i > 0 {
            spans.push(sep.clone());
        }
        spans.push(Span::styled(key, look.theme.key));
        spans.push(Span::styled(format!(" {word}"), look.theme.text));
    }
    spans
}

/// The hint line of `commands` of `table`, each with its word (`""`: the table's own).
pub fn of<'a>(
    app: &App,
    table: &'static Table<Do>,
    commands: &[(Do, &'a str)],
    look: &Look,
) -> Line<'a> {
    line(
        commands.iter().map(|c| pair(app, table, *c)).collect(),
        look,
    )
}

/// One command's keys and word.
pub fn pair<'a>(
    app: &App,
    table: &'static Table<Do>,
    (command, word): (Do, &'a str),
) -> (Cow<'static, str>, &'a str) {
    let keys = app.keys.of(table);
    let word = match word {
        "" => keys.binding(command).map_or("", |b| b.short),
        word => word,
    };
    (keys.label(command), word)
}

/// Two commands' keys as one, `a/b` (`PgUp/PgDn`).
pub fn both(app: &App, table: &'static Table<Do>, a: Do, b: Do, sep: &str) -> Cow<'static, str> {
    let keys = app.keys.of(table);
    Cow::Owned(format!("{}{sep}{}", keys.label(a), keys.label(b)))
}
