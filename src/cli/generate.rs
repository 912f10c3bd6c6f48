//! `credence gen`: write a corpus with planted truth.

use std::path::PathBuf;

use clap::Args;
use credence::generate::{self, Config, ResponderSpec};

/// Generate a corpus with planted truth, in credence's input format.
///
/// Writes claims.csv, responses.csv and resolutions.csv, and the hidden truth beside them:
/// truth_sources.csv (each outlet's true accuracy), truth_stories.csv (each story's truth) and
/// truth_claims.csv (which claims copy which, and whether each is correct). The same options and seed
/// give the same bytes.
#[derive(Args, Debug)]
pub struct GenArgs {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Claim rows to write (the last story may add a few more).
    #[arg(long, default_value_t = 10_000)]
    claims: usize,
    /// Number of outlets.
    #[arg(long, default_value_t = 200)]
    sources: usize,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Shapes of the outlets' true accuracy distribution, Beta(A, B).
    #[arg(long, num_args = 2, value_names = ["A", "B"], default_values_t = [6.0, 2.0])]
    accuracy: Vec<f64>,
    /// Exponent of the volume law: outlet k publishes in proportion to 1/k^E (0: equal volumes).
    #[arg(long, default_value_t = 1.0)]
    volume_exponent: f64,
    /// Number of topics (beats).
    #[arg(long, default_value_t = 4)]
    topics: u32,
    /// Mean number of independent outlets covering a story besides its originator.
    #[arg(long, default_value_t = 1.5)]
    coverage: f64,
    /// Mean number of relays of a story's reports.
    #[arg(long, default_value_t = 1.0)]
    relays: f64,
    /// Share of relays with no attribution (silent copies).
    #[arg(long, default_value_t = 0.2)]
    silent_copy_rate: f64,
    /// Number of copier outlets: each follows one other outlet and repeats a share of its reports without
    /// attribution (truth_copiers.csv names the pairs).
    #[arg(long, default_value_t = 0)]
    copiers: usize,
    /// Share of its target's reports a copier repeats.
    #[arg(long, default_value_t = 0.5)]
    copy_share: f64,
    /// Chance a story is later resolved.
    #[arg(long, default_value_t = 0.3)]
    resolve_rate: f64,
    /// Chance a resolved story is resolved mixed (counted half right for every claim on it).
    #[arg(long, default_value_t = 0.0)]
    mixed_rate: f64,
    /// Chance the honest responder answers a story.
    #[arg(long, default_value_t = 0.25)]
    honest_answer_rate: f64,
    /// Chance the interested responder answers a story on its beat (topic 0); it denies most true ones.
    #[arg(long, default_value_t = 0.6)]
    interested_answer_rate: f64,
    /// Write the same world without story keys: claims and responses get news-style texts (each outlet
    /// words a story its own way; silent copies repeat their original) and an empty story_id. No
    /// resolutions.csv, since resolutions name story keys.
    #[arg(long)]
    unkeyed: bool,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: GenArgs) -> credence::Result<()> {
    let cfg = Config {
        seed: args.seed,
        claims: args.claims,
        sources: args.sources,
        accuracy_alpha: args.accuracy[0],
        accuracy_beta: args.accuracy[1],
        volume_exponent: args.volume_exponent,
        topics: args.topics,
        mean_coverage: args.coverage,
        mean_relays: args.relays,
        silent_copy_rate: args.silent_copy_rate,
        copiers: args.copiers,
        copy_share: args.copy_share,
        resolve_rate: args.resolve_rate,
        mixed_rate: args.mixed_rate,
        responders: vec![
            ResponderSpec::honest("Ministry of Information", args.honest_answer_rate),
            ResponderSpec::interested("Presidential Press Office", args.interested_answer_rate, vec![0]),
        ],
        unkeyed: args.unkeyed,
        ..Config::default()
    };
    let w = generate::write(&args.out, &cfg)?;
    if !args.quiet {
        if args.unkeyed {
            eprintln!(
                "{} claims, {} stories, {} responses written to {} (no resolutions.csv: a resolution names a \
                 story key, which unkeyed claims lack; truth_stories.csv holds every story's truth)",
                w.claims,
                w.stories,
                w.responses,
                args.out.display()
            );
        } else {
            eprintln!(
                "{} claims, {} stories, {} responses, {} resolutions written to {}",
                w.claims,
                w.stories,
                w.responses,
                w.resolutions,
                args.out.display()
            );
        }
    }
    Ok(())
}
