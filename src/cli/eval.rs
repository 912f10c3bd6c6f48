//! `credence eval`: how well scores recover a truth, either a generated corpus's planted truth (`--run`,
//! `--truth`) or a gold file of story values for real data, running every method asked for on the same
//! input (`--claims`, `--gold`, `--methods`).

use std::path::PathBuf;

use clap::Args;
use credence::ingest::{Inputs, LoadOptions};

use super::score::{MethodArg, ScaleArgs, ValueKindArg};

/// Compare scores with a truth.
///
/// With --run and --truth: a run's outputs against the hidden truth that `credence gen` wrote beside its
/// corpus. Prints, for the sources with at least --min-evidence judged reports and --min-originals
/// original claims: Spearman's rank correlation of reliability with true accuracy, beside the one that
/// counting each source's original claims against the hidden truth gives (and their ratio), the coverage
/// of the intervals, the mean absolute error and the mean signed error (the shared bias); and, for every
/// claim, the Brier score and log loss of p_correct against whether the claim was correct.
///
/// With --claims and --gold: scores the input once per method of --methods and prints, per method, the
/// accuracy of the stories' most probable values against the gold ones, Spearman's ρ, interval coverage
/// and mean absolute error against the sources' true accuracies (from --gold-sources, or else each
/// source's share of correct claims on the gold stories), predictive coverage (p_coverage: the share of
/// those shares, k correct of n, inside the central interval of the share correct of n new claims, a
/// beta-binomial from the source's posterior; not with --gold-sources), the accuracy, Brier score and log loss of
/// p_correct over the claims on gold stories, and the seconds the run took (reading and scoring).
///
/// When both the resolutions and the gold file have a `rating` column (a fact-checker's label, such as
/// LIAR's six), also predicts each gold claim's rating from its source's training ratings, shrunk towards
/// its group's (--sources-meta) and everyone's by strengths fitted on the training ratings, and prints the
/// share predicted exactly beside always predicting the most common training rating. This does not depend
/// on the method.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The folder of a `credence score` run. Its sources.csv and claims.csv are read as strictly as the
    /// truth: a bad row (wrong field count, empty key, a reliability, interval end or p_correct not from 0
    /// to 1, a source or claim given two different values) stops the evaluation; an exact repeat counts once.
    #[arg(long, value_name = "DIR", requires = "truth", conflicts_with = "claims")]
    run: Option<PathBuf>,
    /// The folder `credence gen` wrote (its claims.csv, truth_sources.csv and truth_claims.csv).
    #[arg(long, value_name = "DIR", requires = "run")]
    truth: Option<PathBuf>,
    /// Leave out sources with fewer judged reports than this (with --run; with --gold, --min-gold-claims).
    #[arg(long, default_value_t = 0.0, requires = "run")]
    min_evidence: f64,
    /// Leave out sources with fewer original claims than this (with --run; the generator's count, in
    /// truth_sources.csv). Issue 5's bar is stated for sources with 20 or more.
    #[arg(long, default_value_t = 0, requires = "run")]
    min_originals: u64,
    /// The claims CSV file to score (with --gold).
    #[arg(long, value_name = "FILE", requires = "gold", required_unless_present = "run")]
    claims: Option<PathBuf>,
    /// Official responses, for the methods that read them.
    #[arg(long, value_name = "FILE")]
    responses: Option<PathBuf>,
    /// Resolutions.
    #[arg(long, value_name = "FILE")]
    resolutions: Option<PathBuf>,
    /// Story truths: a CSV with columns story_id, value (true/false for plain stories), optionally rating.
    /// A bad row (wrong field count, empty story, bad value, a story given two different values) stops
    /// the evaluation; an exact repeat counts once.
    #[arg(long, value_name = "FILE", requires = "claims")]
    gold: Option<PathBuf>,
    /// Outlets' groups (columns source, group), as for `credence score --sources-meta`: each group gets its
    /// own prior, and rating prediction shrinks a source towards its group's ratings.
    #[arg(long, value_name = "FILE", requires = "claims")]
    sources_meta: Option<PathBuf>,
    /// Sources' true accuracies: a CSV with columns source, accuracy (from 0 to 1), read as --gold is.
    #[arg(long, value_name = "FILE", requires = "gold")]
    gold_sources: Option<PathBuf>,
    /// Leave out of the source measures sources with fewer claims on gold stories than this (when their
    /// true accuracy comes from the gold stories; with --gold, as --min-evidence is with --run).
    #[arg(long, default_value_t = 1, requires = "gold")]
    min_gold_claims: u64,
    /// The methods to compare, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "em,vote,dawid-skene,truthfinder"
    )]
    methods: Vec<MethodArg>,
    /// How values are normalised (see `credence score --help`).
    #[arg(long, value_enum, default_value_t = ValueKindArg::Text)]
    value_kind: ValueKindArg,
    #[command(flatten)]
    scale: ScaleArgs,
    /// Detect silent copying (as `credence score --detect-copies`) in every method's run; methods that cannot
    /// (the categorical baselines on values) report the error.
    #[arg(long, requires = "claims")]
    detect_copies: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: EvalArgs) -> credence::Result<()> {
    if let (Some(run), Some(truth)) = (&args.run, &args.truth) {
        return planted(run, truth, args.min_evidence, args.min_originals, args.json);
    }
    let (Some(claims), Some(gold_path)) = (args.claims, args.gold) else {
        return Err(credence::Error::Usage(
            "give --run and --truth, or --claims and --gold".into(),
        ));
    };
    credence::progress::enable_bar(false);
    let gold = credence::evaluate::Gold::read(&gold_path, args.gold_sources.as_deref(), args.value_kind.into())?;
    let inputs = Inputs {
        claims,
        responses: args.responses,
        resolutions: args.resolutions,
    };
    let load = LoadOptions {
        value_kind: args.value_kind.into(),
        // em (the default) models silent copies from publication times, as `score` does.
        keep_times: true,
        ..LoadOptions::default()
    };
    let train_ratings = match &inputs.resolutions {
        Some(path) => credence::evaluate::read_ratings(path)?.unwrap_or_default(),
        None => Vec::new(),
    };
    let mut reports = Vec::new();
    let mut ratings = None;
    for method in &args.methods {
        let mut params = method.params();
        params.detect_copies = args.detect_copies;
        params.value_bounds = args.scale.value_bounds;
        let started = std::time::Instant::now();
        let run = credence::score_files_with_groups(
            &inputs,
            load,
            &params,
            args.sources_meta.as_deref().map(|m| (m, false)),
        )?;
        let seconds = started.elapsed().as_secs_f64();
        if !run.loaded.corpus.valued() {
            gold.check_plain(&gold_path)?;
        }
        let r = credence::evaluate::against_gold(&run.loaded, &run.scores, &gold, args.min_gold_claims);
        // Every figure would be n/a: the gold file is of other data, or its ids are written otherwise.
        if r.stories == 0 && !gold.stories.is_empty() {
            return Err(credence::Error::Config(format!(
                "{}: none of its {} stories is a story of {} (is it the gold of other data, or are the ids \
                 written otherwise?)",
                gold_path.display(),
                gold.stories.len(),
                inputs.claims.display()
            )));
        }
        reports.push((method.name(), seconds, r));
        if ratings.is_none() {
            ratings = credence::evaluate::ratings_against_gold(&run.loaded, &train_ratings, &gold);
        }
    }
    if args.json {
        let rows: Vec<serde_json::Value> = reports
            .iter()
            .map(|(m, secs, r)| serde_json::json!({"method": m, "seconds": secs, "figures": r, "ratings": ratings}))
            .collect();
        say!("{}", serde_json::to_string_pretty(&rows).expect("values serialise"));
        return Ok(());
    }
    let opt = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.4}"));
    // Number stories: every method's estimate error, after the value's (n/a for a method without one).
    let estimates = reports.iter().any(|r| r.2.estimate_mae.is_some());
    let est_column = |x: Option<f64>| {
        if estimates {
            format!(" {:>12}", opt(x))
        } else {
            String::new()
        }
    };
    say!(
        "{:<16} {:>7} {:>8} {:>9} {:>10}{} {:>7} {:>8} {:>8} {:>10} {:>7} {:>8} {:>7} {:>8} {:>8} {:>8}",
        "method",
        "stories",
        "decided",
        "accuracy",
        "value_mae",
        if estimates {
            format!(" {:>12}", "estimate_mae")
        } else {
            String::new()
        },
        "sources",
        "spearman",
        "coverage",
        "p_coverage",
        "mae",
        "claims",
        "c_acc",
        "brier",
        "log_loss",
        "seconds"
    );
    for (m, secs, r) in &reports {
        say!(
            "{:<16} {:>7} {:>8} {:>9} {:>10}{} {:>7} {:>8} {:>8} {:>10} {:>7} {:>8} {:>7} {:>8} {:>8} {:>8.3}",
            m,
            r.stories,
            r.stories_decided,
            opt(r.story_accuracy),
            opt(r.value_mae),
            est_column(r.estimate_mae),
            r.sources,
            opt(r.spearman),
            opt(r.coverage),
            opt(r.predictive_coverage),
            opt(r.mean_absolute_error),
            r.claims,
            opt(r.claim_accuracy),
            opt(r.brier),
            opt(r.log_loss),
            secs
        );
    }
    // Each method against the first on the stories both were judged on: the stories only one gets right.
    if let Some((first, _, base)) = reports.first() {
        for (m, _, r) in reports.iter().skip(1) {
            if base.story_hits.is_empty() || r.story_hits.len() != base.story_hits.len() {
                continue;
            }
            let (a, b, p) = credence::evaluate::mcnemar(&base.story_hits, &r.story_hits);
            let (k, pc) = credence::evaluate::clustered_mcnemar(&base.story_hits, &r.story_hits, &base.story_clusters);
            let clustered = if k < a + b {
                format!("; clusters of identical input: {k}, clustered McNemar p = {pc:.4}")
            } else {
                String::new()
            };
            say!("paired: {first} alone right on {a} stories, {m} alone on {b}; exact McNemar p = {p:.4}{clustered}");
        }
    }
    if let Some(r) = &ratings {
        let strength = |s: f64| format!("{s:.2}");
        say!(
            "ratings: {} claims on rated gold stories ({} by sources with training ratings), {} labels, {} \
             training ratings ({} on stories no claim asserts, left out)",
            r.claims,
            r.with_history,
            r.fit.labels.len(),
            r.trained,
            r.untrained
        );
        say!(
            "ratings: accuracy {:.4}; always the most common training rating {:.4}; source strength {}{}",
            r.accuracy,
            r.base_accuracy,
            strength(r.fit.source_strength),
            r.fit
                .group_strength
                .map_or_else(String::new, |g| format!(", group strength {}", strength(g)))
        );
    }
    Ok(())
}

