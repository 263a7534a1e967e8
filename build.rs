//! Puts the commit into `--version`: `flightdeck 0.1.0 (abc1234)`.
//!
//! The commit comes from `FLIGHTDECK_COMMIT` (for builds from a tarball, where there is no git),
//! else `git rev-parse --short HEAD`, else "unknown". Cargo is told to rerun this only when HEAD
//! or the branch it points to moves, so an ordinary edit-build cycle does not rebuild for it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=FLIGHTDECK_COMMIT");
    let commit = std::env::var("FLIGHTDECK_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    watch_head();
    println!(
        "cargo:rustc-env=FLIGHTDECK_VERSION={} ({commit})",
        std::env::var("CARGO_PKG_VERSION").unwrap()
    );
}

/// Watches the files that change when HEAD moves. In a worktree HEAD is in the worktree's git
/// dir and branches are in the common dir, so both are asked of git rather than assumed to be
/// `.git/`. Only existing files are named: Cargo reruns on every build for a missing one.
fn watch_head() {
    let (Some(git_dir), Some(common)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) else {
        return;
    };
    let mut files = vec![PathBuf::from(&git_dir).join("HEAD")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        files.push(Path::new(&common).join(branch));
    }
    // A branch whose ref was packed lives here instead (and `git gc` may move it).
    files.push(Path::new(&common).join("packed-refs"));
    for file in files.iter().filter(|f| f.is_file()) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}
