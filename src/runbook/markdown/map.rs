//! Guide + bindings → the runbook's raw phases and rollback, with spans into the guide (and
//! into the sidecar where a binding says something). Pure: `merge` validates the result with
//! the TOML runbooks' own validator.

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::classify::*;
use super::parse::{Guide, ItemKind};
use super::sidecar::Binding;
use super::steps::{criteria_gate, rollback_steps, step_of, title_of};
use super::text::slug;
use crate::runbook::raw::{RawPhase, RawRollbackStep};

/// Bindings by what they resolved to.
#[derive(Default)]
pub struct Bindings<'a> {
    pub sections: HashMap<usize, &'a Binding>,
    pub items: HashMap<usize, &'a Binding>,
    /// Bindings of one line of a checklist fence: (item, line).
    pub lines: HashMap<(usize, usize), &'a Binding>,
    /// Rollback sections bound to the phase they undo (`rollback_of`): section → phase heading.
    pub rollback_of: HashMap<usize, usize>,
}

pub struct Mapped {
    pub title: Option<(String, std::ops::Range<usize>)>,
    pub phases: Vec<Spanned<RawPhase>>,
    /// The guide's own emergency rollback (a top-level "Rollback" section), if it has one.
    pub rollback: Vec<Spanned<RawRollbackStep>>,
}

pub struct Ids(pub HashSet<String>);

impl Ids {
    pub fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

pub fn kind_of(b: Option<&Binding>) -> Option<&str> {
    b.and_then(|b| b.kind.as_ref())
        .map(|k| k.get_ref().as_str())
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

    for walked in super::checklist::walk(guide, bindings) {
        let item: &super::parse::Item = &walked.item;
        let binding = walked.binding;
        let section = item.section;
        if skipped(section) || matches!(kind_of(binding), Some("text" | "skip")) {
            continue;
        }
        let rollback_root = outermost(guide, section, is_rollback_title);
        let undoes = rollback_of(guide, section, &bindings.rollback_of);
        let phase_key = match undoes {
            Some(phase) => phase_of(guide, phase, phase_level),
            None => phase_of(guide, section, phase_level),
        };
        let global = undoes.is_none()
            && rollback_root.is_some_and(|root| {
                phase_key.is_none_or(|p| guide.sections[root].level <= guide.sections[p].level)
            });
        if global {
            rollback.extend(rollback_steps(item, binding));
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
            phase.rollback.extend(rollback_steps(item, binding));
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
        if let Some(mut step) = step_of(guide, item, binding, &mut ids, days) {
            if let Some(id) = walked.id.filter(|_| binding.is_none_or(|b| b.id.is_none())) {
                ids.0.insert(id.get_ref().clone());
                step.get_mut().id = id;
            }
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

/// The phase heading a rollback section (or one of its ancestors) is bound to undo.
fn rollback_of(guide: &Guide, section: usize, bound: &HashMap<usize, usize>) -> Option<usize> {
    let mut at = Some(section);
    while let Some(i) = at {
        if let Some(phase) = bound.get(&i) {
            return Some(*phase);
        }
        at = guide.sections[i].parent;
    }
    None
}
