//! The acceptance path for traffic: a real HAProxy in front of two real backends, the documented
//! actuator recipe, and the cockpit shifting green 10 → 50 → 100 with the typed word, then the
//! emergency rollback back to all blue; checked by counting requests through HAProxy after each
//! step. Once through `App::update` with the real action runner, once through the TUI in a pty.

mod support;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use flightdeck::actions::runner::Actions;
use flightdeck::app::{App, Effect, Key, Mode, Msg};
use support::book::Book;
use support::cockpit::{Cockpit, Dirs};
use support::haproxy::Haproxy;
use support::{keys, typed};

const REQUESTS: usize = 200;
/// Roundrobin over weights summing to 100 is exact over 200 picks, give or take where the
/// rotation stood when the weights changed (see tests/traffic_haproxy.rs).
const TOLERANCE: usize = 1;

/// A runbook around the documented HAProxy recipe, pointed at this HAProxy's socket.
fn write_runbook(dir: &Path, haproxy: &Haproxy) -> PathBuf {
    let docs = include_str!("../docs/runbook-format.md");
    let recipe = docs
        .split("### Example actuator: HAProxy")
        .nth(1)
        .and_then(|s| s.split("```toml\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("the HAProxy recipe in the docs");
    let recipe = recipe.replace(
        "/run/haproxy/admin.sock",
        &haproxy.socket().display().to_string(),
    );
    Book::new("HAProxy shift")
        .table(&recipe)
        .shifts(&[10, 50, 100])
        .write(dir, "haproxy.toml")
}

fn assert_split(haproxy: &Haproxy, green_percent: usize) {
    let (blue, green) = haproxy.count(REQUESTS);
    let want = REQUESTS * green_percent / 100;
    assert!(
        green.abs_diff(want) <= TOLERANCE && blue + green == REQUESTS,
        "at {green_percent}% green: {blue} blue, {green} green of {REQUESTS}"
    );
}

/// Carries out effects as the cockpit does, with the real runner, until no action runs and
/// every read-back has answered. Outputs are kept beside `journal` (a path in the test's dir).
fn settle(
    app: &mut App,
    actions: &mut Actions,
    rx: &Receiver<Msg>,
    journal: &Path,
    mut effects: Vec<Effect>,
) {
    let mut reads = 0;
    loop {
        for effect in effects.drain(..) {
            match effect {
                Effect::Start { id, work } => actions.start(id, work, journal),
                Effect::ReadTraffic => {
                    reads += 1;
                    let traffic = app.runbook.traffic.clone().unwrap();
                    actions.read_traffic(&traffic, &app.runbook.vars);
                }
                Effect::Interrupt(id) => actions.interrupt(id),
                _ => {}
            }
        }
        if app.running_now().is_none() && reads == 0 {
            return;
        }
        let msg = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the runner reports back");
        if matches!(msg, Msg::TrafficRead(_)) {
            reads -= 1;
        }
        effects = app.update(msg);
    }
}

#[test]
fn the_app_shifts_real_traffic_through_haproxy_and_rolls_it_back() {
    let haproxy = Haproxy::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_runbook(dir.path(), &haproxy);
    let rb = flightdeck::runbook::load(&path)
        .unwrap_or_else(|d| panic!("{d:?}"))
        .runbook;
    let mut app = App::new(rb, "op@bastion".into(), "run-1".into(), support::NOW);
    app.mode = Mode::Live;
    let (tx, rx) = mpsc::channel();
    let mut actions = Actions::new(flightdeck::app::runner_sink(tx));
    let journal = dir.path().join("run-1.jsonl");
    assert_split(&haproxy, 0);

    for green in [10, 50, 100] {
        let mut effects = keys(&mut app, &[Key::Char('t')]);
        effects.extend(keys(&mut app, &typed("SHIFT")));
        effects.extend(keys(&mut app, &[Key::Enter]));
        if green > 10 {
            // The 30m bake of the shift before holds this one: it goes ahead on a reason.
            assert!(
                !effects.iter().any(|e| matches!(e, Effect::Start { .. })),
                "held by the bake: {effects:?}"
            );
            effects.extend(keys(&mut app, &typed("test: no time to bake")));
            effects.extend(keys(&mut app, &[Key::Enter]));
        }
        settle(&mut app, &mut actions, &rx, &journal, effects);
        assert_eq!(app.green(), green);
        assert_eq!(
            app.traffic_read.as_ref().map(|r| r.green.clone()),
            Some(Ok(green)),
            "read back from HAProxy"
        );
        assert_eq!(app.traffic_mismatch(), None);
        assert_split(&haproxy, green as usize);
    }

    let mut effects = keys(&mut app, &[Key::Char('R')]);
    effects.extend(keys(&mut app, &typed("ROLLBACK")));
    effects.extend(keys(&mut app, &[Key::Enter]));
    settle(&mut app, &mut actions, &rx, &journal, effects);
    assert!(!app.rollback_active());
    assert_eq!(app.progress.rollback.as_ref().unwrap().ended, Some(true));
    assert_eq!(app.green(), 0);
    assert_split(&haproxy, 0);
}

#[test]
fn the_tui_shifts_real_traffic_with_the_typed_word_and_rolls_back() {
    let haproxy = Haproxy::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_runbook(dir.path(), &haproxy);
    let dirs = Dirs::new();
    let mut cockpit = Cockpit::start(&dirs, &["run", path.to_str().unwrap()], 120, 40);
    cockpit.wait_for("LIVE");

    for (from, green) in [(0, 10), (10, 50), (50, 100)] {
        cockpit.send("t");
        cockpit.wait_for("Type SHIFT to shift");
        // As an operator would, look at the weights read back before typing: the report takes
        // the first shift's origin from that read, and "?" if it had not come back yet.
        cockpit.wait_for(&format!("in force: {from}% green"));
        cockpit.send("SHIFT\r");
        if from > 0 {
            // The shift before is still baking (30m): held, it goes ahead on a typed reason.
            cockpit.wait_for("HELD: the bake at");
            cockpit.wait_for("Override reason");
            cockpit.send("test: no time to bake\r");
        }
        cockpit.wait_for(&format!(" {green}% G"));
        cockpit.wait_for(&format!("`shift{green}` done"));
        assert_split(&haproxy, green);
    }
    cockpit.send("R");
    cockpit.wait_for("Type ROLLBACK to roll back");
    cockpit.send("ROLLBACk\r");
    cockpit.wait_for("type ROLLBACK exactly");
    assert_split(&haproxy, 100);
    cockpit.send("\x7fK\r");
    cockpit.wait_for("rollback completed");
    assert_split(&haproxy, 0);
    cockpit.send("\x1b");
    cockpit.wait_gone("rollback completed");
    cockpit.quit();

    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    for green in [10, 50, 100] {
        assert!(
            journal.contains(&format!(r#""to_green":{green}"#)),
            "{journal}"
        );
    }
    assert!(journal.contains(r#""type":"rollback_ended","completed":true"#));
    assert_eq!(
        journal.matches(r#""type":"hold_overridden""#).count(),
        2,
        "the 50 and 100 shifts overrode the bake: {journal}"
    );

    // Every step is in the report.
    let out = dirs.command(&["report", path.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    // The first shift's origin comes from the read-back at start.
    for shift in ["green 0% → 10%", "green 10% → 50%", "green 50% → 100%"] {
        assert!(report.contains(shift), "no `{shift}` in:\n{report}");
    }
    assert!(report.contains("All traffic to blue"), "{report}");
    assert!(report.contains("completed"), "{report}");
}
