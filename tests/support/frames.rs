//! Frames drawn into ratatui's test backend, and their text, for snapshot tests.

use flightdeck::app::App;
use flightdeck::theme::Theme;
use flightdeck::ui::{self, Look, glyphs};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// One frame of `app` at `w`x`h` in the dark theme.
pub fn render(app: &App, w: u16, h: u16, ascii: bool) -> Buffer {
    let theme = Theme::default_dark();
    let look = Look {
        theme: &theme,
        glyphs: glyphs::choose(ascii),
    };
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::draw(f, app, &look)).unwrap();
    term.backend().buffer().clone()
}

/// The frame as text, trailing blanks trimmed per row.
pub fn text(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    buf.content
        .chunks(w)
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
