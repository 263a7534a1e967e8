//! Go/no-go criteria: the language, and their evaluation against live samples.
//! Pure code: no I/O, no terminal.

pub mod criterion;
pub mod evaluate;

pub use criterion::{Condition, Criterion, CriterionError, Op, Unit};
pub use evaluate::{Evaluation, Verdict, evaluate};
