//! Notifications against real HTTP servers on 127.0.0.1: one that records what it receives,
//! one that answers 500, one that never answers. Through the real binary in a pty: the run's
//! start and a shift are sent, the failures show on screen and in the journal, the cockpit
//! answers keys while a webhook hangs, and the report lists what was sent. Then the generic
//! webhook's body, which carries the journal record.

mod support;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use flightdeck::journal::{Event, FileJournal, Journal};
use flightdeck::notify::{Composer, Notifier, Outcome};
use flightdeck::runbook::{Notify, NotifyKind, Topic};
use support::cockpit::{Cockpit, Dirs};
use support::http_server::{Reply, Server};

const RUNBOOK: &str = r#"[runbook]
name = "Notify test"

[traffic]
set = "true"
plan = [ { green = 10 } ]

[[notify]]
id = "chat"
kind = "slack"
url_env = "FD_TEST_CHAT_URL"

[[notify]]
id = "broken"
kind = "webhook"
url_env = "FD_TEST_BROKEN_URL"
on = ["shift"]
retries = 1

[[notify]]
id = "silent"
kind = "slack"
url_env = "FD_TEST_SILENT_URL"
on = ["run", "shift"]
timeout = "1s"
retries = 0

[[phase]]
id = "cut"
title = "Cutover"

[[phase.step]]
id = "shift10"
title = "Shift 10%"
traffic = { green = 10 }

[[phase.step]]
id = "after"
title = "Look around"

[rollback]
steps = [{ title = "All traffic to blue", traffic = { green = 0 } }]
"#;

fn wait(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_cockpit_sends_what_the_runbook_chose_and_shows_what_failed() {
    let chat = Server::start(|_| Reply::json(200, "ok"));
    let broken = Server::start(|_| Reply::status(500, "internal error\nstack trace"));
    let silent = Server::start(|_| Reply::Hang);
    let dirs = Dirs::new();
    let path = dirs.data.path().join("notify.toml");
    std::fs::write(&path, RUNBOOK).unwrap();
    let env = [
        ("FD_TEST_CHAT_URL", chat.url("/hooks/chat")),
        ("FD_TEST_BROKEN_URL", broken.url("/hooks/broken")),
        ("FD_TEST_SILENT_URL", silent.url("/hooks/silent")),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut c = Cockpit::start_with_env(&dirs, &["run", path.to_str().unwrap()], 140, 40, &env);
    c.wait_for("LIVE");
    wait("the run's start at the chat webhook", || {
        chat.requests().len() == 1
    });

    c.send("t");
    c.wait_for("Type SHIFT to shift");
    c.send("SHIFT\r");
    c.wait_for("`shift10` done");
    // The silent webhook holds its delivery for a second: keys are answered meanwhile.
    c.send("j");
    c.wait_for("notification to broken FAILED (shift): HTTP 500: internal error stack trace");
    wait("the shift at the chat webhook", || {
        chat.requests().len() == 2
    });
    wait("two attempts at the broken webhook", || {
        broken.requests().len() == 2
    });
    wait("the silent webhook asked twice", || {
        silent.requests().len() == 2
    });

    let texts: Vec<serde_json::Value> = chat
        .requests()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let user = &texts[0]["text"];
    assert!(
        user.as_str()
            .unwrap()
            .starts_with("[Flightdeck] Notify test: run started"),
        "{texts:?}"
    );
    assert_eq!(
        texts[0].as_object().unwrap().len(),
        1,
        "Slack's body is {{\"text\": …}}"
    );
    assert!(
        texts[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("[Flightdeck] Notify test: shift green to 10% done: exit 0"),
        "{texts:?}"
    );
    let broken_body: serde_json::Value = serde_json::from_str(&broken.requests()[0].body).unwrap();
    assert_eq!(broken_body["topic"], "shift");
    assert_eq!(broken_body["record"]["event"]["type"], "action_ended");

    // Every outcome is journaled, the failures with their reason.
    let journal_has = |needle: &str| {
        std::fs::read_to_string(dirs.journal())
            .unwrap()
            .lines()
            .any(|l| l.contains(r#""type":"notification_sent""#) && l.contains(needle))
    };
    wait("the silent webhook's failures journaled", || {
        journal_has(r#""target":"silent","topic":"shift","ok":false"#)
    });
    assert!(journal_has(r#""target":"chat","topic":"run","ok":true"#));
    assert!(journal_has(r#""target":"chat","topic":"shift","ok":true"#));
    assert!(journal_has(
        r#""target":"broken","topic":"shift","ok":false,"attempts":2"#
    ));
    assert!(journal_has(r#""detail":"no answer within 1s""#));
    c.quit();

    let out = dirs.command(&["report", path.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("## Notifications"), "{report}");
    assert!(
        report.contains("| chat | shift | sent (HTTP 200) |"),
        "{report}"
    );
    assert!(
        report.contains("| broken | shift | **FAILED** after 2 attempt(s): HTTP 500: internal error stack trace |"),
        "{report}"
    );
}

#[test]
fn a_generic_webhook_gets_the_journal_record_and_an_unset_url_is_reported() {
    let hook = Server::start(|_| Reply::json(204, ""));
    let dir = tempfile::tempdir().unwrap();
    let identity = flightdeck::journal::Identity {
        operator: "op@bastion".into(),
        run: "run-1".into(),
    };
    let mut journal = FileJournal::create(&dir.path().join("run.jsonl"), identity).unwrap();
    let record = journal
        .append(
            Event::GateDecided {
                step: "go_no_go".into(),
                go: true,
                overridden: vec![],
                reason: None,
                evidence: vec![],
                signoffs: vec!["Team prepared".into()],
            },
            "hash",
        )
        .unwrap();
    let spec = |id: &str, env: &str| Notify {
        id: id.into(),
        kind: NotifyKind::Webhook,
        url_env: env.into(),
        on: vec![Topic::Gate],
        timeout: Duration::from_secs(2),
        retries: 0,
    };
    let (tx, rx) = mpsc::channel::<Outcome>();
    let url = hook.url("/in");
    let mut notifier = Notifier::start(
        &[spec("ops", "HOOK_URL"), spec("unset", "NOT_SET_URL")],
        Composer::new("CloudShelf", false),
        move |name| (name == "HOOK_URL").then(|| url.clone()),
        Arc::new(move |o| {
            let _ = tx.send(o);
        }),
    );
    notifier.record(&record);
    let mut outcomes: Vec<Outcome> = (0..2)
        .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
        .collect();
    outcomes.sort_by(|a, b| a.target.cmp(&b.target));
    assert!(outcomes[0].delivery.ok, "{outcomes:?}");
    assert_eq!(outcomes[0].delivery.detail, "HTTP 204");
    assert!(!outcomes[1].delivery.ok);
    assert_eq!(outcomes[1].delivery.detail, "$NOT_SET_URL is not set");

    let body: serde_json::Value = serde_json::from_str(&hook.requests()[0].body).unwrap();
    assert_eq!(body["topic"], "gate");
    assert_eq!(body["runbook"], "CloudShelf");
    assert_eq!(
        body["text"],
        "[Flightdeck] CloudShelf: go_no_go: GO (op@bastion)"
    );
    assert_eq!(body["record"]["event"]["type"], "gate_decided");
    assert_eq!(body["record"]["hash"], record.hash.as_str());
}
