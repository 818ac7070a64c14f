//! One-shot background work: a named thread computes a value, sends it over a bounded channel and
//! wakes the UI. A panicking job is reported as lost, never taken down with the app.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a job says how far it got; the status bar shows it next to the job's label. It also
/// tells a long job that nobody waits for its result any more.
#[derive(Clone)]
pub struct Progress {
    text: Arc<Mutex<String>>,
    wake: Arc<dyn Fn() + Send + Sync>,
    cancelled: Arc<AtomicBool>,
}

impl Progress {
    /// Replaces the progress text and wakes the UI to show it.
    pub fn set(&self, text: String) {
        if let Ok(mut t) = self.text.lock() {
            *t = text;
        }
        (self.wake)();
    }

    /// The latest progress text (empty before the first report).
    pub fn get(&self) -> String {
        self.text.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Set once the job's [`Pending`] is dropped (superseded by a newer job, or the app closed):
    /// work that checks it can stop early.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancelled
    }
}

/// What polling a [`Pending`] found.
pub enum Poll<T> {
    /// Still running.
    Waiting,
    /// The result.
    Ready(T),
    /// The thread ended without a result (it panicked or could not start).
    Lost,
}

/// A value that a background thread is computing.
pub struct Pending<T> {
    rx: Receiver<T>,
    /// What the job does, for the status bar.
    pub label: String,
    started: Instant,
    progress: Option<Progress>,
}

impl<T: Send + 'static> Pending<T> {
    /// Runs `work` on a thread named `name`; `wake` is called once the result is sent.
    pub fn spawn(
        name: &str,
        label: impl Into<String>,
        wake: impl Fn() + Send + 'static,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let (tx, rx) = sync_channel(1);
        // If the thread cannot start, `tx` is dropped with the closure and polling reports Lost.
        let _ = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let out = work();
                let _ = tx.send(out);
                wake();
            });
        Self {
            rx,
            label: label.into(),
            started: Instant::now(),
            progress: None,
        }
    }

    /// Like [`Pending::spawn`], but `work` gets a [`Progress`] to report through.
    pub fn spawn_with_progress(
        name: &str,
        label: impl Into<String>,
        wake: impl Fn() + Send + Sync + 'static,
        work: impl FnOnce(&Progress) -> T + Send + 'static,
    ) -> Self {
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(wake);
        let progress = Progress {
            text: Arc::default(),
            wake: wake.clone(),
            cancelled: Arc::default(),
        };
        let reporter = progress.clone();
        let mut me = Self::spawn(name, label, move || wake(), move || work(&reporter));
        me.progress = Some(progress);
        me
    }

    /// The label with the latest progress report, for the status bar.
    pub fn describe(&self) -> String {
        match self.progress.as_ref().map(Progress::get) {
            Some(p) if !p.is_empty() => format!("{} ({p})", self.label),
            _ => self.label.clone(),
        }
    }

    /// Takes the result if it has arrived.
    pub fn poll(&self) -> Poll<T> {
        match self.rx.try_recv() {
            Ok(v) => Poll::Ready(v),
            Err(TryRecvError::Empty) => Poll::Waiting,
            Err(TryRecvError::Disconnected) => Poll::Lost,
        }
    }

    /// Seconds since the job started.
    pub fn elapsed_secs(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if let Some(p) = &self.progress {
            p.cancelled.store(true, Ordering::Relaxed);
        }
    }
}

/// Polls `slot`: returns a finished result (clearing the slot), or the `lost` value if the job died.
pub fn take<T: Send + 'static>(
    slot: &mut Option<Pending<T>>,
    lost: impl FnOnce(&str) -> T,
) -> Option<T> {
    let out = match slot.as_ref()?.poll() {
        Poll::Waiting => return None,
        Poll::Ready(v) => v,
        Poll::Lost => lost(&slot.as_ref()?.label),
    };
    *slot = None;
    Some(out)
}

