//! `flightdeck demo`'s world: blue and green services, a weighted router carrying synthetic
//! traffic, a replication feed and a Cost Explorer stand-in, all inside this process on
//! 127.0.0.1 ephemeral ports, and `runbooks/demo.toml` wired to them. No terminal here: the
//! world is a library, so tests start it, measure it and stop it without the cockpit.
//!
//! Everything runs on the world's own tokio runtime; stopping it (or dropping the world) shuts
//! that runtime down, which drops every listener, connection and task at once.

pub mod chat;
pub mod client;
pub mod cost;
mod http;
pub mod replication;
pub mod router;
pub mod services;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use tokio::net::TcpListener;

use crate::runbook::{self, Loaded, Runbook, SourceSpec};
use crate::telemetry::aws::{Configs, Target};
use replication::Feed;
use router::Router;
use services::Service;

/// The demo runbook, built in so `flightdeck demo` works from any directory.
pub const RUNBOOK: &str = include_str!("../../runbooks/demo.toml");

/// How long stopping may wait for tasks to finish before they are dropped anyway.
const STOP_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How fast the replication model runs against the wall clock (tests speed it up).
    pub speed: f64,
    /// Synthetic client requests per second through the router; 0 turns the client off.
    pub client_rate: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            speed: 1.0,
            client_rate: 20,
        }
    }
}

/// Where each part listens.
#[derive(Debug, Clone, Copy)]
pub struct Addrs {
    pub router: SocketAddr,
    pub blue: SocketAddr,
    pub green: SocketAddr,
    pub replication: SocketAddr,
    pub cost: SocketAddr,
    /// The chat webhook the demo's notifications go to.
    pub chat: SocketAddr,
}

impl Addrs {
    pub fn all(&self) -> [SocketAddr; 6] {
        [
            self.router,
            self.blue,
            self.green,
            self.replication,
            self.cost,
            self.chat,
        ]
    }
}

pub struct World {
    runtime: Option<tokio::runtime::Runtime>,
    pub addrs: Addrs,
    router: Arc<Router>,
    green: Arc<Service>,
    chat: Arc<chat::Chat>,
}

pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Where the demo keeps its files (the wired runbook, its Cost Explorer cache), apart from
/// real runs' caches.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("demo")
}

impl World {
    /// Binds every listener on 127.0.0.1 (the kernel picks the ports) and starts serving.
    pub fn start(options: Options) -> Result<World> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("demo")
            .enable_all()
            .build()
            .context("cannot start the demo's runtime")?;
        let mut listeners = Vec::new();
        for _ in 0..6 {
            let bound = runtime.block_on(TcpListener::bind((Ipv4Addr::LOCALHOST, 0)));
            listeners.push(bound.context("cannot listen on 127.0.0.1")?);
        }
        let addr = |i: usize| listeners[i].local_addr();
        let addrs = Addrs {
            router: addr(0)?,
            blue: addr(1)?,
            green: addr(2)?,
            replication: addr(3)?,
            cost: addr(4)?,
            chat: addr(5)?,
        };
        let [router_l, blue_l, green_l, replication_l, cost_l, chat_l]: [TcpListener; 6] =
            listeners
                .try_into()
                .map_err(|_| anyhow!("six listeners expected"))?;
        let chat = Arc::new(chat::Chat::default());

