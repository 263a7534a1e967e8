//! A command source whose command leaves a background child (`echo 5; sleep … &`), polled
//! every second by the real cockpit in a pseudo-terminal: its threads stay flat over the polls
//! and, once the operator quits, no process of the command survives, not even of a poll that
//! was still under way.

mod support;

use std::time::{Duration, Instant};

use support::cockpit::{Cockpit, Dirs};
use support::processes_with;

fn runbook(command: &str, stuck: &str) -> String {
    format!(
        r#"
[runbook]
name = "Leaky command"

[[source]]
id = "leaky"
kind = "command"
label = "leaky value"
command = "{command}"
interval = "1s"
timeout = "1s"

[[source]]
id = "stuck"
kind = "command"
label = "stuck value"
command = "{stuck}"
interval = "1s"
timeout = "60s"

[[phase]]
id = "p"
title = "Cutover"

[[phase.step]]
id = "first"
title = "First step"

[rollback]
steps = [{{ title = "Undo" }}]
"#
    )
}

fn threads_of(pid: libc::pid_t) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn a_command_with_a_background_child_polled_at_1s_leaves_nothing_after_quit() {
    // A unique duration is the marker: `sleep` shows it in its command line.
    let marker = format!("300.{}", std::process::id());
    // A poll still running when the operator quits: its group must go with the cockpit.
    let stuck = format!("301.{}", std::process::id());
    let dirs = Dirs::new();
    let book = dirs.data.path().join("leaky.toml");
    std::fs::write(
        &book,
        runbook(
            &format!("echo 5; sleep {marker} &"),
            &format!("sleep {stuck}"),
        ),
    )
    .unwrap();
    let c = Cockpit::start(&dirs, &["run", book.to_str().unwrap()], 100, 30);
    c.wait_for("leaky value");
    // The first poll has run (and the runtime's threads exist) after a second and a half.
    std::thread::sleep(Duration::from_millis(1500));
    let threads_before = threads_of(c.pid());
    // About five more polls.
    std::thread::sleep(Duration::from_secs(5));
    let threads_after = threads_of(c.pid());
    // A poll under way has its child for a moment (the shell's output is drained for 100 ms
    // before its group is ended): only a child that outlives any poll, its timeout, drain and
    // grace (1.7 s), belongs to a finished one.
    let seen = processes_with(&marker);
    std::thread::sleep(Duration::from_millis(2500));
    let running: Vec<u32> = processes_with(&marker)
        .into_iter()
        .filter(|pid| seen.contains(pid))
        .collect();
    assert!(
        !processes_with(&stuck).is_empty(),
        "the stuck poll runs while the cockpit does"
    );
    c.quit();
    // One spare thread: the runtime may start a blocking thread while a poll overlaps another.
    assert!(
        threads_after <= threads_before + 1,
        "cockpit threads {threads_before} -> {threads_after} over five polls"
    );
    assert!(
        running.is_empty(),
        "children of finished polls still running: {running:?}"
    );
    let settle = Instant::now() + Duration::from_secs(2);
    let left = || [processes_with(&marker), processes_with(&stuck)].concat();
    while !left().is_empty() && Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(left().is_empty(), "survived the cockpit: {:?}", left());
}
