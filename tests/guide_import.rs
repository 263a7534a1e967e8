//! `flightdeck import` on the seed guides and on a guide of our own with every construct: the
//! skeleton lists every heading and item, `decision = "todo"` sits exactly where a person must
//! decide, and `validate` fails while one is left; `import --toml` writes a runbook that
//! validates; an anchor that matches nothing, or several items, is an error listing the
//! candidates with `guide.md:line:col`; a guide with no sidecar walks in the cockpit as a
//! checklist and says so.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::cockpit::{Cockpit, Dirs, manifest_dir};

const OWN: &str = "tests/fixtures/guides/every-construct.md";

/// Where a person must decide, per seed guide (the note lists them too).
const SEED_TODOS: &[(&str, &[&str])] = &[
    (
        "django-gcp-to-aws",
        &[
            "Multi-Cloud Migration Guide > Migration Process > Phase 1: Configuration Migration (1-2 days) > #2",
            "Multi-Cloud Migration Guide > Migration Process > Phase 1: Configuration Migration (1-2 days) > #4",
            "Multi-Cloud Migration Guide > Migration Process > Phase 1: Configuration Migration (1-2 days) > #6",
            "Multi-Cloud Migration Guide > Migration Process > Phase 2: Infrastructure Migration (1-2 weeks) > Option A: Manual Infrastructure Setup",
            "Multi-Cloud Migration Guide > Migration Process > Phase 2: Infrastructure Migration (1-2 weeks) > Option B: Infrastructure as Code (Recommended)",
            "Multi-Cloud Migration Guide > Provider-Specific Migration Details > Migrating to AWS > #13",
            "Multi-Cloud Migration Guide > Provider-Specific Migration Details > Migrating to Azure > #13",
            "Multi-Cloud Migration Guide > Troubleshooting Common Issues > Storage Access Errors > #1",
            "Multi-Cloud Migration Guide > Troubleshooting Common Issues > Database Connection Issues > #1",
            "Multi-Cloud Migration Guide > Troubleshooting Common Issues > Authentication Provider Issues > #1",
            "Multi-Cloud Migration Guide > Future Enhancements > Planned Features",
        ],
    ),
    (
        "app-ef-beta-to-v1-and-storage",
        &[
            "app_ef Migration Guide > Version Migrations > Beta (0.1.0-beta) to v1.0.0 (Planned) > Migration Steps > #2",
            "app_ef Migration Guide > Local to Cloud Migration > Scenario: Migrating from Filesystem to AWS S3 > Migration Steps > #3",
            "app_ef Migration Guide > Local to Cloud Migration > Scenario: Migrating from Filesystem to AWS S3 > Migration Steps > #4",
            "app_ef Migration Guide > Local to Cloud Migration > Scenario: Migrating from Filesystem to AWS S3 > Migration Steps > #6",
            "app_ef Migration Guide > Storage Backend Migration > S3 to Google Cloud Storage (GCS) > #3",
            "app_ef Migration Guide > Database Migration (Future) > Expected Migration (v1.0.0+) > #3",
            "app_ef Migration Guide > Backup Before Migration > Creating Complete Backup > #1",
            "app_ef Migration Guide > Backup Before Migration > Automated Backups > #1",
            "app_ef Migration Guide > Rollback Procedures > Rolling Back a Failed Migration > #3",
            "app_ef Migration Guide > Rollback Procedures > Emergency Rollback > #2",
        ],
    ),
    (
        "django-to-cloudflare-workers",
        &[
            "Django to Cloudflare Workers Migration > Success Metrics > Performance Targets",
            "Django to Cloudflare Workers Migration > Success Metrics > Migration Success Criteria",
        ],
    ),
    (
        "pyairtable-to-aws-microservices",
        &[
            "PyAirtable Cloud Migration Runbook > Executive Summary > Key Metrics",
            "PyAirtable Cloud Migration Runbook > Phase 4: Production Deployment & Blue-Green Strategy (Week 4) > Steps > Traffic Switching Strategy > #1",
            "PyAirtable Cloud Migration Runbook > Phase 4: Production Deployment & Blue-Green Strategy (Week 4) > Disaster Recovery Testing > #1",
            "PyAirtable Cloud Migration Runbook > Troubleshooting Guide > Common Issues and Solutions > Database Connection Issues > #1",
            "PyAirtable Cloud Migration Runbook > Success Metrics > Technical Metrics",
            "PyAirtable Cloud Migration Runbook > Success Metrics > Cost Metrics",
            "PyAirtable Cloud Migration Runbook > Success Metrics > Security Metrics",
        ],
    ),
    (
        "cloudshelf-dynamodb-to-postgres",
        &[
            "CloudShelf Migration Guide > Migration Execution Plan > Go/No-Go Criteria > No-Go Criteria",
            "CloudShelf Migration Guide > Success Metrics & KPIs > Migration Success Criteria",
            "CloudShelf Migration Guide > Success Metrics & KPIs > Migration Success Criteria > #1",
        ],
    ),
];

const OWN_TODOS: &[&str] = &[
    "Shop Migration Guide > Preparation (T-2 hours) > #6",
    "Shop Migration Guide > Preparation (T-2 hours) > #7",
    "Shop Migration Guide > Preparation (T-2 hours) > #8",
    "Shop Migration Guide > Preparation (T-2 hours) > #9",
    "Shop Migration Guide > Preparation (T-2 hours) > #10",
    "Shop Migration Guide > Preparation (T-2 hours) > #12",
    "Shop Migration Guide > Preparation (T-2 hours) > Option A: Manual setup",
    "Shop Migration Guide > Preparation (T-2 hours) > Option B: Terraform",
    "Shop Migration Guide > Cutover > Go/No-Go Criteria",
    "Shop Migration Guide > Cutover > Go/No-Go Criteria > No-Go Criteria",
    "Shop Migration Guide > Success Metrics > Migration Success Criteria",
    "Shop Migration Guide > Future Enhancements > Planned Features",
];

