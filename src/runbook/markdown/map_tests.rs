//! `map` as data: a small guide in, raw phases, steps and rollback out.

use super::map::{Bindings, map};
use super::parse::parse;

const GUIDE: &str = "# Move\n\n## Prep (T-2 hours)\n\n- [ ] Backup taken\n- plain note\n\n1. **Check**\n   ```bash\n   curl -fsS http://x/health\n   ```\n\n```python\nprint(1)\n```\n\n### Rollback Procedure\n\n```bash\necho undo-prep\n```\n\n## Cutover\n\n- [ ] **T+15**: Switch\n\n### Go/No-Go Criteria\n\n#### Go Criteria\n\n- [ ] Team ready\n\n#### No-Go Criteria\n\n- [ ] Open incidents\n\n## Rollback Strategy\n\n1. Switch back\n\n```sh\necho rolled-back\n```\n";

#[test]
fn phases_steps_gates_and_rollbacks() {
    let g = parse(GUIDE);
    let m = map(&g, &Bindings::default(), 2);
    let phases: Vec<&str> = m
        .phases
        .iter()
        .map(|p| p.get_ref().title.as_str())
        .collect();
    assert_eq!(phases, ["Prep (T-2 hours)", "Cutover"]);
    let prep = m.phases[0].get_ref();
    let steps: Vec<(&str, bool, Option<&str>)> = prep
        .steps
        .iter()
        .map(|s| {
            let s = s.get_ref();
            (
                s.title.as_str(),
                s.run.is_some(),
                s.at.as_ref().map(|a| a.get_ref().as_str()),
            )
        })
        .collect();
    // The plain bullet and the python fence are text; the numbered item is carried by its fence.
    assert_eq!(
        steps,
        [
            ("Backup taken", false, Some("T-2h")),
            ("Check", true, Some("T-2h"))
        ]
    );
    assert_eq!(prep.rollback.len(), 1);
    assert_eq!(
        prep.rollback[0].get_ref().run.as_ref().unwrap().get_ref(),
        "echo undo-prep"
    );
    let cut = m.phases[1].get_ref();
    assert_eq!(
        cut.steps[0].get_ref().at.as_ref().unwrap().get_ref(),
        "T+15m"
    );
    let gate = cut.steps[1].get_ref();
    assert_eq!(gate.title, "Go/No-Go Criteria");
    assert!(gate.gate.is_some());
    assert_eq!(gate.signoff, ["Team ready", "Open incidents"]);
    let emergency: Vec<&str> = m
        .rollback
        .iter()
        .map(|r| r.get_ref().title.as_str())
        .collect();
    assert_eq!(emergency, ["Switch back", "echo rolled-back"]);
    assert_eq!(m.title.unwrap().0, "Move");
}
