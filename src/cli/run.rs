//! `flightdeck run RUNBOOK`: load, open or resume the run, start the cockpit.

use std::process::ExitCode;
use std::time::Instant;

use super::RunArgs;
use crate::config::Config;
use crate::journal::event::RunMode;
use crate::runbook;
use crate::theme::{Theme, no_color_requested};
use crate::ui::{Look, glyphs};
use crate::{cockpit, paths, session};

pub fn run(args: RunArgs) -> ExitCode {
    let began = Instant::now();
    let refusal = "flightdeck runs only a runbook that validates; fix the errors above.";
    let (config, mut loaded) = match args.load.load(&args.runbook, Some(refusal)) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let loaded_at = Instant::now();
    let unfilled: Vec<String> = runbook::vars::unfilled(&loaded.runbook.vars)
        .into_iter()
        .map(String::from)
        .collect();
    // Before the terminal is touched: a live run with placeholders would hand them to commands.
    if !unfilled.is_empty() && !args.rehearsal && !args.read_only {
        refuse_unfilled(&args.runbook, &unfilled);
        return ExitCode::from(2);
    }
    if let Some(start) = args.start {
        loaded.runbook.meta.start = Some(start);
    }
    let theme = match load_theme(args.theme.as_deref(), &config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(code) = super::require_terminal("run") {
        return code;
    }
    let guide = loaded.guide.clone().unwrap_or_default();
    if !guide.changed.is_empty()
        && !args.rehearsal
        && !args.read_only
        && !confirm_changed(&guide.changed)
    {
        return ExitCode::from(2);
    }
    let data_dir = paths::data_dir();
    let _log = super::init_logging(&paths::state_dir());
    let want = session::Want {
        mode: if args.rehearsal || args.watch_rehearsal {
            RunMode::Rehearsal
        } else {
            RunMode::Live
        },
        new_run: args.new_run,
        read_only: args.read_only,
    };
    let team = match args.store.open() {
        Ok(db) => db,
        Err(code) => return code,
    };
    let opened = match team {
        Some(db) => session::team::open(loaded.runbook, &args.runbook, db, want, &data_dir),
        None => session::open(loaded.runbook, &args.runbook, &data_dir, want),
    };
    let mut session = match opened {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
    };
    let opened_at = Instant::now();
    session.app.vars_unfilled = unfilled;
    session.app.guide_banner = guide.banner.clone();
    if let Some(banner) = &guide.banner {
        session.app.flash = Some(banner.clone());
    }
    session.app.start_from_flag = args.start.is_some();
    session.app.keys = config.keys.clone();
    tracing::info!(run = %session.app.run_id, mode = session.app.mode.label(), "cockpit started");
    let look = Look {
        theme: &theme,
        glyphs: glyphs::choose(args.ascii || config.ascii),
    };
    let opts = cockpit::Options {
        look,
        runbook_path: args.runbook.clone(),
        data_dir,
        demo: None,
        startup: Some(cockpit::Startup {
            began,
            loaded: loaded_at,
            opened: opened_at,
        }),
    };
    match cockpit::run(session, opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => cockpit_failed(e),
    }
}

/// A live run of a guide whose anchored commands or thresholds changed under the sidecar
/// stops and asks, on the terminal, before the cockpit starts.
fn confirm_changed(changed: &[String]) -> bool {
    use std::io::BufRead;
    eprintln!(
        "flightdeck run: the guide changed under its sidecar: {} anchored command(s) or threshold(s) read differently now:",
        changed.len()
    );
    for c in changed {
        eprintln!("  {}", crate::telemetry::sanitize::visible(c));
    }
    eprintln!(
        "Read them in the guide. Type yes to run it live as it reads now, anything else stops:"
    );
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() || answer.trim() != "yes" {
        eprintln!(
            "stopped: nothing run. Review the sidecar's bindings (flightdeck validate names them)."
        );
        return false;
    }
    true
}

fn refuse_unfilled(path: &std::path::Path, unfilled: &[String]) {
    eprintln!(
        "flightdeck run: {} [vars] of {} still hold a placeholder ({}):",
        unfilled.len(),
        path.display(),
        runbook::vars::PLACEHOLDER
    );
    for name in unfilled {
        eprintln!("  {}", name.escape_debug());
    }
    eprintln!(
        "A live run would hand them to its commands. Fill them in, or walk the runbook with \
         --rehearsal; `flightdeck check {}` checks the rest before the day.",
        path.display()
    );
}

/// The cockpit stopped on an error: the terminal back to normal first, then the error on it.
pub fn cockpit_failed(e: anyhow::Error) -> ExitCode {
    crate::terminal::restore();
    eprintln!("error: {e:#}");
    ExitCode::from(1)
}

/// `--theme` (or `FLIGHTDECK_THEME`), else the config file's, else dark. An unknown theme from
/// the config file says which file named it; the error is printed: bad input, exit 2.
pub fn load_theme(flag: Option<&str>, config: &Config) -> Result<Theme, ExitCode> {
    let (name, from_config) = match (flag, &config.theme) {
        (Some(name), _) => (name, false),
        (None, Some(name)) => (name.as_str(), true),
        (None, None) => ("dark", false),
    };
    Theme::load(name, &paths::config_dir(), no_color_requested()).map_err(|e| {
        if from_config {
            eprintln!("error: {e} (theme set in {})", config.path.display());
        } else {
            eprintln!("error: {e}");
        }
        ExitCode::from(2)
    })
}
