//! The real terminal: raw mode and the alternate screen on the way in, and always restored on
//! the way out, whether by return, panic or signal. Also turns crossterm events into app keys,
//! and applies the config file's key overrides in front of `update`.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{Event as CtEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::layout::Size;

use crate::app::{Key, Msg};

mod emit;
mod quiet;

pub use quiet::QuietBackend;

pub type Term = Terminal<QuietBackend<io::Stdout>>;

/// Restores the terminal when dropped, so every exit path leaves a usable shell.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether the cockpit holds the terminal (raw mode, alternate screen): restored once only.
static ENTERED: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<(Term, Guard)> {
    install_panic_hook();
    terminal::enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    let guard = Guard;
    let (width, height) = terminal::size()?;
    let mut backend = QuietBackend::new(io::stdout(), Size { width, height });
    // Queued, not written: the switch to the alternate screen leaves with the first frame in
    // one write, so the screen never shows an empty alternate screen and the link carries one
    // packet instead of two (issue 13).
    backend.enter_alternate_screen()?;
    let term = Terminal::new(backend)?;
    Ok((term, guard))
}

/// Best effort: on SIGHUP the terminal may already be gone, and that must not stop the exit.
/// Once only: leaving the alternate screen again also restores the cursor saved on entering
/// it, which would move it back above a panic's message for the shell prompt to overwrite.
pub fn restore() {
    if !ENTERED.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = terminal::disable_raw_mode();
    // Frames leave their last style set (the next frame goes on from it): reset it first.
    let _ = execute!(
        io::stdout(),
        crossterm::style::ResetColor,
        crossterm::style::SetAttribute(crossterm::style::Attribute::Reset),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = io::stdout().flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The terminal first, so the message lands on the normal screen, after the frames.
        restore();
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

/// A terminal event as an app message, if it means anything to the app.
pub fn to_msg(event: CtEvent) -> Option<Msg> {
    match event {
        CtEvent::Key(k) if k.kind != KeyEventKind::Release => to_key(k).map(Msg::Key),
        CtEvent::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}

fn to_key(k: KeyEvent) -> Option<Key> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        _ => return None,
    })
}
