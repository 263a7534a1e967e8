//! `kind = "checklist"`: a person says that a fence's lines, or a list's bullets, are steps.
//! Guides write checklists as text fences (often drawn as a tree: `├── Export data`) or as plain
//! bullets, which by themselves are text. Here they become task items that `map` walks like
//! any `- [ ]` item. Pure.

use std::borrow::Cow;

use super::map::{Bindings, kind_of};
use super::parse::{Guide, Item, ItemKind};
use super::sidecar::Binding;
use super::text::{clean, item_key};

/// One step a checklist fence makes: its title, and the line's own text (for `line` anchors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub title: String,
    pub text: String,
}

/// Tree drawing and list markers before a line's text.
fn is_lead(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '│' | '├' | '└' | '─' | '┬' | '┃' | '┣' | '┗' | '━' | '|' | '`'
        )
}

/// A line's depth (characters of tree drawing and indent before its text) and its text, with
/// a list marker or check box (`-`, `*`, `1.`, `[ ]`, `☐`) and decoration removed.
fn entry(raw: &str) -> Option<(usize, String)> {
    let depth = raw.chars().take_while(|c| is_lead(*c)).count();
    let rest: String = raw.chars().skip(depth).collect();
    let mut text = clean(&rest);
    for marker in ["- ", "* ", "+ ", "[ ] ", "[x] ", "[X] ", "☐ ", "☑ "] {
        if let Some(t) = text.strip_prefix(marker) {
            text = t.to_string();
        }
    }
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
    if digits > 0 && (text[digits..].starts_with(". ") || text[digits..].starts_with(") ")) {
        text = text[digits + 2..].to_string();
    }
    let text = text.trim().to_string();
    (!text.is_empty()).then_some((depth, text))
}

/// The steps a checklist fence makes: each line, but a line with deeper lines under it is
/// their group (it prefixes their titles: `Data Audit: Export complete DynamoDB data`) and a
/// group ending in `:` is a caption (it prefixes nothing).
pub fn fence_lines(body: &str) -> Vec<Line> {
    let entries: Vec<(usize, String)> = body.lines().filter_map(entry).collect();
    let mut out = Vec::new();
    // Open groups: (depth, prefix or None for a caption).
    let mut groups: Vec<(usize, Option<String>)> = Vec::new();
    for (i, (depth, text)) in entries.iter().enumerate() {
        while groups.last().is_some_and(|(d, _)| *d >= *depth) {
            groups.pop();
        }
        let has_children = entries.get(i + 1).is_some_and(|(d, _)| *d > *depth);
        if has_children {
            let prefix = (!text.ends_with(':')).then(|| text.clone());
            groups.push((*depth, prefix));
            continue;
        }
        let title = match groups.last() {
            Some((_, Some(group))) => format!("{group}: {text}"),
            _ => text.trim_end_matches(':').to_string(),
        };
        out.push(Line {
            title,
            text: text.clone(),
        });
    }
    out
}

/// Which line of a checklist fence `selector` names: `#N`, or the start of the line's text or
/// title (case and decoration ignored). `Err` lists the lines when it names none or several.
pub fn find_line(lines: &[Line], selector: &str) -> Result<usize, Vec<String>> {
    let listed = || lines.iter().map(|l| l.title.clone()).collect::<Vec<_>>();
    if let Some(n) = selector.trim().strip_prefix('#') {
        return match n.trim().parse::<usize>() {
            Ok(n) if (1..=lines.len()).contains(&n) => Ok(n - 1),
            _ => Err(listed()),
        };
    }
    let key = item_key(selector);
    let hits: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            item_key(&lines[i].text).starts_with(&key)
                || item_key(&lines[i].title).starts_with(&key)
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        _ => Err(listed()),
    }
}

/// An item as `map` walks it, with its binding and, for a checklist's step, the id the
/// checklist's `ids` give it.
pub struct Walked<'g, 'b> {
    pub index: usize,
    pub item: Cow<'g, Item>,
    pub binding: Option<&'b Binding>,
    pub id: Option<toml::Spanned<String>>,
}

fn task(item: &Item, text: String) -> Item {
    Item {
        kind: ItemKind::Task,
        text,
        lead: None,
        ..item.clone()
    }
}

/// The nearest checklist binding over a list item: its own section's (or an ancestor's), or
/// a list item's that holds it.
fn list_checklist<'b>(
    guide: &Guide,
    bindings: &Bindings<'b>,
    index: usize,
) -> Option<(Option<usize>, &'b Binding)> {
    let item = &guide.items[index];
    let holder = (0..index).rev().find(|&i| {
        let it = &guide.items[i];
        it.section == item.section
            && it.span.start < item.span.start
            && it.span.end >= item.span.end
            && kind_of(bindings.items.get(&i).copied()) == Some("checklist")
    });
    if let Some(h) = holder {
        return Some((Some(h), bindings.items[&h]));
    }
    let mut at = Some(item.section);
    while let Some(s) = at {
        if let Some(b) = bindings
            .sections
            .get(&s)
            .filter(|b| kind_of(Some(b)) == Some("checklist"))
        {
            return Some((None, b));
        }
        at = guide.sections[s].parent;
    }
    None
}

