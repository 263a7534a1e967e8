//! `flightdeck import`: a sidecar skeleton listing everything the parser found with what it
//! maps to, `decision = "todo"` where a person must decide; or (`--toml`) a standalone TOML
//! runbook. Pure: text in, text out.

use toml::{Table, Value};

use super::anchor::{anchor_of_item, anchor_of_section, item_label};
use super::classify::{
    default_phase_level, is_criteria_title, is_rollback_title, is_shell, nearest, outermost,
};
use super::fingerprint;
use super::needs;
use super::parse::{Guide, ItemKind};
use crate::runbook::raw::{RawRollbackStep, RawRunbook, RawStep};

fn quoted(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn heading_role(guide: &Guide, section: usize, phase_level: u8) -> &'static str {
    let s = &guide.sections[section];
    let key = s.path.last().map_or("", String::as_str);
    if let Some(root) = outermost(guide, section, is_rollback_title) {
        return if guide.sections[root].level <= phase_level {
            "the emergency rollback plan"
        } else {
            "its phase's rollback"
        };
    }
    if is_criteria_title(key) {
        return "a gate: its items are sign-offs";
    }
    if s.level == phase_level {
        return "a phase";
    }
    if s.level < phase_level {
        return "the guide's title (its items form a first phase)";
    }
    "a section of its phase"
}

fn item_role(guide: &Guide, index: usize) -> &'static str {
    let item = &guide.items[index];
    let in_rollback = nearest(guide, item.section, is_rollback_title).is_some();
    let in_criteria = nearest(guide, item.section, is_criteria_title).is_some();
    match &item.kind {
        _ if item.holds_fence => "carried by the fence in it",
        ItemKind::Table => "text (a table)",
        ItemKind::Fence { .. } if in_rollback && is_shell(item) => "a rollback command",
        ItemKind::Fence { .. } if in_rollback => "a manual rollback step (the fence as its text)",
        ItemKind::Fence { .. } if is_shell(item) => "a command step",
        ItemKind::Fence { .. } => "text (not a shell fence)",
        _ if in_rollback => "a manual rollback step",
        _ if in_criteria => "a sign-off",
        ItemKind::Task | ItemKind::Numbered => "a manual step",
        ItemKind::Bullet => "text (a plain bullet)",
    }
}

/// The sidecar skeleton for a guide.
pub fn skeleton(guide: &Guide, guide_text: &str, guide_name: &str) -> String {
    let level = default_phase_level(guide);
    let mut out = String::new();
    out.push_str(&format!(
        "# Sidecar of {guide_name}, written by `flightdeck import`: what the guide's prose cannot say.\n\
         # Below, every heading, item, fence and table of the guide with what it maps to. Items are\n\
         # anchored by heading path and `#N` (their place under the heading) or the start of their text,\n\
         # never by line. `decision = \"todo\"` marks what a person must decide: `flightdeck validate`\n\
         # fails until none is left. See docs/runbook-format.md, \"Markdown guides\".\n\n"
    ));
    out.push_str(&format!(
        "[guide]\nhash = {}   # the guide as reviewed; a changed guide is noticed\n# phase_level = {level}   # the heading level that makes a phase\n\n",
        quoted(&fingerprint::guide_hash(guide_text))
    ));
    out.push_str("[runbook]\n# name = \"...\"   # default: the guide's title\n# start = 2026-12-05T22:00:00Z\n# owner = \"Migration lead\"\n\n[vars]\n# HOST = \"REPLACE_ME\"\n\n");
    out.push_str("# [[source]]\n# id = \"api\"\n# kind = \"http\"\n# url = \"https://api.example.com/health\"\n\n");
    out.push_str("# [traffic]\n# set = \"command with {green} and {blue}\"\n# plan = [ { green = 10, bake = \"30m\" }, { green = 100 } ]\n\n");
    out.push_str("# [rollback]\n# confirm = \"ROLLBACK\"\n# steps = [ { title = \"...\", run = \"...\" } ]   # after the guide's own\n");
    for section in 1..guide.sections.len() {
        let anchor = anchor_of_section(guide, section);
        out.push_str(&format!(
            "\n# {} {anchor}  → {}\n",
            "#".repeat(guide.sections[section].level as usize),
            heading_role(guide, section, level)
        ));
        if let Some(why) = needs::section(guide, section) {
            let kind = if why.contains("skip") && !why.contains("keep it") {
                "kind = \"skip\"\n"
            } else {
                ""
            };
            let invert = if why.contains("invert") {
                "invert = true\n"
            } else {
                ""
            };
            out.push_str(&format!(
                "[[item]]\nat = {}\nfingerprint = {}\ndecision = \"todo\"   # {why}\n{kind}{invert}",
                quoted(&anchor),
                quoted(&fingerprint::of(guide, super::anchor::Target::Section(section)))
            ));
        }
        for (index, item) in guide.items_of(section) {
            out.push_str(&format!(
                "#   #{} {}  → {}\n",
                item.ordinal,
                item_label(guide, index).replace('\n', " "),
                item_role(guide, index)
            ));
            if let Some((why, kind)) = needs::fence(item) {
                out.push_str(&format!(
                    "[[item]]\nat = {}\nfingerprint = {}\ndecision = \"todo\"   # {why}\nkind = {}\n",
                    quoted(&anchor_of_item(guide, index)),
                    quoted(&fingerprint::of(guide, super::anchor::Target::Item(index))),
                    quoted(kind)
                ));
            }
        }
    }
    out
}

