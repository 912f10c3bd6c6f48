//! `credence report`: a self-contained HTML page from a scoring run's output folder.

use std::path::PathBuf;

use clap::Args;
use credence::report::{html, rundir::RunDir, trail};

/// Write one self-contained HTML page (no network needed) from the outputs of `credence score`.
///
/// The page shows the run's summary, a sortable and filterable table of sources, a forest plot of every
/// source's reliability and interval, the calibration of p_correct against resolutions, the responders'
/// learned rates, each source's evidence trail (the reports that moved its score most, with the responses
/// and resolutions that judged them) and, when the folder has a history.csv, a trend chart. The input
/// files are found through summary.json, by the names given to `credence score` (relative to the folder
/// it was run from); --claims, --responses and --resolutions name them instead.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The --out folder of a `credence score` run.
    #[arg(value_name = "RUN_DIR")]
    run: PathBuf,
    /// Where to write the page [default: RUN_DIR/report.html].
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    inputs: InputArgs,
    /// Reports shown per source in the evidence trails, largest contribution first (0: all).
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

/// Input files to join instead of those summary.json names.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// The claims file to read claim texts from, instead of the one summary.json names.
    #[arg(long, value_name = "FILE")]
    claims: Option<PathBuf>,
    /// The responses file, instead of the one summary.json names.
    #[arg(long, value_name = "FILE")]
    responses: Option<PathBuf>,
    /// The resolutions file, instead of the one summary.json names (a later one shows how well
    /// p_correct predicted what was resolved since).
    #[arg(long, value_name = "FILE")]
    resolutions: Option<PathBuf>,
}

impl InputArgs {
    /// The files to join: summary.json's, with any given here in their place.
    pub fn paths(&self, run: &RunDir) -> trail::InputPaths {
        let mut p = trail::InputPaths::of(run);
        if let Some(f) = &self.claims {
            p.claims = vec![f.clone()];
        }
        if let Some(f) = &self.responses {
            p.responses = vec![f.clone()];
        }
        if let Some(f) = &self.resolutions {
            p.resolutions = vec![f.clone()];
        }
        p
    }
}

pub fn run(args: ReportArgs) -> credence::Result<()> {
    let run = RunDir::open(&args.run)?;
    let opts = trail::TrailOptions {
        top: args.top,
        only: None,
        inputs: args.inputs.paths(&run),
    };
    let trails = trail::build(&run, &opts)?;
    let page = html::render(&run, &trails);
    let out = args.out.unwrap_or_else(|| args.run.join("report.html"));
    html::write_report(&out, &page)?;
    if !args.quiet {
        eprintln!("credence: wrote {} ({} bytes)", out.display(), page.len());
    }
    Ok(())
}
