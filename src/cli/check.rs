//! `flightdeck check RUNBOOK [--json]`: the pre-flight. Every `[vars]` value filled, every
//! environment variable the commands read set, every program they call on `PATH`, AWS
//! credentials resolving for each profile/region the AWS sources use, each source answering
//! once. A checklist (or `--json`); exit 0 only when all hold, 3 if any does not (like
//! `status`), 2 for a runbook that does not validate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use super::CheckArgs;
use super::check_scan;
use crate::runbook::{self, Runbook, SourceSpec};
use crate::telemetry::Reading;
use crate::telemetry::aws::{Configs, Target};
use crate::telemetry::poller;

/// How long one profile's credential chain may take (SSO, instance metadata) before it fails.
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Serialize)]
struct Report {
    runbook: String,
    ok: bool,
    items: Vec<Item>,
}

/// One line of the checklist.
#[derive(Serialize)]
struct Item {
    /// `var`, `env`, `program`, `aws` or `source`.
    kind: &'static str,
    name: String,
    ok: bool,
    /// Why it holds (where the program is, which credential provider) or why not.
    detail: String,
}

impl Item {
    fn new(
        kind: &'static str,
        name: impl Into<String>,
        ok: bool,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            name: name.into(),
            ok,
            detail: detail.into(),
        }
    }
}

pub fn run(args: CheckArgs) -> ExitCode {
    let loaded = match args.load.load(&args.runbook, None) {
        Ok((_, loaded)) => loaded,
        Err(code) => return code,
    };
    let book = loaded.runbook;
    let env: BTreeMap<String, String> = std::env::vars().collect();

    let mut items = vars(&book);
    let commands = check_scan::commands(&book);
    items.extend(env_vars(&book, &commands, &env));
    items.extend(programs(&commands, env.get("PATH").map(String::as_str)));
    items.extend(aws_credentials(&book));
    items.extend(sources(&book));

    let report = Report {
        runbook: book.meta.name.clone(),
        ok: items.iter().all(|i| i.ok),
        items,
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print(&report);
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::status::NOT_ALL_OK)
    }
}

fn print(report: &Report) {
    println!("Pre-flight: {}", visible(&report.runbook));
    for i in &report.items {
        let mark = if i.ok { "✔" } else { "✖" };
        println!(
            "{mark} {:<8} {}: {}",
            i.kind,
            visible(&i.name),
            visible(&i.detail)
        );
    }
    let failed = report.items.iter().filter(|i| !i.ok).count();
    if failed == 0 {
        println!("all {} checks hold", report.items.len());
    } else {
        println!("{failed} of {} checks do not hold", report.items.len());
    }
}

/// Text from the runbook or a source with its control characters made visible (`\u{1b}`), so
/// nothing in it drives the terminal.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn vars(book: &Runbook) -> Vec<Item> {
    book.vars
        .iter()
        .map(|(name, value)| {
            if runbook::vars::is_placeholder(value) {
                Item::new("var", name, false, format!("still a placeholder: {value}"))
            } else {
                Item::new("var", name, true, "filled")
            }
        })
        .collect()
}

/// Variables the commands read, the ones headers come from, and the declared secrets. Values are never shown.
fn env_vars(book: &Runbook, commands: &[String], env: &BTreeMap<String, String>) -> Vec<Item> {
    let mut names: BTreeSet<String> = book.meta.secrets.iter().cloned().collect();
    // Header values are read from the environment by name.
    for source in &book.sources {
        if let SourceSpec::Http { target, .. } | SourceSpec::HttpJson { target, .. } = &source.spec
        {
            names.extend(target.headers.values().cloned());
        }
    }
    if let Some(crate::runbook::Actuator::Http { headers, .. }) =
        book.traffic.as_ref().map(|t| &t.set)
    {
        names.extend(headers.values().cloned());
    }
    // Webhook URLs are secrets kept in the environment.
    names.extend(book.notify.iter().map(|n| n.url_env.clone()));
    for command in commands {
        names.extend(check_scan::env_needed(command, env));
    }
    names
        .into_iter()
        .map(|name| match env.get(&name) {
            Some(_) => Item::new("env", name, true, "set"),
            None => Item::new("env", name, false, "not set in the environment"),
        })
        .collect()
}

