//! Fingerprints: a short hash of what an anchor points at, so a sidecar notices when the guide
//! changed under it. Whitespace and decoration do not count; words, numbers and commands do.

use sha2::{Digest, Sha256};

use super::anchor::Target;
use super::parse::Guide;
use super::text::clean;

fn short(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

/// An item's text (a fence's whole body), or a heading with every item under it.
pub fn of(guide: &Guide, target: Target) -> String {
    match target {
        Target::Item(i) => short(&clean(&guide.items[i].text)),
        Target::Section(s) => {
            let mut text = clean(&guide.sections[s].title);
            for sub in guide.subtree(s) {
                for (_, item) in guide.items_of(sub) {
                    text.push('\n');
                    text.push_str(&clean(&item.text));
                }
            }
            short(&text)
        }
    }
}

/// Every target with this fingerprint.
pub fn find(guide: &Guide, fingerprint: &str) -> Vec<Target> {
    let items = (0..guide.items.len()).map(Target::Item);
    let sections = (1..guide.sections.len()).map(Target::Section);
    items
        .chain(sections)
        .filter(|t| of(guide, *t) == fingerprint)
        .collect()
}

/// SHA-256 of the guide's bytes.
pub fn guide_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}
