//! Sparklines, trends and bars for the telemetry pane. Pure functions, unit-tested; the
//! sparkline is drawn by ratatui's `Sparkline` from the levels computed here.
//! (Numbers with units and ages are in `telemetry::format`, shared with `status` and gates.)

use ratatui::style::Style;
use ratatui::widgets::Sparkline;
use time::OffsetDateTime;

use super::glyphs::Glyphs;

/// The highest level of a sparkline cell: a full cell.
const FULL: u64 = 8;

/// A sparkline's cells over the values since `since`, `width` of them: each the largest value
/// of its slice of time (a spike must not be averaged away) as a level from 1 (lowest) to 8
/// (full), or `None` where no value fell. Scaled from 0 (or the smallest value if negative) to
/// `ceiling` or the largest value, whichever is higher, so a full cell means "at the fail
/// threshold or beyond".
pub fn spark_levels(
    values: impl Iterator<Item = (OffsetDateTime, f64)>,
    since: OffsetDateTime,
    now: OffsetDateTime,
    width: usize,
    ceiling: Option<f64>,
) -> Vec<Option<u64>> {
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
    let top = (FULL - 1) as f64;
    cells
        .iter()
        .map(|c| c.map(|v| ((v - lo) / (hi - lo) * top).round().clamp(0.0, top) as u64 + 1))
        .collect()
}

/// ratatui's `Sparkline` of `levels` in one row: level 1 is the lowest glyph, 8 a full cell,
/// a cell without a value blank.
pub fn sparkline<'a>(levels: Vec<Option<u64>>, glyphs: &Glyphs, style: Style) -> Sparkline<'a> {
    Sparkline::default()
        .data(levels)
        .max(FULL)
        .bar_set(glyphs.spark.clone())
        .absent_value_symbol(" ")
        .style(style)
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

    /// The cells ratatui's `Sparkline` draws for `levels`, as text.
    fn drawn(levels: Vec<Option<u64>>, glyphs: &Glyphs) -> String {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        use ratatui::widgets::Widget;
        let area = Rect::new(0, 0, levels.len() as u16, 1);
        let mut buf = Buffer::empty(area);
        sparkline(levels, glyphs, Style::default()).render(area, &mut buf);
        buf.content.iter().map(|c| c.symbol()).collect()
    }

    #[test]
    fn sparkline_scales_to_the_ceiling_and_keeps_spikes() {
        let t0 = datetime!(2026-12-05 22:00:00 UTC);
        let at = |s: i64| t0 + time::Duration::seconds(s);
        let values = vec![(at(0), 0.0), (at(10), 30.0), (at(11), 1.0), (at(35), 15.0)];
        let levels = spark_levels(values.into_iter(), t0, at(40), 4, Some(30.0));
        assert_eq!(
            levels,
            [Some(1), Some(8), None, Some(5)],
            "cell 1 keeps the spike of 30 over the 1; cell 2 is empty"
        );
        assert_eq!(drawn(levels, &ASCII), "_# -");
        let levels = spark_levels(vec![(at(39), 15.0)].into_iter(), t0, at(40), 4, Some(30.0));
        let line = drawn(levels, &UNICODE);
        assert_eq!(line.chars().last(), Some('▅'), "half the ceiling");
        assert_eq!(line, "   ▅", "no value, no bar");
    }

    #[test]
    fn every_level_draws_its_own_glyph() {
        let levels: Vec<Option<u64>> = (1..=8).map(Some).collect();
        assert_eq!(drawn(levels.clone(), &ASCII), "_.,:-=*#");
        assert_eq!(drawn(levels, &UNICODE), "▁▂▃▄▅▆▇█");
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
