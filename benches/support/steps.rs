//! The generated runbooks the criterion benches load: N steps in phases of 50, shaped like a
//! real plan (descriptions, commands, owners, gates on two sources, a rollback plan).

use std::fmt::Write as _;

/// Steps per generated phase.
pub const PHASE_LEN: usize = 50;

/// A runbook of `steps` steps: phases of 50, every 5th step with a description, every 3rd a
/// command, the last step of each phase a go/no-go gate on the two sources, and a rollback plan.
pub fn generate(steps: usize) -> String {
    let mut t = String::with_capacity(steps * 200);
    writeln!(
        t,
        "[runbook]\nname = \"Generated benchmark runbook ({steps} steps)\"\n"
    )
    .unwrap();
    t.push_str(
        "[[source]]\n\
         id = \"api_health\"\n\
         kind = \"http\"\n\
         label = \"API /health\"\n\
         url = \"https://api.example.invalid/health\"\n\n\
         [[source]]\n\
         id = \"sync_lag\"\n\
         kind = \"prometheus\"\n\
         label = \"Replication lag\"\n\
         url = \"http://prometheus.example.invalid:9090\"\n\
         query = \"max(replication_lag_seconds)\"\n\
         unit = \"s\"\n\
         warn = 10.0\n\
         fail = 30.0\n\n",
    );
    for i in 0..steps {
        let (p, s) = (i / PHASE_LEN, i % PHASE_LEN);
        if s == 0 {
            writeln!(
                t,
                "[[phase]]\nid = \"phase_{p}\"\ntitle = \"Phase {p}: move batch {p} of the tenants to the new cluster\"\n"
            )
            .unwrap();
        }
        writeln!(t, "[[phase.step]]\nid = \"step_{i}\"").unwrap();
        let last_in_phase = s == PHASE_LEN - 1 || i == steps - 1;
        if last_in_phase {
            writeln!(
                t,
                "title = \"Go/no-go for phase {p}\"\n\
                 gate = [\"api_health is up\", \"sync_lag < 30s for 2m\"]\n\
                 signoff = [\"Migration lead\", \"On-call SRE\"]\n\
                 gate_timeout = \"15m\""
            )
            .unwrap();
        } else if i % 3 == 0 {
            writeln!(
                t,
                "title = \"Run the copy job for shard {i} and check the row counts match\"\n\
                 run = \"./scripts/copy-shard.sh --shard {i} --verify\"\n\
                 timeout = \"10m\""
            )
            .unwrap();
        } else {
            writeln!(
                t,
                "title = \"Confirm shard {i} is readable from the new cluster\""
            )
            .unwrap();
        }
        writeln!(
            t,
            "owner = \"operator-{}\"\nplanned = \"{}m\"",
            i % 4,
            1 + i % 7
        )
        .unwrap();
        if i % 5 == 0 {
            writeln!(
                t,
                "description = \"\"\"\nShard {i} moves while the old cluster keeps serving reads.\n\
                 Watch the replication lag; if it climbs past 30s, stop and hold at the gate.\"\"\""
            )
            .unwrap();
        }
        t.push('\n');
    }
    t.push_str(
        "[rollback]\n\
         confirm = \"ROLLBACK\"\n\
         steps = [\n  \
           { title = \"Stop the copy jobs\", run = \"./scripts/copy-shard.sh --stop-all\" },\n  \
           { title = \"Point the application back at the old cluster\", run = \"./scripts/point-at.sh old\" },\n  \
           { title = \"Tell the incident channel\" },\n\
         ]\n",
    );
    t
}
