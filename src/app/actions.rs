//! Actions that change the world, as state: which one runs, its output, what it may start next.
//! Every action writes its intent to the journal before the effect that starts it, and its
//! result after it ended; in rehearsal the pair is written at once with "would run" and nothing
//! is started. The cockpit carries out `Effect::Start` and reports back with `Msg::Action`.

use super::keymap::Do;
use super::output::{OutputBuffer, OutputView};
use super::*;
pub use crate::actions::report::{ActionUpdate, Work};
use crate::journal::event::Action;

/// Lines of output journaled with the result.
pub const JOURNALED_LINES: usize = 20;

/// Why an action runs, to know what follows its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Step(String),
    Shift,
    Rollback(usize),
}

/// The action running now, or the last one (kept for its output until the next starts).
#[derive(Debug, Clone, PartialEq)]
pub struct RunningAction {
    pub id: u64,
    pub purpose: Purpose,
    /// One line: `cutover: run `…``, `shift green 10% -> 50%`.
    pub title: String,
    pub started: OffsetDateTime,
    /// Its output, bounded in memory (the whole of it is in the kept file).
    pub lines: OutputBuffer,
    /// Where the output pane looks in it.
    pub view: OutputView,
    /// (ok, result) once it ended.
    pub ended: Option<(bool, String)>,
    pub interrupting: bool,
}

impl RunningAction {
    pub fn is_running(&self) -> bool {
        self.ended.is_none()
    }
}

impl App {
    /// The action this session is running, if one is.
    pub fn running_now(&self) -> Option<&RunningAction> {
        self.running.as_ref().filter(|r| r.is_running())
    }

    /// Actions started and never ended that this session is not running: a crash left them.
    pub fn in_doubt(&self) -> Vec<u64> {
        let mine = self.running_now().map(|r| r.id);
        self.progress
            .open_actions()
            .map(|(id, _)| id)
            .filter(|id| Some(*id) != mine)
            .collect()
    }

    /// Whether actions may be offered at all in this session.
    pub fn may_act(&self) -> bool {
        self.mode != Mode::ReadOnly
    }

    /// Checks everything that stops an actuation now, and says why (or asks about the action
    /// in doubt first). `true` when the action may go ahead.
    pub(super) fn ready_to_actuate(&mut self) -> bool {
        if !self.may_act() {
            self.flash = Some(self.read_only_note());
            return false;
        }
        if let Some(id) = self.in_doubt().first().copied() {
            self.open_in_doubt(id);
            return false;
        }
        if let Some(running) = self.running_now() {
            self.flash = Some(format!(
                "`{}` is still running: wait, or Ctrl-C it in the output pane",
                running.title
            ));
            return false;
        }
        if self.rollback_active() {
            let rollback = self.key(super::keymap::Command::Rollback);
            self.flash = Some(format!("a rollback is under way: {rollback} shows it"));
            return false;
        }
        if self.progress.ended.is_some() {
            self.flash = Some(format!(
                "the run is {}: `flightdeck run` starts a fresh one",
                self.progress.run_state().word()
            ));
            return false;
        }
        if let Some(why) = &self.journal_error {
            self.flash = Some(format!("no action while the journal is failing ({why})"));
            return false;
        }
        true
    }

    pub(super) fn read_only_note(&self) -> String {
        match &self.seat_note {
            Some(note) => format!("read-only ({note}): no actions here"),
            None => "read-only: no actions here".into(),
        }
    }

    /// Journals the intent, then asks the cockpit to start the work. In rehearsal nothing is
    /// started: the intent and a "would run" result are journaled together.
    pub(super) fn start_action(
        &mut self,
        action: Action,
        work: Work,
        purpose: Purpose,
    ) -> Vec<Effect> {
        let id = self.progress.next_action_id();
        let rehearsal = self.rehearsing();
        let title = action.summary();
        let mut effects = self.record(Event::ActionStarted {
            id,
            action,
            rehearsal,
        });
        if effects.is_empty() {
            return effects; // refused: nothing may start unrecorded
        }
        self.running = Some(RunningAction {
            id,
            purpose,
            title,
            started: self.now,
            lines: OutputBuffer::default(),
            view: OutputView::default(),
            ended: None,
            interrupting: false,
        });
        if rehearsal {
            let shown = match &work {
                Work::Shell { command, .. } => command.clone(),
                Work::Http { request, .. } => request.shown(),
            };
            let line = ActionUpdate::Line {
                stderr: false,
                text: format!("would run: {shown}"),
            };
            effects.extend(self.action_update(id, line));
            effects.extend(self.action_update(
                id,
                ActionUpdate::Ended {
                    ok: true,
                    result: "would run (rehearsal): nothing was run".into(),
                    output_file: None,
                },
            ));
        } else {
            effects.push(Effect::Start { id, work });
        }
        effects
    }

