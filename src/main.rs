//! `slicelab`: the headless CLI over the slicelab library.

// No unwrap()/expect() on anything that can come from a user; tests may use them.
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
