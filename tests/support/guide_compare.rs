//! Compares a TOML runbook's model with the model of its guide (guide + sidecar), step by step
//! and rollback step by rollback step. A TOML step pairs with the guide step the sidecar gave
//! its id, else with the most alike guide step of its phase's neighbourhood (title, command or
//! criteria). What is left over on the TOML side was added by the TOML runbook; anything else
//! (a guide step the TOML lacks, a kind, criteria or shift that differs) is a mismatch.

use flightdeck::runbook::{RollbackAction, RollbackStep, Runbook, Step, StepKind};

/// One difference between the two models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diff {
    /// The TOML runbook has this and the guide does not: named in `docs/seed-coverage.md` by
    /// `key` (a step id, or `PHASE.rollback#N` / `rollback#N` for a rollback step).
    Added { key: String, line: String },
    /// A step of the guide's emergency rollback that the TOML runbook runs in a phase's
    /// rollback instead: named in the doc like an added step, by the TOML step's `key`.
    Placed { key: String, line: String },
    /// The guide says something the TOML runbook does not, or says it otherwise.
    Mismatch(String),
}

impl Diff {
    pub fn line(&self) -> &str {
        match self {
            Diff::Added { line, .. } | Diff::Placed { line, .. } | Diff::Mismatch(line) => line,
        }
    }
}

pub fn words(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

fn criteria(s: &Step) -> Option<Vec<String>> {
    match &s.kind {
        StepKind::Gate { criteria, .. } => Some(criteria.iter().map(json).collect()),
        _ => None,
    }
}

/// How alike two steps are: their titles, their commands, or their criteria.
fn likeness(a: &Step, b: &Step) -> f64 {
    let title = strsim::sorensen_dice(&words(&a.title), &words(&b.title));
    let run = match (&a.kind, &b.kind) {
        (StepKind::Command { run: x, .. }, StepKind::Command { run: y, .. }) => {
            strsim::sorensen_dice(&words(x), &words(y))
        }
        _ => 0.0,
    };
    let gate = match (criteria(a), criteria(b)) {
        (Some(x), Some(y)) if x == y && !x.is_empty() => 1.0,
        _ => 0.0,
    };
    title.max(run).max(gate)
}

/// What a paired step says that its partner does not.
fn compare(t: &Step, g: &Step, out: &mut Vec<Diff>) {
    let said = match (&t.kind, &g.kind) {
        (a, b) if a.name() != b.name() => Some(format!(
            "step `{}`: {} in the TOML runbook, {} from the guide (\"{}\")",
            t.id,
            a.name(),
            b.name(),
            g.title
        )),
        (StepKind::Gate { .. }, _) if criteria(t) != criteria(g) => Some(format!(
            "gate `{}`: criteria {:?} in the TOML runbook, {:?} from the guide",
            t.id,
            criteria(t).unwrap_or_default(),
            criteria(g).unwrap_or_default()
        )),
        (StepKind::Traffic { green: a }, StepKind::Traffic { green: b }) if a != b => {
            Some(format!(
                "shift `{}`: green {a} in the TOML runbook, {b} from the guide",
                t.id
            ))
        }
        (StepKind::Wait { duration: a }, StepKind::Wait { duration: b }) if a != b => {
            Some(format!(
                "wait `{}`: {a:?} in the TOML runbook, {b:?} from the guide",
                t.id
            ))
        }
        _ => None,
    };
    out.extend(said.map(Diff::Mismatch));
}

/// Pairs every TOML step with a guide step; returns, per TOML step, its partner's phase.
fn steps(toml: &Runbook, guide: &Runbook, out: &mut Vec<Diff>) -> Vec<(usize, Option<usize>)> {
    let ours: Vec<(usize, &Step)> = guide.steps().collect();
    let mut used = vec![false; ours.len()];
    for (_, t) in toml.steps() {
        if let Some(i) = ours.iter().position(|(_, g)| g.id == t.id) {
            used[i] = true;
        }
    }
    let mut phases = Vec::new();
    for (tp, t) in toml.steps() {
        let best = match ours.iter().position(|(_, g)| g.id == t.id) {
            Some(i) => Some((1.0, i)),
            None => ours
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, (_, g))| (likeness(t, g), i))
                .max_by(|a, b| a.0.total_cmp(&b.0)),
        };
        match best {
            Some((score, i)) if score >= 0.6 => {
                used[i] = true;
                compare(t, ours[i].1, out);
                phases.push((tp, Some(ours[i].0)));
            }
            _ => {
                out.push(Diff::Added {
                    key: t.id.clone(),
                    line: format!(
                        "`{}` ({}) \"{}\": added by the TOML runbook",
                        t.id,
                        t.kind.name(),
                        t.title
                    ),
                });
                phases.push((tp, None));
            }
        }
    }
    for (i, (_, g)) in ours.iter().enumerate() {
        if !used[i] {
            out.push(Diff::Mismatch(format!(
                "guide step `{}` \"{}\" ({}): not in the TOML runbook",
                g.id,
                g.title,
                g.kind.name()
            )));
        }
    }
    phases
}

fn action(a: &RollbackAction) -> String {
    match a {
        RollbackAction::Run { command, .. } => words(command),
        RollbackAction::Traffic { green } => format!("traffic {green}"),
        RollbackAction::Manual => String::new(),
    }
}

/// Every word of the guide's title (three or more) is in the TOML runbook's longer one.
fn title_within(t: &str, g: &str) -> bool {
    let theirs = words(g);
    let ours = words(t);
    let ours: Vec<&str> = ours.split(' ').collect();
    let theirs: Vec<&str> = theirs.split(' ').collect();
    theirs.len() >= 3 && theirs.iter().all(|w| ours.contains(w))
}

