//! An action's whole output, kept beside the run's journal: `<run id>.output/<action id>.log`
//! in the runs directory (0700), each file 0600. The lines are written as the output pane
//! shows them (sanitized, secrets redacted, stdout and stderr interleaved as they came), and
//! the action's `action_ended` record carries the file's SHA-256 and size, so `journal verify`
//! notices an edited, cut or missing file.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::event::OutputFile;

/// `<run id>.output/<id>.log`: the name journaled, relative to the journal's directory.
pub fn relative_name(journal: &Path, id: u64) -> String {
    let stem = journal
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{stem}.output/{id}.log")
}

/// Where a journaled name points: always inside the journal's directory (a name with `..` or
/// a leading `/`, which this binary never writes, resolves to nothing).
pub fn resolve(journal: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain || name.is_empty() {
        return None;
    }
    Some(journal.parent().unwrap_or(Path::new(".")).join(relative))
}

/// Writes one action's output, hashing and counting as it goes.
pub struct OutputWriter {
    name: String,
    path: PathBuf,
    file: BufWriter<File>,
    sha: Sha256,
    bytes: u64,
    lines: u64,
}

impl OutputWriter {
    /// Creates the file (and its private directory) for action `id` of `journal`'s run.
    pub fn create(journal: &Path, id: u64) -> std::io::Result<Self> {
        let name = relative_name(journal, id);
        let path = resolve(journal, &name).ok_or(std::io::ErrorKind::InvalidInput)?;
        if let Some(dir) = path.parent() {
            DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        // Truncate: an id is used once per run, so a file already there is a crash's leftover
        // of an action that never ended and was never hashed.
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        Ok(Self {
            name,
            path,
            file: BufWriter::with_capacity(64 * 1024, file),
            sha: Sha256::new(),
            bytes: 0,
            lines: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One line as shown (already sanitized and redacted), with its newline.
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        for part in [text.as_bytes(), b"\n"] {
            self.file.write_all(part)?;
            self.sha.update(part);
            self.bytes += part.len() as u64;
        }
        self.lines += 1;
        Ok(())
    }

    /// Hands what is buffered to the kernel: a cockpit killed now keeps what was printed.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }

    /// Flushed and fsync'd; what the end record carries.
    pub fn finish(mut self) -> std::io::Result<OutputFile> {
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        Ok(OutputFile {
            path: self.name,
            sha256: hex::encode(self.sha.finalize()),
            bytes: self.bytes,
            lines: self.lines,
        })
    }
}

/// Lines `first..first + count` (counted from 0) of action `id`'s kept output, for the pane.
/// Read from the start: the lines are not indexed, and this runs on a thread of its own.
pub fn read_lines(
    journal: &Path,
    id: u64,
    first: u64,
    count: usize,
) -> std::io::Result<Vec<String>> {
    use std::io::BufRead;
    let path =
        resolve(journal, &relative_name(journal, id)).ok_or(std::io::ErrorKind::InvalidInput)?;
    let reader = std::io::BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut lines = Vec::with_capacity(count);
    for line in reader
        .split(b'\n')
        .skip(usize::try_from(first).unwrap_or(usize::MAX))
        .take(count)
    {
        lines.push(String::from_utf8_lossy(&line?).into_owned());
    }
    Ok(lines)
}

/// What is wrong with a kept output file, in words a reviewer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputProblem {
    #[error("output file {0} is missing")]
    Missing(String),
    #[error("output file {0} cannot be read: {1}")]
    Unreadable(String, String),
    #[error("output file {name} was altered: {why}")]
    Altered { name: String, why: String },
    #[error("output file name `{0}` points outside the runs directory")]
    BadName(String),
}

/// Every kept output file a run's records name, checked: (action id, what is wrong).
pub fn check_all(journal: &Path, records: &[super::Record]) -> Vec<(u64, OutputProblem)> {
    records
        .iter()
        .filter_map(|r| match &r.event {
            super::Event::ActionEnded {
                id,
                output_file: Some(kept),
                ..
            } => check(journal, kept).err().map(|problem| (*id, problem)),
            _ => None,
        })
        .collect()
}

/// Checks a kept file against its end record: it exists, has the size and the SHA-256.
pub fn check(journal: &Path, kept: &OutputFile) -> Result<(), OutputProblem> {
    read_checked(journal, kept, |_| {})
}

/// Reads the file in blocks, giving each to `each`, then checks size and hash. `each` sees
/// the bytes even when the check then fails, so a reader can still print what is there.
pub fn read_checked(
    journal: &Path,
    kept: &OutputFile,
    mut each: impl FnMut(&[u8]),
) -> Result<(), OutputProblem> {
    let path =
        resolve(journal, &kept.path).ok_or_else(|| OutputProblem::BadName(kept.path.clone()))?;
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(OutputProblem::Missing(path.display().to_string()));
        }
        Err(e) => {
            return Err(OutputProblem::Unreadable(
                path.display().to_string(),
                e.to_string(),
            ));
        }
    };
    let (mut sha, mut bytes, mut buf) = (Sha256::new(), 0u64, vec![0u8; 64 * 1024]);
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                sha.update(&buf[..n]);
                bytes += n as u64;
                each(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(OutputProblem::Unreadable(
                    path.display().to_string(),
                    e.to_string(),
                ));
            }
        }
    }
    let altered = |why: String| OutputProblem::Altered {
        name: path.display().to_string(),
        why,
    };
    if bytes != kept.bytes {
        return Err(altered(format!(
            "{bytes} bytes, the journal says {}",
            kept.bytes
        )));
    }
    if hex::encode(sha.finalize()) != kept.sha256 {
        return Err(altered(
            "its SHA-256 is not the one the journal holds".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_kept_file_is_private_hashed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("r1.jsonl");
        let mut w = OutputWriter::create(&journal, 3).unwrap();
        w.line("one").unwrap();
        w.line("two").unwrap();
        let path = w.path().to_path_buf();
        let kept = w.finish().unwrap();
        assert_eq!(kept.path, "r1.output/3.log");
        assert_eq!((kept.bytes, kept.lines), (8, 2));
        assert_eq!(
            kept.sha256,
            hex::encode(Sha256::digest(b"one\ntwo\n")),
            "the hash is of the bytes on disk"
        );
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(check(&journal, &kept), Ok(()));

        std::fs::write(&path, "one\ntwO\n").unwrap();
        assert!(matches!(
            check(&journal, &kept),
            Err(OutputProblem::Altered { .. })
        ));
        std::fs::write(&path, "one\n").unwrap();
        assert!(matches!(
            check(&journal, &kept),
            Err(OutputProblem::Altered { .. })
        ));
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            check(&journal, &kept),
            Err(OutputProblem::Missing(_))
        ));
    }

    #[test]
    fn a_journaled_name_never_leaves_the_runs_directory() {
        let journal = Path::new("/data/runs/r1.jsonl");
        assert_eq!(
            resolve(journal, "r1.output/3.log"),
            Some(PathBuf::from("/data/runs/r1.output/3.log"))
        );
        assert_eq!(resolve(journal, "../../etc/passwd"), None);
        assert_eq!(resolve(journal, "/etc/passwd"), None);
        assert_eq!(resolve(journal, ""), None);
    }
}
