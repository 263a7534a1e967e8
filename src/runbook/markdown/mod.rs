//! Markdown guides: a team's own migration guide, read as it is, with a sidecar
//! (`guide.flightdeck.toml`) for what prose cannot say. `parse` reads the guide, `anchor`
//! names its items, `map` turns it into the runbook's raw phases, `merge` adds the sidecar,
//! `fingerprint` notices a guide that changed, `import` writes a sidecar skeleton.

pub mod anchor;
pub mod classify;
pub mod fingerprint;
pub mod import;
pub mod map;
pub mod merge;
pub mod needs;
pub mod parse;
pub mod sidecar;
pub mod text;
pub mod timemark;

use std::path::{Path, PathBuf};

use super::diagnostic::Diagnostic;
use super::{Invalid, Loaded, Part};

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

fn read(path: &Path, what: &str) -> Result<String, Invalid> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Invalid {
        path: shown.clone(),
        text: String::new(),
        diagnostics: vec![Diagnostic::error(
            0..0,
            format!("cannot read the {what}: {e}"),
            "check the path and that the file is readable",
        )],
        parts: Vec::new(),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Invalid {
            path: shown,
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            diagnostics: vec![Diagnostic::error(
                at..at + 1,
                format!("the {what} is not valid UTF-8"),
                "save the file as UTF-8",
            )],
            parts: Vec::new(),
        }
    })
}

/// Reads a guide and its sidecar (`with`, else the one beside it if it exists) and validates
/// them as one runbook.
pub fn load(path: &Path, with: Option<&Path>) -> Result<Loaded, Invalid> {
    let guide_text = read(path, "guide")?;
    let default = sidecar_path(path);
    let sidecar_file = match with {
        Some(w) => Some(w.to_path_buf()),
        None => default.exists().then_some(default),
    };
    let sidecar_text = match &sidecar_file {
        Some(p) => Some((p.display().to_string(), read(p, "sidecar")?)),
        None => None,
    };
    let mut loaded = from_texts(
        &path.display().to_string(),
        &guide_text,
        sidecar_text.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
    )?;
    if let Some(info) = loaded.guide.as_mut() {
        info.sidecar = sidecar_file;
    }
    Ok(loaded)
}

/// The guide's text, a newline, then the sidecar's: one text whose spans say which file.
fn parts(guide_path: &str, guide: &str, sidecar: Option<(&str, &str)>) -> (String, Vec<Part>) {
    let mut text = guide.to_string();
    let mut parts = vec![Part {
        path: guide_path.to_string(),
        start: 0,
        len: guide.len(),
    }];
    if let Some((path, side)) = sidecar {
        text.push('\n');
        parts.push(Part {
            path: path.to_string(),
            start: text.len(),
            len: side.len(),
        });
        text.push_str(side);
    }
    (text, parts)
}

/// Validates a guide's text with its sidecar's (path and text), as `load` does once read.
pub fn from_texts(
    guide_path: &str,
    guide_text: &str,
    sidecar: Option<(&str, &str)>,
) -> Result<Loaded, Invalid> {
    let (text, parts) = parts(guide_path, guide_text, sidecar);
    let invalid = |diagnostics: Vec<Diagnostic>| Invalid {
        path: guide_path.to_string(),
        text: text.clone(),
        diagnostics,
        parts: parts.clone(),
    };
    let sidecar_raw = match sidecar {
        None => None,
        Some((_, side)) => {
            Some(parse_sidecar(guide_text, side).map_err(|(_, d)| invalid(vec![d]))?)
        }
    };
    let guide = parse::parse(guide_text);
    let merged = merge::merge(&guide, guide_text, guide_path, sidecar_raw);
    let hash = fingerprint::guide_hash(&text);
    let mut diags = merged.diags;
    let result = super::validate::validate(merged.raw, &text, hash);
    let (runbook, warnings) = match result {
        Ok((runbook, warnings)) if !diags.iter().any(|d| d.severity == super::Severity::Error) => {
            (runbook, warnings)
        }
        Ok((_, more)) | Err(more) => {
            diags.extend(more);
            diags.sort_by_key(|d| d.span.start);
            return Err(invalid(diags));
        }
    };
    diags.extend(warnings);
    diags.sort_by_key(|d| d.span.start);
    Ok(Loaded {
        runbook,
        warnings: diags,
        text: text.clone(),
        parts,
        guide: Some(GuideInfo {
            sidecar: None,
            banner: sidecar.is_none().then(|| NO_SIDECAR_BANNER.to_string()),
            changed: merged.changed,
        }),
    })
}

