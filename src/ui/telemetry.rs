//! The telemetry pane: one row per source, grouped by panel (health, sync, metrics, cost), each
//! with its level by glyph and word, its value, and its age. Sync rows carry a sparkline of the
//! last hour and a trend; the cost group adds the budget bar, forecast, top services, as-of time
//! and what the cockpit's own AWS calls cost. Headings and the top-services line appear when
//! there is room.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Sparkline};

use super::telemetry_text::{bar, spark_levels, sparkline, trend};
use super::{Look, fit, pad_right, width_of};
use crate::app::sources::PANELS;
use crate::app::{App, Pane};
use crate::runbook::{Panel, Source, SourceSpec};
use crate::telemetry::format::{age, latency, value};
use crate::telemetry::sample::word;
use crate::telemetry::{CostReport, Detail, Level, Reading};

/// Lines the pane needs without headings, for the layout to size it.
pub fn lines_needed(app: &App) -> usize {
    let count = |panel| {
        app.runbook
            .sources
            .iter()
            .filter(|s| s.panel == panel)
            .count()
    };
    let cost = count(Panel::Cost);
    // Sync sources add their sparkline line, cost sources their budget line, the cost group
    // its calls line.
    app.runbook.sources.len() + count(Panel::Sync) + cost + usize::from(cost > 0)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, look: &Look) {
    let t = look.theme;
    let focused = app.focus == Pane::Telemetry && app.layers.is_empty();
    let block = super::pane(" Telemetry ", focused, look);
    let inner = block.inner(area);
    let (width, height) = (inner.width as usize, inner.height as usize);
    let groups = PANELS
        .iter()
        .filter(|p| app.runbook.sources.iter().any(|s| s.panel == **p))
        .count();
    // Headings and top services only when everything else fits too.
    let rich = lines_needed(app) + groups + top_lines(app) <= height;
    // Count first, build only what is in view: a thousand sources are a thousand rows, and
    // a pane of twenty shows twenty. Counting builds nothing.
    let (mut total, mut selected_line) = (0, 0);
    for pos in 0..app.source_order.len() {
        if pos == app.source_selected {
            selected_line = total
                + items(app, pos, rich)
                    .take_while(|item| *item != Item::Row)
                    .count();
        }
        total += items(app, pos, rich).count();
    }
    // Keep the selection in view when the list is longer than the pane.
    let scroll = selected_line.saturating_sub(height.saturating_sub(2));
    let in_view: Vec<(usize, Item)> = (0..app.source_order.len())
        .flat_map(|pos| items(app, pos, rich).map(move |item| (pos, item)))
        .skip(scroll)
        .take(height)
        .collect();
    let mut sparks = Vec::new();
    let mut lines = Vec::with_capacity(in_view.len());
    for (row, &(pos, item)) in in_view.iter().enumerate() {
        let source = &app.runbook.sources[app.source_order[pos]];
        lines.push(ListItem::new(match item {
            Item::Heading => Line::styled(panel_title(source.panel), t.title),
            Item::Row => source_row(app, source, width, look),
            Item::Spark => {
                let (line, spark) = spark_line(app, source, width, look);
                sparks.extend(spark.map(|s| (row, s)));
                line
            }
            // `items` counts these only for a source with a report.
            Item::Cost | Item::Top => match cost_report(app, source) {
                Some(report) if item == Item::Cost => cost_line(report, width, look),
                Some(report) => top_line(report, width, look),
                None => Line::default(),
            },
            Item::Calls => calls_line(app, width, look),
        }));
    }
    // The list holds only the lines in view, so its selection counts from the first of them;
    // the selection shows while the pane has the keyboard.
    let highlighted = in_view
        .iter()
        .position(|&(pos, item)| focused && pos == app.source_selected && item == Item::Row);
    let mut state = ListState::default().with_selected(highlighted);
    let list = List::new(lines).block(block).highlight_style(t.selection);
    frame.render_stateful_widget(list, area, &mut state);
    // Each sparkline in its own row, over the blank cells its line keeps for it.
    for (row, (spark, cells)) in sparks {
        let at = Rect::new(inner.x + 2, inner.y + row as u16, cells as u16, 1);
        frame.render_widget(spark, at.intersection(inner));
    }
    let border = if focused { t.border_focus } else { t.border };
    super::scrollbar(frame, area, (scroll, height, total), border, look);
}

/// The lines of one source's entry in the pane, before any is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// The panel's title, above its first source when there is room.
    Heading,
    Row,
    /// A sync source's sparkline.
    Spark,
    /// A cost source's budget line, and its top services when there is room.
    Cost,
    Top,
    /// What the cockpit's own AWS calls cost, after the last cost source.
    Calls,
}

