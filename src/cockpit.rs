//! The running cockpit: one channel of messages from the keyboard, the clock and signals; one
//! loop that updates the app, carries out its effects and redraws only when something changed.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use anyhow::Result;
use time::OffsetDateTime;

use crate::actions::runner::Actions;
use crate::app::{Effect, Msg};
use std::collections::HashSet;

use crate::journal::{Journal, JournalError};
use crate::notify::{self, Notifier};
use crate::observer::{self, Observer};
use crate::secrets::Redactor;
use crate::session::{self, Session};
use crate::telemetry::poller::{self, Context, Poller, Settings, Sink};
use crate::ui::{self, Look};
use crate::{team, terminal};

/// Telemetry values that change within their level show with the next frame the clock draws
/// (one a second), so a thousand sources polling add no frame of their own; only when no frame
/// came for this long do they draw alone. A level change shows at once.
const TELEMETRY_FRAME: Duration = Duration::from_secs(2);

pub struct Options<'a> {
    pub look: Look<'a>,
    pub runbook_path: std::path::PathBuf,
    pub data_dir: std::path::PathBuf,
    /// `flightdeck demo`: the world the failure key acts on, whose own Cost Explorer the
    /// poller asks instead of AWS.
    pub demo: Option<&'a crate::demo::World>,
    /// When `run` began and finished loading: the first frame logs how long each part took.
    pub startup: Option<Startup>,
}

/// Moments of `flightdeck run` before the cockpit: the log splits the time to the first frame
/// into loading the runbook, opening the run and drawing, so a slow start names its cause
/// (benches/cockpit.py reads it). The process's CPU time and page faults so far include what
/// came before `began`: the loader, the runtime, the command line, and whatever the parent ran
/// in the forked child before it executed this binary.
#[derive(Debug, Clone, Copy)]
pub struct Startup {
    pub began: Instant,
    pub loaded: Instant,
    pub opened: Instant,
}

impl Startup {
    fn log_first_frame(&self, steps: usize) {
        let ms = |d: Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
        let now = Instant::now();
        let usage = ProcessUsage::now();
        tracing::info!(
            steps,
            load_ms = ms(self.loaded - self.began),
            open_ms = ms(self.opened - self.loaded),
            draw_ms = ms(now - self.opened),
            cpu_ms = ms(usage.cpu),
            page_faults = usage.page_faults,
            "first frame"
        );
    }
}

/// CPU time and page faults of this process since it was executed.
struct ProcessUsage {
    cpu: Duration,
    page_faults: i64,
}

impl ProcessUsage {
    fn now() -> ProcessUsage {
        // SAFETY: getrusage only writes the zeroed struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec.max(0) as u64)
                + Duration::from_micros(t.tv_usec.max(0) as u64)
        };
        ProcessUsage {
            cpu: time(usage.ru_utime) + time(usage.ru_stime),
            page_faults: usage.ru_minflt + usage.ru_majflt,
        }
    }
}

pub fn run(mut session: Session, opts: Options) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    // Start listening for resizes (crossterm registers SIGWINCH on first use) before the first
    // frame, not when the input thread gets to it: a resize in between was lost, and the
    // cockpit stayed at its old size until the next one (tests/pty.rs tiny_terminal_and_resize
    // failed so under load).
    let _ = crossterm::event::poll(Duration::ZERO);
    spawn_input(tx.clone());
    spawn_clock(tx.clone());
    spawn_signals(tx.clone())?;
    // The first frame before anything slow: the poller's HTTP client reads every CA file on
    // the host, and the operator should see the plan meanwhile.
    let (mut term, _guard) = terminal::enter()?;
    let size = term.size()?;
    session.app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    term.draw(|f| ui::draw(f, &session.app, &opts.look))?;
    session.app.dirty = false;
    if let Some(startup) = &opts.startup {
        startup.log_first_frame(session.app.runbook.steps().count());
    }
    session.settle()?;
    let redactor = Redactor::from_process_env(&session.app.runbook.meta.secrets);
    let _poller = start_poller(&session, &opts, tx.clone(), redactor.clone())?;
    // An observer follows the run as the seat holder writes it.
    let mut workers = Workers {
        observer: follow(&session, &tx),
        team: TeamWork::start(&session, &tx),
        notifier: start_notifier(&session, opts.demo, tx.clone()),
    };
    let mut actions = Actions::new(crate::app::runner_sink(tx)).redacting(redactor);
    prepare(&mut session.app, &mut actions);
    if let Some(notifier) = &mut workers.notifier {
        announce(&session, notifier);
    }
    event_loop(
        &mut session,
        &mut term,
        &rx,
        &opts,
        &mut actions,
        &mut workers,
    )
}

