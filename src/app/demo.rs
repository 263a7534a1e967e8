//! The demo's failure key (`X`, only in `flightdeck demo`): something goes wrong on purpose, so
//! a newcomer sees an abort and a rollback. Pure like the rest of `update`: the cockpit hands
//! the effect to the demo world, which makes green's orders answer 500.

use super::*;

impl App {
    pub(super) fn demo_fault(&mut self) -> Vec<Effect> {
        if !self.may_act() {
            self.flash = Some(self.read_only_note());
            return Vec::new();
        }
        let failing = !self.demo_green_failing;
        self.demo_green_failing = failing;
        let (flash, note) = if failing {
            (
                "DEMO: green's orders now answer 500; watch the error rate (X heals it)",
                "DEMO: the failure key made green answer 500",
            )
        } else {
            ("DEMO: green healed", "DEMO: the failure key healed green")
        };
        self.flash = Some(flash.into());
        // Noted in the journal at the step the run is at, so the report says why errors rose.
        let step = self
            .runbook
            .steps()
            .find(|(_, s)| !self.progress.status(&s.id).finished())
            .or_else(|| self.runbook.steps().last())
            .map(|(_, s)| s.id.clone());
        let mut effects = match step {
            Some(step) => self.record(Event::NoteAdded {
                step,
                text: note.into(),
            }),
            None => Vec::new(),
        };
        effects.push(Effect::DemoGreenFailing(failing));
        effects
    }
}
