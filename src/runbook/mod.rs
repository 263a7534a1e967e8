//! The runbook: the TOML file format (`raw`), its validation into the model, and the
//! diagnostics that point back into the file. No I/O beyond reading the file, no terminal.

pub mod check;
pub mod diagnostic;
pub use crate::criteria::duration;
pub mod markdown;
pub mod model;
pub mod raw;
pub mod template;
pub use crate::criteria::unit;
mod validate;
mod validate_native;
mod validate_notify;
mod validate_source;
mod validate_traffic;
pub mod vars;

use std::path::Path;

use sha2::{Digest, Sha256};

pub use diagnostic::{Diagnostic, Severity};
pub use model::*;
pub use validate_source::COST_EXPLORER_MIN_INTERVAL;

/// A runbook that failed to load, with everything wrong with it.
#[derive(Debug)]
pub struct Invalid {
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The files `text` joins (a guide and its sidecar); empty for a single file.
    pub parts: Vec<Part>,
}

/// One file of a runbook read from several (a guide and its sidecar): where its text sits in
/// the joined text the spans point into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub path: String,
    pub start: usize,
    pub len: usize,
}

/// A diagnostic shown against the file its span falls in.
pub fn locate(parts: &[Part], path: &str, text: &str, d: &Diagnostic) -> String {
    let Some(part) = parts.iter().rev().find(|p| p.start <= d.span.start) else {
        return d.located(path, text).to_string();
    };
    let end = (part.start + part.len).min(text.len());
    let own = &text[part.start..end];
    let shift = |at: usize| at.saturating_sub(part.start).min(own.len());
    let shifted = Diagnostic {
        span: shift(d.span.start)..shift(d.span.end),
        ..d.clone()
    };
    shifted.located(&part.path, own).to_string()
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{}", locate(&self.parts, &self.path, &self.text, d))?;
        }
        Ok(())
    }
}

/// A loaded runbook with its warnings (which do not stop it from running).
pub struct Loaded {
    pub runbook: Runbook,
    pub warnings: Vec<Diagnostic>,
    pub text: String,
    /// The files `text` joins (a guide and its sidecar); empty for a TOML runbook.
    pub parts: Vec<Part>,
    /// Set when the runbook is a Markdown guide.
    pub guide: Option<markdown::GuideInfo>,
}

impl Loaded {
    /// A warning shown against the file it is about.
    pub fn locate(&self, path: &str, d: &Diagnostic) -> String {
        locate(&self.parts, path, &self.text, d)
    }
}

/// Reads and validates a runbook file: a TOML runbook, or a Markdown guide with the sidecar
/// beside it.
pub fn load(path: &Path) -> Result<Loaded, Invalid> {
    load_with(path, None)
}

/// As `load`; a guide's sidecar is `with` when given.
pub fn load_with(path: &Path, with: Option<&Path>) -> Result<Loaded, Invalid> {
    if markdown::is_guide(path) {
        return markdown::load(path, with);
    }
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Invalid {
        path: shown.clone(),
        text: String::new(),
        diagnostics: vec![Diagnostic::error(
            0..0,
            format!("cannot read the runbook: {e}"),
            "check the path and that the file is readable",
        )],
        parts: Vec::new(),
    })?;
    from_bytes(&shown, bytes)
}

/// Validates a runbook's bytes, as `load` does once the file is read; `shown` names it in
/// the diagnostics.
pub fn from_bytes(shown: &str, bytes: Vec<u8>) -> Result<Loaded, Invalid> {
    let shown = shown.to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        Invalid {
            path: shown.clone(),
            text,
            diagnostics: vec![Diagnostic::error(
                at..at + 1,
                "the runbook is not valid UTF-8",
                "save the file as UTF-8",
            )],
            parts: Vec::new(),
        }
    })?;
    parse(&text).map_err(|diagnostics| Invalid {
        path: shown,
        text: text.clone(),
        diagnostics,
        parts: Vec::new(),
    })
}

/// Parses and validates runbook text.
pub fn parse(text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    let raw: raw::RawRunbook = toml::from_str(text).map_err(|e| vec![toml_error(&e, text)])?;
    let (runbook, warnings) = validate::validate(raw, text, hash)?;
    Ok(Loaded {
        runbook,
        warnings,
        text: text.to_string(),
        parts: Vec::new(),
        guide: None,
    })
}

/// Turns a TOML/serde error into a diagnostic with a plain-words fix.
pub(crate) fn toml_error(e: &toml::de::Error, text: &str) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let msg = e.message().trim();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let fix = match check::did_you_mean(field, allowed.iter().copied()) {
            Some(near) => format!(
                "did you mean `{near}`? Keys allowed here: {}",
                allowed.join(", ")
            ),
            None => format!("remove it; keys allowed here: {}", allowed.join(", ")),
        };
        return Diagnostic::error(span, format!("unknown key `{field}`"), fix);
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error(
            span,
            format!("missing key `{field}`"),
            format!("add `{field} = ...` to this table (see docs/runbook-format.md)"),
        );
    }
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return Diagnostic::error(
            span,
            plain_types(msg),
            "give this key a value of the type docs/runbook-format.md lists for it",
        );
    }
    let _ = text;
    Diagnostic::error(
        span,
        format!("TOML: {msg}"),
        "fix the TOML syntax here (quotes, brackets, `key = value`)",
    )
}

/// serde speaks Rust (`i64`, `a sequence`); runbook authors speak TOML.
fn plain_types(msg: &str) -> String {
    let mut out = msg.replace("invalid type: ", "wrong type: ");
    for (rust, toml) in [
        ("expected i64", "expected an integer"),
        ("expected u16", "expected an integer (0-65535)"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected an array [...]"),
        ("expected a map", "expected a table"),
        ("sequence", "array"),
        ("map", "table"),
    ] {
        out = out.replace(rust, toml);
    }
    if let Some(i) = out.find("expected struct ") {
        out.truncate(i);
        out.push_str("expected a table");
    }
    out
}
