//! The gate dialog as data: GO only on passing criteria and ticked sign-offs, NO-GO with a
//! reason, an override only with a typed reason, the gate timeout; and 10^5 random keys that
//! never actuate anything without its confirmation.

mod support;

use flightdeck::app::{ActionUpdate, App, Effect, Key, Layer, Mode, Msg, Status};
use flightdeck::journal::Event;
use flightdeck::journal::event::EvidenceVerdict;
use support::acting::*;
use support::{keys, typed};

fn decided(effects: &[Effect]) -> Option<&Event> {
    events(effects)
        .into_iter()
        .find(|e| matches!(e, Event::GateDecided { .. }))
}

#[test]
fn go_is_refused_while_a_criterion_fails_and_allowed_once_it_passes() {
    let mut app = acting_app(Mode::Live);
    feed(&mut app, "lag", 42.0);
    feed(&mut app, "errors", 0.1);
    let pending = |app: &App, step| -> Vec<String> {
        let gates = app.gates_pending_before(step);
        gates.iter().map(|s| s.id.clone()).collect()
    };
    assert_eq!(pending(&app, "shift10"), ["go"]);
    assert!(
        pending(&app, "backup").is_empty(),
        "the gate is below backup"
    );
    keys(&mut app, &[Key::Char('g')]);
    assert!(matches!(app.top_layer(), Some(Layer::Gate(d)) if d.step == "go"));
    assert_eq!(app.selected_step().unwrap().id, "go");

    let effects = keys(&mut app, &[Key::Char(' '), Key::Char('y')]);
    assert!(effects.is_empty());
    assert!(
        app.flash
            .as_deref()
            .unwrap()
            .contains("not passing: lag < 30s")
    );

    // The lag drains below the threshold: GO goes through, with the values it saw.
    feed(&mut app, "lag", 12.0);
    let effects = keys(&mut app, &[Key::Char('y')]);
    let Some(Event::GateDecided {
        step,
        go: true,
        overridden,
        reason: None,
        evidence,
        signoffs,
    }) = decided(&effects)
    else {
        panic!("{effects:?}")
    };
    assert_eq!(step, "go");
    assert!(overridden.is_empty());
    assert_eq!(signoffs, &vec!["Team ready".to_string()]);
    assert_eq!(evidence[0].measured, Some(12.0));
    assert!(evidence.iter().all(|e| e.verdict == EvidenceVerdict::Pass));
    assert_eq!(app.progress.status("go"), Status::Done);
    assert_eq!(app.top_layer(), None);
    assert!(pending(&app, "shift10").is_empty(), "GO passed the gate");
}

#[test]
fn go_needs_every_sign_off() {
    let mut app = acting_app(Mode::Live);
    feed(&mut app, "lag", 1.0);
    feed(&mut app, "errors", 0.1);
    let effects = keys(&mut app, &[Key::Char('g'), Key::Char('y')]);
    assert!(effects.is_empty());
    assert!(app.flash.as_deref().unwrap().contains("sign-off"));
}

#[test]
fn stale_or_missing_data_holds_the_gate() {
    let mut app = acting_app(Mode::Live);
    feed(&mut app, "lag", 1.0); // errors never measured: unknown
    let effects = keys(&mut app, &[Key::Char('g'), Key::Char(' '), Key::Char('y')]);
    assert!(effects.is_empty());
    assert!(app.flash.as_deref().unwrap().contains("errors < 1%"));
}

#[test]
fn an_override_needs_a_typed_reason_and_names_what_it_overrode() {
    let mut app = acting_app(Mode::Live);
    feed(&mut app, "lag", 42.0);
    feed(&mut app, "errors", 0.1);
    keys(&mut app, &[Key::Char('g'), Key::Char('o')]);
    assert!(
        app.flash.as_deref().unwrap().contains("sign-off"),
        "sign-offs are never overridden"
    );
    keys(&mut app, &[Key::Char(' '), Key::Char('o')]);
    keys(&mut app, &typed("ok"));
    assert!(
        keys(&mut app, &[Key::Enter]).is_empty(),
        "too short a reason"
    );
    keys(&mut app, &typed(" per DBA: lag is replaying a batch"));
    let effects = keys(&mut app, &[Key::Enter]);
    let Some(Event::GateDecided {
        go: true,
        overridden,
        reason: Some(reason),
        ..
    }) = decided(&effects)
    else {
        panic!("{effects:?}")
    };
    assert_eq!(overridden, &vec!["lag < 30s".to_string()]);
    assert_eq!(reason, "ok per DBA: lag is replaying a batch");
}

#[test]
fn no_go_records_its_reason_and_fails_the_step() {
    let mut app = acting_app(Mode::Live);
    keys(&mut app, &[Key::Char('g'), Key::Char('n')]);
    assert!(
        keys(&mut app, &[Key::Enter]).is_empty(),
        "a reason is required"
    );
    keys(&mut app, &typed("DMS task stopped"));
    let effects = keys(&mut app, &[Key::Enter]);
    assert!(matches!(
        decided(&effects),
        Some(Event::GateDecided { go: false, reason: Some(r), .. }) if r == "DMS task stopped"
    ));
    assert_eq!(app.progress.status("go"), Status::Failed);
}

