//! One builder for the runbooks the tests write: what a test is about (its sources, traffic,
//! steps, rollback) as TOML fragments, and the rest a valid runbook needs (a phase, a step, a
//! rollback step) filled in, so each test shows only what matters to it.
//!
//! ```ignore
//! let path = Book::new("Kept")
//!     .step("plan", "Plan", "run = 'echo hi'")
//!     .rollback("{ title = 'Undo' }")
//!     .write(dir, "kept.toml");
//! ```

use std::path::{Path, PathBuf};

use flightdeck::runbook;

#[derive(Debug, Clone)]
pub struct Book {
    name: String,
    /// Lines of the `[runbook]` table after its name.
    meta: Vec<String>,
    /// Top-level tables between `[runbook]` and the phases: `[traffic]`, `[[source]]`, `[vars]`.
    tables: Vec<String>,
    phases: Vec<Phase>,
    /// The rollback's steps, each an inline table.
    rollback: Vec<String>,
}

#[derive(Debug, Clone)]
struct Phase {
    id: String,
    title: String,
    /// Each step's whole `[[phase.step]]` body.
    steps: Vec<String>,
}

impl Book {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            meta: Vec::new(),
            tables: Vec::new(),
            phases: Vec::new(),
            rollback: Vec::new(),
        }
    }

    /// More keys of `[runbook]`, e.g. `secrets = ["PGCONN"]`.
    pub fn meta(mut self, toml: &str) -> Self {
        self.meta.push(toml.trim().into());
        self
    }

    /// A top-level table (or several), e.g. `[traffic]` or `[[source]]`, as written.
    pub fn table(mut self, toml: &str) -> Self {
        self.tables.push(toml.trim().into());
        self
    }

    /// A new phase; the steps after it go into it.
    pub fn phase(mut self, id: &str, title: &str) -> Self {
        self.phases.push(Phase {
            id: id.into(),
            title: title.into(),
            steps: Vec::new(),
        });
        self
    }

    /// A step of the last phase (phase `p`, "Phase", if none is named yet), with more keys as
    /// TOML lines (`run = '…'`, `gate = []`), or none.
    pub fn step(mut self, id: &str, title: &str, keys: &str) -> Self {
        if self.phases.is_empty() {
            self = self.phase("p", "Phase");
        }
        let mut body = format!("id = {}\ntitle = {}\n", quoted(id), quoted(title));
        if !keys.trim().is_empty() {
            body.push_str(keys.trim());
            body.push('\n');
        }
        if let Some(phase) = self.phases.last_mut() {
            phase.steps.push(body);
        }
        self
    }

    /// Phase `cut` with a shift step for each weight (`shift10`, "Shift 10%"), and the rollback
    /// to all blue: the walk the traffic tests take.
    pub fn shifts(mut self, weights: &[u8]) -> Self {
        self = self.phase("cut", "Cutover");
        for green in weights {
            let traffic = format!("traffic = {{ green = {green} }}");
            self = self.step(
                &format!("shift{green}"),
                &format!("Shift {green}%"),
                &traffic,
            );
        }
        self.rollback(r#"{ title = "All traffic to blue", traffic = { green = 0 } }"#)
    }

    /// A rollback step, as an inline table: `{ title = "Undo", run = "…" }`.
    pub fn rollback(mut self, inline_table: &str) -> Self {
        self.rollback.push(inline_table.trim().into());
        self
    }

    /// The runbook's text; a book with no step gets step `a` in phase `p`, one with no rollback
    /// step gets `{ title = 'r' }`.
    pub fn text(&self) -> String {
        let mut book = self.clone();
        if book.phases.iter().all(|p| p.steps.is_empty()) {
            book = book.step("a", "a", "");
        }
        if book.rollback.is_empty() {
            book = book.rollback("{ title = 'r' }");
        }
        let mut text = format!("[runbook]\nname = {}\n", quoted(&book.name));
        for line in &book.meta {
            text.push_str(&format!("{line}\n"));
        }
        for table in &book.tables {
            text.push_str(&format!("\n{table}\n"));
        }
        for phase in &book.phases {
            text.push_str(&format!(
                "\n[[phase]]\nid = {}\ntitle = {}\n",
                quoted(&phase.id),
                quoted(&phase.title)
            ));
            for step in &phase.steps {
                text.push_str(&format!("\n[[phase.step]]\n{step}"));
            }
        }
        text.push_str("\n[rollback]\nsteps = [\n");
        for step in &book.rollback {
            text.push_str(&format!("  {step},\n"));
        }
        text.push_str("]\n");
        text
    }

    /// Writes the runbook to `dir/file` and returns its path.
    pub fn write(&self, dir: &Path, file: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, self.text())
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// The runbook, parsed and validated as `flightdeck run` would; a test's runbook must be
    /// valid, so an invalid one panics with its diagnostics and text.
    pub fn parse(&self) -> runbook::Runbook {
        let text = self.text();
        runbook::parse(&text)
            .unwrap_or_else(|d| panic!("runbook invalid: {d:?}\n{text}"))
            .runbook
    }
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
