//! The sidecar file (`guide.flightdeck.toml`) as serde reads it: what prose cannot say.
//! `[vars]`, `[[source]]` and `[traffic]` are the runbook format's own tables; `[[item]]`
//! binds a guide item (by anchor) to what it is.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::runbook::raw::{
    RawNotify, RawRollbackStep, RawShift, RawSource, RawStep, RawTraffic, S,
};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    pub guide: Option<S<GuideMeta>>,
    pub runbook: Option<S<SidecarMeta>>,
    #[serde(default)]
    pub vars: BTreeMap<String, S<String>>,
    #[serde(default, rename = "source")]
    pub sources: Vec<RawSource>,
    pub traffic: Option<S<RawTraffic>>,
    /// `[[notify]]` as in a TOML runbook.
    #[serde(default)]
    pub notify: Vec<S<RawNotify>>,
    #[serde(default, rename = "item")]
    pub items: Vec<S<Binding>>,
    pub rollback: Option<S<SidecarRollback>>,
}

/// What the sidecar knows of its guide, to notice that the guide changed under it.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GuideMeta {
    /// SHA-256 of the guide's bytes when the sidecar was last reviewed.
    pub hash: Option<S<String>>,
    /// Heading level that makes a phase (default: the level under the title).
    pub phase_level: Option<S<i64>>,
}

/// `[runbook]` as in a TOML runbook, but `name` defaults to the guide's title.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SidecarMeta {
    pub name: Option<S<String>>,
    pub description: Option<String>,
    pub start: Option<S<toml::Value>>,
    pub owner: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    #[serde(default)]
    pub secrets: Vec<S<String>>,
}

/// `[rollback]` in a sidecar: the confirmation word, and steps the guide does not state,
/// run after the guide's own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SidecarRollback {
    pub confirm: Option<S<String>>,
    #[serde(default)]
    pub steps: Vec<S<RawRollbackStep>>,
}

/// `[[item]]`: one anchored heading or item and what it is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// `Heading > Sub > #4` (the 4th item), `Heading > Sub > text prefix`, or a heading path.
    pub at: S<String>,
    /// Fingerprint of the item's text when bound (see `fingerprint`).
    pub fingerprint: Option<S<String>>,
    /// `"todo"` while a person must still decide; anything else is a note of what was decided.
    pub decision: Option<S<String>>,
    /// What the item is: `manual`, `command`, `file` (a file's contents), `alternative`
    /// (one of several fences: run one), `text` (not a step), `skip` (a whole section that
    /// is not a checklist), `checklist` (each line of a fence, or each bullet of a list item
    /// or section, is a manual step).
    pub kind: Option<S<String>>,
    /// On a `checklist` fence: this binding is about one of its lines (`#N` or the start of
    /// the line's text), not the whole fence.
    pub line: Option<S<String>>,
    /// On a `checklist`: the ids of the steps it makes, in order.
    #[serde(default)]
    pub ids: Vec<S<String>>,
    pub id: Option<S<String>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub planned: Option<S<String>>,
    /// A time mark (`T+15m`) over the one read from the guide.
    pub time: Option<S<String>>,
    pub expect: Option<String>,
    pub run: Option<S<String>>,
    pub timeout: Option<S<String>>,
    pub gate: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    pub signoff: Vec<String>,
    pub gate_timeout: Option<S<String>>,
    pub on_timeout: Option<S<String>>,
    /// On a rollback section: the heading path of the phase it undoes. Without it a rollback
    /// section at phase level or above is the emergency plan; a guide that lists a phase's
    /// long rollback beside the quick emergency one says which phase it belongs to here.
    pub rollback_of: Option<S<String>>,
    pub traffic: Option<S<RawShift>>,
    pub wait: Option<S<String>>,
    /// On a "No-Go" list: each item is a condition that must be absent.
    #[serde(default)]
    pub invert: bool,
    /// On a rollback item: ask before it runs (`true` or the condition).
    pub ask: Option<S<toml::Value>>,
    /// The steps this item stands for, when it is more than one (a diagram of a traffic plan,
    /// a fence listing a checklist): written as `[[phase.step]]` tables are.
    #[serde(default)]
    pub steps: Vec<S<RawStep>>,
    /// On a rollback item: the rollback steps it stands for when it is more than one (a fence
    /// of several commands, one of them the traffic switch), written as `[rollback] steps` are.
    #[serde(default)]
    pub rollback_steps: Vec<S<RawRollbackStep>>,
}

/// The step kinds a binding may name.
pub const KINDS: &[&str] = &[
    "manual",
    "command",
    "file",
    "alternative",
    "text",
    "skip",
    "checklist",
];
