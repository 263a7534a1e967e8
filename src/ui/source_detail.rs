//! One source in full (`Enter` in the telemetry pane): what is polled and how often, the
//! thresholds, the value now, the last hour, and the last error text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::telemetry::{cost_report, short_service, value_text, verdict};
use super::telemetry_text::{spark_levels, sparkline};
use super::wrap::wrapped_height;
use super::{Look, hhmm, pad_right, width_of};
use crate::app::App;
use crate::runbook::duration::format_duration;
use crate::runbook::{BodyCheck, CloudWatchQuery, Direction, Source, SourceSpec};
use crate::telemetry::format::{age, value};
use crate::telemetry::sample::{Calls, CostReport, ForecastMethod};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, id: &str, look: &Look) {
    let Some(source) = app.source(id) else {
        return;
    };
    let t = look.theme;
    let width = area.width.saturating_sub(4).min(76);
    let inner_width = width as usize;
    let mut lines = vec![
        Line::styled(describe(&source.spec), t.text),
        Line::styled(
            format!(
                "every {} · timeout {} · {}",
                format_duration(source.interval),
                format_duration(source.timeout),
                thresholds(source)
            ),
            t.muted,
        ),
    ];
    let (glyph, word, style) = verdict(app, source, look);
    let seen = app
        .source_age(&source.id)
        .map_or("never polled".into(), |a| format!("{} ago", age(a)));
    lines.push(Line::from(vec![
        Span::styled("now  ", t.title),
        Span::styled(format!("{glyph} {word} "), style),
        Span::styled(format!("{} · {seen}", value_text(app, source)), t.text),
    ]));
    // The sparkline's line, its widget and its width: drawn in its own cells after the text.
    let mut spark = None;
    if let Some(h) = app.history(&source.id) {
        let since = app.now - time::Duration::hours(1);
        let recent: Vec<f64> = h
            .values
            .iter()
            .filter(|(at, _)| *at >= since)
            .map(|(_, v)| *v)
            .collect();
        let unit = if matches!(source.spec, SourceSpec::Http { .. }) {
            Some("ms")
        } else {
            source.unit.text()
        };
        let spark_width = inner_width.saturating_sub(6).min(60);
        let levels = spark_levels(
            h.values.iter().copied(),
            since,
            app.now,
            spark_width,
            source.thresholds.fail.or(source.thresholds.warn),
        );
        spark = Some((
            lines.len(),
            sparkline(levels, look.glyphs, t.accent),
            spark_width,
        ));
        lines.push(Line::from(vec![
            Span::styled(SPARK_LABEL, t.title),
            Span::styled(" ".repeat(spark_width), t.accent),
        ]));
        if !recent.is_empty() {
            let min = recent.iter().copied().fold(f64::INFINITY, f64::min);
            let max = recent.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let avg = recent.iter().sum::<f64>() / recent.len() as f64;
            lines.push(Line::styled(
                format!(
                    "     min {} · avg {} · max {} · {} samples",
                    value(min, unit),
                    value(avg, unit),
                    value(max, unit),
                    recent.len()
                ),
                t.muted,
            ));
        }
        lines.push(Line::styled(
            format!("polls {} · failed {}", h.polls, h.failures),
            t.muted,
        ));
        if let Some((at, why)) = &h.last_error {
            lines.push(Line::styled(
                format!("last error at {}:", hhmm(*at)),
                t.title,
            ));
            lines.push(Line::styled(format!("  {why}"), t.danger));
        }
    }
    if let Some(report) = cost_report(app, source) {
        lines.push(Line::styled(
            format!(
                "as of {}{} · {}",
                hhmm(report.as_of),
                if report.from_cache {
                    " (from the disk cache)"
                } else {
                    ""
                },
                report.currency
            ),
            t.muted,
        ));
        lines.extend(cost_summary(app, report, look));
        let names = report.top.iter().map(|(name, _)| short_service(name));
        let name_width = names.map(width_of).max().unwrap_or(0).min(40);
        for (name, v) in &report.top {
            // Cents on every line, so the column lines up.
            let dollars = format!("${v:.2}");
            lines.push(Line::styled(
                format!(
                    "  {} {dollars:>10}",
                    pad_right(short_service(name), name_width)
                ),
                t.text,
            ));
        }
    }
    let close = app
        .keys
        .of(&crate::app::keymap::DETAIL)
        .label(crate::app::keymap::Do::Close);
    lines.push(Line::styled(format!("{close} close"), t.key));
    let title = format!(" {} ({}) ", source.label, source.id);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = super::dialogs::popup(area, width + 2, height);
    // The paragraph wraps the lines above the sparkline's: it sits below the rows they take.
    let spark = spark.map(|(index, widget, cells)| {
        let row = wrapped_height(&lines[..index], rect.width);
        (row, widget, cells)
    });
    let block = super::dialogs::boxed(&title, look);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
    if let Some((row, widget, cells)) = spark
        && row < inner.height
    {
        let label = width_of(SPARK_LABEL) as u16;
        let at = Rect::new(inner.x + label, inner.y + row, cells as u16, 1);
        frame.render_widget(widget, at.intersection(inner));
    }
}

