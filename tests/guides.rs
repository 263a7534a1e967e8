//! The five seed guides, copied unmodified into `runbooks/guides/`, load with their sidecars
//! and walk with the same sources, traffic plan, gates and rollback as the TOML runbooks of
//! the same guides. The two models are compared step by step and rollback step by rollback
//! step (`support/guide_compare.rs`): a guide step the TOML runbook lacks, or one whose kind,
//! criteria or shift differ, fails the test; every step the TOML runbook adds must be named
//! (by its `key`) in `docs/seed-coverage.md` between `<!-- diff:NAME -->` markers, grouped by why.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use flightdeck::runbook::{self, Runbook};

#[path = "support/guide_compare.rs"]
mod compare;

use compare::{Diff, differences};

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

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

/// The text between `<!-- TAG -->` and `<!-- /TAG -->` in the doc.
fn block<'d>(doc: &'d str, tag: &str) -> Option<&'d str> {
    let open = format!("<!-- {tag} -->\n");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&format!("<!-- /{tag} -->"))?;
    Some(&doc[start..end])
}

/// The keys a doc block names: every `backticked` word of its lines.
fn named(block: &str) -> BTreeSet<String> {
    block
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn seed_guides_are_unmodified_and_walk_like_their_toml_runbooks() {
    let seeds = root().join("../shared/seeds");
    let doc = std::fs::read_to_string(root().join("docs/seed-coverage.md")).unwrap();
    let mut failures = Vec::new();
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
        let diffs = differences(&toml, &guide);
        let added = diffs
            .iter()
            .filter(|d| matches!(d, Diff::Added { .. }))
            .count();
        println!(
            "{name}: {} differences, {added} added by the TOML runbook",
            diffs.len()
        );
        for d in &diffs {
            println!("  - {}", d.line());
        }
        let Some(listed) = block(&doc, &format!("diff:{name}")) else {
            panic!("docs/seed-coverage.md has no <!-- diff:{name} --> block");
        };
        let mut names = named(listed);
        for d in &diffs {
            match d {
                // A guide step the TOML runs elsewhere is a difference no doc can excuse: the
                // sidecar binds the section to its phase (`rollback_of`) instead.
                Diff::Mismatch(line) | Diff::Placed { line, .. } => {
                    failures.push(format!("{name}: {line}"))
                }
                Diff::Added { key, line } => {
                    if !names.remove(key) {
                        failures.push(format!(
                            "{name}: {line}, and docs/seed-coverage.md does not name `{key}`"
                        ));
                    }
                }
            }
        }
        failures.extend(names.into_iter().map(|k| {
            format!("{name}: docs/seed-coverage.md names `{k}`, which is no difference (any more)")
        }));
    }
    assert!(
        failures.is_empty(),
        "{} difference(s) the guides' sidecars or docs/seed-coverage.md do not account for:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