/// The threads beside the event loop that its effects steer.
struct Workers {
    observer: Option<Observer>,
    notifier: Option<Notifier>,
    team: TeamWork,
}

/// The `[[notify]]` webhooks, told by the seat holder only (an observer records nothing, so
/// it would tell nothing new). URLs come from the environment.
/// In the demo the webhook is the demo's own chat, whatever the environment holds.
fn start_notifier(
    session: &Session,
    demo: Option<&crate::demo::World>,
    tx: Sender<Msg>,
) -> Option<Notifier> {
    let app = &session.app;
    if app.mode == crate::app::Mode::ReadOnly || app.runbook.notify.is_empty() {
        return None;
    }
    let rehearsal = app.mode == crate::app::Mode::Rehearsal;
    let composer = notify::Composer::new(&app.runbook.meta.name, rehearsal);
    let report: notify::Report = Arc::new(move |outcome| {
        let _ = tx.send(Msg::Notified(outcome));
    });
    Some(Notifier::start(
        &app.runbook.notify,
        composer,
        |name| match demo {
            Some(world) => world.notify_url(name),
            None => std::env::var(name).ok(),
        },
        report,
    ))
}

/// What opening the run already journaled (its start or resumption), and every action a crash
/// left in doubt.
fn announce(session: &Session, notifier: &mut Notifier) {
    if let Ok(records) = session.journal.read()
        && let Some(last) = records.last()
        && matches!(
            last.event,
            crate::journal::Event::RunStarted { .. } | crate::journal::Event::RunResumed { .. }
        )
    {
        notifier.record(last);
    }
    let app = &session.app;
    for id in app.in_doubt() {
        if let Some(state) = app.progress.actions.get(&id) {
            notifier.in_doubt(&state.action.summary(), &app.operator);
        }
    }
}

/// A local observer follows the journal file; a team cockpit always follows the store (other
/// operators write notes and sign-offs even while it holds the seat).
fn follow(session: &Session, tx: &Sender<Msg>) -> Option<Observer> {
    let path = session.journal.file_path()?;
    (session.app.mode == crate::app::Mode::ReadOnly)
        .then(|| observer::spawn(path.to_path_buf(), session.seen.clone(), tx.clone()))
}

/// A team cockpit's follower, and its seat's renewer while it holds the seat.
struct TeamWork {
    /// Held for its drop: following stops with it.
    _follower: Option<team::Worker>,
    renewer: Option<team::Worker>,
    /// Records this cockpit appended: the follower brings them back, and they are applied once.
    written: HashSet<u64>,
    /// The cockpit's channel, for the workers of a seat taken or a run begun later.
    tx: Sender<Msg>,
}

impl TeamWork {
    fn start(session: &Session, tx: &Sender<Msg>) -> TeamWork {
        let mut work = TeamWork {
            _follower: None,
            renewer: None,
            written: session.written.iter().copied().collect(),
            tx: tx.clone(),
        };
        let Some(journal) = session.journal.team() else {
            return work;
        };
        work._follower = Some(team::follow(
            journal.db().target().clone(),
            session.app.run_id.clone(),
            session.seen.clone(),
            tx.clone(),
        ));
        work.hold(session);
        work
    }

    /// Renews the seat from now on, if this session holds it.
    fn hold(&mut self, session: &Session) {
        let Some(journal) = session.journal.team() else {
            return;
        };
        if let Some(lease) = journal.lease() {
            self.renewer = Some(team::renew(
                journal.db().target().clone(),
                session.app.run_id.clone(),
                std::sync::Arc::clone(lease),
                self.tx.clone(),
            ));
        }
    }

    /// Uploads the records the rollback kept here without the seat, now that the store
    /// answers; they wait for the next chance if it does not.
    fn upload_kept(&mut self, session: &mut Session) {
        let Some(journal) = session.journal.team_mut() else {
            return;
        };
        if !journal.has_pending() {
            return;
        }
        let outcome = journal.upload_without_seat();
        if let Err(e) = &outcome {
            tracing::warn!("records acted without the seat not uploaded yet: {e}");
        }
        self.written.extend(journal.take_uploaded());
        let outcome = outcome.map(|r| r.len()).map_err(|e| e.to_string());
        session.app.update(Msg::UploadedWithoutSeat(outcome));
    }

    /// An append uploads the records kept without the seat first: this cockpit wrote them.
    fn note_uploaded(&mut self, session: &mut Session) {
        let Some(journal) = session.journal.team_mut() else {
            return;
        };
        let uploaded = journal.take_uploaded();
        if !uploaded.is_empty() {
            let n = uploaded.len();
            self.written.extend(uploaded);
            session.app.update(Msg::UploadedWithoutSeat(Ok(n)));
        }
    }

