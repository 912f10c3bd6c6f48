//! `credence explain`: one source's scores and evidence trail, as text.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use credence::report::{explain, rundir::RunDir, trail};

use super::report::InputArgs;

/// Print why a source scored as it did: its reliability, interval, rank and counts, then the reports that
/// moved its score most, each with its verdict, p_correct and the responses and resolution that judged
/// it (the same trail as `credence report` shows).
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The source (outlet) as named in sources.csv.
    #[arg(value_name = "SOURCE")]
    source: String,
    /// The --out folder of a `credence score` run.
    #[arg(long, value_name = "RUN_DIR", default_value = "out")]
    run: PathBuf,
    #[command(flatten)]
    inputs: InputArgs,
    /// Reports shown, largest contribution first (0: all).
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
}

pub fn run(args: ExplainArgs) -> credence::Result<()> {
    let run = RunDir::open(&args.run)?;
    let index = trail::find_source(&run, &args.source)?;
    let opts = trail::TrailOptions {
        top: args.top,
        only: Some(index),
        inputs: args.inputs.paths(&run),
    };
    let trails = trail::build(&run, &opts)?;
    let text = explain::explain_text(&run, &trails, index);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        // `| head` closing the pipe is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(credence::Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}
