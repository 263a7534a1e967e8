//! `App::update`: the only place state changes. Never blocks, never does I/O; what must happen
//! outside (journal writes, quitting) is returned as effects.

use std::collections::HashSet;

use super::keymap::{self, Command, Key};
use super::progress::Status;
use super::rows::Row;
use super::*;

impl App {
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let acted = matches!(msg, Msg::Key(_) | Msg::Action { .. });
        let effects = self.handle(msg);
        if acted && !effects.contains(&Effect::Quit) {
            self.offer_end();
        }
        effects
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Tick(now) => {
                // The header clock shows seconds: a new second is a visible change.
                if now.unix_timestamp() != self.now.unix_timestamp() {
                    self.dirty = true;
                }
                self.now = now;
                let mut effects = self.check_gate_timeouts();
                effects.extend(self.watch_bake());
                self.offer_takeover();
                effects
            }
            Msg::Resize { width, height } => {
                self.size = (width, height);
                self.dirty = true;
                Vec::new()
            }
            Msg::Signal(name) => self.end_session(name),
            Msg::JournalFailed(why) => {
                self.journal_error = Some(why);
                self.dirty = true;
                Vec::new()
            }
            Msg::Telemetry(report) => self.apply_report(report),
            Msg::Action { id, update } => self.action_update(id, update),
            Msg::TrafficRead(green) => self.traffic_read(green),
            Msg::Notified(outcome) => self.notified(outcome),
            Msg::Process(news) => {
                self.dirty = true;
                self.process_news(news)
            }
            Msg::Journal(_) | Msg::FollowStopped(_) | Msg::Seat(_) => {
                self.observe(msg);
                Vec::new()
            }
            Msg::TeamRecords(_)
            | Msg::TeamSeat(_)
            | Msg::SeatLost(_)
            | Msg::SeatBack
            | Msg::StoreLost(_)
            | Msg::StoreBack
            | Msg::TeamSeatExpired { .. }
            | Msg::UploadedWithoutSeat(_) => {
                self.team_news(msg);
                Vec::new()
            }
            Msg::Key(key) => {
                self.dirty = true;
                self.flash = None;
                if self.is_rollback_key(key) {
                    self.open_rollback_or_say_why();
                    return Vec::new();
                }
                if self.layers.is_empty() {
                    self.main_key(key)
                } else {
                    self.layer_key(key)
                }
            }
        }
    }

    /// Applies an event to the state and asks for it to be journaled. Refused while the journal
    /// is failing: an unrecorded action would be lost on resume.
    /// A notification went out or failed: a failure is said on screen at once, a success when
    /// nothing else is being said; both are journaled for the report (by the seat holder).
    fn notified(&mut self, outcome: crate::notify::Outcome) -> Vec<Effect> {
        let d = &outcome.delivery;
        if !d.ok {
            self.flash = Some(format!(
                "notification to {} FAILED ({}): {}",
                outcome.target,
                outcome.topic.name(),
                d.detail
            ));
        } else if self.flash.is_none() {
            self.flash = Some(format!("notified {}: {}", outcome.target, outcome.text));
        }
        self.dirty = true;
        if self.mode == Mode::ReadOnly || self.journal_error.is_some() {
            return Vec::new();
        }
        self.record(Event::NotificationSent {
            target: outcome.target,
            topic: outcome.topic,
            ok: d.ok,
            attempts: d.attempts,
            detail: d.detail.clone(),
            text: outcome.text,
        })
    }

    pub(super) fn record(&mut self, event: Event) -> Vec<Effect> {
        // The rollback acting without the seat keeps its records on this bastion; a failing
        // local disk (not the store away) stops it like any journal failure.
        let store_only = self.journal_error.is_none() || self.store_lost;
        if self.acting_without_seat && store_only && self.kept_without_seat(&event) {
            self.progress
                .apply(&event, self.now, &self.operator.clone());
            self.without_seat_pending += 1;
            return vec![Effect::JournalWithoutSeat(event)];
        }
        let anyones = matches!(event, Event::NoteAdded { .. } | Event::SignedOff { .. });
        if self.mode == Mode::ReadOnly && !(anyones && self.team_member) {
            // The session end of an observer is not the run's business.
            if !matches!(event, Event::SessionEnded { .. }) {
                self.flash = Some(match &self.seat_note {
                    Some(note) => format!("read-only ({note}): nothing is recorded"),
                    None => "read-only: nothing is recorded".into(),
                });
            }
            return Vec::new();
        }
        if let Some(why) = &self.journal_error {
            self.flash = Some(format!("not recorded: the journal is failing ({why})"));
            return Vec::new();
        }
        self.progress
            .apply(&event, self.now, &self.operator.clone());
        vec![Effect::Journal(event)]
    }

    /// `R` from every screen and dialog, Ctrl-R even inside a text field (where R is a letter),
    /// or the keys the config file gave the rollback.
    fn is_rollback_key(&self, key: Key) -> bool {
        if self.text_focused() {
            self.keys.is_rollback_typing(key)
        } else {
            self.keys.is_rollback(key)
        }
    }

    fn open_rollback_or_say_why(&mut self) {
        let without_seat = self.acting_without_seat || self.may_roll_back_without_seat();
        if !self.may_act() && !without_seat {
            self.flash = Some(self.read_only_note());
        } else if self.progress.ended.is_some() {
            // An ended run is closed; a fresh run's R rolls back at once.
            self.flash = Some(format!(
                "the run is {}: `flightdeck run` opens a fresh run, where {} rolls back",
                self.progress.run_state().word(),
                self.key(Command::Rollback)
            ));
        } else if self.runbook.rollback.steps.is_empty() {
            self.flash = Some("this runbook has no [rollback] plan".into());
        } else {
            self.open_rollback();
        }
    }

    pub(super) fn end_session(&mut self, reason: &str) -> Vec<Effect> {
        let selected = self.selected_step().map(|s| s.id.clone());
        // A command cut off by the end of the session is in doubt on the next start.
        let mut effects = self.interrupt_running();
        effects.extend(self.record(Event::SessionEnded {
            reason: reason.to_string(),
            selected,
        }));
        effects.push(Effect::Quit);
        effects
    }

    fn main_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(command) = self.keys.main.command(key) else {
            return Vec::new();
        };
        match (command, self.focus) {
            (Command::NextPane, _) => self.focus = self.next_pane(1),
            (Command::PrevPane, _) => self.focus = self.next_pane(-1),
            (_, Pane::Detail) => match command {
                Command::Down => self.detail_scroll = self.detail_scroll.saturating_add(1),
                Command::Up => self.detail_scroll = self.detail_scroll.saturating_sub(1),
                Command::FoldOrLeft => self.focus = Pane::Checklist,
                _ => return self.action(command),
            },
            (_, Pane::Telemetry) => match command {
                Command::Down => self.move_source(1),
                Command::Up => self.move_source(-1),
                Command::PageDown => self.move_source(5),
                Command::PageUp => self.move_source(-5),
                Command::Top => self.source_selected = 0,
                Command::Bottom => self.move_source(isize::MAX),
                Command::FoldOrLeft => self.focus = Pane::Checklist,
                Command::Act => {
                    if let Some(source) = self.selected_source() {
                        let source = source.id.clone();
                        self.layers.push(Layer::SourceDetail { source });
                    }
                }
                _ => return self.action(command),
            },
            (_, Pane::Checklist) => return self.checklist_key(command),
        }
        Vec::new()
    }

    /// Tab order: checklist, detail, telemetry (when the runbook has sources).
    fn next_pane(&self, step: isize) -> Pane {
        let mut panes = vec![Pane::Checklist, Pane::Detail];
        if !self.runbook.sources.is_empty() {
            panes.push(Pane::Telemetry);
        }
        let at = panes.iter().position(|p| *p == self.focus).unwrap_or(0) as isize;
        panes[(at + step).rem_euclid(panes.len() as isize) as usize]
    }

    fn checklist_key(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Down => self.move_by(1),
            Command::Up => self.move_by(-1),
            Command::PageDown => self.move_by(self.page() as isize),
            Command::PageUp => self.move_by(-(self.page() as isize)),
            Command::Top => self.select_index(0),
            Command::Bottom => self.select_index(usize::MAX),
            Command::FoldOrLeft => self.fold_or_left(),
            Command::UnfoldOrRight => self.unfold_or_right(),
            _ => return self.action(command),
        }
        Vec::new()
    }

    /// Commands that do the same whichever pane has focus.
    fn action(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Toggle => return self.toggle(),
            Command::Act => return self.act(),
            Command::Skip => self.open_step_prompt(true),
            Command::Note => self.open_step_prompt(false),
            Command::Undo => return self.undo(),
            Command::Search => {
                let search = Search {
                    input: TextInput::default(),
                    origin: self.selected,
                    folded_before: self.folded.clone(),
                };
                self.layers.push(Layer::Search(search));
            }
            Command::NextGate => self.next_gate(),
            Command::Traffic if !self.may_act() => self.flash = Some(self.read_only_note()),
            Command::Traffic => return self.open_shift(None),
            Command::Rollback => self.open_rollback_or_say_why(),
            Command::Help => self.layers.push(Layer::Help { scroll: 0 }),
            Command::Quit if self.running_now().is_some() => self.layers.push(Layer::ConfirmQuit),
            Command::Quit => return self.end_session("quit"),
            Command::DemoFault if self.demo => return self.demo_fault(),
            _ => {}
        }
        Vec::new()
    }

    fn page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(8).max(1)
    }

    fn move_by(&mut self, delta: isize) {
        let rows = self.row_index();
        let at = rows.index_of(self.selected).unwrap_or(0);
        let last = rows.len().saturating_sub(1);
        self.select_index(at.saturating_add_signed(delta).min(last));
    }

    fn select_index(&mut self, index: usize) {
        let rows = self.row_index();
        if let Some(row) = rows.at(index.min(rows.len().saturating_sub(1))) {
            self.selected = row;
            self.detail_scroll = 0;
        }
    }

    fn fold_or_left(&mut self) {
        match self.selected {
            Row::Step(p, _) => self.selected = Row::Phase(p),
            Row::Phase(p) => {
                self.folded.insert(p);
            }
        }
    }

    fn unfold_or_right(&mut self) {
        match self.selected {
            Row::Phase(p) if self.folded.contains(&p) => {
                self.folded.remove(&p);
            }
            _ => self.focus = Pane::Detail,
        }
    }

    /// Enter: run a command step, open a gate, shift traffic; fold a phase.
    fn act(&mut self) -> Vec<Effect> {
        let Some(step) = self.selected_step() else {
            if let Row::Phase(p) = self.selected
                && !self.folded.remove(&p)
            {
                self.folded.insert(p);
            }
            return Vec::new();
        };
        let id = step.id.clone();
        match step.kind {
            StepKind::Command { .. } => self.open_command(&id),
            StepKind::Gate { .. } => self.open_gate(&id),
            StepKind::Traffic { .. } if !self.may_act() => self.flash = Some(self.read_only_note()),
            StepKind::Traffic { .. } if self.progress.status(&id).finished() => {
                self.flash = Some(format!(
                    "`{id}` is done; {} shifts to the plan's next weight",
                    self.key(Command::Traffic)
                ))
            }
            StepKind::Traffic { .. } => return self.open_shift(Some(id)),
            StepKind::Manual | StepKind::Wait { .. } => {
                let tick = self.key(Command::Toggle);
                self.flash = Some(format!("a {} step is ticked with {tick}", step.kind.name()))
            }
        }
        Vec::new()
    }

    /// Space: tick a pending manual (or wait) step, reopen a ticked or skipped one. Commands,
    /// gates and shifts are not ticked by hand: they are acted on with Enter, so a gate can't be
    /// bypassed, and what they decided is not reopened by a toggle.
    fn toggle(&mut self) -> Vec<Effect> {
        let Some(step) = self.selected_step() else {
            return self.act();
        };
        let id = step.id.clone();
        let kind = step.kind.name();
        let tickable = matches!(step.kind, StepKind::Manual | StepKind::Wait { .. });
        let is_gate = matches!(step.kind, StepKind::Gate { .. });
        match self.progress.status(&id) {
            Status::Skipped => self.record(Event::StepReopened { step: id }),
            Status::Done if tickable => self.record(Event::StepReopened { step: id }),
            Status::Done if is_gate => {
                self.flash = Some(format!(
                    "`{id}` is decided; {} opens it, and {} there reopens it with the word and a reason",
                    self.key(Command::Act),
                    self.keys.of(&keymap::GATE).label(keymap::Do::Reopen)
                ));
                Vec::new()
            }
            Status::Done => {
                self.flash = Some(format!(
                    "`{id}` is done by its {kind} result; that is not taken back by a toggle"
                ));
                Vec::new()
            }
            _ if !tickable => {
                self.flash = Some(format!(
                    "a {kind} step is not ticked by hand; {} skips it with a reason",
                    self.key(Command::Skip)
                ));
                Vec::new()
            }
            _ => match self.wait_hold(&id) {
                Some(why) => {
                    let skip = self.key(Command::Skip);
                    self.flash = Some(format!("{why}; {skip} skips it with a reason"));
                    Vec::new()
                }
                None => self.record(Event::StepTicked { step: id }),
            },
        }
    }

    /// `u`: takes back the operator's last manual tick, skip or reopen; nothing else.
    fn undo(&mut self) -> Vec<Effect> {
        match self.progress.last_undoable().map(str::to_string) {
            Some(step) => {
                if let Some(row) = self.row_of_step(&step) {
                    self.folded.remove(&row.phase());
                    self.selected = row;
                }
                let effects = self.record(Event::ToggleUndone { step: step.clone() });
                if !effects.is_empty() {
                    let now = self.progress.status(&step).word();
                    self.flash = Some(format!("undone: `{step}` is {now} again"));
                }
                effects
            }
            None => {
                self.flash = Some(format!(
                    "nothing to undo: {} takes back only a manual tick, skip or reopen",
                    self.key(Command::Undo)
                ));
                Vec::new()
            }
        }
    }

    fn open_step_prompt(&mut self, skip: bool) {
        let Some(step) = self.selected_step() else {
            self.flash = Some("select a step first".into());
            return;
        };
        let step = step.id.clone();
        if skip && self.progress.status(&step).finished() {
            self.flash = Some(format!(
                "`{step}` is already {}; {} or {} reopens it",
                self.progress.status(&step).word(),
                self.key(Command::Undo),
                self.key(Command::Toggle)
            ));
            return;
        }
        let purpose = if skip {
            PromptPurpose::Skip { step }
        } else {
            PromptPurpose::Note { step }
        };
        self.layers.push(Layer::Prompt {
            purpose,
            input: TextInput::default(),
        });
    }

    /// How the main screen's `command` is written now (the config file may have moved it).
    pub(super) fn key(&self, command: Command) -> std::borrow::Cow<'static, str> {
        self.keys.main.label(command)
    }

    /// Moves to the next (1), previous (-1) or first-from-here (0) matching step, unfolding its
    /// phase. Searches all steps, folded or not.
    pub(super) fn jump_to_match(&mut self, query: &str, direction: isize) {
        let all: Vec<Row> = super::rows::visible_rows(&self.runbook, &HashSet::new())
            .into_iter()
            .filter(|r| matches!(r, Row::Step(..)))
            .collect();
        if all.is_empty() {
            return;
        }
        let here = all.iter().position(|r| *r == self.selected).unwrap_or(0);
        let n = all.len();
        let order: Vec<usize> = match direction {
            0 => (0..n).map(|i| (here + i) % n).collect(),
            1 => (1..=n).map(|i| (here + i) % n).collect(),
            _ => (1..=n).map(|i| (here + n * 2 - i) % n).collect(),
        };
        let hit = order.into_iter().map(|i| all[i]).find(|r| {
            self.step_at(*r)
                .is_some_and(|s| App::step_matches(s, query))
        });
        if let Some(row) = hit {
            self.folded.remove(&row.phase());
            self.selected = row;
            self.detail_scroll = 0;
        }
    }
}

impl TextInput {
    /// Longest text a prompt accepts: notes are for people, not for pasting logs.
    pub const MAX_CHARS: usize = 500;

    pub fn edit(&mut self, key: Key) {
        match key {
            Key::Backspace => {
                self.text.pop();
            }
            Key::Ctrl('u') => self.text.clear(),
            Key::Char(c) if !c.is_control() && self.text.chars().count() < Self::MAX_CHARS => {
                self.text.push(c)
            }
            _ => {}
        }
    }
}