        let (blue, green) = (Service::blue(), Service::green());
        let router = Router::new(url(addrs.blue), url(addrs.green));
        let feed = Feed::new(router.clone());
        {
            let _guard = runtime.enter();
            let b = blue.clone();
            tokio::spawn(http::serve(blue_l, move |r| b.clone().handle(r)));
            let g = green.clone();
            tokio::spawn(http::serve(green_l, move |r| g.clone().handle(r)));
            let rt = router.clone();
            tokio::spawn(http::serve(router_l, move |r| rt.clone().handle(r)));
            let f = feed.clone();
            tokio::spawn(http::serve(replication_l, move |r| f.clone().handle(r)));
            tokio::spawn(http::serve(cost_l, cost::handle));
            let c = chat.clone();
            tokio::spawn(http::serve(chat_l, move |r| c.clone().handle(r)));
            tokio::spawn(feed.run(options.speed));
            tokio::spawn(client::run(url(addrs.router), options.client_rate));
        }
        tracing::info!(?addrs, "demo world started");
        Ok(World {
            runtime: Some(runtime),
            addrs,
            router,
            green,
            chat,
        })
    }

    /// The URL of a `[[notify]]` environment variable, in the demo: its own chat for the one
    /// the demo runbook names, nothing for any other (the demo never reaches beyond loopback).
    pub fn notify_url(&self, env: &str) -> Option<String> {
        (env == chat::URL_ENV).then(|| format!("{}/hooks/chat", url(self.addrs.chat)))
    }

    /// What the demo's chat received, oldest first.
    pub fn chat_messages(&self) -> Vec<String> {
        self.chat.messages()
    }

    /// The runbook variables that wire `runbooks/demo.toml` to this world.
    pub fn vars(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("ROUTER".into(), url(self.addrs.router)),
            ("BLUE".into(), url(self.addrs.blue)),
            ("GREEN".into(), url(self.addrs.green)),
            ("REPLICATION".into(), url(self.addrs.replication)),
            ("CHAT".into(), url(self.addrs.chat)),
        ])
    }

    /// The demo runbook's text with its `[vars]` pointing at this world.
    pub fn runbook_text(&self) -> Result<String> {
        wire(RUNBOOK, &self.vars())
    }

    /// The wired runbook, validated, and checked to stay on this machine.
    pub fn runbook(&self) -> Result<Loaded> {
        let text = self.runbook_text()?;
        let loaded = runbook::parse(&text).map_err(|diagnostics| {
            let invalid = runbook::Invalid {
                path: "demo.toml (built in)".into(),
                text: text.clone(),
                diagnostics,
                parts: Vec::new(),
            };
            anyhow!("the built-in demo runbook does not validate:\n{invalid}")
        })?;
        stays_local(&loaded.runbook)?;
        Ok(loaded)
    }

    /// The AWS config every AWS source of the demo gets: this world's Cost Explorer only.
    pub fn aws_configs(&self) -> Configs {
        Configs::preset(Target::default(), cost::sdk_config(&url(self.addrs.cost)))
    }

    /// The failure key: green's orders answer 500 (or heal again).
    pub fn set_green_failing(&self, failing: bool) {
        tracing::info!(failing, "demo: green failing");
        self.green.set_failing(failing);
    }

    pub fn green_failing(&self) -> bool {
        self.green.is_failing()
    }

    /// The green weight the router applies now.
    pub fn green_weight(&self) -> u8 {
        self.router.green_weight()
    }

    /// Stops every listener and task. Call it from a plain thread, not from async code.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(STOP_GRACE);
            tracing::info!("demo world stopped");
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Replaces the values of `vars` in the text's `[vars]` table, line by line, so the rest of
/// the file (and every position a diagnostic would point at) stays as written. Every variable
/// must be found: a renamed one would leave a source pointing at a port nothing serves.
pub fn wire(text: &str, vars: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut in_vars = false;
    let mut wired = BTreeSet::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_vars = trimmed == "[vars]";
        }
        let name = trimmed.split_once('=').map(|(n, _)| n.trim());
        if in_vars && let Some((name, value)) = name.and_then(|n| vars.get_key_value(n)) {
            let quoted = toml::Value::String(value.clone()).to_string();
            out.push_str(&format!("{name} = {quoted}\n"));
            wired.insert(name.clone());
            continue;
        }
        out.push_str(line);
    }
    let missing: Vec<&String> = vars.keys().filter(|k| !wired.contains(*k)).collect();
    if !missing.is_empty() {
        bail!("the demo runbook's [vars] lacks {missing:?}");
    }
    Ok(out)
}

/// The demo must never reach beyond this machine: HTTP sources on 127.0.0.1 only, AWS
/// sources only where the preset config (no region, no profile) sends them, no commands.
fn stays_local(book: &Runbook) -> Result<()> {
    for source in &book.sources {
        let id = &source.id;
        match &source.spec {
            SourceSpec::Http { target, .. } | SourceSpec::HttpJson { target, .. } => {
                if !target.url.starts_with("http://127.0.0.1:") {
                    bail!("demo source {id} points beyond loopback: {}", target.url);
                }
            }
            SourceSpec::CostExplorer {
                region: None,
                profile: None,
                ..
            } => {}
            // The traffic read-back asks the demo's own router.
            SourceSpec::ReadBack { get } if get.contains("http://127.0.0.1:") => {}
            _ => bail!("demo source {id} is of a kind the demo does not serve"),
        }
    }
    for notify in &book.notify {
        if notify.url_env != chat::URL_ENV {
            bail!(
                "demo webhook {} names ${}, which the demo does not serve",
                notify.id,
                notify.url_env
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiring_replaces_every_var_and_nothing_else() {
        let vars = BTreeMap::from([("ROUTER".to_string(), "http://127.0.0.1:1".to_string())]);
        let text = "[vars]\nROUTER = \"x\"\nOTHER = \"y\"\n[runbook]\nROUTER = \"z\"\n";
        let wired = wire(text, &vars).unwrap();
        assert_eq!(
            wired,
            "[vars]\nROUTER = \"http://127.0.0.1:1\"\nOTHER = \"y\"\n[runbook]\nROUTER = \"z\"\n"
        );
        let more = BTreeMap::from([("NOPE".to_string(), "1".to_string())]);
        assert!(wire(text, &more).is_err());
    }
}
