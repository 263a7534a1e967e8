//! Where a person must decide what a guide means: the places `import` marks
//! `decision = "todo"`. Pure: each rule looks at one item or section and says why.

use std::sync::OnceLock;

use regex::Regex;

use super::classify::{is_criteria_title, is_no_go_title, is_shell};
use super::parse::{Guide, Item, ItemKind};

/// A pattern compiled once, on first use (the patterns are constants, so it cannot fail).
pub(super) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// A command that stays in the foreground until stopped, or waits for a person at a prompt.
fn foreground() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?m)^\s*(nano|vi|vim|emacs|less|more|top|htop)\b|\bcrontab -e\b|\btail -f\b|^\s*watch\b|\s(-w|--watch)\b|\brunserver\b|\bnpm (run )?(dev|start)\b|\s-it\s|\bport-forward\b",
    )
}

/// `# OR` / `# Or ...` between commands: the reader picks one.
fn alternatives() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?m)^\s*#\s*(OR|Or|or)\b")
}

/// A REPL or shell session with prompts, not a script.
fn repl() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?m)^\s*(>>>|\$ |[a-z_]+=[#>]|mysql>)")
}

/// A number against a comparison or a unit: `< 200ms`, `> 80%`, `99.9%`, `30 seconds`.
pub fn threshold() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?i)([<>≤≥]=?\s*\$?\d)|(\d+(\.\d+)?\s*%)|(\d+\s*(ms|milliseconds?|seconds?)\b)",
    )
}

/// Why a person must decide what this fence or table is, and the kind `import` proposes.
pub fn fence(item: &Item) -> Option<(&'static str, &'static str)> {
    if item.kind == ItemKind::Table && threshold().is_match(&item.text) {
        return Some((
            "a table with thresholds: bind sources and gates in the sidecar, or leave it as text",
            "text",
        ));
    }
    if !is_shell(item) {
        return None;
    }
    let body = &item.text;
    let commands: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let assignments_only = commands.iter().all(|l| {
        l.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
    });
    if commands.is_empty() || assignments_only {
        return Some((
            "settings or a file's contents, not commands: kind = \"file\" (or \"text\")",
            "file",
        ));
    }
    if body.trim_start().starts_with("#!") {
        return Some((
            "a script's contents: write it as a file (kind = \"file\") or run it (kind = \"command\")",
            "file",
        ));
    }
    if repl().is_match(body) {
        return Some((
            "a REPL or prompt session, not a script: kind = \"manual\" with the steps, or \"text\"",
            "manual",
        ));
    }
    if alternatives().is_match(body) {
        return Some((
            "alternatives (`# Or ...`): split them or mark kind = \"alternative\" and choose one on the day",
            "alternative",
        ));
    }
    let compose_up = body.lines().any(|l| {
        (l.contains("docker-compose up") || l.contains("docker compose up"))
            && !l.contains(" -d")
            && !l.contains("--detach")
    });
    if compose_up || foreground().is_match(body) {
        return Some((
            "runs in the foreground until stopped, or waits at a prompt: a timeout, a detached form, or kind = \"manual\"",
            "command",
        ));
    }
    None
}

/// Why a person must decide about this section as a whole.
pub fn section(guide: &Guide, section: usize) -> Option<&'static str> {
    let s = &guide.sections[section];
    let key = s.path.last()?;
    let items: Vec<&Item> = guide.items_of(section).map(|(_, i)| i).collect();
    let listed = items.iter().any(|i| {
        matches!(
            i.kind,
            ItemKind::Task | ItemKind::Numbered | ItemKind::Bullet
        )
    });
    if is_criteria_title(key) && is_no_go_title(key) && listed {
        return Some(
            "No-Go items are conditions that must be absent: invert = true (sign-offs read `NO-GO absent: ...`)",
        );
    }
    let outermost_criteria =
        super::classify::outermost(guide, section, is_criteria_title) == Some(section);
    let measured_below = guide
        .subtree(section)
        .into_iter()
        .flat_map(|sub| guide.items_of(sub).map(|(_, i)| i))
        .any(|i| threshold().is_match(&i.text));
    if outermost_criteria && measured_below {
        return Some(
            "criteria with thresholds: bind sources ([[source]]) and write them as gate = [\"source < N\"]",
        );
    }
    let future = [
        "planned feature",
        "future",
        "roadmap",
        "contributions",
        "wish",
    ];
    let ticked = items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Task | ItemKind::Numbered));
    if future.iter().any(|f| key.contains(f)) && ticked {
        return Some("a list of plans, not a checklist: kind = \"skip\"");
    }
    if key.starts_with("option ") {
        return Some("one of several options: keep it, or kind = \"skip\" for the one not taken");
    }
    let targets = [
        "metric",
        "target",
        "threshold",
        "kpi",
        "alert",
        "monitoring thresholds",
    ];
    let measured = items.iter().any(|i| {
        matches!(i.kind, ItemKind::Bullet | ItemKind::Table) && threshold().is_match(&i.text)
    });
    if measured && targets.iter().any(|t| key.contains(t)) {
        return Some(
            "thresholds in prose or a table: bind sources and gates in the sidecar, or leave them as text",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn fence_of(body: &str) -> Option<&'static str> {
        let g = parse(&format!("# G\n## S\n```bash\n{body}```\n"));
        fence(&g.items[0]).map(|(_, k)| k)
    }

    #[test]
    fn fences_that_need_a_person() {
        assert_eq!(fence_of("CLOUD_PROVIDER=aws  # or gcp\n"), Some("file"));
        assert_eq!(fence_of("#!/bin/bash\nset -e\ncp a b\n"), Some("file"));
        assert_eq!(fence_of(">>> print(x)\n"), Some("manual"));
        assert_eq!(
            fence_of("cp a .env\n# OR\ncp b .env\n"),
            Some("alternative")
        );
        assert_eq!(fence_of("docker-compose up\n"), Some("command"));
        assert_eq!(fence_of("kubectl get pods -w\n"), Some("command"));
        assert_eq!(fence_of("docker-compose up -d\n"), None);
        assert_eq!(fence_of("aws s3 ls\ncurl -fsS http://x/health\n"), None);
    }
}
