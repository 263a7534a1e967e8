//! Step fingerprints: journals written by earlier versions compare against them on resume, so
//! their values are pinned; and a large runbook's, computed on several threads, must be the same
//! as one at a time.

use std::ops::Range;

use flightdeck::runbook;

/// A runbook of the steps numbered `steps`; step `i` reads the same in any of them.
fn runbook_with_steps(steps: Range<usize>) -> runbook::Runbook {
    let mut text = String::from("[runbook]\nname = \"fp\"\n[[phase]]\nid = \"p\"\ntitle = \"P\"\n");
    for i in steps {
        text.push_str(&format!(
            "[[phase.step]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\nowner = \"ops\"\nplanned = \"{}m\"\n",
            1 + i % 7
        ));
    }
    text.push_str("[rollback]\nsteps = [{ title = \"r\" }]\n");
    runbook::parse(&text)
        .map_err(|d| format!("{d:?}"))
        .unwrap()
        .runbook
}

#[test]
fn a_step_fingerprint_keeps_its_value() {
    let fingerprints = runbook_with_steps(0..2).step_fingerprints();
    // The first 8 bytes of the SHA-256 of the step's JSON, as every journal so far recorded.
    assert_eq!(fingerprints["s0"], "4fd8bd9ecb5791e1");
    assert_eq!(fingerprints["s1"], "ecdf348bd95ddc2e");
}

#[test]
fn many_steps_fingerprint_as_one_thread_does() {
    let many = runbook_with_steps(0..2_500).step_fingerprints();
    assert_eq!(many.len(), 2_500);
    // 1,000 steps or fewer take one thread: each half of the large runbook, alone, gives each
    // step the fingerprint the threads gave it.
    for alone in [0..1_000, 1_500..2_500] {
        for (id, fp) in runbook_with_steps(alone).step_fingerprints() {
            assert_eq!(many[&id], fp, "{id}");
        }
    }
}