fn planted(
    run: &std::path::Path,
    truth: &std::path::Path,
    min_evidence: f64,
    min_originals: u64,
    json: bool,
) -> credence::Result<()> {
    let r = credence::evaluate::evaluate(run, truth, min_evidence, min_originals)?;
    if json {
        say!("{}", serde_json::to_string_pretty(&r).expect("values serialise"));
        return Ok(());
    }
    let opt = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.4}"));
    say!("sources compared     {}", r.sources);
    say!("spearman             {}", opt(r.spearman));
    // The ranking that knowing every claim's truth gives, and how much of it the scores reach.
    let ratio = match (r.spearman, r.counted_spearman) {
        (Some(a), Some(b)) if r.counted_sources == r.sources && b != 0.0 => format!(", ratio {:.4}", a / b),
        _ => String::new(),
    };
    say!(
        "spearman, counted    {} (each source's original claims counted against the truth; {} sources{ratio})",
        opt(r.counted_spearman),
        r.counted_sources
    );
    say!("interval coverage    {}", opt(r.coverage));
    say!("mean absolute error  {}", opt(r.mean_absolute_error));
    let signed = r.mean_error.map_or_else(|| "n/a".to_owned(), |v| format!("{v:+.4}"));
    say!("mean error           {signed}");
    say!("claims compared      {}", r.claims);
    say!("brier                {}", opt(r.brier));
    say!("log loss             {}", opt(r.log_loss));
    Ok(())
}
