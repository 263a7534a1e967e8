//! A real moto server on 127.0.0.1 for one test, from the venv `.ci/setup-emulators` installs.
//! It records every request it receives (moto's recorder), so tests can check what was really
//! sent and that a cached answer sent nothing. Killed when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a cold Python start may take on a loaded two-core machine.
const STARTUP: Duration = Duration::from_secs(60);

pub struct Moto {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    /// How long the server took to answer its first request.
    pub startup: Duration,
}

/// One AWS API call moto received.
#[derive(Debug, Clone)]
pub struct Call {
    /// `X-Amz-Target`'s operation: `GetCostAndUsage`, `GetCostForecast`.
    pub operation: String,
    pub body: serde_json::Value,
}

impl Moto {
    pub fn start() -> Moto {
        let bin =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/emulators/moto/bin/moto_server");
        assert!(
            bin.exists(),
            "moto is not installed ({} is missing): run .ci/setup-emulators first",
            bin.display()
        );
        // The free port is only free until someone else takes it: another test may win the
        // race, so a server that dies at once is started again on another port.
        let mut last_log = String::new();
        for _ in 0..3 {
            match Self::try_start(&bin) {
                Ok(moto) => return moto,
                Err(log) => last_log = log,
            }
        }
        panic!("moto_server did not start:\n{last_log}");
    }

    fn try_start(bin: &Path) -> Result<Moto, String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let began = Instant::now();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ENABLE_RECORDING", "true")
            .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording.jsonl"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("spawn moto_server");
        let mut moto = Moto {
            child,
            port,
            dir,
            startup: Duration::ZERO,
        };
        while began.elapsed() < STARTUP {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("exited with {status}\n{}", moto.log()));
            }
            if moto
                .request("GET", "/moto-api/data.json", "")
                .is_ok_and(|(s, _)| s == 200)
            {
                moto.startup = began.elapsed();
                return Ok(moto);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("no answer within {STARTUP:?}\n{}", moto.log()))
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Queues GetCostAndUsage answers. Moto hands them out in order, one per distinct request
    /// body, and answers a body it has seen before with the same result again.
    pub fn preset_cost_and_usage(&self, results: &[serde_json::Value]) {
        let body = serde_json::json!({ "results": results }).to_string();
        let (status, text) = self
            .request("POST", "/moto-api/static/ce/cost-and-usage-results", &body)
            .expect("preset request");
        assert_eq!(status, 201, "preset refused: {text}");
    }

    /// Forgets all state: queued and already-handed-out answers (the recording stays).
    pub fn reset(&self) {
        let (status, text) = self.request("POST", "/moto-api/reset", "").expect("reset");
        assert_eq!(status, 200, "reset refused: {text}");
    }

    /// From now on every AWS request must carry credentials moto's IAM knows (none do).
    pub fn require_auth(&self) {
        let (status, text) = self
            .request("POST", "/moto-api/reset-auth", "0")
            .expect("reset-auth");
        assert_eq!(status, 200, "reset-auth refused: {text}");
    }

    /// The AWS API calls moto has received so far, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        let (status, text) = self
            .request("GET", "/moto-api/recorder/download-recording", "")
            .expect("recording");
        assert_eq!(status, 200, "recording refused: {text}");
        text.lines()
            .filter_map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line).expect("recorded line");
                let target = entry["headers"]["X-Amz-Target"].as_str()?;
                let operation = target.rsplit('.').next()?.to_string();
                let raw = entry["body"].as_str().unwrap_or_default();
                let body = if entry["body_encoded"].as_bool() == Some(true) {
                    base64_decode(raw)
                } else {
                    raw.as_bytes().to_vec()
                };
                Some(Call {
                    operation,
                    body: serde_json::from_slice(&body).expect("recorded JSON body"),
                })
            })
            .collect()
    }

    /// Names of the calls received, in order.
    pub fn operations(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.operation).collect()
    }

    /// A minimal HTTP/1.1 exchange (one request per connection) for moto's own API.
    fn request(&self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        let answer = String::from_utf8_lossy(&answer);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("not HTTP: {head:?}")))?;
        assert!(
            !head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
            "chunked answers are not read here"
        );
        Ok((status, body.to_string()))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Moto's recorder stores binary bodies as standard base64; no crate needed for that.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:?}"),
        }
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
