//! The `tarsier` binary: all logic lives in the `tarsier_cli` library.
fn main() -> std::process::ExitCode {
    tarsier_cli::main_with_args(std::env::args_os())
}
