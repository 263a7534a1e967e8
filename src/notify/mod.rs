//! Notifications: the `[[notify]]` webhooks hear about the events they chose as the journal
//! records them. Sending never blocks the cockpit: each webhook has a thread of its own with
//! a bounded queue (a full queue drops the message and says so), each delivery is bounded by
//! its timeout and retries, and every outcome goes back through `report` to be shown and
//! journaled.

pub mod message;
mod send;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use crate::journal::Record;
use crate::runbook::{Notify, Topic};
pub use message::{Composer, Message, body};
pub use send::{Delivery, deliver};

/// Messages waiting per webhook at most: beyond that the webhook is far behind, and an
/// operator learns more from "dropped" than from news an hour late.
const QUEUE: usize = 32;

/// How one notification went, for the screen and the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The `[[notify]]` id.
    pub target: String,
    pub topic: Topic,
    pub text: String,
    pub delivery: Delivery,
}

pub type Report = Arc<dyn Fn(Outcome) + Send + Sync>;

pub struct Notifier {
    composer: Composer,
    targets: Vec<(Notify, SyncSender<(Message, serde_json::Value)>)>,
    report: Report,
}

impl Notifier {
    /// Starts a thread per webhook. `url_of` reads the URL's environment variable (the
    /// cockpit passes the process environment; tests their own).
    pub fn start(
        notify: &[Notify],
        composer: Composer,
        url_of: impl Fn(&str) -> Option<String>,
        report: Report,
    ) -> Notifier {
        let targets = notify
            .iter()
            .map(|spec| {
                let (tx, rx) = mpsc::sync_channel(QUEUE);
                let url = url_of(&spec.url_env).filter(|u| !u.trim().is_empty());
                let (spec2, report2) = (spec.clone(), report.clone());
                std::thread::spawn(move || worker(spec2, url, rx, report2));
                (spec.clone(), tx)
            })
            .collect();
        Notifier {
            composer,
            targets,
            report,
        }
    }

    /// A record was appended: sent to every webhook that chose its topic.
    pub fn record(&mut self, record: &Record) {
        if let Some(message) = self.composer.record(record) {
            self.send(message);
        }
    }

    /// A restarted cockpit found this action in doubt.
    pub fn in_doubt(&mut self, summary: &str, operator: &str) {
        let message = self.composer.in_doubt(summary, operator);
        self.send(message);
    }

    fn send(&self, message: Message) {
        for (spec, tx) in &self.targets {
            if !spec.on.contains(&message.topic) {
                continue;
            }
            let payload = body(spec.kind, &message, &self.composer);
            if let Err(e) = tx.try_send((message.clone(), payload)) {
                let why = match e {
                    TrySendError::Full(_) => "dropped: the webhook is far behind",
                    TrySendError::Disconnected(_) => "dropped: its sender stopped",
                };
                (self.report)(Outcome {
                    target: spec.id.clone(),
                    topic: message.topic,
                    text: message.text.clone(),
                    delivery: Delivery {
                        ok: false,
                        attempts: 0,
                        detail: why.into(),
                    },
                });
            }
        }
    }
}

/// One webhook's deliveries, in order, on a runtime of its own.
fn worker(
    spec: Notify,
    url: Option<String>,
    rx: Receiver<(Message, serde_json::Value)>,
    report: Report,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let client = reqwest::Client::builder()
        .user_agent(concat!("flightdeck/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build();
    for (message, payload) in rx {
        let delivery = match (&url, &runtime, &client) {
            (None, _, _) => Delivery {
                ok: false,
                attempts: 0,
                detail: format!("${} is not set", spec.url_env),
            },
            (Some(url), Ok(rt), Ok(client)) => {
                rt.block_on(deliver(client, url, &payload, spec.timeout, spec.retries))
            }
            _ => Delivery {
                ok: false,
                attempts: 0,
                detail: "could not start the HTTP client".into(),
            },
        };
        report(Outcome {
            target: spec.id.clone(),
            topic: message.topic,
            text: message.text,
            delivery,
        });
    }
}
