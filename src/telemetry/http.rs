//! `http`, `http_json` and `prometheus` sources: one request each, bounded in time (the source's
//! timeout covers connecting, the answer and its body) and in size (the body is streamed and cut
//! at `MAX_BODY`), turned into a verdict or a number. Outside text (bodies, error messages) is
//! cleaned and shortened where it enters: nothing in a reading can drive the terminal.
//!
//! Failures split two ways. For `http` (is it up?) an endpoint that cannot be reached, refuses,
//! fails TLS or does not answer in time is `Down`: from the operator's seat that is the verdict.
//! For the number kinds the same failures are `Error` (unknown): there is no number, and a missing
//! number is not a bad number. A runbook or environment problem (a header variable not set, a
//! bad regex, an invalid URL) is `Error` for every kind: it says nothing about the endpoint.

use std::time::Duration;

use regex::Regex;
use serde_json::Value;

use super::http_fetch::{Answer, Failure, fetch};
use super::prometheus;
use super::sample::Reading;
use super::sanitize::one_line;
use crate::runbook::{BodyCheck, HttpTarget, SourceSpec};

/// The longest text a reading carries (a panel cell, a journal line).
pub const MAX_TEXT: usize = 200;
/// How much of a body is quoted in a reason.
pub const SNIPPET: usize = 80;
/// How much of a body is looked at for that quote (escape sequences take room, then vanish).
const SNIPPET_SCAN: usize = 4096;

pub async fn poll(client: &reqwest::Client, spec: &SourceSpec, timeout: Duration) -> Reading {
    let reading = match spec {
        SourceSpec::Http {
            target,
            expect_status,
            body_check,
        } => health(client, target, *expect_status, body_check.as_ref(), timeout).await,
        SourceSpec::HttpJson { target, pointer } => {
            json_number(client, target, pointer, timeout).await
        }
        SourceSpec::Prometheus { url, query } => {
            prometheus::poll(client, url, query, timeout).await
        }
        other => Reading::Error(format!("{} is not an HTTP source", other.kind_name())),
    };
    tidy(reading)
}

async fn health(
    client: &reqwest::Client,
    target: &HttpTarget,
    expect_status: Option<u16>,
    check: Option<&BodyCheck>,
    timeout: Duration,
) -> Reading {
    // Compiled before the request: a bad pattern is the runbook's fault, not the endpoint's.
    let regex = match check {
        Some(BodyCheck::Regex(p)) => match Regex::new(p) {
            Ok(r) => Some(r),
            Err(e) => return Reading::Error(format!("body_regex is not valid: {e}")),
        },
        _ => None,
    };
    let answer = match fetch(client, target, timeout).await {
        Ok(a) => a,
        Err(Failure::Setup(m)) => return Reading::Error(m),
        Err(Failure::Unreachable(m)) => return Reading::Down { reason: m },
    };
    let status = answer.status.as_u16();
    let status_ok = expect_status.map_or(answer.status.is_success(), |want| status == want);
    if !status_ok {
        let expected = expect_status.map_or(String::new(), |w| format!(", expected {w}"));
        return Reading::Down {
            reason: with_body(format!("status {status}{expected}"), &answer.body),
        };
    }
    let problem = match (check, &regex) {
        (Some(BodyCheck::PointerEquals { pointer, value }), _) => {
            pointer_problem(&answer, pointer, value)
        }
        (_, Some(re)) => {
            let text = String::from_utf8_lossy(&answer.body);
            (!re.is_match(&text)).then(|| {
                let which = if answer.truncated {
                    "first 1 MiB of the "
                } else {
                    ""
                };
                format!(
                    "{which}body does not match /{}/: {}",
                    re.as_str(),
                    snippet(&answer.body)
                )
            })
        }
        _ => None,
    };
    match problem {
        Some(reason) => Reading::Down { reason },
        None => Reading::Up {
            latency_ms: answer.elapsed.as_secs_f64() * 1000.0,
        },
    }
}

/// Why the body fails `pointer == value`, if it does.
fn pointer_problem(answer: &Answer, pointer: &str, value: &Value) -> Option<String> {
    if answer.truncated {
        return Some(format!("body is over 1 MiB, {pointer} not checked"));
    }
    let Ok(json) = serde_json::from_slice::<Value>(&answer.body) else {
        return Some(format!(
            "body is not JSON (expected {pointer} = {value}): {}",
            snippet(&answer.body)
        ));
    };
    match json.pointer(pointer) {
        None => Some(format!("no {pointer} in the body (expected {value})")),
        Some(found) if same(found, value) => None,
        Some(found) => Some(format!("{pointer} is {}, expected {value}", show(found))),
    }
}

/// JSON equality where numbers compare by value: `body_equals = 1` matches `1.0`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

async fn json_number(
    client: &reqwest::Client,
    target: &HttpTarget,
    pointer: &str,
    timeout: Duration,
) -> Reading {
    let answer = match fetch(client, target, timeout).await {
        Ok(a) => a,
        Err(f) => return Reading::Error(f.into_message()),
    };
    if !answer.status.is_success() {
        let status = format!("status {}", answer.status.as_u16());
        return Reading::Error(with_body(status, &answer.body));
    }
    if answer.truncated {
        return Reading::Error("answer is over 1 MiB".into());
    }
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(json) => number_at(&json, pointer),
        Err(_) => Reading::Error(format!("not JSON: {}", snippet(&answer.body))),
    }
}

/// The number at `pointer`: a JSON number, or a string holding one. Booleans are not numbers.
pub fn number_at(json: &Value, pointer: &str) -> Reading {
    let found = match json.pointer(pointer) {
        None => return Reading::Error(format!("no value at {pointer}")),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(Value::Bool(b)) => return Reading::Error(format!("{pointer} is {b}, not a number")),
        Some(Value::Null) => return Reading::Error(format!("{pointer} is null")),
        Some(other) => {
            let what = if other.is_array() {
                "an array"
            } else {
                "an object"
            };
            return Reading::Error(format!("{pointer} holds {what}, not a number"));
        }
    };
    match found {
        Some(v) if v.is_finite() => Reading::Number(v),
        _ => Reading::Error(format!(
            "{pointer} is {}, not a number",
            json.pointer(pointer).map(show).unwrap_or_default()
        )),
    }
}

/// A value found in a body, short and clean. A string is cleaned as text, not as its JSON form,
/// so an escape sequence inside it goes whole instead of surviving as `\u001b...`.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{}\"", clean(s, SNIPPET)),
        other => clean(&other.to_string(), SNIPPET),
    }
}

/// `prefix: <start of the body>`, or the prefix alone for an empty body.
pub fn with_body(prefix: String, body: &[u8]) -> String {
    let quoted = snippet(body);
    if quoted.is_empty() {
        prefix
    } else {
        format!("{prefix}: {quoted}")
    }
}

/// The start of a body as one clean, short line.
pub fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(SNIPPET_SCAN)];
    clean(&String::from_utf8_lossy(head), SNIPPET)
}

/// Sanitized to one line and cut at `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let line = one_line(text);
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

/// The last word on text in a reading, whatever path made it.
fn tidy(reading: Reading) -> Reading {
    match reading {
        Reading::Down { reason } => Reading::Down {
            reason: clean(&reason, MAX_TEXT),
        },
        Reading::Error(e) => Reading::Error(clean(&e, MAX_TEXT)),
        other => other,
    }
}
