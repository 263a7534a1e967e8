//! Planned times as guides write them (`T-2h`, `T+15`, `T+1 hour`, `Day 1-2`, `(Week 1)`),
//! turned into the runbook's time marks. A bare `T+15` is minutes, as on a cutover timeline.

use std::sync::OnceLock;

use regex::Regex;

use super::needs::re;

fn t_mark() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?i)\bT\s?([+-])\s?(\d{1,4})\s*(hours?|hrs?|h|minutes?|mins?|m|days?|d)?\b",
    )
}

fn day_week() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?i)\b(day|week)\s+(\d{1,3})\b")
}

/// A `T±` mark in the text, as a runbook time mark (`T-2h`, `T+15m`, `T0`).
pub fn t_mark_in(text: &str) -> Option<String> {
    if text.contains("T-0") || text.contains("T+0") || text.contains("T0 ") {
        return Some("T0".into());
    }
    let c = t_mark().captures(text)?;
    let n: u32 = c[2].parse().ok()?;
    let unit = match c.get(3).map(|m| m.as_str().to_lowercase()) {
        Some(u) if u.starts_with('h') => "h",
        Some(u) if u.starts_with('d') => "d",
        _ => "m",
    };
    if n == 0 {
        return Some("T0".into());
    }
    Some(format!("T{}{n}{unit}", &c[1]))
}

/// Days from T-0 that `Week N` (in a heading) and `Day N` (in an item) stand for: week 1
/// day 1 is T-0.
pub fn day_offset(text: &str) -> (Option<u32>, Option<u32>) {
    let mut week = None;
    let mut day = None;
    for c in day_week().captures_iter(text) {
        let n: u32 = c[2].parse().unwrap_or(1);
        if c[1].eq_ignore_ascii_case("week") {
            week.get_or_insert(n);
        } else {
            day.get_or_insert(n);
        }
    }
    (week, day)
}

/// The time mark of an item from its own text and its headings' texts (nearest first);
/// `Day N` / `Week N` count only when `days` (a guide without a `T±` timeline).
pub fn mark_for(item: &str, headings: &[&str], days: bool) -> Option<String> {
    if let Some(m) = t_mark_in(item) {
        return Some(m);
    }
    if !days {
        return headings.iter().find_map(|h| t_mark_in(h));
    }
    let (_, day) = day_offset(item);
    let mut week = None;
    for h in headings {
        let (w, d) = day_offset(h);
        week = week.or(w);
        if day.is_none()
            && d.is_none()
            && week.is_none()
            && let Some(m) = t_mark_in(h)
        {
            return Some(m);
        }
    }
    if day.is_none() && week.is_none() {
        return None;
    }
    let days = week.unwrap_or(1).saturating_sub(1) * 7 + day.unwrap_or(1).saturating_sub(1);
    Some(if days == 0 {
        "T0".into()
    } else {
        format!("T+{days}d")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_as_guides_write_them() {
        assert_eq!(
            t_mark_in("Pre-Migration (T-2 hours)").as_deref(),
            Some("T-2h")
        );
        assert_eq!(
            t_mark_in("T+15: Switch API Gateway").as_deref(),
            Some("T+15m")
        );
        assert_eq!(t_mark_in("T+1 hour: testing").as_deref(), Some("T+1h"));
        assert_eq!(t_mark_in("T-0: read-only").as_deref(), Some("T0"));
        assert_eq!(t_mark_in("Tests pass"), None);
        assert_eq!(
            mark_for("Day 3-5: Monitor", &["Week 2: Execution"], true).as_deref(),
            Some("T+9d")
        );
        assert_eq!(
            mark_for("Registry", &["Steps", "Phase 2 (Week 2)"], true).as_deref(),
            Some("T+7d")
        );
        assert_eq!(
            mark_for("Sync check", &["Pre-Migration (T-2 hours)"], true).as_deref(),
            Some("T-2h")
        );
        assert_eq!(mark_for("Day 1-2: setup", &[], true).as_deref(), Some("T0"));
        assert_eq!(mark_for("Day 3: x", &["Week 2"], false), None);
    }
}
