//! The log file: `flightdeck.log` in `<state dir>/logs/`, private (0600 files in a 0700
//! directory: logs name hosts, accounts and commands), rotated by size into `flightdeck.1.log` …
//! so a cockpit left open for days, or years of runs, never fills the disk. Rotation happens when
//! a file passes its limit, at start or while writing; the oldest file is dropped.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The current file's name; rotated ones are `flightdeck.N.log`, N = 1 the newest.
pub const FILE_NAME: &str = "flightdeck.log";

/// How much is kept: `keep` files (the current one included) of at most about `max_bytes` each.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub keep: usize,
}

impl Default for Limits {
    /// 5 × 10 MiB: days of `info`, hours of `debug`.
    fn default() -> Self {
        Limits {
            max_bytes: 10 << 20,
            keep: 5,
        }
    }
}

/// An appending writer that rotates. Each `write` is one formatted event from the logging
/// thread, so a rotation never splits a line.
pub struct RotatingFile {
    dir: PathBuf,
    limits: Limits,
    file: File,
    size: u64,
}

impl RotatingFile {
    pub fn open(dir: &Path, limits: Limits) -> io::Result<Self> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        // A directory made by an older version (or by hand) is tightened, not trusted.
        fs::set_permissions(dir, Permissions::from_mode(0o700))?;
        let limits = Limits {
            keep: limits.keep.max(1),
            ..limits
        };
        let (file, size) = open_current(dir)?;
        let mut out = RotatingFile {
            dir: dir.to_path_buf(),
            limits,
            file,
            size,
        };
        if out.size >= limits.max_bytes {
            out.rotate()?;
        }
        Ok(out)
    }

    fn rotate(&mut self) -> io::Result<()> {
        let name = |n: usize| self.dir.join(rotated_name(n));
        let oldest = self.limits.keep - 1;
        if oldest == 0 {
            let _ = fs::remove_file(self.dir.join(FILE_NAME));
        } else {
            let _ = fs::remove_file(name(oldest));
            for n in (1..oldest).rev() {
                let _ = fs::rename(name(n), name(n + 1));
            }
            fs::rename(self.dir.join(FILE_NAME), name(1))?;
        }
        (self.file, self.size) = open_current(&self.dir)?;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.size > 0 && self.size + buf.len() as u64 > self.limits.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(buf)?;
        self.size += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// `flightdeck.N.log`.
pub fn rotated_name(n: usize) -> String {
    format!("flightdeck.{n}.log")
}

fn open_current(dir: &Path) -> io::Result<(File, u64)> {
    let path = dir.join(FILE_NAME);
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)?;
    // The mode above only applies to a new file; an old world-readable one is tightened.
    file.set_permissions(Permissions::from_mode(0o600))?;
    let size = file.metadata()?.len();
    Ok((file, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn files_and_directory_are_private_even_when_they_existed_open() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        fs::write(dir.join(FILE_NAME), "old\n").unwrap();
        fs::set_permissions(dir.join(FILE_NAME), Permissions::from_mode(0o644)).unwrap();

        let mut log = RotatingFile::open(&dir, Limits::default()).unwrap();
        log.write_all(b"new\n").unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(FILE_NAME)), 0o600);
        assert_eq!(
            fs::read_to_string(dir.join(FILE_NAME)).unwrap(),
            "old\nnew\n"
        );
    }

    #[test]
    fn rotation_keeps_a_bounded_number_of_private_files_newest_first() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        let limits = Limits {
            max_bytes: 100,
            keep: 3,
        };
        let line = |n: u32| format!("{n:03} {}\n", "x".repeat(40));
        let mut log = RotatingFile::open(&dir, limits).unwrap();
        // One write per event, as the logging thread writes.
        for n in 0..100 {
            log.write_all(line(n).as_bytes()).unwrap();
        }
        assert_eq!(
            names(&dir),
            ["flightdeck.1.log", "flightdeck.2.log", "flightdeck.log"]
        );
        for name in names(&dir) {
            let path = dir.join(&name);
            assert_eq!(mode(&path), 0o600, "{name}");
            assert!(fs::metadata(&path).unwrap().len() <= 100, "{name}");
        }
        // Whole lines only, the newest in the current file.
        let current = fs::read_to_string(dir.join(FILE_NAME)).unwrap();
        assert_eq!(current, line(98) + &line(99));
        let previous = fs::read_to_string(dir.join("flightdeck.1.log")).unwrap();
        assert_eq!(previous, line(96) + &line(97));
    }

    #[test]
    fn a_file_over_the_limit_at_start_is_rotated_first() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join(FILE_NAME), "y".repeat(500)).unwrap();
        let limits = Limits {
            max_bytes: 100,
            keep: 2,
        };
        let mut log = RotatingFile::open(&dir, limits).unwrap();
        log.write_all(b"fresh\n").unwrap();
        assert_eq!(fs::read_to_string(dir.join(FILE_NAME)).unwrap(), "fresh\n");
        assert_eq!(
            fs::metadata(dir.join("flightdeck.1.log")).unwrap().len(),
            500
        );
    }
}
