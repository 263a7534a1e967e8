//! Carries out the app's `Effect::Start`, `Interrupt` and `ReadTraffic` on threads of their
//! own, and reports back only through the cockpit's message channel: the UI never waits.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use super::process::{self, Progress};
use super::traffic;
use crate::app::orphans::ProcessNews;
use crate::app::{ActionUpdate, Msg, Work};
use crate::orphans::ProcessGroup;
use crate::runbook::Traffic;
use crate::secrets::Redactor;

pub struct Actions {
    tx: Sender<Msg>,
    running: HashMap<u64, process::Running>,
    /// Every line, result and read-back error passes through it before it is sent.
    redactor: Arc<Redactor>,
}

impl Actions {
    pub fn new(tx: Sender<Msg>) -> Self {
        Self {
            tx,
            running: HashMap::new(),
            redactor: Arc::default(),
        }
    }

    /// Secret values in what the actions report become `$NAME` before anyone sees them.
    pub fn redacting(mut self, redactor: Redactor) -> Self {
        self.redactor = Arc::new(redactor);
        self
    }

    pub fn start(&mut self, id: u64, work: Work) {
        let (tx, redactor) = (self.tx.clone(), self.redactor.clone());
        match work {
            Work::Shell { command, timeout } => {
                let (ptx, prx) = mpsc::channel();
                match process::start(&command, timeout, ptx) {
                    Ok(running) => {
                        // Journaled, so a crash of this cockpit leaves the group findable.
                        let pgid = running.pid();
                        if let Some(start_ticks) = crate::orphans::start_ticks(pgid) {
                            let group = crate::orphans::ProcessGroup { pgid, start_ticks };
                            let _ = tx.send(Msg::Process(ProcessNews::Spawned { id, group }));
                        }
                        self.running.insert(id, running);
                        std::thread::spawn(move || {
                            for progress in prx {
                                if tx
                                    .send(Msg::Action {
                                        id,
                                        update: redactor.update(update_of(progress)),
                                    })
                                    .is_err()
                                {
                                    return;
                                }
                            }
                        });
                    }
                    Err(e) => send_end(&tx, id, false, format!("could not start `sh`: {e}")),
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
                    send_end(&tx, id, ok, redactor.redact(&result));
                });
            }
        }
    }

    /// The journal could not record the intent: the action is not started.
    pub fn refuse(&mut self, id: u64) {
        send_end(
            &self.tx,
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
            let _ = self
                .tx
                .send(Msg::Process(ProcessNews::Checked { id, liveness }));
        }
    }

    /// The confirmed stop of a left-over group, on a thread of its own (it may wait the grace).
    pub fn stop_orphan(&self, id: u64, group: ProcessGroup) {
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            let (result, alive) = crate::orphans::stop(group);
            let _ = tx.send(Msg::Process(ProcessNews::Stopped { id, result, alive }));
        });
    }

    pub fn read_traffic(&self, traffic: &Traffic, vars: &BTreeMap<String, String>) {
        let (tx, vars, timeout) = (self.tx.clone(), vars.clone(), traffic.timeout);
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
            let _ = tx.send(Msg::TrafficRead(read));
        });
    }
}

fn update_of(progress: Progress) -> ActionUpdate {
    match progress {
        Progress::Line { stderr, text } => ActionUpdate::Line { stderr, text },
        Progress::Ended(outcome) => ActionUpdate::Ended {
            ok: outcome.success(),
            result: outcome.describe(),
        },
    }
}

fn send_end(tx: &Sender<Msg>, id: u64, ok: bool, result: String) {
    let _ = tx.send(Msg::Action {
        id,
        update: ActionUpdate::Ended { ok, result },
    });
}
