//! Team mode with the real binary in pseudo-terminals against a real PostgreSQL on 127.0.0.1:
//! two cockpits on one run, sign-offs by two operators, the holder killed with -9 and its seat
//! taken over after the lease (on a restart, or offered to a cockpit already running), a
//! partition of the holder through a proxy the test black-holes, and the database restarted
//! under a running cockpit.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::cockpit::{Cockpit, Dirs};
use support::postgres::Postgres;
use support::proxy::Proxy;

/// A runbook with two manual steps, a long command and a gate signed off by two roles.
fn team_runbook(dir: &Path, marker: &str) -> PathBuf {
    let text = format!(
        r#"[runbook]
name = "Team cutover"

[[phase]]
id = "p"
title = "Phase"

[[phase.step]]
id = "freeze"
title = "Freeze writes"

[[phase.step]]
id = "long"
title = "Long command"
run = "echo started; sleep 30 # {marker}"

[[phase.step]]
id = "go"
title = "Go/No-Go"
gate = []
signoff = ["Commander agrees", "DBA agrees"]

[[phase.step]]
id = "after"
title = "After the gate"

[rollback]
steps = [{{ title = "Tell the team" }}]
"#
    );
    let path = dir.join("team.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `flightdeck run BOOK --journal URL` as `operator`, with a seat lease of `lease` seconds.
fn cockpit(dirs: &Dirs, book: &Path, url: &str, operator: &str, lease: &str) -> Cockpit {
    Cockpit::start_with_env(
        dirs,
        &["run", book.to_str().unwrap(), "--journal", url],
        110,
        30,
        &[
            ("FLIGHTDECK_OPERATOR", operator),
            ("FLIGHTDECK_SEAT_LEASE", lease),
        ],
    )
}

/// Waits until the store says the run's seat lease ran out.
fn wait_lease_expired(pg: &Postgres, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while pg.psql(
        url,
        "SELECT coalesce(bool_and(seat_expires < clock_timestamp()), false) FROM flightdeck_runs",
    ) != "t"
    {
        assert!(Instant::now() < deadline, "the lease never expired");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_cockpits_share_one_run_and_two_operators_sign_the_gate() {
    let pg = Postgres::shared();
    let url = pg.database();
    let work = tempfile::tempdir().unwrap();
    let book = team_runbook(work.path(), "unused");
    let (lead_dirs, dba_dirs) = (Dirs::new(), Dirs::new());

    let lead = cockpit(&lead_dirs, &book, &url, "lead@bastion-a", "15");
    lead.wait_for("LIVE");
    let mut dba = cockpit(&dba_dirs, &book, &url, "dba@bastion-b", "15");
    dba.wait_for("READ-ONLY");
    dba.wait_for("seat held by lead@bastion-a");

    // The lead ticks a step: the DBA's cockpit shows it within a second.
    let mut lead = lead;
    lead.send(" ");
    lead.wait_for("✔");
    let ticked = Instant::now();
    dba.wait_for("✔");
    assert!(
        ticked.elapsed() < Duration::from_secs(1),
        "the other cockpit saw the record after {:?}",
        ticked.elapsed()
    );

    // The DBA signs their sign-off from their own cockpit.
    dba.send("g");
    dba.wait_for("Space signs under your name");
    dba.send("j");
    dba.send(" ");
    dba.wait_for("DBA agrees (signed by dba@bastion-b)");
    // The lead sees who signed, signs their own and decides GO.
    lead.send("g");
    lead.wait_for("DBA agrees (signed by dba@bastion-b)");
    lead.send(" ");
    lead.wait_for("Commander agrees (signed by lead@bastion-a)");
    lead.send("y");
    lead.wait_gone("Space signs under your name");
    dba.wait_for("Commander agrees (signed by lead@bastion-a)");

    // A note from the DBA without the seat reaches the lead.
    dba.send("\x1b");
    dba.wait_gone("Space signs under your name");
    dba.send("nreplica lag is zero\r");
    lead.send("\x1b");
    let runs = lead_dirs.command(&["runs", "--journal", &url]);
    let listed = String::from_utf8_lossy(&runs.stdout);
    assert!(listed.contains("Team cutover"), "{listed}");
    assert!(listed.contains("lead@bastion-a pid"), "{listed}");

    let signed = pg.psql(
        &url,
        "SELECT string_agg((line::jsonb->>'operator') || ':' || (line::jsonb->'event'->>'signoff'), ',' ORDER BY seq) FROM flightdeck_records WHERE line::jsonb->'event'->>'type' = 'signed_off'",
    );
    assert_eq!(
        signed,
        "dba@bastion-b:DBA agrees,lead@bastion-a:Commander agrees"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while pg.psql(
        &url,
        "SELECT count(*) FROM flightdeck_records WHERE line LIKE '%replica lag is zero%'",
    ) != "1"
    {
        assert!(
            Instant::now() < deadline,
            "the DBA's note was not journaled"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    dba.quit();
    lead.quit();
    lead_dirs.succeeds(&["journal", "verify", "--journal", &url]);
}

#[test]
fn a_holder_killed_mid_action_leaves_it_in_doubt_for_whoever_takes_the_seat() {
    let pg = Postgres::shared();
    let url = pg.database();
    let work = tempfile::tempdir().unwrap();
    let marker = format!("flightdeck-team-doubt-{}", std::process::id());
    let book = team_runbook(work.path(), &marker);
    let (lead_dirs, dba_dirs) = (Dirs::new(), Dirs::new());

    let mut lead = cockpit(&lead_dirs, &book, &url, "lead@bastion-a", "3");
    lead.wait_for("LIVE");
    lead.send("j\r\t\r");
    lead.wait_for("running for");
    // SAFETY: signals our own child.
    unsafe { libc::kill(lead.pid(), libc::SIGKILL) };
    drop(lead);
    let _ = std::process::Command::new("pkill")
        .args(["-f", &marker])
        .status();

    wait_lease_expired(pg, &url);
    let mut dba = cockpit(&dba_dirs, &book, &url, "dba@bastion-b", "3");
    dba.wait_for("TAKEOVER");
    dba.send("TAKEOVER\r");
    dba.wait_for("Action in doubt");
    dba.wait_for("IN DOUBT");
    dba.send("n");
    dba.wait_for("How do you know?");
    dba.send("the lead's cockpit was killed\r");
    dba.wait_gone("IN DOUBT");
    dba.quit();
    assert_eq!(
        pg.psql(&url, "SELECT seat_epoch FROM flightdeck_runs"),
        "2",
        "the takeover bumped the epoch"
    );
}

#[test]
fn a_running_cockpit_is_offered_the_seat_once_the_holders_lease_ran_out() {
    let pg = Postgres::shared();
    let url = pg.database();
    let work = tempfile::tempdir().unwrap();
    let book = team_runbook(work.path(), "unused");
    let (lead_dirs, dba_dirs) = (Dirs::new(), Dirs::new());

    let lead = cockpit(&lead_dirs, &book, &url, "lead@bastion-a", "3");
    lead.wait_for("LIVE");
    let mut dba = cockpit(&dba_dirs, &book, &url, "dba@bastion-b", "3");
    dba.wait_for("seat held by lead@bastion-a");
    // SAFETY: signals our own child.
    unsafe { libc::kill(lead.pid(), libc::SIGKILL) };
    drop(lead);

    // No restart: the DBA's running cockpit offers the takeover, with the word.
    dba.wait_for("seat lease of lead@bastion-a pid");
    dba.wait_for("TAKEOVER");
    dba.send("TAKEOVER\r");
    dba.wait_for("LIVE");
    dba.send(" ");
    dba.wait_for("✔");
    dba.quit();
    assert_eq!(
        pg.psql(
            &url,
            "SELECT epoch || ':' || (line::jsonb->>'operator') FROM flightdeck_records
             WHERE line::jsonb->'event'->>'type' = 'step_ticked'"
        ),
        "2:dba@bastion-b",
        "the tick went under the new epoch"
    );
}

#[test]
fn a_partitioned_holder_stops_before_its_lease_can_be_taken() {
    let pg = Postgres::shared();
    let url = pg.database();
    let proxy = Proxy::start(pg.port);
    let through_proxy = url.replace(&format!(":{}/", pg.port), &format!(":{}/", proxy.port));
    let work = tempfile::tempdir().unwrap();
    let book = team_runbook(work.path(), "unused");
    let (lead_dirs, dba_dirs) = (Dirs::new(), Dirs::new());

    let mut lead = cockpit(&lead_dirs, &book, &through_proxy, "lead@bastion-a", "6");
    lead.wait_for("LIVE");
    lead.send(" ");
    lead.wait_for("✔");
    proxy.black_hole();
    lead.wait_for("SEAT LOST");
    assert_eq!(
        pg.psql(
            &url,
            "SELECT seat_expires > clock_timestamp() FROM flightdeck_runs"
        ),
        "t",
        "the holder stopped while its lease still ran in the store"
    );
    // It offers no action now.
    lead.send("j\r");
    lead.wait_for("read-only");

    wait_lease_expired(pg, &url);
    let mut dba = cockpit(&dba_dirs, &book, &url, "dba@bastion-b", "6");
    dba.wait_for("TAKEOVER");
    dba.send("TAKEOVER\r");
    dba.wait_for("LIVE");
    dba.send("j ");
    dba.wait_for("1/");
    proxy.heal();
    // Back on the network, the old holder finds its epoch gone and stays off the seat.
    std::thread::sleep(Duration::from_secs(3));
    lead.wait_for("SEAT LOST");
    lead.send("j\r");
    lead.wait_for("read-only");
    let shared = pg.psql(
        &url,
        "SELECT count(*) FROM (SELECT epoch FROM flightdeck_records WHERE epoch IS NOT NULL GROUP BY epoch HAVING count(DISTINCT line::jsonb->>'operator') > 1) AS e",
    );
    assert_eq!(
        shared, "0",
        "no two cockpits appended actions under one epoch"
    );
    dba.quit();
    drop(lead);
}

#[test]
fn the_database_restarted_mid_run_loses_nothing() {
    let pg = Postgres::start();
    let url = pg.database();
    let work = tempfile::tempdir().unwrap();
    let book = team_runbook(work.path(), "unused");
    let dirs = Dirs::new();

    let mut lead = cockpit(&dirs, &book, &url, "lead@bastion-a", "15");
    lead.wait_for("LIVE");
    lead.send(" ");
    lead.wait_for("✔");
    pg.stop_server();
    lead.wait_for("team store unreachable");
    pg.start_server();
    lead.wait_gone("team store unreachable");
    // A renewal that fell in the outage gave the seat up until the next one works (the
    // follower may see the store back first): tick only once the seat is back.
    lead.wait_for("LIVE");
    lead.send("jj");
    lead.send("j ");
    lead.wait_until("two steps ticked", |s| {
        s.contents().matches('✔').count() >= 2
    });
    lead.quit();
    // Every record the cockpit wrote is also in its private local copy, byte for byte.
    let copies: Vec<_> = std::fs::read_dir(dirs.data.path().join("team"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copies[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let local = std::fs::read_to_string(&copies[0]).unwrap();
    let stored = pg.psql(
        &url,
        "SELECT string_agg(line, E'\\n' ORDER BY seq) FROM flightdeck_records",
    );
    assert_eq!(
        local.trim_end(),
        stored,
        "the local copy holds every record written"
    );
    let out = dirs.succeeds(&["journal", "verify", "--journal", &url]);
    assert!(out.contains("chain intact"), "{out}");
}
