//! `flightdeck run RUNBOOK`: load, open or resume the run, start the cockpit.

use std::process::ExitCode;

use super::RunArgs;
use crate::config::Config;
use crate::runbook;
use crate::theme::{Theme, no_color_requested};
use crate::ui::{Look, glyphs};
use crate::{cockpit, paths, session};

pub fn run(args: RunArgs) -> ExitCode {
    let config = match super::load_config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut loaded = match runbook::load(&args.runbook) {
        Ok(l) => l,
        Err(invalid) => {
            eprintln!("{invalid}");
            eprintln!("flightdeck runs only a runbook that validates; fix the errors above.");
            return ExitCode::from(2);
        }
    };
    args.aws.or_config(&config).apply(&mut loaded.runbook);
    let theme = match load_theme(args.theme.as_deref(), &config) {
        Ok(t) => t,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let data_dir = paths::data_dir();
    let _log = super::init_logging(&data_dir);
    let opened = session::open(
        loaded.runbook,
        &args.runbook,
        &data_dir,
        args.new_run,
        args.read_only,
    );
    let mut session = match opened {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
    };
    if args.rehearsal {
        session.mode_with_seat = crate::app::Mode::Rehearsal;
        if session.app.mode == crate::app::Mode::Live {
            session.app.mode = crate::app::Mode::Rehearsal;
        }
    }
    tracing::info!(run = %session.app.run_id, mode = session.app.mode.label(), "cockpit started");
    let look = Look {
        theme: &theme,
        glyphs: glyphs::choose(args.ascii || config.ascii),
        keys: &config.keys,
    };
    let opts = cockpit::Options {
        look,
        runbook_path: args.runbook.clone(),
        data_dir,
        demo: None,
    };
    match cockpit::run(session, opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crate::terminal::restore();
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// `--theme` (or `FLIGHTDECK_THEME`), else the config file's, else dark. An unknown theme from
/// the config file says which file named it.
pub fn load_theme(flag: Option<&str>, config: &Config) -> Result<Theme, String> {
    let (name, from_config) = match (flag, &config.theme) {
        (Some(name), _) => (name, false),
        (None, Some(name)) => (name.as_str(), true),
        (None, None) => ("dark", false),
    };
    Theme::load(name, &paths::config_dir(), no_color_requested()).map_err(|e| {
        if from_config {
            format!("error: {e} (theme set in {})", config.path.display())
        } else {
            format!("error: {e}")
        }
    })
}
