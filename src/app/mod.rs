//! The cockpit's state and its one `update` function: messages in, state changes and effects
//! out. No I/O and no terminal here, so every behaviour is tested as data.

pub mod actions;
mod demo;
pub mod gate;
pub mod keymap;
mod layer_keys;
mod lifecycle;
mod observe;
pub mod orphans;
pub mod output;
mod output_pane;
pub mod progress;
pub mod rollback;
pub mod rows;
pub mod sources;
mod team;
pub mod timers;
pub mod traffic;
mod update;
mod without_seat;

use std::collections::HashSet;

use time::OffsetDateTime;

pub use keymap::Key;
pub use progress::{Progress, Status};
pub use rows::Row;

pub use actions::{ActionUpdate, RunningAction, Work};
pub use gate::{GateDialog, GateStage};
pub use traffic::TrafficRead;

use crate::journal::Event;
use crate::runbook::{Runbook, Step, StepKind};
use crate::telemetry::poller::Report;
use crate::telemetry::{Calls, Telemetry};

/// The word that takes over a seat left by a dead session.
pub const TAKEOVER_WORD: &str = "TAKEOVER";

/// What the header says about how actions run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Rehearsal,
    ReadOnly,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Live => "LIVE",
            Mode::Rehearsal => "REHEARSAL",
            Mode::ReadOnly => "READ-ONLY",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Checklist,
    Detail,
    Telemetry,
}

/// A single-line text field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    Skip { step: String },
    Note { step: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub input: TextInput,
    /// Selection before the search began, restored on Esc.
    pub origin: Row,
    pub folded_before: HashSet<usize>,
}

/// Dialogs and overlays, stacked: keys go to the top one first.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// Every key; scrolls when the terminal is shorter than the list.
    Help {
        scroll: u16,
    },
    Prompt {
        purpose: PromptPurpose,
        input: TextInput,
    },
    Search(Search),
    /// The runbook changed since the run began: resume anyway, or start a new run?
    ConfirmResume {
        changed: Vec<String>,
    },
    /// One source in full: target, thresholds, history, last error.
    SourceDetail {
        source: String,
    },
    /// The run's seat was left by a session that died: type the word to take it over.
    TakeOver {
        previous: String,
        input: TextInput,
    },
    /// A command step's exact command, with Cancel focused.
    ConfirmCommand {
        step: String,
        run_focused: bool,
    },
    /// The running (or last) action's output.
    Output,
    Gate(GateDialog),
    /// The next shift of the plan and its request; the typed word confirms.
    Shift {
        /// `None` when the plan has no weight left to shift to.
        to_green: Option<u8>,
        step: Option<String>,
        input: TextInput,
        /// The override reason, asked for after the word when a hold stands (a gate not GO,
        /// a bake not over).
        reason: Option<TextInput>,
    },
    /// `abort_when` failed during a bake (policy prompt or freeze).
    Breach {
        evidence: Vec<crate::gates::Evaluation>,
    },
    /// The rollback's confirmation: the typed word. The plan is the emergency one unless the
    /// operator chose (Tab) the own rollback of `phase`; `scroll` is the first step listed.
    Rollback {
        input: TextInput,
        phase: Option<usize>,
        scroll: usize,
    },
    /// The team store is unreachable: after the typed word, the rollback asks once more before
    /// it acts without the seat (`y`; never Enter, which a held key would repeat).
    RollbackWithoutSeat {
        phase: Option<usize>,
    },
    /// The rollback under way, step by step.
    RollbackRun,
    /// An action a crash left between intent and result: what really happened?
    InDoubt {
        id: u64,
        /// Whether it took effect, once the operator said so; then a note.
        verdict: Option<bool>,
        input: TextInput,
    },
    /// `q` while an action runs.
    ConfirmQuit,
    /// Every step is finished: end the run as completed?
    ConfirmEnd,
    /// Stop the process group an in-doubt action left running? `y` stops it; anything else not.
    StopOrphan {
        id: u64,
    },
}

