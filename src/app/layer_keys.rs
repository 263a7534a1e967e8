//! Keys in the layers over the main screen. The top layer's key table says which command a
//! key means ([`App::top_keys`]); the dialog's state is changed where it lies on the stack,
//! and taken off it (owned) when the dialog closes.

use super::keymap::{self, Do, Key, Table};
use super::*;

impl App {
    /// The key table of the top layer now. A layer whose text field has the focus answers to
    /// the text table (letters are typed), whatever its own table is.
    pub fn top_keys(&self) -> Option<&'static Table<Do>> {
        Some(match self.top_layer()? {
            Layer::Help { .. } => &keymap::HELP,
            Layer::SourceDetail { .. } => &keymap::DETAIL,
            Layer::Prompt { .. } | Layer::TakeOver { .. } | Layer::Shift { .. } => &keymap::TEXT,
            Layer::Search(_) => &keymap::SEARCH,
            Layer::ConfirmResume { .. } => &keymap::RESUME,
            Layer::ConfirmCommand { .. } => &keymap::COMMAND,
            Layer::Output if self.output_search_typing() => &keymap::TEXT,
            Layer::Output => &keymap::OUTPUT,
            Layer::Gate(d) if d.stage.typing() => &keymap::TEXT,
            Layer::Gate(_) => &keymap::GATE,
            Layer::Breach { .. } => &keymap::BREACH,
            Layer::Rollback { .. } => &keymap::ROLLBACK,
            Layer::RollbackWithoutSeat { .. } => &keymap::WITHOUT_SEAT,
            Layer::RollbackRun => &keymap::ROLLBACK_RUN,
            Layer::InDoubt {
                verdict: Some(_), ..
            } => &keymap::TEXT,
            Layer::InDoubt { .. } => &keymap::IN_DOUBT,
            Layer::ConfirmQuit => &keymap::QUIT,
            Layer::ConfirmEnd => &keymap::END,
            Layer::StopOrphan { .. } => &keymap::STOP_ORPHAN,
        })
    }

    /// A text field has the keys: letters are typed, not commands.
    pub fn text_focused(&self) -> bool {
        self.top_keys().is_some_and(|t| t.typing)
    }

    pub(super) fn layer_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(table) = self.top_keys() else {
            return Vec::new();
        };
        let command = self.keys.command(table, key);
        let Some(top) = self.layers.last_mut() else {
            return Vec::new();
        };
        match top {
            Layer::Help { scroll } => match command {
                Some(Do::Down) => *scroll = scroll.saturating_add(1),
                Some(Do::Up) => *scroll = scroll.saturating_sub(1),
                Some(Do::Close) => self.close_top(),
                _ => {}
            },
            Layer::SourceDetail { .. } if command == Some(Do::Close) => self.close_top(),
            Layer::SourceDetail { .. } => {}
            Layer::Prompt { input, .. } | Layer::TakeOver { input, .. } => match command {
                Some(Do::Submit) => return self.submit_text(),
                Some(Do::Cancel) => return self.cancel_text(),
                _ => input.edit(key),
            },
            Layer::Search(_) => self.search_key(command, key),
            Layer::ConfirmCommand { run_focused, .. } => match command {
                Some(Do::Switch) => *run_focused = !*run_focused,
                Some(Do::Cancel) => self.close_top(),
                Some(Do::Submit) => return self.confirm_command(),
                _ => {}
            },
            Layer::Output => return self.output_key(command, key),
            Layer::Gate(_) => return self.gate_key(command, key),
            Layer::Shift { .. } => return self.shift_key(command, key),
            Layer::Breach { .. } => self.breach_key(command),
            Layer::Rollback { .. } => return self.rollback_key(command, key),
            Layer::RollbackWithoutSeat { .. } => return self.without_seat_key(command),
            Layer::RollbackRun => return self.rollback_run_key(command),
            Layer::InDoubt { .. } => return self.in_doubt_key(command, key),
            Layer::ConfirmEnd => return self.confirm_end_key(command),
            Layer::StopOrphan { .. } => return self.stop_orphan_key(command),
            Layer::ConfirmQuit => match command {
                Some(Do::Yes) => return self.end_session("quit"),
                Some(Do::No) => self.close_top(),
                _ => {}
            },
            Layer::ConfirmResume { .. } => match command {
                Some(Do::Yes) => {
                    if let Some(Layer::ConfirmResume { changed }) = self.layers.pop() {
                        return self.record(Event::RunResumed {
                            changed_steps: changed,
                            step_fingerprints: self.runbook.step_fingerprints(),
                        });
                    }
                }
                Some(Do::No) => return vec![Effect::NewRun],
                Some(Do::Quit) => return vec![Effect::Quit],
                _ => {}
            },
        }
        Vec::new()
    }

    /// How a text field's Esc (or the key the config gave it) is written, for messages.
    pub(super) fn esc(&self) -> std::borrow::Cow<'static, str> {
        self.keys.of(&keymap::TEXT).label(Do::Cancel)
    }

    pub(super) fn close_top(&mut self) {
        self.layers.pop();
    }

    /// Enter in a skip reason, a note or the takeover word.
    fn submit_text(&mut self) -> Vec<Effect> {
        match self.top_layer() {
            Some(Layer::TakeOver { input, .. }) if input.text == TAKEOVER_WORD => {
                self.layers.pop();
                vec![Effect::TakeSeat]
            }
            Some(Layer::TakeOver { .. }) => {
                self.flash = Some(format!(
                    "type {TAKEOVER_WORD} exactly to take the seat, or {} to stay read-only",
                    self.esc()
                ));
                Vec::new()
            }
            Some(Layer::Prompt { purpose, input }) if input.text.trim().is_empty() => {
                let what = if matches!(purpose, PromptPurpose::Skip { .. }) {
                    "a reason"
                } else {
                    "some text"
                };
                self.flash = Some(format!("type {what} first ({} cancels)", self.esc()));
                Vec::new()
            }
            Some(Layer::Prompt { .. }) => {
                let Some(Layer::Prompt { purpose, input }) = self.layers.pop() else {
                    return Vec::new();
                };
                let text = input.text.trim().to_string();
                match purpose {
                    PromptPurpose::Skip { step } => {
                        self.record(Event::StepSkipped { step, reason: text })
                    }
                    PromptPurpose::Note { step } => self.record(Event::NoteAdded { step, text }),
                }
            }
            _ => Vec::new(),
        }
    }

    fn cancel_text(&mut self) -> Vec<Effect> {
        let declined = matches!(self.layers.pop(), Some(Layer::TakeOver { .. }));
        if declined {
            vec![Effect::DeclineSeat]
        } else {
            Vec::new()
        }
    }

    /// The step search: typing narrows, ↑/↓ move between matches, Enter stays, Esc goes back.
    fn search_key(&mut self, command: Option<Do>, key: Key) {
        let Some(Layer::Search(search)) = self.layers.last_mut() else {
            return;
        };
        let query = match command {
            Some(Do::Cancel) => {
                if let Some(Layer::Search(search)) = self.layers.pop() {
                    self.selected = search.origin;
                    self.folded = search.folded_before;
                }
                return;
            }
            Some(Do::Submit) => {
                self.last_query = search.input.text.clone();
                self.layers.pop();
                return;
            }
            Some(Do::Down) | Some(Do::Up) => {
                let query = search.input.text.clone();
                let direction = if command == Some(Do::Down) { 1 } else { -1 };
                self.jump_to_match(&query, direction);
                query
            }
            _ => {
                search.input.edit(key);
                let query = search.input.text.clone();
                self.selected = search.origin;
                self.folded.clone_from(&search.folded_before);
                self.jump_to_match(&query, 0);
                query
            }
        };
        self.last_query = query;
    }
}
