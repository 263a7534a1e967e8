//! The criteria language (`lag < 30s for 5m`) and the time units and durations it shares with
//! the runbook: plain values, parsed once, that import nothing else of Flightdeck. The runbook
//! parses criteria with it and the gates evaluate them, so neither needs the other.

pub mod criterion;
pub mod duration;
pub mod unit;

pub use criterion::{Condition, Criterion, CriterionError, Op, Unit};
