//! Placeholder until the actuator module lands from its branch: only what the app needs.

use std::collections::BTreeMap;

use crate::runbook::Actuator;

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Command(String),
    Http {
        method: String,
        url: String,
        body: Option<String>,
        headers: BTreeMap<String, String>,
    },
}

pub fn render(actuator: &Actuator, vars: &BTreeMap<String, String>, green: u8) -> Request {
    let fill = |t: &str| {
        crate::runbook::template::expand(t, vars)
            .replace("{green}", &green.to_string())
            .replace("{blue}", &(100 - green).to_string())
    };
    match actuator {
        Actuator::Command(c) => Request::Command(fill(c)),
        Actuator::Http {
            method,
            url,
            body,
            headers,
        } => Request::Http {
            method: method.clone(),
            url: fill(url),
            body: body.as_deref().map(fill),
            headers: headers.clone(),
        },
    }
}

impl Request {
    pub fn shown(&self) -> String {
        match self {
            Request::Command(c) => c.clone(),
            Request::Http { method, url, .. } => format!("{method} {url}"),
        }
    }
}

pub fn send_http(_request: &Request, _timeout: std::time::Duration) -> Result<String, String> {
    Err("the HTTP actuator is not built yet".into())
}

pub fn read_green(
    _get: &str,
    _vars: &BTreeMap<String, String>,
    _timeout: std::time::Duration,
) -> Result<u8, String> {
    Err("read-back is not built yet".into())
}
