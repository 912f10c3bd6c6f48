//! Command-line parsing (clap derive), one file per subcommand. Each subcommand turns its flags into the
//! library's configuration types and calls the library; nothing here computes.

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

#[derive(Subcommand, Debug)]
enum Command {
    Score(score::ScoreArgs),
    Gen(generate::GenArgs),
    Merge(merge::MergeArgs),
    Eval(eval::EvalArgs),
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
