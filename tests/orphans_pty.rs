//! A cockpit killed with -9 while a command runs: the next one shows that the command's process
//! group still runs, stops it only after the confirming `y`, and journals the stop.

mod support;

use std::time::{Duration, Instant};

use flightdeck::orphans::{Liveness, ProcessGroup, liveness};
use support::cockpit::{Cockpit, Dirs};

/// Kills the group if the test ends early, so no `sleep 300` outlives it.
struct Reap(Option<u32>);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            flightdeck::shell::signal_group(pgid, libc::SIGKILL);
        }
    }
}

/// The process group journaled for the action, once it is there.
fn journaled_group(dirs: &Dirs) -> ProcessGroup {
    let started = Instant::now();
    loop {
        let journal = std::fs::read_to_string(dirs.journal()).unwrap_or_default();
        for line in journal.lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let event = &record["event"];
            if event["type"] == "action_process" {
                return ProcessGroup {
                    pgid: event["pgid"].as_u64().unwrap() as u32,
                    start_ticks: event["start_ticks"].as_u64().unwrap(),
                };
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no action_process in {journal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_orphaned_command_is_shown_alive_after_a_crash_and_stopped_on_confirmation() {
    let dirs = Dirs::new();
    let work = tempfile::tempdir().unwrap();
    let book = work.path().join("orphan.toml");
    std::fs::write(
        &book,
        r#"[runbook]
name = "Orphan"

[[phase]]
id = "p"
title = "Phase"

[[phase.step]]
id = "cmd"
title = "Long command"
run = "echo started; sleep 300"

[rollback]
steps = [{ title = "Undo" }]
"#,
    )
    .unwrap();
    let book = book.to_str().unwrap();

    let mut first = Cockpit::start(&dirs, &["run", book], 100, 30);
    first.wait_for("LIVE");
    first.send("\r\t\r");
    first.wait_for("running for");
    let group = journaled_group(&dirs);
    let mut reap = Reap(Some(group.pgid));
    // SAFETY: signals our own child.
    unsafe { libc::kill(first.pid(), libc::SIGKILL) };
    drop(first);
    assert_eq!(
        liveness(group),
        Liveness::Alive,
        "the group outlives the cockpit"
    );

    let mut second = Cockpit::start(&dirs, &["run", book], 100, 30);
    second.wait_for("Seat left behind");
    second.send("TAKEOVER\r");
    second.wait_for("Action in doubt");
    second.wait_for(&format!(
        "Its process group {} is STILL RUNNING",
        group.pgid
    ));
    second.send("k");
    second.wait_for("Stop the left-over process?");
    second.send("n");
    second.wait_gone("Stop the left-over process?");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(liveness(group), Liveness::Alive, "`n` leaves it running");
    second.send("k");
    second.wait_for("Stop the left-over process?");
    second.send("y");
    second.wait_for("stopped by SIGTERM");
    assert_eq!(liveness(group), Liveness::Gone);
    reap.0 = None;
    second.send("n");
    second.wait_for("How do you know?");
    second.send("stopped it from the in-doubt dialog\r");
    second.wait_gone("Action in doubt");
    second.quit();

    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    let asked = format!(r#""type":"orphan_stop_asked","id":1,"pgid":{}"#, group.pgid);
    assert!(journal.contains(&asked), "{journal}");
    assert!(
        journal.contains(r#""type":"orphan_stopped","id":1,"result":"process group"#)
            && journal.contains(r#"stopped by SIGTERM","alive":false"#),
        "{journal}"
    );
    assert_eq!(
        journal.matches("orphan_stop_asked").count(),
        1,
        "`n` journals nothing"
    );
}
