use super::*;
use crate::gates::{Evaluation, Verdict};
use crate::journal::event::Action;
use crate::runbook::BreachPolicy;

const RUNBOOK: &str = r#"
[runbook]
name = "Unit runbook"

[[source]]
id = "lag"
kind = "command"
command = "echo 1"
unit = "s"

[[phase]]
id = "p"
title = "Prep"

[[phase.step]]
id = "backup"
title = "Back up"
planned = "20m"
run = "pg_dump"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = ["lag < 30s"]

[rollback]
steps = [{ title = "Undo" }]
"#;

fn rec(seq: u64, second: u32, operator: &str, event: Event) -> Record {
    Record {
        v: crate::journal::record::FORMAT,
        seq,
        time: format!("2026-12-05T22:{:02}:{:02}.500Z", second / 60, second % 60),
        operator: operator.into(),
        run: "run-1".into(),
        runbook_hash: "h".into(),
        prev: String::new(),
        event,
        without_seat: None,
        hash: String::new(),
    }
}

fn journal(events: Vec<Event>) -> Vec<Record> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, e)| rec(i as u64 + 1, i as u32 * 30, "op@bastion", e))
        .collect()
}

fn started() -> Event {
    Event::RunStarted {
        runbook_path: "/rb/unit.toml".into(),
        runbook_name: "Unit runbook".into(),
        step_fingerprints: Default::default(),
        mode: None,
    }
}

fn command(id: u64, step: &str, cmd: &str) -> Event {
    Event::ActionStarted {
        id,
        action: Action::Command {
            step: step.into(),
            command: cmd.into(),
        },
        rehearsal: false,
    }
}

fn render_journal_only(records: &[Record]) -> String {
    render(&Input {
        run_id: "run-1",
        records,
        chain: Chain::Intact,
        kept: &Default::default(),
        plan: Plan::JournalOnly { why: "gone".into() },
    })
}

/// Unescaped pipes on a line: the cell borders a Markdown table reader sees.
pub(super) fn borders(line: &str) -> usize {
    let mut escaped = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '|' && !escaped {
            n += 1;
        }
        escaped = c == '\\' && !escaped;
    }
    n
}

/// The lines a Markdown reader takes as prose: outside fenced blocks. A fence closes only at a
/// line of at least as many backticks and nothing else.
fn outside_fences(md: &str) -> Vec<&str> {
    let mut open: Option<usize> = None;
    let mut prose = Vec::new();
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match open {
            None if ticks >= 3 => open = Some(ticks),
            None => prose.push(line),
            Some(n) if ticks >= n && line.trim_end().len() == ticks => open = None,
            Some(_) => {}
        }
    }
    prose
}

/// Every table row has as many borders as its header.
fn assert_tables_whole(md: &str) {
    let mut expected = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = borders(line);
            let want = *expected.get_or_insert(n);
            assert_eq!(n, want, "row breaks its table: {line}\n{md}");
        } else {
            expected = None;
        }
    }
}

#[test]
fn summary_names_run_operators_times_and_chain() {
    let mut records = journal(vec![started(), Event::StepTicked { step: "a".into() }]);
    records[1].operator = "second@host".into();
    let md = render_journal_only(&records);
    assert!(md.starts_with("# Run report: Unit runbook\n"), "{md}");
    assert!(md.contains("- **Run:** run-1\n"));
    assert!(md.contains("- **Operators:** op@bastion, second@host\n"));
    assert!(md.contains("- **First record:** 2026-12-05 22:00:00 UTC\n"));
    assert!(md.contains("- **Last record:** 2026-12-05 22:00:30 UTC\n"));
    assert!(md.contains("- **Rehearsal:** no action ran as rehearsal\n"));
    assert!(md.contains("- **Hash chain:** intact (2 records)\n"));
    assert!(md.contains("| 2026-12-05 22:00:30 | second@host | a: done |"));
}

#[test]
fn an_action_without_an_end_is_flagged_in_doubt() {
    let records = journal(vec![started(), command(1, "backup", "pg_dump")]);
    let md = render_journal_only(&records);
    assert!(md.contains("WARNING: 1 ACTION(S) IN DOUBT"), "{md}");
    assert!(md.contains("> - action 1, started by op@bastion at 2026-12-05 22:00:30 UTC"));
    assert!(
        md.contains("may be in `run-1.output/1.log` (not hashed: unverified)"),
        "{md}"
    );
    assert!(md.contains("**IN DOUBT**: started, never ended"));

    let ended = journal(vec![
        started(),
        command(1, "backup", "pg_dump"),
        Event::ActionResolved {
            id: 1,
            ok: false,
            note: "never ran, disk full".into(),
        },
    ]);
    let md = render_journal_only(&ended);
    assert!(!md.contains("IN DOUBT**"), "{md}");
    assert!(md.contains(
        "resolved as not done by op@bastion at 2026-12-05 22:01:00: never ran, disk full"
    ));
}

