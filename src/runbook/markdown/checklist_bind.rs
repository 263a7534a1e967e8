//! Sidecar bindings about a checklist: a `line` binding names one line of a checklist fence,
//! and a checklist's `ids` must name each step it makes. Pure.

use toml::Spanned;

use super::anchor::Target;
use super::checklist;
use super::parse::{Guide, ItemKind};
use super::sidecar::Binding;
use crate::runbook::diagnostic::Diagnostic;

/// The (item, line) a `line` binding names in its checklist fence.
pub fn line_of(
    guide: &Guide,
    target: Option<Target>,
    line: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(usize, usize)> {
    let item = match target? {
        Target::Item(i) if matches!(guide.items[i].kind, ItemKind::Fence { .. }) => i,
        _ => {
            diags.push(Diagnostic::error(
                line.span(),
                "`line` names a line of a fence, and this anchor is no fence",
                "anchor the fence whose lines are a checklist (kind = \"checklist\"), or bind the item itself without `line`",
            ));
            return None;
        }
    };
    match checklist::find_line(
        &checklist::fence_lines(&guide.items[item].text),
        line.get_ref(),
    ) {
        Ok(n) => Some((item, n)),
        Err(lines) => {
            diags.push(Diagnostic::error(
                line.span(),
                format!(
                    "no single line of this fence starts with `{}`",
                    line.get_ref()
                ),
                format!(
                    "name one of its lines by `#N` or its start: {}",
                    lines.join("; ")
                ),
            ));
            None
        }
    }
}

/// A checklist's `ids` name each step it makes, no more and no fewer.
pub fn check_ids(
    guide: &Guide,
    target: Target,
    b: &Binding,
    texts: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(first) = b.ids.first() else {
        return;
    };
    if b.kind.as_ref().map(|k| k.get_ref().as_str()) != Some("checklist") {
        diags.push(Diagnostic::error(
            first.span(),
            "`ids` names the steps of a checklist, and this item is no checklist",
            "add kind = \"checklist\", or give the item one `id`",
        ));
        return;
    }
    let made = checklist::count(guide, target).saturating_sub(texts);
    if b.ids.len() != made {
        diags.push(Diagnostic::error(
            first.span(),
            format!(
                "this checklist makes {made} steps and `ids` names {}",
                b.ids.len()
            ),
            format!("give exactly {made} ids, in the order of the checklist's lines"),
        ));
    }
}
