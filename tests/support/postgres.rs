//! A real PostgreSQL (Debian's `postgresql` package) on 127.0.0.1 at a free port, one per test
//! binary, shared by its tests (each test its own database). `initdb` refuses root, so when the
//! tests run as root the cluster is made and run as the `postgres` user, in a temp dir chowned
//! to it. The server is stopped, and its directory removed, when the test binary exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub struct Postgres {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

static SHARED: OnceLock<Postgres> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

/// The binaries of the newest installed PostgreSQL: Debian keeps them under
/// /usr/lib/postgresql/<major>/bin, off the PATH.
fn bin_dir() -> PathBuf {
    let mut majors: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    majors.retain(|p| p.join("initdb").exists());
    majors.sort_by_key(|p| {
        p.parent()
            .and_then(|m| m.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    majors.pop().unwrap_or_else(|| {
        panic!("PostgreSQL is not installed: run .ci/run, or apt-get install postgresql")
    })
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

impl Postgres {
    /// The test binary's server, started on first use.
    pub fn shared() -> &'static Postgres {
        SHARED.get_or_init(|| {
            let pg = Postgres::start();
            // SAFETY: registers a plain function to run at exit; it touches only the static.
            unsafe { libc::atexit(stop_at_exit) };
            pg
        })
    }

    /// A server of the test's own, stopped when dropped: for a test that restarts it.
    pub fn start() -> Postgres {
        let bin = bin_dir();
        let as_postgres = is_root();
        let dir = tempfile::tempdir().expect("a temp dir").keep();
        if as_postgres {
            // The temp dir's parents are traversable; the dir itself becomes postgres's.
            run(Command::new("chown").arg("postgres:postgres").arg(&dir));
            run(Command::new("chmod").arg("700").arg(&dir));
        }
        let data = dir.join("data");
        let mut initdb = Postgres::command(as_postgres, &bin.join("initdb"));
        initdb.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ]);
        run(&mut initdb);
        let port = free_port();
        let pg = Postgres {
            port,
            dir,
            bin,
            as_postgres,
        };
        pg.start_server();
        pg
    }

    fn command(as_postgres: bool, program: &Path) -> Command {
        if as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    pub fn start_server(&self) {
        let mut ctl = Postgres::command(self.as_postgres, &self.bin.join("pg_ctl"));
        ctl.arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                self.port,
                self.dir.display()
            ))
            .args(["-w", "-t", "30", "start"]);
        run(&mut ctl);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "PostgreSQL did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (fast: open connections are cut).
    pub fn stop_server(&self) {
        let mut ctl = Postgres::command(self.as_postgres, &self.bin.join("pg_ctl"));
        ctl.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"]);
        let _ = ctl.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }

    /// A fresh database of its own for one test; its URL.
    pub fn database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        );
        let mut psql = self.psql_command();
        psql.args(["-q", "-c", &format!("CREATE DATABASE {name}")]);
        run(&mut psql);
        self.url(&name)
    }

    /// psql as the superuser over TCP to this server.
    fn psql_command(&self) -> Command {
        let mut psql = Postgres::command(self.as_postgres, &self.bin.join("psql"));
        psql.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
        ]);
        psql
    }

    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Runs SQL through psql in `db`; its output, unaligned.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let db = url
            .rsplit('/')
            .next()
            .and_then(|s| s.split('?').next())
            .unwrap_or("postgres");
        let mut psql = self.psql_command();
        psql.args(["-d", db, "-At", "-c", sql]);
        let out = psql.output().expect("run psql");
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop_server();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

extern "C" fn stop_at_exit() {
    if let Some(pg) = SHARED.get() {
        pg.stop_server();
        let _ = std::fs::remove_dir_all(&pg.dir);
    }
}

fn run(command: &mut Command) {
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
