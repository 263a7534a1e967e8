//! Reading a guide and its sidecar into one validated runbook, and what `import` writes from
//! them. The texts are joined (guide, newline, sidecar) so every span says which file.

use std::path::Path;

use super::{
    GuideInfo, NO_SIDECAR_BANNER, anchor, fingerprint, import, merge, parse, sidecar, sidecar_path,
};
use crate::runbook::diagnostic::Diagnostic;
use crate::runbook::{Invalid, Loaded, Part, Severity};

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
    let result = crate::runbook::validate::validate(merged.raw, &text, hash);
    let (runbook, warnings) = match result {
        Ok((runbook, warnings)) if !diags.iter().any(|d| d.severity == Severity::Error) => {
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
        let d = crate::runbook::toml_error(&e, &padded);
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
    if merged.diags.iter().any(|d| d.severity == Severity::Error) {
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
    match parsed
        .guide
        .as_ref()
        .and_then(|g| g.get_ref().hash.as_ref())
    {
        Some(old) => edits.push((old.span().start - base..old.span().end - base, hash)),
        None => edits.push((0..0, format!("[guide]\nhash = {hash}\n\n"))),
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = side.to_string();
    for (range, new) in edits {
        out.replace_range(range, &new);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Odd Markdown never panics: it loads, or is refused with diagnostics.
    #[test]
    fn odd_guides_load_or_are_refused_without_panicking() {
        let odd = [
            "",
            "no heading at all\n- [ ] one\n",
            "# 🚀\n## 🔥🔥\n- [ ] \u{1b}[2Jclear\n",
            "# A\n```bash\nunterminated fence\n",
            "# A\n## B\n- [ ] a\n  - [ ] b\n    - [ ] c\n      1. d\n         ```sh\n         ls\n         ```\n",
            "---\nkey: value\n",
            "# A\n## Rollback\n## Go/No-Go Criteria\n### No-Go Criteria\n- x < 5%\n",
            "# A\n| a |\n|---|\n| `x` |\n<div>html</div>\n> quote\n> - [ ] in quote\n",
            "# T+99999d\n## Day 999999\n- [ ] T-9999 hours\n",
        ];
        for guide in odd {
            let _ = from_texts("g.md", guide, None);
            let _ = from_texts(
                "g.md",
                guide,
                Some(("g.flightdeck.toml", "[[item]]\nat = \"A > #1\"\n")),
            );
            let _ = import_skeleton("g.md", guide);
            let _ = import_toml("g.md", guide, None);
            let _ = refresh(
                "g.md",
                guide,
                "s.toml",
                "[guide]\nhash = \"x\"\n[[item]]\nat = \"A\"\n",
            );
        }
    }

    #[test]
    fn refresh_rewrites_only_the_hash_and_fingerprints() {
        let guide = "# G\n## P\n- [ ] one\n- [ ] two\n";
        let side = "# reviewed by ops\n[guide]\nhash = \"old\" # the guide\n\n[[item]]\nat = \"P > #2\"\nowner = \"me\"\n";
        let out = refresh("g.md", guide, "s.toml", side).unwrap();
        let g = parse::parse(guide);
        let fp = fingerprint::of(&g, anchor::Target::Item(1));
        let hash = fingerprint::guide_hash(guide);
        assert_eq!(
            out,
            format!(
                "# reviewed by ops\n[guide]\nhash = \"{hash}\" # the guide\n\n[[item]]\nat = \"P > #2\"\nfingerprint = \"{fp}\"\nowner = \"me\"\n"
            )
        );
        let loaded = from_texts("g.md", guide, Some(("s.toml", &out))).unwrap();
        let about: Vec<&str> = loaded.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(about, ["the guide states no rollback"]);
        assert_eq!(
            loaded.runbook.phases[0].steps[1].owner.as_deref(),
            Some("me")
        );
    }
}
