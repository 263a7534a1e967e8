//! Go/no-go criteria: parsing now, evaluation against live samples with the telemetry issue.
//! Pure code: no I/O, no terminal.

pub mod criterion;

pub use criterion::{Condition, Criterion, CriterionError, Op, Unit};
