//! The `command` source: `sh -c` in its own process group, stdout read as a number (or JSON with
//! a pointer). Its output is read on the polling thread with a deadline, never by a reader that
//! waits for an EOF a background child may hold back forever; once the shell has ended and its
//! output is read, or the timeout has passed, the whole group is ended, so a poll leaves no
//! thread and no process behind.

use std::os::fd::AsRawFd;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::sample::Reading;
use super::sanitize::one_line;

/// Output beyond this is not read: a source prints a number, not a log.
const MAX_OUTPUT: usize = 64 * 1024;

/// After the shell has ended, how long output still in flight (a background child's last
/// write) is waited for. The reading is what the shell's run printed, not what stays behind.
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(100);

/// Between SIGTERM and SIGKILL to what remains of the group.
const GRACE: Duration = Duration::from_millis(300);

/// The process groups of one poller's polls under way. When the poller stops (the cockpit
/// quits), a blocking poll is abandoned with the process, and its group would outlive it.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<Vec<u32>>>);

impl InFlight {
    fn groups(&self) -> std::sync::MutexGuard<'_, Vec<u32>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Kills the group of every poll under way. Each is listed only until its group has ended,
    /// and its shell is still ours (unreaped, or its group still has members), so the id is
    /// still its own.
    pub fn end_all(&self) {
        for pgid in self.groups().drain(..) {
            crate::shell::signal_group(pgid, libc::SIGKILL);
        }
    }
}

/// Runs the command and turns its output into a reading. Never blocks past `timeout` (plus the
/// grace it takes to end what the command left running).
pub fn poll(command: &str, pointer: Option<&str>, timeout: Duration) -> Reading {
    poll_tracked(command, pointer, timeout, &InFlight::default())
}

/// `poll`, its group listed in `in_flight` while it runs.
pub fn poll_tracked(
    command: &str,
    pointer: Option<&str>,
    timeout: Duration,
    in_flight: &InFlight,
) -> Reading {
    let mut child = match crate::shell::spawn(command) {
        Ok(c) => c,
        Err(e) => return Reading::Error(format!("cannot start sh: {e}")),
    };
    in_flight.groups().push(child.id());
    let deadline = Instant::now() + timeout;
    let mut out = Pipe::new(child.stdout.take().map(std::os::fd::OwnedFd::from));
    let mut err = Pipe::new(child.stderr.take().map(std::os::fd::OwnedFd::from));
    let mut exited_at: Option<Instant> = None;
    let timed_out = loop {
        if exited_at.is_none() && leader_exited(&child) {
            exited_at = Some(Instant::now());
        }
        let now = Instant::now();
        let drained = out.closed() && err.closed();
        match exited_at {
            // The shell has ended: its output is read once the pipes close or the drain passes.
            Some(at) if drained || now >= (at + DRAIN_AFTER_EXIT).min(deadline) => break false,
            None if now >= deadline => break true,
            _ => {}
        }
        // Sleep in `poll(2)` until output comes or a short tick passes (to see the exit).
        read_ready(&mut [&mut out, &mut err], Duration::from_millis(20));
    };
    // Close our ends first: a child still writing gets EPIPE instead of blocking on a full pipe.
    drop((out.fd.take(), err.fd.take()));
    end_group(&mut child);
    in_flight.groups().retain(|p| *p != child.id());
    if timed_out {
        return Reading::Error(format!(
            "timed out after {}s and was killed",
            timeout.as_secs_f64()
        ));
    }
    let status = match child.wait() {
        Ok(s) => s,
        Err(e) => return Reading::Error(format!("waiting for the command failed: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.buf).into_owned();
    let stderr = String::from_utf8_lossy(&err.buf).into_owned();
    if !status.success() {
        let why = one_line(&stderr);
        let code = status
            .code()
            .map_or("a signal".to_string(), |c| format!("exit code {c}"));
        return Reading::Error(if why.is_empty() {
            format!("ended with {code}")
        } else {
            format!("ended with {code}: {}", truncate(&why, 200))
        });
    }
    parse_number(&stdout, pointer)
}

/// Whether the shell has ended, without reaping it: its zombie keeps the group id from being
/// reused until `end_group` has signalled the group.
fn leader_exited(child: &Child) -> bool {
    // SAFETY: waitid(2) writes into a zeroed siginfo_t we own; WNOWAIT leaves the child to
    // `Child::wait`.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let rc = libc::waitid(
            libc::P_PID,
            child.id() as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        rc == 0 && info.si_pid() != 0
    }
}

/// Ends every process of the command's group: SIGTERM, then SIGKILL to whatever is still there
/// after `GRACE`. The shell itself is reaped here.
fn end_group(child: &mut Child) {
    let pgid = child.id();
    crate::shell::signal_group(pgid, libc::SIGTERM);
    // The leader's zombie held the group id so far; once reaped, an empty group answers ESRCH.
    // (Linux does not reuse a pid while a process still has it as its group id.)
    if child.try_wait().ok().flatten().is_none() {
        let until = Instant::now() + GRACE;
        while Instant::now() < until && child.try_wait().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_millis(10));
        }
        if child.try_wait().ok().flatten().is_none() {
            crate::shell::signal_group(pgid, libc::SIGKILL);
            let _ = child.wait();
        }
    }
    let until = Instant::now() + GRACE;
    while group_alive(pgid) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    if group_alive(pgid) {
        crate::shell::signal_group(pgid, libc::SIGKILL);
    }
}

