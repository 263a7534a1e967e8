//! Carries out the app's `Effect::Start`, `Interrupt` and `ReadTraffic` on threads of their
//! own, and reports back only through a callback, with owned `Report`s (the cockpit sends them
//! on as messages): the UI never waits, and the runner knows nothing of the app.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::process::{self, Progress};
use super::report::{ActionUpdate, OutputLine, ProcessNews, Report, Sink, Work};
use super::traffic;
use crate::journal::output::OutputWriter;
use crate::orphans::ProcessGroup;
use crate::runbook::Traffic;
use crate::secrets::Redactor;

pub struct Actions {
    sink: Sink,
    running: HashMap<u64, process::Running>,
    /// Every line, result and read-back error passes through it before it is sent.
    redactor: Arc<Redactor>,
}

impl Actions {
    pub fn new(sink: Sink) -> Self {
        Self {
            sink,
            running: HashMap::new(),
            redactor: Arc::default(),
        }
    }

    /// Secret values in what the actions report become `$NAME` before anyone sees them.
    pub fn redacting(mut self, redactor: Redactor) -> Self {
        self.redactor = Arc::new(redactor);
        self
    }

    /// Starts the work of action `id`. A command's output is also kept whole in a file beside
    /// `journal` (as the pane shows it: sanitized and redacted), whose hash the end carries.
    pub fn start(&mut self, id: u64, work: Work, journal: &Path) {
        let (sink, redactor) = (self.sink.clone(), self.redactor.clone());
        match work {
            Work::Shell { command, timeout } => {
                let (ptx, prx) = mpsc::channel();
                match process::start(&command, timeout, ptx) {
                    Ok(running) => {
                        // Journaled, so a crash of this cockpit leaves the group findable.
                        let pgid = running.pid();
                        if let Some(start_ticks) = crate::orphans::start_ticks(pgid) {
                            let group = crate::orphans::ProcessGroup { pgid, start_ticks };
                            sink(Report::Process(ProcessNews::Spawned { id, group }));
                        }
                        self.running.insert(id, running);
                        let kept = OutputWriter::create(journal, id);
                        std::thread::spawn(move || forward(id, prx, &sink, &redactor, kept));
                    }
                    Err(e) => send_end(&sink, id, false, format!("could not start `sh`: {e}")),
                }
            }
            Work::Http { request, timeout } => {
                std::thread::spawn(move || {
                    let sent = match &request {
                        traffic::Request::Aws { actuator, green } => {
                            traffic::native::shift_blocking(actuator, *green, timeout)
                        }
                        _ => traffic::send_http(&request, timeout),
                    };
                    let (ok, result) = match sent {
                        Ok(result) => (true, result),
                        Err(why) => (false, why),
                    };
                    send_end(&sink, id, ok, redactor.redact(&result));
                });
            }
        }
    }

    /// Lines `first..first + count` of action `id`'s kept output, read on a thread of their
    /// own and sent as `ActionUpdate::Spilled` (fewer when the file has fewer).
    pub fn read_output(&self, id: u64, first: u64, count: usize, journal: &Path) {
        let (sink, journal) = (self.sink.clone(), journal.to_path_buf());
        std::thread::spawn(move || {
            let lines = match crate::journal::output::read_lines(&journal, id, first, count) {
                Ok(lines) => lines,
                Err(e) => {
                    tracing::error!(id, "reading the kept output failed: {e}");
                    return;
                }
            };
            let update = ActionUpdate::Spilled { first, lines };
            sink(Report::Action { id, update });
        });
    }

    /// The journal could not record the intent: the action is not started.
    pub fn refuse(&mut self, id: u64) {
        send_end(
            &self.sink,
            id,
            false,
            "not started: the journal could not record it".into(),
        );
    }

    pub fn interrupt(&mut self, id: u64) {
        self.running.retain(|_, r| !r.ended());
        if let Some(running) = self.running.get(&id) {
            running.interrupt();
        }
    }

    /// After a crash: whether each in-doubt action's group still runs, told to the app.
    pub fn check_orphans(&self, groups: &[(u64, ProcessGroup)]) {
        for &(id, group) in groups {
            let liveness = crate::orphans::liveness(group);
            (self.sink)(Report::Process(ProcessNews::Checked { id, liveness }));
        }
    }

