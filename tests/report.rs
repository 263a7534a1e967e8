//! `flightdeck report` with the real binary, on a journal written through the real journal code:
//! every kind of record shows up in the Markdown, hostile text cannot break it, and run selection
//! errors are clear.

use std::path::{Path, PathBuf};
use std::process::Command;

use flightdeck::gates::{Evaluation, Verdict};
use flightdeck::journal::event::Action;
use flightdeck::journal::{Event, FileJournal, Identity, Journal, runs};
use flightdeck::runbook::BreachPolicy;

const RUN: &str = "20261205T220000Z-cutover";
const OPERATOR: &str = "alice@bastion";
/// Pipes, a backtick run longer than a fence, a newline that would start a heading, an escape
/// sequence that would clear a terminal, and HTML.
const HOSTILE: &str = "x | y ```` `z`\n# not a heading\n\u{1b}[2J\u{1b}]0;pwned\u{7}<img src=x> |";

const RUNBOOK: &str = r#"
[runbook]
name = "Cutover rehearsal"

[[source]]
id = "lag"
kind = "command"
command = "echo 4"
unit = "s"

[traffic]
set = "echo {green}"
plan = [{ green = 10 }, { green = 50 }, { green = 100 }]
abort_when = ["lag > 30s"]

[[phase]]
id = "prep"
title = "Preparation"

[[phase.step]]
id = "announce"
title = "Announce the window"
planned = "5m"

[[phase.step]]
id = "freeze"
title = "Freeze writes"
planned = "10m"

[[phase.step]]
id = "backup"
title = "Back up the database"
planned = "20m"
run = "pg_dump > backup.sql"

[[phase]]
id = "cut"
title = "Cutover"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = ["lag < 30s"]
signoff = ["Team ready"]

[[phase.step]]
id = "shift10"
title = "Shift 10% to green"
traffic = { green = 10 }

[[phase.step]]
id = "shift50"
title = "Shift 50% to green"
traffic = { green = 50 }

[[phase.step]]
id = "verify"
title = "Verify green"
run = "curl -fsS http://green/health"

[rollback]
steps = [
  { title = "All traffic to blue", traffic = { green = 0 } },
  { title = "Tell stakeholders", run = "notify --all" },
]
"#;

struct Fixture {
    dir: tempfile::TempDir,
    runbook: PathBuf,
}

impl Fixture {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn journal(&self) -> PathBuf {
        runs::run_path(&self.data(), RUN)
    }
}

fn evidence(
    criterion: &str,
    measured: f64,
    verdict: Verdict,
    why: &str,
) -> Vec<flightdeck::journal::event::Evidence> {
    flightdeck::journal::event::evidence(&[Evaluation {
        criterion: criterion.into(),
        verdict,
        measured: Some(measured),
        age: Some(std::time::Duration::from_secs(3)),
        why: why.into(),
    }])
}

