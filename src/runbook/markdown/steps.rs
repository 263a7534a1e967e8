//! One guide item → one raw step (or rollback step, or a criteria section's gate), with what
//! its binding says over what the item says by itself. Pure.

use toml::Spanned;

use super::classify::is_shell;
use super::map::{Ids, kind_of};
use super::parse::{Guide, Item, ItemKind};
use super::sidecar::Binding;
use super::text::{first_line, slug};
use super::timemark::mark_for;
use crate::runbook::raw::{RawRollbackStep, RawStep};

/// A step's title from its item: the item's text, or for a fence the paragraph before it,
/// else the first comment or line of its body.
pub fn title_of(item: &Item) -> String {
    match &item.kind {
        ItemKind::Fence { .. } => {
            if let Some(lead) = item.lead.as_deref().filter(|l| !l.is_empty()) {
                return first_line(lead.trim_end_matches(':'), 80);
            }
            let comment = item
                .text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with('#') && !l.starts_with("#!"))
                .map(|l| l.trim_start_matches('#').trim().to_string());
            first_line(&comment.unwrap_or_else(|| item.text.clone()), 80)
        }
        _ => first_line(&item.text, 120),
    }
}

fn spanned<T>(item: &Item, value: T) -> Spanned<T> {
    Spanned::new(item.span.clone(), value)
}

pub fn criteria_gate(
    guide: &Guide,
    root: usize,
    b: Option<&Binding>,
    ids: &mut Ids,
    days: bool,
) -> Spanned<RawStep> {
    let s = &guide.sections[root];
    let title = b
        .and_then(|b| b.title.clone())
        .unwrap_or_else(|| s.title.clone());
    let id = match b.and_then(|b| b.id.as_ref()) {
        Some(id) => id.clone(),
        None => Spanned::new(s.span.clone(), ids.unique(slug(&title, 40))),
    };
    let headings: Vec<&str> = section_titles(guide, root);
    Spanned::new(
        s.span.clone(),
        RawStep {
            id,
            title,
            kind: None,
            description: b.and_then(|b| b.description.clone()),
            owner: b.and_then(|b| b.owner.clone()),
            planned: b.and_then(|b| b.planned.clone()),
            at: b
                .and_then(|b| b.time.clone())
                .or_else(|| mark_for("", &headings, days).map(|m| Spanned::new(s.span.clone(), m))),
            expect: b.and_then(|b| b.expect.clone()),
            run: None,
            timeout: None,
            gate: Some(
                b.and_then(|b| b.gate.clone())
                    .unwrap_or_else(|| Spanned::new(s.span.clone(), Vec::new())),
            ),
            signoff: b.map(|b| b.signoff.clone()).unwrap_or_default(),
            gate_timeout: b.and_then(|b| b.gate_timeout.clone()),
            on_timeout: b.and_then(|b| b.on_timeout.clone()),
            traffic: None,
            wait: None,
        },
    )
}

/// Titles of the section and its ancestors, nearest first.
fn section_titles(guide: &Guide, section: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = Some(section);
    while let Some(i) = at {
        out.push(guide.sections[i].title.as_str());
        at = guide.sections[i].parent;
    }
    out
}

