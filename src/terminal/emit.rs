//! Changed cells to the fewest bytes a terminal needs: what goes over a slow SSH link.
//!
//! ratatui's crossterm backend writes each colour as a 256-colour code (`ESC[38;5;8m` where
//! `ESC[90m` says the same), a separate code per attribute, a cursor move for every gap however
//! short, and resets everything at the end of each frame. The pen here remembers across frames
//! where the cursor is and which style is set, sends one SGR per change with the shorter of an
//! incremental or a from-reset form, and bridges a short gap on the same row by reprinting the
//! few unchanged plain cells instead of moving.

use std::io::{self, Write};

use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// Up to this many unchanged cells are reprinted rather than skipped with a cursor move
/// (`ESC[r;cH` is six to eight bytes).
const MAX_BRIDGE: u16 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    fn of(cell: &Cell) -> Self {
        Self {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }
}

/// What the terminal is known to show and where its cursor and style are.
#[derive(Debug, Default)]
pub struct Screen {
    width: u16,
    /// The cells on the terminal, row by row: the unchanged ones a bridge reprints.
    cells: Vec<Cell>,
    /// Where the next printed character lands, when known.
    cursor: Option<(u16, u16)>,
    /// The style set on the terminal, when known.
    pen: Option<Pen>,
}

impl Screen {
    /// A blank screen of this size with nothing known about the cursor or the style.
    pub fn reset(&mut self, width: u16, height: u16) {
        self.width = width;
        self.cells = vec![Cell::default(); usize::from(width) * usize::from(height)];
        self.cursor = None;
        self.pen = None;
    }

    /// The cursor was moved by someone else: where the next character lands is not known.
    pub fn forget_cursor(&mut self) {
        self.cursor = None;
    }

    /// A partial erase: what the cells show is not known, so none is reprinted as a bridge.
    pub fn distrust_cells(&mut self) {
        for cell in &mut self.cells {
            cell.set_symbol("\u{fffd}");
        }
    }

    /// Writes the changed cells, in ratatui's diff order (row by row, left to right).
    pub fn draw<'a>(
        &mut self,
        out: &mut impl Write,
        content: impl Iterator<Item = (u16, u16, &'a Cell)>,
    ) -> io::Result<()> {
        for (x, y, cell) in content {
            if self.cursor != Some((x, y)) && !self.bridge(out, x, y)? {
                write!(out, "\x1b[{};{}H", y + 1, x + 1)?;
            }
            let pen = Pen::of(cell);
            if self.pen != Some(pen) {
                sgr(out, self.pen, pen)?;
                self.pen = Some(pen);
            }
            self.print(out, x, y, cell)?;
        }
        Ok(())
    }

    fn print(&mut self, out: &mut impl Write, x: u16, y: u16, cell: &Cell) -> io::Result<()> {
        let symbol = cell.symbol();
        out.write_all(symbol.as_bytes())?;
        let advance = symbol.width() as u16;
        // Past the last column the terminal waits to wrap: where the next character goes
        // depends on the terminal, so the next one moves there explicitly.
        self.cursor = (advance > 0 && x + advance < self.width).then_some((x + advance, y));
        let at = self.index(x, y);
        if let Some(slot) = self.cells.get_mut(at) {
            slot.clone_from(cell);
        }
        Ok(())
    }

    /// Reprints the unchanged cells between the cursor and `(x, y)` when that is shorter than
    /// a move: only plain ASCII cells in the style already set, on the same row.
    fn bridge(&mut self, out: &mut impl Write, x: u16, y: u16) -> io::Result<bool> {
        let (Some((cx, cy)), Some(pen)) = (self.cursor, self.pen) else {
            return Ok(false);
        };
        if cy != y || cx >= x || x - cx > MAX_BRIDGE {
            return Ok(false);
        }
        let (from, to) = (self.index(cx, y), self.index(x, y));
        let Some(gap) = self.cells.get(from..to) else {
            return Ok(false);
        };
        let plain = |c: &Cell| {
            let s = c.symbol();
            s.len() == 1 && s.as_bytes()[0].is_ascii_graphic() || s == " "
        };
        if !gap.iter().all(|c| plain(c) && Pen::of(c) == pen) {
            return Ok(false);
        }
        for c in gap {
            out.write_all(c.symbol().as_bytes())?;
        }
        self.cursor = Some((x, y));
        Ok(true)
    }

    fn index(&self, x: u16, y: u16) -> usize {
        usize::from(y) * usize::from(self.width) + usize::from(x)
    }
}

