//! `credence merge`: combine shards' partials into the outputs of one run.

use std::path::PathBuf;

use clap::Args;
use credence::report;

use super::score::{FormatArg, ModelArgs, report_run};

/// Combine partials written by `credence score --partial` into the outputs one `score` run over all the
/// shards' input would write.
///
/// Partials may be given in any order. A responses or resolutions file given to several shards (the same
/// name, or the same file by another path) counts once; two files of one name with different rows are
/// refused. With --claims (every shard's claims file, in input order), claims.csv is written too, and a
/// claim id that two shards both accepted is refused (one run would refuse the second); without it, every
/// other output is, and ids cannot be checked across shards. Claims files are all or none: claims.csv
/// never holds fewer claims than summary.json counts.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The partials.
    #[arg(required = true, value_name = "PARTIAL")]
    partials: Vec<PathBuf>,
    /// The folder to write the outputs into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Every shard's claims file, in input order, to write claims.csv and to check claim ids across
    /// shards (each by the name it was scored under, or another path to the same file).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    claims: Vec<PathBuf>,
    /// The format of the tables, as for `score` (parquet needs the `parquet` feature).
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    format: FormatArg,
    #[command(flatten)]
    model: ModelArgs,
    /// A CSV of outlets' groups (columns source, group), each group with its own fitted prior, as for
    /// `score` (whose shards do not take it: the groups apply to the merged outlets).
    #[arg(long, value_name = "FILE")]
    sources_meta: Option<PathBuf>,
    /// Score each outlet per topic too, as for `score` (every shard scored with --topics, which makes its
    /// partial carry the claims' topics); writes source_topics.csv.
    #[arg(long)]
    topics: bool,
    /// Detect silent copying, as for `score`; writes copiers.csv.
    #[arg(long)]
    detect_copies: bool,
    /// Weigh older evidence less, as for `score` (the reference time is the shards' --as-of, else the
    /// latest time in the merged data).
    #[arg(long, value_name = "DAYS", value_parser = super::score::positive)]
    half_life: Option<f64>,
    /// Write text cells that begin with =, +, - or @ as they are. By default such a cell gets a leading '
    /// in CSV outputs, so that a spreadsheet shows it as text instead of running it as a formula.
    #[arg(long)]
    keep_formulas: bool,
    /// Worker threads, at most 1024 (0: RAYON_NUM_THREADS, or one per core). The output does not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::thread_count)]
    threads: usize,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: MergeArgs) -> credence::Result<()> {
    let format = args.format.format()?;
    super::set_threads(args.threads)?;
    credence::report::keep_formulas(args.keep_formulas);
    credence::progress::enable_bar(!args.quiet);
    credence::progress::enable_notices(!args.quiet);
    let mut params = args.model.params();
    params.topics = args.topics;
    params.detect_copies = args.detect_copies;
    params.half_life = args
        .half_life
        .map(|days| credence::model::HalfLife { days, reference: None });
    let mut merged = credence::shard::merge_files(&args.partials)?;
    params.as_of = merged.as_of;
    if params.topics {
        merged.require_topics()?;
    }
    // As `score` without --responses: the response-only methods have nothing to read.
    if merged.inputs.responses.is_empty() {
        super::require_responses(None, params.method)?;
    }
    if let Some(meta) = &args.sources_meta {
        merged.read_sources_meta(meta)?;
    }
    // Paired and checked before the model runs, so that a wrong list of files fails at once.
    let files = merged.claims_tables(&args.claims)?;
    let block = credence::ingest::LoadOptions::default().block_size;
    if !files.is_empty() {
        credence::shard::Merged::check_claim_ids(&files, block)?;
    } else if args.partials.len() > 1 {
        credence::progress::notice(
            "without --claims, claim ids are not checked across shards: an id that two shards both hold \
             is counted twice (give every shard's claims file to check them and to write claims.csv)",
        );
    }
    let scores = credence::model::score(&merged.corpus, &params)?;
    let write_claims = |w: &mut (dyn std::io::Write + Send)| {
        report::write_claims_from_files(&merged.corpus, &scores, &files, block, format, w)
    };
    let claims: Option<report::ClaimsWriter<'_>> = (!files.is_empty()).then_some(&write_claims);
    let written = report::write_outputs(
        &args.out,
        &merged.corpus,
        &scores,
        &merged.rejects,
        &merged.inputs,
        format,
        claims,
    )?;
    if !args.quiet {
        report_run(&merged.inputs, &scores, &written);
    }
    Ok(())
}
