//! What a long run shows while it works: stage timings on demand, and a progress bar on a terminal.
//!
//! `CREDENCE_TIMING=1` prints each stage's wall time to standard error when the stage ends, for profiling
//! and for BENCHMARKS.md's "where the time goes", and on Linux a second line with the resident memory
//! and its peak so far ("where the memory goes"). The progress bar (rows, throughput, stage) is drawn only
//! when standard error is a terminal and the caller has not asked for quiet; notices (a slow input, and
//! why) when the caller has turned them on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static BAR: AtomicBool = AtomicBool::new(false);
static NOTICES: AtomicBool = AtomicBool::new(false);

/// Turns the progress bar on or off for this process (it is drawn only on a terminal either way).
pub fn enable_bar(on: bool) {
    use std::io::IsTerminal;
    BAR.store(on && std::io::stderr().is_terminal(), Ordering::Relaxed);
}

/// Turns notices ([`notice`]) on or off for this process; they are off unless a caller turns them on, so
/// that the library prints nothing of its own accord.
pub fn enable_notices(on: bool) {
    NOTICES.store(on, Ordering::Relaxed);
}

/// Tells the user, on standard error, something about the input that they would want to know while the run
/// is still going (where it will be slow, and why), when notices are on.
pub fn notice(message: &str) {
    if NOTICES.load(Ordering::Relaxed) {
        eprintln!("credence: {message}");
    }
}

/// The process's resident memory and its peak so far, in MiB (Linux: `VmRSS` and `VmHWM` of
/// `/proc/self/status`; `None` elsewhere).
fn resident_mib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line[key.len()..].trim().trim_end_matches("kB").trim().parse().ok()
    };
    Some((kib("VmRSS:")? / 1024, kib("VmHWM:")? / 1024))
}

/// A stage of the pipeline: times itself, and drives a spinner with a row count when the bar is on.
pub struct Stage {
    name: &'static str,
    start: Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Stage {
    /// Starts a stage.
    pub fn start(name: &'static str) -> Stage {
        let bar = BAR.load(Ordering::Relaxed).then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {prefix}: {human_pos} rows ({per_sec}) {elapsed}")
                    .expect("the template is valid"),
            );
            b.set_prefix(name);
            b.enable_steady_tick(std::time::Duration::from_millis(200));
            b
        });
        Stage {
            name,
            start: Instant::now(),
            bar,
        }
    }

    /// Adds `n` rows done.
    pub fn add(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if std::env::var_os("CREDENCE_TIMING").is_some() {
            eprintln!(
                "timing: {:<12} {:>9.3} s",
                self.name,
                self.start.elapsed().as_secs_f64()
            );
            if let Some((rss, peak)) = resident_mib() {
                eprintln!(
                    "memory: {:<12} {rss:>6} MiB resident, {peak:>6} MiB peak so far",
                    self.name
                );
            }
        }
    }
}