    /// The confirmed stop of a left-over group, on a thread of its own (it may wait the grace).
    pub fn stop_orphan(&self, id: u64, group: ProcessGroup) {
        let sink = self.sink.clone();
        std::thread::spawn(move || {
            let (result, alive) = crate::orphans::stop(group);
            sink(Report::Process(ProcessNews::Stopped { id, result, alive }));
        });
    }

    pub fn read_traffic(&self, traffic: &Traffic, vars: &BTreeMap<String, String>) {
        let (sink, vars, timeout) = (self.sink.clone(), vars.clone(), traffic.timeout);
        let redactor = self.redactor.clone();
        let read: Box<dyn FnOnce() -> Result<u8, String> + Send> =
            match (&traffic.set, &traffic.get) {
                (crate::runbook::Actuator::Aws(aws), _) => {
                    let mut aws = aws.clone();
                    aws.mechanism.expand(&vars);
                    Box::new(move || traffic::native::read_blocking(&aws, timeout))
                }
                (_, Some(get)) => {
                    let get = get.clone();
                    Box::new(move || traffic::read_green(&get, &vars, timeout))
                }
                (_, None) => return,
            };
        std::thread::spawn(move || {
            let read = read().map_err(|e| redactor.redact(&e));
            sink(Report::TrafficRead(read));
        });
    }
}

/// Passes a command's progress on to the cockpit, redacted, writing each line to the kept
/// file too. What is buffered goes to the kernel whenever the command pauses, so a cockpit
/// killed mid-way leaves in the file what was printed up to then.
fn forward(
    id: u64,
    progress: Receiver<Progress>,
    sink: &Sink,
    redactor: &Redactor,
    kept: std::io::Result<OutputWriter>,
) {
    let mut kept = match kept {
        Ok(writer) => Some(writer),
        Err(e) => {
            let why = format!("the output is not kept in a file: {e}");
            tracing::error!(id, "{why}");
            sink(line(id, why));
            None
        }
    };
    loop {
        let next = match progress.try_recv() {
            Err(TryRecvError::Empty) => {
                if let Some(writer) = kept.as_mut() {
                    let _ = writer.flush();
                }
                progress.recv().ok()
            }
            other => other.ok(),
        };
        let Some(mut next) = next else { return };
        // The lines waiting go as one message: a flood of output is a few messages per
        // frame, not one per line, and a key never queues behind thousands of them.
        let mut batch = Vec::new();
        let outcome = loop {
            match next {
                Progress::Line { stderr, text } => {
                    let text = redactor.redact(&text);
                    if let Some(Err(e)) = kept.as_mut().map(|w| w.line(&text)) {
                        kept = None;
                        let why =
                            format!("writing the output file failed: {e}; the rest is not kept");
                        tracing::error!(id, "{why}");
                        batch.push(OutputLine {
                            stderr: true,
                            text: why,
                        });
                    }
                    batch.push(OutputLine { stderr, text });
                }
                Progress::Ended(outcome) => break Some(outcome),
            }
            match progress.try_recv() {
                Ok(more) if batch.len() < BATCH => next = more,
                Ok(more) => {
                    if !sink(lines(id, std::mem::take(&mut batch))) {
                        return;
                    }
                    next = more;
                }
                Err(_) => break None,
            }
        };
        if !batch.is_empty() && !sink(lines(id, batch)) {
            return;
        }
        if let Some(outcome) = outcome {
            let output_file = kept.take().and_then(|w| {
                w.finish()
                    .map_err(|e| tracing::error!(id, "closing the output file failed: {e}"))
                    .ok()
            });
            let update = ActionUpdate::Ended {
                ok: outcome.success(),
                result: redactor.redact(&outcome.describe()),
                output_file,
            };
            sink(Report::Action { id, update });
            return;
        }
    }
}

/// Lines sent to the cockpit in one message at most.
const BATCH: usize = 1024;

fn lines(id: u64, lines: Vec<OutputLine>) -> Report {
    Report::Action {
        id,
        update: ActionUpdate::Lines(lines),
    }
}

/// A line of the cockpit's own about an action, shown in its pane as stderr.
fn line(id: u64, text: String) -> Report {
    Report::Action {
        id,
        update: ActionUpdate::Line { stderr: true, text },
    }
}

fn send_end(sink: &Sink, id: u64, ok: bool, result: String) {
    sink(Report::Action {
        id,
        update: ActionUpdate::Ended {
            ok,
            result,
            output_file: None,
        },
    });
}
