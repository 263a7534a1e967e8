//! Text as a guide writes it, made comparable: emoji and decoration dropped, numbering stripped
//! from headings, whitespace folded. Anchors and titles both go through here, so an anchor
//! written from what the reader sees matches what the parser found.

/// Emoji, dingbats and the like: decoration in a heading or an item, never meaning. Arrows
/// (U+2190–U+21FF) and letters of every script are kept.
fn is_decoration(c: char) -> bool {
    matches!(c as u32,
        0x2300..=0x23FF
        | 0x2460..=0x27BF
        | 0x2900..=0x2BFF
        | 0xFE00..=0xFE0F
        | 0x200D
        | 0x1F000..=0x1FAFF
        | 0xE0000..=0xE007F)
}

/// What a reader sees: decoration removed, control characters dropped, whitespace folded.
pub fn clean(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !is_decoration(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A heading as anchors name it: cleaned, leading numbering (`1.`, `1.1`, `2)`) stripped,
/// surrounding punctuation trimmed, lower case.
pub fn heading_key(text: &str) -> String {
    let cleaned = clean(text);
    let mut rest = cleaned.as_str();
    let numbering = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ')'))
        .unwrap_or(rest.len());
    let number = &rest[..numbering];
    let looks_numbered = number.contains(['.', ')']) || number.len() <= 2;
    if numbering > 0 && looks_numbered && number.starts_with(|c: char| c.is_ascii_digit()) {
        let after = &rest[numbering..];
        if after.starts_with(' ') {
            rest = after;
        }
    }
    rest.trim_matches(|c: char| c.is_whitespace() || c == ':' || c == '-' || c == '*')
        .to_lowercase()
}

/// An item's text as anchors compare it: cleaned and lower case.
pub fn item_key(text: &str) -> String {
    clean(text).to_lowercase()
}

/// A plain id from a title: lower-case letters and digits joined by `-`, starting with a
/// letter, at most `max` characters.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in heading_key(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    // Cut at a word's end where the limit fell inside one.
    let full = heading_key(text)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .count()
        > out.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    let mut out = out.trim_end_matches('-').to_string();
    if full && let Some(cut) = out.rfind('-').filter(|&i| i >= max / 2) {
        out.truncate(cut);
    }
    if out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out
    } else {
        format!("s{out}")
    }
}

/// The first line of `text`, cut at `max` characters with `…`.
pub fn first_line(text: &str, max: usize) -> String {
    let line = clean(text.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lose_emoji_emphasis_and_numbering() {
        assert_eq!(
            heading_key("🚀 Migration Execution Plan"),
            "migration execution plan"
        );
        assert_eq!(heading_key("1.1 Registry Migration"), "registry migration");
        assert_eq!(
            heading_key("2. Data Backup Strategy"),
            "data backup strategy"
        );
        assert_eq!(
            heading_key("Phase 1: Setup (Week 1)"),
            "phase 1: setup (week 1)"
        );
        assert_eq!(heading_key("✅ Go Criteria"), "go criteria");
    }

    #[test]
    fn slugs_are_plain_ids() {
        assert_eq!(
            slug("🚀 Migration Execution Plan", 40),
            "migration-execution-plan"
        );
        assert_eq!(slug("1.1 Registry Migration", 8), "registry");
        assert_eq!(slug("2026 plan", 40), "s2026-plan");
    }
}
