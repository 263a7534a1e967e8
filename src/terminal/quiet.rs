//! A backend that writes nothing when a frame changes nothing.
//!
//! ratatui's `draw` always ends a frame with style resets, a cursor hide and a flush, and asks
//! the terminal for its size first (crossterm opens `/dev/tty` for that each time). Over a slow
//! SSH link on a bastion those bytes and syscalls are the whole cost of an idle cockpit. This
//! wrapper passes a frame's changed cells through, skips the rest when there are none, hides the
//! cursor once, and answers the size from the last resize event instead of asking the terminal.
//! The cells go out through [`Screen`](super::emit::Screen), in as few bytes as it can, into one
//! buffer flushed once a frame: a frame leaves in one write, not a write per kilobyte.

use std::io::{self, BufWriter, Write};

use crossterm::terminal::ClearType as CtClear;
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use super::emit::Screen;

/// Large enough for a full 200x60 frame with its style codes.
const FRAME_BUFFER: usize = 256 * 1024;

pub struct QuietBackend<W: Write> {
    out: BufWriter<W>,
    screen: Screen,
    size: Size,
    cursor_hidden: bool,
    /// Whether anything was written since the last flush.
    wrote: bool,
}

impl<W: Write> QuietBackend<W> {
    pub fn new(writer: W, size: Size) -> Self {
        let mut screen = Screen::default();
        screen.reset(size.width, size.height);
        Self {
            out: BufWriter::with_capacity(FRAME_BUFFER, writer),
            screen,
            size,
            cursor_hidden: false,
            wrote: false,
        }
    }

    /// The size the terminal reported in its last resize event: the next draw resizes to it.
    pub fn set_size(&mut self, width: u16, height: u16) {
        self.size = Size { width, height };
    }

    /// Queues the switch to the alternate screen, with the cursor hidden, for the next flush.
    pub fn enter_alternate_screen(&mut self) -> io::Result<()> {
        crossterm::queue!(self.out, crossterm::terminal::EnterAlternateScreen)?;
        self.hide_cursor()
    }

    /// Queues bytes for the next flush.
    fn send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        self.wrote = true;
        self.out.write_all(bytes.as_ref())
    }
}

impl<W: Write> Backend for QuietBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.wrote = true;
        self.screen.draw(&mut self.out, content)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden {
            return Ok(());
        }
        self.cursor_hidden = true;
        self.send("\x1b[?25l")
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_hidden = false;
        self.send("\x1b[?25h")
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        let (x, y) = crossterm::cursor::position()?;
        Ok(Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        self.screen.forget_cursor();
        self.send(format!("\x1b[{};{}H", y + 1, x + 1))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // The style first: a terminal fills what it erases with the background colour set.
        let erase = match clear_type {
            ClearType::All => CtClear::All,
            ClearType::AfterCursor => CtClear::FromCursorDown,
            ClearType::BeforeCursor => CtClear::FromCursorUp,
            ClearType::CurrentLine => CtClear::CurrentLine,
            ClearType::UntilNewLine => CtClear::UntilNewLine,
        };
        self.send("\x1b[0m")?;
        crossterm::queue!(self.out, crossterm::terminal::Clear(erase))?;
        // Only a whole clear says what is on the screen; after a partial one nothing is known.
        self.screen.reset(self.size.width, self.size.height);
        if clear_type != ClearType::All {
            self.screen.distrust_cells();
        }
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let w = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: w.columns,
                height: w.rows,
            },
            pixels: Size {
                width: w.width,
                height: w.height,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if !std::mem::take(&mut self.wrote) {
            return Ok(());
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::widgets::Paragraph;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back: the bytes the terminal would have received.
    #[derive(Clone, Default)]
    struct Tape(Arc<Mutex<Vec<u8>>>);

    impl Write for Tape {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Tape {
        fn take(&self) -> Vec<u8> {
            std::mem::take(&mut self.0.lock().unwrap())
        }
    }

    fn terminal(tape: &Tape) -> Terminal<QuietBackend<Tape>> {
        let size = Size {
            width: 20,
            height: 3,
        };
        Terminal::new(QuietBackend::new(tape.clone(), size)).unwrap()
    }

    #[test]
    fn an_unchanged_frame_writes_nothing() {
        let tape = Tape::default();
        let mut term = terminal(&tape);
        tape.take(); // whatever setting up wrote
        let text = "T+00:00:01";
        term.draw(|f| f.render_widget(Paragraph::new(text), f.area()))
            .unwrap();
        assert!(
            String::from_utf8_lossy(&tape.take()).contains(text),
            "the first frame is written"
        );
        term.draw(|f| f.render_widget(Paragraph::new(text), f.area()))
            .unwrap();
        assert_eq!(
            tape.take(),
            b"",
            "a frame that changes no cell writes no byte"
        );
        term.draw(|f| f.render_widget(Paragraph::new("T+00:00:02"), f.area()))
            .unwrap();
        let changed = tape.take();
        let text = String::from_utf8_lossy(&changed);
        assert!(
            text.contains('2') && !text.contains("T+"),
            "only the changed cell: {text:?}"
        );
        assert!(
            !text.contains("\x1b[?25l"),
            "the cursor is hidden once: {text:?}"
        );
    }

    #[test]
    fn the_size_is_the_last_resize_event() {
        let tape = Tape::default();
        let mut term = terminal(&tape);
        term.backend_mut().set_size(40, 10);
        let frame = term.draw(|_| {}).unwrap();
        assert_eq!((frame.area.width, frame.area.height), (40, 10));
    }

    #[test]
    fn the_alternate_screen_and_the_first_frame_leave_in_one_write() {
        /// Each write the terminal would have received, apart.
        #[derive(Clone, Default)]
        struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);
        impl Write for Writes {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().push(buf.to_vec());
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let writes = Writes::default();
        let size = Size {
            width: 20,
            height: 3,
        };
        let mut backend = QuietBackend::new(writes.clone(), size);
        backend.enter_alternate_screen().unwrap();
        let mut term = Terminal::new(backend).unwrap();
        assert!(
            writes.0.lock().unwrap().is_empty(),
            "nothing before the frame"
        );
        term.draw(|f| f.render_widget(Paragraph::new("plan"), f.area()))
            .unwrap();
        let writes = writes.0.lock().unwrap().clone();
        assert_eq!(writes.len(), 1, "one write: {writes:?}");
        let text = String::from_utf8_lossy(&writes[0]);
        assert!(
            text.starts_with("\x1b[?1049h\x1b[?25l") && text.contains("plan"),
            "the switch, then the frame: {text:?}"
        );
        assert_eq!(
            text.matches("\x1b[?25l").count(),
            1,
            "the cursor hidden once"
        );
    }
}
