//! How telemetry values are written on screen: numbers with units, ages, sparklines, trends and
//! bars. Pure string functions, unit-tested.

use time::OffsetDateTime;

use super::glyphs::Glyphs;

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
        Some(u @ ("s" | "ms" | "m" | "h" | "%")) => format!("{}{u}", number(v)),
        Some(u) => format!("{} {u}", number(v)),
        None => number(v),
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

/// A sparkline of `width` cells over the values since `since`: each cell the largest value of
/// its slice of time (a spike must not be averaged away), scaled from 0 (or the smallest value
/// if negative) to `ceiling` or the largest value, whichever is higher, so a full cell means
/// "at the fail threshold or beyond".
pub fn sparkline(
    values: impl Iterator<Item = (OffsetDateTime, f64)>,
    since: OffsetDateTime,
    now: OffsetDateTime,
    width: usize,
    ceiling: Option<f64>,
    glyphs: &Glyphs,
) -> String {
    let span = (now - since).as_seconds_f64().max(1.0);
    let mut cells: Vec<Option<f64>> = vec![None; width];
    for (at, v) in values.filter(|(at, v)| *at >= since && v.is_finite()) {
        let i = (((at - since).as_seconds_f64() / span) * width as f64) as usize;
        let cell = &mut cells[i.min(width.saturating_sub(1))];
        *cell = Some(cell.map_or(v, |c: f64| c.max(v)));
    }
    let seen = cells.iter().flatten();
    let lo = seen.clone().copied().fold(0.0_f64, f64::min);
    let hi = seen
        .copied()
        .fold(ceiling.unwrap_or(f64::MIN), f64::max)
        .max(lo + f64::EPSILON);
    cells
        .iter()
        .map(|c| match c {
            None => ' ',
            Some(v) => {
                let level = ((v - lo) / (hi - lo) * 7.0).round().clamp(0.0, 7.0);
                glyphs.spark[level as usize]
            }
        })
        .collect()
}

/// Rising, falling or flat: the latest value against the one about `window` earlier (the
/// oldest one if the history is shorter), flat within 5 %.
pub fn trend(
    values: &std::collections::VecDeque<(OffsetDateTime, f64)>,
    window: time::Duration,
    glyphs: &Glyphs,
) -> &'static str {
    let Some(&(last_at, last)) = values.back() else {
        return " ";
    };
    let Some(&(_, before)) = values
        .iter()
        .rev()
        .find(|(at, _)| *at <= last_at - window)
        .or(values.front())
    else {
        return " ";
    };
    let scale = before.abs().max(last.abs()).max(f64::EPSILON);
    match (last - before) / scale {
        d if d > 0.05 => glyphs.trend[0],
        d if d < -0.05 => glyphs.trend[1],
        _ => glyphs.trend[2],
    }
}

/// A bar of `width` cells filled to `part / whole`.
pub fn bar(part: f64, whole: f64, width: usize, glyphs: &Glyphs) -> String {
    let filled = if whole > 0.0 {
        ((part / whole).clamp(0.0, 1.0) * width as f64).round() as usize
    } else {
        0
    };
    std::iter::repeat_n(glyphs.bar_full, filled)
        .chain(std::iter::repeat_n(glyphs.bar_empty, width - filled))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::glyphs::{ASCII, UNICODE};
    use time::macros::datetime;

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

    #[test]
    fn sparkline_scales_to_the_ceiling_and_keeps_spikes() {
        let t0 = datetime!(2026-12-05 22:00:00 UTC);
        let at = |s: i64| t0 + time::Duration::seconds(s);
        let values = vec![(at(0), 0.0), (at(10), 30.0), (at(11), 1.0), (at(35), 15.0)];
        let line = sparkline(values.into_iter(), t0, at(40), 4, Some(30.0), &ASCII);
        assert_eq!(
            line, "_# -",
            "cell 1 keeps the spike of 30 over the 1; cell 2 is empty"
        );
        let line = sparkline(
            vec![(at(39), 15.0)].into_iter(),
            t0,
            at(40),
            4,
            Some(30.0),
            &UNICODE,
        );
        assert_eq!(line.chars().last(), Some('▅'), "half the ceiling");
        assert_eq!(line.chars().count(), 4);
    }

    #[test]
    fn trend_compares_with_the_value_a_window_ago() {
        let t0 = datetime!(2026-12-05 22:00:00 UTC);
        let series = |vals: &[f64]| {
            vals.iter()
                .enumerate()
                .map(|(i, v)| (t0 + time::Duration::minutes(i as i64), *v))
                .collect::<std::collections::VecDeque<_>>()
        };
        let w = time::Duration::minutes(5);
        assert_eq!(trend(&series(&[40.0, 30.0, 20.0, 10.0]), w, &ASCII), "v");
        assert_eq!(trend(&series(&[1.0, 2.0, 3.0]), w, &ASCII), "^");
        assert_eq!(trend(&series(&[10.0, 10.2]), w, &ASCII), "-");
        assert_eq!(trend(&series(&[]), w, &ASCII), " ");
    }

    #[test]
    fn bars_fill_in_proportion_and_clamp() {
        assert_eq!(bar(50.0, 100.0, 4, &ASCII), "##--");
        assert_eq!(bar(500.0, 100.0, 4, &ASCII), "####");
        assert_eq!(bar(1.0, 0.0, 3, &ASCII), "---");
    }
}
