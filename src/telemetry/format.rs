//! How telemetry values are written, on screen, in `status` and in gate evidence: numbers with
//! their units, and ages. Pure string functions.

/// A value in its unit, short: `4.2s`, `0.02%`, `$312`, `87ms`, `1.2k rps`.
pub fn value(v: f64, unit: Option<&str>) -> String {
    if !v.is_finite() {
        return "NaN".into();
    }
    match unit {
        Some("$") => {
            if v.abs() >= 100.0 {
                format!("${v:.0}")
            } else {
                format!("${v:.2}")
            }
        }
        // Long latencies read better in seconds.
        Some("ms") if v.abs() >= 10_000.0 => format!("{}s", number(v / 1000.0)),
        Some(u @ ("s" | "ms" | "m" | "h" | "d" | "%")) => format!("{}{u}", number(v)),
        Some(u) => format!("{} {u}", number(v)),
        None => number(v),
    }
}

/// A round trip, in whole milliseconds: a loopback health check wobbles by hundredths of a
/// millisecond from poll to poll, and showing them would repaint the row on every poll for
/// nothing an operator acts on. The gates still compare the exact value.
pub fn latency(ms: f64) -> String {
    match ms {
        ms if ms < 1.0 => "<1ms".into(),
        ms if ms < 10_000.0 => format!("{ms:.0}ms"),
        ms => value(ms, Some("ms")),
    }
}

/// Three significant digits or so, with k/M for big numbers.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        trim(format!("{v:.1}"))
    } else if a >= 0.01 {
        trim(format!("{v:.2}"))
    } else {
        format!("{v:.3}")
    }
}

/// `4.20` → `4.2`, `3.0` → `3`.
fn trim(text: String) -> String {
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `3s`, `12m`, `2h`, `3d`.
pub fn age(secs: i64) -> String {
    match secs {
        s if s < 90 => format!("{s}s"),
        s if s < 90 * 60 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// `200,000`: digits in groups of three, for counts a person reads.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_do_not_flicker() {
        for (ms, want) in [
            (0.04, "<1ms"),
            (0.93, "<1ms"),
            (1.26, "1ms"),
            (1.74, "2ms"),
            (87.4, "87ms"),
            (30_000.0, "30s"),
        ] {
            assert_eq!(latency(ms), want, "{ms}");
        }
    }

    #[test]
    fn values_read_naturally() {
        let cases = [
            (4.25, Some("s"), "4.25s"),
            (4.2, Some("s"), "4.2s"),
            (42.0, Some("s"), "42s"),
            (0.021, Some("%"), "0.02%"),
            (312.4, Some("$"), "$312"),
            (12.5, Some("$"), "$12.50"),
            (87.0, Some("ms"), "87ms"),
            (30_000.0, Some("ms"), "30s"),
            (12_345.0, Some("rps"), "12.3k rps"),
            (0.0004, None, "0.000"),
            (f64::NAN, Some("s"), "NaN"),
        ];
        for (v, unit, want) in cases {
            assert_eq!(value(v, unit), want, "{v} {unit:?}");
        }
    }

    #[test]
    fn ages_round_down_to_a_readable_unit() {
        for (secs, want) in [
            (3, "3s"),
            (89, "89s"),
            (90, "1m"),
            (5400, "1h"),
            (200_000, "2d"),
        ] {
            assert_eq!(age(secs), want);
        }
    }
}
