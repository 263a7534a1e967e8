//! Team mode's store against a real PostgreSQL on 127.0.0.1: the schema created once however
//! many cockpits start at once, one hash chain under many writers, epoch fencing of actions,
//! and `journal verify`, `journal export` and `report` through the binary, reading the store
//! like a file.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use flightdeck::journal::event::Action;
use flightdeck::journal::pg::journal::NewRun;
use flightdeck::journal::pg::seat::{self, TeamClaim, TeamHolder, TeamSeat};
use flightdeck::journal::pg::{Db, PgJournal, Target};
use flightdeck::journal::record::verify_text;
use flightdeck::journal::{Event, Identity, Journal, JournalError};
use support::cockpit::Dirs;
use support::postgres::Postgres;

const LEASE: Duration = Duration::from_secs(15);

fn db(url: &str) -> Db {
    Db::open(Target::parse(url, None).unwrap()).unwrap()
}

fn holder(name: &str) -> TeamHolder {
    TeamHolder {
        operator: name.into(),
        pid: 1,
    }
}

fn identity(operator: &str, run: &str) -> Identity {
    Identity {
        operator: operator.into(),
        run: run.into(),
    }
}

/// A run created by `lead@a`, who holds its seat (epoch 1), with its first record.
fn new_run(url: &str, run: &str) -> PgJournal {
    let new = NewRun {
        runbook_key: "/runbooks/cutover.toml",
        runbook_name: "Cutover",
        mode: "live",
    };
    let mut j = PgJournal::create(
        db(url),
        identity("lead@a", run),
        &new,
        &holder("lead@a"),
        LEASE,
    )
    .unwrap();
    j.append(
        Event::RunStarted {
            runbook_path: "/runbooks/cutover.toml".into(),
            runbook_name: "Cutover".into(),
            step_fingerprints: Default::default(),
            mode: None,
        },
        "h",
    )
    .unwrap();
    j
}

fn command(id: u64) -> Event {
    Event::ActionStarted {
        id,
        action: Action::Command {
            step: "backup".into(),
            command: "pg_dump".into(),
        },
        rehearsal: false,
    }
}

fn note(text: &str) -> Event {
    Event::NoteAdded {
        step: "backup".into(),
        text: text.into(),
    }
}

#[test]
fn eight_writers_appending_at_once_leave_one_unbroken_chain() {
    let pg = Postgres::shared();
    let url = pg.database();
    let _lead = new_run(&url, "r8");
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut j =
                    PgJournal::open(db(&url), identity(&format!("op{w}@b{w}"), "r8")).unwrap();
                for i in 0..25 {
                    j.append(note(&format!("w{w} n{i}")), "h").unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let text = flightdeck::journal::pg::journal::text_of(&db(&url), "r8")
        .unwrap()
        .unwrap();
    let records = verify_text(&text).expect("the chain is unbroken");
    assert_eq!(records.len(), 1 + 8 * 25);
    for w in 0..8 {
        let theirs: Vec<String> = records
            .iter()
            .filter(|r| r.operator == format!("op{w}@b{w}"))
            .map(|r| match &r.event {
                Event::NoteAdded { text, .. } => text.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let expected: Vec<String> = (0..25).map(|i| format!("w{w} n{i}")).collect();
        assert_eq!(
            theirs, expected,
            "each writer's records in its order, none lost"
        );
    }
    assert_eq!(
        pg.psql(
            &url,
            "SELECT head_seq FROM flightdeck_runs WHERE run_id = 'r8'"
        ),
        "201"
    );
}

#[test]
fn the_schema_is_created_once_however_many_cockpits_start_at_once() {
    let pg = Postgres::shared();
    let url = pg.database();
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || Db::open(Target::parse(&url, None).unwrap()).map(|_| ()))
        })
        .collect();
    for s in starts {
        s.join()
            .unwrap()
            .expect("every start migrates or finds it done");
    }
    db(&url);
    assert_eq!(pg.psql(&url, "SELECT version FROM flightdeck_schema"), "1");
    // A database from a newer flightdeck is refused by name, not written to.
    pg.psql(&url, "UPDATE flightdeck_schema SET version = 99");
    let err = Db::open(Target::parse(&url, None).unwrap())
        .err()
        .expect("refused");
    assert!(err.contains("newer"), "{err}");
}