fn programs(commands: &[String], path: Option<&str>) -> Vec<Item> {
    let wanted: BTreeSet<String> = commands
        .iter()
        .flat_map(|c| check_scan::programs(c))
        .collect();
    let dirs: Vec<PathBuf> = path.map_or_else(Vec::new, |p| std::env::split_paths(p).collect());
    wanted
        .into_iter()
        .map(|program| match find_on(&dirs, &program) {
            Some(found) => Item::new("program", program, true, found.display().to_string()),
            None => Item::new("program", program, false, "not found on PATH"),
        })
        .collect()
}

fn find_on(dirs: &[PathBuf], program: &str) -> Option<PathBuf> {
    dirs.iter()
        .map(|d| d.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Each profile/region the AWS sources use, through the same chain the poller uses.
fn aws_credentials(book: &Runbook) -> Vec<Item> {
    let targets: BTreeSet<Target> = book
        .sources
        .iter()
        .filter_map(|s| match &s.spec {
            SourceSpec::CloudWatch {
                region, profile, ..
            }
            | SourceSpec::CostExplorer {
                region, profile, ..
            } => Some(Target {
                region: region.clone(),
                profile: profile.clone(),
            }),
            // The native traffic actuator's read-back: its credentials are the shift's.
            SourceSpec::AwsReadBack(actuator) => Some(Target {
                region: actuator.region.clone(),
                profile: actuator.profile.clone(),
            }),
            _ => None,
        })
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return vec![Item::new("aws", "credentials", false, e.to_string())],
    };
    let configs = Configs::default();
    targets
        .into_iter()
        .map(|target| {
            let name = format!(
                "profile {}, region {}",
                target.profile.as_deref().unwrap_or("default"),
                target.region.as_deref().unwrap_or("default")
            );
            let (ok, detail) = runtime.block_on(credentials(&configs, &target));
            Item::new("aws", name, ok, detail)
        })
        .collect()
}

async fn credentials(configs: &Configs, target: &Target) -> (bool, String) {
    use aws_credential_types::provider::ProvideCredentials;
    let config = configs.get(target).await;
    let Some(region) = config.region().map(ToString::to_string) else {
        return (
            false,
            "no region: set one on the source, in [runbook], with --region or AWS_REGION".into(),
        );
    };
    let Some(provider) = config.credentials_provider() else {
        return (false, "no credential provider".into());
    };
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
        Err(_) => (
            false,
            format!("no credentials within {}s", CREDENTIALS_TIMEOUT.as_secs()),
        ),
        Ok(Err(e)) => (false, error_chain(&e)),
        Ok(Ok(creds)) => (
            true,
            format!("resolved by {} in {region}", provider_name(&creds)),
        ),
    }
}

/// An error with its causes, `a: b: c`, as the SDK's own messages are terse at the top.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    // The chain's report spans lines ("Attempted:\n  Environment: …"): one line on the checklist.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The provider that answered. `Credentials` keeps its name private but prints it (with the
/// secret redacted) in its `Debug`: read it from there.
fn provider_name(creds: &aws_credential_types::Credentials) -> String {
    let debug = format!("{creds:?}");
    debug
        .split_once("provider_name: \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or_else(
            || "the credential chain".into(),
            |(name, _)| name.to_string(),
        )
}

/// Each source polled once, the way `status` does. A source that is DOWN does not hold either:
/// before the day an instrument that cannot show UP cannot be told from a broken one.
fn sources(book: &Runbook) -> Vec<Item> {
    if book.sources.is_empty() {
        return Vec::new();
    }
    let context = super::poll_context();
    let samples = match poller::poll_all_once(book.sources.clone(), context) {
        Ok((samples, _)) => samples,
        Err(e) => return vec![Item::new("source", "polling", false, e.to_string())],
    };
    let redactor = crate::secrets::Redactor::from_process_env(&book.meta.secrets);
    book.sources
        .iter()
        .map(|s| {
            let reading = samples
                .iter()
                .find(|x| x.source == s.id)
                .map(|x| redactor.reading(x.reading.clone()));
            let (ok, detail) = match reading {
                None => (false, "no answer".to_string()),
                Some(Reading::Error(e)) => (false, e),
                Some(Reading::Down { reason }) => (false, format!("answered DOWN: {reason}")),
                Some(Reading::Up { latency_ms }) => (true, format!("UP in {latency_ms:.0} ms")),
                Some(Reading::Number(v)) => (
                    true,
                    format!(
                        "answered {}",
                        crate::telemetry::format::value(v, s.unit.text())
                    ),
                ),
            };
            Item::new("source", &s.id, ok, detail)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            visible("title\u{1b}]0;PWNED\u{7} \"quoted\""),
            "title\\u{1b}]0;PWNED\\u{7} \"quoted\""
        );
    }
}