    /// Records from the store, less the ones this cockpit wrote itself.
    fn others(&mut self, mut records: Vec<crate::journal::Record>) -> Vec<crate::journal::Record> {
        records.retain(|r| !self.written.remove(&r.seq));
        records
    }
}

/// A failed append, as the app should hear of it: in team mode a refused intent is the seat
/// lost, and an unreachable store an alarm that clears when it is back.
fn append_failed(e: &JournalError) -> Msg {
    match e {
        JournalError::Fenced(why) => Msg::SeatLost(why.clone()),
        JournalError::Store(why) => Msg::StoreLost(why.clone()),
        other => Msg::JournalFailed(other.to_string()),
    }
}

/// Before the first frame: the environment for command confirmations, the weights in force,
/// and any action a crash left in doubt, which must be resolved before anything actuates.
fn prepare(app: &mut crate::app::App, actions: &mut Actions) {
    app.env = std::env::vars().collect();
    if app.mode == crate::app::Mode::Live
        && let Some(traffic) = &app.runbook.traffic
    {
        actions.read_traffic(traffic, &app.runbook.vars);
    }
    actions.check_orphans(&app.orphan_groups());
    app.ask_about_doubt();
}

fn frame(
    term: &mut terminal::Term,
    session: &mut Session,
    opts: &Options,
    last_frame: &mut Instant,
) -> Result<()> {
    term.draw(|f| ui::draw(f, &session.app, &opts.look))?;
    session.app.dirty = false;
    session.app.telemetry_changed = false;
    *last_frame = Instant::now();
    Ok(())
}

fn event_loop(
    session: &mut Session,
    term: &mut terminal::Term,
    rx: &Receiver<Msg>,
    opts: &Options,
    actions: &mut Actions,
    workers: &mut Workers,
) -> Result<()> {
    let Workers {
        observer,
        notifier,
        team,
    } = workers;
    // For tests only (tests/panic_pty.rs): proves a panic's message survives the terminal's
    // restoration. Set, it panics on the first tick.
    let test_panic = std::env::var_os("FLIGHTDECK_TEST_PANIC").is_some();
    let mut last_frame = Instant::now();
    loop {
        let telemetry_due =
            session.app.telemetry_changed && last_frame.elapsed() >= TELEMETRY_FRAME;
        if session.app.dirty || telemetry_due {
            frame(term, session, opts, &mut last_frame)?;
        }
        let Ok(msg) = rx.recv() else { return Ok(()) };
        let mut pending = vec![msg];
        // Drain what queued up meanwhile, so a burst of keys costs one redraw.
        pending.extend(rx.try_iter());
        // Keys first, and their frame before the rest: a key pressed while a slot of a thousand
        // samples queues is answered before they are applied, and acts on what the screen
        // showed when it was pressed.
        let (keys, rest): (Vec<Msg>, Vec<Msg>) =
            pending.into_iter().partition(|m| matches!(m, Msg::Key(_)));
        let answer_keys = !keys.is_empty() && !rest.is_empty();
        let ordered = keys
            .into_iter()
            .map(Some)
            .chain(answer_keys.then_some(None))
            .chain(rest.into_iter().map(Some));
        for msg in ordered {
            let Some(msg) = msg else {
                if session.app.dirty {
                    frame(term, session, opts, &mut last_frame)?;
                }
                continue;
            };
            if matches!(msg, Msg::Tick(_)) && test_panic {
                panic!("FLIGHTDECK_TEST_PANIC: a panic on the first tick, as asked");
            }
            if let Msg::Resize { width, height } = msg {
                term.backend_mut().set_size(width, height);
            }
            let msg = match msg {
                Msg::TeamRecords(records) => Msg::TeamRecords(team.others(records)),
                other => other,
            };
            if let Msg::TeamSeatExpired { previous, epoch } = &msg {
                session.note_team_expired(previous.clone(), *epoch);
            }
            let store_back = msg == Msg::StoreBack;
            // An action starts only after its intent is on disk: a failed append cancels it.
            let mut journal_ok = true;
            for effect in session.app.update(msg) {
                match effect {
                    Effect::Journal(event) => {
                        let appended = session.journal.append(event, &session.app.runbook.hash);
                        if let (Ok(record), Some(notifier)) = (&appended, notifier.as_mut()) {
                            notifier.record(record);
                        }
                        if let Ok(record) = &appended
                            && session.journal.team().is_some()
                        {
                            team.written.insert(record.seq);
                        }
                        // Kept records it uploaded first, even if its own append then failed.
                        team.note_uploaded(session);
                        if let Err(e) = appended {
                            tracing::error!("journal append failed: {e}");
                            session.app.update(append_failed(&e));
                            journal_ok = false;
                            // `update` showed the event as done before it was on disk: fold
                            // the state again from what the journal really holds.
                            if let Ok(records) = session.journal.read() {
                                session.app.refold(session::timed(&records));
                            }
                        }
                    }
                    Effect::JournalWithoutSeat(event) => {
                        let hash = &session.app.runbook.hash;
                        if let Err(e) = session.journal.append_without_seat(event, hash) {
                            tracing::error!("keeping a record without the seat failed: {e}");
                            session.app.update(Msg::JournalFailed(e.to_string()));
                            journal_ok = false;
                        } else if !session.app.store_lost {
                            team.upload_kept(session);
                        }
                    }
                    Effect::Start { id, work } if journal_ok => {
                        actions.start(id, work, session.journal.path())
                    }
                    Effect::Start { id, .. } => actions.refuse(id),
                    Effect::Interrupt(id) => actions.interrupt(id),
                    Effect::ReadOutput { id, first, count } => {
                        actions.read_output(id, first, count, session.journal.path())
                    }
                    Effect::StopOrphan { id, group } => actions.stop_orphan(id, group),
                    Effect::ReadTraffic => {
                        if let Some(traffic) = &session.app.runbook.traffic {
                            actions.read_traffic(traffic, &session.app.runbook.vars);
                        }
                    }
                    Effect::NewRun => {
                        // The new run's seat is ours: nothing to follow.
                        *observer = None;
                        let runbook = session.app.runbook.clone();
                        let mode = session.app.progress.run_mode();
                        *session = match session.journal.team() {
                            Some(journal) => {
                                let db =
                                    crate::journal::pg::Db::open(journal.db().target().clone())
                                        .map_err(anyhow::Error::msg)?;
                                session::team::start(
                                    runbook,
                                    &opts.runbook_path,
                                    db,
                                    mode,
                                    &opts.data_dir,
                                )?
                            }
                            None => {
                                session::start(runbook, &opts.runbook_path, &opts.data_dir, mode)?
                            }
                        };
                        session.settle()?;
                        *team = TeamWork::start(session, &team.tx.clone());
                        let size = term.size()?;
                        session.app.update(Msg::Resize {
                            width: size.width,
                            height: size.height,
                        });
                    }
                    Effect::TakeSeat => match session.take_seat() {
                        Ok(()) => {
                            // This session writes the journal from now on.
                            *observer = None;
                            team.written.extend(session.written.drain(..));
                            team.hold(session);
                            session.app.ask_about_doubt()
                        }
                        Err(e) => {
                            tracing::error!("seat takeover failed: {e:#}");
                            session.app.flash = Some(format!("could not take the seat: {e:#}"));
                        }
                    },
                    Effect::DeclineSeat => session.decline_seat(),
                    Effect::DemoGreenFailing(failing) => {
                        if let Some(world) = opts.demo {
                            world.set_green_failing(failing);
                        }
                    }
                    Effect::Quit => return Ok(()),
                }
            }
            if store_back {
                team.upload_kept(session);
            }
        }
    }
}

