//! What a section or item of a guide is by itself, before any sidecar says otherwise. Pure.

use super::parse::{Guide, Item, ItemKind};

/// Languages whose fences are commands a shell runs.
pub const SHELL_LANGS: &[&str] = &["bash", "sh", "shell", "zsh", "console"];

pub fn is_shell(item: &Item) -> bool {
    matches!(&item.kind, ItemKind::Fence { lang } if SHELL_LANGS.contains(&lang.as_str()))
}

/// "Rollback Procedure", "Emergency Rollback Plan", "Rolling Back a Failed Migration".
pub fn is_rollback_title(key: &str) -> bool {
    key.contains("rollback") || key.contains("roll back") || key.contains("rolling back")
}

/// "Success Criteria", "Go/No-Go Criteria", "Go Criteria", "No-Go Criteria".
pub fn is_criteria_title(key: &str) -> bool {
    key.contains("success criteria")
        || key.contains("go/no-go")
        || key.contains("go / no-go")
        || key.contains("go-no-go")
        || (key.contains("criteria") && (key.starts_with("go") || key.starts_with("no-go")))
}

/// "No-Go Criteria": items that must be absent.
pub fn is_no_go_title(key: &str) -> bool {
    (key.starts_with("no-go") || key.starts_with("no go")) && !key.contains("go/no-go")
}

/// The heading level that makes a phase: under a single top title, the level below it.
pub fn default_phase_level(guide: &Guide) -> u8 {
    let levels: Vec<u8> = guide
        .sections
        .iter()
        .map(|s| s.level)
        .filter(|l| *l > 0)
        .collect();
    let Some(&top) = levels.iter().min() else {
        return 1;
    };
    let tops = levels.iter().filter(|l| **l == top).count();
    match levels.iter().filter(|l| **l > top).min() {
        Some(&next) if tops == 1 => next,
        _ => top,
    }
}

/// The nearest section at or above `section` (and below the phase heading's parent) whose
/// title passes `test`.
pub fn nearest(guide: &Guide, section: usize, test: impl Fn(&str) -> bool) -> Option<usize> {
    let mut at = Some(section);
    while let Some(i) = at {
        let s = &guide.sections[i];
        if s.level > 0 && s.path.last().is_some_and(|k| test(k)) {
            return Some(i);
        }
        at = s.parent;
    }
    None
}

/// The outermost section at or above `section` whose title passes `test`: "Go/No-Go Criteria"
/// over its "Go Criteria" and "No-Go Criteria", so both lists make one gate.
pub fn outermost(guide: &Guide, section: usize, test: impl Fn(&str) -> bool) -> Option<usize> {
    let mut found = None;
    let mut at = Some(section);
    while let Some(i) = at {
        let s = &guide.sections[i];
        if s.level > 0 && s.path.last().is_some_and(|k| test(k)) {
            found = Some(i);
        }
        at = s.parent;
    }
    found
}

/// The phase section a section belongs to: itself or the ancestor at `level`; `None` for text
/// above every phase heading.
pub fn phase_of(guide: &Guide, section: usize, level: u8) -> Option<usize> {
    let mut at = Some(section);
    while let Some(i) = at {
        let s = &guide.sections[i];
        if s.level == level {
            return Some(i);
        }
        if s.level < level {
            return None;
        }
        at = s.parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert!(is_rollback_title("rollback procedure (emergency)"));
        assert!(is_rollback_title("rolling back a failed migration"));
        assert!(is_criteria_title("go/no-go criteria"));
        assert!(is_criteria_title("no-go criteria"));
        assert!(is_criteria_title("migration success criteria"));
        assert!(!is_criteria_title("success metrics"));
        assert!(is_no_go_title("no-go criteria"));
        assert!(!is_no_go_title("go/no-go criteria"));
    }
}
