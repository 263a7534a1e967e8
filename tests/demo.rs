//! `flightdeck demo`: the world started in-process (real servers on 127.0.0.1, the real
//! actuator, the real poller) and measured from outside; and the real binary in a pty.

mod support;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use flightdeck::actions::traffic::{read_green, render, send_http};
use flightdeck::app::{App, Effect, Key, Msg};
use flightdeck::demo::{self, Options, World};
use flightdeck::gates::Verdict;
use flightdeck::runbook::Runbook;
use flightdeck::telemetry::cost_model::month_to_date_period;
use flightdeck::telemetry::poller::{self, Context, Report, Settings};
use flightdeck::telemetry::{Reading, Sample};
use serde_json::Value;
use support::cockpit::{Cockpit, Dirs, TIMEOUT};
use time::OffsetDateTime;

/// A blocking HTTP client for the test thread (the world has its own runtime).
struct Http {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    fn new() -> Self {
        Self {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
        }
    }

    /// (status, X-Served-By, body)
    fn get(&self, url: &str) -> (u16, Option<String>, String) {
        self.runtime.block_on(async {
            let r = self.client.get(url).send().await.expect(url);
            let status = r.status().as_u16();
            let side = r
                .headers()
                .get("x-served-by")
                .map(|v| v.to_str().unwrap().to_string());
            (status, side, r.text().await.unwrap())
        })
    }

    fn json(&self, url: &str) -> Value {
        let (status, _, body) = self.get(url);
        assert_eq!(status, 200, "{url}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    fn send(&self, method: reqwest::Method, url: &str, body: &str) -> u16 {
        self.runtime.block_on(async {
            let r = self.client.request(method, url).body(body.to_string());
            r.send().await.unwrap().status().as_u16()
        })
    }
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("{}{path}", demo::url(addr))
}

fn book(world: &World) -> Runbook {
    world
        .runbook()
        .expect("the wired demo runbook validates")
        .runbook
}

/// Shifts through the runbook's own actuator, as the cockpit does: render, then send.
fn shift(book: &Runbook, green: u8) {
    let traffic = book.traffic.as_ref().unwrap();
    let request = render(&traffic.set, &book.vars, green);
    send_http(&request, Duration::from_secs(5)).unwrap_or_else(|e| panic!("shift {green}: {e}"));
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every TCP socket this process listens on, from /proc: (address, port).
fn listening_sockets() -> Vec<(String, u16)> {
    let inodes: HashSet<String> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect();
    let mut out = Vec::new();
    for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // local_address st ... inode; 0A is LISTEN.
            if f.len() > 9 && f[3] == "0A" && inodes.contains(f[9]) {
                let (addr, port) = f[1].split_once(':').unwrap();
                out.push((addr.to_string(), u16::from_str_radix(port, 16).unwrap()));
            }
        }
    }
    out
}

#[test]
fn every_port_the_demo_opens_is_on_loopback_and_answers() {
    let world = World::start(Options::default()).unwrap();
    let http = Http::new();
    for addr in world.addrs.all() {
        assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST), "{addr}");
        assert_ne!(addr.port(), 0);
    }
    let listening = listening_sockets();
    for addr in world.addrs.all() {
        assert!(
            listening.contains(&("0100007F".into(), addr.port())),
            "{addr} not found listening on 127.0.0.1: {listening:?}"
        );
    }
    // /proc sees every listener of this process, ours and any other test's world: all loopback.
    assert!(
        listening.iter().all(|(a, _)| a == "0100007F"),
        "a listener beyond 127.0.0.1: {listening:?}"
    );
    for addr in [world.addrs.blue, world.addrs.green, world.addrs.router] {
        assert_eq!(http.get(&url(addr, "/health")).0, 200);
    }
    // The runbook the cockpit loads points at these ports and nowhere else.
    let book = book(&world);
    let ports: Vec<String> = world.addrs.all().iter().map(|a| a.to_string()).collect();
    for (name, value) in &book.vars {
        assert!(
            ports.iter().any(|p| value == &format!("http://{p}")),
            "{name} = {value}"
        );
    }
    world.stop();
}