fn rollback_alike(t: &RollbackStep, g: &RollbackStep) -> bool {
    title_within(&t.title, &g.title)
        || strsim::sorensen_dice(&words(&t.title), &words(&g.title)) >= 0.6
        || (!action(&t.action).is_empty() && action(&t.action) == action(&g.action))
}

/// One rollback list against another: the TOML's extra steps are added, the guide's extra
/// steps and actions that differ are mismatches.
fn rollback<'g>(
    key: &str,
    toml: &[RollbackStep],
    guide: &'g [RollbackStep],
    out: &mut Vec<Diff>,
) -> Vec<&'g RollbackStep> {
    let mut used = vec![false; guide.len()];
    for (n, t) in toml.iter().enumerate() {
        let found = (0..guide.len())
            .filter(|&i| !used[i])
            .find(|&i| rollback_alike(t, &guide[i]));
        match found {
            Some(i) => {
                used[i] = true;
                let (a, b) = (&t.action, &guide[i].action);
                let kind = |a: &RollbackAction| match a {
                    RollbackAction::Run { .. } => "command",
                    RollbackAction::Traffic { .. } => "shift",
                    RollbackAction::Manual => "manual",
                };
                let differs = kind(a) != kind(b) || (a.is_traffic() && action(a) != action(b));
                if differs {
                    out.push(Diff::Mismatch(format!(
                        "{key}#{}: {} \"{}\" in the TOML runbook, {} from the guide",
                        n + 1,
                        kind(a),
                        t.title,
                        kind(b)
                    )));
                }
            }
            None => out.push(Diff::Added {
                key: format!("{key}#{}", n + 1),
                line: format!(
                    "`{key}#{}` \"{}\": added by the TOML runbook",
                    n + 1,
                    t.title
                ),
            }),
        }
    }
    guide
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(_, g)| g)
        .collect()
}

/// Every difference between the TOML runbook's model and the guide's.
pub fn differences(toml: &Runbook, guide: &Runbook) -> Vec<Diff> {
    let mut out = Vec::new();
    let partners = steps(toml, guide, &mut out);
    // A TOML phase is the guide phase that holds most of its paired steps.
    let best: Vec<Option<usize>> = (0..toml.phases.len())
        .map(|p| {
            let mut votes = vec![0usize; guide.phases.len()];
            for (_, g) in partners.iter().filter(|(tp, _)| *tp == p) {
                if let Some(g) = g {
                    votes[*g] += 1;
                }
            }
            (0..votes.len())
                .filter(|&g| votes[g] > 0)
                .max_by_key(|&g| (votes[g], std::cmp::Reverse(g)))
        })
        .collect();
    // A guide phase the TOML runbook splits in several is compared, for its rollback, with the
    // part whose rollback is most like it (the cutover part undoes a cutover).
    let owner = |g: usize| {
        (0..toml.phases.len())
            .filter(|&p| best[p] == Some(g))
            .max_by_key(|&p| {
                let alike = toml.phases[p]
                    .rollback
                    .iter()
                    .filter(|t| {
                        guide.phases[g]
                            .rollback
                            .iter()
                            .any(|r| rollback_alike(t, r))
                    })
                    .count();
                (alike, std::cmp::Reverse(p))
            })
    };
    let mut compared = vec![false; guide.phases.len()];
    for (p, phase) in toml.phases.iter().enumerate() {
        let theirs: &[RollbackStep] = match best[p] {
            Some(g) if owner(g) == Some(p) => {
                compared[g] = true;
                &guide.phases[g].rollback
            }
            _ => &[],
        };
        let key = format!("{}.rollback", phase.id);
        for g in rollback(&key, &phase.rollback, theirs, &mut out) {
            out.push(Diff::Mismatch(format!(
                "{key}: guide rollback step \"{}\" not in the TOML runbook",
                g.title
            )));
        }
    }
    let mut left: Vec<(String, &RollbackStep)> = Vec::new();
    for (g, phase) in guide.phases.iter().enumerate() {
        if !compared[g] && !phase.rollback.is_empty() {
            let key = format!("guide phase `{}` rollback", phase.id);
            let rest = rollback(&key, &[], &phase.rollback, &mut out);
            left.extend(rest.into_iter().map(|r| (key.clone(), r)));
        }
    }
    let rest = rollback(
        "rollback",
        &toml.rollback.steps,
        &guide.rollback.steps,
        &mut out,
    );
    for g in rest {
        // The TOML runbook may run an emergency step of the guide in a phase's rollback.
        let placed = toml.phases.iter().find_map(|p| {
            p.rollback.iter().enumerate().find_map(|(n, t)| {
                let key = format!("{}.rollback#{}", p.id, n + 1);
                let at = out
                    .iter()
                    .position(|d| matches!(d, Diff::Added { key: k, .. } if *k == key))?;
                rollback_alike(t, g).then_some((at, key))
            })
        });
        match placed {
            Some((at, key)) => {
                out[at] = Diff::Placed {
                    line: format!(
                        "`{key}`: the guide's emergency rollback step \"{}\", in a phase's rollback in the TOML runbook",
                        g.title
                    ),
                    key,
                }
            }
            None => left.push(("rollback".into(), g)),
        }
    }
    for (key, g) in left {
        out.push(Diff::Mismatch(format!(
            "{key}: guide rollback step \"{}\" not in the TOML runbook",
            g.title
        )));
    }
    out
}
