//! Shell commands the way Flightdeck runs all of them (command sources, command steps, command
//! actuators, rollback steps): `sh -c` in a process group of its own, so a timeout or an
//! interrupt reaches every process of a pipeline, not just the shell.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// Starts `sh -c COMMAND` leading a new process group; stdin closed, stdout and stderr piped.
pub fn spawn(command: &str) -> std::io::Result<Child> {
    Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
}

/// Sends `signal` to the whole group a `spawn`ed child leads (its pid is the group id).
pub fn signal_group(pgid: u32, signal: i32) {
    // SAFETY: killpg(2) signals a process group we created; no memory is involved.
    unsafe {
        libc::killpg(pgid as libc::pid_t, signal);
    }
}