    /// Output and the end of a running action, from the cockpit.
    pub(super) fn action_update(&mut self, id: u64, update: ActionUpdate) -> Vec<Effect> {
        // A line is drawn only where the pane or the rollback's progress shows output.
        let shown = self
            .layers
            .iter()
            .any(|l| matches!(l, Layer::Output | Layer::RollbackRun));
        let Some(running) = self.running.as_mut().filter(|r| r.id == id) else {
            return Vec::new();
        };
        match update {
            ActionUpdate::Line { stderr, text } => {
                running.lines.push(stderr, text);
                self.lines_arrived(shown)
            }
            ActionUpdate::Lines(lines) => {
                for line in lines {
                    running.lines.push(line.stderr, line.text);
                }
                self.lines_arrived(shown)
            }
            ActionUpdate::Spilled { first, lines } => {
                running.lines.set_page(first, lines);
                self.dirty |= shown;
                Vec::new()
            }
            ActionUpdate::Ended {
                ok,
                result,
                output_file,
            } => {
                self.dirty = true;
                running.ended = Some((ok, result.clone()));
                let purpose = running.purpose.clone();
                let shifted = matches!(
                    self.progress.actions.get(&id).map(|a| &a.action),
                    Some(Action::Shift { .. })
                );
                let output = running
                    .lines
                    .tail(JOURNALED_LINES)
                    .map(|l| l.text.clone())
                    .collect();
                let mut effects = self.record(Event::ActionEnded {
                    id,
                    ok,
                    result: result.clone(),
                    output,
                    output_file,
                });
                if shifted && self.reads_back() {
                    effects.push(Effect::ReadTraffic);
                }
                effects.extend(self.after_action(purpose, ok, &result));
                effects
            }
        }
    }

    /// What follows an action's end: a read-back after a shift, the next rollback step, a
    /// rollback that waited for this action.
    fn after_action(&mut self, purpose: Purpose, ok: bool, result: &str) -> Vec<Effect> {
        match purpose {
            Purpose::Step(step) => {
                self.flash = Some(match ok {
                    true => format!("`{step}` done: {result}"),
                    false => format!("`{step}` failed: {result}"),
                });
            }
            Purpose::Shift if !ok => self.flash = Some(format!("the shift failed: {result}")),
            Purpose::Shift => {}
            Purpose::Rollback(index) => {
                let mut effects = Vec::new();
                let traffic = self
                    .rollback_steps()
                    .get(index)
                    .is_some_and(|s| s.action.is_traffic());
                if traffic && self.reads_back() {
                    effects.push(Effect::ReadTraffic);
                }
                effects.extend(self.rollback_step_ended(index, ok));
                return effects;
            }
        }
        self.begin_queued_rollback()
    }

    /// Live with a `get` or a native actuator: the weights in force can be read back.
    pub(super) fn reads_back(&self) -> bool {
        self.mode == Mode::Live
            && self.runbook.traffic.as_ref().is_some_and(|t| {
                t.get.is_some() || matches!(t.set, crate::runbook::Actuator::Aws(_))
            })
    }

    /// Ctrl-C in the output pane: SIGINT to the command's group, SIGKILL after the grace.
    pub(super) fn interrupt_running(&mut self) -> Vec<Effect> {
        match self.running.as_mut().filter(|r| r.is_running()) {
            Some(running) => {
                running.interrupting = true;
                vec![Effect::Interrupt(running.id)]
            }
            None => Vec::new(),
        }
    }

    /// Enter on a command step: the confirmation dialog with Cancel focused.
    pub(super) fn open_command(&mut self, step: &str) {
        if self
            .running_now()
            .is_some_and(|r| r.purpose == Purpose::Step(step.into()))
        {
            self.layers.push(Layer::Output);
            return;
        }
        if !self.may_act() {
            self.flash = Some(self.read_only_note());
            return;
        }
        self.layers.push(Layer::ConfirmCommand {
            step: step.to_string(),
            run_focused: false,
        });
    }

    /// Enter in the command's confirmation: runs it when Run has the focus, else cancels.
    pub(super) fn confirm_command(&mut self) -> Vec<Effect> {
        match self.layers.pop() {
            Some(Layer::ConfirmCommand {
                step,
                run_focused: true,
            }) => self.run_command_step(&step),
            _ => Vec::new(),
        }
    }

    fn run_command_step(&mut self, step: &str) -> Vec<Effect> {
        if !self.ready_to_actuate() {
            return Vec::new();
        }
        let Some(StepKind::Command { run, timeout }) =
            self.runbook.step(step).map(|s| s.kind.clone())
        else {
            return Vec::new();
        };
        let command = self.resolve(&run);
        let action = Action::Command {
            step: step.to_string(),
            command: command.clone(),
        };
        let effects = self.start_action(
            action,
            Work::Shell { command, timeout },
            Purpose::Step(step.to_string()),
        );
        if !effects.is_empty() {
            self.layers.push(Layer::Output);
        }
        effects
    }

