//! Running the `slicelab` binary as a user does, for the CLI tests.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `slicelab ARGS` with one tensor thread and returns what it did.
pub fn slicelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slicelab"))
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("the slicelab binary runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `slicelab ARGS`, fails the test (showing both streams) unless it succeeds, returns stdout.
pub fn ok(args: &[&str]) -> String {
    let o = slicelab(args);
    assert!(
        o.status.success(),
        "slicelab {args:?} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// A path as a command-line argument.
pub fn p(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}
