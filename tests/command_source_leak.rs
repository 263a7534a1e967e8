//! A polled command that leaves a background child behind (`echo 5; sleep 300 &`) must not
//! leave a thread or a process behind per poll: the child holds the output pipe open, so a
//! reader that waits for EOF would block forever. Alone in its file, so the thread count of
//! this process is not disturbed by other tests.

mod support;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use flightdeck::telemetry::Reading;
use flightdeck::telemetry::command;
use support::processes_with;

const POLLS: usize = 30;
const TIMEOUT: Duration = Duration::from_millis(500);

fn threads_of_this_process() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn thirty_polls_of_a_command_with_a_background_child_leave_nothing_behind() {
    // A unique duration is the marker: `sleep` shows it in its command line.
    let marker = format!("300.{}", std::process::id());
    let cmd = format!("echo 5; sleep {marker} &");
    let threads_before = threads_of_this_process();
    for i in 0..POLLS {
        // Like the poller: each poll on a thread of its own, abandoned when it overstays.
        let (tx, rx) = mpsc::channel();
        let cmd = cmd.clone();
        std::thread::spawn(move || {
            let _ = tx.send(command::poll(&cmd, None, TIMEOUT));
        });
        let reading = rx.recv_timeout(TIMEOUT + Duration::from_secs(1));
        assert_eq!(
            reading,
            Ok(Reading::Number(5.0)),
            "poll {i}: the shell printed 5 and ended"
        );
    }
    let settle = Instant::now() + Duration::from_secs(3);
    while Instant::now() < settle
        && (threads_of_this_process() > threads_before || !processes_with(&marker).is_empty())
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let threads_after = threads_of_this_process();
    assert!(
        threads_after <= threads_before,
        "threads {threads_before} -> {threads_after} over {POLLS} polls"
    );
    let left = processes_with(&marker);
    assert!(left.is_empty(), "background children survived: {left:?}");
}
