//! The layers of `src/`, kept by a test: each top-level module may name (`crate::x`) only
//! modules of a lower layer, so the import graph has no cycle and no upward arrow. A new
//! top-level module must be given a layer here. Why a test and not a workspace of crates:
//! docs/decisions.md, "Issue 14".

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A module may use any module of a layer below its own, none of its own layer
/// (but itself) or above.
const LAYERS: &[&[&str]] = &[
    // Plain values and text: the criteria language and time units, terminal-safe text, the
    // shell's quoting, where files live, the log file.
    &["criteria", "sanitize", "shell", "paths", "logfile"],
    // The runbook, parsed once into types; process groups.
    &["runbook", "orphans"],
    // Reading the world: sources, samples, the poller (which asks a higher layer to read a
    // traffic split, through a callback); themes (a runbook may name one).
    &["telemetry", "theme"],
    // Judging it: gate evaluation; secret values redacted out of readings.
    &["gates", "secrets"],
    // What was done, recorded: the journal and the seat.
    &["journal"],
    // Telling others of journaled events.
    &["notify"],
    // Changing the world: commands, traffic shifts; they report to a callback.
    &["actions"],
    // The cockpit's pure state and `update`.
    &["app"],
    // What builds on the app's state: config (its key table), sessions, observers, team mode.
    &["config", "observer", "session", "team"],
    // Reading state out: rendering, terminal output, reports; the demo's loopback world.
    &["ui", "terminal", "report", "demo"],
    // The event loop that wires them.
    &["cockpit"],
    // The command line.
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/app/gate.rs` and `src/app.rs`: `app`).
fn module_of(file: &Path) -> String {
    let first = file
        .strip_prefix(src())
        .unwrap()
        .components()
        .next()
        .unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// The code of a file without its comments (line and block) and the insides of its string and
/// char literals (raw strings too), so a path in a doc comment or a message is not taken for
/// an import, and a quote in a literal does not hide the code after it.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        match c[i] {
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                i += 2;
                while i < c.len() && !(c[i] == '*' && at(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
                out.push(' ');
            }
            // A raw string: r"…", r#"…"#, br"…".
            'r' if (at(i + 1) == '"' || at(i + 1) == '#')
                && !(i > 0
                    && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')
                    && c[i - 1] != 'b') =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while at(j) == '#' {
                    hashes += 1;
                    j += 1;
                }
                if at(j) != '"' {
                    out.push(c[i]);
                    i += 1;
                    continue;
                }
                j += 1;
                while j < c.len() && !(c[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#')) {
                    j += 1;
                }
                i = j + 1 + hashes;
                out.push_str("\"\"");
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            // A char literal ('x', '\n', '\''), not a lifetime ('a).
            '\'' if at(i + 1) == '\\' || at(i + 2) == '\'' => {
                i += if at(i + 1) == '\\' { 3 } else { 2 };
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

/// Every top-level module `code` names as `crate::name`, including inside `use crate::{…}`
/// groups (nested groups too).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` in a macro, or a longer identifier ending in `crate`.
        if before.is_some_and(|c| c == '$' || c == '_' || c.is_alphanumeric()) {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => {
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if depth == 1 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        named.insert(std::mem::take(&mut item));
                        at_start = false;
                    }
                }
            }
            if !item.is_empty() {
                named.insert(item);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                named.insert(name);
            }
        }
    }
    named
}

#[test]
fn no_module_imports_its_own_layer_or_one_above() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            wrong.push(format!(
                "`{module}` has no layer: add it to LAYERS in tests/layers.rs"
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for used in crate_paths(&code) {
            if used == module || used == "self" || used == "super" {
                continue;
            }
            match layer_of(&used) {
                Some(theirs) if theirs < own => {}
                Some(_) => wrong.push(format!(
                    "{} names `crate::{used}`: `{used}` is not below `{module}`",
                    file.strip_prefix(src()).unwrap().display()
                )),
                None => wrong.push(format!(
                    "{} names `crate::{used}`, which has no layer",
                    file.strip_prefix(src()).unwrap().display()
                )),
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports across layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_of_lib_rs_has_a_layer_once() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    for module in &declared {
        assert!(layer_of(module).is_some(), "`{module}` has no layer");
    }
    let listed: Vec<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a module is in two layers");
    for module in listed {
        assert!(
            declared.contains(&module),
            "`{module}` is not a module of lib.rs"
        );
    }
}

/// The scanner itself: what it must see, and what it must not take for an import.
#[test]
fn the_scanner_finds_paths_in_groups_and_skips_comments_and_strings() {
    let code = code_only(
        r##"use crate::{app::{Msg, Work}, gates::Verdict};
use crate::runbook;
// use crate::ui;
/* crate::cockpit */
let s = "crate::cli \" crate::ui";
let q = '"'; let e = '\''; let r = r#"crate::"ui"#;
let t = $crate::theme::X;
let u = crate::journal::event::Event::X;"##,
    );
    let found: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["app", "gates", "journal", "runbook"]);
}