#[test]
fn a_command_shows_its_result_and_fenced_output() {
    let records = journal(vec![
        started(),
        command(1, "backup", "pg_dump > x.sql"),
        Event::ActionEnded {
            id: 1,
            ok: true,
            result: "exit 0 in 1.2s".into(),
            output: vec!["dumped 3 tables".into(), "```".into()],
            output_file: None,
        },
    ]);
    let md = render_journal_only(&records);
    assert!(md.contains("- **Command:** `pg_dump > x.sql`\n"), "{md}");
    assert!(md.contains("- **Result:** succeeded: exit 0 in 1.2s\n"));
    assert!(md.contains("````text\ndumped 3 tables\n```\n````\n"));
}

#[test]
fn gate_decisions_carry_override_and_evidence() {
    let evidence = vec![Evaluation {
        criterion: "lag < 30s".into(),
        verdict: Verdict::Fail,
        measured: Some(42.0),
        age: Some(std::time::Duration::from_secs(7)),
        why: "42s >= 30s".into(),
    }];
    let records = journal(vec![
        started(),
        Event::GateDecided {
            step: "go".into(),
            go: true,
            overridden: vec!["lag < 30s".into()],
            reason: Some("lag is a reporting artefact".into()),
            evidence: crate::journal::event::evidence(&evidence),
            signoffs: vec!["Team ready".into()],
        },
    ]);
    let rb = crate::runbook::parse(RUNBOOK).unwrap().runbook;
    let md = render(&Input {
        run_id: "run-1",
        records: &records,
        chain: Chain::Intact,
        kept: &Default::default(),
        plan: Plan::Runbook {
            runbook: &rb,
            path: "/rb/unit.toml",
            changed: false,
        },
    });
    assert!(md.contains("### GO: Go/No-Go (go)\n"), "{md}");
    assert!(md.contains("- **Reason:** lag is a reporting artefact\n"));
    assert!(md.contains("- **OVERRIDDEN criteria** (did not pass): lag \\< 30s\n"));
    assert!(md.contains("- **Sign-offs ticked:** Team ready\n"));
    assert!(
        md.contains("| lag \\< 30s | 42s | 7s | **FAIL** | 42s \\>= 30s |"),
        "{md}"
    );
}

#[test]
fn planned_vs_actual_from_the_runbook_and_from_the_journal() {
    let records = journal(vec![
        started(),
        Event::StepTicked {
            step: "backup".into(),
        },
        Event::StepSkipped {
            step: "extra".into(),
            reason: "not needed".into(),
        },
    ]);
    let rb = crate::runbook::parse(RUNBOOK).unwrap().runbook;
    let md = render(&Input {
        run_id: "run-1",
        records: &records,
        chain: Chain::Intact,
        kept: &Default::default(),
        plan: Plan::Runbook {
            runbook: &rb,
            path: "/rb/unit.toml",
            changed: true,
        },
    });
    assert!(
        md.contains("**the file changed since the run last accepted it**"),
        "{md}"
    );
    assert!(
        md.contains(
            "| Prep | backup | Back up | command | 20m | 30s | done | 2026-12-05 22:00:30 |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Prep | go | Go/No-Go | gate | — | — | pending | — |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| (not in the runbook file) | extra | — | — | — | 30s | skipped (not needed) |"
        ),
        "{md}"
    );

    let md = render_journal_only(&records);
    assert!(
        md.contains(
            "The runbook could not be loaded (gone): steps are known from the journal only"
        )
    );
    assert!(
        md.contains("| — | backup | — | — | — | 30s | done |"),
        "{md}"
    );
}