/// One SGR sequence from `from` to `to`: the changes alone, or a reset and the whole style,
/// whichever is shorter. An unknown `from` always resets.
fn sgr(out: &mut impl Write, from: Option<Pen>, to: Pen) -> io::Result<()> {
    let full = {
        let mut p = vec!["0".to_string()];
        p.extend(modifier_on(to.modifier));
        p.extend((to.fg != Color::Reset).then(|| color(to.fg, false)));
        p.extend((to.bg != Color::Reset).then(|| color(to.bg, true)));
        p.join(";")
    };
    let params = match from {
        Some(from) => {
            let step = incremental(from, to).join(";");
            if step.len() < full.len() { step } else { full }
        }
        None => full,
    };
    write!(out, "\x1b[{params}m")
}

fn incremental(from: Pen, to: Pen) -> Vec<String> {
    let removed = from.modifier - to.modifier;
    let mut added = to.modifier - from.modifier;
    let mut p = Vec::new();
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        // One code ends both bold and dim: whichever stays is set again.
        p.push("22".to_string());
        added |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    for (m, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.intersects(m) {
            p.push(off.to_string());
            added |= to.modifier & m;
        }
    }
    p.extend(modifier_on(added));
    if to.fg != from.fg {
        p.push(color(to.fg, false));
    }
    if to.bg != from.bg {
        p.push(color(to.bg, true));
    }
    p
}

fn modifier_on(m: Modifier) -> Vec<String> {
    [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ]
    .into_iter()
    .filter(|(bit, _)| m.contains(*bit))
    .map(|(_, code)| code.to_string())
    .collect()
}

