//! The telemetry side of the cockpit as data and as frames: samples in, panes and the source
//! detail out, at a fixed clock.

mod support;

use flightdeck::app::{App, Key, Layer, Msg, Pane};
use flightdeck::runbook;
use flightdeck::telemetry::poller::Report;
use flightdeck::telemetry::sample::{Calls, CostReport, Detail, Forecast, ForecastMethod};
use flightdeck::telemetry::{Reading, Sample};
use flightdeck::theme::Theme;
use ratatui::buffer::Buffer;
use support::frames::text;
use support::{NOW, keys};

fn render(app: &App, w: u16, h: u16) -> Buffer {
    support::frames::render(app, w, h, false)
}
use time::Duration;

fn app() -> App {
    let text = include_str!("fixtures/telemetry.toml");
    let rb = runbook::parse(text)
        .unwrap_or_else(|d| panic!("fixture invalid: {d:?}"))
        .runbook;
    App::new(rb, "op@bastion".into(), "run-1".into(), NOW)
}

fn sample(app: &mut App, id: &str, secs_ago: i64, reading: Reading) {
    let s = Sample::new(id, NOW - Duration::seconds(secs_ago), reading);
    app.update(Msg::Telemetry(Report::Sample(s)));
}

/// An app with every kind of state on screen: up, down, a rising lag with an hour of history,
/// a stale error rate, and a cached cost answer.
fn fed_app() -> App {
    let mut app = app();
    sample(&mut app, "blue", 3, Reading::Up { latency_ms: 12.0 });
    sample(
        &mut app,
        "green",
        4,
        Reading::Down {
            reason: "status 503 (expected 2xx)".into(),
        },
    );
    for i in 0..60 {
        // One value a minute over the last hour, rising from 1 s to 12 s.
        let v = 1.0 + 11.0 * i as f64 / 59.0;
        sample(&mut app, "lag", (59 - i) * 60 + 5, Reading::Number(v));
    }
    // 0.02 % three minutes ago at a 60 s interval: stale.
    sample(&mut app, "errors", 180, Reading::Number(0.02));
    let mut cost = Sample::new("cost", NOW - Duration::seconds(30), Reading::Number(312.0));
    cost.detail = Some(Box::new(Detail::Cost(CostReport {
        month_to_date: 312.0,
        currency: "USD".into(),
        budget: Some(395.0),
        forecast: Some(Forecast {
            month_end: 401.0,
            method: ForecastMethod::Projection,
        }),
        top: vec![
            ("Amazon Relational Database Service".into(), 180.0),
            ("AWS Database Migration Service".into(), 90.0),
            ("Amazon Simple Storage Service".into(), 42.0),
        ],
        as_of: NOW - Duration::minutes(20),
        from_cache: true,
    })));
    app.update(Msg::Telemetry(Report::Sample(cost)));
    app.update(Msg::Telemetry(Report::Calls(Calls {
        cost_explorer: 0,
        cloudwatch_metrics: 120,
    })));
    app
}

/// Position of the first cell of `needle` on screen.
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let screen = text(buf);
    for (y, line) in screen.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count();
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{screen}");
}

#[test]
fn samples_are_kept_per_source_and_strangers_dropped() {
    let mut app = app();
    sample(&mut app, "lag", 1, Reading::Number(4.0));
    sample(&mut app, "no_such_source", 1, Reading::Number(1.0));
    assert_eq!(
        app.telemetry.latest("lag").unwrap().reading,
        Reading::Number(4.0)
    );
    assert!(!app.telemetry.sources.contains_key("no_such_source"));
    app.update(Msg::Telemetry(Report::Calls(Calls {
        cost_explorer: 2,
        cloudwatch_metrics: 1000,
    })));
    assert_eq!(app.calls.cost_explorer, 2);
    assert!((app.calls.dollars() - 0.03).abs() < 1e-9);
}

#[test]
fn tab_reaches_telemetry_and_enter_opens_the_selected_source() {
    let mut app = app();
    keys(&mut app, &[Key::Tab]);
    assert_eq!(app.focus, Pane::Detail);
    keys(&mut app, &[Key::Tab]);
    assert_eq!(app.focus, Pane::Telemetry);
    // Listed by panel: health (blue, green), sync (lag), metrics (errors), cost.
    keys(&mut app, &[Key::Down, Key::Down, Key::Enter]);
    assert_eq!(
        app.top_layer(),
        Some(&Layer::SourceDetail {
            source: "lag".into()
        })
    );
    keys(&mut app, &[Key::Esc]);
    assert!(app.layers.is_empty());
    keys(&mut app, &[Key::End]);
    assert_eq!(app.selected_source().unwrap().id, "cost");
    keys(&mut app, &[Key::Down]);
    assert_eq!(
        app.selected_source().unwrap().id,
        "cost",
        "stops at the end"
    );
    keys(&mut app, &[Key::Tab]);
    assert_eq!(app.focus, Pane::Checklist, "Tab wraps around");
    keys(&mut app, &[Key::BackTab]);
    assert_eq!(app.focus, Pane::Telemetry, "Shift-Tab goes back");
    keys(&mut app, &[Key::Char('h')]);
    assert_eq!(app.focus, Pane::Checklist);
}

#[test]
fn telemetry_pane_at_80x24() {
    let app = fed_app();
    let buf = render(&app, 80, 24);
    insta::assert_snapshot!(text(&buf));
    let theme = Theme::default_dark();
    // Words carry the state, colours repeat it.
    let (x, y) = find(&buf, "DOWN");
    assert_eq!(buf[(x, y)].fg, theme.danger.fg.unwrap());
    let (x, y) = find(&buf, "STALE");
    assert_eq!(buf[(x, y)].fg, theme.stale.fg.unwrap());
    let (x, y) = find(&buf, "WARN");
    assert_eq!(buf[(x, y)].fg, theme.warn.fg.unwrap());
}

#[test]
fn telemetry_column_on_a_wide_screen() {
    let app = fed_app();
    let screen = text(&render(&app, 140, 40));
    insta::assert_snapshot!(screen);
    for heading in ["Health", "Sync", "Metrics", "Cost"] {
        assert!(
            screen.contains(heading),
            "{heading} heading with room to spare"
        );
    }
    assert!(
        screen.contains("top Relational Database Service $180"),
        "{screen}"
    );
}

#[test]
fn source_detail_shows_history_and_the_last_error() {
    let mut app = fed_app();
    sample(
        &mut app,
        "green",
        1,
        Reading::Error("connection refused".into()),
    );
    keys(&mut app, &[Key::Tab, Key::Tab, Key::Down, Key::Enter]);
    let screen = text(&render(&app, 80, 24));
    insta::assert_snapshot!(screen);
    assert!(screen.contains("connection refused"));
    assert!(screen.contains("polls 2 · failed 2"));
}

/// The cost detail says in words what the row abbreviates: budget use, the month-end forecast
/// and who made it, what the cockpit's own calls cost, and the top services.
#[test]
fn cost_detail_shows_budget_forecast_and_calls() {
    let mut app = fed_app();
    app.update(Msg::Telemetry(Report::Calls(Calls {
        cost_explorer: 3,
        cloudwatch_metrics: 0,
    })));
    keys(&mut app, &[Key::Tab, Key::Tab, Key::End, Key::Enter]);
    let screen = text(&render(&app, 80, 24));
    insta::assert_snapshot!(screen);
    for expected in [
        "budget $395 · 79% used",
        "month end $401 (projected from the month's complete days)",
        "this cockpit's Cost Explorer calls: 3 = $0.03",
        "Relational Database Service",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }
}
