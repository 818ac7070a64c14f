//! Helpers shared by the benchmark binaries.
#![allow(
    dead_code,
    reason = "each bench binary uses a different subset of these helpers"
)]

use std::path::PathBuf;

/// `../shared/<rel>` beside the project root, if present.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(rel);
    p.exists().then_some(p)
}

/// [`shared`], printing one line when the file is missing: which bench (`what`) it stops, the
/// path, and where the file comes from (`source`), so a run without `../shared` says why.
pub fn shared_or_say(rel: &str, what: &str, source: &str) -> Option<PathBuf> {
    let found = shared(rel);
    if found.is_none() {
        println!(
            "{what}: skipped, needs ../shared/{rel} ({source}; see README.md, \"Files in ../shared\")"
        );
    }
    found
}

/// Where the census table in `../shared` comes from.
pub const CENSUS_SOURCE: &str = "UCI KDD Census-Income, CC BY 4.0, 91 MB";

/// Peak resident set size of this process in bytes (Linux; 0 elsewhere).
pub fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Median of timings.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Sets `RAYON_NUM_THREADS` (default 1) and the allocator as the CLI does; call first thing in `main`.
#[expect(
    unsafe_code,
    reason = "sets RAYON_NUM_THREADS before any thread starts"
)]
pub fn configure_threads() {
    slicelab::alloc_tuning::tune_allocator();
    let n = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "1".into());
    // SAFETY: called at the start of main, before any other thread exists.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", n) };
}
