//! Training as a background job: a named thread, a bounded event channel and a cancel flag.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use super::error::TrainError;
use super::events::TrainEvent;
use super::{DataSource, ExperimentResult, ExperimentSpec, RunResult, run_experiment_with};
use crate::slices::SliceSet;
use crate::summary::Report;

/// Capacity of the event channel; epoch events are dropped (never blocking training) when full.
pub const CHANNEL_CAPACITY: usize = 256;

/// What the job sends to its owner.
pub enum JobMessage {
    /// Progress.
    Event(TrainEvent),
    /// The job ended with results (possibly partial, if cancelled).
    Done(Box<ExperimentResult>),
    /// The job failed; the message says why.
    Failed(String),
}

/// A running training job.
pub struct TrainingJob {
    /// Messages from the job.
    pub rx: Receiver<JobMessage>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TrainingJob {
    /// Starts `spec` on a thread named `trainer`; `wake` is called after every message (e.g. to repaint a UI).
    pub fn spawn(
        source: DataSource,
        slices: SliceSet,
        spec: ExperimentSpec,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        Self::spawn_with(source, slices, spec, wake, |_, _| Ok(()))
    }

    /// [`TrainingJob::spawn`], calling `on_run` on the training thread as each run ends (see
    /// [`super::OnRun`]): the CLI saves each run there, so a crash loses only the run in progress.
    pub fn spawn_with(
        source: DataSource,
        slices: SliceSet,
        spec: ExperimentSpec,
        wake: impl Fn() + Send + 'static,
        mut on_run: impl FnMut(&RunResult, &Report) -> Result<(), String> + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = sync_channel(CHANNEL_CAPACITY);
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        let thread = std::thread::Builder::new()
            .name("trainer".into())
            .spawn(move || {
                let mut emit = |e: TrainEvent| send(&tx, JobMessage::Event(e), false, &wake);
                let result =
                    run_experiment_with(&source, &slices, &spec, &mut emit, &mut on_run, &flag);
                let last = match result {
                    Ok(r) => JobMessage::Done(Box::new(r)),
                    Err(e) => JobMessage::Failed(e.to_string()),
                };
                send(&tx, last, true, &wake);
            })?;
        Ok(Self {
            rx,
            cancel,
            thread: Some(thread),
        })
    }

    /// Asks the job to stop at the next batch.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The flag [`TrainingJob::cancel`] sets, for a signal handler or watchdog to set instead.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for TrainingJob {
    fn drop(&mut self) {
        self.cancel();
    }
}

fn send(tx: &SyncSender<JobMessage>, msg: JobMessage, must_arrive: bool, wake: &impl Fn()) {
    if must_arrive {
        // The final message blocks until there is room (or the receiver is gone).
        let _ = tx.send(msg);
    } else if let Err(TrySendError::Full(_)) = tx.try_send(msg) {
        // A slow consumer misses an epoch event rather than stalling training.
    }
    wake();
}

/// Runs a job to completion on this thread's behalf: forwards events to `on_event`, returns the result.
pub fn wait(
    job: TrainingJob,
    mut on_event: impl FnMut(&TrainEvent),
) -> Result<ExperimentResult, TrainError> {
    for msg in job.rx.iter() {
        match msg {
            JobMessage::Event(e) => on_event(&e),
            JobMessage::Done(r) => return Ok(*r),
            JobMessage::Failed(m) => return Err(TrainError::Job(m)),
        }
    }
    Err(TrainError::Job(
        "the training thread ended without a result".into(),
    ))
}
