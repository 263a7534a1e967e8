//! Anchors: how a sidecar names a guide's heading or item without line numbers. A heading path
//! of normalized titles (a tail of the full path is enough), then optionally `#N` (the Nth item
//! of that section) or the start of an item's text. Pure.

use std::ops::Range;

use super::parse::{Guide, ItemKind};
use super::text::{first_line, heading_key, item_key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Section(usize),
    Item(usize),
}

/// Something the anchor could have meant, to list in the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub label: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorError {
    pub message: String,
    pub candidates: Vec<Candidate>,
}

/// The text an item is matched by: its text, or a fence's first line.
pub fn item_label(guide: &Guide, item: usize) -> String {
    let it = &guide.items[item];
    match &it.kind {
        ItemKind::Fence { lang } => format!("```{lang} {}", first_line(&it.text, 60)),
        ItemKind::Table => format!("table: {}", first_line(&it.text, 60)),
        _ => first_line(&it.text, 80),
    }
}

/// The anchor that names `item` by ordinal, as `import` writes it.
pub fn anchor_of_item(guide: &Guide, item: usize) -> String {
    let it = &guide.items[item];
    format!("{} > #{}", anchor_of_section(guide, it.section), it.ordinal)
}

/// The full heading path as written (decoration and numbering removed).
pub fn anchor_of_section(guide: &Guide, section: usize) -> String {
    let mut titles = Vec::new();
    let mut at = Some(section);
    while let Some(i) = at {
        let s = &guide.sections[i];
        if s.level > 0 {
            titles.push(heading_title(&s.title));
        }
        at = s.parent;
    }
    titles.reverse();
    titles.join(" > ")
}

/// A title as an anchor segment: cleaned, numbering stripped, case kept.
fn heading_title(title: &str) -> String {
    let key = heading_key(title);
    // Keep the writer's case: find the key's start in the lower-cased title.
    let lower = title.to_lowercase();
    match lower.find(&key) {
        Some(at) if title.is_char_boundary(at) && title.is_char_boundary(at + key.len()) => {
            title[at..at + key.len()].to_string()
        }
        _ => key,
    }
}

fn sections_ending_with(guide: &Guide, segments: &[String]) -> Vec<usize> {
    (1..guide.sections.len())
        .filter(|&i| guide.sections[i].path.ends_with(segments))
        .collect()
}

/// Resolves an anchor to exactly one heading or item.
pub fn resolve(guide: &Guide, anchor: &str) -> Result<Target, AnchorError> {
    let segments: Vec<String> = anchor
        .split(" > ")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect();
    if segments.is_empty() {
        return Err(AnchorError {
            message: "the anchor is empty".into(),
            candidates: Vec::new(),
        });
    }
    let keys: Vec<String> = segments.iter().map(|s| heading_key(s)).collect();
    let as_heading = sections_ending_with(guide, &keys);
    let last = segments.last().map_or("", String::as_str);
    let selector_is_ordinal = last.starts_with('#');
    if !selector_is_ordinal && as_heading.len() == 1 {
        return Ok(Target::Section(as_heading[0]));
    }
    if !selector_is_ordinal && as_heading.len() > 1 {
        return Err(ambiguous_sections(guide, anchor, &as_heading));
    }
    if keys.len() < 2 {
        return Err(no_heading(guide, anchor, &keys));
    }
    let heads = sections_ending_with(guide, &keys[..keys.len() - 1]);
    if heads.is_empty() {
        return Err(no_heading(guide, anchor, &keys[..keys.len() - 1]));
    }
    let mut hits = Vec::new();
    for &s in &heads {
        for (i, item) in guide.items_of(s) {
            let matched = match last.strip_prefix('#') {
                Some(n) => n.trim().parse::<usize>().ok() == Some(item.ordinal),
                None => {
                    let want = item_key(last);
                    item_key(&item_label(guide, i)).starts_with(&want)
                        || item_key(&item.text).starts_with(&want)
                }
            };
            if matched {
                hits.push(i);
            }
        }
    }
    match hits.as_slice() {
        [one] => Ok(Target::Item(*one)),
        [] => Err(AnchorError {
            message: format!("anchor `{anchor}` matches no item under its heading"),
            candidates: heads
                .iter()
                .flat_map(|&s| guide.items_of(s))
                .map(|(i, item)| Candidate {
                    label: format!(
                        "{} > #{}: {}",
                        anchor_of_section(guide, item.section),
                        item.ordinal,
                        item_label(guide, i)
                    ),
                    span: item.span.clone(),
                })
                .collect(),
        }),
        many => Err(AnchorError {
            message: format!("anchor `{anchor}` matches {} items", many.len()),
            candidates: many
                .iter()
                .map(|&i| Candidate {
                    label: format!("{}: {}", anchor_of_item(guide, i), item_label(guide, i)),
                    span: guide.items[i].span.clone(),
                })
                .collect(),
        }),
    }
}

fn ambiguous_sections(guide: &Guide, anchor: &str, found: &[usize]) -> AnchorError {
    AnchorError {
        message: format!("anchor `{anchor}` matches {} headings", found.len()),
        candidates: found
            .iter()
            .map(|&s| Candidate {
                label: anchor_of_section(guide, s),
                span: guide.sections[s].span.clone(),
            })
            .collect(),
    }
}

/// No heading ends with these segments: list the headings that share the last one's words.
fn no_heading(guide: &Guide, anchor: &str, keys: &[String]) -> AnchorError {
    let last = keys.last().cloned().unwrap_or_default();
    let mut near: Vec<(f64, usize)> = (1..guide.sections.len())
        .map(|i| {
            let title = guide.sections[i].path.last().cloned().unwrap_or_default();
            (strsim::jaro_winkler(&title, &last), i)
        })
        .filter(|(score, _)| *score > 0.7)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    AnchorError {
        message: format!("anchor `{anchor}` matches no heading"),
        candidates: near
            .iter()
            .take(5)
            .map(|&(_, s)| Candidate {
                label: anchor_of_section(guide, s),
                span: guide.sections[s].span.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    const GUIDE: &str = "# G\n## 🚀 Day\n### **Pre**\n- [ ] Sync check\n- [ ] Team\n### Post\n- [ ] Sync check\n- [ ] Done\n";

    #[test]
    fn headings_ordinals_and_prefixes() {
        let g = parse(GUIDE);
        assert_eq!(resolve(&g, "Day > Pre"), Ok(Target::Section(3)));
        assert_eq!(resolve(&g, "pre"), Ok(Target::Section(3)));
        assert_eq!(resolve(&g, "G > Day > Pre > #2"), Ok(Target::Item(1)));
        assert_eq!(resolve(&g, "Post > Done"), Ok(Target::Item(3)));
        assert_eq!(anchor_of_item(&g, 3), "G > Day > Post > #2");
    }

    #[test]
    fn ambiguity_and_misses_list_candidates() {
        let g = parse(GUIDE);
        let e = resolve(&g, "Day > #1").unwrap_err();
        assert!(e.message.contains("matches no item"), "{e:?}");
        let e = resolve(&g, "Pre > #7").unwrap_err();
        assert_eq!(e.candidates.len(), 2);
        assert!(e.candidates[0].label.contains("#1: Sync check"));
        let e = resolve(&g, "Prex").unwrap_err();
        assert_eq!(e.candidates[0].label, "G > Day > Pre");
        let g2 = parse("# A\n## X\n- [ ] one\n# B\n## X\n- [ ] two\n");
        let e = resolve(&g2, "X").unwrap_err();
        assert_eq!(e.candidates.len(), 2);
        assert!(resolve(&g2, "X > one").is_ok());
    }
}