/// The `[decision = "todo"]` anchors of a skeleton, in order: what `import` asks a person.
pub fn todos(skeleton: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = None;
    for line in skeleton.lines() {
        if let Some(rest) = line.strip_prefix("at = ") {
            at = Some(rest.trim_matches('"').to_string());
        }
        if line.starts_with("decision = \"todo\"") {
            out.extend(at.take());
        }
    }
    out
}

fn put(t: &mut Table, key: &str, value: impl Into<Value>) {
    t.insert(key.into(), value.into());
}

fn step_table(s: &RawStep) -> Table {
    let mut t = Table::new();
    put(&mut t, "id", s.id.get_ref().as_str());
    put(&mut t, "title", s.title.as_str());
    let opt = |t: &mut Table, k: &str, v: Option<&String>| {
        if let Some(v) = v {
            put(t, k, v.as_str());
        }
    };
    opt(&mut t, "description", s.description.as_ref());
    opt(&mut t, "owner", s.owner.as_ref());
    opt(&mut t, "planned", s.planned.as_ref().map(|v| v.get_ref()));
    opt(&mut t, "at", s.at.as_ref().map(|v| v.get_ref()));
    opt(&mut t, "expect", s.expect.as_ref());
    opt(&mut t, "run", s.run.as_ref().map(|v| v.get_ref()));
    opt(&mut t, "timeout", s.timeout.as_ref().map(|v| v.get_ref()));
    if let Some(g) = &s.gate {
        let list: Vec<Value> = g
            .get_ref()
            .iter()
            .map(|c| Value::from(c.get_ref().as_str()))
            .collect();
        put(&mut t, "gate", list);
    }
    if !s.signoff.is_empty() {
        put(
            &mut t,
            "signoff",
            s.signoff
                .iter()
                .map(|x| Value::from(x.as_str()))
                .collect::<Vec<_>>(),
        );
    }
    opt(
        &mut t,
        "gate_timeout",
        s.gate_timeout.as_ref().map(|v| v.get_ref()),
    );
    opt(
        &mut t,
        "on_timeout",
        s.on_timeout.as_ref().map(|v| v.get_ref()),
    );
    if let Some(shift) = &s.traffic {
        let mut g = Table::new();
        put(&mut g, "green", *shift.get_ref().green.get_ref());
        put(&mut t, "traffic", g);
    }
    opt(&mut t, "wait", s.wait.as_ref().map(|v| v.get_ref()));
    t
}

fn rollback_table(s: &RawRollbackStep) -> Table {
    let mut t = Table::new();
    put(&mut t, "title", s.title.as_str());
    if let Some(d) = &s.description {
        put(&mut t, "description", d.as_str());
    }
    if let Some(r) = &s.run {
        put(&mut t, "run", r.get_ref().as_str());
    }
    if let Some(shift) = &s.traffic {
        let mut g = Table::new();
        put(&mut g, "green", *shift.get_ref().green.get_ref());
        put(&mut t, "traffic", g);
    }
    if let Some(x) = &s.timeout {
        put(&mut t, "timeout", x.get_ref().as_str());
    }
    if let Some(a) = &s.ask {
        put(&mut t, "ask", a.get_ref().clone());
    }
    t
}

/// A standalone TOML runbook: the sidecar's `[runbook]`, `[vars]`, `[[source]]` and
/// `[traffic]` as written, the phases and rollback as the guide and its bindings make them.
pub fn toml_runbook(raw: &RawRunbook, sidecar: Option<&Table>, guide_name: &str) -> String {
    let mut doc = Table::new();
    let mut meta = sidecar
        .and_then(|s| s.get("runbook"))
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    if let Some(m) = &raw.runbook {
        let m = m.get_ref();
        meta.entry("name")
            .or_insert_with(|| m.name.get_ref().as_str().into());
        if let Some(d) = &m.description {
            meta.entry("description")
                .or_insert_with(|| d.as_str().into());
        }
    }
    put(&mut doc, "runbook", meta);
    for key in ["vars", "source", "traffic"] {
        if let Some(v) = sidecar.and_then(|s| s.get(key)) {
            doc.insert(key.into(), v.clone());
        }
    }
    let phases: Vec<Value> = raw
        .phases
        .iter()
        .map(|p| {
            let p = p.get_ref();
            let mut t = Table::new();
            put(&mut t, "id", p.id.get_ref().as_str());
            put(&mut t, "title", p.title.as_str());
            if let Some(d) = &p.description {
                put(&mut t, "description", d.as_str());
            }
            let steps: Vec<Value> = p
                .steps
                .iter()
                .map(|s| step_table(s.get_ref()).into())
                .collect();
            put(&mut t, "step", steps);
            if !p.rollback.is_empty() {
                let rb: Vec<Value> = p
                    .rollback
                    .iter()
                    .map(|s| rollback_table(s.get_ref()).into())
                    .collect();
                put(&mut t, "rollback", rb);
            }
            t.into()
        })
        .collect();
    put(&mut doc, "phase", phases);
    if let Some(r) = &raw.rollback {
        let r = r.get_ref();
        let mut t = Table::new();
        if let Some(c) = &r.confirm {
            put(&mut t, "confirm", c.get_ref().as_str());
        }
        let steps: Vec<Value> = r
            .steps
            .iter()
            .map(|s| rollback_table(s.get_ref()).into())
            .collect();
        put(&mut t, "steps", steps);
        put(&mut doc, "rollback", t);
    }
    let body = toml::to_string(&doc).unwrap_or_else(|e| format!("# cannot write TOML: {e}\n"));
    format!("# A TOML runbook written by `flightdeck import --toml` from {guide_name}.\n\n{body}")
}
