//! Markdown guides: a team's own migration guide, read as it is, with a sidecar
//! (`guide.flightdeck.toml`) for what prose cannot say. `parse` reads the guide, `anchor`
//! names its items, `map` turns it into the runbook's raw phases, `merge` adds the sidecar,
//! `fingerprint` notices a guide that changed, `import` writes a sidecar skeleton.

pub mod anchor;
pub mod checklist;
mod checklist_bind;
#[cfg(test)]
mod checklist_tests;
pub mod classify;
pub mod fingerprint;
pub mod import;
mod load;
pub mod map;
#[cfg(test)]
mod map_tests;
pub mod merge;
pub mod needs;
pub mod parse;
#[cfg(test)]
mod rollback_of_tests;
pub mod sidecar;
pub mod steps;
pub mod text;
pub mod timemark;

use std::path::{Path, PathBuf};

pub use load::{from_texts, import_skeleton, import_toml, load, refresh};

/// What a runbook loaded from a guide carries besides the model.
#[derive(Debug, Clone, Default)]
pub struct GuideInfo {
    /// The sidecar read, if there was one.
    pub sidecar: Option<PathBuf>,
    /// Shown while there is no sidecar: what one would add.
    pub banner: Option<String>,
    /// Anchored commands and thresholds whose text changed since the sidecar was reviewed
    /// (`guide.md:line:col` and the anchor): a live run stops and asks.
    pub changed: Vec<String>,
}

pub const NO_SIDECAR_BANNER: &str = "no sidecar: a checklist only (commands shown, nothing polled); a sidecar adds sources, gate thresholds, the traffic actuator (flightdeck import)";

/// A path names a guide when it ends in `.md` or `.markdown`.
pub fn is_guide(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// `guide.md` → `guide.flightdeck.toml` beside it.
pub fn sidecar_path(guide: &Path) -> PathBuf {
    guide.with_extension("flightdeck.toml")
}