/// Messages into `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(Key),
    /// The clock moved on (once a second).
    Tick(OffsetDateTime),
    Resize {
        width: u16,
        height: u16,
    },
    /// SIGHUP or SIGTERM: the session is ending now.
    Signal(&'static str),
    /// Writing the journal failed; nothing more may be recorded until it works.
    JournalFailed(String),
    /// A sample or a call count from the poller.
    Telemetry(Report),
    /// Output or the end of a running action.
    Action {
        id: u64,
        update: ActionUpdate,
    },
    /// The traffic actuator's read-back (`get`): the green weight in force.
    TrafficRead(Result<u8, String>),
    /// A command's process group: started, found alive or gone after a crash, stopped.
    Process(orphans::ProcessNews),
    /// An observer's follower: records the seat holder wrote since the last look, checked.
    Journal(Vec<crate::journal::Record>),
    /// The followed journal no longer continues what was seen; following has stopped.
    FollowStopped(String),
    /// The run's seat as an observer sees it now.
    Seat(crate::journal::seat::SeatView),
    /// A `[[notify]]` webhook was told, or could not be.
    Notified(crate::notify::Outcome),
    /// Team mode: records other cockpits appended (this cockpit's own are not sent again).
    TeamRecords(Vec<crate::journal::Record>),
    /// Team mode: the seat as the store has it, for the header of a cockpit without it.
    TeamSeat(Option<String>),
    /// Team mode: this cockpit could not renew its seat; it stops actuating, and says why.
    SeatLost(String),
    /// Team mode: the seat was renewed again under the same epoch (nobody took it meanwhile).
    SeatBack,
    /// Team mode: the store cannot be reached; nothing new may start (the header alarms).
    StoreLost(String),
    /// Team mode: the store answers again.
    StoreBack,
    /// Team mode: the seat's lease ran out (its holder was killed, cut off, or is this very
    /// cockpit after the store was away): a cockpit without the seat offers the takeover.
    TeamSeatExpired {
        previous: crate::journal::pg::seat::TeamHolder,
        epoch: i64,
    },
    /// Team mode: records acted without the seat were uploaded (how many), or could not be.
    UploadedWithoutSeat(Result<usize, String>),
}

/// The action runner's callback that sends its reports on to `tx`, as messages into `update`.
pub fn runner_sink(tx: std::sync::mpsc::Sender<Msg>) -> crate::actions::report::Sink {
    std::sync::Arc::new(move |report| tx.send(Msg::from(report)).is_ok())
}

/// The action runner's news, as the message `update` takes.
impl From<crate::actions::report::Report> for Msg {
    fn from(report: crate::actions::report::Report) -> Msg {
        use crate::actions::report::Report;
        match report {
            Report::Action { id, update } => Msg::Action { id, update },
            Report::Process(news) => Msg::Process(news),
            Report::TrafficRead(read) => Msg::TrafficRead(read),
        }
    }
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append to the journal (already applied to the state).
    Journal(Event),
    /// Keep on this bastion, marked as acted without the seat, for the team store to take when
    /// it answers again (already applied to the state): the emergency rollback without it.
    JournalWithoutSeat(Event),
    /// Abandon this run and start a new one (the runbook changed and the operator chose so).
    NewRun,
    /// Take over the seat left by a dead session (the word was typed).
    TakeSeat,
    /// Leave the abandoned seat alone and stay read-only.
    DeclineSeat,
    /// Run a confirmed action, whose intent is already journaled (the effect before this).
    Start {
        id: u64,
        work: Work,
    },
    /// Interrupt a running action: SIGINT to its group, SIGKILL after the grace period.
    Interrupt(u64),
    /// Read the weights in force with the actuator's `get`.
    ReadTraffic,
    /// Read lines `first..first + count` of action `id`'s kept output (they left memory)
    /// for the output pane; they come back as `ActionUpdate::Spilled`.
    ReadOutput {
        id: u64,
        first: u64,
        count: usize,
    },
    /// Stop the process group an in-doubt action left running (the stop is journaled, and was
    /// confirmed): SIGTERM, SIGKILL after the grace, only if the group is still the one started.
    StopOrphan {
        id: u64,
        group: crate::orphans::ProcessGroup,
    },
    /// `flightdeck demo` only: green's orders answer 500 (true) or heal again (false).
    DemoGreenFailing(bool),
    Quit,
}

