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
                warning.starts_with("warning: [vars] ")
                    && warning.ends_with(" is still a placeholder"),
                "{}: a warning other than a placeholder: {warning}\n{stderr}",
                runbook.display()
            );
        }
    }
}

fn seed(name: &str) -> (toml::Value, flightdeck::runbook::Runbook) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("runbooks")
        .join(name);
    let text = fs::read_to_string(&path).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    let book = flightdeck::runbook::load(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .runbook;
    (value, book)
}

/// Every gate criterion of a phase's steps, by step id, as written.
fn gates(value: &toml::Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for phase in value["phase"].as_array().unwrap() {
        for step in phase
            .get("step")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(gate) = step.get("gate").and_then(|g| g.as_array()) {
                let criteria = gate
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect();
                out.push((step["id"].as_str().unwrap().to_string(), criteria));
            }
        }
    }
    out
}

/// Issue 12, point 7: what the seed runbooks got wrong about their guides stays fixed.
#[test]
fn seed_runbooks_say_what_their_guides_say() {
    let (value, book) = seed("cloudshelf-dynamodb-to-postgres.toml");
    let api_prod = book.sources.iter().find(|s| s.id == "api_prod").unwrap();
    let flightdeck::runbook::SourceSpec::Http { target, .. } = &api_prod.spec else {
        panic!("api_prod is not http");
    };
    assert!(
        target.url.starts_with("https://"),
        "api_prod url: {}",
        target.url
    );
    assert!(book.meta.start.is_none(), "the guide gives no start date");
    let rollback_curl = value["rollback"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.get("run").and_then(|r| r.as_str()))
        .find(|r| r.starts_with("curl"))
        .unwrap();
    assert!(rollback_curl.contains("${API_ENDPOINT}"), "{rollback_curl}");
    let set = value["traffic"]["set"].as_str().unwrap();
    assert!(
        set.contains("--patch-operations ") && !set.contains("--patch-ops "),
        "{set}"
    );
    for (step, criteria) in gates(&value) {
        for c in criteria.iter().filter(|c| c.starts_with("error_rate")) {
            assert!(c.starts_with("error_rate < 0.1%"), "{step}: {c}");
        }
    }
    let abort = value["traffic"]["abort_when"].as_array().unwrap();
    assert!(
        abort
            .iter()
            .any(|c| c.as_str() == Some("error_rate > 0.1%")),
        "{abort:?}"
    );

    let (value, _) = seed("django-gcp-to-aws.toml");
    let plan = value["traffic"]["plan"].as_array().unwrap();
    assert!(
        plan.iter()
            .all(|p| p.get("bake").and_then(|b| b.as_str()) != Some("1h")),
        "the quick rollback's < 1 hour is not a bake: {plan:?}"
    );
    for (step, criteria) in gates(&value) {
        assert!(
            !criteria.iter().any(|c| c.starts_with("cost_mtd")),
            "{step}: the cost table is an estimate"
        );
    }
    let cost = value["source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("cost_mtd"))
        .unwrap();
    assert!(
        cost.get("budget").is_none() && cost.get("fail").is_none(),
        "{cost:?}"
    );

    let (value, _) = seed("pyairtable-to-aws-microservices.toml");
    for (step, criteria) in gates(&value) {
        if ["p1_success", "p2_success", "p3_success"].contains(&step.as_str()) {
            assert!(
                !criteria.iter().any(|c| c.starts_with("cost_dev")),
                "{step}: {criteria:?}"
            );
        }
    }
}
