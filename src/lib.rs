//! credence scores news sources by how their claims hold up against official responses and later
//! resolutions, with honest uncertainty.
//!
//! The pipeline, one module per stage:
//!
//! * [`ingest`] reads the claims, responses and resolutions CSV files into a validated [`corpus::Corpus`],
//!   keeping every refused row as a reject with its file, line and reason;
//! * [`link`] forms stories from the claims' texts and links responses to them when the input carries no
//!   `story_id` (called by [`ingest`] only then);
//! * [`model`] cross-checks claims against their stories' evidence, learns each official responder's
//!   record, fits a population prior by empirical Bayes and computes every source's posterior reliability;
//! * [`report`] writes the results: `sources.csv`, `claims.csv`, `responders.csv`, `rejects.csv` and
//!   `summary.json`, atomically.
//!
//! [`score_files`] runs all three.
//!
//! ```
//! use credence::{ingest::{Inputs, LoadOptions}, model::Params};
//! # let dir = tempfile::tempdir().unwrap();
//! # let p = |n: &str| dir.path().join(n);
//! std::fs::write(p("claims.csv"), "claim_id,source,published_at,story_id,stance\n\
//!     1,Wire,2025-06-23,letter,asserts\n2,Post,2025-06-23,letter,denies\n").unwrap();
//! std::fs::write(p("responses.csv"), "response_id,story_id,responder,responded_at,verdict\n\
//!     r1,letter,Kremlin,2025-06-24,denied\n").unwrap();
//! let inputs = Inputs { claims: p("claims.csv"), responses: Some(p("responses.csv")), resolutions: None };
//! let run = credence::score_files(&inputs, LoadOptions::default(), &Params::default()).unwrap();
//! assert_eq!(run.loaded.claims.read, 2);
//! // A denial moves the asserting outlet below the denying one.
//! // Outlets, stories and values are numbered in byte order of their names, whatever the rows' order.
//! let id = |name| run.loaded.corpus.sources.get(name).unwrap() as usize;
//! assert_eq!((id("Post"), id("Wire")), (0, 1));
//! let (wire, post) = (&run.scores.sources[id("Wire")], &run.scores.sources[id("Post")]);
//! assert!(wire.reliability < post.reliability);
//! assert!(wire.ci_low < wire.reliability && wire.reliability < wire.ci_high);
//! ```

#![deny(missing_docs)]

pub mod claimreview;
pub mod convert;
pub mod corpus;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod history;
pub mod ingest;
pub mod link;
pub mod model;
pub mod numfmt;
pub mod progress;
pub mod report;
pub mod shard;
pub mod value;

pub use error::{Error, Result};

/// A loaded corpus with its scores.
#[derive(Debug)]
pub struct Run {
    /// What was read, with rejects and tallies.
    pub loaded: ingest::Loaded,
    /// What was computed.
    pub scores: model::Scores,
}

/// Loads the input files and scores them.
///
/// # Errors
/// Any error of [`ingest::load`] or [`model::score`].
pub fn score_files(inputs: &ingest::Inputs, load: ingest::LoadOptions, params: &model::Params) -> Result<Run> {
    score_files_with_groups(inputs, load, params, None)
}

/// [`score_files`] with the outlets' groups read from a sources-meta file (`--sources-meta`; `strict`
/// refuses its bad rows instead of setting them aside), so that each group gets its own prior.
///
/// # Errors
/// Any error of [`score_files`] or [`ingest::read_sources_meta`].
pub fn score_files_with_groups(
    inputs: &ingest::Inputs,
    load: ingest::LoadOptions,
    params: &model::Params,
    sources_meta: Option<(&std::path::Path, bool)>,
) -> Result<Run> {
    params.validate()?;
    let mut loaded = ingest::load(inputs, load)?;
    if let Some((meta, strict)) = sources_meta {
        ingest::read_sources_meta(meta, &mut loaded, strict)?;
    }
    // Stories are only named from here on (the outputs), never looked up by name: their table goes.
    loaded.corpus.stories.release_lookup();
    let scores = {
        let _stage = progress::Stage::start("model");
        model::score_stowing(&mut loaded.corpus, params)?
    };
    Ok(Run { loaded, scores })
}
