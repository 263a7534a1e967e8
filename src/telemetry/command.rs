//! The `command` source: `sh -c` in its own process group, stdout read as a number (or JSON with
//! a pointer), the whole group killed at the timeout so a hung pipeline leaves nothing behind.

use std::io::Read;
use std::time::{Duration, Instant};

use super::sample::Reading;
use super::sanitize::one_line;

/// Output beyond this is not read: a source prints a number, not a log.
const MAX_OUTPUT: u64 = 64 * 1024;

/// Runs the command and turns its output into a reading. Never blocks past `timeout` (plus the
/// moment it takes to reap the killed group).
pub fn poll(command: &str, pointer: Option<&str>, timeout: Duration) -> Reading {
    let mut child = match crate::shell::spawn(command) {
        Ok(c) => c,
        Err(e) => return Reading::Error(format!("cannot start sh: {e}")),
    };
    // Pipes are drained on their own threads so a chatty command cannot block on a full pipe.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Reading::Error(format!("waiting for the command failed: {e}")),
        }
    };
    let Some(status) = status else {
        crate::shell::signal_group(child.id(), libc::SIGKILL);
        let _ = child.wait();
        return Reading::Error(format!(
            "timed out after {}s and was killed",
            timeout.as_secs_f64()
        ));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        let why = one_line(&stderr);
        let code = status
            .code()
            .map_or("a signal".to_string(), |c| format!("exit code {c}"));
        return Reading::Error(if why.is_empty() {
            format!("ended with {code}")
        } else {
            format!("ended with {code}: {}", truncate(&why, 200))
        });
    }
    parse_number(&stdout, pointer)
}

/// A number from plain text, or from JSON at a pointer.
pub fn parse_number(text: &str, pointer: Option<&str>) -> Reading {
    let garbage =
        |what: &str| Reading::Error(format!("{what}: `{}`", truncate(&one_line(text), 80)));
    match pointer {
        None => match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Reading::Number(v),
            _ => garbage("output is not a number"),
        },
        Some(p) => match serde_json::from_str::<serde_json::Value>(text) {
            Err(_) => garbage("output is not JSON"),
            Ok(json) => match json.pointer(p) {
                Some(serde_json::Value::Number(n)) => n
                    .as_f64()
                    .map_or_else(|| garbage("not a finite number"), Reading::Number),
                Some(serde_json::Value::String(s)) => s
                    .trim()
                    .parse::<f64>()
                    .map(Reading::Number)
                    .unwrap_or_else(|_| garbage(&format!("{p} is not a number"))),
                Some(other) => Reading::Error(format!("{p} holds {}, not a number", kind(other))),
                None => Reading::Error(format!("no value at {p}")),
            },
        },
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
        _ => "a value",
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = pipe {
            let _ = p.take(MAX_OUTPUT).read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn numbers_json_and_garbage() {
        assert_eq!(poll("echo 42.5", None, T), Reading::Number(42.5));
        assert_eq!(
            poll(r#"echo '{"lag":{"seconds":7}}'"#, Some("/lag/seconds"), T),
            Reading::Number(7.0)
        );
        assert_eq!(
            poll(r#"echo '{"lag":"3"}'"#, Some("/lag"), T),
            Reading::Number(3.0)
        );
        assert!(
            matches!(poll("echo fast", None, T), Reading::Error(e) if e.contains("not a number"))
        );
        assert!(
            matches!(poll("echo '{'", Some("/x"), T), Reading::Error(e) if e.contains("not JSON"))
        );
        assert!(
            matches!(poll(r#"echo '{"a":null}'"#, Some("/a"), T), Reading::Error(e) if e.contains("null"))
        );
        assert!(matches!(poll("echo 'inf'", None, T), Reading::Error(_)));
    }

    #[test]
    fn failure_shows_exit_code_and_sanitized_stderr() {
        let r = poll("printf '\\033[2Jboom\\n' >&2; exit 3", None, T);
        assert_eq!(r, Reading::Error("ended with exit code 3: boom".into()));
    }

    #[test]
    fn a_command_that_never_ends_is_killed_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("survived");
        let started = Instant::now();
        let cmd = format!("(sleep 2; touch {}) & sleep 60", marker.display());
        let r = poll(&cmd, None, Duration::from_millis(300));
        let took = started.elapsed();
        assert!(
            matches!(r, Reading::Error(ref e) if e.contains("timed out")),
            "{r:?}"
        );
        assert!(took < Duration::from_secs(2), "returned after {took:?}");
        std::thread::sleep(Duration::from_millis(2500));
        assert!(
            !marker.exists(),
            "the background child was killed with the group"
        );
    }

    #[test]
    fn huge_output_is_bounded() {
        let r = poll("yes 1 | head -c 10000000", None, T);
        assert!(
            matches!(r, Reading::Error(_)),
            "10 MB of `1\\n` is not one number"
        );
    }
}