#[test]
fn the_routers_split_follows_the_actuator_and_the_read_back_sees_it() {
    let world = World::start(Options {
        client_rate: 0, // only this test's requests, so the split can be counted exactly
        ..Options::default()
    })
    .unwrap();
    let (http, book) = (Http::new(), book(&world));
    let traffic = book.traffic.clone().unwrap();
    // Each order takes the service a few tens of ms, so the requests go 8 at a time. The router
    // picks sides one request after another whatever the concurrency, so the count stays exact.
    let count_green = |n: usize| -> usize {
        let served_by_green = |i: usize| {
            let (status, side, body) = http.get(&url(world.addrs.router, &format!("/orders/{i}")));
            assert_eq!(status, 200, "{body}");
            let side = side.expect("X-Served-By");
            assert!(
                body.contains(&format!("\"served_by\":\"{side}\"")),
                "{body}"
            );
            side == "green"
        };
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|w| {
                    let served_by_green = &served_by_green;
                    scope.spawn(move || (w..n).step_by(8).filter(|i| served_by_green(*i)).count())
                })
                .collect();
            workers.into_iter().map(|h| h.join().unwrap()).sum()
        })
    };
    assert_eq!(count_green(200), 0, "all traffic starts on blue");
    for green in [10u8, 50, 100, 0] {
        shift(&book, green);
        assert_eq!(world.green_weight(), green);
        assert_eq!(
            count_green(200),
            2 * usize::from(green),
            "200 requests at {green}% green"
        );
        let get = traffic.get.as_deref().unwrap();
        assert_eq!(read_green(get, &book.vars, traffic.timeout), Ok(green));
    }
    // A malformed weight change is refused and changes nothing.
    let admin = url(world.addrs.router, "/admin/weights");
    for bad in [r#"{"green": 10}"#, r#"{"green": 60, "blue": 60}"#, "ten"] {
        assert_eq!(http.send(reqwest::Method::PUT, &admin, bad), 400, "{bad}");
    }
    assert_eq!(world.green_weight(), 0);
    let status = http.json(&url(world.addrs.router, "/status"));
    assert_eq!(status["served_total"]["green"], 2 * (10 + 50 + 100));
    world.stop();
}

#[test]
fn the_lag_grows_while_writes_run_on_blue_and_drains_after_cutover() {
    let world = World::start(Options {
        speed: 10.0,
        client_rate: 0,
    })
    .unwrap();
    let (http, book) = (Http::new(), book(&world));
    let lag = || {
        http.json(&url(world.addrs.replication, "/status"))["lag_seconds"]
            .as_f64()
            .unwrap()
    };
    // The initial copy's backlog, then the band writes on blue keep it in.
    wait_until(
        "the backlog to drain into the band",
        Duration::from_secs(15),
        || lag() <= demo::replication::BAND_HIGH,
    );
    // One whole wave of writes (60 s of model time at ten times the speed), and a bit.
    let mut seen = Vec::new();
    for _ in 0..70 {
        seen.push(lag());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        seen.iter().all(|l| *l > 0.0),
        "writes on blue keep a lag: {seen:?}"
    );
    assert!(
        seen.windows(2).any(|w| w[1] > w[0]),
        "the lag grows while a wave of writes runs: {seen:?}"
    );

    shift(&book, 100);
    wait_until("the lag to drain to 0", Duration::from_secs(10), || {
        lag() == 0.0
    });
    let status = http.json(&url(world.addrs.replication, "/status"));
    assert_eq!(status["state"], "drained");

    shift(&book, 0);
    wait_until(
        "rolled back: the lag comes back",
        Duration::from_secs(10),
        || lag() > 1.0,
    );
    world.stop();
}

/// One poll of every source of the demo runbook, through the real poller.
fn poll(world: &World, book: &Runbook, cache: &std::path::Path) -> Vec<Sample> {
    let settings = Settings {
        cache_dir: cache.to_path_buf(),
        ..Settings::default()
    };
    let context = Context::new(settings, world.aws_configs())
        .reading_back(flightdeck::actions::traffic::read_back());
    poller::poll_all_once(book.sources.clone(), context)
        .unwrap()
        .0
}

fn app_with(book: &Runbook, samples: Vec<Sample>) -> App {
    let mut app = App::new(
        book.clone(),
        "op@demo".into(),
        "run".into(),
        OffsetDateTime::now_utc(),
    );
    for sample in samples {
        app.update(Msg::Telemetry(Report::Sample(sample)));
    }
    app.demo = true;
    app
}

fn verdicts(app: &App, step: &str) -> Vec<(String, Verdict)> {
    app.evaluate_gate(step)
        .into_iter()
        .map(|e| (e.criterion, e.verdict))
        .collect()
}

