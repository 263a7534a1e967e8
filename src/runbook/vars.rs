//! `[vars]` used wrongly: a bare `$NAME` where only `${NAME}` is filled in (fields that no shell
//! reads, so nothing would ever expand it), and placeholders (`REPLACE_ME…`) left unfilled.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::check::Checker;
use super::diagnostic::Diagnostic;
use super::raw::RawRunbook;

/// What the seed runbooks put where the operator must write a real value.
pub const PLACEHOLDER: &str = "REPLACE_ME";

/// A value still holding a placeholder anywhere (`https://api.REPLACE_ME_domain` is as unfilled
/// as `REPLACE_ME_domain`).
pub fn is_placeholder(value: &str) -> bool {
    value.contains(PLACEHOLDER)
}

/// The `[vars]` keys whose values are still placeholders, in key order.
pub fn unfilled(vars: &BTreeMap<String, String>) -> Vec<&str> {
    vars.iter()
        .filter(|(_, v)| is_placeholder(v))
        .map(|(k, _)| k.as_str())
        .collect()
}

/// Each bare `$NAME` in `text` whose NAME is a runbook variable: its byte range and the name.
pub fn bare_refs<V>(text: &str, vars: &BTreeMap<String, V>) -> Vec<(Range<usize>, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (at, _) in text.match_indices('$') {
        let name_len = text[at + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let name = &text[at + 1..at + 1 + name_len];
        let starts_well = bytes
            .get(at + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if starts_well && vars.contains_key(name) {
            out.push((at..at + 1 + name_len, name.to_string()));
        }
    }
    out
}

/// Bare `$NAME`s in fields that are not shell commands are errors; placeholders are warnings.
pub fn check(ck: &mut Checker, raw: &RawRunbook, text: &str) {
    for (name, value) in &raw.vars {
        if is_placeholder(value.get_ref()) {
            ck.diags.push(Diagnostic::warning(
                value.span(),
                format!("[vars] {name} is still a placeholder"),
                format!(
                    "write the real value before the day: a live `flightdeck run` refuses to start while a {PLACEHOLDER} is left (a --rehearsal may)"
                ),
            ));
        }
    }
    for s in &raw.sources {
        if let Some(url) = &s.url {
            spanned(ck, url, "url", &raw.vars, text);
        }
        for (header, var) in &s.headers {
            header_names_a_variable(ck, header, var, s.id.span(), text);
        }
    }
    if let Some(http) = raw.traffic.as_ref().and_then(|t| t.get_ref().http.as_ref()) {
        let anchor = http.span();
        let h = http.get_ref();
        let fields = std::iter::once(("[traffic] http url", &h.url))
            .chain(h.body.iter().map(|b| ("[traffic] http body", b)));
        for (what, value) in fields {
            unspanned(ck, value, what, anchor.clone(), &raw.vars, text);
        }
        for (header, var) in &h.headers {
            header_names_a_variable(ck, header, var, anchor.clone(), text);
        }
    }
}

/// A header's value is the name of the environment variable that holds it (so no secret is
/// in the file): `Bearer $TOKEN` or `${TOKEN}` would be looked up as a variable of that name.
fn header_names_a_variable(
    ck: &mut Checker,
    header: &str,
    var: &str,
    anchor: Range<usize>,
    text: &str,
) {
    let is_name = var
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if is_name {
        return;
    }
    let span = text
        .get(anchor.start..)
        .and_then(|rest| rest.find(var))
        .filter(|_| !var.is_empty())
        .map_or(anchor.clone(), |i| {
            anchor.start + i..anchor.start + i + var.len()
        });
    ck.error(
        span,
        format!("header `{header}` = `{var}` is not the name of an environment variable"),
        format!(
            "a header's value comes from the environment, never from the file nor [vars]: export the whole value (e.g. `Bearer ...`) and name its variable, like {header} = \"API_TOKEN\""
        ),
    );
}

/// A field with its span: the raw text between its quotes is what we scan, so the caret lands
/// exactly on the `$NAME`.
fn spanned<V>(
    ck: &mut Checker,
    field: &Spanned<String>,
    what: &str,
    vars: &BTreeMap<String, V>,
    text: &str,
) {
    let span = field.span();
    let Some(written) = text.get(span.clone()) else {
        return;
    };
    for (at, name) in bare_refs(written, vars) {
        push(ck, span.start + at.start..span.start + at.end, what, &name);
    }
}

/// A field without a span (inside an inline table): found in the text after its anchor.
fn unspanned<V>(
    ck: &mut Checker,
    value: &str,
    what: &str,
    anchor: Range<usize>,
    vars: &BTreeMap<String, V>,
    text: &str,
) {
    for (_, name) in bare_refs(value, vars) {
        let needle = format!("${name}");
        let at = text
            .get(anchor.start..)
            .and_then(|rest| rest.find(&needle))
            .map_or(anchor.clone(), |i| {
                anchor.start + i..anchor.start + i + needle.len()
            });
        push(ck, at, what, &name);
    }
}

fn push(ck: &mut Checker, span: Range<usize>, what: &str, name: &str) {
    ck.error(
        span,
        format!("{what} has a bare `${name}`, which nothing fills in: only `${{{name}}}` is replaced by the [vars] value"),
        format!("write `${{{name}}}`: a bare `$NAME` is left for the shell, and this field never reaches one"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("API_ENDPOINT".to_string(), "https://api".to_string()),
            ("TOKEN".to_string(), "REPLACE_ME_token".to_string()),
        ])
    }

    #[test]
    fn finds_only_bare_names_of_vars() {
        let found = |t: &str| bare_refs(t, &vars());
        assert_eq!(
            found("$API_ENDPOINT/books"),
            vec![(0..13, "API_ENDPOINT".to_string())]
        );
        assert_eq!(found("x $TOKEN"), vec![(2..8, "TOKEN".to_string())]);
        // Braced, unknown, longer names and lone dollars are not bare references to a var.
        for fine in [
            "${API_ENDPOINT}/b",
            "$HOME/x",
            "$API_ENDPOINTS",
            "$",
            "$1",
            "a$",
        ] {
            assert!(found(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn a_placeholder_anywhere_in_the_value_is_unfilled() {
        let mut v = vars();
        v.insert("HOST".into(), "https://api.REPLACE_ME_domain".into());
        assert_eq!(unfilled(&v), vec!["HOST", "TOKEN"]);
        assert!(!is_placeholder("https://api.example.com"));
    }
}