pub fn step_of(
    guide: &Guide,
    item: &Item,
    b: Option<&Binding>,
    ids: &mut Ids,
    days: bool,
) -> Option<Spanned<RawStep>> {
    let declared = kind_of(b);
    let says_more = b.is_some_and(|b| {
        b.gate.is_some() || b.traffic.is_some() || b.wait.is_some() || b.run.is_some()
    });
    let shell = is_shell(item);
    let fence_body =
        matches!(item.kind, ItemKind::Fence { .. }).then(|| item.text.trim_end().to_string());
    // What the item is by itself, then what the binding makes of it.
    let run = match (declared, &item.kind) {
        _ if b.is_some_and(|b| b.run.is_some()) => b.and_then(|b| b.run.clone()),
        (Some("command" | "alternative"), ItemKind::Fence { .. }) => {
            fence_body.clone().map(|r| spanned(item, r))
        }
        (None, ItemKind::Fence { .. }) if shell && !says_more => {
            fence_body.clone().map(|r| spanned(item, r))
        }
        _ => None,
    };
    let is_step = run.is_some()
        || says_more
        || matches!(declared, Some("manual" | "file"))
        || (declared.is_none()
            && matches!(item.kind, ItemKind::Task | ItemKind::Numbered)
            && !item.holds_fence);
    if !is_step {
        return None;
    }
    let mut title = b
        .and_then(|b| b.title.clone())
        .unwrap_or_else(|| title_of(item));
    if declared == Some("alternative") && b.and_then(|b| b.title.as_ref()).is_none() {
        title = format!("Alternative: {title}");
    }
    let mut description = b.and_then(|b| b.description.clone());
    if description.is_none() {
        description = match (&item.kind, declared) {
            (ItemKind::Fence { .. }, Some("file")) => Some(format!(
                "Write this file:\n\n{}",
                item.text.trim_end()
            )),
            (ItemKind::Fence { .. }, Some("alternative")) => Some(
                "One of the alternatives in this section: run the one that applies and skip the others (s)."
                    .to_string(),
            ),
            (ItemKind::Fence { .. }, _) if run.is_none() => fence_body.clone(),
            (ItemKind::Fence { .. }, _) => item.lead.clone().filter(|l| first_line(l, 80) != title),
            _ => None,
        };
    }
    let headings = section_titles(guide, item.section);
    let id = match b.and_then(|b| b.id.as_ref()) {
        Some(id) => id.clone(),
        None => spanned(item, ids.unique(slug(&title, 40))),
    };
    let at = b.and_then(|b| b.time.clone()).or_else(|| {
        let own = match item.kind {
            ItemKind::Fence { .. } => item.lead.clone().unwrap_or_default(),
            _ => item.text.clone(),
        };
        mark_for(&own, &headings, days).map(|m| spanned(item, m))
    });
    Some(spanned(
        item,
        RawStep {
            id,
            title,
            kind: None,
            description,
            owner: b.and_then(|b| b.owner.clone()),
            planned: b.and_then(|b| b.planned.clone()),
            at,
            expect: b.and_then(|b| b.expect.clone()),
            run,
            timeout: b.and_then(|b| b.timeout.clone()),
            gate: b.and_then(|b| b.gate.clone()),
            signoff: b.map(|b| b.signoff.clone()).unwrap_or_default(),
            gate_timeout: b.and_then(|b| b.gate_timeout.clone()),
            on_timeout: b.and_then(|b| b.on_timeout.clone()),
            traffic: b.and_then(|b| b.traffic.clone()),
            wait: b.and_then(|b| b.wait.clone()),
        },
    ))
}

pub fn rollback_steps(item: &Item, b: Option<&Binding>) -> Vec<Spanned<RawRollbackStep>> {
    match b.filter(|b| !b.rollback_steps.is_empty()) {
        Some(b) => b.rollback_steps.clone(),
        None => rollback_step(item, b).into_iter().collect(),
    }
}

fn rollback_step(item: &Item, b: Option<&Binding>) -> Option<Spanned<RawRollbackStep>> {
    if item.holds_fence || matches!(item.kind, ItemKind::Table) {
        return None;
    }
    let title = b
        .and_then(|b| b.title.clone())
        .unwrap_or_else(|| title_of(item));
    let traffic = b.and_then(|b| b.traffic.clone());
    let run = match (&item.kind, kind_of(b)) {
        _ if traffic.is_some() => None,
        _ if b.is_some_and(|b| b.run.is_some()) => b.and_then(|b| b.run.clone()),
        (ItemKind::Fence { .. }, Some("manual" | "file")) => None,
        (ItemKind::Fence { .. }, Some("command")) => {
            Some(spanned(item, item.text.trim_end().to_string()))
        }
        (ItemKind::Fence { .. }, _) if is_shell(item) => {
            Some(spanned(item, item.text.trim_end().to_string()))
        }
        _ => None,
    };
    let description = b
        .and_then(|b| b.description.clone())
        .or_else(|| match &item.kind {
            ItemKind::Fence { .. } if run.is_none() => Some(item.text.trim_end().to_string()),
            _ => None,
        });
    Some(spanned(
        item,
        RawRollbackStep {
            title,
            description,
            run,
            traffic,
            timeout: b.and_then(|b| b.timeout.clone()),
            ask: b.and_then(|b| b.ask.clone()),
        },
    ))
}
