//! One frame of the cockpit, drawn into ratatui's `TestBackend`.
//!
//! Runbooks of 100 and 10,000 steps are generated as TOML text here and loaded with
//! `runbook::parse`, then drawn at 80x24 and 200x60 with a step in the middle selected, so the
//! checklist has to scroll. If drawing only touches the rows in view, both sizes of runbook
//! should cost about the same per frame.

use std::fmt::Write as _;
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

/// Steps per generated phase.
const PHASE_LEN: usize = 50;
/// A fixed clock, so every run draws the same header.
const NOW: OffsetDateTime = datetime!(2026-11-21 22:00:00 UTC);

/// A runbook of `steps` steps: phases of 50, every 5th step with a description, every 3rd a
/// command, the last step of each phase a go/no-go gate on the two sources, and a rollback plan.
fn generate(steps: usize) -> String {
    let mut t = String::with_capacity(steps * 200);
    writeln!(
        t,
        "[runbook]\nname = \"Generated benchmark runbook ({steps} steps)\"\n"
    )
    .unwrap();
    t.push_str(
        "[[source]]\n\
         id = \"api_health\"\n\
         kind = \"http\"\n\
         label = \"API /health\"\n\
         url = \"https://api.example.invalid/health\"\n\n\
         [[source]]\n\
         id = \"sync_lag\"\n\
         kind = \"prometheus\"\n\
         label = \"Replication lag\"\n\
         url = \"http://prometheus.example.invalid:9090\"\n\
         query = \"max(replication_lag_seconds)\"\n\
         unit = \"s\"\n\
         warn = 10.0\n\
         fail = 30.0\n\n",
    );
    for i in 0..steps {
        let (p, s) = (i / PHASE_LEN, i % PHASE_LEN);
        if s == 0 {
            writeln!(
                t,
                "[[phase]]\nid = \"phase_{p}\"\ntitle = \"Phase {p}: move batch {p} of the tenants to the new cluster\"\n"
            )
            .unwrap();
        }
        writeln!(t, "[[phase.step]]\nid = \"step_{i}\"").unwrap();
        let last_in_phase = s == PHASE_LEN - 1 || i == steps - 1;
        if last_in_phase {
            writeln!(
                t,
                "title = \"Go/no-go for phase {p}\"\n\
                 gate = [\"api_health is up\", \"sync_lag < 30s for 2m\"]\n\
                 signoff = [\"Migration lead\", \"On-call SRE\"]\n\
                 gate_timeout = \"15m\""
            )
            .unwrap();
        } else if i % 3 == 0 {
            writeln!(
                t,
                "title = \"Run the copy job for shard {i} and check the row counts match\"\n\
                 run = \"./scripts/copy-shard.sh --shard {i} --verify\"\n\
                 timeout = \"10m\""
            )
            .unwrap();
        } else {
            writeln!(
                t,
                "title = \"Confirm shard {i} is readable from the new cluster\""
            )
            .unwrap();
        }
        writeln!(
            t,
            "owner = \"operator-{}\"\nplanned = \"{}m\"",
            i % 4,
            1 + i % 7
        )
        .unwrap();
        if i % 5 == 0 {
            writeln!(
                t,
                "description = \"\"\"\nShard {i} moves while the old cluster keeps serving reads.\n\
                 Watch the replication lag; if it climbs past 30s, stop and hold at the gate.\"\"\""
            )
            .unwrap();
        }
        t.push('\n');
    }
    t.push_str(
        "[rollback]\n\
         confirm = \"ROLLBACK\"\n\
         steps = [\n  \
           { title = \"Stop the copy jobs\", run = \"./scripts/copy-shard.sh --stop-all\" },\n  \
           { title = \"Point the application back at the old cluster\", run = \"./scripts/point-at.sh old\" },\n  \
           { title = \"Tell the incident channel\" },\n\
         ]\n",
    );
    t
}

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
