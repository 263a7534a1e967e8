//! A real HAProxy (the Debian package) in the foreground, in front of two real HTTP backends that
//! answer `blue` and `green`: the weighted router the traffic actuator drives through the runtime
//! API on a unix socket. Each test starts its own; dropping it kills it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http_server::{Reply, Server};

/// HAProxy parses its config and binds in milliseconds; a loaded CI machine may take longer.
const STARTUP_LIMIT: Duration = Duration::from_secs(15);

pub struct Haproxy {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    // Kept alive for as long as HAProxy routes to them.
    _blue: Server,
    _green: Server,
}

impl Haproxy {
    /// Blue at weight 100, green at 0: all traffic on blue, as before a migration.
    pub fn start() -> Haproxy {
        let blue = Server::start(|_| Reply::status(200, "blue"));
        let green = Server::start(|_| Reply::status(200, "green"));
        let dir = tempfile::tempdir().expect("a temp dir");
        let port = super::localstack::free_port();
        let socket = dir.path().join("haproxy.sock");
        let config = format!(
            "global\n\
             \x20   stats socket {socket} level admin\n\
             defaults\n\
             \x20   mode http\n\
             \x20   timeout connect 2s\n\
             \x20   timeout client 10s\n\
             \x20   timeout server 10s\n\
             frontend fe\n\
             \x20   bind 127.0.0.1:{port}\n\
             \x20   default_backend be\n\
             backend be\n\
             \x20   balance roundrobin\n\
             \x20   server blue 127.0.0.1:{blue} weight 100\n\
             \x20   server green 127.0.0.1:{green} weight 0\n",
            socket = socket.display(),
            blue = blue.port(),
            green = green.port(),
        );
        let config_path = dir.path().join("haproxy.cfg");
        std::fs::write(&config_path, config).expect("write haproxy.cfg");
        // Its log goes to a file, not a pipe nobody drains; it is shown if startup fails.
        let log = std::fs::File::create(dir.path().join("haproxy.log")).expect("haproxy.log");
        // Debian installs it in /usr/sbin, which is not on every user's PATH.
        let sbin = std::path::Path::new("/usr/sbin/haproxy");
        let program = if sbin.exists() {
            sbin
        } else {
            "haproxy".as_ref()
        };
        let child = Command::new(program)
            .arg("-db") // foreground: the child is HAProxy itself, so killing it stops it
            .arg("-f")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run haproxy ({e}): run .ci/run or apt-get install haproxy socat")
            });
        let mut haproxy = Haproxy {
            child,
            dir,
            port,
            _blue: blue,
            _green: green,
        };
        haproxy.wait_ready();
        haproxy
    }

    /// Polls until both the frontend and the runtime socket accept connections.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("haproxy exited at startup ({status}):\n{}", self.log());
            }
            let frontend = TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            if frontend && UnixStream::connect(self.socket()).is_ok() {
                return;
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!("haproxy not ready after {STARTUP_LIMIT:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("haproxy.log")).unwrap_or_default()
    }

    /// The runtime API socket (admin level).
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("haproxy.sock")
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Sends `n` requests through the frontend, one connection each (so every request is a new
    /// balancing decision), and counts who answered: (blue, green).
    pub fn count(&self, n: usize) -> (usize, usize) {
        let (mut blue, mut green) = (0, 0);
        for _ in 0..n {
            let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                .expect("send");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).expect("answer");
            match answer.rsplit("\r\n\r\n").next() {
                Some(_) if !answer.starts_with("HTTP/1.1 200") => {
                    panic!("not a 200 through haproxy: {answer}")
                }
                Some("blue") => blue += 1,
                Some("green") => green += 1,
                _ => panic!("neither blue nor green answered: {answer}"),
            }
        }
        (blue, green)
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