pub struct App {
    pub runbook: Runbook,
    pub progress: Progress,
    pub operator: String,
    pub run_id: String,
    pub mode: Mode,
    pub now: OffsetDateTime,
    pub size: (u16, u16),
    pub selected: Row,
    pub folded: HashSet<usize>,
    pub focus: Pane,
    pub detail_scroll: u16,
    pub layers: Vec<Layer>,
    /// The last search, to highlight its matches.
    pub last_query: String,
    /// A one-line message in the footer until the next key.
    pub flash: Option<String>,
    pub journal_error: Option<String>,
    /// Why this session is read-only when another holds (or left) the run's seat.
    pub seat_note: Option<String>,
    /// An observer stopped following the journal, and why: what it shows is no longer live.
    pub follow_stopped: Option<String>,
    /// Latest samples and bounded history per source, fed by the poller.
    pub telemetry: Telemetry,
    /// Billable AWS calls made this session.
    pub calls: Calls,
    /// Indices into `runbook.sources` in the order the telemetry pane lists them.
    pub source_order: Vec<usize>,
    /// Each source's index in `runbook.sources`, by id.
    pub source_index: std::collections::HashMap<String, usize>,
    /// Position in `source_order` of the source selected in the telemetry pane.
    pub source_selected: usize,
    /// The action running now, or the last one with its output.
    pub running: Option<RunningAction>,
    /// The environment, to show which variables a command will use (secret ones by name only).
    pub env: std::collections::BTreeMap<String, String>,
    pub traffic_read: Option<TrafficRead>,
    /// What is known of the process groups in-doubt actions left, by action id.
    pub orphans: std::collections::BTreeMap<u64, orphans::Orphan>,
    /// Where this session is with the rollback (queued, running, stopped at a failure).
    pub rollback_here: rollback::RollbackHere,
    /// Every layer's keys, with the config file's moves.
    pub keys: keymap::KeyMaps,
    /// `flightdeck demo`: the header says DEMO and the failure key works.
    pub demo: bool,
    /// The demo's green is failing on purpose (the failure key was pressed).
    pub demo_green_failing: bool,
    /// Ending the run was offered in this session (once is enough).
    pub end_offered: bool,
    /// Something changed since the last draw that must show at once.
    pub dirty: bool,
    /// A telemetry value changed within its level since the last draw: it may wait for the
    /// next frame, at most a second (the event loop decides), so polling does not repaint.
    pub telemetry_changed: bool,
    /// `[vars]` keys still holding a placeholder: only a rehearsal runs so, and its header says it.
    pub vars_unfilled: Vec<String>,
    /// A Markdown guide run without a sidecar: what one would add (the header says so).
    pub guide_banner: Option<String>,
    /// T-0 came from `run --start` (it overrides the runbook's `start`; the header says so).
    pub start_from_flag: bool,
    /// Team mode: the run lives in the team store; gate sign-offs are signed by name.
    pub team: bool,
    /// Team mode, not watching: notes and sign-offs may be written without the seat.
    pub team_member: bool,
    /// The mode this cockpit had before it lost its seat, to go back to if it is renewed.
    pub mode_before_loss: Option<Mode>,
    /// Team mode: the journal alarm is the store being away (cleared when it is back).
    pub store_lost: bool,
    /// Team mode: the emergency rollback confirmed twice while the store was unreachable runs
    /// without the seat; its records are kept on this bastion until the store takes them.
    pub acting_without_seat: bool,
    /// Records this cockpit kept without the seat that the store has not taken yet.
    pub without_seat_pending: usize,
    /// Team mode: the seat's lease ran out (holder, epoch), as the follower last saw it.
    pub seat_expired: Option<(String, i64)>,
    /// The epoch whose takeover was offered already (declined or not, it is offered once).
    pub takeover_offered: Option<i64>,
    /// `planned_remaining` as of a progress version: a memo, not state.
    planned_cache: std::cell::Cell<Option<(u64, Option<std::time::Duration>)>>,
}

impl App {
    pub fn new(runbook: Runbook, operator: String, run_id: String, now: OffsetDateTime) -> Self {
        let source_order = sources::source_order(&runbook.sources);
        let source_index = sources::source_index(&runbook.sources);
        Self {
            runbook,
            progress: Progress::default(),
            operator,
            run_id,
            mode: Mode::Live,
            now,
            size: (80, 24),
            selected: Row::Phase(0),
            folded: HashSet::new(),
            focus: Pane::Checklist,
            detail_scroll: 0,
            layers: Vec::new(),
            last_query: String::new(),
            flash: None,
            journal_error: None,
            seat_note: None,
            follow_stopped: None,
            telemetry: Telemetry::default(),
            calls: Calls::default(),
            source_index,
            source_order,
            source_selected: 0,
            running: None,
            env: Default::default(),
            traffic_read: None,
            orphans: Default::default(),
            rollback_here: Default::default(),
            keys: keymap::KeyMaps::default(),
            demo: false,
            demo_green_failing: false,
            end_offered: false,
            dirty: true,
            telemetry_changed: false,
            vars_unfilled: Vec::new(),
            guide_banner: None,
            start_from_flag: false,
            team: false,
            team_member: false,
            mode_before_loss: None,
            store_lost: false,
            acting_without_seat: false,
            without_seat_pending: 0,
            seat_expired: None,
            takeover_offered: None,
            planned_cache: std::cell::Cell::new(None),
        }
    }