/// What the sparkline's line starts with, before its cells.
const SPARK_LABEL: &str = "1h   ";

/// What is polled, in one line.
pub fn describe(spec: &SourceSpec) -> String {
    match spec {
        SourceSpec::Http {
            target,
            expect_status,
            body_check,
        } => {
            let expect = expect_status.map_or("2xx".into(), |s| s.to_string());
            let body = match body_check {
                Some(BodyCheck::PointerEquals { pointer, value }) => {
                    format!(", body {pointer} == {value}")
                }
                Some(BodyCheck::Regex(r)) => format!(", body ~ /{r}/"),
                None => String::new(),
            };
            format!(
                "http {} {} expects {expect}{body}",
                target.method, target.url
            )
        }
        SourceSpec::HttpJson { target, pointer } => {
            format!("http_json {} {} at {pointer}", target.method, target.url)
        }
        SourceSpec::Prometheus { url, query } => format!("prometheus {url}: {query}"),
        SourceSpec::CloudWatch { query, period, .. } => match query {
            CloudWatchQuery::Metric {
                namespace,
                metric,
                dimensions,
                stat,
            } => {
                let dims: Vec<String> =
                    dimensions.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "cloudwatch {namespace} {metric} {stat}/{} {}",
                    format_duration(*period),
                    dims.join(",")
                )
            }
            CloudWatchQuery::Expression(e) => format!("cloudwatch expression {e}"),
        },
        SourceSpec::CostExplorer {
            group_by, metric, ..
        } => format!("cost_explorer {metric} month to date by {group_by}"),
        SourceSpec::Command { command, pointer } => match pointer {
            Some(p) => format!("command `{command}` at {p}"),
            None => format!("command `{command}`"),
        },
        SourceSpec::ReadBack { get } => format!("the traffic actuator's read-back `{get}`"),
        SourceSpec::AwsReadBack(a) => format!(
            "the {} actuator's read-back of the weights in force",
            a.mechanism.kind_name()
        ),
    }
}

fn thresholds(source: &Source) -> String {
    let t = &source.thresholds;
    let op = match t.direction {
        Direction::Above => "≥",
        Direction::Below => "≤",
    };
    let unit = source.unit.text();
    match (t.warn, t.fail) {
        (None, None) => "no thresholds".into(),
        (w, f) => [("warn", w), ("fail", f)]
            .iter()
            .filter_map(|(name, v)| v.map(|v| format!("{name} {op} {}", value(v, unit))))
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

/// The cost panel's numbers in words: budget use, the month-end forecast and who made it, and
/// what the cockpit's own AWS calls cost so far.
fn cost_summary<'a>(app: &App, report: &CostReport, look: &Look) -> Vec<Line<'a>> {
    let t = look.theme;
    let mut lines = Vec::new();
    if let Some(budget) = report.budget {
        lines.push(Line::styled(
            format!(
                "budget {} · {:.0}% used",
                value(budget, Some("$")),
                report.month_to_date / budget * 100.0
            ),
            t.text,
        ));
    }
    if let Some(f) = report.forecast {
        let by = match f.method {
            ForecastMethod::CostExplorer => "Cost Explorer's forecast",
            ForecastMethod::Projection => "projected from the month's complete days",
        };
        lines.push(Line::styled(
            format!("month end {} ({by})", value(f.month_end, Some("$"))),
            t.text,
        ));
    }
    let calls = app.calls.cost_explorer;
    lines.push(Line::styled(
        format!(
            "this cockpit's Cost Explorer calls: {calls} = ${:.2}",
            calls as f64 * Calls::COST_EXPLORER_USD
        ),
        t.muted,
    ));
    lines
}
