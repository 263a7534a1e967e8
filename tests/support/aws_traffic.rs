//! Shared by the native actuator tests (Route 53, ALB, API Gateway): a runbook around a
//! `[traffic]` table, the environment that points the real binary at an emulator, and the
//! acceptance walk: shift 10 → 50 → 100 with the typed word in a pty, read back after each,
//! roll back to all blue.

use std::path::{Path, PathBuf};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::cockpit::{Cockpit, Dirs};

pub const ACCESS_KEY: &str = "123456789012";

/// An `SdkConfig` for `endpoint` with static test credentials, region us-east-1.
pub fn config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            ACCESS_KEY,
            "test-secret",
            None,
            None,
            "flightdeck-tests",
        )))
        .build()
}

/// The environment of the binary: test credentials, `AWS_ENDPOINT_URL` at the emulator, and
/// nothing of the tester's own AWS files or instance role.
pub fn env(endpoint: &str, home: &Path) -> Vec<(String, String)> {
    let none = home.join("none").display().to_string();
    [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", none.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", none.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A runbook shifting 10 → 50 → 100 through `traffic` (the actuator's keys), without bakes,
/// and rolling back to all blue.
pub fn write_runbook(dir: &Path, traffic: &str) -> PathBuf {
    super::book::Book::new("Native shift")
        .table(&format!(
            r#"[traffic]
{traffic}
get_interval = "1s"
plan = [ {{ green = 10 }}, {{ green = 50 }}, {{ green = 100 }} ]"#
        ))
        .shifts(&[10, 50, 100])
        .write(dir, "native.toml")
}

/// The acceptance walk in the real binary: for each weight, `t`, the dialog with the exact API
/// call (`call` must be in it) and the weight read back, the typed word, the shift done; then
/// `read_back(green)` (the test's own SDK read) must give that weight. Then the emergency
/// rollback to all blue. Returns the journal.
pub fn walk(
    endpoint: &str,
    traffic: &str,
    call: &str,
    mut read_back: impl FnMut(u8) -> u8,
) -> String {
    let dirs = Dirs::new();
    let home = tempfile::tempdir().unwrap();
    let path = write_runbook(dirs.data.path(), traffic);
    let env = env(endpoint, home.path());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut cockpit =
        Cockpit::start_with_env(&dirs, &["run", path.to_str().unwrap()], 160, 40, &env);
    cockpit.wait_for("LIVE");
    assert_eq!(read_back(0), 0, "all blue before the first shift");
    for (from, green) in [(0, 10), (10, 50), (50, 100)] {
        cockpit.send("t");
        cockpit.wait_for("Type SHIFT to shift");
        cockpit.wait_for(&format!("in force: {from}% green"));
        cockpit.wait_for(call);
        cockpit.send("SHIFT\r");
        cockpit.wait_for(&format!("`shift{green}` done"));
        cockpit.wait_for(&format!(" {green}% G"));
        assert_eq!(
            read_back(green),
            green,
            "read back after the shift to {green}%"
        );
    }
    cockpit.send("R");
    cockpit.wait_for("Type ROLLBACK to roll back");
    cockpit.send("ROLLBACK\r");
    cockpit.wait_for("rollback completed");
    assert_eq!(read_back(0), 0, "all blue after the rollback");
    cockpit.send("\x1b");
    cockpit.wait_gone("rollback completed");
    cockpit.quit();
    std::fs::read_to_string(dirs.journal()).unwrap()
}