fn flightdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn skeleton(guide: &Path) -> String {
    let out = flightdeck(&["import", "--out", "-", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn todos(skeleton: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = None;
    for line in skeleton.lines() {
        if let Some(rest) = line.strip_prefix("at = ") {
            at = Some(rest.trim_matches('"').to_string());
        }
        if line.starts_with("decision = \"todo\"") {
            out.extend(at.take());
        }
    }
    out
}

#[test]
fn import_marks_exactly_the_places_that_need_a_person() {
    let own = manifest_dir().join(OWN);
    let sk = skeleton(&own);
    assert_eq!(todos(&sk), OWN_TODOS);
    // Every item the parser found is listed with its mapping.
    let guide =
        flightdeck::runbook::markdown::parse::parse(&std::fs::read_to_string(&own).unwrap());
    let listed = sk.lines().filter(|l| l.starts_with("#   #")).count();
    assert_eq!(listed, guide.items.len());
    let headings = sk.lines().filter(|l| l.starts_with("# #")).count();
    assert_eq!(headings, guide.sections.len() - 1);
    for wanted in [
        "→ a command step",
        "→ text (not a shell fence)",
        "→ carried by the fence in it",
        "→ a sign-off",
        "→ the emergency rollback plan",
        "→ its phase's rollback",
    ] {
        assert!(sk.contains(wanted), "no `{wanted}` in\n{sk}");
    }
    for (name, expected) in SEED_TODOS {
        let sk = skeleton(&manifest_dir().join(format!("runbooks/guides/{name}.md")));
        assert_eq!(&todos(&sk), expected, "{name}");
    }
}

fn copy_guide(dir: &Path) -> PathBuf {
    let guide = dir.join("shop.md");
    std::fs::copy(manifest_dir().join(OWN), &guide).unwrap();
    guide
}

#[test]
fn a_skeleton_with_todos_left_does_not_validate_and_points_into_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let guide = copy_guide(dir.path());
    let out = flightdeck(&["import", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Once written, it is not overwritten.
    let again = flightdeck(&["import", guide.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("still needs a person's decision").count(),
        OWN_TODOS.len(),
        "{err}"
    );
    assert!(err.contains("shop.flightdeck.toml:"), "{err}");
    // Decided: every todo resolved, the guide validates.
    let side = dir.path().join("shop.flightdeck.toml");
    let decided = std::fs::read_to_string(&side)
        .unwrap()
        .replace("decision = \"todo\"", "decision = \"reviewed\"");
    std::fs::write(&side, decided).unwrap();
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn import_toml_writes_runbooks_that_validate() {
    let dir = tempfile::tempdir().unwrap();
    let mut guides = vec![manifest_dir().join(OWN)];
    for (name, _) in SEED_TODOS {
        guides.push(manifest_dir().join(format!("runbooks/guides/{name}.md")));
    }
    for guide in guides {
        let out_path = dir.path().join(format!(
            "{}.toml",
            guide.file_stem().unwrap().to_string_lossy()
        ));
        let out = flightdeck(&[
            "import",
            "--toml",
            "--out",
            out_path.to_str().unwrap(),
            guide.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let out = flightdeck(&["validate", out_path.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            guide.display(),
            text(&out.stderr)
        );
        let guide_steps = flightdeck(&["validate", guide.to_str().unwrap()]);
        // The same phases, steps and sources as the guide with its sidecar.
        let counts = |o: &Output| text(&o.stdout).split_once('(').map(|(_, c)| c.to_string());
        assert_eq!(counts(&out), counts(&guide_steps), "{}", guide.display());
    }
}

#[test]
fn anchors_that_match_nothing_or_several_list_the_candidates_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let guide = copy_guide(dir.path());
    std::fs::write(
        dir.path().join("shop.flightdeck.toml"),
        "[[item]]\nat = \"Cutover > #9\"\nkind = \"manual\"\n\n[[item]]\nat = \"Preparation (T-2 hours) > T\"\nkind = \"manual\"\n\n[[item]]\nat = \"Cutovr\"\nkind = \"skip\"\n",
    )
    .unwrap();
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("anchor `Cutover > #9` matches no item under its heading"),
        "{err}"
    );
    assert!(
        err.contains("shop.md:71:1 `Shop Migration Guide > Cutover > #1: T-0: Freeze writes`"),
        "{err}"
    );
    assert!(
        err.contains("anchor `Preparation (T-2 hours) > T` matches 3 items"),
        "{err}"
    );
    assert!(
        err.contains(
            "shop.md:13:1 `Shop Migration Guide > Preparation (T-2 hours) > #1: Team assembled"
        ),
        "{err}"
    );
    assert!(err.contains("anchor `Cutovr` matches no heading"), "{err}");
    assert!(
        err.contains("shop.md:69:1 `Shop Migration Guide > Cutover`"),
        "{err}"
    );
    // Each error points at its anchor in the sidecar, with the caret.
    assert!(
        err.contains("--> ") && err.contains("shop.flightdeck.toml:2:6"),
        "{err}"
    );
}

#[test]
fn a_guide_without_sidecar_walks_as_a_checklist_and_says_so() {
    let dirs = Dirs::new();
    let guide = copy_guide(dirs.xdg.path());
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let args = ["run", guide.to_str().unwrap(), "--rehearsal"];
    let mut cockpit = Cockpit::start(&dirs, &args, 100, 30);
    cockpit.wait_for("no sidecar");
    cockpit.wait_for("Team assembled - everyone present");
    cockpit.wait_for("a checklist only");
    cockpit.send("q");
    cockpit.quit();
}
