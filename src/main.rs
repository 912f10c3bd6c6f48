//! The `credence` binary: parse arguments, dispatch, map errors to exit codes. The work is in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    keep_large_blocks_mapped();
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

/// Makes glibc's malloc serve every block of 128 KiB or more from a mapping of its own, returned to the
/// system when freed.
///
/// That is glibc's initial threshold, but it rises to the size of each such block freed (up to 32 MiB), and
/// then the next buffers of that size come from the heap and stay there when freed: the claims' first pass
/// frees tens of MiB of blocks and its id hashes, and the cross-check its by-story index, which the later
/// stages would otherwise add to instead of reusing (3.6M votes, `--method em`: peak 258 MiB with the
/// rising threshold, 232 MiB with it fixed). Setting the threshold explicitly turns the rise off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_mapped() {
    // SAFETY: mallopt only sets a parameter of the allocator, before any other thread exists; a rejected
    // value (it returns 0) leaves glibc's default, which is harmless.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
    }
}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_mapped() {}
