//! Durations (`"1h30m"`) and timeline marks (`"T-2h"`, `"T+15m"`) as runbooks write them.

use std::time::Duration;

use super::unit::{TIME_UNIT_NAMES, TimeUnit};

/// Parses `500ms`, `10s`, `5m` (or `5min`), `2h`, `1d` and combinations, largest unit first
/// (`1h30m`); the units are those of `unit::TimeUnit`, shared with criteria.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".into());
    }
    if text.contains(char::is_whitespace) {
        return Err("it contains a space".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    let mut last_rank: Option<TimeUnit> = None;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "`{text}` is not a duration: expected a number before `{rest}`"
            ));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| "the number is too large".to_string())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (unit, after) = rest.split_at(unit_len);
        let time_unit = match TimeUnit::parse(unit) {
            Some(u) => u,
            None if unit.is_empty() => {
                return Err(format!(
                    "`{text}` has a number without a unit ({TIME_UNIT_NAMES})"
                ));
            }
            None => return Err(format!("`{unit}` is not a unit of time")),
        };
        let (rank, millis) = (time_unit, time_unit.millis());
        if last_rank.is_some_and(|last| rank <= last) {
            return Err(format!(
                "`{text}`: write units largest first, each once (like 1h30m)"
            ));
        }
        last_rank = Some(rank);
        total += Duration::from_millis(number.saturating_mul(millis));
        rest = after;
    }
    Ok(total)
}

/// Formats a duration compactly for screens and reports: `1h30m`, `45s`, `250ms`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis() as u64;
    if ms == 0 {
        return "0s".into();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

/// A point on the migration timeline, relative to the planned start (T-0), in seconds.
pub fn parse_time_mark(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t == "T0" || t == "T-0" || t == "T+0" {
        return Ok(0);
    }
    let (sign, rest) = if let Some(r) = t.strip_prefix("T-") {
        (-1, r)
    } else if let Some(r) = t.strip_prefix("T+") {
        (1, r)
    } else {
        return Err(format!(
            "`{text}` is not a time mark: write T-2h, T0 or T+15m"
        ));
    };
    let d = parse_duration(rest)?;
    Ok(sign * d.as_secs() as i64)
}

/// Formats seconds relative to T-0 as `T-2h`, `T0`, `T+15m`.
pub fn format_time_mark(offset_secs: i64) -> String {
    match offset_secs {
        0 => "T0".into(),
        s if s < 0 => format!(
            "T-{}",
            format_duration(Duration::from_secs(s.unsigned_abs()))
        ),
        s => format!("T+{}", format_duration(Duration::from_secs(s as u64))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        let cases = [
            ("500ms", 500),
            ("10s", 10_000),
            ("5m", 300_000),
            ("1h30m", 5_400_000),
            ("2d", 172_800_000),
            ("1m30s", 90_000),
        ];
        for (text, ms) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(ms)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_bad_durations() {
        for text in ["", "10", "m", "5 minutes", "30m1h", "1h1h", "1.5h", "-5s"] {
            assert!(parse_duration(text).is_err(), "{text} should fail");
        }
    }

    #[test]
    fn time_marks_round_trip() {
        for (text, secs) in [
            ("T-2h", -7200),
            ("T0", 0),
            ("T+15m", 900),
            ("T+24h", 86_400),
        ] {
            assert_eq!(parse_time_mark(text), Ok(secs));
        }
        assert_eq!(format_time_mark(-7200), "T-2h");
        assert_eq!(format_time_mark(5430), "T+1h30m30s");
        assert!(parse_time_mark("+15m").is_err());
    }
}
