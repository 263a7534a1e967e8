//! Guide + sidecar → one raw runbook, validated by the TOML runbooks' own validator. Spans
//! live in one text: the guide, a newline, then the sidecar (see `Parts`), so every diagnostic
//! points into the file it is about.

use toml::Spanned;

use super::anchor::{self, Target, resolve};
use super::checklist_bind::{check_ids, line_of};
use super::classify::{default_phase_level, is_criteria_title, is_shell};
use super::fingerprint;
use super::map::{Bindings, map};
use super::parse::Guide;
use super::sidecar::{Binding, KINDS, Sidecar};
use crate::runbook::check::did_you_mean;
use crate::runbook::diagnostic::{Diagnostic, line_col};
use crate::runbook::raw::{RawMeta, RawRollback, RawRollbackStep, RawRunbook};

pub struct Merged {
    pub raw: RawRunbook,
    /// Anchor errors, `todo`s left, and notices of a guide that changed.
    pub diags: Vec<Diagnostic>,
    /// Anchored commands and thresholds whose text changed since the sidecar was reviewed: a
    /// live run stops and asks.
    pub changed: Vec<String>,
}

/// Where a binding points, once anchors and fingerprints have had their say.
fn bind(
    guide: &Guide,
    guide_text: &str,
    guide_path: &str,
    b: &Binding,
    diags: &mut Vec<Diagnostic>,
    changed: &mut Vec<String>,
) -> Option<Target> {
    let at = &b.at;
    let resolved = resolve(guide, at.get_ref());
    let Some(saved) = b.fingerprint.as_ref() else {
        return match resolved {
            Ok(t) => Some(t),
            Err(e) => {
                diags.push(anchor_error(&e, at, guide_text, guide_path));
                None
            }
        };
    };
    if let Ok(t) = &resolved
        && fingerprint::of(guide, *t) == *saved.get_ref()
    {
        return Some(*t);
    }
    // The anchor no longer points at the text it was bound to: has that text moved?
    let elsewhere = fingerprint::find(guide, saved.get_ref());
    if let [moved] = elsewhere.as_slice() {
        let now = match moved {
            Target::Item(i) => anchor::anchor_of_item(guide, *i),
            Target::Section(s) => anchor::anchor_of_section(guide, *s),
        };
        let (line, col) = line_col(guide_text, span_of(guide, *moved).start);
        diags.push(Diagnostic::warning(
            at.span(),
            format!(
                "the guide item anchored at `{}` moved to {guide_path}:{line}:{col}; bound there",
                at.get_ref()
            ),
            format!("update the anchor: at = \"{now}\""),
        ));
        return Some(*moved);
    }
    match resolved {
        Ok(t) => {
            let now = fingerprint::of(guide, t);
            let (line, col) = line_col(guide_text, span_of(guide, t).start);
            let weighty = b.gate.is_some()
                || b.run.is_some()
                || b.traffic.is_some()
                || matches!(t, Target::Item(i) if is_shell(&guide.items[i]))
                || matches!(t, Target::Section(s) if guide.sections[s].path.last().is_some_and(|k| is_criteria_title(k)));
            if weighty {
                changed.push(format!("{guide_path}:{line}:{col} `{}`", at.get_ref()));
            }
            diags.push(Diagnostic::warning(
                saved.span(),
                format!("the guide's text at `{}` ({guide_path}:{line}:{col}) changed since this sidecar was reviewed", at.get_ref()),
                format!("read the guide there; if this binding still holds, set fingerprint = \"{now}\" (`flightdeck import --refresh` sets them all)"),
            ));
            Some(t)
        }
        Err(_) => {
            diags.push(Diagnostic::error(
                at.span(),
                format!("the guide item anchored at `{}` is gone (no item has its text any more)", at.get_ref()),
                "remove this [[item]], or anchor it at what replaced it (`flightdeck import` lists every item)",
            ));
            None
        }
    }
}

fn span_of(guide: &Guide, t: Target) -> std::ops::Range<usize> {
    match t {
        Target::Item(i) => guide.items[i].span.clone(),
        Target::Section(s) => guide.sections[s].span.clone(),
    }
}

