//! The README's screenshots come from `scripts/screenshots.sh` driving the real binary in tmux.
//! Here the script runs against this build into a temporary directory: it must finish (it waits
//! for each screen's own text before capturing, and fails when a screen never shows) and leave
//! five PNG images of a whole screen, each different, none blank.
//!
//! Needs tmux, python3 and rsvg-convert (Debian: tmux, librsvg2-bin); `.ci/run` installs them.

use std::path::Path;
use std::process::Command;

const SHOTS: [&str; 5] = ["main", "gate", "shift", "rollback", "cost"];

/// Width and height from a PNG's IHDR chunk, or why the file is not a PNG.
fn png_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return Err("not a PNG".into());
    }
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    Ok((be(16), be(20)))
}

#[test]
fn the_screenshot_script_captures_every_screen() {
    for tool in ["tmux", "rsvg-convert", "python3"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        assert!(
            found.status.success(),
            "{tool} is missing: apt-get install tmux librsvg2-bin python3 (.ci/run does)"
        );
    }
    let out = tempfile::tempdir().unwrap();
    let run = Command::new("scripts/screenshots.sh")
        .arg(out.path())
        .env("FLIGHTDECK_BIN", env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "screenshots.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for name in SHOTS {
        let path = out.path().join(format!("{name}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // 100x30 cells of 9x18 pixels (scripts/ansi2svg.py).
        assert_eq!(png_size(&bytes), Ok((900, 540)), "{name}.png");
        // A blank or nearly blank screen compresses to a few KB; a real one is over 100 KB.
        assert!(
            bytes.len() > 50_000,
            "{name}.png is only {} bytes",
            bytes.len()
        );
        assert!(
            !seen.contains(&bytes),
            "{name}.png repeats an earlier screen"
        );
        seen.push(bytes);
    }
    // The committed images the README shows are the same five.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for name in SHOTS {
        let committed =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("screenshots/{name}.png"));
        assert!(committed.exists(), "{} is missing", committed.display());
        assert!(
            readme.contains(&format!("screenshots/{name}.png")),
            "README does not show {name}.png"
        );
    }
}
