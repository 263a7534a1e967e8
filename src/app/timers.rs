//! The clocks that hold the operator back: a wait step's timer and a gate's timeout both run
//! from the moment their step is reached (every step above it finished).

use std::time::Duration;

use super::*;

/// Where a wait step's timer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitTimer {
    /// Steps above it are still open: the timer has not started.
    NotReached,
    Running {
        until: OffsetDateTime,
    },
    Over,
}

impl App {
    /// When `step` became the step at hand: the latest finish of the steps above it, or the
    /// run's start for the first; `None` while one above is open or once it is finished.
    pub fn reached_at(&self, step: &str) -> Option<OffsetDateTime> {
        if self.progress.status(step).finished() {
            return None;
        }
        let mut latest = self.progress.run_started;
        for (_, s) in self.runbook.steps() {
            if s.id == step {
                return latest;
            }
            let state = self.progress.state(&s.id)?;
            if !state.status.finished() {
                return None;
            }
            latest = latest.max(state.finished_at);
        }
        None
    }

    /// A wait step's timer; `None` for any other step.
    pub fn wait_timer(&self, step: &str) -> Option<WaitTimer> {
        let StepKind::Wait { duration } = self.runbook.step(step)?.kind else {
            return None;
        };
        Some(match self.reached_at(step) {
            None => WaitTimer::NotReached,
            Some(from) => match checked_add(from, duration) {
                Some(until) if until > self.now => WaitTimer::Running { until },
                _ => WaitTimer::Over,
            },
        })
    }

    /// Why a wait step may not be ticked yet, in words; `None` when it may.
    pub fn wait_hold(&self, step: &str) -> Option<String> {
        match self.wait_timer(step)? {
            WaitTimer::Over => None,
            WaitTimer::NotReached => Some(format!(
                "`{step}` is a wait: its timer starts when the steps above it are done"
            )),
            WaitTimer::Running { until } => Some(format!(
                "`{step}` waits {} more",
                crate::telemetry::format::age((until - self.now).whole_seconds())
            )),
        }
    }

    /// The running wait timer of the step at hand, for the header.
    pub fn running_wait(&self) -> Option<(String, OffsetDateTime)> {
        self.runbook
            .steps()
            .find_map(|(_, s)| match self.wait_timer(&s.id)? {
                WaitTimer::Running { until } => Some((s.id.clone(), until)),
                _ => None,
            })
    }

    /// The open gate whose timeout runs now, and when it runs out, for the header.
    pub fn running_gate_timeout(&self) -> Option<(String, OffsetDateTime)> {
        self.runbook.steps().find_map(|(_, s)| {
            let timeout = self.gate_spec(&s.id)?.timeout?;
            let until = checked_add(self.reached_at(&s.id)?, timeout)?;
            (until > self.now).then(|| (s.id.clone(), until))
        })
    }
}

/// `at + d`, or `None` past the end of time rather than a panic.
pub fn checked_add(at: OffsetDateTime, d: Duration) -> Option<OffsetDateTime> {
    at.checked_add(time::Duration::try_from(d).ok()?)
}