fn anchor_error(
    e: &anchor::AnchorError,
    at: &Spanned<String>,
    guide_text: &str,
    guide_path: &str,
) -> Diagnostic {
    let listed: Vec<String> = e
        .candidates
        .iter()
        .take(12)
        .map(|c| {
            let (line, col) = line_col(guide_text, c.span.start);
            format!("{guide_path}:{line}:{col} `{}`", c.label)
        })
        .collect();
    let fix = if listed.is_empty() {
        "anchor a heading path as the guide writes it, then `#N` or the start of the item's text (`flightdeck import` lists every anchor)".to_string()
    } else {
        format!("anchor one of: {}", listed.join("; "))
    };
    Diagnostic::error(at.span(), e.message.clone(), fix)
}

fn check_binding(b: &Binding, diags: &mut Vec<Diagnostic>) {
    if let Some(d) = &b.decision
        && d.get_ref().trim() == "todo"
    {
        diags.push(Diagnostic::error(
                d.span(),
                format!("`{}` still needs a person's decision", b.at.get_ref()),
                "decide what this item is (kind, gate, run, skip ...), then remove decision = \"todo\" or write what was decided",
            ));
    }
    if let Some(k) = &b.kind
        && !KINDS.contains(&k.get_ref().as_str())
    {
        let near = did_you_mean(k.get_ref(), KINDS.iter().copied())
            .map_or(String::new(), |n| format!("did you mean `{n}`? "));
        diags.push(Diagnostic::error(
            k.span(),
            format!("unknown item kind `{}`", k.get_ref()),
            format!("{near}kinds: {}", KINDS.join(", ")),
        ));
    }
}

/// A binding's `rollback_of`: the phase heading it names, when it sits on a rollback section.
fn rollback_phase(
    guide: &Guide,
    guide_text: &str,
    guide_path: &str,
    b: &Binding,
    target: Option<Target>,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let phase = b.rollback_of.as_ref()?;
    let on_rollback = matches!(target, Some(Target::Section(s))
        if super::classify::outermost(guide, s, super::classify::is_rollback_title).is_some());
    if !on_rollback {
        diags.push(Diagnostic::error(
            phase.span(),
            format!("`{}` is not a rollback section", b.at.get_ref()),
            "rollback_of goes on a heading titled like \"Rollback …\" (or one under it)",
        ));
        return None;
    }
    match resolve(guide, phase.get_ref()) {
        Ok(Target::Section(p)) => Some(p),
        Ok(Target::Item(_)) => {
            diags.push(Diagnostic::error(
                phase.span(),
                format!(
                    "rollback_of `{}` names an item, not a phase",
                    phase.get_ref()
                ),
                "name the phase's heading path",
            ));
            None
        }
        Err(e) => {
            diags.push(anchor_error(&e, phase, guide_text, guide_path));
            None
        }
    }
}

