//! A guide that changed under its sidecar, edited in a copy of the CloudShelf guide: a command
//! whose text changed makes a live run stop and ask (a rehearsal runs); an item that moved is
//! bound again with a notice; an item that is gone is an error; a resumed run names the guide
//! steps that changed since it began.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::cockpit::{Cockpit, Dirs, manifest_dir};

const NAME: &str = "cloudshelf-dynamodb-to-postgres";

/// Bindings the test adds: an item by ordinal, an item by text (the sidecar binds the Data
/// Export Script fence, a command, itself).
const EXTRA: &str = r#"
[[item]]
at = "Pre-Migration (T-2 hours) > #2"
owner = "Ops lead"

[[item]]
at = "Migration Execution (T-0 to T+30 minutes) > T+25"
owner = "QA"
"#;

fn flightdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A copy of the guide and its sidecar (vars filled, so a live run may start), reviewed.
fn copy(dir: &Path) -> PathBuf {
    let guides = manifest_dir().join("runbooks/guides");
    let guide = dir.join("guide.md");
    std::fs::copy(guides.join(format!("{NAME}.md")), &guide).unwrap();
    let side = std::fs::read_to_string(guides.join(format!("{NAME}.flightdeck.toml"))).unwrap();
    let side = side.replace("REPLACE_ME", "filled") + EXTRA;
    std::fs::write(dir.join("guide.flightdeck.toml"), side).unwrap();
    let out = flightdeck(&["import", "--refresh", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("changed since"),
        "{}",
        text(&out.stderr)
    );
    guide
}

fn edit(guide: &Path, from: &str, to: &str) {
    let before = std::fs::read_to_string(guide).unwrap();
    assert!(before.contains(from), "no `{from}` in the guide");
    std::fs::write(guide, before.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_moved_item_is_bound_again_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let guide = copy(dir.path());
    // "Team assembly" (#2 of its list) moves to the end: #2 is now "Communication".
    let team = "- [ ] **Team assembly** - All migration team members present\n";
    edit(&guide, team, "");
    let prep = "- [ ] **Rollback prep** - Ensure rollback plan ready to execute\n";
    edit(&guide, prep, &format!("{prep}{team}"));
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("the guide item anchored at `Pre-Migration (T-2 hours) > #2` moved to"),
        "{err}"
    );
    assert!(err.contains("guide.md:506:1"), "{err}");
    assert!(err.contains("> Pre-Migration (T-2 hours) > #5"), "{err}");
    let loaded = flightdeck::runbook::load(&guide).unwrap();
    let owned = loaded
        .runbook
        .steps()
        .find(|(_, s)| s.owner.as_deref() == Some("Ops lead"));
    assert!(owned.unwrap().1.title.starts_with("Team assembly"));
    assert!(loaded.guide.unwrap().changed.is_empty());
}

#[test]
fn a_deleted_item_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let guide = copy(dir.path());
    edit(&guide, "- [ ] **T+25**: Run smoke tests\n", "");
    let out = flightdeck(&["validate", guide.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "the guide item anchored at `Migration Execution (T-0 to T+30 minutes) > T+25` is gone"
        ),
        "{err}"
    );
    assert!(err.contains("guide.flightdeck.toml:"), "{err}");
}

#[test]
fn a_changed_command_stops_a_live_run_to_ask_and_a_resumed_run_names_it() {
    let dirs = Dirs::new();
    let guide = copy(dirs.xdg.path());
    let path = guide.to_str().unwrap();
    // A rehearsal run begins on the guide as reviewed.
    let cockpit = Cockpit::start(&dirs, &["run", path, "--rehearsal"], 100, 30);
    cockpit.wait_for("REHEARSAL");
    cockpit.quit();

    edit(
        &guide,
        "--table-name CloudShelf-Books",
        "--table-name CloudShelf-Books-v2",
    );
    let out = flightdeck(&["validate", path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("the guide's text at `Migration Tools & Scripts > Data Export Script > #1` (")
            && err.contains("guide.md:178:1) changed since this sidecar was reviewed"),
        "{err}"
    );
    let changed = flightdeck::runbook::load(&guide)
        .unwrap()
        .guide
        .unwrap()
        .changed;
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0]
            .ends_with("guide.md:178:1 `Migration Tools & Scripts > Data Export Script > #1`"),
        "{changed:?}"
    );

    // Live: the run stops before the cockpit and asks; anything but yes ends it.
    let mut live = Cockpit::start(&dirs, &["run", path], 100, 30);
    live.wait_for("Type yes to run it live");
    live.wait_for("Data Export Script > #1");
    live.send("no\r");
    assert_eq!(live.wait_exit(Duration::from_secs(10)), 2);

    // The rehearsal resumes and names the step whose command changed.
    let mut again = Cockpit::start(&dirs, &["run", path, "--rehearsal"], 100, 30);
    again.wait_for("The runbook file changed since this run began.");
    again.wait_for("a_export");
    again.send("q");
    again.wait_exit(Duration::from_secs(10));
}
