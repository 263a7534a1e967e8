//! `kind = "checklist"` through the whole load: a guide and its sidecar in, the runbook's steps
//! (and their ids, commands and rollback steps) out; a wrong `ids` or `line` is an error that
//! lists what would do.

use super::from_texts;
use crate::runbook::{RollbackAction, Runbook, StepKind};

const GUIDE: &str = "# Move\n\n## Prep\n\n```\nPre-Migration Steps:\n├── Data Audit\n│   ├── Export data\n│   └── Validate data\n└── Testing\n    └── Run benchmarks\n```\n\n1. **Test All Functionality**\n   - Login works\n   - Uploads work\n\n### Watch\n\n- Every 15 minutes: health checks\n- Daily: integrity check\n\n### Rollback Procedure\n\n```bash\n# Switch back\nswitch --to blue\n# Scale down green\nscale green 0\n```\n";

const SIDECAR: &str = r##"
[[item]]
at = "Prep > #1"
kind = "checklist"
ids = ["audit_export", "bench"]

[[item]]
at = "Prep > #1"
line = "Validate data"
kind = "text"

[[item]]
at = "Prep > #1"
line = "#3"
run = "echo bench"

[[item]]
at = "Prep > Test All Functionality"
kind = "checklist"
ids = ["test_login", "test_uploads"]

[[item]]
at = "Prep > Watch"
kind = "checklist"

[[item]]
at = "Rollback Procedure > #1"
rollback_steps = [
  { title = "Switch back", run = "switch --to blue" },
  { title = "Scale down green", run = "scale green 0" },
]
"##;

fn load(sidecar: &str) -> Result<Runbook, String> {
    from_texts("guide.md", GUIDE, Some(("guide.flightdeck.toml", sidecar)))
        .map(|l| l.runbook)
        .map_err(|e| e.to_string())
}

#[test]
fn checklist_lines_and_bullets_become_steps_with_their_ids_and_bindings() {
    let rb = load(SIDECAR).unwrap();
    let steps: Vec<(&str, &str, &str)> = rb
        .steps()
        .map(|(_, s)| (s.id.as_str(), s.title.as_str(), s.kind.name()))
        .collect();
    assert_eq!(
        steps,
        [
            ("audit_export", "Data Audit: Export data", "manual"),
            ("bench", "Testing: Run benchmarks", "command"),
            (
                "test_login",
                "Test All Functionality: Login works",
                "manual"
            ),
            (
                "test_uploads",
                "Test All Functionality: Uploads work",
                "manual"
            ),
            (
                "every-15-minutes-health-checks",
                "Every 15 minutes: health checks",
                "manual"
            ),
            ("daily-integrity-check", "Daily: integrity check", "manual"),
        ]
    );
    match &rb.step("bench").unwrap().kind {
        StepKind::Command { run, .. } => assert_eq!(run, "echo bench"),
        other => panic!("{other:?}"),
    }
    let rollback: Vec<(&str, bool)> = rb.phases[0]
        .rollback
        .iter()
        .map(|r| {
            (
                r.title.as_str(),
                matches!(r.action, RollbackAction::Run { .. }),
            )
        })
        .collect();
    assert_eq!(
        rollback,
        [("Switch back", true), ("Scale down green", true)]
    );
}

#[test]
fn without_a_checklist_binding_the_fence_and_bullets_are_text() {
    let rb = load("").unwrap();
    let titles: Vec<&str> = rb.steps().map(|(_, s)| s.title.as_str()).collect();
    assert_eq!(titles, ["Test All Functionality"]);
}

#[test]
fn ids_that_do_not_match_the_steps_and_lines_that_match_nothing_are_errors() {
    let wrong = SIDECAR.replace(
        "ids = [\"audit_export\", \"bench\"]",
        "ids = [\"only_one\"]",
    );
    let err = load(&wrong).unwrap_err();
    assert!(
        err.contains("this checklist makes 2 steps and `ids` names 1"),
        "{err}"
    );
    let wrong = SIDECAR.replace("line = \"#3\"", "line = \"Nothing like it\"");
    let err = load(&wrong).unwrap_err();
    assert!(
        err.contains("no single line of this fence starts with `Nothing like it`"),
        "{err}"
    );
    assert!(err.contains("Data Audit: Validate data"), "{err}");
}
