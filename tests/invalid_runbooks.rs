//! Every `tests/invalid_runbooks/*.toml` has exactly one mistake: `flightdeck validate` must exit 2
//! and print exactly `<name>.expected` (with the path shown as `FIXTURE`).
//! Regenerate the expectations with `UPDATE_EXPECTED=1 cargo test --test invalid_runbooks`,
//! then read every changed file: line:col, caret and fix must still be right.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn invalid_runbooks_fail_with_the_expected_diagnostic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_runbooks");
    let mut fixtures: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 20,
        "only {} fixtures in {}",
        fixtures.len(),
        dir.display()
    );
    let update = std::env::var_os("UPDATE_EXPECTED").is_some_and(|v| v == "1");

    for fixture in &fixtures {
        let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .arg("validate")
            .arg(fixture)
            .output()
            .unwrap();
        let name = fixture.file_name().unwrap().to_string_lossy();
        let stderr = String::from_utf8(out.stderr)
            .unwrap()
            .replace(&fixture.display().to_string(), "FIXTURE");
        assert_eq!(out.status.code(), Some(2), "{name}: exit code\n{stderr}");
        assert!(stderr.contains("= fix:"), "{name}: no fix\n{stderr}");
        let located = stderr.lines().any(|l| {
            l.split_once("--> FIXTURE:")
                .and_then(|(_, at)| at.split_once(':'))
                .is_some_and(|(line, col)| {
                    line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok()
                })
        });
        assert!(located, "{name}: no FIXTURE:<line>:<col>\n{stderr}");

        let expected_path = fixture.with_extension("expected");
        if update {
            fs::write(&expected_path, &stderr).unwrap();
        } else {
            let expected = fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            assert_eq!(
                stderr,
                expected,
                "{name}: stderr differs from {}",
                expected_path.display()
            );
        }
    }
}
