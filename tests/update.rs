//! `App::update` as data: messages in, state and effects out. No terminal, no files.

mod support;

use flightdeck::app::{Effect, Key, Layer, Msg, Row, Status};
use flightdeck::journal::Event;
use support::*;

fn journaled(effects: &[Effect]) -> Vec<Event> {
    effects
        .iter()
        .filter_map(|e| {
            if let Effect::Journal(ev) = e {
                Some(ev.clone())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn starts_on_the_first_open_step() {
    let app = fresh_app();
    assert_eq!(app.selected_step().map(|s| s.id.as_str()), Some("backup"));
}

#[test]
fn space_ticks_and_journals_then_unticks() {
    let mut app = fresh_app();
    let effects = keys(&mut app, &[Key::Down, Key::Char(' ')]);
    assert_eq!(
        journaled(&effects),
        vec![Event::StepTicked {
            step: "announce".into()
        }]
    );
    assert_eq!(app.progress.status("announce"), Status::Done);
    assert_eq!(app.phase_progress(0), (1, 2));
    let effects = keys(&mut app, &[Key::Char(' ')]);
    assert_eq!(
        journaled(&effects),
        vec![Event::StepReopened {
            step: "announce".into()
        }]
    );
    assert_eq!(app.progress.status("announce"), Status::Pending);
}

#[test]
fn skip_needs_a_reason_and_records_it() {
    let mut app = fresh_app();
    let effects = keys(&mut app, &[Key::Char('s'), Key::Enter]);
    assert!(effects.is_empty(), "an empty reason is refused");
    assert!(matches!(app.top_layer(), Some(Layer::Prompt { .. })));
    let mut ks = typed("done last night");
    ks.push(Key::Enter);
    let effects = keys(&mut app, &ks);
    assert_eq!(
        journaled(&effects),
        vec![Event::StepSkipped {
            step: "backup".into(),
            reason: "done last night".into()
        }]
    );
    assert!(app.layers.is_empty());
    assert_eq!(
        app.progress
            .state("backup")
            .and_then(|s| s.skip_reason.clone())
            .as_deref(),
        Some("done last night")
    );
}

#[test]
fn esc_cancels_a_prompt_without_effects() {
    let mut app = fresh_app();
    let mut ks = vec![Key::Char('n')];
    ks.extend(typed("half a note"));
    ks.push(Key::Esc);
    assert!(keys(&mut app, &ks).is_empty());
    assert!(app.layers.is_empty());
    assert!(
        app.progress
            .state("backup")
            .is_none_or(|s| s.notes.is_empty())
    );
}

#[test]
fn note_is_journaled_with_the_step() {
    let mut app = fresh_app();
    let mut ks = vec![Key::Char('n')];
    ks.extend(typed("dump is 4 GB"));
    ks.push(Key::Enter);
    let effects = keys(&mut app, &ks);
    assert_eq!(
        journaled(&effects),
        vec![Event::NoteAdded {
            step: "backup".into(),
            text: "dump is 4 GB".into()
        }]
    );
    assert_eq!(
        app.progress.state("backup").unwrap().notes[0].operator,
        "op@bastion"
    );
}

#[test]
fn undo_reopens_the_last_tick_or_skip_in_order() {
    let mut app = fresh_app();
    let mut ks = vec![Key::Char('s')];
    ks.extend(typed("done by hand"));
    ks.extend([Key::Enter, Key::Down, Key::Char(' ')]);
    keys(&mut app, &ks);
    let effects = keys(&mut app, &[Key::Char('u')]);
    assert_eq!(
        journaled(&effects),
        vec![Event::ToggleUndone {
            step: "announce".into()
        }]
    );
    let effects = keys(&mut app, &[Key::Char('u')]);
    assert_eq!(
        journaled(&effects),
        vec![Event::ToggleUndone {
            step: "backup".into()
        }]
    );
    assert!(
        keys(&mut app, &[Key::Char('u')]).is_empty(),
        "nothing left to undo"
    );
    assert!(app.flash.as_deref().unwrap().starts_with("nothing to undo"));
}

#[test]
fn folding_hides_steps_and_moves_selection_to_the_phase() {
    let mut app = fresh_app();
    keys(&mut app, &[Key::Char('h')]);
    assert_eq!(app.selected, Row::Phase(0));
    keys(&mut app, &[Key::Char('h')]);
    assert!(app.folded.contains(&0));
    assert_eq!(
        app.rows().len(),
        1 + 1 + 3,
        "phase 0 folded, phase 1 open with 3 steps"
    );
    keys(&mut app, &[Key::Char('j')]);
    assert_eq!(app.selected, Row::Phase(1));
    keys(&mut app, &[Key::Char('k'), Key::Enter]);
    assert!(!app.folded.contains(&0), "Enter unfolds");
}

#[test]
fn search_jumps_unfolds_and_esc_restores() {
    let mut app = fresh_app();
    app.folded.insert(1);
    let mut ks = vec![Key::Char('/')];
    ks.extend(typed("freeze"));
    keys(&mut app, &ks);
    assert_eq!(app.selected_step().map(|s| s.id.as_str()), Some("freeze"));
    assert!(!app.folded.contains(&1));
    keys(&mut app, &[Key::Esc]);
    assert_eq!(app.selected_step().map(|s| s.id.as_str()), Some("backup"));
    assert!(app.folded.contains(&1), "Esc restores the folds too");

    let mut ks = vec![Key::Char('/')];
    ks.extend(typed("comms"));
    ks.push(Key::Enter);
    keys(&mut app, &ks);
    assert_eq!(
        app.selected_step().map(|s| s.id.as_str()),
        Some("announce"),
        "owner is searched"
    );
    assert!(app.layers.is_empty());
}

#[test]
fn help_opens_and_closes_and_swallows_keys() {
    let mut app = fresh_app();
    keys(&mut app, &[Key::Char('?')]);
    assert_eq!(app.top_layer(), Some(&Layer::Help { scroll: 0 }));
    assert!(
        keys(&mut app, &[Key::Char(' ')]).is_empty(),
        "keys under help do nothing"
    );
    keys(&mut app, &[Key::Esc]);
    assert!(app.layers.is_empty());
}

#[test]
fn quit_and_signals_record_the_session_end_with_selection() {
    let mut app = fresh_app();
    let effects = keys(&mut app, &[Key::Down, Key::Char('q')]);
    assert_eq!(
        effects,
        vec![
            Effect::Journal(Event::SessionEnded {
                reason: "quit".into(),
                selected: Some("announce".into())
            }),
            Effect::Quit
        ]
    );
    let mut app = fresh_app();
    let effects = app.update(Msg::Signal("hangup"));
    assert!(
        matches!(&effects[0], Effect::Journal(Event::SessionEnded { reason, .. }) if reason == "hangup")
    );
    assert_eq!(effects.last(), Some(&Effect::Quit));
}

#[test]
fn replay_restores_state_and_selection() {
    let mut app = fresh_app();
    let mut ks = vec![Key::Down, Key::Char(' '), Key::Up, Key::Char('s')];
    ks.extend(typed("n/a"));
    ks.extend([Key::Enter, Key::Down, Key::Down, Key::Char('q')]);
    let events = journaled(&keys(&mut app, &ks));
    let mut resumed = fresh_app();
    resumed.replay(events.iter().map(|e| (NOW, "op@bastion", e)));
    assert_eq!(resumed.progress.status("backup"), Status::Skipped);
    assert_eq!(resumed.progress.status("announce"), Status::Done);
    assert_eq!(
        resumed.selected_step().map(|s| s.id.as_str()),
        Some("freeze")
    );
}

#[test]
fn space_does_not_tick_commands_or_gates() {
    let mut app = fresh_app();
    assert!(
        keys(&mut app, &[Key::Char(' ')]).is_empty(),
        "backup is a command step"
    );
    assert_eq!(app.progress.status("backup"), Status::Pending);
    assert!(
        app.flash
            .as_deref()
            .unwrap_or("")
            .contains("not ticked by hand")
    );
    let mut ks = vec![Key::Char('/')];
    ks.extend(typed("go/no"));
    ks.extend([Key::Enter, Key::Char(' ')]);
    assert!(
        keys(&mut app, &ks).is_empty(),
        "a gate is not passed with Space"
    );
}

#[test]
fn a_failing_journal_blocks_further_records() {
    let mut app = fresh_app();
    app.update(Msg::JournalFailed("disk full".into()));
    assert!(keys(&mut app, &[Key::Down, Key::Char(' ')]).is_empty());
    assert_eq!(
        app.progress.status("announce"),
        Status::Pending,
        "state does not run ahead of the journal"
    );
    assert!(app.flash.as_deref().unwrap_or("").contains("disk full"));
}

#[test]
fn resume_confirmation_offers_resume_new_run_or_quit() {
    let mut app = fresh_app();
    app.layers.push(Layer::ConfirmResume {
        changed: vec!["go".into()],
    });
    assert!(
        keys(&mut app, &[Key::Char(' '), Key::Char('j')]).is_empty(),
        "nothing else happens until answered"
    );
    assert_eq!(keys(&mut app, &[Key::Char('n')]), vec![Effect::NewRun]);
    let effects = keys(&mut app, &[Key::Char('y')]);
    assert!(
        matches!(&effects[..], [Effect::Journal(Event::RunResumed { changed_steps, .. })] if changed_steps == &["go".to_string()])
    );
    assert!(app.layers.is_empty());
}

#[test]
fn clock_and_projected_end_follow_the_planned_start() {
    let mut app = fresh_app();
    assert_eq!(app.clock_offset(), Some(-30 * 60), "30 minutes before T-0");
    // Before T-0 the projection starts at T-0: 20m + 5m + 10m planned.
    assert_eq!(
        app.projected_end(),
        Some(time::macros::datetime!(2026-12-05 22:35:00 UTC))
    );
    app.update(Msg::Tick(time::macros::datetime!(2026-12-05 22:10:00 UTC)));
    assert_eq!(app.clock_offset(), Some(600));
    let mut ks = vec![Key::Char('s')];
    ks.extend(typed("x"));
    ks.push(Key::Enter);
    keys(&mut app, &ks);
    assert_eq!(
        app.projected_end(),
        Some(time::macros::datetime!(2026-12-05 22:25:00 UTC)),
        "the skipped step's 20m no longer counts"
    );
}

#[test]
fn ticks_within_the_same_second_do_not_redraw() {
    let mut app = fresh_app();
    app.dirty = false;
    app.update(Msg::Tick(NOW + time::Duration::milliseconds(400)));
    assert!(!app.dirty);
    app.update(Msg::Tick(NOW + time::Duration::seconds(1)));
    assert!(app.dirty);
}
