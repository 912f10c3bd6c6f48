//! `credence import claimreview`: fact-checks (schema.org ClaimReview) into credence's input files.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use credence::claimreview::{self, RatingTable, Role};
use credence::report::{OutputDir, cell};

/// Convert other formats into credence's inputs.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    Claimreview(ClaimReviewArgs),
}

/// Fact-checks as claims and resolutions (or responses).
///
/// Reads schema.org ClaimReview JSON-LD (a .json file, JSON Lines, or HTML pages with ld+json script
/// blocks) and fact-check search results ({"claims": [... "claimReview": [...]]}). Each review gives a claim
/// (the claimant asserts the claim, in claims.csv) and a verdict on its story: a row of resolutions.csv, or of
/// responses.csv with --as responses. Textual ratings map to outcomes through a table (--ratings; the shipped
/// one is datasets/claimreview/ratings.csv). Reviews that cannot be used go to rejects.csv with the reason.
/// Names and ids are written as they came (they are credence's input: `@factbot` stays the outlet
/// `@factbot`); only text and url cells that begin with =, +, - or @ get a leading ', so that a
/// spreadsheet shows them as text.
#[derive(Args, Debug)]
struct ClaimReviewArgs {
    /// The files to read (.gz and .zst are decompressed).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The folder to write claims.csv, resolutions.csv or responses.csv, and rejects.csv into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Whether fact-checks settle stories (resolutions) or are judged like official bodies (responses).
    #[arg(long = "as", value_enum, default_value_t = RoleArg::Resolutions)]
    role: RoleArg,
    /// A rating table (CSV with columns rating, outcome: true, false, mixed or none) instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    ratings: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RoleArg {
    Resolutions,
    Responses,
}

pub fn run(args: ImportArgs) -> credence::Result<()> {
    let What::Claimreview(args) = args.what;
    let ratings = match &args.ratings {
        Some(p) => RatingTable::from_path(p)?,
        None => RatingTable::default(),
    };
    let role = match args.role {
        RoleArg::Resolutions => Role::Resolutions,
        RoleArg::Responses => Role::Responses,
    };
    let files: Vec<&std::path::Path> = args.files.iter().map(PathBuf::as_path).collect();
    let imported = claimreview::import(&files, &ratings, role)?;
    // Names and ids are the keys `score` matches on: a guard's quote would make `@factbot` another outlet
    // than the `@factbot` of the user's own files (audit, session 23). Free text alone is guarded.
    let table = |header: &[&str], rows: &mut dyn Iterator<Item = Vec<String>>| -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header).expect("writing to memory cannot fail");
        let guarded: Vec<bool> = header.iter().map(|h| matches!(*h, "text" | "url")).collect();
        for r in rows {
            let r: Vec<String> = r
                .iter()
                .zip(guarded.iter().chain(std::iter::repeat(&false)))
                .map(|(c, &g)| if g { cell(c).into_owned() } else { c.clone() })
                .collect();
            w.write_record(&r).expect("writing to memory cannot fail");
        }
        w.into_inner().expect("writing to memory cannot fail")
    };
    let mut out = OutputDir::create(&args.out)?;
    out.stage(
        "claims.csv",
        &table(
            &["claim_id", "source", "published_at", "story_id", "stance", "text"],
            &mut imported.claims.iter().map(|r| r.to_vec()),
        ),
    )?;
    let (name, header): (&str, &[&str]) = match role {
        Role::Resolutions => (
            "resolutions.csv",
            &["story_id", "outcome", "resolved_at", "resolver", "url"],
        ),
        Role::Responses => (
            "responses.csv",
            &[
                "response_id",
                "story_id",
                "responder",
                "responded_at",
                "verdict",
                "text",
            ],
        ),
    };
    out.stage(name, &table(header, &mut imported.verdicts.iter().cloned()))?;
    out.stage("rejects.csv", &credence::report::rejects_csv(&imported.rejects))?;
    let written = out.commit()?;
    if !args.quiet {
        eprintln!(
            "{}: {} imported, {} rejected; {}",
            super::count(imported.reviews, "review"),
            imported.verdicts.len(),
            imported.rejects.len(),
            super::count(imported.claims.len() as u64, "claim")
        );
        for w in written {
            eprintln!("wrote {}", w.display());
        }
    }
    Ok(())
}