#[test]
fn only_the_current_epoch_appends_actions_and_anyone_appends_notes() {
    let pg = Postgres::shared();
    let url = pg.database();
    let mut lead = new_run(&url, "rf");
    lead.append(command(1), "h").expect("the holder acts");

    // The DBA, without the seat: notes yes, actions no.
    let mut dba = PgJournal::open(db(&url), identity("dba@c", "rf")).unwrap();
    dba.append(note("replica caught up"), "h").unwrap();
    dba.append(
        Event::SignedOff {
            step: "go".into(),
            signoff: "DBA agrees".into(),
        },
        "h",
    )
    .unwrap();
    assert!(matches!(
        dba.append(command(2), "h"),
        Err(JournalError::Fenced(_))
    ));
    let seat_db = db(&url);
    assert!(matches!(
        seat::claim(&seat_db, "rf", &holder("dba@c"), LEASE).unwrap(),
        TeamClaim::Busy(_)
    ));

    // The lead's lease runs out (its cockpit is partitioned, say); the DBA takes over.
    pg.psql(
        &url,
        "UPDATE flightdeck_runs SET seat_expires = now() - interval '1 second' WHERE run_id = 'rf'",
    );
    let TeamClaim::Expired { epoch, previous } =
        seat::claim(&seat_db, "rf", &holder("dba@c"), LEASE).unwrap()
    else {
        panic!("an expired seat");
    };
    assert_eq!((epoch, previous.operator.as_str()), (1, "lead@a"));
    let lease = seat::take_over(&seat_db, "rf", &holder("dba@c"), epoch, LEASE).unwrap();
    assert_eq!(lease.epoch, 2);
    dba.hold(Arc::new(Mutex::new(lease)));
    dba.append(command(3), "h").expect("the new holder acts");

    // The old holder does not know yet (its own clock says its lease runs): the store refuses.
    match lead.append(command(4), "h") {
        Err(JournalError::Fenced(why)) => assert!(why.contains("taken over"), "{why}"),
        other => panic!("expected the fence, got {other:?}"),
    }
    lead.append(note("still here"), "h")
        .expect("notes are anyone's");
    // A second takeover from the same stale view loses the race, by epoch.
    assert!(seat::take_over(&seat_db, "rf", &holder("x@d"), epoch, LEASE).is_err());
    assert!(matches!(
        seat::view(&seat_db, "rf").unwrap(),
        TeamSeat::Held { epoch: 2, .. }
    ));
    assert_eq!(
        pg.psql(
            &url,
            "SELECT string_agg(epoch::text, ',' ORDER BY seq) FROM flightdeck_records WHERE run_id = 'rf' AND epoch IS NOT NULL"
        ),
        "1,1,2",
        "RunStarted and the lead's action under epoch 1, the DBA's under 2"
    );
}