/// Whether a process of the group still runs. A zombie does not count: it has ended, and
/// reaping it is its new parent's job (an init that reaps slowly must not cost every poll the
/// grace).
fn group_alive(pgid: u32) -> bool {
    // SAFETY: signal 0 only asks whether the group has a member.
    let member = unsafe { libc::killpg(pgid as libc::pid_t, 0) } == 0;
    member && crate::orphans::live_members(pgid) > 0
}

/// One of the command's output pipes, read without a thread.
struct Pipe {
    fd: Option<std::os::fd::OwnedFd>,
    buf: Vec<u8>,
}

impl Pipe {
    fn new(fd: Option<std::os::fd::OwnedFd>) -> Self {
        Pipe {
            fd,
            buf: Vec::new(),
        }
    }

    fn closed(&self) -> bool {
        self.fd.is_none()
    }

    /// Reads what is there (the caller knows it will not block); closes at EOF, on an error,
    /// or once `MAX_OUTPUT` is reached.
    fn read_some(&mut self) {
        let Some(fd) = &self.fd else { return };
        let mut chunk = [0u8; 8192];
        let room = (MAX_OUTPUT - self.buf.len()).min(chunk.len());
        // SAFETY: reads at most `room` bytes into a buffer of at least that size.
        let n = unsafe { libc::read(fd.as_raw_fd(), chunk.as_mut_ptr().cast(), room) };
        match n {
            n if n > 0 => self.buf.extend_from_slice(&chunk[..n as usize]),
            n if n < 0
                && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => self.fd = None,
        }
        if self.buf.len() >= MAX_OUTPUT {
            self.fd = None;
        }
    }
}

/// Waits up to `wait` for any open pipe to be readable, then reads each one that is.
fn read_ready(pipes: &mut [&mut Pipe], wait: Duration) {
    let mut fds: Vec<libc::pollfd> = pipes
        .iter()
        .map(|p| libc::pollfd {
            fd: p.fd.as_ref().map_or(-1, |f| f.as_raw_fd()),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: `fds` is a live array of `fds.len()` pollfd; a negative fd is ignored by poll(2).
    let rc = unsafe {
        libc::poll(
            fds.as_mut_ptr(),
            fds.len() as libc::nfds_t,
            wait.as_millis() as libc::c_int,
        )
    };
    if rc <= 0 {
        return;
    }
    for (pipe, fd) in pipes.iter_mut().zip(&fds) {
        if fd.revents != 0 {
            pipe.read_some();
        }
    }
}

/// A number from plain text, or from JSON at a pointer.
pub fn parse_number(text: &str, pointer: Option<&str>) -> Reading {
    let garbage =
        |what: &str| Reading::Error(format!("{what}: `{}`", truncate(&one_line(text), 80)));
    match pointer {
        None => match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Reading::Number(v),
            _ => garbage("output is not a number"),
        },
        Some(p) => match serde_json::from_str::<serde_json::Value>(text) {
            Err(_) => garbage("output is not JSON"),
            Ok(json) => match json.pointer(p) {
                Some(serde_json::Value::Number(n)) => n
                    .as_f64()
                    .map_or_else(|| garbage("not a finite number"), Reading::Number),
                Some(serde_json::Value::String(s)) => s
                    .trim()
                    .parse::<f64>()
                    .map(Reading::Number)
                    .unwrap_or_else(|_| garbage(&format!("{p} is not a number"))),
                Some(other) => Reading::Error(format!("{p} holds {}, not a number", kind(other))),
                None => Reading::Error(format!("no value at {p}")),
            },
        },
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
        _ => "a value",
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn numbers_json_and_garbage() {
        assert_eq!(poll("echo 42.5", None, T), Reading::Number(42.5));
        assert_eq!(
            poll(r#"echo '{"lag":{"seconds":7}}'"#, Some("/lag/seconds"), T),
            Reading::Number(7.0)
        );
        assert_eq!(
            poll(r#"echo '{"lag":"3"}'"#, Some("/lag"), T),
            Reading::Number(3.0)
        );
        assert!(
            matches!(poll("echo fast", None, T), Reading::Error(e) if e.contains("not a number"))
        );
        assert!(
            matches!(poll("echo '{'", Some("/x"), T), Reading::Error(e) if e.contains("not JSON"))
        );
        assert!(
            matches!(poll(r#"echo '{"a":null}'"#, Some("/a"), T), Reading::Error(e) if e.contains("null"))
        );
        assert!(matches!(poll("echo 'inf'", None, T), Reading::Error(_)));
    }

    #[test]
    fn failure_shows_exit_code_and_sanitized_stderr() {
        let r = poll("printf '\\033[2Jboom\\n' >&2; exit 3", None, T);
        assert_eq!(r, Reading::Error("ended with exit code 3: boom".into()));
    }

    #[test]
    fn a_command_that_never_ends_is_killed_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("survived");
        let started = Instant::now();
        let cmd = format!("(sleep 2; touch {}) & sleep 60", marker.display());
        let r = poll(&cmd, None, Duration::from_millis(300));
        let took = started.elapsed();
        assert!(
            matches!(r, Reading::Error(ref e) if e.contains("timed out")),
            "{r:?}"
        );
        assert!(took < Duration::from_secs(2), "returned after {took:?}");
        std::thread::sleep(Duration::from_millis(2500));
        assert!(
            !marker.exists(),
            "the background child was killed with the group"
        );
    }

    #[test]
    fn huge_output_is_bounded() {
        let r = poll("yes 1 | head -c 10000000", None, T);
        assert!(
            matches!(r, Reading::Error(_)),
            "10 MB of `1\\n` is not one number"
        );
    }
}
