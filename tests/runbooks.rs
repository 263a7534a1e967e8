//! Every runbook shipped in `runbooks/` must validate cleanly: no error, and no warning but the
//! `REPLACE_ME` placeholders left in `[vars]` for the operator to fill.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn shipped_runbooks_validate() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let mut runbooks: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    runbooks.sort();
    // Five seed runbooks plus demo.toml.
    assert!(
        runbooks.iter().any(|p| p.ends_with("demo.toml")),
        "runbooks/demo.toml is missing"
    );
    assert!(
        runbooks.len() >= 6,
        "only {} runbooks in {}",
        runbooks.len(),
        dir.display()
    );

    for runbook in &runbooks {
        let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .arg("validate")
            .arg(runbook)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}:\n{}",
            runbook.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        for warning in stderr.lines().filter(|l| l.starts_with("warning:")) {
            assert!(
                warning.starts_with("warning: [vars] ") && warning.ends_with(" is still a placeholder"),
                "{}: a warning other than a placeholder: {warning}\n{stderr}",
                runbook.display()
            );
        }
    }
}