/// The sidecar's text parsed at its place after the guide, so its spans fall in the joined text.
fn parse_sidecar(guide_text: &str, side: &str) -> Result<sidecar::Sidecar, (String, Diagnostic)> {
    let padded: String = guide_text
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .chain(std::iter::once('\n'))
        .collect::<String>()
        + side;
    toml::from_str::<sidecar::Sidecar>(&padded).map_err(|e| {
        let d = super::toml_error(&e, &padded);
        (padded, d)
    })
}

/// `import --toml`: the guide (with its sidecar, if given) as a standalone TOML runbook.
pub fn import_toml(
    guide_path: &str,
    guide_text: &str,
    sidecar: Option<(&str, &str)>,
) -> Result<String, Invalid> {
    let (text, parts) = parts(guide_path, guide_text, sidecar);
    let invalid = |diagnostics: Vec<Diagnostic>| Invalid {
        path: guide_path.to_string(),
        text: text.clone(),
        diagnostics,
        parts: parts.clone(),
    };
    let (raw_sidecar, table) = match sidecar {
        None => (None, None),
        Some((_, side)) => {
            let parsed = parse_sidecar(guide_text, side).map_err(|(_, d)| invalid(vec![d]))?;
            (Some(parsed), side.parse::<toml::Table>().ok())
        }
    };
    let guide = parse::parse(guide_text);
    let merged = merge::merge(&guide, guide_text, guide_path, raw_sidecar);
    if merged
        .diags
        .iter()
        .any(|d| d.severity == super::Severity::Error)
    {
        return Err(invalid(merged.diags));
    }
    let name = Path::new(guide_path)
        .file_name()
        .map_or(guide_path.to_string(), |n| n.to_string_lossy().into_owned());
    Ok(import::toml_runbook(&merged.raw, table.as_ref(), &name))
}

/// `import`: the sidecar skeleton of a guide.
pub fn import_skeleton(guide_path: &str, guide_text: &str) -> String {
    let name = Path::new(guide_path)
        .file_name()
        .map_or(guide_path.to_string(), |n| n.to_string_lossy().into_owned());
    import::skeleton(&parse::parse(guide_text), guide_text, &name)
}

/// `import --refresh`: the sidecar's text with `[guide] hash` and every `[[item]]`'s
/// `fingerprint` set to what the guide reads now, everything else as written. For after a
/// person has read what changed. An anchor that resolves to nothing stays an error.
pub fn refresh(
    guide_path: &str,
    guide_text: &str,
    sidecar_path: &str,
    side: &str,
) -> Result<String, Invalid> {
    let (text, parts) = parts(guide_path, guide_text, Some((sidecar_path, side)));
    let invalid = |diagnostics: Vec<Diagnostic>| Invalid {
        path: guide_path.to_string(),
        text: text.clone(),
        diagnostics,
        parts: parts.clone(),
    };
    let parsed = parse_sidecar(guide_text, side).map_err(|(_, d)| invalid(vec![d]))?;
    let guide = parse::parse(guide_text);
    let base = guide_text.len() + 1;
    // Edits as (range in the sidecar, new text), applied from the end.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut errors = Vec::new();
    for b in &parsed.items {
        let b = b.get_ref();
        let target = match anchor::resolve(&guide, b.at.get_ref()) {
            Ok(t) => t,
            Err(e) => {
                errors.push(Diagnostic::error(
                    b.at.span(),
                    e.message,
                    "fix the anchor first (flightdeck validate lists the candidates)",
                ));
                continue;
            }
        };
        let fp = format!("\"{}\"", fingerprint::of(&guide, target));
        match &b.fingerprint {
            Some(old) => edits.push((old.span().start - base..old.span().end - base, fp)),
            None => {
                let line_end = side[b.at.span().end - base..]
                    .find('\n')
                    .map_or(side.len(), |i| b.at.span().end - base + i);
                edits.push((line_end..line_end, format!("\nfingerprint = {fp}")));
            }
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let hash = format!("\"{}\"", fingerprint::guide_hash(guide_text));
    let guide_table = parsed.guide.as_ref();
    match guide_table.and_then(|g| g.get_ref().hash.as_ref().map(|_| g)) {
        Some(g) => {
            // The hash's value: the first quoted string after `hash` in the [guide] table.
            let table = &side[g.span().start - base..g.span().end - base];
            if let Some(at) = table.find("hash") {
                let from = g.span().start - base + at;
                let open = from + side[from..].find('"').unwrap_or(0);
                let close = open + 1 + side[open + 1..].find('"').unwrap_or(0);
                edits.push((open..close + 1, hash));
            }
        }
        None => edits.push((0..0, format!("[guide]\nhash = {hash}\n\n"))),
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = side.to_string();
    for (range, new) in edits {
        out.replace_range(range, &new);
    }
    Ok(out)
}
