//! A panic in the cockpit, should one happen anyway, is told on the normal screen after the
//! terminal is restored (not lost with the alternate screen), and is in the log.
//! `FLIGHTDECK_TEST_PANIC` makes the cockpit panic on its first tick; only this test sets it.

mod support;

use std::time::Duration;

use support::cockpit::{Cockpit, Dirs, manifest_dir};

#[test]
fn a_panic_is_printed_on_the_normal_screen_and_logged() {
    let dirs = Dirs::new();
    let runbook = manifest_dir().join("tests/fixtures/small.toml");
    let mut c = Cockpit::start_with_env(
        &dirs,
        &["run", runbook.to_str().unwrap()],
        100,
        30,
        &[("FLIGHTDECK_TEST_PANIC", "1")],
    );
    let code = c.wait_exit(Duration::from_secs(20));
    assert_eq!(code, 101, "a panic exits 101; screen:\n{}", c.contents());
    c.assert_terminal_restored();
    let screen = c.contents();
    assert!(
        screen.contains("FLIGHTDECK_TEST_PANIC: a panic on the first tick"),
        "the panic message is not on the normal screen:\n{screen}"
    );
    // What the shell prints next goes at the cursor: it must be below the message, or the
    // prompt overwrites it (a second "leave the alternate screen" moves the cursor back up).
    let (message_row, cursor_row) = c.with_screen(|s| {
        let rows: Vec<String> = s.rows(0, 100).collect();
        let at = rows
            .iter()
            .rposition(|r| r.contains("FLIGHTDECK_TEST_PANIC"))
            .unwrap() as u16;
        (at, s.cursor_position().0)
    });
    assert!(
        cursor_row > message_row,
        "the cursor (row {cursor_row}) is not below the panic message (row {message_row}):\n{screen}"
    );
    let logs = dirs.xdg.path().to_path_buf();
    let logged = walk(&logs)
        .iter()
        .any(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("FLIGHTDECK_TEST_PANIC")));
    assert!(logged, "the panic is not in a log under {}", logs.display());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() { walk(&p) } else { vec![p] }
        })
        .collect()
}
