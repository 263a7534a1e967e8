//! Running an action's command: `sh -c` in its own process group, every output line sanitized
//! and streamed as it comes, the whole group stopped at the timeout or on request (SIGINT, then
//! SIGKILL after a grace period), and the outcome reported once it has ended.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::sanitize::sanitize;

/// How long a group gets between SIGINT and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(5);

/// A line longer than this is cut: output is for reading, not for storing a dump.
const MAX_LINE: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// One line of output (stdout or stderr, interleaved as they arrive), sanitized.
    Line {
        stderr: bool,
        text: String,
    },
    Ended(Outcome),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub millis: u64,
    pub timed_out: bool,
    /// The operator asked it to stop.
    pub interrupted: bool,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// `exit 0 in 1.2s`, `killed at the 30s timeout`, `interrupted (signal 2)`.
    pub fn describe(&self) -> String {
        let took = format!("{:.1}s", self.millis as f64 / 1000.0);
        match (self.code, self.signal) {
            _ if self.timed_out => format!("killed at its timeout after {took}"),
            (Some(c), _) => format!("exit {c} in {took}"),
            (None, Some(s)) if self.interrupted => format!("interrupted (signal {s}) after {took}"),
            (None, Some(s)) => format!("ended by signal {s} after {took}"),
            (None, None) => format!("ended after {took}"),
        }
    }
}

/// A command that is running; `interrupt` asks it to stop.
#[derive(Clone)]
pub struct Running {
    pgid: u32,
    state: Arc<Mutex<StopState>>,
}

#[derive(Default)]
struct StopState {
    interrupted_at: Option<Instant>,
    ended: bool,
}

impl Running {
    /// SIGINT to the whole group now; SIGKILL follows after `GRACE` if it has not ended.
    pub fn interrupt(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.ended {
            return;
        }
        state.interrupted_at.get_or_insert_with(Instant::now);
        crate::shell::signal_group(self.pgid, libc::SIGINT);
    }

    pub fn ended(&self) -> bool {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).ended
    }

    pub fn pid(&self) -> u32 {
        self.pgid
    }
}

/// Starts `command`; progress goes to `tx` (the outcome last). Returns at once.
pub fn start(command: &str, timeout: Duration, tx: Sender<Progress>) -> std::io::Result<Running> {
    let mut child = crate::shell::spawn(command)?;
    let pgid = child.id();
    let readers = [
        stream(child.stdout.take(), false, tx.clone()),
        stream(child.stderr.take(), true, tx.clone()),
    ];
    let running = Running {
        pgid,
        state: Arc::default(),
    };
    let watcher = running.clone();
    std::thread::spawn(move || {
        let outcome = watch(&mut child, &watcher, timeout);
        // All output first, then the outcome, so the pane is complete when it says "ended".
        for r in readers {
            let _ = r.join();
        }
        let _ = tx.send(Progress::Ended(outcome));
    });
    Ok(running)
}

