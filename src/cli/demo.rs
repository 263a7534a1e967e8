//! `flightdeck demo`: start the loopback world, load the built-in demo runbook wired to it, and
//! walk it in the cockpit as a fresh run (the world starts afresh too, so resuming an old demo
//! run would show a split the new router does not have). Quitting stops the world.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::demo::{self, World};
use crate::ui::{Look, glyphs};
use crate::{cockpit, paths, session};

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Theme name (dark, light, high-contrast, colorblind) or a path to a theme file.
    #[arg(long, env = "FLIGHTDECK_THEME")]
    pub theme: Option<String>,
    /// Draw with ASCII only, for terminals without Unicode glyphs.
    #[arg(long)]
    pub ascii: bool,
}

pub fn run(args: DemoArgs) -> ExitCode {
    // The look follows the config file as `run` does; its AWS profile and region do not apply:
    // the demo's AWS is its own Cost Explorer.
    let config = match super::load_config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let theme = match super::run::load_theme(args.theme.as_deref(), &config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(code) = super::require_terminal("demo") {
        return code;
    }
    let data_dir = paths::data_dir();
    let _log = super::init_logging(&paths::state_dir());
    let world = match World::start(demo::Options::default()) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: the demo could not start: {e:#}");
            return ExitCode::from(1);
        }
    };
    let opened = open(&world, &data_dir);
    let (mut session, runbook_path) = match opened {
        Ok(s) => s,
        Err(e) => {
            world.stop();
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
    };
    let run_id = session.app.run_id.clone();
    session.app.keys = config.keys.clone();
    let look = Look {
        theme: &theme,
        glyphs: glyphs::choose(args.ascii || config.ascii),
    };
    let opts = cockpit::Options {
        look,
        runbook_path,
        data_dir,
        demo: Some(&world),
        startup: None,
    };
    let result = cockpit::run(session, opts);
    world.stop();
    match result {
        Ok(()) => {
            println!("The demo stopped. Its run's report: flightdeck report --run {run_id}");
            ExitCode::SUCCESS
        }
        Err(e) => super::run::cockpit_failed(e),
    }
}

/// The wired runbook, written where the report can read it back, and a fresh run of it.
fn open(world: &World, data_dir: &Path) -> Result<(session::Session, PathBuf)> {
    let loaded = world.runbook()?;
    let path = write_runbook(data_dir, &loaded.text)?;
    // Always a new run: the world starts afresh, so an old demo run's split would be wrong.
    let mut session = session::open(
        loaded.runbook,
        &path,
        data_dir,
        session::Want {
            mode: crate::journal::event::RunMode::Live,
            new_run: true,
            read_only: false,
        },
    )?;
    session.app.demo = true;
    tracing::info!(run = %session.app.run_id, "demo started");
    Ok((session, path))
}

/// `<data dir>/demo/demo.toml`: the runbook as this demo runs it (its ports change every
/// time), so `flightdeck report` finds the plan. The demo's cost cache (`<cache dir>/demo/`)
/// is cleared: it is keyed by the old ports and would only pile up.
fn write_runbook(data_dir: &Path, text: &str) -> Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = demo::dir(data_dir);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let _ = std::fs::remove_dir_all(demo::dir(&crate::paths::cache_dir()).join("cost-cache"));
    let path = dir.join("demo.toml");
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
