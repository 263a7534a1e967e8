//! The process group a command step left behind when its cockpit died: is it still running, and
//! stopping it. A group is known by its leader's pid (the group id) and the leader's start time
//! from `/proc/<pid>/stat`, so a pid the kernel has since given to another process is never
//! taken for ours, and never signalled.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How long a left-over group gets between SIGTERM and SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// A command's process group as journaled when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessGroup {
    pub pgid: u32,
    /// The leader's start time in clock ticks after boot (field 22 of `/proc/<pid>/stat`).
    pub start_ticks: u64,
}

/// What is found of a journaled group now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Processes of the group still run.
    Alive,
    /// No process of the group is left (zombies count as gone).
    Gone,
    /// The group id now belongs to another process: not ours, never signalled.
    Recycled,
}

/// `(state, process group, start ticks)` of a process, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(char, u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: the fields follow the last `)`.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); field 5 (pgrp) is fields[2]; field 22 (starttime) fields[19].
    let state = fields.first()?.chars().next()?;
    Some((
        state,
        fields.get(2)?.parse().ok()?,
        fields.get(19)?.parse().ok()?,
    ))
}

/// The leader's start time, read right after it was spawned.
pub fn start_ticks(pid: u32) -> Option<u64> {
    stat(pid).map(|(_, _, ticks)| ticks)
}

/// Whether the group still runs, checked against the leader's start time.
pub fn liveness(group: ProcessGroup) -> Liveness {
    if let Some((_, _, ticks)) = stat(group.pgid)
        && ticks != group.start_ticks
    {
        return Liveness::Recycled;
    }
    // SAFETY: signal 0 only asks whether any process of the group exists.
    if unsafe { libc::kill(-(group.pgid as libc::pid_t), 0) } != 0 {
        return Liveness::Gone;
    }
    // Members whose parent died may stay zombies where nothing reaps them: they run nothing.
    if live_members(group.pgid) == 0 {
        Liveness::Gone
    } else {
        Liveness::Alive
    }
}

/// Processes of the group that are not zombies.
pub fn live_members(pgid: u32) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .filter(|(state, group, _)| *group == pgid && *state != 'Z')
        .count()
}

/// SIGTERM to the group, SIGKILL after `STOP_GRACE` if any of it still runs; only when the
/// group is still ours. Returns what happened in words and whether it still runs.
pub fn stop(group: ProcessGroup) -> (String, bool) {
    match liveness(group) {
        Liveness::Gone => return ("it had already ended".into(), false),
        Liveness::Recycled => {
            return (
                format!(
                    "not signalled: pid {} now belongs to another process",
                    group.pgid
                ),
                false,
            );
        }
        Liveness::Alive => {}
    }
    crate::shell::signal_group(group.pgid, libc::SIGTERM);
    if wait_gone(group, STOP_GRACE) {
        return (
            format!("process group {} stopped by SIGTERM", group.pgid),
            false,
        );
    }
    crate::shell::signal_group(group.pgid, libc::SIGKILL);
    if wait_gone(group, Duration::from_secs(2)) {
        let grace = STOP_GRACE.as_secs();
        return (
            format!(
                "process group {} killed (SIGKILL after {grace}s)",
                group.pgid
            ),
            false,
        );
    }
    (
        format!("process group {} still runs after SIGKILL", group.pgid),
        true,
    )
}

fn wait_gone(group: ProcessGroup, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if liveness(group) != Liveness::Alive {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_seen_alive_stopped_and_a_recycled_pid_left_alone() {
        let mut child = crate::shell::spawn("sleep 300").unwrap();
        let pgid = child.id();
        let group = ProcessGroup {
            pgid,
            start_ticks: start_ticks(pgid).unwrap(),
        };
        assert_eq!(liveness(group), Liveness::Alive);
        let other = ProcessGroup {
            start_ticks: group.start_ticks + 1,
            ..group
        };
        assert_eq!(liveness(other), Liveness::Recycled);
        assert!(
            !stop(other).1 && liveness(group) == Liveness::Alive,
            "never signalled"
        );
        let (said, alive) = stop(group);
        assert!(!alive && said.contains("stopped by SIGTERM"), "{said}");
        let _ = child.wait();
        assert_eq!(liveness(group), Liveness::Gone);
    }
}
