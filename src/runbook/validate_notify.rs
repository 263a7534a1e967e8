//! `[[notify]]` → the model: which webhooks hear about which events of the run.

use std::collections::HashMap;
use std::time::Duration;

use toml::Spanned;

use super::check::Checker;
use super::model::{Notify, NotifyKind, Topic};
use super::raw::RawNotify;

/// Attempts after the first, at most: a notification must not retry for minutes.
pub const MAX_RETRIES: u32 = 5;

pub fn notify(ck: &mut Checker, raw: &[Spanned<RawNotify>], text: &str) -> Vec<Notify> {
    let mut seen = HashMap::new();
    raw.iter()
        .filter_map(|n| {
            let n = n.get_ref();
            ck.id(&n.id, "notify", &mut seen, text);
            entry(ck, n)
        })
        .collect()
}

fn entry(ck: &mut Checker, n: &RawNotify) -> Option<Notify> {
    let kind = match ck.choice(&n.kind, "notify kind", &["slack", "webhook"])? {
        "slack" => NotifyKind::Slack,
        _ => NotifyKind::Webhook,
    };
    let url_env = n.url_env.get_ref().trim();
    let is_name = url_env
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && url_env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_name {
        ck.error(
            n.url_env.span(),
            format!("url_env `{url_env}` is not an environment variable name"),
            "a webhook URL is a secret: keep it in the environment and name the variable here, like url_env = \"SLACK_WEBHOOK_URL\"",
        );
    }
    let names: Vec<&str> = Topic::ALL.iter().map(|t| t.name()).collect();
    let on: Vec<Topic> = if n.on.is_empty() {
        Topic::ALL.to_vec()
    } else {
        n.on.iter()
            .filter_map(|t| {
                let name = ck.choice(t, "notify event", &names)?;
                Topic::ALL.into_iter().find(|topic| topic.name() == name)
            })
            .collect()
    };
    let retries = match &n.retries {
        None => 2,
        Some(r) => match u32::try_from(*r.get_ref()) {
            Ok(v) if v <= MAX_RETRIES => v,
            _ => {
                ck.error(
                    r.span(),
                    format!("retries {} is outside 0-{MAX_RETRIES}", r.get_ref()),
                    "a notification that cannot get through is shown and journaled; retrying longer only delays the next one",
                );
                return None;
            }
        },
    };
    let timeout = ck.opt_duration(&n.timeout, "timeout", Duration::from_secs(5));
    if timeout.is_zero() || timeout > Duration::from_secs(60) {
        ck.error(
            n.timeout.as_ref().map(Spanned::span).unwrap_or(0..0),
            "a notification timeout is more than 0 and at most 60s",
            "write timeout = \"5s\"",
        );
    }
    is_name.then(|| Notify {
        id: n.id.get_ref().clone(),
        kind,
        url_env: url_env.to_string(),
        on,
        timeout,
        retries,
    })
}