/// Polls every job in `jobs`: returns the finished results (and `lost` values for jobs that
/// died) and keeps the ones still running.
pub fn take_all<T: Send + 'static>(jobs: &mut Vec<Pending<T>>, lost: impl Fn(&str) -> T) -> Vec<T> {
    let mut done = Vec::new();
    jobs.retain(|job| match job.poll() {
        Poll::Waiting => true,
        Poll::Ready(v) => {
            done.push(v);
            false
        }
        Poll::Lost => {
            done.push(lost(&job.label));
            false
        }
    });
    done
}

/// The latest result of background work keyed by its inputs, and the build under way: a view
/// asks for the result for a key (through a command), the app starts the build and polls it.
pub struct Keyed<K, T> {
    done: Option<(K, T)>,
    pending: Option<(K, Pending<T>)>,
}

impl<K, T> Default for Keyed<K, T> {
    fn default() -> Self {
        Self {
            done: None,
            pending: None,
        }
    }
}

impl<K: PartialEq, T: Send + 'static> Keyed<K, T> {
    /// Collects a finished build. A build whose thread died leaves `lost(key)` as the result,
    /// or, when that is `None`, keeps the previous one (and the key is wanted again).
    pub fn poll(&mut self, lost: impl FnOnce(&K) -> Option<T>) {
        let Some((_, job)) = &self.pending else {
            return;
        };
        let out = match job.poll() {
            Poll::Waiting => return,
            Poll::Ready(v) => Some(v),
            Poll::Lost => None,
        };
        let Some((key, _)) = self.pending.take() else {
            return;
        };
        if let Some(v) = out.or_else(|| lost(&key)) {
            self.done = Some((key, v));
        }
    }

    /// The latest finished result, whatever it was for (shown while a newer one builds).
    pub fn latest(&self) -> Option<&T> {
        self.done.as_ref().map(|(_, v)| v)
    }

    /// What the latest finished result is for.
    pub fn latest_key(&self) -> Option<&K> {
        self.done.as_ref().map(|(k, _)| k)
    }

    /// The latest finished result if it is for `key`.
    pub fn result_for(&self, key: &K) -> Option<&T> {
        self.done.as_ref().filter(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// What the build under way is doing, as its job reports it.
    pub fn describe(&self) -> Option<String> {
        self.pending.as_ref().map(|(_, job)| job.describe())
    }

    /// What the build under way is for.
    pub fn building(&self) -> Option<&K> {
        self.pending.as_ref().map(|(k, _)| k)
    }

    /// Whether a build for `key` is needed: neither the latest result nor the build under way
    /// is for it.
    pub fn wants(&self, key: &K) -> bool {
        self.building() != Some(key) && self.result_for(key).is_none()
    }

    /// Starts a build for `key` with `start` when [`Keyed::wants`] it (`start` is called only
    /// then, so inputs are gathered only when needed); a build for another key is dropped.
    pub fn request(&mut self, key: K, start: impl FnOnce() -> Pending<T>) {
        if self.wants(&key) {
            self.pending = Some((key, start()));
        }
    }
}

/// Results of background work for several keys at once (each column's summary), with the
/// builds under way: unlike [`Keyed`], asking for one key never drops another's build.
pub struct KeyedCache<K, T> {
    done: Vec<(K, T)>,
    pending: Vec<(K, Pending<T>)>,
}

impl<K, T> Default for KeyedCache<K, T> {
    fn default() -> Self {
        Self {
            done: Vec::new(),
            pending: Vec::new(),
        }
    }
}

impl<K: PartialEq, T: Send + 'static> KeyedCache<K, T> {
    /// Results kept; the oldest goes first.
    const KEPT: usize = 64;

    /// The result for `key`, if built.
    pub fn get(&self, key: &K) -> Option<&T> {
        self.done.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is neither built nor building.
    pub fn wants(&self, key: &K) -> bool {
        self.get(key).is_none() && !self.pending.iter().any(|(k, _)| k == key)
    }

    /// Starts a build for `key` with `start` when [`KeyedCache::wants`] it.
    pub fn request(&mut self, key: K, start: impl FnOnce() -> Pending<T>) {
        if self.wants(&key) {
            self.pending.push((key, start()));
        }
    }

    /// Collects finished builds; one whose thread died is left out (and wanted again).
    pub fn poll(&mut self) {
        let mut i = 0;
        while i < self.pending.len() {
            match self.pending[i].1.poll() {
                Poll::Waiting => i += 1,
                Poll::Ready(v) => {
                    let (key, _) = self.pending.swap_remove(i);
                    self.done.push((key, v));
                }
                Poll::Lost => drop(self.pending.swap_remove(i)),
            }
        }
        let extra = self.done.len().saturating_sub(Self::KEPT);
        self.done.drain(..extra);
    }

    /// Drops results and builds whose key fails `keep` (a dataset no longer loaded).
    pub fn retain(&mut self, keep: impl Fn(&K) -> bool) {
        self.done.retain(|(k, _)| keep(k));
        self.pending.retain(|(k, _)| keep(k));
    }
}

/// Holds back work asked for in quick succession (a search per keystroke) until its key has
/// stayed the same for a moment, so only the text the user stops at is searched.
pub struct Debounce<K> {
    quiet: Duration,
    seen: Option<(K, Instant)>,
}

impl<K: PartialEq + Clone> Debounce<K> {
    /// Lets a key through once it has been asked for, unchanged, for `quiet`.
    pub fn new(quiet: Duration) -> Self {
        Self { quiet, seen: None }
    }

    /// `Ok` when `key` may start now; else how much longer to wait (ask again then). A key
    /// asked for the first time starts the wait.
    pub fn ready(&mut self, key: &K, now: Instant) -> Result<(), Duration> {
        match &self.seen {
            Some((k, since)) if k == key => {
                let waited = now.saturating_duration_since(*since);
                self.quiet
                    .checked_sub(waited)
                    .filter(|d| !d.is_zero())
                    .map_or(Ok(()), Err)
            }
            _ => {
                self.seen = Some((key.clone(), now));
                Err(self.quiet)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits (at most 10 s) for the job's cancel flag; whether it came.
    fn waits_for_cancel(p: &Progress) -> bool {
        let start = Instant::now();
        while !p.cancel_flag().load(Ordering::Relaxed) && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        p.cancel_flag().load(Ordering::Relaxed)
    }

    #[test]
    fn a_key_waits_until_it_has_stayed_the_same_for_the_quiet_time() {
        let mut d = Debounce::new(Duration::from_millis(200));
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert_eq!(d.ready(&"a", t0), Err(Duration::from_millis(200)));
        assert_eq!(d.ready(&"a", ms(150)), Err(Duration::from_millis(50)));
        // Typing on restarts the wait: "a" is never searched.
        assert_eq!(d.ready(&"ab", ms(180)), Err(Duration::from_millis(200)));
        assert_eq!(d.ready(&"ab", ms(390)), Ok(()));
        assert_eq!(d.ready(&"ab", ms(391)), Ok(()));
    }

    #[test]
    fn a_keyed_build_superseded_by_another_key_is_told_to_stop() {
        let (seen_tx, seen_rx) = sync_channel(1);
        let mut keyed: Keyed<&str, ()> = Keyed::default();
        keyed.request("first", || {
            Pending::spawn_with_progress(
                "test-first",
                "first",
                || {},
                move |p| {
                    let _ = seen_tx.send(waits_for_cancel(p));
                },
            )
        });
        keyed.request("second", || {
            Pending::spawn("test-second", "second", || {}, || ())
        });
        assert_eq!(keyed.building(), Some(&"second"));
        let seen = seen_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the first job ended");
        assert!(
            seen,
            "the superseded job saw the cancel flag before its own timeout"
        );
    }

    #[test]
    fn dropping_a_pending_job_tells_it_to_stop() {
        let (seen_tx, seen_rx) = sync_channel(1);
        let job = Pending::spawn_with_progress(
            "test-job",
            "waiting",
            || {},
            move |p| {
                let _ = seen_tx.send(waits_for_cancel(p));
            },
        );
        drop(job);
        let seen = seen_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the job ended");
        assert!(seen, "the job saw the cancel flag before its own timeout");
    }
}
