//! Go/no-go criteria evaluated against live samples (the language itself is `criteria`).
//! Pure code: no I/O, no terminal.

pub use crate::criteria::criterion;
pub mod evaluate;

pub use crate::criteria::{Condition, Criterion, CriterionError, Op, Unit};
pub use evaluate::{Evaluation, Verdict, evaluate};
