//! Guide + bindings → the runbook's raw phases and rollback, with spans into the guide (and
//! into the sidecar where a binding says something). Pure: `merge` validates the result with
//! the TOML runbooks' own validator.

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::classify::*;
use super::parse::{Guide, Item, ItemKind};
use super::sidecar::Binding;
use super::text::{first_line, slug};
use super::timemark::mark_for;
use crate::runbook::raw::{RawPhase, RawRollbackStep, RawStep};

/// Bindings by what they resolved to.
#[derive(Default)]
pub struct Bindings<'a> {
    pub sections: HashMap<usize, &'a Binding>,
    pub items: HashMap<usize, &'a Binding>,
}

pub struct Mapped {
    pub title: Option<(String, std::ops::Range<usize>)>,
    pub phases: Vec<Spanned<RawPhase>>,
    /// The guide's own emergency rollback (a top-level "Rollback" section), if it has one.
    pub rollback: Vec<Spanned<RawRollbackStep>>,
}

struct Ids(HashSet<String>);

impl Ids {
    fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

fn kind_of(b: Option<&Binding>) -> Option<&str> {
    b.and_then(|b| b.kind.as_ref())
        .map(|k| k.get_ref().as_str())
}

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

pub fn map(guide: &Guide, bindings: &Bindings, phase_level: u8) -> Mapped {
    let title = guide
        .sections
        .iter()
        .find(|s| s.level > 0)
        .map(|s| (s.title.clone(), s.span.clone()));
    let skipped = |section: usize| {
        let mut at = Some(section);
        while let Some(i) = at {
            if kind_of(bindings.sections.get(&i).copied()) == Some("skip") {
                return true;
            }
            at = guide.sections[i].parent;
        }
        false
    };
    let days = !has_t_marks(guide);
    let mut ids = Ids(HashSet::new());
    let mut phase_ids = Ids(HashSet::new());
    // Phases in document order, keyed by their section (None: text above every phase heading).
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut phases: HashMap<Option<usize>, RawPhase> = HashMap::new();
    let mut gates: HashMap<usize, (Option<usize>, usize)> = HashMap::new();
    let mut rollback: Vec<Spanned<RawRollbackStep>> = Vec::new();

    for (index, item) in guide.items.iter().enumerate() {
        let section = item.section;
        let binding = bindings.items.get(&index).copied();
        if skipped(section) || matches!(kind_of(binding), Some("text" | "skip")) {
            continue;
        }
        let phase_key = phase_of(guide, section, phase_level);
        let rollback_root = outermost(guide, section, is_rollback_title);
        let global = rollback_root.is_some_and(|root| {
            phase_key.is_none_or(|p| guide.sections[root].level <= guide.sections[p].level)
        });
        if global {
            rollback.extend(rollback_step(item, binding));
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = phases.entry(phase_key) {
            let (title, span) = match phase_key {
                Some(p) => (
                    guide.sections[p].title.clone(),
                    guide.sections[p].span.clone(),
                ),
                None => title.clone().unwrap_or_else(|| ("Guide".into(), 0..0)),
            };
            let id = phase_ids.unique(slug(&title, 32));
            let description = phase_key
                .map(|p| phase_prose(guide, p))
                .filter(|d| !d.is_empty());
            e.insert(RawPhase {
                id: Spanned::new(span, id),
                title,
                description,
                steps: Vec::new(),
                rollback: Vec::new(),
            });
            order.push(phase_key);
        }
        let phase = phases.get_mut(&phase_key).expect("inserted above");
        if rollback_root.is_some() {
            phase.rollback.extend(rollback_step(item, binding));
            continue;
        }
        if let Some(b) = binding.filter(|b| !b.steps.is_empty()) {
            for step in &b.steps {
                let mut step = step.clone();
                ids.0.insert(step.get_ref().id.get_ref().clone());
                let text = match item.kind {
                    ItemKind::Fence { .. } | ItemKind::Table => item.text.trim_end().to_string(),
                    _ => super::text::clean(&item.text),
                };
                step.get_mut().description.get_or_insert(text);
                phase.steps.push(step);
            }
            continue;
        }
        if let Some(root) = outermost(guide, section, is_criteria_title)
            .filter(|_| binding.is_none_or(|b| b.gate.is_none()))
        {
            if kind_of(bindings.sections.get(&root).copied()) == Some("text") {
                continue;
            }
            if !matches!(
                item.kind,
                ItemKind::Task | ItemKind::Numbered | ItemKind::Bullet
            ) {
                continue;
            }
            let (_, at) = *gates.entry(root).or_insert_with(|| {
                let sb = bindings.sections.get(&root).copied();
                let step = criteria_gate(guide, root, sb, &mut ids, days);
                phase.steps.push(step);
                (phase_key, phase.steps.len() - 1)
            });
            let invert = binding.is_some_and(|b| b.invert)
                || nearest(guide, section, |k| {
                    is_criteria_title(k) && is_no_go_title(k)
                })
                .and_then(|s| bindings.sections.get(&s))
                .is_some_and(|b| b.invert)
                || bindings.sections.get(&root).is_some_and(|b| b.invert);
            let text = binding
                .and_then(|b| b.title.clone())
                .unwrap_or_else(|| title_of(item));
            let signoff = if invert {
                format!("NO-GO absent: {text}")
            } else {
                text
            };
            phase.steps[at].get_mut().signoff.push(signoff);
            continue;
        }
        if let Some(step) = step_of(guide, item, binding, &mut ids, days) {
            phase.steps.push(step);
        }
    }

    let mut kept = Vec::new();
    for p in order.into_iter().filter_map(|k| phases.remove(&k)) {
        if p.steps.is_empty() {
            // A phase of nothing but rollback steps: they join the emergency plan.
            rollback.extend(p.rollback);
        } else {
            kept.push(Spanned::new(p.id.span(), p));
        }
    }
    let phases = kept;
    Mapped {
        title,
        phases,
        rollback,
    }
}

/// A guide with a `T±` timeline counts from its migration day: its `Day N` / `Week N` marks
/// belong to another clock (the project plan) and stay in the titles only.
fn has_t_marks(guide: &Guide) -> bool {
    let heads = guide.sections.iter().map(|s| s.title.as_str());
    let items = guide
        .items
        .iter()
        .filter(|i| !matches!(i.kind, ItemKind::Fence { .. } | ItemKind::Table))
        .map(|i| i.text.as_str());
    heads
        .chain(items)
        .any(|t| super::timemark::t_mark_in(t).is_some())
}

/// The prose and tables under a phase heading, shown as its description.
fn phase_prose(guide: &Guide, phase: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    for s in guide.subtree(phase) {
        out.extend(guide.sections[s].prose.iter().cloned());
    }
    let text = out.join("\n\n");
    if text.chars().count() > 4000 {
        format!("{}…", text.chars().take(4000).collect::<String>())
    } else {
        text
    }
}

fn spanned<T>(item: &Item, value: T) -> Spanned<T> {
    Spanned::new(item.span.clone(), value)
}

fn criteria_gate(
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

fn step_of(
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
