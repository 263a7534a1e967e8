//! Actions that change the world: command steps, traffic shifts, rollback steps. Each runs only
//! after its confirmation, writes its intent to the journal before it starts and its result
//! after it ends.

pub mod process;
pub mod report;
pub mod runner;
pub mod traffic;
