//! The emergency rollback when the team store is unreachable, with the real binary in
//! pseudo-terminals against a real PostgreSQL on 127.0.0.1. The seat holder is cut off from the
//! database by a proxy the test black-holes (a hand-written stand-in for a partition), while a
//! second cockpit, still connected, writes a note and then takes over the expired seat while
//! running. The cut-off holder rolls back with the word plus a second confirmation (a held
//! Enter does not give it), the rollback's command really runs, its records wait on the
//! bastion, and when the network heals they join the chain after the note, marked in
//! `journal verify` and the report as acted without the seat.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::book::Book;
use support::cockpit::{Cockpit, Dirs};
use support::postgres::Postgres;
use support::proxy::Proxy;

/// A runbook whose rollback touches `marker` (the effect the test sees) and checks it.
fn runbook(dir: &Path, marker: &Path) -> PathBuf {
    let m = marker.display();
    Book::new("Cut-off cutover")
        .phase("p", "Phase")
        .step("freeze", "Freeze writes", "")
        .step("after", "After", "")
        .rollback(&format!(
            "{{ title = \"Route back to blue\", run = \"touch {m}\" }}"
        ))
        .rollback(&format!(
            "{{ title = \"Verify blue\", run = \"test -f {m}\" }}"
        ))
        .write(dir, "cutoff.toml")
}

fn cockpit(dirs: &Dirs, book: &Path, url: &str, operator: &str) -> Cockpit {
    Cockpit::start_with_env(
        dirs,
        &["run", book.to_str().unwrap(), "--journal", url],
        110,
        30,
        &[
            ("FLIGHTDECK_OPERATOR", operator),
            ("FLIGHTDECK_SEAT_LEASE", "6"),
        ],
    )
}

fn wait_until(what: &str, limit: Duration, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The files the cockpit keeps records in while they wait for the store.
fn waiting(dirs: &Dirs) -> Vec<PathBuf> {
    std::fs::read_dir(dirs.data.path().join("team"))
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(".without-seat.jsonl"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_cut_off_holder_rolls_back_without_the_seat_and_the_records_join_the_chain_later() {
    let pg = Postgres::shared();
    let url = pg.database();
    let proxy = Proxy::start(pg.port);
    let through_proxy = url.replace(&format!(":{}/", pg.port), &format!(":{}/", proxy.port));
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("rolled-back");
    let book = runbook(work.path(), &marker);
    let (lead_dirs, dba_dirs) = (Dirs::new(), Dirs::new());

    let mut lead = cockpit(&lead_dirs, &book, &through_proxy, "lead@bastion-a");
    lead.wait_for("LIVE");
    lead.send(" ");
    lead.wait_for("✔");
    let mut dba = cockpit(&dba_dirs, &book, &url, "dba@bastion-b");
    dba.wait_for("seat held by lead@bastion-a");

    proxy.black_hole();
    // Still connected, the DBA writes meanwhile (before the lead's lease can run out and
    // the takeover is offered): the chain moves on without the lead.
    dba.send("nblue is healthy\r");
    wait_until("the DBA's note", Duration::from_secs(5), || {
        pg.psql(
            &url,
            "SELECT count(*) FROM flightdeck_records WHERE line LIKE '%blue is healthy%'",
        ) == "1"
    });
    lead.wait_for("team store unreachable");

    // The rollback: its word, then a second confirmation that says what acting without the
    // seat means. The Enter that finished the word, held, does not give it.
    lead.send("R");
    lead.wait_for("team database is unreachable: after the word");
    lead.send("ROLLBACK\r");
    lead.wait_for("ROLLBACK WITHOUT THE SEAT?");
    lead.wait_for("The team database is UNREACHABLE.");
    lead.send("\r\r\r");
    lead.wait_for("y rolls back without the seat, Esc cancels");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!marker.exists(), "a held Enter rolled back");
    lead.send("y");
    wait_until("the rollback's command", Duration::from_secs(10), || {
        marker.exists()
    });
    lead.wait_for("rollback completed");
    lead.wait_for("kept without seat");
    let kept = waiting(&lead_dirs);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(
        text.lines()
            .all(|l| l.starts_with("{\"v\":2,") && l.contains("\"without_seat\":{\"key\":")),
        "{text}"
    );
    assert_eq!(
        pg.psql(
            &url,
            "SELECT count(*) FROM flightdeck_records WHERE line LIKE '%rollback_began%'"
        ),
        "0",
        "nothing reached the store through the partition"
    );

    // The lead's lease ran out in the store: the DBA's running cockpit offers the takeover.
    dba.wait_for("TAKEOVER");
    dba.send("TAKEOVER\r");
    dba.wait_for("LIVE");

    // The network heals: the records kept on the bastion are uploaded after the DBA's.
    proxy.heal();
    wait_until("the upload", Duration::from_secs(20), || {
        waiting(&lead_dirs).is_empty()
    });
    let count = pg.psql(
        &url,
        "SELECT count(*) FROM flightdeck_records WHERE offline",
    );
    assert_eq!(count, text.lines().count().to_string());
    let order = pg.psql(
        &url,
        "SELECT (SELECT max(seq) FROM flightdeck_records WHERE line LIKE '%blue is healthy%')
              < (SELECT min(seq) FROM flightdeck_records WHERE offline)",
    );
    assert_eq!(order, "t", "the kept records join the chain at its head");
    assert_eq!(
        pg.psql(
            &url,
            "SELECT bool_and(line LIKE '%\"without_seat\":{\"key\":%\"uploaded\":%' AND epoch IS NULL)
             FROM flightdeck_records WHERE offline"
        ),
        "t"
    );
    // The DBA's cockpit shows the rollback the lead did.
    dba.wait_for("ROLLED BACK");

    let out = lead_dirs.succeeds(&["journal", "verify", "--journal", &url]);
    assert!(out.contains("chain intact"), "{out}");
    assert!(
        out.contains(&format!("{count} acted without the seat")),
        "{out}"
    );
    let md = lead_dirs.succeeds(&["report", "--journal", &url]);
    assert!(
        md.contains(&format!("**{count} record(s) ACTED WITHOUT THE SEAT**")),
        "{md}"
    );
    assert!(
        md.contains("**ACTED WITHOUT THE SEAT** (bastion clock; uploaded"),
        "{md}"
    );
    dba.quit();
    drop(lead);
}
