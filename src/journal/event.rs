//! What the journal records. Events are facts in the past tense; the app folds them into its
//! progress state, both live and when a run is resumed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The first record of every run.
    RunStarted {
        runbook_path: String,
        runbook_name: String,
        step_fingerprints: BTreeMap<String, String>,
        /// Live or rehearsal, fixed for the run's life. Journals written before the mode was
        /// recorded have none; [`RunMode::of_old_run`] infers it from their actions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<RunMode>,
    },
    /// The run was ended on purpose: completed (every step done) or aborted. The next
    /// `flightdeck run` starts a fresh run.
    RunEnded {
        outcome: RunOutcome,
        reason: String,
    },
    /// A later session picked the run up again; `changed_steps` lists steps edited in the file
    /// since the run began (accepted by the operator before resuming).
    RunResumed {
        changed_steps: Vec<String>,
        step_fingerprints: BTreeMap<String, String>,
    },
    StepTicked {
        step: String,
    },
    /// The operator reopened a ticked or skipped step (Space): it is pending again.
    StepReopened {
        step: String,
    },
    /// `u`: the operator's last manual tick, skip or reopen of `step` was taken back; the step
    /// is as it was before that toggle.
    ToggleUndone {
        step: String,
    },
    StepSkipped {
        step: String,
        reason: String,
    },
    NoteAdded {
        step: String,
        text: String,
    },
    /// The cockpit closed: on quit, SIGHUP or SIGTERM. Keeps the selection for the next session.
    SessionEnded {
        reason: String,
        selected: Option<String>,
    },
    /// Written before an action starts: if no `action_ended` follows (a crash, kill -9, power
    /// loss), the action is in doubt until the operator says what happened.
    ActionStarted {
        id: u64,
        action: Action,
        /// `--rehearsal`: nothing was run, the action was only shown as "would run".
        rehearsal: bool,
    },
    ActionEnded {
        id: u64,
        ok: bool,
        /// `exit 0 in 1.2s`, `HTTP 200 in 35ms`, `would run (rehearsal)`.
        result: String,
        /// The last lines of output, sanitized and bounded.
        output: Vec<String>,
        /// The whole output, kept in a file beside the journal. Absent for actions that print
        /// nothing to keep (HTTP requests, rehearsals, manual rollback steps) and in journals
        /// written before it was kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        output_file: Option<OutputFile>,
    },
    /// After a crash: what the operator found really happened to an action left in doubt.
    ActionResolved {
        id: u64,
        ok: bool,
        note: String,
    },
    /// A command's process started (after its `action_started`): its group, to find it after
    /// a crash, and its leader's start time, so a recycled pid is never taken for it.
    ActionProcess {
        id: u64,
        pgid: u32,
        /// The leader's start time in clock ticks after boot (`/proc/<pid>/stat` field 22).
        start_ticks: u64,
    },
    /// The operator confirmed stopping the process group an in-doubt action left running.
    OrphanStopAsked {
        id: u64,
        pgid: u32,
    },
    /// How that stop went; `alive` when the group still runs.
    OrphanStopped {
        id: u64,
        result: String,
        alive: bool,
    },
    /// A go/no-go decision with everything it was based on.
    GateDecided {
        step: String,
        go: bool,
        /// Criteria that did not pass but were overridden, with `reason`.
        overridden: Vec<String>,
        reason: Option<String>,
        evidence: Vec<Evidence>,
        signoffs: Vec<String>,
    },
    /// Team mode: an operator ticked one of a gate's sign-offs from their own cockpit, under
    /// their own name (the record's `operator`). The gate counts it as ticked.
    SignedOff {
        step: String,
        signoff: String,
    },
    /// A decided gate was opened again to be judged on fresh values: by the operator with the
    /// typed word and a reason, or by the cockpit after a rollback put traffic back.
    GateReopened {
        step: String,
        reason: String,
        /// Reopened by the cockpit (after a rollback), not by a person.
        #[serde(default)]
        automatic: bool,
    },
    /// An action went ahead although a hold stood in its way (a gate not GO, a bake not over),
    /// on the operator's typed reason.
    HoldOverridden {
        step: Option<String>,
        /// What held it, in words: "gate `go_no_go` is not GO", "the bake at 10% ends in 4m".
        hold: String,
        reason: String,
    },
    /// The traffic actuator's read-back changed: the green weight now in force, or why it
    /// could not be read. Journaled once per change, not per poll.
    TrafficObserved {
        green: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// During a bake, an `abort_when` criterion failed; `policy` says what followed.
    BreachDetected {
        green: Option<u8>,
        evidence: Vec<Evidence>,
        policy: OnBreach,
    },
    /// The emergency rollback began: typed by the operator, or by the `rollback` breach policy.
    RollbackBegan {
        trigger: String,
        /// The phase whose own rollback this is; `None` for the runbook's emergency plan.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phase: Option<String>,
    },
    /// A failing rollback step the operator chose to skip.
    RollbackStepSkipped {
        index: usize,
        title: String,
    },
    /// The rollback finished (`completed`) or was aborted by the operator.
    RollbackEnded {
        completed: bool,
    },
    /// A `[[notify]]` webhook was told (or could not be told, after its retries) about an
    /// event: for the screen, and for the report's list of what was sent.
    NotificationSent {
        target: String,
        topic: crate::runbook::Topic,
        ok: bool,
        attempts: u32,
        /// `HTTP 200`, or the last failure in one line.
        detail: String,
        text: String,
    },
}

