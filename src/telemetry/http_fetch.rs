//! The transport of the HTTP kinds: one request with headers from the environment, its body
//! streamed up to a cap, everything within the source's timeout, failures in plain words.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::http::{SNIPPET, clean};
use crate::runbook::HttpTarget;

/// Body bytes read at most: health answers and metric answers are small, and an endless or huge
/// body must hold neither memory nor the poll.
pub const MAX_BODY: usize = 1024 * 1024;

/// A complete (or cut) answer.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub body: Vec<u8>,
    /// The body went on past `MAX_BODY` and was not read further.
    pub truncated: bool,
    /// From sending to the last body byte read.
    pub elapsed: Duration,
}

pub enum Failure {
    /// The request could not be made: the runbook or the environment, not the endpoint.
    Setup(String),
    /// The endpoint could not be reached, broke off, or did not answer in time.
    Unreachable(String),
}

impl Failure {
    pub fn into_message(self) -> String {
        match self {
            Failure::Setup(m) | Failure::Unreachable(m) => m,
        }
    }
}

pub async fn fetch(
    client: &reqwest::Client,
    target: &HttpTarget,
    timeout: Duration,
) -> Result<Answer, Failure> {
    let method = Method::from_bytes(target.method.as_bytes())
        .map_err(|_| Failure::Setup(format!("`{}` is not an HTTP method", target.method)))?;
    let url = Url::parse(&target.url).map_err(|e| Failure::Setup(format!("invalid url: {e}")))?;
    let headers = headers_from_env(&target.headers)?;
    fetch_url(client, method, url, headers, timeout).await
}

/// Header values from the environment. A variable that is missing or empty stops the request:
/// sending the header empty would turn a setup mistake into a misleading 401.
pub fn headers_from_env(headers: &BTreeMap<String, String>) -> Result<HeaderMap, Failure> {
    let mut map = HeaderMap::new();
    for (name, var) in headers {
        let setup = |why: &str| Failure::Setup(format!("header {name}: {why}"));
        let value = match std::env::var(var) {
            Ok(v) if v.is_empty() => return Err(setup(&format!("${var} is empty"))),
            Ok(v) => v,
            Err(std::env::VarError::NotPresent) => {
                return Err(setup(&format!("${var} is not set")));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(setup(&format!("${var} is not valid UTF-8")));
            }
        };
        let name_ok = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| setup("not a valid header name"))?;
        // The value is a secret: it is never quoted, only the variable is named.
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| setup(&format!("${var} does not hold a valid header value")))?;
        value.set_sensitive(true);
        map.append(name_ok, value);
    }
    Ok(map)
}

/// Sends one request and reads its body up to `MAX_BODY`, all within `timeout`.
pub async fn fetch_url(
    client: &reqwest::Client,
    method: Method,
    url: Url,
    headers: HeaderMap,
    timeout: Duration,
) -> Result<Answer, Failure> {
    fetch_request(client.request(method, url).headers(headers), timeout).await
}

/// Sends a request built by the caller (with a body, say: the HTTP traffic actuator) and reads
/// its answer the same way, all within `timeout`.
pub async fn fetch_request(
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<Answer, Failure> {
    let started = Instant::now();
    let exchange = async {
        let mut response = request
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| plain(&e, timeout))?;
        let status = response.status();
        let mut body = Vec::new();
        let mut truncated = false;
        // Chunk by chunk, so an endless body is cut at the cap instead of buffered.
        while let Some(chunk) = response.chunk().await.map_err(|e| plain(&e, timeout))? {
            let room = MAX_BODY - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            body,
            truncated,
            elapsed: started.elapsed(),
        })
    };
    // reqwest's own timeout covers the same span; this makes sure nothing of ours outlives it.
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or_else(|_| Err(Failure::Unreachable(timed_out(timeout))))
}

/// A reqwest error in plain words, without its URL (which may hold credentials) or Debug chain.
fn plain(e: &reqwest::Error, timeout: Duration) -> Failure {
    use std::error::Error as _;
    use std::io::ErrorKind as K;
    if e.is_builder() {
        return Failure::Setup(format!("invalid request: {}", root_cause(e)));
    }
    if e.is_timeout() {
        return Failure::Unreachable(timed_out(timeout));
    }
    let mut io_kind = None;
    let mut source = e.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        source = err.source();
    }
    let root = root_cause(e);
    let https = e.url().is_some_and(|u| u.scheme() == "https");
    let message = match io_kind {
        Some(K::ConnectionRefused) => "connection refused".to_string(),
        Some(K::ConnectionReset) => "connection reset".to_string(),
        Some(K::NetworkUnreachable) => "network unreachable".to_string(),
        Some(K::HostUnreachable) => "host unreachable".to_string(),
        _ if e.is_dns() => format!("cannot resolve the host: {root}"),
        // Past TCP (refused, reset and unreachable are matched above), what fails in connecting
        // to an https URL is the TLS handshake: rustls reports it as an `Other`/`InvalidData`
        // I/O error on the socket (a bad certificate, a server that does not speak TLS).
        Some(K::Other | K::InvalidData) if e.is_connect() && https => {
            format!("TLS handshake failed: {root}")
        }
        _ if e.is_connect() => format!("cannot connect: {root}"),
        _ if e.is_redirect() => "too many redirects".to_string(),
        _ if e.is_body() || e.is_decode() => format!("reading the answer failed: {root}"),
        _ => format!("request failed: {root}"),
    };
    Failure::Unreachable(message)
}

/// The innermost message of an error chain: the one that says what happened.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    clean(&last.to_string(), SNIPPET)
}

fn timed_out(timeout: Duration) -> String {
    format!("timed out after {}s", timeout.as_secs_f64())
}