    /// Replays a run's journal: (time, operator, event) in order.
    pub fn replay<'a>(
        &mut self,
        records: impl IntoIterator<Item = (OffsetDateTime, &'a str, &'a Event)>,
    ) {
        let mut selected = None;
        for (at, operator, event) in records {
            self.progress.apply(event, at, operator);
            if let Event::SessionEnded {
                selected: Some(step),
                ..
            } = event
            {
                selected = Some(step.clone());
            }
        }
        self.selected = selected
            .and_then(|id| self.row_of_step(&id))
            .unwrap_or_else(|| self.first_open_row());
    }

    /// Rebuilds the progress from the journal alone, after an append failed: the screen shows
    /// what is on disk, never an event that was not recorded.
    pub fn refold<'a>(
        &mut self,
        records: impl IntoIterator<Item = (OffsetDateTime, &'a str, &'a Event)>,
    ) {
        let mode = self.progress.mode;
        self.progress = Progress::fold(records);
        self.progress.mode = self.progress.mode.or(mode);
        self.dirty = true;
    }

    pub fn rows(&self) -> Vec<Row> {
        rows::visible_rows(&self.runbook, &self.folded)
    }

    /// The rows without building them (what a key and a frame use).
    pub fn row_index(&self) -> rows::Rows<'_> {
        rows::Rows::new(&self.runbook, &self.folded)
    }

    pub fn step_at(&self, row: Row) -> Option<&Step> {
        match row {
            Row::Step(p, s) => self.runbook.phases.get(p)?.steps.get(s),
            Row::Phase(_) => None,
        }
    }

    pub fn selected_step(&self) -> Option<&Step> {
        self.step_at(self.selected)
    }

    pub fn row_of_step(&self, id: &str) -> Option<Row> {
        self.runbook
            .phases
            .iter()
            .enumerate()
            .find_map(|(p, phase)| {
                phase
                    .steps
                    .iter()
                    .position(|s| s.id == id)
                    .map(|s| Row::Step(p, s))
            })
    }

    /// The first step not yet done or skipped; the phase row of the last phase when all are.
    pub fn first_open_row(&self) -> Row {
        self.runbook
            .steps()
            .find(|(_, s)| !self.progress.status(&s.id).finished())
            .and_then(|(_, s)| self.row_of_step(&s.id))
            .unwrap_or(Row::Phase(0))
    }

    /// The phase with the first open step: where the migration is now.
    pub fn current_phase(&self) -> usize {
        match self.first_open_row() {
            Row::Step(p, _) => p,
            Row::Phase(_) => self.runbook.phases.len().saturating_sub(1),
        }
    }

    /// (finished, total) steps of a phase.
    pub fn phase_progress(&self, p: usize) -> (usize, usize) {
        let steps = &self.runbook.phases[p].steps;
        (
            steps
                .iter()
                .filter(|s| self.progress.status(&s.id).finished())
                .count(),
            steps.len(),
        )
    }

    /// Seconds since T-0: the planned start if the runbook has one, else the start of the run.
    pub fn clock_offset(&self) -> Option<i64> {
        let zero = self.runbook.meta.start.or(self.progress.run_started)?;
        Some((self.now - zero).whole_seconds())
    }

    /// When the run ends if the remaining steps take their planned time.
    pub fn projected_end(&self) -> Option<OffsetDateTime> {
        let from = match self.runbook.meta.start {
            Some(start) if start > self.now => start,
            _ => self.now,
        };
        // No end past the calendar: a value that slipped past validation shows none.
        timers::checked_add(from, self.planned_remaining()?)
    }

    /// The planned time of the steps not finished yet; `None` when no step has a plan. Kept
    /// until a step's state changes: the header asks on every frame, and the sum walks every
    /// step (issue 13: 13 % of a 10,000-step cockpit's CPU).
    fn planned_remaining(&self) -> Option<std::time::Duration> {
        let version = self.progress.version();
        if let Some((at, remaining)) = self.planned_cache.get()
            && at == version
        {
            return remaining;
        }
        let remaining = self
            .runbook
            .steps()
            .any(|(_, s)| s.planned.is_some())
            .then(|| {
                self.runbook
                    .steps()
                    .filter(|(_, s)| !self.progress.status(&s.id).finished())
                    .filter_map(|(_, s)| s.planned)
                    .fold(
                        std::time::Duration::ZERO,
                        std::time::Duration::saturating_add,
                    )
            });
        self.planned_cache.set(Some((version, remaining)));
        remaining
    }

    /// Whether the step matches a search query (case-insensitive, in title, id, owner, text).
    pub fn step_matches(step: &Step, query: &str) -> bool {
        if query.is_empty() {
            return false;
        }
        let q = query.to_lowercase();
        [
            Some(&step.title),
            Some(&step.id),
            step.owner.as_ref(),
            step.description.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|t| t.to_lowercase().contains(&q))
    }

    pub fn top_layer(&self) -> Option<&Layer> {
        self.layers.last()
    }
}