/// Telemetry runs on its own threads and only ever sends owned reports into the channel.
fn start_poller(
    session: &Session,
    opts: &Options,
    tx: Sender<Msg>,
    redactor: Redactor,
) -> Result<Poller> {
    // The demo's cost source asks the demo's Cost Explorer only, and caches apart from real runs.
    let (cache_dir, aws) = match opts.demo {
        Some(world) => (
            crate::demo::dir(&crate::paths::cache_dir()),
            world.aws_configs(),
        ),
        None => (crate::paths::cache_dir(), Default::default()),
    };
    let settings = Settings {
        cache_dir,
        ..Settings::default()
    };
    let context = Context::new(settings, aws).reading_back(crate::actions::traffic::read_back());
    // Source errors can quote a command's output or a URL: secrets go before the cockpit sees them.
    let sink: Sink =
        Arc::new(move |report| tx.send(Msg::Telemetry(redactor.report(report))).is_ok());
    Ok(poller::start(
        session.app.runbook.sources.clone(),
        context,
        sink,
    )?)
}

fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        while let Ok(event) = crossterm::event::read() {
            if let Some(msg) = terminal::to_msg(event)
                && tx.send(msg).is_err()
            {
                return;
            }
        }
    });
}

/// The header clock ticks every second; the app ignores ticks within the same second.
fn spawn_clock(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        while tx.send(Msg::Tick(OffsetDateTime::now_utc())).is_ok() {
            std::thread::sleep(Duration::from_millis(250));
        }
    });
}

/// SIGHUP (the SSH session dropped), SIGTERM and SIGINT end the session cleanly: the journal
/// gets its last record and the terminal is restored.
fn spawn_signals(tx: Sender<Msg>) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            let name = match sig {
                SIGHUP => "hangup",
                SIGTERM => "terminate",
                _ => "interrupt",
            };
            if tx.send(Msg::Signal(name)).is_err() {
                return;
            }
        }
    });
    Ok(())
}