/// The SGR parameters of a colour: the 16 named ones as their short codes.
fn color(c: Color, background: bool) -> String {
    let shift = if background { 10 } else { 0 };
    let named = |base: u8| (base + shift).to_string();
    match c {
        Color::Reset => named(39),
        Color::Black => named(30),
        Color::Red => named(31),
        Color::Green => named(32),
        Color::Yellow => named(33),
        Color::Blue => named(34),
        Color::Magenta => named(35),
        Color::Cyan => named(36),
        Color::Gray => named(37),
        Color::DarkGray => named(90),
        Color::LightRed => named(91),
        Color::LightGreen => named(92),
        Color::LightYellow => named(93),
        Color::LightBlue => named(94),
        Color::LightMagenta => named(95),
        Color::LightCyan => named(96),
        Color::White => named(97),
        Color::Indexed(i) => format!("{};5;{i}", 38 + shift),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", 38 + shift),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    const W: u16 = 30;
    const H: u16 = 6;

    /// A frame as the terminal shows it after `bytes`, through a real VT100 parser.
    fn parse(parser: &mut vt100::Parser, bytes: &[u8]) {
        parser.process(bytes);
    }

    fn vt_color(c: Color) -> vt100::Color {
        use vt100::Color::{Default, Idx, Rgb};
        let named = [
            Color::Black,
            Color::Red,
            Color::Green,
            Color::Yellow,
            Color::Blue,
            Color::Magenta,
            Color::Cyan,
            Color::Gray,
            Color::DarkGray,
            Color::LightRed,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightMagenta,
            Color::LightCyan,
            Color::White,
        ];
        match c {
            Color::Reset => Default,
            Color::Indexed(i) => Idx(i),
            Color::Rgb(r, g, b) => Rgb(r, g, b),
            named_color => Idx(named.iter().position(|n| *n == named_color).unwrap() as u8),
        }
    }

    /// Every cell of `buf` as the parser shows it: text, colours and attributes.
    fn assert_shows(parser: &vt100::Parser, buf: &Buffer, frame: usize) {
        let screen = parser.screen();
        for y in 0..H {
            for x in 0..W {
                let want = &buf[(x, y)];
                let got = screen.cell(y, x).unwrap();
                if got.is_wide_continuation() {
                    continue;
                }
                let symbol = if want.symbol() == " " {
                    ""
                } else {
                    want.symbol()
                };
                let at = format!("frame {frame} cell ({x},{y})");
                let shown = if got.contents() == " " {
                    ""
                } else {
                    got.contents()
                };
                assert_eq!(shown, symbol, "{at}");
                if symbol.is_empty()
                    && want.bg == Color::Reset
                    && !want.modifier.contains(Modifier::REVERSED)
                {
                    continue; // an empty default cell shows no style
                }
                assert_eq!(got.fgcolor(), vt_color(want.fg), "{at} fg");
                assert_eq!(got.bgcolor(), vt_color(want.bg), "{at} bg");
                assert_eq!(
                    got.bold(),
                    want.modifier.contains(Modifier::BOLD),
                    "{at} bold"
                );
                assert_eq!(got.dim(), want.modifier.contains(Modifier::DIM), "{at} dim");
                assert_eq!(
                    got.italic(),
                    want.modifier.contains(Modifier::ITALIC),
                    "{at}"
                );
                let reversed = want.modifier.contains(Modifier::REVERSED);
                assert_eq!(got.inverse(), reversed, "{at} reversed");
            }
        }
    }

    /// A small deterministic generator: the same frames on every run.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    fn styles() -> Vec<Style> {
        vec![
            Style::default(),
            Style::default().fg(Color::DarkGray),
            Style::default().add_modifier(Modifier::BOLD),
            Style::default().fg(Color::White).bg(Color::Blue),
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::ITALIC),
            Style::default().add_modifier(Modifier::REVERSED),
            Style::default()
                .fg(Color::Indexed(208))
                .add_modifier(Modifier::DIM),
            Style::default().fg(Color::Rgb(1, 2, 3)).bg(Color::Green),
        ]
    }

    /// Frames that change a little and a lot, in every style, with box and wide glyphs: after
    /// each, the terminal shows exactly the buffer. Each frame is drawn from blank, as ratatui
    /// draws, a row of words laid end to end; most rows are kept from the frame before, some
    /// get one word changed, some are new.
    #[test]
    fn a_vt100_terminal_shows_every_frame_exactly() {
        let words = [
            "ok",
            "pending",
            "│",
            "○ done",
            "✈",
            "T+00:00:0",
            "    ",
            "x",
            "日本",
        ];
        let styles = styles();
        let mut rng = Lcg(7);
        let area = Rect::new(0, 0, W, H);
        let mut rows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); H as usize];
        let mut previous = Buffer::empty(area);
        let mut screen = Screen::default();
        screen.reset(W, H);
        let mut parser = vt100::Parser::new(H.try_into().unwrap(), W.try_into().unwrap(), 0);
        for frame in 0..400 {
            for row in rows.iter_mut() {
                match rng.next(6) {
                    0 => {
                        *row = (0..rng.next(8))
                            .map(|_| (rng.next(words.len()), rng.next(styles.len())))
                            .collect()
                    }
                    1 | 2 if !row.is_empty() => {
                        let i = rng.next(row.len());
                        row[i] = (rng.next(words.len()), rng.next(styles.len()));
                    }
                    _ => {}
                }
            }
            let mut next = Buffer::empty(area);
            for (y, row) in rows.iter().enumerate() {
                let mut x = 0;
                for &(word, style) in row {
                    let left = W.saturating_sub(x) as usize;
                    x = next
                        .set_stringn(x, y as u16, words[word], left, styles[style])
                        .0;
                }
            }
            let mut bytes = Vec::new();
            screen
                .draw(&mut bytes, previous.diff(&next).into_iter())
                .unwrap();
            parse(&mut parser, &bytes);
            assert_shows(&parser, &next, frame);
            previous = next;
        }
    }

    #[test]
    fn colours_take_their_short_codes_and_styles_one_sequence() {
        let mut screen = Screen::default();
        screen.reset(W, H);
        let area = Rect::new(0, 0, W, H);
        let mut next = Buffer::empty(area);
        next.set_string(
            0,
            0,
            "ab",
            Style::default().fg(Color::DarkGray).bg(Color::Blue),
        );
        let mut bytes = Vec::new();
        screen
            .draw(&mut bytes, Buffer::empty(area).diff(&next).into_iter())
            .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\x1b[1;1H\x1b[0;90;44mab"
        );
    }

    #[test]
    fn a_short_gap_is_bridged_and_a_long_one_moved_over() {
        let area = Rect::new(0, 0, W, H);
        let mut before = Buffer::empty(area);
        before.set_string(0, 0, "T+00:00:01 ok 0s   and more  9s", Style::default());
        let mut after = before.clone();
        after.set_string(9, 0, "2", Style::default());
        after.set_string(14, 0, "1", Style::default());
        after.set_string(29, 0, "8", Style::default());
        let mut screen = Screen::default();
        screen.reset(W, H);
        let mut sink = Vec::new();
        screen
            .draw(&mut sink, Buffer::empty(area).diff(&before).into_iter())
            .unwrap();
        let mut bytes = Vec::new();
        screen
            .draw(&mut bytes, before.diff(&after).into_iter())
            .unwrap();
        // `2`, then ` ok ` reprinted (four cells, shorter than a move), `1`, then a move.
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\x1b[1;10H2 ok 1\x1b[1;30H8"
        );
    }
}
