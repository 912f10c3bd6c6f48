//! `credence eval-links`: precision, recall and F1 of the matcher's claim–response links against a gold
//! file, with a threshold sweep.

use std::path::PathBuf;

use clap::Args;
use credence::ingest::LoadOptions;
use credence::ingest::unkeyed::{self, GoldRow};
use credence::link::LinkParams;
use credence::link::eval::{LinkScore, score_links};
use rustc_hash::FxHashSet;

use super::score::LinkArgs;

/// Measure how well stories are formed and responses linked, against hand-labelled links.
///
/// Runs the matcher over the claims and responses (their story_id ignored: every row is matched from
/// its text) and compares the predicted (response, claim) pairs with the gold file's.
#[derive(Args, Debug)]
pub struct EvalLinksArgs {
    /// The gold links: response_id, claim_id (empty for a response that answers none), optional split.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// The claims CSV file (with a text column).
    #[arg(long, value_name = "FILE")]
    claims: PathBuf,
    /// The responses CSV file (with a text column).
    #[arg(long, value_name = "FILE")]
    responses: PathBuf,
    /// Evaluate only the gold responses of this split (e.g. dev, test); default all.
    #[arg(long)]
    split: Option<String>,
    /// Also print precision, recall and F1 over a grid of --min-story and --min-match values.
    #[arg(long)]
    sweep: bool,
    #[command(flatten)]
    link: LinkArgs,
}

pub fn run(args: EvalLinksArgs) -> credence::Result<()> {
    credence::progress::enable_bar(false);
    let gold = unkeyed::read_gold(&args.gold)?;
    let in_split = |g: &GoldRow| args.split.is_none() || g.split == args.split;
    let responses: FxHashSet<String> = gold
        .iter()
        .filter(|g| in_split(g))
        .map(|g| g.response_id.clone())
        .collect();
    if responses.is_empty() {
        return Err(credence::Error::Config(format!(
            "{}: no response in split {:?}",
            args.gold.display(),
            args.split.as_deref().unwrap_or("(all)")
        )));
    }
    let pairs: Vec<(String, String)> = gold
        .iter()
        .filter_map(|g| g.claim_id.clone().map(|c| (g.response_id.clone(), c)))
        .collect();
    let evaluate = |params: LinkParams| -> credence::Result<LinkScore> {
        let opts = LoadOptions {
            link: params,
            ..LoadOptions::default()
        };
        let linked = unkeyed::link_files_ignoring_keys(&args.claims, &args.responses, opts)?;
        let predicted: Vec<(String, String)> = linked.links.into_iter().map(|l| (l.response_id, l.claim_id)).collect();
        Ok(score_links(&predicted, &pairs, &responses))
    };
    let params = args.link.params();
    let s = evaluate(params)?;
    say!("split                {}", args.split.as_deref().unwrap_or("all"));
    say!("min-story            {}", params.min_story);
    say!("min-match            {}", params.min_match);
    say!("window (days)        {}", params.window_days);
    say!("responses            {}", s.responses);
    say!("true links           {}", s.gold);
    say!("predicted links      {}", s.predicted);
    say!("correct              {}", s.correct);
    say!("precision            {:.4}", s.precision);
    say!("recall               {:.4}", s.recall);
    say!("f1                   {:.4}", s.f1);
    if args.sweep {
        say!();
        say!("min_story  min_match  precision  recall  f1");
        let mut best: Option<(f64, f64, f64)> = None;
        for story in [0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
            for step in 1..=10 {
                let m = f64::from(step) * 0.05;
                let p = LinkParams {
                    min_story: story,
                    min_match: m,
                    ..params
                };
                let s = evaluate(p)?;
                say!(
                    "{story:<9}  {m:<9.2}  {:<9.4}  {:<6.4}  {:.4}",
                    s.precision,
                    s.recall,
                    s.f1
                );
                if best.is_none_or(|b| s.f1 > b.2) {
                    best = Some((story, m, s.f1));
                }
            }
        }
        if let Some((story, m, f1)) = best {
            say!("best: --min-story {story} --min-match {m:.2} (f1 {f1:.4})");
        }
    }
    Ok(())
}
