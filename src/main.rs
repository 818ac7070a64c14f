//! `slicelab`: the headless CLI over the slicelab library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
