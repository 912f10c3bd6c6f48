//! `credence history`: every source's reliability and interval at the end of each period.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use credence::history::Every;
use credence::ingest::{Inputs, LoadOptions};
use credence::report::OutputDir;

use super::score::{LinkArgs, ModelArgs, ValueKindArg, as_of_time, positive, report_tallies};

/// Score the inputs as of the end of each period and write history.csv.
///
/// Each period's scores are exactly what `credence score --as-of END` gives on the same files (END is the
/// period's last second, UTC), so past scores never change when later data arrive. history.csv has the
/// columns as_of, source, claims, reliability, ci_low, ci_high, rank; one row per period and source known by
/// then, as in sources.csv. It can go into a score run's folder, where `credence report` draws it.
///
/// The rows refused go to history_rejects.csv (the columns of score's rejects.csv), and each file's rows
/// read, scored and rejected are printed as score prints them: those of the last period's run, which has
/// seen every row up to the history's end (rows dated later are counted as set aside). A row refused only as
/// of an earlier end (a response to a story no claim had named yet) goes to history_earlier_rejects.csv,
/// with that end in an as_of column before the same columns.
#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The claims CSV file.
    #[arg(long, value_name = "FILE")]
    claims: PathBuf,
    /// The official responses CSV file (the `responses` and `trust-responses` methods need it; em, the
    /// default, reads it when given).
    #[arg(long, value_name = "FILE")]
    responses: Option<PathBuf>,
    /// The resolutions CSV file.
    #[arg(long, value_name = "FILE")]
    resolutions: Option<PathBuf>,
    /// How the claims' values (an optional `value` column) are normalised and compared, as for `score`.
    #[arg(long, value_enum, default_value_t = ValueKindArg::Text)]
    value_kind: ValueKindArg,
    /// A CSV of outlets' groups (columns source, group), each group with its own fitted prior, as for
    /// `score`.
    #[arg(long, value_name = "FILE")]
    sources_meta: Option<PathBuf>,
    /// Detect silent copying in each period's run and count a detected copier's following reports as
    /// relays, as `score --detect-copies`.
    #[arg(long)]
    detect_copies: bool,
    /// Stop at the first bad row instead of writing it to history_rejects.csv.
    #[arg(long)]
    strict: bool,
    /// The folder to write history.csv and history_rejects.csv into (created if missing; other files there
    /// are left alone).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The length of the periods.
    #[arg(long, value_enum, default_value_t = EveryArg::Month)]
    every: EveryArg,
    /// The first time to cover (default: the first claim's); a date alone is the end of that day.
    #[arg(long, value_name = "TIME", value_parser = as_of_time)]
    from: Option<i64>,
    /// The last time to cover (default: the latest time in the data).
    #[arg(long, value_name = "TIME", value_parser = as_of_time)]
    to: Option<i64>,
    /// Weigh older evidence less, as `score --half-life` (ages are measured from each period's end).
    #[arg(long, value_name = "DAYS", value_parser = positive)]
    half_life: Option<f64>,
    #[command(flatten)]
    model: ModelArgs,
    /// Write text cells that begin with =, +, - or @ as they are.
    #[arg(long)]
    keep_formulas: bool,
    /// Worker threads, at most 1024 (0: RAYON_NUM_THREADS, or one per core). The output does not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::thread_count)]
    threads: usize,
    #[command(flatten)]
    link: LinkArgs,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

/// The refused rows of a history, in `rejects.csv`'s format.
const REJECTS: &str = "history_rejects.csv";
/// The rows refused as of an earlier period's end only, with that end (`as_of`) before `rejects.csv`'s
/// columns.
const EARLIER_REJECTS: &str = "history_earlier_rejects.csv";

#[derive(ValueEnum, Clone, Copy, Debug)]
enum EveryArg {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

pub fn run(args: HistoryArgs) -> credence::Result<()> {
    if [
        Some(&args.claims),
        args.responses.as_ref(),
        args.resolutions.as_ref(),
        args.sources_meta.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|p| p.as_os_str() == "-")
    {
        return Err(credence::Error::Usage(
            "history reads its inputs once per period: give files, not standard input".into(),
        ));
    }
    super::set_threads(args.threads)?;
    credence::report::keep_formulas(args.keep_formulas);
    let mut params = args.model.params();
    params.half_life = args
        .half_life
        .map(|days| credence::model::HalfLife { days, reference: None });
    params.detect_copies = args.detect_copies;
    let every = match args.every {
        EveryArg::Day => Every::Day,
        EveryArg::Week => Every::Week,
        EveryArg::Month => Every::Month,
        EveryArg::Quarter => Every::Quarter,
        EveryArg::Year => Every::Year,
    };
    super::require_responses(args.responses.as_deref(), params.method)?;
    let inputs = Inputs {
        claims: args.claims,
        responses: args.responses,
        resolutions: args.resolutions,
    };
    // The reading options of `score`; the history sets `as_of` and `keep_times` per period.
    let load = LoadOptions {
        strict: args.strict,
        value_kind: args.value_kind.into(),
        link: args.link.params(),
        ..LoadOptions::default()
    };
    let meta = args.sources_meta.as_deref().map(|m| (m, args.strict));
    let history = credence::history::history(&inputs, load, &params, meta, every, args.from, args.to)?;
    let points = &history.points;
    let mut out = OutputDir::create(&args.out)?;
    out.stage("history.csv", &credence::history::write_csv(points))?;
    // Not rejects.csv: history.csv may go into a score run's folder, whose rejects.csv (of that run, maybe
    // of other options) must stay as it was.
    out.stage(REJECTS, &credence::report::rejects_csv(&history.rejects))?;
    out.stage(
        EARLIER_REJECTS,
        &credence::history::write_earlier_rejects_csv(&history.earlier_rejects),
    )?;
    let written = out.commit()?;
    if !args.quiet {
        report_tallies(&history.inputs, "the last period's end");
        let periods = points
            .iter()
            .map(|p| p.as_of)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        eprintln!(
            "{}, {}",
            super::count(periods as u64, "period"),
            super::count(points.len() as u64, "row")
        );
        for w in written {
            eprintln!("wrote {}", w.display());
        }
    }
    Ok(())
}
