//! Cross-checking without story keys: stories formed from the claims' texts and dates, and official
//! responses linked to the stories they answer.
//!
//! Raw exports carry a source, a date and a text, not a `story_id`. This stage supplies the keys:
//!
//! 1. [`normalise`] turns each text into content tokens (case, accents, punctuation and possessives
//!    folded; function words dropped; names marked);
//! 2. [`index`] weighs them by TF-IDF (rare names count, common words barely do) and builds an inverted
//!    index over the claims in time order;
//! 3. [`minhash`] finds near-duplicate texts (syndicated copies) by word shingles and MinHash bands;
//! 4. [`cluster`] puts every claim without a key into the story of its best-matching earlier claim within
//!    the window (a copy joins its original's story, and becomes a relay of it), or opens a new story
//!    `auto-NNNNNN`; then links every response without a key to each story whose claims, published before
//!    it and within the window, match it at [`LinkParams::min_match`] or more.
//!
//! Everything here is pure computation over [`ClaimDoc`]s and [`ResponseDoc`]s; `ingest` reads the files,
//! calls [`link`] and feeds the assigned stories back into the ordinary load. Parallel steps collect in a
//! fixed order and every tie is broken by position, so the result does not depend on the thread count.

pub mod cluster;
pub mod eval;
pub mod index;
pub mod minhash;
pub mod normalise;

pub use cluster::{ClaimMatch, Matching, ResponseLink, ResponseOutcome, StoryRef, link};

use crate::error::{Error, Result};

/// The matcher's settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkParams {
    /// A response answers claims published at most this many days before it (and not after it); a claim
    /// joins a story through a claim at most this many days older.
    pub window_days: f64,
    /// The least cosine similarity for a response to be linked to a story.
    pub min_match: f64,
    /// The least cosine similarity for a claim to join the story of an earlier claim.
    pub min_story: f64,
    /// The least estimated shingle Jaccard similarity for a text to count as a copy of an earlier one.
    pub min_copy: f64,
}

impl Default for LinkParams {
    /// Thresholds chosen on the dev part of `datasets/links` (see EVALUATION.md).
    fn default() -> Self {
        LinkParams {
            window_days: 14.0,
            min_match: 0.15,
            min_story: 0.35,
            min_copy: 0.6,
        }
    }
}

impl LinkParams {
    /// Checks the ranges: a positive finite window, similarities in (0, 1].
    ///
    /// # Errors
    /// [`Error::Config`] naming the setting.
    pub fn validate(&self) -> Result<()> {
        if !(self.window_days > 0.0 && self.window_days.is_finite()) {
            return Err(Error::Config(format!(
                "--window must be a positive number of days, not {}",
                self.window_days
            )));
        }
        for (name, v) in [
            ("--min-match", self.min_match),
            ("--min-story", self.min_story),
            ("--min-copy", self.min_copy),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(Error::Config(format!("{name} must be in (0, 1], not {v}")));
            }
        }
        Ok(())
    }

    /// The window in seconds.
    pub fn window_seconds(&self) -> i64 {
        (self.window_days * 86_400.0).round() as i64
    }
}

/// What the matcher keeps of one text: its weighted token hashes and its MinHash signature.
#[derive(Debug, Clone)]
pub struct Features {
    /// `(token hash, 1 + ln tf, times the name boost if written as a name)`, one entry per distinct token.
    pub terms: Vec<(u64, f32)>,
    /// The shingle signature, for near-duplicates.
    pub signature: minhash::Signature,
}

impl Features {
    /// The features of `text`. With `words`, each token's hash is recorded with its text, so that links
    /// can later say which words carried them.
    pub fn of(text: &str, mut words: Option<&mut rustc_hash::FxHashMap<u64, String>>) -> Features {
        let mut seq: Vec<u64> = Vec::new();
        let mut names: Vec<Kind> = Vec::new();
        let mut buf = String::new();
        normalise::tokens(text, &mut buf, |t, name| {
            let h = xxhash_rust::xxh3::xxh3_64(t.as_bytes());
            if let Some(w) = words.as_deref_mut() {
                w.entry(h).or_insert_with(|| t.to_owned());
            }
            seq.push(h);
            names.push(if t.starts_with(|c: char| c.is_ascii_digit()) {
                Kind::Number
            } else if name {
                Kind::Name
            } else {
                Kind::Word
            });
        });
        let signature = minhash::Signature::of(&seq);
        let mut counted: Vec<(u64, u32, Kind)> = seq.iter().zip(&names).map(|(&h, &n)| (h, 1, n)).collect();
        counted.sort_unstable_by_key(|e| e.0);
        counted.dedup_by(|later, first| {
            if later.0 == first.0 {
                first.1 += 1;
                first.2 = first.2.max(later.2);
                true
            } else {
                false
            }
        });
        let terms = counted
            .into_iter()
            .map(|(h, tf, kind)| {
                let w = 1.0 + (tf as f32).ln();
                let factor = match kind {
                    Kind::Number => normalise::NUMBER_WEIGHT,
                    Kind::Word => 1.0,
                    Kind::Name => normalise::NAME_BOOST,
                };
                (h, w * factor)
            })
            .collect();
        Features { terms, signature }
    }

    /// Whether the text had no content token at all.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// What a token is, for its weight: a name counts most, a number least (amounts and dates recur across
/// unrelated events far more than names do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Number,
    Word,
    Name,
}

/// One claim as the matcher sees it.
#[derive(Debug, Clone)]
pub struct ClaimDoc {
    /// `published_at`, seconds since the epoch.
    pub time: i64,
    /// The outlet (any dense id: only equality matters).
    pub source: u32,
    /// The claim's own story key, if it has one (an id into the caller's keyed story names).
    pub story: Option<u32>,
    /// Whether the claim already names the outlet it relays.
    pub attributed: bool,
    /// Its text's features.
    pub features: Features,
}

/// One official response as the matcher sees it.
#[derive(Debug, Clone)]
pub struct ResponseDoc {
    /// `responded_at`, seconds since the epoch.
    pub time: i64,
    /// Whether the response carries its own story key (then it is not matched).
    pub keyed: bool,
    /// Its text's features.
    pub features: Features,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight(f: &Features, word: &str) -> f32 {
        let h = xxhash_rust::xxh3::xxh3_64(word.as_bytes());
        f.terms.iter().find(|t| t.0 == h).map(|t| t.1).unwrap()
    }

    /// Names count most, numbers least, repeated tokens sublinearly.
    #[test]
    fn names_weigh_more_and_numbers_less_than_words() {
        let f = Features::of("Officials say Araghchi signed 411 deals, deals and more deals", None);
        assert_eq!(weight(&f, "araghchi"), normalise::NAME_BOOST);
        assert_eq!(weight(&f, "411"), normalise::NUMBER_WEIGHT);
        assert_eq!(weight(&f, "sign"), 1.0);
        assert!((weight(&f, "deal") - (1.0 + 3f32.ln())).abs() < 1e-6);
    }
}