/// The run: ticks, a note, a skip, a command with output, NO-GO then an overridden GO, shifts
/// 0→10→50, a breach, a rollback with a skipped step, and an action left in doubt.
fn events(runbook_path: &str, runbook_name: &str) -> Vec<Event> {
    let shift = |id, from, to| Event::ActionStarted {
        id,
        action: Action::Shift {
            step: Some(format!("shift{to}")),
            from_green: Some(from),
            to_green: to,
            request: format!("echo {to}"),
        },
        rehearsal: false,
    };
    let ended = |id, ok, result: &str, output: &[&str]| Event::ActionEnded {
        id,
        ok,
        result: result.into(),
        output: output.iter().map(|s| s.to_string()).collect(),
        output_file: None,
    };
    vec![
        Event::RunStarted {
            runbook_path: runbook_path.into(),
            runbook_name: runbook_name.into(),
            step_fingerprints: Default::default(),
            mode: None,
        },
        Event::StepTicked {
            step: "announce".into(),
        },
        Event::NoteAdded {
            step: "announce".into(),
            text: HOSTILE.into(),
        },
        Event::StepSkipped {
            step: "freeze".into(),
            reason: "writes already frozen by the app team".into(),
        },
        Event::ActionStarted {
            id: 1,
            action: Action::Command {
                step: "backup".into(),
                command: "pg_dump > backup.sql".into(),
            },
            rehearsal: false,
        },
        ended(
            1,
            true,
            "exit 0 in 41.0s",
            &["dumped 12 tables", "```", "done"],
        ),
        Event::GateDecided {
            step: "go".into(),
            go: false,
            overridden: vec![],
            reason: Some("lag too high".into()),
            evidence: evidence("lag < 30s", 42.0, Verdict::Fail, "42s >= 30s"),
            signoffs: vec![],
        },
        Event::GateDecided {
            step: "go".into(),
            go: true,
            overridden: vec!["lag < 30s".into()],
            reason: Some("lag metric lags; replica checked by hand".into()),
            evidence: evidence("lag < 30s", 35.0, Verdict::Fail, "35s >= 30s"),
            signoffs: vec!["Team ready".into()],
        },
        shift(2, 0, 10),
        ended(2, true, "exit 0 in 0.3s", &["10"]),
        shift(3, 10, 50),
        ended(3, true, "exit 0 in 0.2s", &["50"]),
        Event::BreachDetected {
            green: Some(50),
            evidence: evidence("lag > 30s", 61.0, Verdict::Pass, "61s > 30s"),
            policy: BreachPolicy::Prompt.into(),
        },
        Event::RollbackBegan {
            trigger: "typed by the operator after a breach".into(),
            phase: None,
        },
        Event::ActionStarted {
            id: 4,
            action: Action::RollbackStep {
                index: 0,
                title: "All traffic to blue".into(),
                command: Some("echo 0".into()),
                to_green: Some(0),
            },
            rehearsal: false,
        },
        ended(4, true, "exit 0 in 0.1s", &[]),
        Event::ActionStarted {
            id: 5,
            action: Action::RollbackStep {
                index: 1,
                title: "Tell stakeholders".into(),
                command: Some("notify --all".into()),
                to_green: None,
            },
            rehearsal: false,
        },
        ended(5, false, "exit 1 in 0.1s", &["notify: no route to host"]),
        Event::RollbackStepSkipped {
            index: 1,
            title: "Tell stakeholders".into(),
        },
        Event::RollbackEnded { completed: true },
        Event::ActionStarted {
            id: 6,
            action: Action::Command {
                step: "verify".into(),
                command: "curl -fsS http://green/health".into(),
            },
            rehearsal: false,
        },
    ]
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("cutover.toml");
    std::fs::write(&runbook, RUNBOOK).unwrap();
    let fixture = Fixture { dir, runbook };
    std::fs::create_dir_all(runs::runs_dir(&fixture.data())).unwrap();
    let loaded = flightdeck::runbook::load(&fixture.runbook).unwrap();
    let identity = Identity {
        operator: OPERATOR.into(),
        run: RUN.into(),
    };
    let mut journal = FileJournal::create(&fixture.journal(), identity).unwrap();
    let key = flightdeck::session::runbook_key(&fixture.runbook);
    for event in events(&key, &loaded.runbook.meta.name) {
        journal.append(event, &loaded.runbook.hash).unwrap();
    }
    fixture
}

