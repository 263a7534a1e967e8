//! `flightdeck runs`: the runs in the store, newest first: id, runbook, mode, state, seat
//! holder and last activity. The data dir's runs, or with `--journal` the team store's.

use std::process::ExitCode;

use super::team::StoreArgs;
use crate::journal::pg::runs::TeamRun;
use crate::journal::pg::seat::TeamSeat;
use crate::journal::{runs, seat};
use crate::paths;

#[derive(clap::Args, Debug)]
pub struct RunsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

/// One row of the table.
struct Row {
    id: String,
    runbook: String,
    mode: String,
    state: String,
    seat: String,
    last: String,
}

pub fn run(args: RunsArgs) -> ExitCode {
    let rows = match args.store.open() {
        Err(code) => return code,
        Ok(Some(db)) => match crate::journal::pg::runs::list(&db, None) {
            Ok(runs) => runs.iter().map(team_row).collect(),
            Err(e) => {
                eprintln!("error: team store: {e}");
                return ExitCode::from(1);
            }
        },
        Ok(None) => local_rows(),
    };
    if rows.is_empty() {
        println!("no runs yet; a run begins with `flightdeck run RUNBOOK`");
        return ExitCode::SUCCESS;
    }
    print(&rows);
    ExitCode::SUCCESS
}

fn team_row(r: &TeamRun) -> Row {
    Row {
        id: r.run_id.clone(),
        runbook: r.runbook_name.clone(),
        mode: r.mode.clone(),
        state: if r.ended { "ended" } else { "open" }.into(),
        seat: match &r.seat {
            TeamSeat::Held { holder, .. } => holder.describe(),
            TeamSeat::Expired { holder, .. } => format!("{} (lease expired)", holder.describe()),
            TeamSeat::Free { .. } => "-".into(),
        },
        last: r.last_activity.clone(),
    }
}

fn local_rows() -> Vec<Row> {
    let data_dir = paths::data_dir();
    let host = crate::journal::host();
    runs::list(&data_dir)
        .into_iter()
        .map(|path| {
            let summary = runs::summary(&path);
            let last = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .map(|t| {
                    let t = time::OffsetDateTime::from(t);
                    format!(
                        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                        t.year(),
                        u8::from(t.month()),
                        t.day(),
                        t.hour(),
                        t.minute(),
                        t.second()
                    )
                })
                .unwrap_or_default();
            Row {
                id: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                runbook: runs::runbook_of(&path).unwrap_or_default(),
                mode: summary
                    .as_ref()
                    .map_or("?".into(), |s| s.mode.label().to_lowercase()),
                state: match summary {
                    Some(s) if s.ended => "ended".into(),
                    Some(_) => "open".into(),
                    None => "?".into(),
                },
                seat: match seat::observe(&path, host) {
                    seat::SeatView::Held(h) | seat::SeatView::Foreign(h) => {
                        format!("{} pid {}", h.operator, h.pid)
                    }
                    seat::SeatView::Died(h) => format!("{} pid {} (died)", h.operator, h.pid),
                    seat::SeatView::Free => "-".into(),
                },
                last,
            }
        })
        .collect()
}

fn print(rows: &[Row]) {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    let header = ["RUN", "RUNBOOK", "MODE", "STATE", "SEAT", "LAST ACTIVITY"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                clean(&r.id),
                clean(&r.runbook),
                clean(&r.mode),
                clean(&r.state),
                clean(&r.seat),
                clean(&r.last),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: [&str; 6]| {
        let parts: Vec<String> = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(header);
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
    }
}