/// The guide's items as `map` walks them: a checklist fence becomes one task per line, the
/// bullets of a checklist list item or section become tasks (titled `Holder: bullet` under a
/// list item, which itself is then no step).
pub fn walk<'g, 'b>(guide: &'g Guide, bindings: &Bindings<'b>) -> Vec<Walked<'g, 'b>> {
    let mut out = Vec::new();
    // How many steps each checklist made so far, for its `ids`.
    let mut made: std::collections::HashMap<*const Binding, usize> = Default::default();
    let mut next_id = |b: &'b Binding| {
        let n = made.entry(b as *const Binding).or_insert(0);
        *n += 1;
        b.ids.get(*n - 1).cloned()
    };
    for (index, item) in guide.items.iter().enumerate() {
        let binding = bindings.items.get(&index).copied();
        let is_list = matches!(
            item.kind,
            ItemKind::Task | ItemKind::Numbered | ItemKind::Bullet
        );
        if kind_of(binding) == Some("checklist") {
            if let (ItemKind::Fence { .. }, Some(b)) = (&item.kind, binding) {
                for (n, line) in fence_lines(&item.text).into_iter().enumerate() {
                    let binding = bindings.lines.get(&(index, n)).copied();
                    // A line bound as text is no step and takes no id.
                    let id = match kind_of(binding) {
                        Some("text" | "skip") => None,
                        _ => next_id(b),
                    };
                    out.push(Walked {
                        index,
                        item: Cow::Owned(task(item, line.title)),
                        binding,
                        id,
                    });
                }
            }
            // A list item that is a checklist is the heading of its bullets, no step itself.
            continue;
        }
        if let Some((holder, b)) = is_list
            .then(|| list_checklist(guide, bindings, index))
            .flatten()
        {
            let text = match holder {
                Some(h) => format!(
                    "{}: {}",
                    guide.items[h].text.trim_end_matches(':'),
                    item.text
                ),
                None => item.text.clone(),
            };
            // The checklist's next id is this bullet's even when its own binding names one.
            let listed = next_id(b);
            let id = binding.and_then(|b| b.id.clone()).or(listed);
            out.push(Walked {
                index,
                item: Cow::Owned(task(item, text)),
                binding,
                id,
            });
            continue;
        }
        out.push(Walked {
            index,
            item: Cow::Borrowed(item),
            binding,
            id: None,
        });
    }
    out
}

/// How many steps a checklist binding on `target` makes (for its `ids`), before lines bound
/// as text are taken out.
pub fn count(guide: &Guide, target: super::anchor::Target) -> usize {
    use super::anchor::Target;
    match target {
        Target::Item(i) => match &guide.items[i].kind {
            ItemKind::Fence { .. } => fence_lines(&guide.items[i].text).len(),
            _ => {
                let it = &guide.items[i];
                (i + 1..guide.items.len())
                    .filter(|&j| {
                        let o = &guide.items[j];
                        o.section == it.section
                            && o.span.end <= it.span.end
                            && matches!(
                                o.kind,
                                ItemKind::Task | ItemKind::Numbered | ItemKind::Bullet
                            )
                    })
                    .count()
            }
        },
        Target::Section(s) => {
            let sub = guide.subtree(s);
            guide
                .items
                .iter()
                .filter(|it| {
                    sub.contains(&it.section)
                        && matches!(
                            it.kind,
                            ItemKind::Task | ItemKind::Numbered | ItemKind::Bullet
                        )
                })
                .count()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_fence_makes_one_step_per_leaf_prefixed_by_its_group() {
        let body = "📊 Pre-Migration Steps:\n├── 📋 Data Audit\n│   ├── Export complete DynamoDB data\n│   └── Validate data integrity\n└── 🧪 Migration Testing\n    └── Performance benchmarks\n";
        let titles: Vec<String> = fence_lines(body).into_iter().map(|l| l.title).collect();
        assert_eq!(
            titles,
            [
                "Data Audit: Export complete DynamoDB data",
                "Data Audit: Validate data integrity",
                "Migration Testing: Performance benchmarks"
            ]
        );
    }

    #[test]
    fn a_flat_fence_under_a_caption_makes_one_step_per_line() {
        let body = "🚀 Production Switch:\n├── 🔒 Freeze Phase 1 writes\n└── 📊 Monitor all systems\n\n- [ ] 1. Tell the team\n";
        let lines = fence_lines(body);
        let titles: Vec<&str> = lines.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Freeze Phase 1 writes",
                "Monitor all systems",
                "Tell the team"
            ]
        );
        assert_eq!(find_line(&lines, "monitor ALL"), Ok(1));
        assert_eq!(find_line(&lines, "#3"), Ok(2));
        assert!(find_line(&lines, "#4").is_err());
        assert!(find_line(&lines, "nothing").unwrap_err().len() == 3);
    }
}
