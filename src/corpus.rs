//! The domain: claims by outlets, responses by official bodies, resolutions, held as compact rows.
//!
//! Names (outlets, stories, responders) are interned once into [`Names`], so the model works on small
//! integer ids and sorts, groups and joins without touching strings. A [`Corpus`] is what ingest builds and
//! what the model reads; it holds only rows that passed validation.

use std::collections::HashMap;

/// Whether a claim says its story's proposition is so, or is not so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stance {
    /// The claim asserts the proposition.
    Asserts,
    /// The claim denies the proposition.
    Denies,
}

impl Stance {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Asserts => "asserts",
            Stance::Denies => "denies",
        }
    }
}

/// What an official body answered about a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// The story is so.
    Confirmed,
    /// The story is not so.
    Denied,
    /// Part of the story is so: counts as half a confirmation and half a denial.
    Partial,
    /// The body declined to answer: no evidence either way.
    NoComment,
}

impl Verdict {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Denied => "denied",
            Verdict::Partial => "partial",
            Verdict::NoComment => "no_comment",
        }
    }

    /// How much of a confirmation the verdict is (1 confirmed, ½ partial, 0 denied); `None` for no comment.
    pub fn signal(self) -> Option<f64> {
        match self {
            Verdict::Confirmed => Some(1.0),
            Verdict::Partial => Some(0.5),
            Verdict::Denied => Some(0.0),
            Verdict::NoComment => None,
        }
    }
}

/// What was later established about a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The proposition was so.
    True,
    /// The proposition was not so.
    False,
    /// Partly so: counts half true and half false.
    Mixed,
}

impl Outcome {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::True => "true",
            Outcome::False => "false",
            Outcome::Mixed => "mixed",
        }
    }

    /// The share of truth: 1 true, ½ mixed, 0 false.
    pub fn truth(self) -> f64 {
        match self {
            Outcome::True => 1.0,
            Outcome::Mixed => 0.5,
            Outcome::False => 0.0,
        }
    }
}

/// A table of names, each given a dense id in order of first appearance.
#[derive(Debug, Default, Clone)]
pub struct Names {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct names");
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every name, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

/// One outlet's claim about one story.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The claim's unique id, as given.
    pub id: String,
    /// The outlet that published it.
    pub source: u32,
    /// The story (proposition) it is about.
    pub story: u32,
    /// Whether it asserts or denies the story.
    pub stance: Stance,
    /// The outlet it says it relays ("according to …"), if another one.
    pub attributed_to: Option<u32>,
    /// Publication time, seconds since the Unix epoch, UTC.
    pub published_at: i64,
    /// The line of the input file it came from.
    pub line: u64,
}

/// One official body's answer about one story.
#[derive(Debug, Clone)]
pub struct Response {
    /// The response's id, as given.
    pub id: String,
    /// The story answered.
    pub story: u32,
    /// The official body.
    pub responder: u32,
    /// When it answered, seconds since the Unix epoch, UTC.
    pub responded_at: i64,
    /// What it answered.
    pub verdict: Verdict,
    /// The line of the input file it came from.
    pub line: u64,
}

/// What was later established about one story.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The story resolved.
    pub story: u32,
    /// The outcome.
    pub outcome: Outcome,
    /// When it was established, seconds since the Unix epoch, UTC.
    pub resolved_at: i64,
    /// Who established it, if given.
    pub resolver: Option<u32>,
    /// The line of the input file it came from.
    pub line: u64,
}

/// Every validated input row, with its names interned.
#[derive(Debug, Default, Clone)]
pub struct Corpus {
    /// Outlets: those that published claims and those only cited by `attributed_to`.
    pub sources: Names,
    /// Stories, from the claims.
    pub stories: Names,
    /// Official bodies, from the responses.
    pub responders: Names,
    /// Resolvers, from the resolutions.
    pub resolvers: Names,
    /// Claims in input order.
    pub claims: Vec<Claim>,
    /// Responses in input order.
    pub responses: Vec<Response>,
    /// Resolutions in input order, at most one per story.
    pub resolutions: Vec<Resolution>,
}