/// Merges a parsed guide and its sidecar (if any) into a raw runbook.
pub fn merge(
    guide: &Guide,
    guide_text: &str,
    guide_path: &str,
    sidecar: Option<Sidecar>,
) -> Merged {
    let sidecar = sidecar.unwrap_or_default();
    let mut diags = Vec::new();
    let mut changed = Vec::new();
    let mut bindings = Bindings::default();
    let mut with_ids = Vec::new();
    for b in &sidecar.items {
        let b = b.get_ref();
        check_binding(b, &mut diags);
        let target = bind(guide, guide_text, guide_path, b, &mut diags, &mut changed);
        if let Some(line) = &b.line {
            if let Some(l) = line_of(guide, target, line, &mut diags) {
                bindings.lines.insert(l, b);
            }
            continue;
        }
        if let Some(t) = target.filter(|_| !b.ids.is_empty()) {
            with_ids.push((t, b));
        }
        match target {
            Some(Target::Item(i)) => {
                bindings.items.insert(i, b);
            }
            Some(Target::Section(s)) => {
                bindings.sections.insert(s, b);
            }
            None => {}
        }
        if let Some(phase) = rollback_phase(guide, guide_text, guide_path, b, target, &mut diags)
            && let Some(Target::Section(s)) = target
        {
            bindings.rollback_of.insert(s, phase);
        }
    }
    for (t, b) in with_ids {
        let texts = match t {
            Target::Item(i) => bindings
                .lines
                .iter()
                .filter(|((item, _), lb)| {
                    *item == i && matches!(super::map::kind_of(Some(lb)), Some("text" | "skip"))
                })
                .count(),
            Target::Section(_) => 0,
        };
        check_ids(guide, t, b, texts, &mut diags);
    }
    let level = sidecar
        .guide
        .as_ref()
        .and_then(|g| g.get_ref().phase_level.as_ref())
        .and_then(|l| u8::try_from(*l.get_ref()).ok())
        .filter(|l| (1..=6).contains(l))
        .unwrap_or_else(|| default_phase_level(guide));
    let mapped = map(guide, &bindings, level);
    drop(bindings);
    if let Some(hash) = sidecar
        .guide
        .as_ref()
        .and_then(|g| g.get_ref().hash.as_ref())
        && *hash.get_ref() != fingerprint::guide_hash(guide_text)
        && changed.is_empty()
        && diags.is_empty()
    {
        diags.push(Diagnostic::warning(
                sidecar.guide.as_ref().map_or(0..0, Spanned::span),
                "the guide changed since this sidecar was reviewed; every anchored item still has its text",
                format!("to mark it reviewed, set [guide] hash = \"{}\" (or run `flightdeck import --refresh`)", fingerprint::guide_hash(guide_text)),
            ));
    }

    let (title, title_span) = mapped
        .title
        .clone()
        .unwrap_or_else(|| ("Guide".into(), 0..0));
    let meta = sidecar.runbook.as_ref().map(|m| m.get_ref());
    let runbook = RawMeta {
        name: meta
            .and_then(|m| m.name.clone())
            .unwrap_or_else(|| Spanned::new(title_span.clone(), title)),
        description: meta.and_then(|m| m.description.clone()).or_else(|| {
            let p = guide.sections.iter().find(|s| s.level > 0)?.prose.first()?;
            Some(p.clone())
        }),
        start: meta.and_then(|m| m.start.clone()),
        owner: meta.and_then(|m| m.owner.clone()),
        region: meta.and_then(|m| m.region.clone()),
        profile: meta.and_then(|m| m.profile.clone()),
        secrets: meta.map(|m| m.secrets.clone()).unwrap_or_default(),
    };
    let rollback = rollback(&mapped, &sidecar, &mut diags);
    let raw = RawRunbook {
        runbook: Some(Spanned::new(title_span, runbook)),
        vars: sidecar.vars,
        sources: sidecar.sources,
        traffic: sidecar.traffic,
        notify: sidecar.notify,
        phases: mapped.phases,
        rollback: Some(rollback),
    };
    Merged {
        raw,
        diags,
        changed,
    }
}

/// The guide's emergency rollback, then the sidecar's steps. A guide with only per-phase
/// rollbacks gets them, latest phase first; one with none gets a step saying so.
fn rollback(
    mapped: &super::map::Mapped,
    sidecar: &Sidecar,
    diags: &mut Vec<Diagnostic>,
) -> Spanned<RawRollback> {
    let extra = sidecar.rollback.as_ref().map(|r| r.get_ref());
    let mut steps: Vec<Spanned<RawRollbackStep>> = mapped.rollback.clone();
    steps.extend(extra.map(|r| r.steps.clone()).unwrap_or_default());
    if steps.is_empty() {
        for p in mapped.phases.iter().rev() {
            steps.extend(p.get_ref().rollback.iter().cloned());
        }
    }
    if steps.is_empty() {
        diags.push(Diagnostic::warning(
            0..0,
            "the guide states no rollback",
            "add a \"Rollback\" section to the guide, or [rollback] steps to the sidecar, before the day",
        ));
        steps.push(Spanned::new(
            0..0,
            RawRollbackStep {
                title: "The guide states no rollback: decide one with the team".into(),
                description: None,
                run: None,
                traffic: None,
                timeout: None,
                ask: None,
            },
        ));
    }
    Spanned::new(
        0..0,
        RawRollback {
            confirm: extra.and_then(|r| r.confirm.clone()),
            steps,
        },
    )
}
