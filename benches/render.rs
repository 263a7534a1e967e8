//! One frame of the cockpit, drawn into ratatui's `TestBackend`.
//!
//! Runbooks of 100 and 10,000 steps are generated as TOML text (`support/steps.rs`), loaded
//! with `runbook::parse`, then drawn at 80x24 and 200x60 with a step in the middle selected, so
//! the checklist has to scroll. If drawing only touches the rows in view, both sizes of runbook
//! should cost about the same per frame.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use flightdeck::app::{App, Row};
use flightdeck::runbook;
use flightdeck::theme::Theme;
use flightdeck::ui::{self, Look, glyphs};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::OffsetDateTime;
use time::macros::datetime;

#[path = "support/steps.rs"]
mod steps;
use steps::{PHASE_LEN, generate};

/// A fixed clock, so every run draws the same header.
const NOW: OffsetDateTime = datetime!(2026-11-21 22:00:00 UTC);

/// The generated runbook, loaded, with a step in the middle selected.
fn app_for(steps: usize) -> App {
    let text = generate(steps);
    let loaded = runbook::parse(&text)
        .unwrap_or_else(|d| panic!("generated runbook ({steps} steps) is invalid: {d:?}"));
    assert_eq!(loaded.runbook.steps().count(), steps);
    let mut app = App::new(loaded.runbook, "bench".into(), "bench-run".into(), NOW);
    let phases = app.runbook.phases.len();
    let middle = Row::Step(phases / 2, PHASE_LEN / 2);
    assert!(app.step_at(middle).is_some(), "{middle:?} is not a step");
    app.selected = middle;
    app
}

fn render(c: &mut Criterion) {
    let theme = Theme::default_dark();
    let look = Look {
        theme: &theme,
        glyphs: &glyphs::UNICODE,
    };
    let mut group = c.benchmark_group("render");
    for steps in [100, 10_000] {
        let mut app = app_for(steps);
        for (w, h) in [(80, 24), (200, 60)] {
            app.size = (w, h);
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
            let id = BenchmarkId::new(format!("{w}x{h}"), format!("{steps}_steps"));
            group.bench_with_input(id, &app, |b, app| {
                b.iter(|| {
                    terminal
                        .draw(|f| ui::draw(f, black_box(app), &look))
                        .expect("draw");
                })
            });
        }
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = render
}
criterion_main!(benches);