#[test]
fn a_no_go_timeout_decides_the_gate_when_it_runs_out() {
    let mut app = acting_app(Mode::Live);
    if let Some(step) = app.runbook.phases[0]
        .steps
        .iter_mut()
        .find(|s| s.id == "go")
        && let flightdeck::runbook::StepKind::Gate {
            timeout,
            on_timeout,
            ..
        } = &mut step.kind
    {
        *timeout = Some(std::time::Duration::from_secs(600));
        *on_timeout = flightdeck::runbook::TimeoutPolicy::NoGo;
    }
    // The gate is not at hand until the step before it is finished.
    assert!(tick(&mut app, 900).is_empty());
    keys(&mut app, &[Key::Char('s')]);
    keys(&mut app, &typed("done by hand"));
    keys(&mut app, &[Key::Enter]);
    assert!(tick(&mut app, 599).is_empty());
    let effects = tick(&mut app, 2);
    assert!(matches!(
        decided(&effects),
        Some(Event::GateDecided { go: false, reason: Some(r), .. }) if r.contains("timeout")
    ));
    assert!(tick(&mut app, 60).is_empty(), "decided once");
}

/// A small, seeded generator: the same keys on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn random_key(rng: &mut XorShift) -> Key {
    const SPECIAL: [Key; 16] = [
        Key::Enter,
        Key::Enter,
        Key::Enter,
        Key::Esc,
        Key::Tab,
        Key::BackTab,
        Key::Up,
        Key::Down,
        Key::Left,
        Key::Right,
        Key::Backspace,
        Key::PageDown,
        Key::Ctrl('c'),
        Key::Ctrl('r'),
        Key::Ctrl('u'),
        Key::Char(' '),
    ];
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzRSHIFTOLBACKGNY?/";
    let n = rng.next() as usize;
    if n.is_multiple_of(3) {
        SPECIAL[(n / 3) % SPECIAL.len()]
    } else {
        Key::Char(LETTERS[(n / 3) % LETTERS.len()] as char)
    }
}

/// Drives `keys` random keys, acting as the cockpit would (every started action ends at once,
/// samples keep coming), and checks each actuation against the dialog and key that caused it.
/// Returns how many commands ran, so the run is known to have exercised the path.
fn random_session(mode: Mode, seed: u64, n: usize) -> usize {
    let mut app = acting_app(mode);
    let mut rng = XorShift(seed);
    let mut commands = 0;
    for i in 0..n {
        if i.is_multiple_of(50) {
            feed(&mut app, "lag", (rng.next() % 60) as f64);
            feed(&mut app, "errors", (rng.next() % 300) as f64 / 100.0);
        }
        let key = random_key(&mut rng);
        let before = app.top_layer().cloned();
        let effects = app.update(Msg::Key(key));
        for (id, work) in starts(&effects) {
            let confirmed = matches!(
                &before,
                Some(Layer::ConfirmCommand {
                    run_focused: true,
                    ..
                })
            ) && key == Key::Enter;
            assert!(
                confirmed,
                "key {i} ({key:?}) in {before:?} started {work:?} without its confirmation"
            );
            commands += 1;
            app.update(Msg::Action {
                id,
                update: ActionUpdate::Ended {
                    ok: rng.next().is_multiple_of(2),
                    result: "exit 0".into(),
                    output_file: None,
                },
            });
        }
        for event in events(&effects) {
            assert!(
                !matches!(
                    event,
                    Event::RollbackBegan { .. } | Event::BreachDetected { .. }
                ) && !matches!(event, Event::ActionStarted { action, .. } if !matches!(action, flightdeck::journal::event::Action::Command { .. })),
                "key {i} ({key:?}) in {before:?}: {event:?}"
            );
        }
        if i.is_multiple_of(1000) {
            app.update(Msg::Tick(app.now + time::Duration::seconds(1)));
        }
    }
    commands
}

#[test]
fn random_keys_never_shift_or_roll_back_and_run_commands_only_when_confirmed() {
    let commands = random_session(Mode::Live, 0x05ee_df11_dec4_u64, 100_000);
    // The confirmed path was taken: the check above is not vacuous.
    assert!(commands > 0, "no command ran in 10^5 keys");
}

#[test]
fn random_keys_start_nothing_in_rehearsal_or_read_only() {
    for mode in [Mode::Rehearsal, Mode::ReadOnly] {
        let mut app = acting_app(mode);
        let mut rng = XorShift(42);
        for _ in 0..50_000 {
            let effects = app.update(Msg::Key(random_key(&mut rng)));
            assert!(starts(&effects).is_empty(), "{mode:?}: {effects:?}");
            assert!(!effects.iter().any(|e| matches!(e, Effect::Interrupt(_))));
        }
    }
}

#[test]
fn the_gate_dialog_shows_values_thresholds_and_verdicts() {
    let mut app: App = acting_app(Mode::Live);
    feed(&mut app, "lag", 42.0);
    keys(&mut app, &[Key::Char('g')]);
    let screen = support::frames::text(&support::frames::render(&app, 80, 24, false));
    insta::assert_snapshot!(screen);
}
