//! Where the binary puts what it writes besides journals: logs in the XDG state dir (private,
//! rotated), the Cost Explorer cache in the XDG cache dir; and that `run` refuses to draw when
//! there is no terminal to draw on.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, native_pty_system};
use support::cockpit::{Cockpit, Dirs, manifest_dir, size};
use support::moto::Moto;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// A runbook with nothing to poll, so the cockpit starts at once.
fn quiet_runbook(dirs: &Dirs) -> String {
    let path = dirs.data.path().join("quiet.toml");
    std::fs::write(&path, support::runbook_text("quiet", "")).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn logs_go_to_the_state_dir_private() {
    let dirs = Dirs::new();
    let book = quiet_runbook(&dirs);
    let c = Cockpit::start(&dirs, &["run", &book], 100, 30);
    c.wait_for("quiet");
    c.quit();

    let logs = dirs.xdg.path().join("state/flightdeck/logs");
    let log = logs.join("flightdeck.log");
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    assert!(text.contains("cockpit started"), "{text}");
    assert_eq!(mode(&logs), 0o700, "the logs directory");
    assert_eq!(mode(&log), 0o600, "the log file");
    assert!(
        !dirs.data.path().join("logs").exists(),
        "logs are not data: nothing in the data dir"
    );
}

/// `status` on a runbook with a Cost Explorer source asks moto once and caches the answer in
/// `$XDG_CACHE_HOME/flightdeck/cost-cache/`, private; the data dir holds no cache.
#[test]
fn the_cost_cache_goes_to_the_cache_dir() {
    let moto = Moto::start();
    let dirs = Dirs::new();
    let book = dirs.data.path().join("cost.toml");
    let source = "[[source]]\nid = 'cost'\nkind = 'cost_explorer'\nbudget = 100\n";
    std::fs::write(&book, support::runbook_text("cost", source)).unwrap();
    let none = dirs.xdg.path().join("none");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["status", "--json", book.to_str().unwrap()])
        .env("FLIGHTDECK_DATA_DIR", dirs.data.path())
        .env("FLIGHTDECK_CONFIG_DIR", dirs.config.path())
        .envs(dirs.xdg_env())
        .env_remove("FLIGHTDECK_CACHE_DIR")
        .env("AWS_ACCESS_KEY_ID", "AKIAFLIGHTDECKTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_COST_EXPLORER", moto.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env_remove("AWS_PROFILE")
        .env_remove("FLIGHTDECK_AWS_PROFILE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        moto.operations().iter().any(|o| o == "GetCostAndUsage"),
        "moto was asked: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let cache = dirs.xdg.path().join("cache/flightdeck/cost-cache");
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap_or_else(|e| panic!("{}: {e}\n{stdout}", cache.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    assert!(
        !dirs.data.path().join("cost-cache").exists(),
        "a cache is not data: nothing in the data dir"
    );
}

/// Stdin a terminal, stdout a file (`flightdeck run X > out`): the cockpit would fill the file
/// with escape codes and wait for keys. It says why on stderr and exits 2 at once, and leaves
/// no run behind.
#[test]
fn run_without_a_terminal_says_so_and_exits_2() {
    let dirs = Dirs::new();
    let out = dirs.data.path().join("out");
    let pair = native_pty_system().openpty(size(100, 30)).unwrap();
    let mut cmd = CommandBuilder::new("sh");
    cmd.args([
        "-c",
        "exec \"$0\" run runbooks/demo.toml > \"$1\"",
        env!("CARGO_BIN_EXE_flightdeck"),
        out.to_str().unwrap(),
    ]);
    cmd.cwd(manifest_dir());
    cmd.env("FLIGHTDECK_DATA_DIR", dirs.data.path());
    cmd.env("FLIGHTDECK_CONFIG_DIR", dirs.config.path());
    for (k, v) in dirs.xdg_env() {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut reader, &mut text);
        text
    });

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            let written = std::fs::read(&out).unwrap_or_default();
            panic!(
                "still running after 10 s with stdout a file; {} bytes written, escape codes: {}",
                written.len(),
                written.contains(&0x1b)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(pair.master);
    let said = stderr.join().unwrap();
    assert_eq!(status.exit_code(), 2, "{said}");
    assert!(said.contains("needs a terminal"), "{said}");
    assert!(said.contains("stdout is not"), "{said}");
    let written = std::fs::read(&out).unwrap();
    assert!(!written.contains(&0x1b), "escape codes in the file");
    assert!(written.is_empty(), "{}", String::from_utf8_lossy(&written));
    assert!(
        !dirs.data.path().join("runs").exists(),
        "no run opened without a terminal"
    );
}

/// The same from a script or CI job: nothing is a terminal.
#[test]
fn run_and_demo_with_no_terminal_at_all_exit_2() {
    let dirs = Dirs::new();
    for args in [&["run", "runbooks/demo.toml"][..], &["demo"]] {
        let out = dirs.command(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("needs a terminal"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}
