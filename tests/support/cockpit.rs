//! The real `flightdeck` binary in a pseudo-terminal, its output fed into a vt100 parser: what
//! a person would see. Every wait polls with a generous deadline (the CI machine may be small
//! and loaded) and panics with the current screen, so a failure shows what was on the terminal.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const TIMEOUT: Duration = Duration::from_secs(15);
pub const POLL: Duration = Duration::from_millis(20);

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of `tests/fixtures/<name>`, as the binary is given it.
pub fn fixture(name: &str) -> String {
    manifest_dir()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Data and config dirs of one test, removed when dropped; the XDG state and cache homes
/// (logs, Cost Explorer cache) point into `xdg`, so nothing lands in the tester's home.
pub struct Dirs {
    pub data: tempfile::TempDir,
    pub config: tempfile::TempDir,
    pub xdg: tempfile::TempDir,
}

impl Dirs {
    pub fn new() -> Self {
        Dirs {
            data: tempfile::tempdir().unwrap(),
            config: tempfile::tempdir().unwrap(),
            xdg: tempfile::tempdir().unwrap(),
        }
    }

    /// `XDG_STATE_HOME` and `XDG_CACHE_HOME` of this test's binary.
    pub fn xdg_env(&self) -> [(&'static str, PathBuf); 2] {
        [
            ("XDG_STATE_HOME", self.xdg.path().join("state")),
            ("XDG_CACHE_HOME", self.xdg.path().join("cache")),
        ]
    }

    pub fn journals(&self) -> Vec<PathBuf> {
        let dir = self.data.path().join("runs");
        let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        out.sort();
        out
    }

    /// The one journal this test wrote.
    pub fn journal(&self) -> PathBuf {
        let all = self.journals();
        assert_eq!(all.len(), 1, "expected exactly one journal: {all:?}");
        all.into_iter().next().unwrap()
    }

    /// The records in the one journal this test wrote.
    pub fn journal_lines(&self) -> usize {
        std::fs::read_to_string(self.journal())
            .unwrap()
            .lines()
            .count()
    }

    /// `flightdeck <args>` without a terminal, in this test's environment.
    pub fn command(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .args(args)
            .current_dir(manifest_dir())
            .env("FLIGHTDECK_DATA_DIR", self.data.path())
            .env("FLIGHTDECK_CONFIG_DIR", self.config.path())
            .envs(self.xdg_env())
            .env_remove("FLIGHTDECK_STATE_DIR")
            .env_remove("FLIGHTDECK_CACHE_DIR")
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .env_remove("FLIGHTDECK_THEME")
            .output()
            .expect("run flightdeck")
    }

    /// `flightdeck <args>` that must succeed (what it printed is the failure's message): its
    /// standard output.
    pub fn succeeds(&self, args: &[&str]) -> String {
        let out = self.command(args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "flightdeck {args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

/// The binary running in a pty, with a thread parsing everything it writes.
pub struct Cockpit {
    parser: Arc<Mutex<vt100::Parser>>,
    reader_done: Arc<AtomicBool>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
}

impl Cockpit {
    pub fn start(dirs: &Dirs, args: &[&str], cols: u16, rows: u16) -> Self {
        Self::start_with_env(dirs, args, cols, rows, &[])
    }

    /// Like `start`, with extra environment variables (AWS endpoints, credentials).
    pub fn start_with_env(
        dirs: &Dirs,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Self {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_flightdeck"));
        cmd.args(args);
        cmd.cwd(manifest_dir());
        cmd.env("FLIGHTDECK_DATA_DIR", dirs.data.path());
        cmd.env("FLIGHTDECK_CONFIG_DIR", dirs.config.path());
        for (k, v) in dirs.xdg_env() {
            cmd.env(k, v);
        }
        cmd.env_remove("FLIGHTDECK_STATE_DIR");
        cmd.env_remove("FLIGHTDECK_CACHE_DIR");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("FLIGHTDECK_THEME");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn flightdeck");
        // Only the child holds the slave now, so the reader sees EOF when it exits.
        drop(pair.slave);
        let master = pair.master;
        let mut reader = master.try_clone_reader().expect("pty reader");
        let writer = master.take_writer().expect("pty writer");

        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().unwrap(),
            cols.try_into().unwrap(),
            0,
        )));
        let reader_done = Arc::new(AtomicBool::new(false));
        {
            let parser = Arc::clone(&parser);
            let done = Arc::clone(&reader_done);
            thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => parser.lock().unwrap().process(&buf[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        // EIO once the child has exited and closed the slave.
                        Err(_) => break,
                    }
                }
                done.store(true, Ordering::SeqCst);
            });
        }
        Cockpit {
            parser,
            reader_done,
            child,
            writer,
            master,
        }
    }

    pub fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Runs `f` on the current screen.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().unwrap().screen())
    }

    /// Polls until `ok` holds for the screen; panics with the screen after `TIMEOUT`.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if self.with_screen(&ok) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what}; screen:\n{}",
                    self.contents()
                );
            }
            thread::sleep(POLL);
        }
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?} on screen"), |s| {
            s.contents().contains(text)
        });
    }

    pub fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to disappear"), |s| {
            !s.contents().contains(text)
        });
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .set_size(rows.try_into().unwrap(), cols.try_into().unwrap());
        self.master.resize(size(cols, rows)).expect("resize pty");
    }

    pub fn pid(&self) -> libc::pid_t {
        self.child.process_id().expect("child pid") as libc::pid_t
    }

    /// Waits for the process to exit (killing it and failing after `limit`), then for the
    /// reader to drain what it wrote last. Returns the exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> u32 {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "flightdeck did not exit within {limit:?}; killed it. Screen:\n{}",
                    self.contents()
                );
            }
            thread::sleep(POLL);
        };
        let deadline = Instant::now() + TIMEOUT;
        while !self.reader_done.load(Ordering::SeqCst) {
            assert!(
                Instant::now() < deadline,
                "pty output did not end after the process exited"
            );
            thread::sleep(POLL);
        }
        assert!(
            status.signal().is_none(),
            "killed by {:?}; screen:\n{}",
            status.signal(),
            self.contents()
        );
        status.exit_code()
    }

    /// Presses q and checks the process exits 0 and gives the terminal back.
    pub fn quit(mut self) {
        self.with_screen(|s| {
            assert!(s.alternate_screen(), "cockpit not on the alternate screen");
            assert!(s.hide_cursor(), "cockpit shows the cursor while running");
        });
        self.send("q");
        let code = self.wait_exit(TIMEOUT);
        assert_eq!(code, 0, "exit code after q; screen:\n{}", self.contents());
        self.assert_terminal_restored();
    }

    pub fn assert_terminal_restored(&self) {
        self.with_screen(|s| {
            assert!(
                !s.alternate_screen(),
                "still on the alternate screen after exit:\n{}",
                s.contents()
            );
            assert!(
                !s.hide_cursor(),
                "cursor still hidden after exit:\n{}",
                s.contents()
            );
        });
    }
}

impl Drop for Cockpit {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}
