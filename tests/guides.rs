//! The five seed guides, copied unmodified into `runbooks/guides/`, load with their sidecars
//! and walk with the same sources, traffic plan, gates and rollback as the TOML runbooks of
//! the same guides. Every difference between the two models, step by step, is listed in
//! `docs/seed-coverage.md` (between `<!-- diff:NAME -->` markers); `FLIGHTDECK_BLESS=1`
//! rewrites those lists after a deliberate change.

use std::path::{Path, PathBuf};

use flightdeck::runbook::{self, RollbackAction, Runbook, Step, StepKind};

const GUIDES: &[(&str, &str)] = &[
    ("000_11bdc291c6b711ed.txt", "django-gcp-to-aws"),
    ("001_ef29f3eba3663343.txt", "app-ef-beta-to-v1-and-storage"),
    ("002_91d65134d7009430.txt", "django-to-cloudflare-workers"),
    (
        "003_b3816e73f2a43865.txt",
        "pyairtable-to-aws-microservices",
    ),
    (
        "004_aa9f06cb6ea79e6f.txt",
        "cloudshelf-dynamodb-to-postgres",
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &Path) -> Runbook {
    match runbook::load(path) {
        Ok(l) => l.runbook,
        Err(e) => panic!("{} does not load:\n{e}", path.display()),
    }
}

fn words(s: &str) -> String {
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

/// How alike two steps are: their titles, or their commands.
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

/// Every difference between the TOML runbook's model and the guide's, one line each.
fn differences(toml: &Runbook, guide: &Runbook) -> Vec<String> {
    let mut out = Vec::new();
    let ours: Vec<&Step> = guide.steps().map(|(_, s)| s).collect();
    let mut used = vec![false; ours.len()];
    // A step the sidecar gave the TOML runbook's id is that step; the rest pair by likeness.
    for (_, t) in toml.steps() {
        if let Some(i) = ours.iter().position(|g| g.id == t.id) {
            used[i] = true;
        }
    }
    for (_, t) in toml.steps() {
        let same_id = ours.iter().position(|g| g.id == t.id);
        let best = same_id.map(|i| (1.0, i)).or_else(|| {
            ours.iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, g)| (likeness(t, g), i))
                .max_by(|a, b| a.0.total_cmp(&b.0))
        });
        match best {
            Some((score, i)) if score >= 0.6 => {
                used[i] = true;
                let g = ours[i];
                if t.kind.name() != g.kind.name() {
                    out.push(format!(
                        "step `{}`: {} in the TOML runbook, {} from the guide",
                        t.id,
                        t.kind.name(),
                        g.kind.name()
                    ));
                } else if criteria(t) != criteria(g) {
                    out.push(format!("gate `{}`: other criteria from the guide", t.id));
                }
            }
            _ => out.push(format!(
                "step `{}` ({}): added by the TOML runbook",
                t.id,
                t.kind.name()
            )),
        }
    }
    for (i, g) in ours.iter().enumerate() {
        if !used[i] {
            out.push(format!(
                "guide step \"{}\" ({}): not in the TOML runbook",
                g.title,
                g.kind.name()
            ));
        }
    }
    let shown = |a: &RollbackAction| match a {
        RollbackAction::Run { command, .. } => words(command),
        RollbackAction::Traffic { green } => format!("traffic {green}"),
        RollbackAction::Manual => String::new(),
    };
    for t in &toml.rollback.steps {
        let found = guide.rollback.steps.iter().any(|g| {
            strsim::sorensen_dice(&words(&t.title), &words(&g.title)) >= 0.6
                || (!shown(&t.action).is_empty() && shown(&t.action) == shown(&g.action))
        });
        if !found {
            out.push(format!(
                "rollback step \"{}\": added by the TOML runbook",
                t.title
            ));
        }
    }
    out
}

fn block(doc: &str, name: &str) -> Option<(usize, usize)> {
    let open = format!("<!-- diff:{name} -->\n");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&format!("<!-- /diff:{name} -->"))?;
    Some((start, end))
}

#[test]
fn seed_guides_are_unmodified_and_walk_like_their_toml_runbooks() {
    let seeds = root().join("../shared/seeds");
    let doc_path = root().join("docs/seed-coverage.md");
    let mut doc = std::fs::read_to_string(&doc_path).unwrap();
    let bless = std::env::var_os("FLIGHTDECK_BLESS").is_some();
    let mut stale = Vec::new();
    for (seed, name) in GUIDES {
        let guide_path = root().join(format!("runbooks/guides/{name}.md"));
        let seed_path = seeds.join(seed);
        if seed_path.exists() {
            assert_eq!(
                std::fs::read(&guide_path).unwrap(),
                std::fs::read(&seed_path).unwrap(),
                "{name}.md differs from its seed {seed}: guides are copied byte for byte"
            );
        }
        let toml = load(&root().join(format!("runbooks/{name}.toml")));
        let guide = load(&guide_path);
        assert_eq!(json(&toml.sources), json(&guide.sources), "{name}: sources");
        assert_eq!(json(&toml.traffic), json(&guide.traffic), "{name}: traffic");
        assert_eq!(
            toml.rollback.confirm, guide.rollback.confirm,
            "{name}: confirm word"
        );
        let listed: String = differences(&toml, &guide)
            .iter()
            .map(|d| format!("- {d}\n"))
            .collect();
        let Some((start, end)) = block(&doc, name) else {
            panic!("docs/seed-coverage.md has no <!-- diff:{name} --> block");
        };
        if doc[start..end] != listed {
            if bless {
                doc.replace_range(start..end, &listed);
            } else {
                stale.push(format!(
                    "{name}: the differences are now\n{listed}\n(docs/seed-coverage.md lists\n{})",
                    &doc[start..end]
                ));
            }
        }
    }
    if bless {
        std::fs::write(&doc_path, doc).unwrap();
    }
    assert!(
        stale.is_empty(),
        "differences not named in docs/seed-coverage.md (FLIGHTDECK_BLESS=1 rewrites them after review):\n{}",
        stale.join("\n")
    );
}