/// Where an action's whole output is kept, and what it must still be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Relative to the journal's directory: `<run id>.output/<action id>.log`.
    pub path: String,
    /// Of the file's bytes, hex.
    pub sha256: String,
    pub bytes: u64,
    pub lines: u64,
}

/// A criterion's verdict as journaled: the journal's own type, so the evaluator's types can
/// change without breaking a journal written before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub criterion: String,
    pub verdict: EvidenceVerdict,
    /// The value in the source's unit, if there was one.
    pub measured: Option<f64>,
    /// How old that value was, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_ms: Option<u64>,
    /// Format 0 wrote the age as `{"secs":…,"nanos":…}`: read into `age_ms`, never written.
    #[serde(default, rename = "age", skip_serializing)]
    legacy_age: Option<LegacyDuration>,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct LegacyDuration {
    secs: u64,
    nanos: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceVerdict {
    Pass,
    Fail,
    Unknown,
}

impl EvidenceVerdict {
    pub fn word(self) -> &'static str {
        match self {
            EvidenceVerdict::Pass => "PASS",
            EvidenceVerdict::Fail => "FAIL",
            EvidenceVerdict::Unknown => "UNKNOWN",
        }
    }
}

impl Evidence {
    /// How old the value was, whichever format wrote it.
    pub fn age(&self) -> Option<std::time::Duration> {
        self.age_ms
            .map(std::time::Duration::from_millis)
            .or_else(|| {
                self.legacy_age
                    .map(|d| std::time::Duration::new(d.secs, d.nanos.min(999_999_999)))
            })
    }
}

impl From<&crate::gates::Evaluation> for Evidence {
    fn from(e: &crate::gates::Evaluation) -> Self {
        use crate::gates::Verdict;
        Evidence {
            criterion: e.criterion.clone(),
            verdict: match e.verdict {
                Verdict::Pass => EvidenceVerdict::Pass,
                Verdict::Fail => EvidenceVerdict::Fail,
                Verdict::Unknown => EvidenceVerdict::Unknown,
            },
            measured: e.measured,
            age_ms: e
                .age
                .map(|a| u64::try_from(a.as_millis()).unwrap_or(u64::MAX)),
            legacy_age: None,
            why: e.why.clone(),
        }
    }
}

/// Evidence for every evaluation, as journaled.
pub fn evidence(evaluations: &[crate::gates::Evaluation]) -> Vec<Evidence> {
    evaluations.iter().map(Evidence::from).collect()
}

/// The breach policy as journaled (the runbook's type may change; this may not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBreach {
    Prompt,
    Rollback,
    Freeze,
}

impl From<crate::runbook::BreachPolicy> for OnBreach {
    fn from(p: crate::runbook::BreachPolicy) -> Self {
        use crate::runbook::BreachPolicy;
        match p {
            BreachPolicy::Prompt => OnBreach::Prompt,
            BreachPolicy::Rollback => OnBreach::Rollback,
            BreachPolicy::Freeze => OnBreach::Freeze,
        }
    }
}

impl OnBreach {
    pub fn policy(self) -> crate::runbook::BreachPolicy {
        use crate::runbook::BreachPolicy;
        match self {
            OnBreach::Prompt => BreachPolicy::Prompt,
            OnBreach::Rollback => BreachPolicy::Rollback,
            OnBreach::Freeze => BreachPolicy::Freeze,
        }
    }
}

/// Whether a run acts for real or only walks the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    Live,
    Rehearsal,
}

impl RunMode {
    pub fn label(self) -> &'static str {
        match self {
            RunMode::Live => "live",
            RunMode::Rehearsal => "rehearsal",
        }
    }

    /// A run journaled before modes were: a rehearsal if any of its actions was rehearsed.
    pub fn of_old_run<'a>(events: impl IntoIterator<Item = &'a Event>) -> RunMode {
        let rehearsed = events.into_iter().any(|e| {
            matches!(
                e,
                Event::ActionStarted {
                    rehearsal: true,
                    ..
                }
            )
        });
        if rehearsed {
            RunMode::Rehearsal
        } else {
            RunMode::Live
        }
    }
}

/// How a run ended on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Every step done or skipped.
    Completed,
    /// Ended with steps left open.
    Aborted,
}

impl RunOutcome {
    pub fn word(self) -> &'static str {
        match self {
            RunOutcome::Completed => "completed",
            RunOutcome::Aborted => "aborted",
        }
    }
}

/// What an action does, as journaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A command step: the command as resolved and shown (secrets as `$NAME`).
    Command { step: String, command: String },
    /// A traffic shift from one green weight to another, through the actuator.
    Shift {
        step: Option<String>,
        from_green: Option<u8>,
        to_green: u8,
        request: String,
    },
    /// One step of the emergency rollback plan.
    RollbackStep {
        index: usize,
        title: String,
        command: Option<String>,
        /// The green weight a traffic rollback step sets.
        #[serde(default)]
        to_green: Option<u8>,
    },
}

