//! The HTTP actuator: one blocking request, bounded by the traffic timeout, its outcome in one
//! plain line. The transport (headers from the environment, the capped body, failures in plain
//! words) is the telemetry's, so both say the same thing about the same failure.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::{Method, Url, redirect};

use super::Request;
use crate::telemetry::http::{SNIPPET, clean};
use crate::telemetry::http_fetch::{Failure, fetch_request, headers_from_env};

/// Sends an HTTP actuator request and waits for its answer, all within `timeout`. Blocking: call
/// it from a plain thread, not from inside a tokio runtime. `Ok("HTTP 200 in 12 ms")`; any
/// non-2xx answer, a refused connection or a timeout is an `Err` with a one-line reason.
pub fn send_http(request: &Request, timeout: Duration) -> Result<String, String> {
    let Request::Http {
        method,
        url,
        body,
        headers,
    } = request
    else {
        return Err("not an HTTP request: a command actuator runs through actions::process".into());
    };
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("`{method}` is not an HTTP method"))?;
    let url = Url::parse(url).map_err(|e| format!("invalid url: {e}"))?;
    let mut header_map = headers_from_env(headers).map_err(Failure::into_message)?;
    // A runbook cannot write a literal header (header values come from the environment), so the
    // body's type is guessed: JSON if it parses as JSON, else plain text.
    if let Some(body) = body
        && !header_map.contains_key(CONTENT_TYPE)
    {
        let json = serde_json::from_str::<serde_json::Value>(body).is_ok();
        let kind = if json {
            "application/json"
        } else {
            "text/plain; charset=utf-8"
        };
        header_map.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    }
    // A runtime per request: shifts are rare, and the caller is a plain worker thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the HTTP client: {e}"))?;
    let answer = runtime
        .block_on(async {
            let client = reqwest::Client::builder()
                .user_agent(concat!("flightdeck/", env!("CARGO_PKG_VERSION")))
                // A redirect would turn a POST into a GET elsewhere; for a weight change it is
                // an answer to report, not to follow.
                .redirect(redirect::Policy::none())
                .build()
                .map_err(|e| Failure::Setup(format!("could not build the HTTP client: {e}")))?;
            let mut request = client.request(method, url).headers(header_map);
            if let Some(body) = body {
                request = request.body(body.clone());
            }
            fetch_request(request, timeout).await
        })
        .map_err(Failure::into_message)?;
    let status = answer.status.as_u16();
    if answer.status.is_success() {
        return Ok(format!(
            "HTTP {status} in {} ms",
            answer.elapsed.as_millis()
        ));
    }
    // The first line says what went wrong; a huge error page is not scanned past its head.
    let head = &answer.body[..answer.body.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let first = text
        .lines()
        .map(|l| clean(l, SNIPPET))
        .find(|l| !l.is_empty());
    Err(match first {
        Some(line) => format!("HTTP {status}: {line}"),
        None => format!("HTTP {status}"),
    })
}
