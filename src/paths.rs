//! The user's directories (XDG on Linux): journals and logs in the data dir, config and user
//! themes in the config dir. `FLIGHTDECK_DATA_DIR` / `FLIGHTDECK_CONFIG_DIR` override them
//! (tests, or keeping a run's journal on a shared volume).

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
