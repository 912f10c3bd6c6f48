//! The `credence` binary: parse arguments, dispatch, map errors to exit codes. The work is in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(e) = credence::report::clean_up_on_interrupt() {
        eprintln!("credence: warning: {e}");
    }
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("credence: error: {e}");
            ExitCode::from(if matches!(e, credence::Error::Usage(_)) { 2 } else { 1 })
        }
    }
}