#[test]
fn the_demo_gate_fails_then_passes_on_live_values_and_the_failure_key_breaches() {
    let world = World::start(Options {
        speed: 4.0,
        client_rate: 20,
    })
    .unwrap();
    let book = book(&world);
    let cache = tempfile::tempdir().unwrap();

    // At first the initial copy is still ~45 s behind: the gate holds on the lag alone.
    let app = app_with(&book, poll(&world, &book, cache.path()));
    let first = verdicts(&app, "go_no_go");
    assert_eq!(
        first[0],
        ("sync_lag < 30s".into(), Verdict::Fail),
        "{first:?}"
    );
    assert!(
        first[1..].iter().all(|(_, v)| *v == Verdict::Pass),
        "{first:?}"
    );

    // The cost is the bundled Cost Explorer answer for this month, through the real SDK path.
    let samples = poll(&world, &book, cache.path());
    let cost = samples.iter().find(|s| s.source == "cost_mtd").unwrap();
    let (start, end) = month_to_date_period(OffsetDateTime::now_utc().date());
    let Reading::Number(mtd) = cost.reading else {
        panic!("cost: {:?}", cost.reading)
    };
    assert!(
        (mtd - demo::cost::total(start, end).unwrap()).abs() < 0.01,
        "{mtd}"
    );

    // The lag catches up: every criterion passes on a new poll.
    let http = Http::new();
    wait_until("the lag under 25 s", Duration::from_secs(20), || {
        http.json(&url(world.addrs.replication, "/status"))["lag_seconds"]
            .as_f64()
            .unwrap()
            < 25.0
    });
    let app = app_with(&book, poll(&world, &book, cache.path()));
    let go = verdicts(&app, "go_no_go");
    assert!(go.iter().all(|(_, v)| *v == Verdict::Pass), "{go:?}");

    // Cut over, then the failure key: the app asks for it, the world carries it out.
    shift(&book, 100);
    let mut app = app_with(&book, Vec::new());
    let effects = app.update(Msg::Key(Key::Char('X')));
    assert!(
        effects.contains(&Effect::DemoGreenFailing(true)),
        "{effects:?}"
    );
    for effect in effects {
        if let Effect::DemoGreenFailing(on) = effect {
            world.set_green_failing(on);
        }
    }
    assert!(world.green_failing());
    std::thread::sleep(Duration::from_secs(2));
    let app = app_with(&book, poll(&world, &book, cache.path()));
    let abort = app.evaluate_all(&book.traffic.as_ref().unwrap().abort_when);
    assert_eq!(abort[0].criterion, "error_rate > 1%");
    assert_eq!(
        abort[0].verdict,
        Verdict::Pass,
        "the breach holds: {abort:?}"
    );
    assert!(abort[0].measured.unwrap() > 5.0, "{abort:?}");
    // green /health stays up: a shallow health check does not see it; the error rate does.
    let gate = verdicts(&app, "go_no_go");
    assert!(
        gate.contains(&("error_rate < 1%".into(), Verdict::Fail)),
        "{gate:?}"
    );
    assert!(
        gate.contains(&("green_up is up".into(), Verdict::Pass)),
        "{gate:?}"
    );

    // The rollback moves traffic back: once the errors leave the router's window, it is clean.
    shift(&book, 0);
    wait_until(
        "the error rate to clear after the rollback",
        demo::router::WINDOW + Duration::from_secs(10),
        || {
            http.json(&url(world.addrs.router, "/status"))["error_rate_percent"]
                .as_f64()
                .unwrap()
                == 0.0
        },
    );
    world.stop();
}

#[test]
fn the_failure_key_exists_only_in_the_demo() {
    let world = World::start(Options {
        client_rate: 0,
        ..Options::default()
    })
    .unwrap();
    let mut app = app_with(&book(&world), Vec::new());
    app.demo = false;
    assert!(app.update(Msg::Key(Key::Char('X'))).is_empty());
    app.demo = true;
    let effects = app.update(Msg::Key(Key::Char('X')));
    assert!(
        effects.contains(&Effect::DemoGreenFailing(true)),
        "{effects:?}"
    );
    let effects = app.update(Msg::Key(Key::Char('X')));
    assert!(
        effects.contains(&Effect::DemoGreenFailing(false)),
        "X again heals"
    );
    world.stop();
}

#[test]
fn after_stop_every_port_refuses_connections() {
    let world = World::start(Options::default()).unwrap();
    let addrs = world.addrs.all();
    for addr in addrs {
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect("listening before stop");
    }
    world.stop();
    for addr in addrs {
        let refused = TcpStream::connect_timeout(&addr, Duration::from_secs(2));
        assert_eq!(
            refused.map_err(|e| e.kind()).err(),
            Some(std::io::ErrorKind::ConnectionRefused),
            "{addr} still accepts connections after stop"
        );
    }
}

