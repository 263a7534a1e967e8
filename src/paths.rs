//! The user's directories (XDG on Linux): journals in the data dir, logs in the state dir
//! (`XDG_STATE_HOME`), the Cost Explorer cache in the cache dir, config and user themes in the
//! config dir. `FLIGHTDECK_DATA_DIR` / `FLIGHTDECK_CONFIG_DIR` / `FLIGHTDECK_STATE_DIR` /
//! `FLIGHTDECK_CACHE_DIR` override them (tests, or keeping a run's journal on a shared volume).

use std::path::PathBuf;

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "flightdeck")
}

pub fn data_dir() -> PathBuf {
    std::env::var_os("FLIGHTDECK_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| project().map(|p| p.data_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".flightdeck"))
}

pub fn config_dir() -> PathBuf {
    std::env::var_os("FLIGHTDECK_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| project().map(|p| p.config_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".flightdeck"))
}

/// Logs: not data worth backing up, not a cache to wipe either (they explain what happened).
/// Where the platform has no state dir (macOS), the data dir.
pub fn state_dir() -> PathBuf {
    std::env::var_os("FLIGHTDECK_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| project().and_then(|p| p.state_dir().map(|d| d.to_path_buf())))
        .unwrap_or_else(data_dir)
}

/// What can be deleted at any time and only costs a refetch (the Cost Explorer answers).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("FLIGHTDECK_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| project().map(|p| p.cache_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".flightdeck"))
}
