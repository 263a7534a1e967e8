//! One notification to one webhook: a JSON POST, each attempt bounded by the entry's timeout,
//! retried after 1 s, 2 s, 4 s … up to `retries` times. A 4xx answer other than 408 and 429 is
//! not retried (a revoked or wrong webhook does not heal by asking again). Errors never quote
//! the URL: it is the secret.

use std::time::Duration;

use serde_json::Value;

use crate::telemetry::http::clean;

/// Longest error text kept: a message line, not a log.
const MAX_CHARS: usize = 160;

/// How one delivery went.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub ok: bool,
    pub attempts: u32,
    /// `HTTP 200`, or the last failure in one line.
    pub detail: String,
}

/// Sends `body` to `url`, retrying as the module says. Async: the caller's runtime runs it.
pub async fn deliver(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    timeout: Duration,
    retries: u32,
) -> Delivery {
    let mut pause = Duration::from_secs(1);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (detail, retry) = match attempt(client, url, body, timeout).await {
            Ok(status) => {
                return Delivery {
                    ok: true,
                    attempts,
                    detail: format!("HTTP {status}"),
                };
            }
            Err(failure) => failure,
        };
        if !retry || attempts > retries {
            return Delivery {
                ok: false,
                attempts,
                detail,
            };
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
}

/// One POST: the status on 2xx, else the failure and whether asking again may help.
async fn attempt(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    timeout: Duration,
) -> Result<u16, (String, bool)> {
    let sent = client.post(url).json(body).timeout(timeout).send().await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) if e.is_timeout() => {
            return Err((format!("no answer within {}s", timeout.as_secs_f64()), true));
        }
        Err(e) if e.is_builder() => {
            return Err((
                "the URL in the environment is not a valid URL".into(),
                false,
            ));
        }
        Err(e) => return Err((clean(&e.without_url().to_string(), MAX_CHARS), true)),
    };
    let status = answer.status();
    if status.is_success() {
        return Ok(status.as_u16());
    }
    // The start of the answer says why; it is outside text, cleaned and cut.
    let text = tokio::time::timeout(timeout, answer.text())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let head: String = text.chars().take(400).collect();
    let said = clean(&head, MAX_CHARS);
    let retry = status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429;
    Err((
        if said.is_empty() {
            format!("HTTP {}", status.as_u16())
        } else {
            format!("HTTP {}: {said}", status.as_u16())
        },
        retry,
    ))
}
