//! The demo's chat: a Slack-compatible incoming webhook on 127.0.0.1 that keeps what the
//! cockpit's `[[notify]]` sends it. `POST /hooks/chat` takes `{"text": …}`; `GET /status` says
//! how many messages came and the last one, which the demo runbook shows as a source, so the
//! notifications are visible on the screen that sends them.

use std::sync::Mutex;

use serde_json::json;

use super::http::{Request, Response};

/// The environment variable name the demo runbook's `[[notify]]` names; the demo answers it
/// with this listener's URL instead of reading the environment.
pub const URL_ENV: &str = "FLIGHTDECK_DEMO_CHAT_URL";

/// Messages kept: the demo shows the count and the last one.
const KEPT: usize = 50;

#[derive(Default)]
pub struct Chat {
    messages: Mutex<(u64, Vec<String>)>,
}

impl Chat {
    pub fn messages(&self) -> Vec<String> {
        self.messages
            .lock()
            .map(|m| m.1.clone())
            .unwrap_or_default()
    }

    pub async fn handle(self: std::sync::Arc<Self>, request: Request) -> Response {
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/hooks/chat") => {
                let text = serde_json::from_slice::<serde_json::Value>(&request.body)
                    .ok()
                    .and_then(|v| v.get("text")?.as_str().map(str::to_string));
                let Some(text) = text else {
                    return Response::text(400, "invalid_payload\n");
                };
                if let Ok(mut m) = self.messages.lock() {
                    m.0 += 1;
                    if m.1.len() == KEPT {
                        m.1.remove(0);
                    }
                    m.1.push(text);
                }
                Response::text(200, "ok")
            }
            ("GET", "/status") => {
                let (count, last) = self
                    .messages
                    .lock()
                    .map(|m| (m.0, m.1.last().cloned()))
                    .unwrap_or_default();
                Response::json(200, &json!({ "count": count, "last": last }))
            }
            _ => Response::text(404, "no such endpoint\n"),
        }
    }
}
