//! Team mode on the command line: where the store is (`--journal postgres://…`, else
//! `FLIGHTDECK_DATABASE_URL`, else the config file's `database_url`), and reading a run's
//! journal text from either store for `journal verify`, `journal export` and `report`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::journal::pg::{self, Db, Target};

#[derive(clap::Args, Debug, Default, Clone)]
pub struct StoreArgs {
    /// Team mode: the run lives in this PostgreSQL database (postgres://user@host/db?sslmode=require).
    #[arg(
        long,
        env = "FLIGHTDECK_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub journal: Option<String>,
    /// The CA bundle that signs the database server's certificate (e.g. RDS's global bundle).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

impl StoreArgs {
    /// The team store to use, if any: the flag or the environment, else the config file.
    /// A value that is not a database URL is bad input.
    pub fn target(&self, config: &Config) -> Result<Option<Target>, String> {
        let Some(url) = self.journal.clone().or_else(|| config.database_url.clone()) else {
            return Ok(None);
        };
        if !pg::is_database_url(&url) {
            return Err(
                "--journal takes a database URL (postgres://…); local journals live in the data dir"
                    .into(),
            );
        }
        let ca = self
            .ca_file
            .clone()
            .or_else(|| config.database_ca_file.clone());
        Target::parse(&url, ca).map(Some)
    }

    /// Whether team mode was asked for (flag, environment or config file).
    pub fn is_team(&self) -> bool {
        self.journal.is_some() || super::load_config().is_ok_and(|c| c.database_url.is_some())
    }

    /// The team store opened (schema brought up to date), or `None` in local mode. Errors are
    /// printed: bad input is exit 2, a store that cannot be reached exit 1.
    pub fn open(&self) -> Result<Option<Db>, ExitCode> {
        let config = super::load_config()?;
        let target = self.target(&config).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })?;
        let Some(target) = target else {
            return Ok(None);
        };
        Db::open(target).map(Some).map_err(|e| {
            eprintln!("error: team store: {e}");
            ExitCode::from(1)
        })
    }
}

/// A run's journal as text, from the team store: the run named, or the newest one.
pub fn run_text(db: &Db, run: Option<&str>) -> Result<(String, String), (String, ExitCode)> {
    let id = match run {
        Some(id) => id.to_string(),
        None => match pg::runs::list(db, None) {
            Ok(runs) => match runs.into_iter().next() {
                Some(r) => r.run_id,
                None => {
                    return Err((
                        format!("no runs in the team store {}", db.target().redacted()),
                        ExitCode::from(2),
                    ));
                }
            },
            Err(e) => return Err((format!("team store: {e}"), ExitCode::from(1))),
        },
    };
    match pg::journal::text_of(db, &id) {
        Ok(Some(text)) => Ok((format!("{} run {id}", db.target().redacted()), text)),
        Ok(None) => Err((
            format!("no run `{id}` in the team store {}", db.target().redacted()),
            ExitCode::from(2),
        )),
        Err(e) => Err((format!("team store: {e}"), ExitCode::from(1))),
    }
}