fn report(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("report")
        .args(args)
        .env("FLIGHTDECK_DATA_DIR", data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// How many times `c` stands unescaped on a line: for `|`, the cell borders a table reader sees.
fn unescaped(line: &str, c: char) -> usize {
    let mut escaped = false;
    let mut n = 0;
    for x in line.chars() {
        if x == c && !escaped {
            n += 1;
        }
        escaped = x == '\\' && !escaped;
    }
    n
}

/// Lines outside fenced blocks, where Markdown reads markup.
fn prose(md: &str) -> Vec<&str> {
    let mut open: Option<usize> = None;
    let mut lines = Vec::new();
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match open {
            None if ticks >= 3 => open = Some(ticks),
            None => lines.push(line),
            Some(n) if ticks >= n && line.trim_end().len() == ticks => open = None,
            Some(_) => {}
        }
    }
    lines
}

#[test]
fn the_report_tells_the_whole_run() {
    let f = fixture();
    let (code, md, err) = report(&f.data(), &[]);
    assert_eq!(code, 0, "{err}");
    let has = |s: &str| assert!(md.contains(s), "missing {s:?} in:\n{md}");
    // Summary.
    has("# Run report: Cutover rehearsal\n");
    has(&format!("- **Run:** {RUN}\n"));
    has(&format!("- **Operators:** {OPERATOR}\n"));
    has("- **First record:** 20");
    has("- **Rehearsal:** no action ran as rehearsal\n");
    has("- **Hash chain:** intact (21 records)\n");
    // In doubt, loudly, before the timeline.
    has("**WARNING: 1 ACTION(S) IN DOUBT.**");
    has("> - action 6, started by alice@bastion at ");
    assert!(md.find("IN DOUBT").unwrap() < md.find("## Timeline").unwrap());
    // Timeline rows from Event::summary.
    has(&format!(" | {OPERATOR} | announce: done |"));
    has(" | go: NO-GO (lag too high) |");
    has(" | shift green 10% -\\> 50% succeeded: exit 0 in 0.2s |");
    // Planned vs actual from the runbook file.
    has(", unchanged since the run.");
    has("| Preparation | announce | Announce the window | manual | 5m | ");
    has("| Preparation | backup | Back up the database | command | 20m | ");
    has("| skipped (writes already frozen by the app team) |");
    has("| Cutover | verify | Verify green | command | — | — | running | — |");
    // Gates: NO-GO, then GO with the override and the evidence.
    has("### NO-GO: Go/No-Go (go)\n");
    has("### GO: Go/No-Go (go)\n");
    has("- **Reason:** lag metric lags; replica checked by hand\n");
    has("- **OVERRIDDEN criteria** (did not pass): lag \\< 30s\n");
    has("- **Sign-offs ticked:** Team ready\n");
    has("| lag \\< 30s | 42s | 3s | **FAIL** | 42s \\>= 30s |");
    has("| lag \\< 30s | 35s | 3s | **FAIL** | 35s \\>= 30s |");
    // The command with its result and output, fenced past the backticks inside.
    has("- **Command:** `pg_dump > backup.sql`\n");
    has("- **Result:** succeeded: exit 0 in 41.0s\n");
    has("````text\ndumped 12 tables\n```\ndone\n````\n");
    // Shifts 0 → 10 → 50 and the breach.
    has("| shift10 | green 0% → 10% | echo 10 | succeeded: exit 0 in 0.3s |");
    has("| shift50 | green 10% → 50% | echo 50 | succeeded: exit 0 in 0.2s |");
    has("(green at 50%), policy: prompt");
    has("Abort criteria as evaluated (one that holds is the breach):");
    has("| lag \\> 30s | 61s | 3s | **HOLDS: breach** | 61s \\> 30s |");
    // The rollback: both steps, the skip, the end.
    has("- **Trigger:** typed by the operator after a breach\n");
    has("| 1 | All traffic to blue | echo 0 | succeeded: exit 0 in 0.1s |");
    has("| 2 | Tell stakeholders | notify --all | **FAILED**: exit 1 in 0.1s |");
    has("| 2 | Tell stakeholders | — | **SKIPPED** by alice@bastion at ");
    has("Output of rollback step 2:\n\n```text\nnotify: no route to host\n```");
    has("- **Ended:** completed, **1 step(s) SKIPPED** at ");
    // Notes and skips.
    has("## Notes\n");
    has("| announce | x \\| y \\`\\`\\`\\` \\`z\\` \\# not a heading \\<img src=x\\> \\| |");
    has("| freeze | writes already frozen by the app team |");
}

#[test]
fn hostile_text_cannot_break_tables_code_or_the_terminal() {
    let f = fixture();
    let (code, md, _) = report(&f.data(), &[]);
    assert_eq!(code, 0);
    assert!(
        !md.chars().any(|c| c.is_control() && c != '\n'),
        "control characters reach the report"
    );
    let lines = prose(&md);
    assert!(!lines.iter().any(|l| l.starts_with("# not a heading")));
    assert!(
        !lines.iter().any(|l| unescaped(l, '<') > 0),
        "raw HTML outside code"
    );
    // Every table row has as many cell borders as its header.
    let mut header = None;
    for line in &lines {
        if line.starts_with('|') {
            let want = *header.get_or_insert(unescaped(line, '|'));
            assert_eq!(unescaped(line, '|'), want, "a row breaks its table: {line}");
        } else {
            header = None;
        }
    }
}

#[test]
fn runs_are_selected_by_runbook_or_id_and_written_to_a_file() {
    let f = fixture();
    let runbook = f.runbook.display().to_string();
    let (code, by_runbook, err) = report(&f.data(), &[&runbook]);
    assert_eq!(code, 0, "{err}");
    assert!(by_runbook.contains(&format!("- **Run:** {RUN}\n")));

    let out = f.dir.path().join("report.md");
    let (code, stdout, err) = report(&f.data(), &["--run", RUN, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "--out writes nothing to stdout");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), by_runbook);

    let (code, _, err) = report(&f.data(), &["--run", "20990101T000000Z-nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no run `20990101T000000Z-nope` in")
            && err.contains(&format!("newest runs there: {RUN}")),
        "{err}"
    );
    let (code, _, err) = report(&f.data(), &["--run", "../../etc/passwd"]);
    assert_eq!((code, err.contains("is not a run id")), (2, true), "{err}");

    let other = f.dir.path().join("other.toml");
    std::fs::write(&other, RUNBOOK).unwrap();
    let (code, _, err) = report(&f.data(), &[other.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no run of "), "{err}");

    let empty = f.dir.path().join("empty");
    let (code, _, err) = report(&empty, &[]);
    assert_eq!((code, err.contains("no runs in")), (2, true), "{err}");
}

#[test]
fn an_edited_journal_or_a_lost_runbook_is_said_plainly() {
    let f = fixture();
    std::fs::remove_file(&f.runbook).unwrap();
    let text = std::fs::read_to_string(f.journal()).unwrap();
    let edited = text.replacen("lag too high", "lag was fine", 1);
    std::fs::write(f.journal(), edited).unwrap();
    let (code, md, err) = report(&f.data(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("UNVERIFIED"), "{err}");
    assert!(
        md.contains("- **Hash chain:** **BROKEN at line 7**"),
        "{md}"
    );
    assert!(
        md.contains("| **UNVERIFIED** go: NO-GO (lag was fine) |"),
        "{md}"
    );
    assert!(md.contains("steps are known from the journal only"), "{md}");
    assert!(md.contains("| — | backup | — | command | — | "), "{md}");
}

#[test]
fn report_has_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--run") && help.contains("--out") && help.contains("[RUNBOOK]"));
}
