//! Observers see the run live, with the real binary: a second cockpit on a run whose seat is
//! held follows the holder's journal, and its header says when the seat is released or its
//! holder died.

mod support;

use std::time::{Duration, Instant};

use support::cockpit::{Cockpit, Dirs, POLL, fixture};

/// How far behind the holder an observer may be.
const LIVE: Duration = Duration::from_secs(2);

/// Waits (generously) for the holder's record to reach the disk, then gives the observer `LIVE`
/// from that moment to show `what`. Returns how long the observer took.
fn observed_within(
    dirs: &Dirs,
    journaled_before: usize,
    observer: &Cockpit,
    what: &str,
    shows: impl Fn(&vt100::Screen) -> bool,
) -> Duration {
    let deadline = Instant::now() + support::cockpit::TIMEOUT;
    while dirs.journal_lines() <= journaled_before {
        assert!(
            Instant::now() < deadline,
            "the holder never journaled {what}"
        );
        std::thread::sleep(POLL);
    }
    let written = Instant::now();
    loop {
        if observer.with_screen(&shows) {
            return written.elapsed();
        }
        assert!(
            written.elapsed() < LIVE,
            "the observer did not show {what} within {LIVE:?} of it being journaled; screen:\n{}",
            observer.contents()
        );
        std::thread::sleep(POLL);
    }
}

fn row_with(screen: &vt100::Screen, text: &str) -> Option<String> {
    screen
        .contents()
        .lines()
        .find(|l| l.contains(text))
        .map(str::to_string)
}

fn header(screen: &vt100::Screen) -> String {
    screen
        .contents()
        .lines()
        .take(2)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_observer_follows_the_holder_live_and_says_when_the_seat_is_released_or_its_holder_died() {
    let dirs = Dirs::new();
    let book = fixture("small.toml");
    let mut holder = Cockpit::start(&dirs, &["run", &book], 100, 30);
    holder.wait_for("LIVE");
    let mut observer = Cockpit::start(&dirs, &["run", &book], 100, 30);
    observer.wait_for("READ-ONLY");
    observer.wait_for("seat held by");
    // The observer looks at the step the holder is about to tick (its notes show in detail).
    observer.send("j");
    observer.wait_until("announce selected", |s| {
        s.contents().contains("Post in #ops.")
    });
    let announce_done = |s: &vt100::Screen| {
        row_with(s, "Announce the window").is_some_and(|row| row.contains("done"))
    };
    assert!(
        !observer.with_screen(announce_done),
        "pending to begin with"
    );

    let before = dirs.journal_lines();
    holder.send("j ");
    let tick = observed_within(&dirs, before, &observer, "the tick", announce_done);

    let before = dirs.journal_lines();
    holder.send("nchecked with the bridge\r");
    let note = observed_within(&dirs, before, &observer, "the note", |s| {
        s.contents().contains("checked with the bridge")
    });
    eprintln!("observer behind the holder: tick {tick:?}, note {note:?}");

    // A clean quit releases the seat.
    holder.quit();
    observer.wait_until("the release in the header", |s| {
        header(s).contains("seat released")
    });

    // The next holder takes the seat, and is killed holding it.
    let next = Cockpit::start(&dirs, &["run", &book], 100, 30);
    next.wait_for("LIVE");
    let pid = next.pid();
    observer.wait_until("the new holder in the header", |s| {
        header(s).contains("seat held by") && header(s).contains(&pid.to_string())
    });
    // SAFETY: signals our own child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    drop(next); // reaps it
    observer.wait_until("the holder's death in the header", |s| {
        header(s).contains(&format!("holder died (pid {pid})"))
    });
    assert!(observer.with_screen(announce_done), "still showing the run");
    observer.quit();
}

#[test]
fn a_read_only_cockpit_follows_too() {
    let dirs = Dirs::new();
    let book = fixture("small.toml");
    let mut holder = Cockpit::start(&dirs, &["run", &book], 100, 30);
    holder.wait_for("LIVE");
    let observer = Cockpit::start(&dirs, &["run", &book, "--read-only"], 100, 30);
    observer.wait_for("READ-ONLY");
    let before = dirs.journal_lines();
    holder.send("j ");
    observed_within(&dirs, before, &observer, "the tick", |s| {
        row_with(s, "Announce the window").is_some_and(|row| row.contains("done"))
    });
    holder.quit();
    observer.wait_until("the release in the header", |s| {
        header(s).contains("seat released")
    });
    observer.quit();
}