/// The lines of the entry at `pos` in the pane's order, in order.
fn items(app: &App, pos: usize, rich: bool) -> impl Iterator<Item = Item> + use<> {
    let order = &app.source_order;
    let panel = |pos: usize| order.get(pos).map(|&i| app.runbook.sources[i].panel);
    let Some(this) = panel(pos) else {
        return [None; 6].into_iter().flatten();
    };
    let first_of_group = pos == 0 || panel(pos - 1) != Some(this);
    let last_of_group = panel(pos + 1) != Some(this);
    let has_report = cost_report(app, &app.runbook.sources[order[pos]]).is_some();
    [
        (rich && first_of_group).then_some(Item::Heading),
        Some(Item::Row),
        (this == Panel::Sync).then_some(Item::Spark),
        has_report.then_some(Item::Cost),
        (has_report && rich).then_some(Item::Top),
        (this == Panel::Cost && last_of_group).then_some(Item::Calls),
    ]
    .into_iter()
    .flatten()
}

fn top_lines(app: &App) -> usize {
    app.runbook
        .sources
        .iter()
        .filter(|s| s.panel == Panel::Cost)
        .count()
}

fn panel_title(panel: Panel) -> &'static str {
    match panel {
        Panel::Health => "Health",
        Panel::Sync => "Sync",
        Panel::Metrics => "Metrics",
        Panel::Cost => "Cost",
    }
}

/// The glyph, word and style of a source's state now.
pub fn verdict(app: &App, source: &Source, look: &Look) -> (&'static str, &'static str, Style) {
    let t = look.theme;
    let level = app.source_level(source);
    let style = match level {
        Level::Ok => t.ok,
        Level::Warn => t.warn,
        Level::Fail => t.danger,
        Level::Unknown => t.stale,
    };
    let glyph = look.glyphs.level(level);
    let word = word(
        source,
        app.telemetry.current(&source.id),
        app.telemetry.latest(&source.id),
        app.now,
    );
    (glyph, word, style)
}

/// The latest value as text (the last known one, even when stale: the word says STALE).
pub fn value_text(app: &App, source: &Source) -> String {
    match app.telemetry.current(&source.id).map(|s| &s.reading) {
        Some(Reading::Up { latency_ms }) => latency(*latency_ms),
        Some(r) => r
            .value()
            .map_or("—".into(), |v| value(v, source.unit.text())),
        None => "—".into(),
    }
}

fn source_row<'a>(app: &App, source: &Source, width: usize, look: &Look) -> Line<'a> {
    let t = look.theme;
    let (glyph, word, style) = verdict(app, source, look);
    let value = value_text(app, source);
    let age = age_cell(app, source);
    // glyph, label, value, word, age
    let label_width = width.saturating_sub(2 + 1 + 8 + 1 + 5 + 1 + 4).max(4);
    Line::from(vec![
        Span::styled(format!("{glyph} "), style),
        Span::styled(
            format!(
                "{} ",
                pad_right(&fit(&source.label, label_width), label_width)
            ),
            t.text,
        ),
        Span::styled(format!("{value:>8} "), t.text),
        Span::styled(format!("{word:<5} "), style),
        Span::styled(format!("{age:>4}"), t.muted),
    ])
}

/// How old the value is, once that says something: a value younger than a minute and within
/// its polling interval (and a second for the poll itself) is as fresh as the source makes it,
/// `now`. A count of 0s, 1s, 0s would repaint every row on every poll; a late poll shows its age
/// at once, and so does an hourly source's answer, whose minutes matter.
fn age_cell(app: &App, source: &Source) -> String {
    let fresh = (source.interval.as_secs() as i64 + 1).min(59);
    match app.source_age(&source.id) {
        None => "-".into(),
        Some(secs) if secs <= fresh => "now".into(),
        Some(secs) => age(secs),
    }
}