impl Action {
    pub fn summary(&self) -> String {
        match self {
            Action::Command { step, command } => format!("{step}: run `{command}`"),
            Action::Shift {
                from_green,
                to_green,
                ..
            } => match from_green {
                Some(f) => format!("shift green {f}% -> {to_green}%"),
                None => format!("shift green to {to_green}%"),
            },
            Action::RollbackStep { index, title, .. } => {
                format!("rollback step {}: {title}", index + 1)
            }
        }
    }

    pub fn step(&self) -> Option<&str> {
        match self {
            Action::Command { step, .. } => Some(step),
            Action::Shift { step, .. } => step.as_deref(),
            Action::RollbackStep { .. } => None,
        }
    }
}

impl Event {
    /// One line for journal views and reports.
    pub fn summary(&self) -> String {
        match self {
            Event::RunStarted { runbook_name, .. } => format!("run started: {runbook_name}"),
            Event::RunResumed { changed_steps, .. } if changed_steps.is_empty() => {
                "run resumed".into()
            }
            Event::RunResumed { changed_steps, .. } => format!(
                "run resumed; runbook changed in: {}",
                changed_steps.join(", ")
            ),
            Event::StepTicked { step } => format!("{step}: done"),
            Event::StepReopened { step } => format!("{step}: reopened"),
            Event::ToggleUndone { step } => format!("{step}: last toggle undone"),
            Event::RunEnded { outcome, reason } => {
                format!("run ended: {} ({reason})", outcome.word())
            }
            Event::GateReopened {
                step,
                reason,
                automatic,
            } => {
                let by = if *automatic { " by the cockpit" } else { "" };
                format!("{step}: gate reopened{by} ({reason})")
            }
            Event::HoldOverridden { hold, reason, .. } => {
                format!("OVERRIDE: {hold}; reason: {reason}")
            }
            Event::TrafficObserved { green: Some(g), .. } => {
                format!("read-back: {g}% green in force")
            }
            Event::TrafficObserved { error, .. } => format!(
                "read-back failing: {}",
                error.as_deref().unwrap_or("no value")
            ),
            Event::StepSkipped { step, reason } => format!("{step}: skipped ({reason})"),
            Event::NoteAdded { step, text } => format!("{step}: note: {text}"),
            Event::SignedOff { step, signoff } => format!("{step}: signed off: {signoff}"),
            Event::SessionEnded { reason, .. } => format!("session ended ({reason})"),
            Event::ActionStarted {
                action, rehearsal, ..
            } => {
                let would = if *rehearsal { " (rehearsal)" } else { "" };
                format!("started{would}: {}", action.summary())
            }
            Event::ActionEnded { ok, result, .. } => {
                format!("{}: {result}", if *ok { "succeeded" } else { "failed" })
            }
            Event::ActionResolved { ok, note, .. } => format!(
                "in-doubt action resolved as {}: {note}",
                if *ok { "done" } else { "not done" }
            ),
            Event::ActionProcess { pgid, .. } => format!("running as process group {pgid}"),
            Event::OrphanStopAsked { pgid, .. } => {
                format!("stop asked for left-over process group {pgid}")
            }
            Event::OrphanStopped { result, .. } => format!("left-over process: {result}"),
            Event::GateDecided {
                step, go, reason, ..
            } => {
                let word = if *go { "GO" } else { "NO-GO" };
                match reason {
                    Some(r) => format!("{step}: {word} ({r})"),
                    None => format!("{step}: {word}"),
                }
            }
            Event::BreachDetected {
                evidence, policy, ..
            } => {
                // An abort criterion that holds (passes) is the breach.
                let held: Vec<String> = evidence
                    .iter()
                    .filter(|e| e.verdict == EvidenceVerdict::Pass)
                    .map(|e| format!("{}: {}", e.criterion, e.why))
                    .collect();
                format!(
                    "abort criteria breached ({}); policy: {}",
                    held.join(", "),
                    policy.policy().name()
                )
            }
            Event::RollbackBegan {
                trigger,
                phase: None,
            } => format!("ROLLBACK began ({trigger})"),
            Event::RollbackBegan {
                trigger,
                phase: Some(phase),
            } => format!("ROLLBACK of phase {phase} began ({trigger})"),
            Event::RollbackStepSkipped { index, title } => {
                format!("rollback step {} skipped: {title}", index + 1)
            }
            Event::RollbackEnded { completed: true } => "rollback completed".into(),
            Event::RollbackEnded { completed: false } => "rollback aborted".into(),
            Event::NotificationSent {
                target,
                topic,
                ok: true,
                ..
            } => format!("notified {target} ({})", topic.name()),
            Event::NotificationSent {
                target,
                topic,
                attempts,
                detail,
                ..
            } => format!(
                "notifying {target} ({}) FAILED after {attempts} attempt(s): {detail}",
                topic.name()
            ),
        }
    }
}