/// The demo's own vars, read back from the runbook it wrote for the report.
fn written_router(dirs: &Dirs) -> String {
    let text = std::fs::read_to_string(dirs.data.path().join("demo/demo.toml")).unwrap();
    let book = flightdeck::runbook::parse(&text).unwrap().runbook;
    book.vars["ROUTER"].clone()
}

#[test]
fn flightdeck_demo_at_80x24_shows_demo_live_values_shifts_for_real_and_quits_cleanly() {
    let dirs = Dirs::new();
    let started = Instant::now();
    let mut cockpit = Cockpit::start(&dirs, &["demo"], 80, 24);
    cockpit.wait_for("DEMO");
    // A live value: a health check answered, and the lag measured.
    cockpit.wait_for("UP");
    cockpit.wait_until("the lag measured", |s| {
        s.contents().lines().any(|l| {
            l.contains("replication lag") && ["FAIL", "WARN", " OK"].iter().any(|w| l.contains(w))
        })
    });
    assert!(started.elapsed() < TIMEOUT, "up within seconds");

    // The traffic dialog's word shifts the real router.
    let router = written_router(&dirs);
    let http = Http::new();
    assert_eq!(http.json(&format!("{router}/admin/weights"))["green"], 0);
    cockpit.send("t");
    cockpit.wait_for("SHIFT");
    cockpit.send("SHIFT\r");
    // The gate is not decided: the shift is held, and goes ahead only on a typed reason.
    cockpit.wait_for("Override reason");
    cockpit.send("demo walk: shifting before the gate\r");
    cockpit.wait_for("10% G");
    wait_until("the router at 10 % green", TIMEOUT, || {
        http.json(&format!("{router}/admin/weights"))["green"] == 10
    });
    cockpit.wait_for("HTTP 200");

    cockpit.send("X");
    cockpit.wait_for("DEMO: green");
    cockpit.send("q");
    assert_eq!(cockpit.wait_exit(TIMEOUT), 0, "{}", cockpit.contents());
    cockpit.assert_terminal_restored();
    assert!(
        cockpit.contents().contains("flightdeck report --run"),
        "{}",
        cockpit.contents()
    );
    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert!(
        journal.contains("the failure key made green answer 500"),
        "{journal}"
    );
    assert!(
        journal.contains(r#""type":"hold_overridden""#)
            && journal.contains("demo walk: shifting before the gate"),
        "{journal}"
    );
    // Quit stopped the world: the router's port is closed.
    let addr: SocketAddr = router.trim_start_matches("http://").parse().unwrap();
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err());
}

#[test]
fn the_demo_takes_its_theme_from_the_config_file_like_run() {
    let dirs = Dirs::new();
    let config = dirs.config.path().join("config.toml");
    std::fs::write(&config, "theme = \"no-such-theme\"\n").unwrap();
    let out = dirs.command(&["demo"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("theme set in"), "{stderr}");
}

/// The demo's `[[notify]]` goes to the demo's own chat webhook: the run's start and a shift
/// land there, a message is flashed as it is sent when nothing else is being said, the chat row
/// counts them, and the journal keeps what was sent.
#[test]
fn the_demo_notifies_its_own_chat_and_shows_it() {
    let dirs = Dirs::new();
    let mut cockpit = Cockpit::start(&dirs, &["demo"], 120, 40);
    cockpit.wait_for("DEMO");
    let count = |s: &vt100::Screen, n: u32| {
        s.contents()
            .lines()
            .any(|l| l.contains("chat messages") && l.contains(&format!(" {n} msgs")))
    };
    cockpit.wait_for(
        "notified demo-chat: [Flightdeck] Demo: orders API blue/green cutover: run started",
    );
    cockpit.wait_until("the run's start counted by the chat", |s| count(s, 1));
    cockpit.send("t");
    cockpit.wait_for("SHIFT");
    cockpit.send("SHIFT\r");
    cockpit.wait_for("Override reason");
    cockpit.send("demo walk: shifting before the gate\r");
    // The shift's own result holds the flash line; the chat's count shows the message came.
    cockpit.wait_until("the shift counted by the chat", |s| count(s, 2));
    cockpit.send("q");
    assert_eq!(cockpit.wait_exit(TIMEOUT), 0, "{}", cockpit.contents());
    let journal = std::fs::read_to_string(dirs.journal()).unwrap();
    assert_eq!(
        journal
            .matches(r#""type":"notification_sent","target":"demo-chat""#)
            .count(),
        2,
        "{journal}"
    );
}