#[test]
fn verify_export_and_report_read_the_store_like_a_file() {
    let pg = Postgres::shared();
    let url = pg.database();
    let mut lead = new_run(&url, "rv");
    lead.append(note("all good"), "h").unwrap();
    drop(lead);
    let dirs = Dirs::new();
    let run = |args: &[&str]| {
        let out = dirs.command(args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["journal", "verify", "--journal", &url, "--run", "rv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2 records, chain intact"), "{out}");
    assert!(!out.contains("postgres@"), "no credentials shown: {out}");

    // Exported into the data dir, the same run verifies offline.
    let runs = dirs.data.path().join("runs");
    std::fs::create_dir_all(&runs).unwrap();
    let file = runs.join("rv.jsonl");
    let (code, _, err) = run(&[
        "journal",
        "export",
        "--journal",
        &url,
        "--run",
        "rv",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["journal", "verify", "--run", "rv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2 records, chain intact"), "{out}");

    let (code, out, err) = run(&["report", "--journal", &url, "--run", "rv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("all good"), "{out}");

    // An edit in the database is caught, at its record.
    pg.psql(
        &url,
        "UPDATE flightdeck_records SET line = replace(line, 'all good', 'all bad') WHERE run_id = 'rv' AND seq = 2",
    );
    let (code, _, err) = run(&["journal", "verify", "--journal", &url, "--run", "rv"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(":2: content does not match its hash"), "{err}");
}

/// `flightdeck end` with `--journal URL`, or `FLIGHTDECK_DATABASE_URL`, as in `run`.
fn end(dirs: &Dirs, book: &str, flag: Option<&str>, env: Option<&str>) -> std::process::Output {
    let mut args = vec!["end", book];
    if let Some(url) = flag {
        args.extend(["--journal", url]);
    }
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"));
    cmd.args(&args)
        .env("FLIGHTDECK_DATA_DIR", dirs.data.path())
        .env("FLIGHTDECK_CONFIG_DIR", dirs.config.path())
        .envs(dirs.xdg_env())
        .env_remove("FLIGHTDECK_DATABASE_URL");
    if let Some(url) = env {
        cmd.env("FLIGHTDECK_DATABASE_URL", url);
    }
    cmd.output().unwrap()
}

#[test]
fn end_ends_a_team_run_named_by_the_flag_or_the_environment() {
    let pg = Postgres::shared();
    let url = pg.database();
    let book = support::cockpit::manifest_dir().join("tests/fixtures/small.toml");
    let key = std::fs::canonicalize(&book).unwrap().display().to_string();
    let book = book.to_str().unwrap();
    let new = NewRun {
        runbook_key: &key,
        runbook_name: "Small test runbook",
        mode: "live",
    };
    let mut lead = PgJournal::create(
        db(&url),
        identity("lead@a", "run-end"),
        &new,
        &holder("lead@a"),
        LEASE,
    )
    .unwrap();
    lead.append(note("started"), "h").unwrap();
    let dirs = Dirs::new();

    // The seat is the lead's: `end` is refused, and says by whom.
    let held = end(&dirs, book, Some(&url), None);
    let said = String::from_utf8_lossy(&held.stderr);
    assert_eq!(held.status.code(), Some(1), "{said}");
    assert!(said.contains("seat is held by lead@a pid 1"), "{said}");

    // The lead quit (its seat released): the environment names the store, as for `run`.
    drop(lead);
    let ended = end(&dirs, book, None, Some(&url));
    let out = String::from_utf8_lossy(&ended.stdout);
    assert!(
        ended.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&ended.stderr)
    );
    assert!(out.contains("run run-end ended: aborted"), "{out}");
    assert_eq!(
        pg.psql(&url, "SELECT ended FROM flightdeck_runs"),
        "t",
        "the run is ended in the store"
    );
    assert_eq!(
        pg.psql(
            &url,
            "SELECT line::jsonb->'event'->>'type' FROM flightdeck_records ORDER BY seq DESC LIMIT 1"
        ),
        "run_ended"
    );
    assert_eq!(
        pg.psql(&url, "SELECT seat_operator IS NULL FROM flightdeck_runs"),
        "t",
        "the seat is released once the run is ended"
    );
    // Nothing is left open to end.
    let again = end(&dirs, book, Some(&url), None);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn records_kept_without_the_seat_join_the_chain_at_its_head_once_and_only_intact() {
    let pg = Postgres::shared();
    let url = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let mut lead = new_run(&url, "run-kept");
    lead.keep_local_copy(dir.path());
    // Cut off, the lead keeps two records here; meanwhile the DBA's note reaches the store.
    for event in [
        Event::RollbackBegan {
            trigger: "typed by the operator".into(),
            phase: None,
        },
        Event::RollbackEnded { completed: true },
    ] {
        let kept = lead.append_without_seat(event, "h").unwrap();
        assert_eq!(kept.v, 2);
    }
    let pending = lead.without_seat_path().unwrap();
    let written = std::fs::read_to_string(&pending).unwrap();
    let mut dba = PgJournal::open(db(&url), identity("dba@b", "run-kept")).unwrap();
    dba.append(note("replica is fine"), "h").unwrap();

    let uploaded = lead.upload_without_seat().unwrap();
    assert_eq!(
        uploaded.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [3, 4],
        "after the DBA's note (seq 2)"
    );
    assert!(!pending.exists(), "the waiting file is gone once uploaded");
    let text = flightdeck::journal::pg::journal::text_of(&db(&url), "run-kept")
        .unwrap()
        .unwrap();
    let records = verify_text(&text).expect("one unbroken chain");
    assert!(records[2..].iter().all(|r| {
        r.without_seat
            .as_ref()
            .is_some_and(|m| m.uploaded.is_some())
    }));
    // The local copy holds them as the store does.
    let local = std::fs::read_to_string(dir.path().join("run-kept.jsonl")).unwrap();
    assert!(local.contains(text.lines().last().unwrap()), "{local}");

    // An upload cut off after its commit (the file still there) adds nothing twice.
    std::fs::write(&pending, &written).unwrap();
    assert!(lead.upload_without_seat().unwrap().is_empty());
    assert_eq!(
        pg.psql(
            &url,
            "SELECT count(*) FROM flightdeck_records WHERE offline"
        ),
        "2"
    );
    // A waiting file edited on the bastion is refused, by name, and left as it is.
    std::fs::write(
        &pending,
        written.replace("typed by the operator", "typed by nobody"),
    )
    .unwrap();
    let refused = lead.upload_without_seat().unwrap_err();
    assert!(matches!(refused, JournalError::Damaged { .. }), "{refused}");
    assert!(pending.exists());
}
