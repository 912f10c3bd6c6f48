//! Command-line parsing (clap derive), one file per subcommand. Each subcommand turns its flags into the
//! library's configuration types and calls the library; nothing here computes.

/// Prints a line on standard output like `println!`, but a reader that stops reading (`credence eval … |
/// head -1`) ends the command quietly, as a closed pipe ends other Unix tools, instead of a panic; any other
/// failure to write is returned as an error (the enclosing function returns `credence::Result`).
macro_rules! say {
    () => {
        $crate::cli::say_line(format_args!(""))?
    };
    ($($arg:tt)*) => {
        $crate::cli::say_line(format_args!($($arg)*))?
    };
}

mod convert;
mod docs;
mod eval;
mod eval_links;
mod explain;
mod generate;
mod history;
mod import;
mod merge;
mod report;
mod score;

use clap::{Parser, Subcommand};

/// Source-credibility scoring: cross-check outlets' claims against official responses and resolutions,
/// and report each outlet's reliability with an honest interval.
#[derive(Parser, Debug)]
#[command(name = "credence", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands with numeric options take negative numbers as values, so that `--relay-weight -1` is
/// refused by the option's own range check rather than read as an unknown flag `-1`.
#[derive(Subcommand, Debug)]
enum Command {
    #[command(allow_negative_numbers = true)]
    Score(score::ScoreArgs),
    #[command(allow_negative_numbers = true)]
    Gen(generate::GenArgs),
    #[command(allow_negative_numbers = true)]
    Merge(merge::MergeArgs),
    #[command(allow_negative_numbers = true)]
    Eval(eval::EvalArgs),
    #[command(allow_negative_numbers = true)]
    History(history::HistoryArgs),
    Import(import::ImportArgs),
    Report(report::ReportArgs),
    Explain(explain::ExplainArgs),
    Convert(convert::ConvertArgs),
    EvalLinks(eval_links::EvalLinksArgs),
    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

/// Parses the command line and runs the subcommand. Usage errors exit with status 2 from here (clap's
/// convention); every other error is returned for `main` to print and exit with 1.
pub fn run() -> credence::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Score(args) => score::run(args),
        Command::Gen(args) => generate::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Eval(args) => eval::run(args),
        Command::History(args) => history::run(args),
        Command::Import(args) => import::run(args),
        Command::Report(args) => report::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Convert(args) => convert::run(args),
        Command::EvalLinks(args) => eval_links::run(args),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
    }
}

/// `n` and `noun`, in the plural unless `n` is 1 (`1 row`, `2 rows`).
pub(crate) fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One line of [`say!`].
pub(crate) fn say_line(args: std::fmt::Arguments<'_>) -> credence::Result<()> {
    use std::io::Write as _;
    match writeln!(std::io::stdout().lock(), "{args}") {
        Ok(()) => Ok(()),
        // Nothing is left to write to; the command's outputs, if any, are files already written.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(credence::Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
    }
}

/// The most worker threads `--threads` takes. Each thread reserves its stack up front, so a mistyped
/// count of a million would exhaust memory or hang before any work began.
const MAX_THREADS: usize = 1024;

/// Parses `--threads`: 0 (rayon's default) up to [`MAX_THREADS`].
fn thread_count(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if n > MAX_THREADS {
        return Err(format!(
            "{n} threads is more than the {MAX_THREADS} credence starts; this machine has {}",
            std::thread::available_parallelism().map_or(1, |c| c.get())
        ));
    }
    Ok(n)
}

/// The methods that score from official answers alone cannot run without them; the others can.
fn require_responses(responses: Option<&std::path::Path>, method: credence::model::Method) -> credence::Result<()> {
    if responses.is_none() && method == credence::model::Method::Responses {
        return Err(credence::Error::Usage(
            "--responses is required by --method responses and trust-responses (other methods can do without; \
             a merge needs shards scored with --responses)"
                .into(),
        ));
    }
    Ok(())
}

/// Sets the size of rayon's global pool; 0 leaves rayon's default (`RAYON_NUM_THREADS` or one per core).
fn set_threads(threads: usize) -> credence::Result<()> {
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| credence::Error::Config(format!("--threads: {e}")))?;
    }
    Ok(())
}