/// `  ▁▂▃▅▇█▇▅ ↘ 1h · fail 30s`: the last hour, scaled so a full cell is the fail threshold.
/// The line keeps blank cells where ratatui's `Sparkline`, returned with their count, goes.
fn spark_line<'a>(
    app: &App,
    source: &Source,
    width: usize,
    look: &Look,
) -> (Line<'a>, Option<(Sparkline<'a>, usize)>) {
    let t = look.theme;
    let ceiling = source.thresholds.fail.or(source.thresholds.warn);
    let limit = ceiling.map_or(String::new(), |c| {
        format!(" {} ", value(c, source.unit.text()))
    });
    let spark_width = width.saturating_sub(2 + 2 + width_of(&limit) + 3).max(1);
    let Some(h) = app.history(&source.id) else {
        return (Line::default(), None);
    };
    let levels = spark_levels(
        h.values.iter().copied(),
        app.now - time::Duration::hours(1),
        app.now,
        spark_width,
        ceiling,
    );
    let arrow = trend(&h.values, time::Duration::minutes(5), look.glyphs);
    let line = Line::from(vec![
        Span::raw("  "),
        Span::styled(" ".repeat(spark_width), t.accent),
        Span::styled(format!(" {arrow}"), t.text),
        Span::styled(format!("{limit}1h"), t.muted),
    ]);
    let spark = sparkline(levels, look.glyphs, t.accent);
    (line, Some((spark, spark_width)))
}

/// The Cost Explorer answer behind a cost source's row. Only those sources have one: the
/// others are not looked up, since the pane asks this of every source on every frame (with a
/// thousand HTTP sources the lookups were half of a frame).
pub fn cost_report<'a>(app: &'a App, source: &Source) -> Option<&'a CostReport> {
    if !matches!(source.spec, SourceSpec::CostExplorer { .. }) {
        return None;
    }
    let sample = app.telemetry.latest(&source.id)?;
    match sample.detail.as_deref()? {
        Detail::Cost(report) => Some(report),
    }
}

/// `  ████░░ 79% of $395 · fc $401~ · cached`: budget use, forecast (`~` when projected by
/// Flightdeck rather than forecast by AWS), and whether the answer came from the disk cache.
/// The row above shows the answer's age.
fn cost_line<'a>(report: &CostReport, width: usize, look: &Look) -> Line<'a> {
    let t = look.theme;
    let mut spans = vec![Span::raw("  ")];
    if let Some(budget) = report.budget {
        let pct = report.month_to_date / budget * 100.0;
        let style = if pct >= 100.0 {
            t.danger
        } else if pct >= 80.0 {
            t.warn
        } else {
            t.ok
        };
        spans.push(Span::styled(
            bar(report.month_to_date, budget, 8, look.glyphs),
            style,
        ));
        spans.push(Span::styled(
            format!(" {pct:.0}% of {}", value(budget, Some("$"))),
            t.text,
        ));
    }
    if let Some(f) = report.forecast {
        let mark = match f.method {
            crate::telemetry::sample::ForecastMethod::CostExplorer => "",
            crate::telemetry::sample::ForecastMethod::Projection => "~",
        };
        spans.push(Span::styled(
            format!(
                " {} fc {}{mark}",
                look.glyphs.sep,
                value(f.month_end, Some("$"))
            ),
            t.text,
        ));
    }
    if report.from_cache {
        spans.push(Span::styled(
            format!(" {} cached", look.glyphs.sep),
            t.muted,
        ));
    }
    fit_spans(spans, width)
}

fn top_line<'a>(report: &CostReport, width: usize, look: &Look) -> Line<'a> {
    let top: Vec<String> = report
        .top
        .iter()
        .take(4)
        .map(|(name, v)| format!("{} {}", short_service(name), value(*v, Some("$"))))
        .collect();
    let text = format!("  top {}", top.join(&format!(" {} ", look.glyphs.sep)));
    Line::styled(fit(&text, width), look.theme.muted)
}

/// `Amazon Elastic Compute Cloud - Compute` → `EC2`-like brevity is not derivable; cut the
/// common prefixes so more services fit.
pub fn short_service(name: &str) -> &str {
    name.strip_prefix("Amazon ")
        .or_else(|| name.strip_prefix("AWS "))
        .unwrap_or(name)
}

/// What the cockpit's own AWS calls cost this session.
fn calls_line<'a>(app: &App, width: usize, look: &Look) -> Line<'a> {
    let c = app.calls;
    let text = format!(
        "  AWS calls: {} CE, {} CW metrics = ${:.2}",
        c.cost_explorer,
        c.cloudwatch_metrics,
        c.dollars()
    );
    Line::styled(fit(&text, width), look.theme.muted)
}

/// Cuts a line of spans to `width` columns.
fn fit_spans(spans: Vec<Span<'_>>, width: usize) -> Line<'_> {
    let mut used = 0;
    let mut out = Vec::new();
    for span in spans {
        let w = span.width();
        if used + w <= width {
            used += w;
            out.push(span);
        } else {
            let room = width.saturating_sub(used);
            if room > 1 {
                out.push(Span::styled(fit(&span.content, room), span.style));
            }
            break;
        }
    }
    Line::from(out)
}
