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
    /// The step at hand (the first one not finished) and when it was reached: the latest
    /// finish of the steps above it, or the run's start for the first. One pass.
    pub fn step_at_hand(&self) -> Option<(&Step, Option<OffsetDateTime>)> {
        let mut latest = self.progress.run_started;
        for (_, s) in self.runbook.steps() {
            match self.progress.state(&s.id) {
                Some(state) if state.status.finished() => latest = latest.max(state.finished_at),
                _ => return Some((s, latest)),
            }
        }
        None
    }

    /// When `step` became the step at hand; `None` while one above it is open or once it is
    /// finished.
    pub fn reached_at(&self, step: &str) -> Option<OffsetDateTime> {
        let (at_hand, reached) = self.step_at_hand()?;
        (at_hand.id == step).then_some(reached)?
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
        let (s, reached) = self.step_at_hand()?;
        let StepKind::Wait { duration } = s.kind else {
            return None;
        };
        let until = checked_add(reached?, duration)?;
        (until > self.now).then(|| (s.id.clone(), until))
    }

    /// The open gate at hand whose timeout runs now, and when it runs out, for the header.
    pub fn running_gate_timeout(&self) -> Option<(String, OffsetDateTime)> {
        let (s, reached) = self.step_at_hand()?;
        let StepKind::Gate {
            timeout: Some(timeout),
            ..
        } = s.kind
        else {
            return None;
        };
        let until = checked_add(reached?, timeout)?;
        (until > self.now).then(|| (s.id.clone(), until))
    }
}

/// `at + d`, or `None` past the end of time rather than a panic.
pub fn checked_add(at: OffsetDateTime, d: Duration) -> Option<OffsetDateTime> {
    at.checked_add(time::Duration::try_from(d).ok()?)
}