#[test]
fn shifts_breaches_and_rollback() {
    let shift = |id, from, to| Event::ActionStarted {
        id,
        action: Action::Shift {
            step: Some(format!("shift{to}")),
            from_green: from,
            to_green: to,
            request: format!("echo {to}"),
        },
        rehearsal: false,
    };
    let end = |id| Event::ActionEnded {
        id,
        ok: true,
        result: "exit 0 in 0.1s".into(),
        output: vec![],
        output_file: None,
    };
    let rollback_step = |id, index: usize| Event::ActionStarted {
        id,
        action: Action::RollbackStep {
            index,
            title: format!("undo {index}"),
            command: Some("curl -fsS x".into()),
            to_green: None,
        },
        rehearsal: false,
    };
    let records = journal(vec![
        started(),
        shift(1, None, 10),
        end(1),
        Event::BreachDetected {
            green: Some(10),
            evidence: crate::journal::event::evidence(&[
                Evaluation {
                    criterion: "errors > 1%".into(),
                    verdict: Verdict::Pass,
                    measured: Some(2.0),
                    age: None,
                    why: "2 > 1".into(),
                },
                Evaluation {
                    criterion: "lag > 30s".into(),
                    verdict: Verdict::Fail,
                    measured: None,
                    age: None,
                    why: "4 <= 30".into(),
                },
            ]),
            policy: BreachPolicy::Prompt.into(),
        },
        Event::RollbackBegan {
            trigger: "typed by the operator".into(),
            phase: None,
        },
        rollback_step(2, 0),
        Event::ActionEnded {
            id: 2,
            ok: false,
            result: "exit 7 in 0.2s".into(),
            output: vec!["refused".into()],
            output_file: None,
        },
        Event::RollbackStepSkipped {
            index: 0,
            title: "undo 0".into(),
        },
        Event::RollbackEnded { completed: true },
    ]);
    let md = render_journal_only(&records);
    assert!(
        md.contains("| shift10 | green ? → 10% | echo 10 | succeeded: exit 0 in 0.1s |"),
        "{md}"
    );
    assert!(md.contains("### BREACH at 2026-12-05 22:01:30 UTC (green at 10%), policy: prompt"));
    assert!(
        md.contains("| errors \\> 1% | 2 | — | **HOLDS: breach** | 2 \\> 1 |"),
        "{md}"
    );
    assert!(
        md.contains("| lag \\> 30s | — | — | does not hold | 4 \\<= 30 |"),
        "{md}"
    );
    assert!(md.contains("### ROLLBACK began at 2026-12-05 22:02:00 UTC by op@bastion\n\n- **Trigger:** typed by the operator"));
    assert!(
        md.contains("| 1 | undo 0 | curl -fsS x | **FAILED**: exit 7 in 0.2s |"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | undo 0 | — | **SKIPPED** by op@bastion at 2026-12-05 22:03:30 UTC |")
    );
    assert!(md.contains("Output of rollback step 1:\n\n```text\nrefused\n```"));
    assert!(
        md.contains("- **Ended:** completed, **1 step(s) SKIPPED** at 2026-12-05 22:04:00 UTC")
    );
    assert!(md.contains("- **Plan:** the emergency plan"), "{md}");
    assert!(!md.contains("NOT ENDED"));
}

#[test]
fn a_phase_rollback_says_which_plan_ran_and_what_it_skipped() {
    let records = journal(vec![
        started(),
        Event::RollbackBegan {
            trigger: "typed by the operator".into(),
            phase: Some("cut".into()),
        },
        Event::RollbackStepSkipped {
            index: 0,
            title: "Restore the database".into(),
        },
        Event::RollbackEnded { completed: true },
    ]);
    let md = render_journal_only(&records);
    assert!(
        md.contains("- **Plan:** the own rollback of phase cut"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | Restore the database | — | **SKIPPED** by op@bastion"),
        "{md}"
    );
    assert!(
        !md.contains("| 1 | Restore the database | — | succeeded"),
        "{md}"
    );
    assert!(md.contains("completed, **1 step(s) SKIPPED**"), "{md}");
}

#[test]
fn a_rollback_without_an_end_says_so() {
    let records = journal(vec![
        started(),
        Event::RollbackBegan {
            trigger: "breach policy".into(),
            phase: None,
        },
    ]);
    let md = render_journal_only(&records);
    assert!(
        md.contains("- **NOT ENDED:** the journal stops before the rollback ended."),
        "{md}"
    );
}

#[test]
fn a_broken_chain_is_loud_and_marks_later_records() {
    let records = journal(vec![
        started(),
        Event::StepTicked { step: "a".into() },
        Event::StepTicked { step: "b".into() },
    ]);
    let md = render(&Input {
        run_id: "run-1",
        records: &records,
        chain: Chain::Broken {
            line: 2,
            reason: "content does not match its hash: the line was edited".into(),
        },
        kept: &Default::default(),
        plan: Plan::JournalOnly { why: "x".into() },
    });
    assert!(md.contains("**BROKEN at line 2**"), "{md}");
    assert!(md.contains("| run started: Unit runbook |"));
    assert!(md.contains("| **UNVERIFIED** a: done |"));
    assert!(md.contains("| **UNVERIFIED** b: done |"));
}

#[test]
fn hostile_journal_text_cannot_break_the_document() {
    let hostile = "evil | cell ``` `tick`\n# Heading\n\u{1b}[2J\u{1b}]0;owned\u{7}<b>x</b> |";
    let records = journal(vec![
        started(),
        Event::NoteAdded {
            step: "a|b".into(),
            text: hostile.into(),
        },
        Event::StepSkipped {
            step: "a".into(),
            reason: hostile.into(),
        },
        command(1, "a", hostile),
        Event::ActionEnded {
            id: 1,
            ok: true,
            result: hostile.into(),
            output: vec![hostile.into()],
            output_file: None,
        },
    ]);
    let md = render_journal_only(&records);
    assert_tables_whole(&md);
    assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'));
    let prose = outside_fences(&md);
    assert!(!prose.iter().any(|l| l.starts_with("# Heading")), "{md}");
    assert!(
        !prose.iter().any(|l| l.contains("<b>")),
        "no raw HTML: {md}"
    );
    assert!(
        md.contains("evil \\| cell \\`\\`\\` \\`tick\\` \\# Heading"),
        "{md}"
    );
    // The multi-line command is fenced, and no line inside can close its fence early.
    assert!(
        md.contains("````text\nevil | cell ``` `tick`\n# Heading\n"),
        "{md}"
    );
}

#[test]
fn rehearsal_actions_are_counted_in_the_summary() {
    let rehearsed = Event::ActionStarted {
        id: 2,
        action: Action::Command {
            step: "b".into(),
            command: "true".into(),
        },
        rehearsal: true,
    };
    let records = journal(vec![started(), command(1, "a", "true"), rehearsed]);
    let md = render_journal_only(&records);
    assert!(
        md.contains("- **Rehearsal:** **yes**: 1 of 2 actions ran as rehearsal"),
        "{md}"
    );
    assert!(md.contains("started as rehearsal by op@bastion"));
}

#[test]
fn a_stopped_orphan_is_in_the_timeline_with_its_action_named() {
    let records = journal(vec![
        started(),
        command(1, "backup", "sleep 300"),
        Event::ActionProcess {
            id: 1,
            pgid: 4242,
            start_ticks: 1,
        },
        Event::OrphanStopAsked { id: 1, pgid: 4242 },
        Event::OrphanStopped {
            id: 1,
            result: "process group 4242 stopped by SIGTERM".into(),
            alive: false,
        },
    ]);
    let md = render_journal_only(&records);
    for said in [
        "running as process group 4242",
        "stop asked for left-over process group 4242",
        "left-over process: process group 4242 stopped by SIGTERM",
    ] {
        let row = md
            .lines()
            .find(|l| l.contains(said))
            .unwrap_or_else(|| panic!("{said}: {md}"));
        assert!(row.contains("backup"), "the action is named: {row}");
    }
    assert!(
        md.contains("IN DOUBT"),
        "stopping it does not resolve the doubt: {md}"
    );
}

#[test]
fn records_acted_without_the_seat_are_marked_in_the_summary_timeline_and_rollback() {
    let mut records = journal(vec![
        started(),
        Event::RollbackBegan {
            trigger: "typed by the operator".into(),
            phase: None,
        },
        Event::RollbackEnded { completed: true },
    ]);
    for r in &mut records[1..] {
        r.without_seat = Some(crate::journal::record::WithoutSeat {
            key: format!("1.2.{}", r.seq),
            uploaded: Some("2026-12-05T22:05:00.000Z".into()),
        });
    }
    let md = render_journal_only(&records);
    assert!(
        md.contains("- **Without the seat:** **2 record(s) ACTED WITHOUT THE SEAT**"),
        "{md}"
    );
    assert_eq!(
        md.matches("**ACTED WITHOUT THE SEAT** (bastion clock; uploaded 2026-12-05 22:05:00")
            .count(),
        3,
        "two timeline rows and the rollback: {md}"
    );
    // A run without such records says nothing of it.
    let plain = render_journal_only(&journal(vec![started()]));
    assert!(!plain.contains("WITHOUT THE SEAT"), "{plain}");
}
