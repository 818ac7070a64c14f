//! Ctrl-C and SIGTERM: the first asks the running job to stop at its next batch, so what finished
//! is still written; a second one ends the process at once (the default action is restored).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit code of a command that an interrupt stopped (128 + SIGINT, as shells report it).
pub const EXIT_CODE: u8 = 130;

/// The error a command returns after it wrote what finished before an interrupt.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub struct Interrupted(pub String);

#[cfg(unix)]
#[expect(
    unsafe_code,
    reason = "restores a signal's default action through libc"
)]
extern "C" fn on_signal(signal: libc::c_int) {
    REQUESTED.store(true, Ordering::SeqCst);
    // SAFETY: `signal` is async-signal-safe; restoring the default lets a second Ctrl-C kill.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
    }
}

/// Routes SIGINT and SIGTERM to [`requested`] instead of ending the process.
#[cfg_attr(
    unix,
    expect(unsafe_code, reason = "installs a signal handler through libc")
)]
pub fn install() {
    #[cfg(unix)]
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only stores to an atomic and calls `signal`, both async-signal-safe.
        unsafe {
            libc::signal(signal, handler);
        }
    }
}

/// Whether an interrupt arrived since [`install`].
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Sets `cancel` once an interrupt arrives, from a thread that lives while the guard does.
pub fn forward_to(cancel: Arc<AtomicBool>) -> Forward {
    let stop = Arc::new(AtomicBool::new(false));
    let done = stop.clone();
    let _ = std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if requested() {
                    eprintln!(
                        "interrupted: stopping after the current batch; finished runs are kept"
                    );
                    cancel.store(true, Ordering::Relaxed);
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
    Forward(stop)
}

/// Stops forwarding when dropped.
pub struct Forward(Arc<AtomicBool>);

impl Drop for Forward {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