    /// A command template with the runbook's `${NAME}` filled in: what runs and is journaled.
    /// Environment references stay as written, so no secret value is ever shown or journaled.
    pub fn resolve(&self, template: &str) -> String {
        crate::runbook::template::expand(template, &self.runbook.vars)
    }

    /// On resume (or once the seat is taken): ask about the first action in doubt, if any.
    pub fn ask_about_doubt(&mut self) {
        if self.may_act()
            && let Some(id) = self.in_doubt().first().copied()
        {
            self.open_in_doubt(id);
        }
    }

    pub(super) fn open_in_doubt(&mut self, id: u64) {
        if !matches!(self.top_layer(), Some(Layer::InDoubt { .. })) {
            self.layers.push(Layer::InDoubt {
                id,
                verdict: None,
                input: TextInput::default(),
            });
        }
    }

    /// `d` it took effect, `n` it did not; then a note on how that was found out.
    pub(super) fn in_doubt_key(&mut self, command: Option<Do>, key: Key) -> Vec<Effect> {
        let Some(Layer::InDoubt { id, verdict, input }) = self.layers.last_mut() else {
            return Vec::new();
        };
        let id = *id;
        match (*verdict, command) {
            (_, Some(Do::Close | Do::Cancel)) => {
                self.layers.pop();
                self.flash =
                    Some("an action is in doubt: nothing can actuate until it is resolved".into());
            }
            (None, Some(Do::Stop)) => self.offer_stop(id),
            (None, Some(Do::TookEffect)) => *verdict = Some(true),
            (None, Some(Do::DidNot)) => *verdict = Some(false),
            (Some(ok), Some(Do::Submit)) => {
                let note = input.text.trim().to_string();
                if note.is_empty() {
                    let esc = self.esc();
                    self.flash = Some(format!("say how you know ({esc} leaves it in doubt)"));
                    return Vec::new();
                }
                self.layers.pop();
                let effects = self.record(Event::ActionResolved { id, ok, note });
                if let Some(next) = self.in_doubt().first().copied() {
                    self.open_in_doubt(next);
                }
                return effects;
            }
            (Some(_), _) => input.edit(key),
            _ => {}
        }
        Vec::new()
    }
}

pub use crate::secrets::looks_secret;

/// The environment variables a command refers to (`$NAME`, `${NAME}`, `${NAME:-x}`), in order
/// of first use, each with what the confirmation shows for it: the value, `$NAME` (it looks
/// secret or the runbook declares it so) or that it is unset.
pub fn env_refs(
    command: &str,
    env: &BTreeMap<String, String>,
    declared: &[String],
) -> Vec<(String, EnvShown)> {
    let mut seen: Vec<(String, EnvShown)> = Vec::new();
    let bytes = command.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let braced = bytes.get(i + 1) == Some(&b'{');
            let start = i + 1 + braced as usize;
            let len = command[start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let name = &command[start..start + len];
            if !name.is_empty()
                && !name.as_bytes()[0].is_ascii_digit()
                && !seen.iter().any(|(n, _)| n == name)
            {
                let shown = match env.get(name) {
                    None => EnvShown::Unset,
                    Some(_) if looks_secret(name) || declared.iter().any(|d| d == name) => {
                        EnvShown::Secret
                    }
                    Some(value) => EnvShown::Value(value.clone()),
                };
                seen.push((name.to_string(), shown));
            }
            i = start + len.max(1) - 1;
        }
        i += 1;
    }
    seen
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvShown {
    Value(String),
    Secret,
    Unset,
}

use std::collections::BTreeMap;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_refs_hide_secrets_and_flag_unset_names() {
        let env = BTreeMap::from([
            ("API_ID".to_string(), "abc123".to_string()),
            ("DB_PASSWORD".to_string(), "hunter2".to_string()),
            ("REGION".to_string(), "eu-west-1".to_string()),
        ]);
        let refs = env_refs(
            "curl -H \"x: $DB_PASSWORD\" ${API_ID}/x?a=$API_ID&b=${MISSING:-1} $1 $$ $REGION",
            &env,
            &["API_ID".to_string()],
        );
        assert_eq!(
            refs,
            vec![
                ("DB_PASSWORD".into(), EnvShown::Secret),
                ("API_ID".into(), EnvShown::Secret),
                ("MISSING".into(), EnvShown::Unset),
                ("REGION".into(), EnvShown::Value("eu-west-1".into())),
            ]
        );
    }
}
