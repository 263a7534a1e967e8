//! The parser as data: sections, items, spans, front matter.
use super::*;

const GUIDE: &str = "# Title\n\nIntro.\n\n## 🚀 **Phase 1** (T-2h)\n\n- [ ] Check **all** the things\n- [x] Done one\n\n1. First\n   ```bash\n   echo hi\n   ```\n2. Second\n\nRun this:\n\n```sh\nls -l\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n### Rollback\n\n- plain bullet\n";

#[test]
fn sections_and_items_with_spans() {
    let g = parse(GUIDE);
    let titles: Vec<&str> = g.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["", "Title", "Phase 1 (T-2h)", "Rollback"]);
    assert_eq!(g.sections[3].path, ["title", "phase 1 (t-2h)", "rollback"]);
    let items: Vec<(usize, usize, &ItemKind, &str)> = g
        .items
        .iter()
        .map(|i| (i.section, i.ordinal, &i.kind, i.text.as_str()))
        .collect();
    let bash = ItemKind::Fence {
        lang: "bash".into(),
    };
    let sh = ItemKind::Fence { lang: "sh".into() };
    assert_eq!(
        items,
        [
            (2, 1, &ItemKind::Task, "Check all the things"),
            (2, 2, &ItemKind::Task, "Done one"),
            (2, 3, &ItemKind::Numbered, "First"),
            (2, 4, &bash, "echo hi\n"),
            (2, 5, &ItemKind::Numbered, "Second"),
            (2, 6, &sh, "ls -l\n"),
            (2, 7, &ItemKind::Table, "a | b\n1 | 2"),
            (3, 1, &ItemKind::Bullet, "plain bullet"),
        ]
    );
    assert!(g.items[2].holds_fence);
    assert_eq!(g.items[3].lead.as_deref(), Some("First"));
    assert_eq!(g.items[5].lead.as_deref(), Some("Run this:"));
    assert!(GUIDE[g.items[0].span.clone()].starts_with("- [ ] Check"));
    assert!(GUIDE[g.items[5].span.clone()].starts_with("```sh"));
}

#[test]
fn front_matter_is_skipped_but_rules_are_not_front_matter() {
    let text = "---\ntitle: x\n---\n# A\n- [ ] one\n";
    let g = parse(text);
    assert_eq!(g.sections[1].title, "A");
    assert_eq!(g.items.len(), 1);
    assert_eq!(
        front_matter_end("---\n# Not yaml here\nSome prose.\n---\n"),
        0
    );
}
