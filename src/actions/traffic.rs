//! Traffic shifts: the runbook's actuator rendered for one weight, shown the way the dialog and
//! the journal show it, and the green weight in force read back. A command actuator runs through
//! `actions::process` like any command; an HTTP actuator goes through `send_http`.

mod alb;
mod apigateway;
pub mod aws_error;
mod http;
pub mod native;
mod route53;

use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::process::{self, Progress};
use crate::runbook::duration::format_duration;
use crate::runbook::template::expand;
use crate::runbook::{Actuator, AwsActuator};
use crate::sanitize::one_line;
use crate::telemetry::http::{SNIPPET, clean};
use crate::telemetry::read_back::ReadBack;

pub use alb::{Forward, with_weights};
pub use apigateway::{Canary, StageState, patch as stage_patch};
pub use http::send_http;
pub use route53::{Pair, Records, change_batch};

/// Lines of read-back output kept: the weight is on the first; the rest is only for the message.
const MAX_LINES: usize = 20;

/// A shift request rendered from the actuator template: what is shown, journaled and run.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Command(String),
    Http {
        method: String,
        url: String,
        body: Option<String>,
        /// Header name → name of the environment variable holding its value.
        headers: BTreeMap<String, String>,
    },
    /// A native actuator's call, its fields filled from the runbook variables.
    Aws {
        actuator: AwsActuator,
        green: u8,
    },
}

/// `{green}` = green, `{blue}` = 100 - green, `${NAME}` of runbook vars (template::expand). Pure.
pub fn render(actuator: &Actuator, vars: &BTreeMap<String, String>, green: u8) -> Request {
    let green = green.min(100);
    // Weights first: a variable's value is taken literally, never searched for `{green}`.
    let fill = |t: &str| expand(&weights(t, green), vars);
    match actuator {
        Actuator::Command(command) => Request::Command(fill(command)),
        Actuator::Http {
            method,
            url,
            body,
            headers,
        } => Request::Http {
            method: method.to_ascii_uppercase(),
            url: fill(url),
            body: body.as_deref().map(fill),
            headers: headers.clone(),
        },
        Actuator::Aws(aws) => {
            let mut actuator = aws.clone();
            actuator.mechanism.expand(vars);
            Request::Aws { actuator, green }
        }
    }
}

/// Replaces `{green}` and `{blue}`. `${green}` is left alone: that is a variable for `expand` or
/// the shell, and turning it into `$10` would silently run something else.
fn weights(text: &str, green: u8) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let at = &rest[i..];
        let weight = match () {
            _ if out.ends_with('$') => None,
            _ if at.starts_with("{green}") => Some((green, "{green}".len())),
            _ if at.starts_with("{blue}") => Some((100 - green, "{blue}".len())),
            _ => None,
        };
        match weight {
            Some((w, len)) => {
                out.push_str(&w.to_string());
                rest = &at[len..];
            }
            None => {
                out.push('{');
                rest = &at[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Request {
    /// One line for dialogs and the journal; HTTP header values shown as `$ENVNAME`, never the
    /// secret value (it is never even read here).
    pub fn shown(&self) -> String {
        match self {
            // A multi-line script keeps its line breaks visible: folding them into spaces would
            // show a different command from the one that runs.
            Request::Command(command) => command
                .lines()
                .map(one_line)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ⏎ "),
            Request::Http {
                method,
                url,
                body,
                headers,
            } => {
                let mut parts = vec![format!("{method} {}", one_line(url))];
                parts.extend(headers.iter().map(|(name, var)| format!("{name}: ${var}")));
                if let Some(body) = body {
                    parts.push(format!("body {}", one_line(body)));
                }
                parts.join(" · ")
            }
            Request::Aws { actuator, green } => one_line(&native::shown(actuator, *green)),
        }
    }
}

/// Runs the `get` read-back command (vars expanded) under `sh -c` in its own process group with
/// `timeout`, and parses the green weight in force: the first integer it prints on stdout,
/// 0..=100, else an error saying what it printed.
pub fn read_green(
    get: &str,
    vars: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<u8, String> {
    read_green_with(&expand(get, vars), timeout)
}

/// The poller's readers of the split, for a runbook's read-back source: the `get` command, or
/// the native actuator's API.
pub fn read_back() -> ReadBack {
    ReadBack {
        command: Arc::new(read_green_with),
        aws: Arc::new(|config, mechanism| {
            Box::pin(async move { native::read(&config, &mechanism).await.map(|s| s.green) })
        }),
    }
}

/// Runs an expanded `get` command and parses the green weight it prints.
pub fn read_green_with(get: &str, timeout: Duration) -> Result<u8, String> {
    let (tx, rx) = mpsc::channel();
    process::start(get, timeout, tx).map_err(|e| format!("the read-back could not start: {e}"))?;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    // The runner kills the group at `timeout`; the margin only covers a pipe still held by a
    // process that left the group, so this call returns whatever the command does.
    let deadline = Instant::now() + timeout + process::GRACE;
    let outcome = loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Progress::Line { stderr, text }) => {
                let lines = if stderr { &mut err } else { &mut out };
                if lines.len() < MAX_LINES && !text.is_empty() {
                    lines.push(text);
                }
            }
            Ok(Progress::Ended(outcome)) => break outcome,
            Err(_) => {
                return Err(format!(
                    "the read-back did not end within {}",
                    format_duration(timeout)
                ));
            }
        }
    };
    let (out, err) = (out.join(" "), err.join(" "));
    let said = || printed(if out.is_empty() { &err } else { &out });
    if outcome.timed_out {
        return Err(format!(
            "the read-back was killed at its {} timeout (it printed {})",
            format_duration(timeout),
            said()
        ));
    }
    if !outcome.success() {
        return Err(format!(
            "the read-back failed, {} (it printed {})",
            outcome.describe(),
            said()
        ));
    }
    parse_weight(&out).map_err(|why| format!("the read-back printed {}: {why}", said()))
}

/// The first integer in `text`, if it is a weight.
fn parse_weight(text: &str) -> Result<u8, String> {
    let start = text
        .find(|c: char| c.is_ascii_digit())
        .ok_or("no number in it")?;
    let digits = &text[start..];
    let digits = &digits[..digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len())];
    let after = &text[start + digits.len()..];
    // `12.5` or `-10` is not a weight in force; taking 12 or 10 from it would be a guess.
    if text[..start].ends_with('-') {
        return Err(format!("-{digits} is not a weight 0 to 100"));
    }
    if after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return Err("a weight is a whole number 0 to 100".into());
    }
    match digits.parse::<u32>() {
        Ok(n) if n <= 100 => Ok(n as u8),
        _ => Err(format!("{digits} is not a weight 0 to 100")),
    }
}

/// What a command printed, quoted and cut for a one-line message.
fn printed(text: &str) -> String {
    let text = clean(text, SNIPPET);
    if text.is_empty() {
        "nothing".into()
    } else {
        format!("\"{text}\"")
    }
}

#[cfg(test)]
mod tests;
