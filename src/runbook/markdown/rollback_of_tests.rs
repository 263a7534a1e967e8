//! `rollback_of` through the whole load: a long rollback listed beside the emergency one is
//! bound to the phase it undoes; a binding that is not on a rollback heading, or names no
//! heading, is an error.

use super::from_texts;
use crate::runbook::Runbook;

const GUIDE: &str = "# Move\n\n## Prep\n\n- [ ] Backup taken\n\n## Cutover\n\n- [ ] Switch\n\n## Rollback Strategy\n\n### Quick Rollback\n\n1. Switch back\n\n### Full Rollback\n\n1. Restore the database\n2. Scale the old side up\n";

fn load(sidecar: &str) -> Result<Runbook, String> {
    from_texts("guide.md", GUIDE, Some(("guide.flightdeck.toml", sidecar)))
        .map(|l| l.runbook)
        .map_err(|e| e.to_string())
}

fn titles<'a>(steps: impl Iterator<Item = &'a crate::runbook::RollbackStep>) -> Vec<&'a str> {
    steps.map(|r| r.title.as_str()).collect()
}

#[test]
fn without_a_binding_both_rollbacks_are_the_emergency_plan() {
    let rb = load("").unwrap();
    assert_eq!(
        titles(rb.rollback.steps.iter()),
        [
            "Switch back",
            "Restore the database",
            "Scale the old side up"
        ]
    );
    assert!(rb.phases.iter().all(|p| p.rollback.is_empty()));
}

#[test]
fn a_bound_long_rollback_undoes_its_phase_and_leaves_the_quick_one_the_emergency_plan() {
    let rb =
        load("[[item]]\nat = \"Rollback Strategy > Full Rollback\"\nrollback_of = \"Cutover\"\n")
            .unwrap();
    assert_eq!(titles(rb.rollback.steps.iter()), ["Switch back"]);
    let cutover = rb.phases.iter().find(|p| p.title == "Cutover").unwrap();
    assert_eq!(
        titles(cutover.rollback.iter()),
        ["Restore the database", "Scale the old side up"]
    );
}

#[test]
fn rollback_of_off_a_rollback_heading_or_to_no_heading_is_an_error() {
    let err = load("[[item]]\nat = \"Prep\"\nrollback_of = \"Cutover\"\n").unwrap_err();
    assert!(err.contains("`Prep` is not a rollback section"), "{err}");
    let err =
        load("[[item]]\nat = \"Full Rollback\"\nrollback_of = \"Nowhere at all\"\n").unwrap_err();
    assert!(err.contains("Nowhere at all"), "{err}");
}