/// Waits for the child, enforcing the timeout and the grace period after an interrupt.
fn watch(child: &mut Child, running: &Running, timeout: Duration) -> Outcome {
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        let interrupted_at = running
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .interrupted_at;
        if interrupted_at.is_some_and(|at| at.elapsed() >= GRACE) {
            crate::shell::signal_group(running.pgid, libc::SIGKILL);
            break child.wait().ok();
        }
        if started.elapsed() >= timeout && !timed_out {
            // The timeout is a promise to the operator: the whole group goes, now.
            timed_out = true;
            crate::shell::signal_group(running.pgid, libc::SIGKILL);
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Children that left the group's leader behind are stopped too.
    crate::shell::signal_group(running.pgid, libc::SIGKILL);
    let mut state = running.state.lock().unwrap_or_else(|e| e.into_inner());
    state.ended = true;
    use std::os::unix::process::ExitStatusExt;
    Outcome {
        code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        millis: started.elapsed().as_millis() as u64,
        timed_out,
        interrupted: state.interrupted_at.is_some(),
    }
}

fn stream(
    pipe: Option<impl Read + Send + 'static>,
    stderr: bool,
    tx: Sender<Progress>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let Some(pipe) = pipe else { return };
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            // Bounded read of one line: a line without an end is cut at MAX_LINE.
            match (&mut reader)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut buf)
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    // Sanitized but not folded: a plan's indentation is how it is read.
                    let text = sanitize(&String::from_utf8_lossy(&buf))
                        .trim_end()
                        .to_string();
                    if tx.send(Progress::Line { stderr, text }).is_err() {
                        return;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn collect(rx: &mpsc::Receiver<Progress>) -> (Vec<String>, Outcome) {
        let mut lines = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(20)).expect("progress") {
                Progress::Line { text, .. } => lines.push(text),
                Progress::Ended(o) => return (lines, o),
            }
        }
    }

    #[test]
    fn output_streams_sanitized_and_the_exit_code_is_kept() {
        let (tx, rx) = mpsc::channel();
        start(
            "echo one; printf 'two \\033[31mred\\033[0m\\n' >&2; printf '  indented\\r\\n'; exit 3",
            Duration::from_secs(10),
            tx,
        )
        .unwrap();
        let (lines, outcome) = collect(&rx);
        assert!(lines.contains(&"one".to_string()), "{lines:?}");
        assert!(
            lines.contains(&"two red".to_string()),
            "escapes stripped: {lines:?}"
        );
        assert!(
            lines.contains(&"  indented".to_string()),
            "indentation kept, CR dropped: {lines:?}"
        );
        assert_eq!(outcome.code, Some(3));
        assert!(!outcome.success());
        assert!(outcome.describe().starts_with("exit 3 in"));
    }

    #[test]
    fn the_timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("bg.pid");
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        start(
            &format!("sleep 600 & echo $! > {}; wait", pidfile.display()),
            Duration::from_millis(300),
            tx,
        )
        .unwrap();
        let (lines, outcome) = collect(&rx);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(outcome.timed_out, "{outcome:?}");
        assert!(lines.is_empty());
        assert!(outcome.describe().starts_with("killed at its timeout"));
        let bg: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(bg, 0) } == 0;
        let zombie =
            std::fs::read_to_string(format!("/proc/{bg}/stat")).is_ok_and(|s| s.contains(") Z "));
        assert!(
            !alive || zombie,
            "the background sleep {bg} was killed with its group"
        );
    }

    /// Starts `command`, waits for its first line, interrupts it: its outcome and how long the
    /// stop took.
    fn interrupted(command: &str) -> (Outcome, Duration) {
        let (tx, rx) = mpsc::channel();
        let running = start(command, Duration::from_secs(60), tx).unwrap();
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(5)),
            Ok(Progress::Line { .. })
        ));
        let asked = Instant::now();
        running.interrupt();
        let (_, outcome) = collect(&rx);
        (outcome, asked.elapsed())
    }

    #[test]
    fn interrupt_sends_sigint_then_sigkill_after_the_grace() {
        // The first command ignores SIGINT; only SIGKILL ends it.
        let (outcome, waited) = interrupted("trap '' INT; echo ready; sleep 600");
        assert!(
            outcome.interrupted && outcome.signal == Some(libc::SIGKILL),
            "{outcome:?}"
        );
        assert!(
            waited >= GRACE && waited < GRACE + Duration::from_secs(3),
            "{waited:?}"
        );

        // A command that honours SIGINT ends at once. It says "ready" only once it runs (exec,
        // no shell left in between): a SIGINT that reached a shell between `echo` and the fork
        // of `sleep` would leave `sleep` running until the SIGKILL, which is the grace's job
        // but not what this half tests.
        let (outcome, waited) = interrupted(r#"exec perl -e '$| = 1; print "ready\n"; sleep 600'"#);
        // Ended by the SIGINT itself, well before the grace would have called for SIGKILL.
        assert_eq!(
            outcome.signal,
            Some(libc::SIGINT),
            "{outcome:?} after {waited:?}"
        );
        assert!(waited < GRACE, "{waited:?}");
    }
}
