//! A real LocalStack (CloudWatch, or the services a test names: API Gateway) on 127.0.0.1,
//! from the venv `.ci/setup-emulators` installs. Startup takes seconds, so a test binary shares one server (`shared`); LocalStack
//! has no reset, so each test works in its own account (`Account::new`: a random 12-digit access
//! key id is the account id) and its own namespace. Tests that stop the server start their own.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatch::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};

/// How long LocalStack may take to say CloudWatch is available (it usually needs a few seconds;
/// a loaded machine building in parallel needs more).
const STARTUP_LIMIT: Duration = Duration::from_secs(90);

/// Python 3.12 lacks `warnings.deprecated`, which LocalStack 2026.3 imports although it
/// declares Python >= 3.10; `typing_extensions` (installed with it) has the same decorator.
/// A no-op on Python >= 3.13.
const PY312_SHIM: &str = "import warnings\n\
if not hasattr(warnings, 'deprecated'):\n    \
from typing_extensions import deprecated\n    \
warnings.deprecated = deprecated\n";

/// Kills LocalStack when this test process goes, however it goes: the wrapper reads its stdin,
/// a pipe only this process holds, and EOF comes when the process exits (a static is never
/// dropped). Then it kills LocalStack, removes its directory and ends the process group.
const WRAPPER: &str = r#"dir=$1; shift
"$@" </dev/null &
pid=$!
read -r _
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -rf "$dir"
kill -KILL 0"#;

pub struct LocalStack {
    port: u16,
    dir: PathBuf,
    child: Child,
    services: &'static str,
    pub startup: Duration,
}

impl LocalStack {
    /// The server this test binary shares, started on first use.
    pub fn shared() -> &'static LocalStack {
        static SHARED: OnceLock<LocalStack> = OnceLock::new();
        SHARED.get_or_init(|| LocalStack::start_on(free_port()))
    }

    /// A server of one's own on `port`, in a fresh directory (no state from before).
    pub fn start_on(port: u16) -> LocalStack {
        Self::start_services(port, "cloudwatch")
    }

    /// A server of one's own running `services` (comma-separated LocalStack service names).
    pub fn start_services(port: u16, services: &'static str) -> LocalStack {
        let python = venv_python();
        let dir = tempfile::Builder::new()
            .prefix("flightdeck-localstack-")
            .tempdir()
            .expect("temp dir for LocalStack")
            .keep();
        std::fs::create_dir_all(dir.join("pyshim")).unwrap();
        std::fs::write(dir.join("pyshim/sitecustomize.py"), PY312_SHIM).unwrap();
        let log = std::fs::File::create(dir.join("localstack.log")).unwrap();
        let listen = format!("127.0.0.1:{port}");
        let began = Instant::now();
        let child = Command::new("sh")
            .arg("-c")
            .arg(WRAPPER)
            .arg("sh")
            .arg(&dir)
            .arg(&python)
            .args(["-m", "localstack.runtime.main"])
            // Nothing of the developer's environment (AWS_*, PERSISTENCE, DEBUG…) leaks in.
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &dir)
            .env("PYTHONPATH", dir.join("pyshim"))
            .env("GATEWAY_LISTEN", &listen)
            .env("LOCALSTACK_HOST", &listen)
            .env("GATEWAY_SERVER", "hypercorn")
            .env("OVERRIDE_IN_DOCKER", "0")
            .env("SERVICES", services)
            .env("EAGER_SERVICE_LOADING", "1")
            .env("FILESYSTEM_ROOT", dir.join("fs"))
            .env("DNS_ADDRESS", "0")
            .env("DISABLE_EVENTS", "1")
            .env("SKIP_SSL_CERT_DOWNLOAD", "1")
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Its own process group, so Drop ends LocalStack and anything it started at once.
            .process_group(0)
            .spawn()
            .expect("start sh for LocalStack");
        let mut server = LocalStack {
            port,
            dir,
            child,
            services,
            startup: Duration::ZERO,
        };
        server.wait_ready(began);
        server.startup = began.elapsed();
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self, began: Instant) {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "LocalStack exited ({status}) before {} was available; log tail:\n{}",
                    self.services,
                    self.log_tail()
                );
            }
            if self.services.split(',').all(|s| available(self.port, s)) {
                return;
            }
            if began.elapsed() > STARTUP_LIMIT {
                panic!(
                    "LocalStack did not report {} available within {STARTUP_LIMIT:?}; log tail:\n{}",
                    self.services,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// How many requests of `operation` (e.g. `cloudwatch.GetMetricData`) this server answered,
    /// from its request log.
    pub fn requests(&self, operation: &str) -> usize {
        let log = std::fs::read_to_string(self.dir.join("localstack.log")).unwrap_or_default();
        let line = format!("AWS {operation} => ");
        log.lines().filter(|l| l.contains(&line)).count()
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("localstack.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's process group; no memory is touched.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn venv_python() -> PathBuf {
    let python =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/emulators/localstack/bin/python");
    if !python.exists() {
        panic!(
            "no LocalStack venv at {}: run .ci/setup-emulators first",
            python.display()
        );
    }
    python
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// Whether `/_localstack/health` lists `service` as available or running.
fn available(port: u16, service: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "GET /_localstack/health HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let Some((_, body)) = response.split_once("\r\n\r\n") else {
        return false;
    };
    let Ok(health) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    matches!(
        health
            .pointer(&format!("/services/{service}"))
            .and_then(|v| v.as_str()),
        Some("available" | "running")
    )
}

/// A LocalStack account of one test: its access key id is the account id.
pub struct Account {
    pub access_key_id: String,
    /// A namespace nobody else writes to.
    pub namespace: String,
}

impl Account {
    pub fn new(test: &str) -> Account {
        let n = random() % 900_000_000_000 + 100_000_000_000;
        Account {
            access_key_id: n.to_string(),
            namespace: format!("Flightdeck/Test/{test}/{n}"),
        }
    }

    /// An `SdkConfig` for `endpoint` with this account's static credentials, region us-east-1.
    pub fn config(&self, endpoint: &str) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                &self.access_key_id,
                "test-secret",
                None,
                None,
                "flightdeck-tests",
            )))
            .build()
    }
}

fn random() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.finish()
}

/// One timestamp for all of a test's datapoints, a minute back: they share one period, whatever
/// minute the test runs in, and it lies inside the poll's five-minute window.
pub fn a_minute_ago() -> DateTime {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    DateTime::from_secs(now as i64 - 60)
}

/// Puts each value as its own datapoint of `name` with `dims`, all at `at`.
pub async fn put(
    config: &SdkConfig,
    namespace: &str,
    name: &str,
    dims: &[(&str, &str)],
    values: &[f64],
    unit: Option<StandardUnit>,
    at: DateTime,
) {
    let data = values
        .iter()
        .map(|v| {
            MetricDatum::builder()
                .metric_name(name)
                .set_dimensions(Some(
                    dims.iter()
                        .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
                        .collect(),
                ))
                .timestamp(at)
                .value(*v)
                .set_unit(unit.clone())
                .build()
        })
        .collect();
    aws_sdk_cloudwatch::Client::new(config)
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PutMetricData: {}",
                aws_sdk_cloudwatch::error::DisplayErrorContext(e)
            )
        });
}
