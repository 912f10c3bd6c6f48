//! `credence convert`: public truth-discovery data sets into credence's input files.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Convert a public data set into claims.csv and gold.csv (LIAR: also resolutions.csv), for `credence
/// score` and `credence eval --gold`. See EVALUATION.md for the commands that use them.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(subcommand)]
    what: What,
    /// The folder to write into (created if missing); required.
    #[arg(long, value_name = "DIR", global = true)]
    out: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum What {
    /// Zheng et al.'s crowd-sourcing benchmark: answer.csv and truth.csv of one set.
    Crowd {
        /// answer.csv (question,worker,answer).
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// truth.csv (question,truth).
        #[arg(long, value_name = "FILE")]
        truth: PathBuf,
    },
    /// The AbeBooks author lists: book.txt and book_golden.txt.
    Book {
        /// book.txt (store TAB ISBN TAB title TAB authors).
        #[arg(long, value_name = "FILE")]
        claims: PathBuf,
        /// book_golden.txt (ISBN TAB authors).
        #[arg(long, value_name = "FILE")]
        gold: PathBuf,
    },
    /// City populations from Wikipedia edits: population-new.txt and population-gd.txt.
    Population {
        /// population-new.txt (object TAB editor TAB value TAB year).
        #[arg(long, value_name = "FILE")]
        claims: PathBuf,
        /// population-gd.txt (city, state, YEAR, population).
        #[arg(long, value_name = "FILE")]
        gold: PathBuf,
    },
    /// LIAR: train.tsv verdicts become resolutions, test.tsv verdicts the gold.
    Liar {
        /// train.tsv.
        #[arg(long, value_name = "FILE")]
        train: PathBuf,
        /// test.tsv.
        #[arg(long, value_name = "FILE")]
        test: PathBuf,
    },
}

pub fn run(args: ConvertArgs) -> credence::Result<()> {
    let out = args
        .out
        .ok_or_else(|| credence::Error::Usage("--out DIR is required".into()))?;
    let c = match &args.what {
        What::Crowd { answers, truth } => credence::convert::crowd(answers, truth, &out)?,
        What::Book { claims, gold } => credence::convert::book(claims, gold, &out)?,
        What::Population { claims, gold } => credence::convert::population(claims, gold, &out)?,
        What::Liar { train, test } => credence::convert::liar(train, test, &out)?,
    };
    eprintln!(
        "{} claims, {} gold rows, {} resolutions written",
        c.claims, c.gold, c.resolutions
    );
    for (why, n) in &c.skipped {
        eprintln!("skipped {}: {why}", super::count(*n, "row"));
    }
    for (why, n) in &c.dropped_fields {
        eprintln!("converted {} without a field: {why}", super::count(*n, "row"));
    }
    for f in &c.files {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}
