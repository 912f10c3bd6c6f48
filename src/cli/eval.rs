//! `credence eval`: how well a run's scores recover a generated corpus's planted truth.

use std::path::PathBuf;

use clap::Args;

/// Compare a run's outputs with the hidden truth that `credence gen` wrote beside its corpus.
///
/// Prints, for the sources with at least --min-evidence judged reports: Spearman's rank correlation of
/// reliability with true accuracy, the coverage of the intervals and the mean absolute error; and, for
/// every claim, the Brier score and log loss of p_correct against whether the claim was correct.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The folder of a `credence score` run.
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
    /// The folder `credence gen` wrote (truth_sources.csv, truth_claims.csv).
    #[arg(long, value_name = "DIR")]
    truth: PathBuf,
    /// Leave out sources with fewer judged reports than this.
    #[arg(long, default_value_t = 0.0)]
    min_evidence: f64,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: EvalArgs) -> credence::Result<()> {
    let r = credence::evaluate::evaluate(&args.run, &args.truth, args.min_evidence)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r).expect("values serialise"));
        return Ok(());
    }
    let opt = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.4}"));
    println!("sources compared     {}", r.sources);
    println!("spearman             {}", opt(r.spearman));
    println!("interval coverage    {:.4}", r.coverage);
    println!("mean absolute error  {:.4}", r.mean_absolute_error);
    println!("claims compared      {}", r.claims);
    println!("brier                {}", opt(r.brier));
    println!("log loss             {}", opt(r.log_loss));
    Ok(())
}
