//! The run journal: an append-only, hash-chained record of everything done in a run.
//!
//! The app only sees [`Journal`] (append, read, verify), so a shared store (PostgreSQL for several
//! operators on one run) can replace the local file without touching the app.

pub mod event;
pub mod file;
pub mod follow;
pub mod output;
pub mod pg;
pub mod record;
pub mod runs;
pub mod seat;
pub mod store;

use std::sync::OnceLock;

pub use event::Event;
pub use file::FileJournal;
pub use record::{BadLine, Record};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("journal {path} is damaged: {bad}")]
    Damaged { path: String, bad: BadLine },
    /// The team store could not be reached or refused the append.
    #[error("team store: {0}")]
    Store(String),
    /// An action's intent was refused: this cockpit does not hold the seat (any more).
    #[error("no action without the seat: {0}")]
    Fenced(String),
}

/// Who writes: stamped on every record.
#[derive(Debug, Clone)]
pub struct Identity {
    pub operator: String,
    pub run: String,
}

pub trait Journal {
    /// Appends an event durably (it is on disk when this returns) and returns its record.
    fn append(&mut self, event: Event, runbook_hash: &str) -> Result<Record, JournalError>;
    /// Every record of the run, in order.
    fn read(&self) -> Result<Vec<Record>, JournalError>;
    /// Checks the hash chain; the error names the first bad line.
    fn verify(&self) -> Result<usize, JournalError>;
    fn identity(&self) -> &Identity;
}

/// user@host of whoever runs the cockpit; `FLIGHTDECK_OPERATOR` names the person instead where
/// a team shares one login on a bastion (everyone `ec2-user`), so sign-offs say who signed.
pub fn operator() -> String {
    if let Ok(name) = std::env::var("FLIGHTDECK_OPERATOR") {
        let name: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
        if !name.trim().is_empty() {
            return name.trim().to_string();
        }
    }
    static USER: OnceLock<String> = OnceLock::new();
    // Asked once: the lookup goes through NSS (nscd, nsswitch.conf, /etc/passwd), and a new
    // run asks for the journal and again for the seat before its first frame.
    let user = USER.get_or_init(|| {
        whoami::username()
            .unwrap_or_else(|_| std::env::var("USER").unwrap_or_else(|_| "unknown".into()))
    });
    format!("{user}@{}", host())
}

/// This machine's host name, asked once per process.
pub fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| whoami::hostname().unwrap_or_else(|_| "unknown-host".into()))
}
