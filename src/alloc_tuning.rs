//! Allocator tuning: process-wide settings that the binaries apply once at start-up.
//!
//! candle allocates a fresh buffer for every tensor op. With glibc's defaults, freeing a batch of
//! those buffers trims the heap back to the OS, and the next step faults the same pages in again
//! (zeroed by the kernel): on a 2-core machine that was about half the time of an SBL step with
//! 100 slices. Keeping freed memory in the process removes the churn; peak RSS is unchanged
//! because memory is still reused, only not returned.

/// Allocations above this size still get their own mapping (large tables, embeddings), so they
/// go back to the OS when dropped.
const MMAP_THRESHOLD: i32 = 32 << 20;

/// Free memory at the top of the heap is returned to the OS only beyond this size.
const TRIM_THRESHOLD: i32 = 512 << 20;

/// Tunes the allocator for many short-lived tensor buffers; call first thing in `main`.
///
/// A no-op outside glibc. Safe to call more than once.
#[cfg_attr(
    all(target_os = "linux", target_env = "gnu"),
    expect(unsafe_code, reason = "glibc's mallopt is a C function")
)]
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any worker thread
    // exists, and glibc serialises it against allocations anyway.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}
