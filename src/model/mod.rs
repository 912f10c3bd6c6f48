//! Pure computation, no I/O: from a validated [`Corpus`] to per-source, per-claim and per-responder scores.
//!
//! The stages, in order:
//! 1. [`crosscheck`]: each story's standing official answers and resolution; who is credited for each claim.
//! 2. [`responders`]: each responder's confirm-when-true and deny-when-false rates, from resolved stories.
//! 3. Evidence units: one per (credited outlet, story, stance), so ten relays of one report count once, for
//!    the originator; a relaying outlet may carry a share of it (`relay_weight`, default 0).
//! 4. Each unit's chance of being correct from its story's evidence alone: settled by a resolution, else
//!    Bayes' rule over the responders' answers from even prior odds, else nothing.
//! 5. [`prior`]: the population Beta prior, by empirical Bayes over all sources' [`posterior::Record`]s.
//! 6. Each source's posterior, in parallel; ranks by the interval's lower bound.
//! 7. Each claim's probability of being correct, given its story's evidence and its originator's record.

pub mod categorical;
pub mod copying;
pub mod crosscheck;
pub mod em;
pub mod numeric;
pub mod posterior;
pub mod prior;
pub mod ratings;
pub mod responders;
pub mod tolerance;
pub mod topics;

use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::{Corpus, Mention, Outcome};
use crate::error::{Error, Result};
use crosscheck::{Answer, Role};
use posterior::Record;
use prior::Prior;
use responders::{Responder, ResponderPrior, Tallies};

/// Everything the model can be told.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    /// Credibility level of the intervals, in (0, 1).
    pub level: f64,
    /// The share of a relayed claim's evidence that counts on the relaying outlet's own record, in [0, 1].
    pub relay_weight: f64,
    /// Take official responses as plain truth (the naive baseline): a confirmation is a hit, a denial a
    /// miss, a partial half of each.
    pub trust_responses: bool,
    /// The prior of responders' rates.
    pub responder_prior: ResponderPrior,
    /// How stories' truth is judged.
    pub method: Method,
    /// Ablation only: count a claim that responses make correct with probability `c` as `c` of a hit and
    /// `1 − c` of a miss, instead of marginalising its latent correctness. Biases scores towards ½; kept
    /// so tests and evaluations can show by how much.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fractional_uncertain: bool,
    /// The time the data were cut at (`--as-of`), if any: recorded in the summary, and the reference of
    /// the time weighting.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "crate::numfmt::opt_time")]
    pub as_of: Option<i64>,
    /// Time weighting of evidence (`--half-life`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_life: Option<HalfLife>,
    /// Detect silent copying between outlets ([`copying`]) and count a detected copier's following
    /// reports as relays of its source. Needs the claims' publication times.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub detect_copies: bool,
    /// Per-topic reliabilities ([`topics`]), from the claims' topics (load them with topics kept).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub topics: bool,
    /// Number values read off a bounded scale (`--value-bounds`): em takes a report at an end as censored
    /// ([`numeric::Side`]). Only em over `--value-kind number` uses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_bounds: Option<numeric::Bounds>,
}

/// Older evidence weighs less: a report made `d` days before the reference time counts `0.5^(d / days)` of
/// a fresh one in its outlet's record. A report's time is its earliest claim's `published_at` (for a credited
/// originator, when it, or whoever relayed it first, published). Only outlets' records decay: a story's
/// truth, and the responders' records, do not depend on how long ago it was reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HalfLife {
    /// The half-life, in days.
    pub days: f64,
    /// The time ages are measured from: `as_of` when given, else the latest time in the data (any claim,
    /// response or resolution); filled in by [`score`].
    #[serde(serialize_with = "crate::numfmt::opt_time")]
    pub reference: Option<i64>,
}

/// The evidence weight of a full report, in the fixed-point units that records are summed in: sums of
/// integers are exact in any order, so time-weighted records are the same for any thread count.
pub(crate) const FULL_WEIGHT: u32 = 1 << 24;

/// How close two posterior probabilities must be to tie. Values that tie in exact arithmetic (two
/// outlets with the same record, each alone behind its own value) come out of sums taken in different
/// orders a few ulps apart, and which one won used to follow from how a build rounded: a change of
/// quadrature flipped Population's ties at P = 0.500 twice. No real difference of evidence is this
/// small, so within it the decision is made by [`tie_break`], from the values themselves.
pub(crate) const TIE: f64 = 1e-9;

/// The class of `post` (NaN entries skipped) that decides a story: the most probable, and among classes
/// within [`TIE`] of it, the one `before` puts first. `None` when every entry is NaN. Returns the class
/// and its probability.
pub(crate) fn decide(post: &[f64], before: impl Fn(usize, usize) -> std::cmp::Ordering) -> Option<(usize, f64)> {
    let top = post
        .iter()
        .copied()
        .filter(|p| !p.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return None;
    }
    let tied = (0..post.len()).filter(|&k| post[k] >= top - TIE);
    tied.min_by(|&a, &b| before(a, b)).map(|k| (k, post[k]))
}

/// The order among tied values of a story ([`decide`]): numbers by nearness to the story's `estimate`
/// where the method gives one (the model's own best guess of the number), then the smaller first; other
/// values by their names in byte order. These are properties of the values, not of where they were first
/// read, so inputs in any row order decide alike.
pub(crate) fn tie_break(a: &str, b: &str, estimate: f64) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => {
            let near = |v: f64| {
                if estimate.is_finite() {
                    (v - estimate).abs()
                } else {
                    0.0
                }
            };
            near(x).total_cmp(&near(y)).then(x.total_cmp(&y)).then(a.cmp(b))
        }
        _ => a.cmp(b),
    }
}

impl HalfLife {
    /// The fixed-point weight of a report made at `time`, seconds since the epoch (a report after the
    /// reference counts in full).
    fn weight(&self, time: i64) -> u32 {
        let reference = self.reference.expect("score fills in the reference");
        let age_days = (reference - time).max(0) as f64 / 86_400.0;
        (f64::from(FULL_WEIGHT) * 0.5f64.powf(age_days / self.days)).round() as u32
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            level: 0.95,
            relay_weight: 0.0,
            trust_responses: false,
            responder_prior: ResponderPrior::default(),
            fractional_uncertain: false,
            method: Method::Em,
            as_of: None,
            half_life: None,
            detect_copies: false,
            topics: false,
            value_bounds: None,
        }
    }
}

/// How stories' truth is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// From official responses and resolutions only (each weighed by its responder's record).
    Responses,
    /// Truth discovery: also from agreement between outlets, learned together with their reliabilities
    /// ([`em`]). The default: on generated corpora it recovers sources' accuracies better than
    /// `Responses` does (EVALUATION.md), and on LIAR, where no story has a second outlet, it scores the
    /// same.
    #[default]
    Em,
    /// The majority-vote baseline: a story is what most of its credited outlets say (a tie decides nothing),
    /// an outlet's record counts its agreements with the majority, its own vote included; official responses
    /// are not used, resolutions still settle.
    Vote,
    /// Dawid & Skene (1979): a full confusion matrix per outlet over a shared label set ([`categorical`]).
    DawidSkene,
    /// TruthFinder (Yin, Han & Yu, 2007): iterative trust and fact confidence ([`categorical`]).
    #[serde(rename = "truthfinder")]
    TruthFinder,
}

impl Method {
    /// The name `--method` takes.
    pub fn name(self) -> &'static str {
        match self {
            Method::Responses => "responses",
            Method::Em => "em",
            Method::Vote => "vote",
            Method::DawidSkene => "dawid-skene",
            Method::TruthFinder => "truthfinder",
        }
    }
}

impl Params {
    /// Whether the claims' publication times are needed: for a half-life's ages, for copy detection's
    /// order, and for em's copy model.
    pub fn needs_times(&self) -> bool {
        self.half_life.is_some() || self.detect_copies || self.method == Method::Em
    }

    /// Checks every value is in its range.
    ///
    /// # Errors
    /// [`Error::Config`] naming the option and its range.
    pub fn validate(&self) -> Result<()> {
        let check = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(Error::Config(what.to_owned()))
            }
        };
        check(
            self.level > 0.0 && self.level < 1.0,
            "--level must be strictly between 0 and 1",
        )?;
        check(
            (0.0..=1.0).contains(&self.relay_weight),
            "--relay-weight must be between 0 and 1",
        )?;
        let p = self.responder_prior;
        check(
            p.mean > 0.0 && p.mean < 1.0,
            "--responder-prior-mean must be strictly between 0 and 1",
        )?;
        check(
            p.strength > 0.0 && p.strength.is_finite(),
            "--responder-prior-strength must be positive",
        )?;
        if let Some(h) = self.half_life {
            check(
                h.days > 0.0 && h.days.is_finite(),
                "--half-life must be a positive number of days",
            )?;
        }
        check(
            self.method == Method::Responses || !(self.trust_responses || self.fractional_uncertain),
            "taking responses as truth (--trust-responses) and fractional counting are options of the responses \
             method only",
        )?;
        Ok(())
    }
}

/// One source's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceScore {
    /// The outlet's id in the corpus.
    #[serde(skip)]
    pub id: u32,
    /// Claims it published.
    pub claims: u64,
    /// Of those, its own reports.
    pub originals: u64,
    /// Of those, relays of other outlets.
    pub relays: u64,
    /// Distinct (story, stance) reports credited to it, its own and those others relayed from it.
    pub credited: u64,
    /// Claims it published on stories that some official body answered.
    pub answered: u64,
    /// Claims it published on stories later resolved.
    pub resolved: u64,
    /// Soft evidence for: the expected number of its judged reports that were correct, from each story's
    /// evidence alone.
    pub support: f64,
    /// Soft evidence against.
    pub against: f64,
    /// Judged reports: `support + against`.
    pub evidence: f64,
    /// Posterior mean reliability.
    pub reliability: f64,
    /// Lower end of the credible interval.
    pub ci_low: f64,
    /// Upper end of the credible interval.
    pub ci_high: f64,
    /// The Beta(a, b) shapes of the reliability posterior ([`posterior::Summary::shape`]: exact for known
    /// outcomes, moment-matched otherwise); with Dawid–Skene and TruthFinder those of the soft counts, like
    /// the interval. Not written to the output files; `credence eval` reads it for predictive intervals.
    #[serde(skip)]
    pub posterior_shape: (f64, f64),
    /// 1 for the best: ordered by `ci_low`, then `reliability`, both descending, then name.
    pub rank: u32,
}

/// How a claim fared in the cross-check, relative to what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimVerdict {
    /// Its story was resolved the way the claim says.
    Upheld,
    /// Its story was resolved the other way.
    Refuted,
    /// Its story was resolved as mixed.
    Mixed,
    /// Not resolved; the official answers agree with the claim.
    Confirmed,
    /// Not resolved; the official answers contradict the claim.
    Denied,
    /// Not resolved; the official answers are partial.
    Partial,
    /// Not resolved; official answers disagree with each other.
    Conflicting,
    /// Not resolved; every answer was no comment.
    NoComment,
    /// Neither resolved nor answered.
    Unanswered,
}

impl ClaimVerdict {
    /// The label used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimVerdict::Upheld => "upheld",
            ClaimVerdict::Refuted => "refuted",
            ClaimVerdict::Mixed => "mixed",
            ClaimVerdict::Confirmed => "confirmed",
            ClaimVerdict::Denied => "denied",
            ClaimVerdict::Partial => "partial",
            ClaimVerdict::Conflicting => "conflicting",
            ClaimVerdict::NoComment => "no_comment",
            ClaimVerdict::Unanswered => "unanswered",
        }
    }
}

/// One claim's scores, in the corpus's claim order.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimScore {
    /// The outlet credited with it.
    pub credited_to: u32,
    /// Original or relay.
    pub role: Role,
    /// The cross-check's finding.
    pub verdict: ClaimVerdict,
    /// The probability that the claim is correct.
    pub p_correct: f64,
}

/// The model's whole output.
#[derive(Debug, Clone)]
pub struct Scores {
    /// The parameters used.
    pub params: Params,
    /// The fitted prior of source reliability.
    pub prior: Prior,
    /// One per source, in the corpus's source order.
    pub sources: Vec<SourceScore>,
    /// One per responder, in the corpus's responder order.
    pub responders: Vec<Responder>,
    /// Stories with a resolution.
    pub stories_resolved: u64,
    /// Stories with at least one informative official answer.
    pub stories_answered: u64,
    /// With `--method em`: iterations run, whether they converged, and the last iteration's largest change.
    pub em: Option<(usize, bool, f64)>,
    /// With `--method em` on timed claims: the fitted share of silent copies among reports that have an
    /// earlier report on their story.
    pub copy_rate: Option<f64>,
    /// With `copy_rate`: the fitted rates by position in a story's run, in [`em::CopyRates`]' order (1 to 5,
    /// then 6 or more earlier reports with a later one, then the same for a story's last report); empty
    /// without.
    pub copy_rates: Vec<f64>,
    /// With copy detection: every tested pair of outlets, by copier then source.
    pub copiers: Vec<copying::CopyPair>,
    /// With groups of outlets: each group's own prior, `None` where it falls back on the overall one.
    pub group_priors: Vec<Option<Prior>>,
    /// With `topics`: every (outlet, topic) cell and the pooling strength.
    pub topics: Option<topics::TopicFit>,
    /// em over numbers: the number model as fitted (for `summary.json`).
    pub numbers: Option<numeric::NumberModel>,
    /// The outlet credited with each mention, in mention order; empty when no mention relays another
    /// outlet, so that each is credited to its own ([`Scores::credited`]).
    credited: Vec<u32>,
    /// The mentions grouped by story: built when first read ([`Scores::groups`]) where the model did not
    /// keep its own, so that it is not held while `claims.csv` is written (20 MiB at 3.6M votes).
    groups: std::sync::OnceLock<crosscheck::ByStory>,
    /// For [`Scores::claim_for`]: the mentions of each story wider than [`SCAN_WIDTH`], sorted by what a
    /// claim met again is found by; built when first read.
    wide: std::sync::OnceLock<rustc_hash::FxHashMap<u32, Vec<u32>>>,
    /// Per story: its resolution and the summary of its answers.
    stories: Vec<(Option<Outcome>, Answer)>,
    /// Per story: its probability of being true from its own evidence, NaN where it has none.
    p_true: Vec<f64>,
    /// Per source: its record's uncertain probabilities and the matching posterior probes.
    probes: Vec<(Vec<f64>, Vec<f64>)>,
    /// With multi-valued stories, Dawid–Skene or TruthFinder: each story's classes and their posteriors.
    td: Option<Td>,
}

/// The widest story on which [`Scores::claim_for`] scans its claims; a wider one is searched.
const SCAN_WIDTH: usize = 64;

/// What a claim met again after the model ran is found by on its story: its outlet, the outlet it relays,
/// its stance and value, and its time (0 where the corpus keeps none).
type ClaimKey = ((u32, u32, u8, u32), i64);

fn claim_key(corpus: &Corpus, i: usize, timed: bool) -> ClaimKey {
    let m = corpus.mentions.get(i);
    (
        (
            m.source,
            m.attributed_to,
            u8::from(m.stance == crate::corpus::Stance::Denies),
            corpus.mention_values.get(i).copied().unwrap_or(u32::MAX),
        ),
        if timed { corpus.published.get(i) } else { 0 },
    )
}

/// The class posteriors of a categorical method.
#[derive(Debug, Clone)]
struct Td {
    classes: categorical::Classes,
    post_start: Vec<u32>,
    posterior: Vec<f64>,
    /// Number stories: each story's estimate, where the method gives one.
    estimate: Option<Vec<f64>>,
    /// em over lists: the fitted share of omissions among wrong reports.
    omission_share: Option<f64>,
    /// em over free values other than numbers: the fitted chance that a wrong report names one given value.
    coincidence: Option<f64>,
}

/// One row of `stories.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    /// The story.
    pub story: u32,
    /// Its most probable value (`true` or `false` for a plain story); empty when nothing decides it, or
    /// when "none of the values claimed" is the most probable.
    pub value: String,
    /// That value's probability (TruthFinder: its confidence); NaN when nothing decides it.
    pub probability: f64,
    /// Outlets that published a claim with that value.
    pub sources: u64,
    /// Outlets credited with those claims (relays counted once, for the outlet they cite).
    pub independent_sources: u64,
    /// Number stories (`--value-kind number`): the method's estimate of the number (em: the model's
    /// estimate, [`numeric::estimate`]; vote: the median of the votes); NaN otherwise.
    pub estimate: f64,
}

impl Scores {
    /// The scores of the corpus's `m`-th mention (its `m`-th accepted claim).
    pub fn claim(&self, corpus: &Corpus, m: usize) -> ClaimScore {
        let value = corpus.mention_values.get(m).copied().unwrap_or(u32::MAX);
        self.score_mention(corpus.mentions.get(m), self.credited(corpus, m), value)
    }

    /// The scores of a claim met again after the model ran (as when a merge writes `claims.csv`), with its
    /// value (`u32::MAX`: none) and publication time (`time`, asked for only where needed); `None` when the
    /// corpus holds no such claim.
    ///
    /// Its credit is worked out from its story's attribution links. Under `--detect-copies` it is instead
    /// that of the story's claim with the same outlet, attribution, stance, value and time (detection
    /// marks claims by exactly those). Either is found by a scan of the story's claims, or on a story of
    /// more than 64 claims by a binary search of its claims sorted by those fields (session 24: a merge
    /// wrote the claims.csv of one story of 20,000 claims, half of them relays, in 4.6 s against the single
    /// run's 0.7, and the time grew with the square of the story's width).
    pub fn claim_for(
        &self,
        corpus: &Corpus,
        mention: Mention,
        value: u32,
        time: impl FnOnce() -> Option<i64>,
    ) -> Option<ClaimScore> {
        let group = self.groups(corpus).story(mention.story as usize);
        let timed = corpus.published.len() == corpus.mentions.len();
        if group.len() > SCAN_WIDTH {
            let sorted = self.wide(corpus).get(&{ mention.story })?;
            let key = |i: u32| claim_key(corpus, i as usize, timed);
            let want = (
                mention.source,
                mention.attributed_to,
                u8::from(mention.stance == crate::corpus::Stance::Denies),
                value,
            );
            if self.params.detect_copies {
                // A time that does not parse finds no claim (the shard read it, so the file changed).
                let want = (want, if timed { time()? } else { 0 });
                let k = sorted.partition_point(|&i| key(i) < want);
                let m = *sorted.get(k).filter(|&&i| key(i) == want)?;
                return Some(self.claim(corpus, m as usize));
            }
            if mention.relays().is_none() {
                return Some(self.score_mention(mention, mention.source, value));
            }
            // Every claim of the story by this outlet relaying that one is credited alike.
            let prefix = |i: u32| {
                let ((source, attributed, _, _), _) = key(i);
                (source, attributed)
            };
            let k = sorted.partition_point(|&i| prefix(i) < (mention.source, mention.attributed_to));
            let m = *sorted
                .get(k)
                .filter(|&&i| prefix(i) == (mention.source, mention.attributed_to))?;
            return Some(self.score_mention(mention, self.credited(corpus, m as usize), value));
        }
        if self.params.detect_copies {
            let time = if timed { time() } else { None };
            let m = group.iter().map(|&i| i as usize).find(|&i| {
                corpus.mentions.get(i) == mention
                    && corpus.mention_values.get(i).copied().unwrap_or(u32::MAX) == value
                    && (!timed || Some(corpus.published.get(i)) == time)
            })?;
            return Some(self.claim(corpus, m));
        }
        let to = crosscheck::credit_one(corpus, group, mention);
        Some(self.score_mention(mention, to, value))
    }

    /// The mentions of every story wider than [`SCAN_WIDTH`], sorted by [`claim_key`].
    fn wide(&self, corpus: &Corpus) -> &rustc_hash::FxHashMap<u32, Vec<u32>> {
        self.wide.get_or_init(|| {
            let groups = self.groups(corpus);
            let timed = corpus.published.len() == corpus.mentions.len();
            (0..corpus.stories.len())
                .filter(|&s| groups.story(s).len() > SCAN_WIDTH)
                .map(|s| {
                    let mut sorted = groups.story(s).to_vec();
                    sorted.sort_by_key(|&i| (claim_key(corpus, i as usize, timed), i));
                    (s as u32, sorted)
                })
                .collect()
        })
    }

    /// The class posterior of a claim of `mention`'s stance and value `value`, under a categorical method;
    /// NaN where the method decides nothing.
    fn td_posterior(&self, td: &Td, mention: Mention, value: u32) -> f64 {
        let s = mention.story as usize;
        match td.classes.class(s, mention.stance, value) {
            Some(k) => td.posterior[td.post_start[s] as usize + k as usize],
            None => f64::NAN,
        }
    }

    fn score_mention(&self, mention: Mention, to: u32, value: u32) -> ClaimScore {
        let role = if to == mention.source {
            Role::Original
        } else {
            Role::Relay
        };
        if let Some(td) = &self.td {
            let (resolution, answer) = if value == u32::MAX {
                self.stories[mention.story as usize]
            } else {
                (None, Answer::Unanswered)
            };
            let p = self.td_posterior(td, mention, value);
            return ClaimScore {
                credited_to: to,
                role,
                verdict: claim_verdict(resolution, answer, mention.stance),
                p_correct: if p.is_nan() {
                    self.sources[to as usize].reliability
                } else {
                    p
                },
            };
        }
        let (resolution, answer) = self.stories[mention.story as usize];
        let p_true = self.p_true[mention.story as usize];
        let p_true = (!p_true.is_nan()).then_some(p_true);
        let verdict = claim_verdict(resolution, answer, mention.stance);
        let mean = self.sources[to as usize].reliability;
        let naive = resolution.is_some()
            || self.params.trust_responses
            || self.params.fractional_uncertain
            || self.params.method != Method::Responses;
        let p_correct = match p_true {
            None => mean,
            Some(p) => {
                let c = crosscheck::correct_given(mention.stance, p);
                if naive || c <= 0.0 || c >= 1.0 {
                    c
                } else if c == 0.5 {
                    mean
                } else {
                    let (cs, probes) = &self.probes[to as usize];
                    match cs.binary_search_by(|x| x.total_cmp(&c)) {
                        Ok(k) => probes[k],
                        // Unreachable: every uncertain claim adds its probability to its originator's record.
                        Err(_) => c,
                    }
                }
            }
        };
        ClaimScore {
            credited_to: to,
            role,
            verdict,
            p_correct,
        }
    }

    /// How this fit judges the original reports `reports` (mention indices) of story `s`, for copy
    /// detection: a plain story's stance is wrong with the story's probability of the other stance, and a
    /// wrong outlet has one false stance to name; a value is wrong with one minus its class posterior, and
    /// a wrong outlet names it with the chance em's error model gives ([`categorical::wrong_spread`]).
    fn judgements(&self, corpus: &Corpus, s: usize, reports: &[u32]) -> Vec<copying::Judgement> {
        let Some(td) = &self.td else {
            let p = self.p_true[s];
            return reports
                .iter()
                .map(|&i| copying::Judgement {
                    wrong: if p.is_nan() {
                        f64::NAN
                    } else {
                        1.0 - crosscheck::correct_given(corpus.mentions.get(i as usize).stance, p)
                    },
                    spread: 1.0,
                })
                .collect();
        };
        let post = &td.posterior[td.post_start[s] as usize..td.post_start[s + 1] as usize];
        let m = post.len();
        let free = matches!(td.classes, categorical::Classes::PerStory { .. });
        let hypotheses = if free && corpus.value_kind != crate::value::ValueKind::Number {
            m + 1
        } else {
            m
        };
        let omitted: Option<Vec<bool>> = td.omission_share.filter(|_| free).map(|_| {
            let name = |k: usize| corpus.values.name(td.classes.of(s)[k]);
            (0..m * m)
                .map(|i| i / m != i % m && categorical::omits(name(i / m), name(i % m)))
                .collect()
        });
        reports
            .iter()
            .map(|&i| {
                let m_i = corpus.mentions.get(i as usize);
                let value = corpus.mention_values.get(i as usize).copied().unwrap_or(u32::MAX);
                let Some(k) = td.classes.class(s, m_i.stance, value) else {
                    return copying::Judgement {
                        wrong: f64::NAN,
                        spread: 1.0,
                    };
                };
                let p = post[k as usize];
                let omissions = omitted.as_deref().zip(td.omission_share);
                // Methods other than em spread wrong reports as the one-coin model does.
                let rho = td.coincidence.unwrap_or(categorical::COINCIDENCE_START);
                copying::Judgement {
                    wrong: if p.is_nan() { f64::NAN } else { 1.0 - p },
                    spread: if post.iter().any(|x| x.is_nan()) {
                        categorical::wrong_share(hypotheses, rho)
                    } else {
                        categorical::wrong_spread(post, k as usize, hypotheses, rho, omissions)
                    },
                }
            })
            .collect()
    }

    /// The outlet credited with mention `m`.
    fn credited(&self, corpus: &Corpus, m: usize) -> u32 {
        credited_to(&self.credited, corpus.mentions.get(m), m as u32)
    }

    /// Every story's most probable value, its probability and the outlets behind it, in story order.
    pub fn story_rows(&self, corpus: &Corpus) -> Vec<StoryRow> {
        (0..self.stories())
            .into_par_iter()
            .map(|s| self.story_row(corpus, s))
            .collect()
    }

    /// em over free values: its fitted error model, the chance ρ that a wrong report names one given value
    /// (other than numbers) and the share π of omissions among wrong reports (lists); `None` otherwise.
    pub fn wrong_values(&self) -> (Option<f64>, Option<f64>) {
        self.td
            .as_ref()
            .map_or((None, None), |td| (td.coincidence, td.omission_share))
    }

    /// The number of stories.
    pub fn stories(&self) -> usize {
        self.stories.len()
    }

    /// The corpus's mentions grouped by story.
    fn groups(&self, corpus: &Corpus) -> &crosscheck::ByStory {
        self.groups.get_or_init(|| crosscheck::ByStory::new(corpus))
    }

    /// Whether `stories.csv` has an `estimate` column: number-valued stories, under any method (empty
    /// where the method gives no estimate).
    pub fn has_estimates(&self, corpus: &Corpus) -> bool {
        corpus.valued() && corpus.value_kind == crate::value::ValueKind::Number
    }

    /// Story `s`'s most probable value, its probability and the outlets behind it.
    pub fn story_row(&self, corpus: &Corpus, s: usize) -> StoryRow {
        self.story_row_of(corpus, s, self.groups(corpus).story(s))
    }

    /// Hands every story's row to `each` (as a function of the story) a run of stories at a time, in
    /// story order: with the grouping of mentions by story the model kept, or else a part at a time
    /// ([`crosscheck::ByStory::each_part`]), so that the whole grouping is never held for the rows alone.
    pub fn each_story_part(
        &self,
        corpus: &Corpus,
        mut each: impl FnMut(std::ops::Range<usize>, &(dyn Fn(usize) -> StoryRow + Sync)),
    ) {
        match self.groups.get() {
            Some(groups) => {
                let part = groups.whole();
                each(0..self.stories(), &|s| self.story_row_of(corpus, s, part.story(s)));
            }
            None => crosscheck::ByStory::each_part(corpus, |stories, part| {
                each(stories, &|s| self.story_row_of(corpus, s, part.story(s)));
            }),
        }
    }

    /// [`Scores::story_row`] with the story's mentions `members`.
    fn story_row_of(&self, corpus: &Corpus, s: usize, members: &[u32]) -> StoryRow {
        let value_of = |i: u32| corpus.mention_values.get(i as usize).copied().unwrap_or(u32::MAX);
        // The winning class, as a test on a mention, its label and its probability.
        let (label, probability, wins): (String, f64, Box<dyn Fn(u32) -> bool>) = match &self.td {
            None => {
                let p = self.p_true[s];
                if p.is_nan() {
                    (String::new(), f64::NAN, Box::new(|_| false))
                } else {
                    let truth = p >= 0.5 - TIE;
                    let stance = if truth {
                        crate::corpus::Stance::Asserts
                    } else {
                        crate::corpus::Stance::Denies
                    };
                    let label = if truth { "true" } else { "false" };
                    (
                        label.to_owned(),
                        p.max(1.0 - p),
                        Box::new(move |i: u32| corpus.mentions.get(i as usize).stance == stance),
                    )
                }
            }
            Some(td) => {
                let post = &td.posterior[td.post_start[s] as usize..td.post_start[s + 1] as usize];
                let estimate = td.estimate.as_ref().map_or(f64::NAN, |e| e[s]);
                // Two-class stories tie toward `true`, as a plain story at P = ½ does.
                let best = decide(post, |a, b| match &td.classes {
                    categorical::Classes::Binary => a.cmp(&b),
                    c => tie_break(corpus.values.name(c.of(s)[a]), corpus.values.name(c.of(s)[b]), estimate),
                });
                // Free values under em leave the rest of the mass to "none of them".
                let none = 1.0 - post.iter().filter(|p| !p.is_nan()).sum::<f64>();
                match best {
                    None => (String::new(), f64::NAN, Box::new(|_| false)),
                    Some((_, p)) if self.params.method == Method::Em && none > p + TIE => {
                        (String::new(), none, Box::new(|_| false))
                    }
                    Some((k, p)) => {
                        let k = k as u32;
                        let label = match &td.classes {
                            categorical::Classes::Binary => (if k == 0 { "true" } else { "false" }).to_owned(),
                            c => corpus.values.name(c.of(s)[k as usize]).to_owned(),
                        };
                        let classes = &td.classes;
                        (
                            label,
                            p,
                            Box::new(move |i: u32| {
                                classes.class(s, corpus.mentions.get(i as usize).stance, value_of(i)) == Some(k)
                            }),
                        )
                    }
                }
            }
        };
        let mut outlets: Vec<u32> = Vec::new();
        let mut credited: Vec<u32> = Vec::new();
        for &i in members {
            if wins(i) {
                outlets.push(corpus.mentions.get(i as usize).source);
                credited.push(self.credited(corpus, i as usize));
            }
        }
        outlets.sort_unstable();
        outlets.dedup();
        credited.sort_unstable();
        credited.dedup();
        StoryRow {
            story: s as u32,
            value: label,
            probability,
            sources: outlets.len() as u64,
            independent_sources: credited.len() as u64,
            estimate: self
                .td
                .as_ref()
                .and_then(|td| td.estimate.as_ref())
                .map_or(f64::NAN, |e| e[s]),
        }
    }
}

/// Evidence counts of one source, keyed by a claim's probability of being correct: exact integer counts,
/// so the record is the same whatever order the claims are met in, in one run or across shards.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// `(c as bits, known)` → (full-weight units, relay-weight units), each report counting its weight
    /// in units of [`FULL_WEIGHT`].
    pub(crate) groups: rustc_hash::FxHashMap<(u64, bool), (u64, u64)>,
}

impl Tally {
    fn add(&mut self, c: f64, known: bool, relay: bool, weight: u32) {
        self.add_units(c, known, relay, u64::from(weight));
    }

    /// Adds `units` of evidence (a report of full weight is [`FULL_WEIGHT`] units).
    fn add_units(&mut self, c: f64, known: bool, relay: bool, units: u64) {
        let e = self.groups.entry((c.to_bits(), known)).or_default();
        if relay {
            e.1 += units;
        } else {
            e.0 += units;
        }
    }

    /// Adds another tally's counts (exact: the counts are integers).
    fn merge(&mut self, other: Tally) {
        if self.groups.is_empty() {
            self.groups = other.groups;
            return;
        }
        for (key, (full, relay)) in other.groups {
            let e = self.groups.entry(key).or_default();
            e.0 += full;
            e.1 += relay;
        }
    }

    /// The record and the soft evidence for and against, summed in a fixed order.
    fn finish(&self, relay_weight: f64) -> (Record, f64, f64) {
        let mut keys: Vec<_> = self.groups.iter().collect();
        keys.sort_by(|a, b| {
            f64::from_bits(a.0.0)
                .total_cmp(&f64::from_bits(b.0.0))
                .then(a.0.1.cmp(&b.0.1))
        });
        let mut record = Record::default();
        let (mut support, mut against) = (0.0, 0.0);
        for (&(bits, known), &(full, relay)) in keys {
            let c = f64::from_bits(bits);
            let unit = f64::from(FULL_WEIGHT);
            let w = full as f64 / unit + relay as f64 / unit * relay_weight;
            if w == 0.0 {
                continue;
            }
            support += w * c;
            against += w * (1.0 - c);
            if known {
                record.push_known(c, w);
            } else {
                record.push_uncertain(c, w);
            }
        }
        record.finish();
        (record, support, against)
    }
}

/// Scores a corpus.
///
/// # Errors
/// [`Error::Config`] when a parameter is out of range.
pub fn score(corpus: &Corpus, params: &Params) -> Result<Scores> {
    score_held(Held::Shared(corpus), params)
}

/// [`score`], packing away parts of the corpus while they are not read: the stories' names throughout
/// (the model reads only how many there are), and with em the mentions and the claims' times during the
/// fit ([`Corpus::stow`]). At 3.6M votes that is 16 and 45 (+14 with times) MiB. The corpus is as it was
/// when it returns.
///
/// # Errors
/// As [`score`].
pub fn score_stowing(corpus: &mut Corpus, params: &Params) -> Result<Scores> {
    score_held(Held::Mut(corpus), params)
}

/// The corpus being scored: shared, or one whose parts can be packed away for a while.
enum Held<'a> {
    Shared(&'a Corpus),
    Mut(&'a mut Corpus),
}

impl Drop for Held<'_> {
    /// Puts back the stories' names (the mentions and times come back right after em's fit).
    fn drop(&mut self) {
        if let Held::Mut(c) = self {
            c.stories.unstow();
        }
    }
}

impl Held<'_> {
    fn get(&self) -> &Corpus {
        match self {
            Held::Shared(c) => c,
            Held::Mut(c) => c,
        }
    }

    /// Packs away what [`Corpus::stow`] does, where the corpus may be changed.
    fn stow(&mut self) -> Option<crate::corpus::Stowed> {
        match self {
            Held::Shared(_) => None,
            Held::Mut(c) => Some(c.stow()),
        }
    }

    /// Puts back what [`Held::stow`] packed.
    fn unstow(&mut self, stowed: Option<crate::corpus::Stowed>) {
        if let (Held::Mut(c), Some(stowed)) = (self, stowed) {
            c.unstow(stowed);
        }
    }
}

fn score_held(mut held: Held<'_>, params: &Params) -> Result<Scores> {
    if let Held::Mut(c) = &mut held {
        c.stories.stow();
    }
    let corpus = held.get();
    params.validate()?;
    if params.value_bounds.is_some() && corpus.value_kind != crate::value::ValueKind::Number {
        return Err(Error::Config(
            "--value-bounds describes a scale of numbers: it needs --value-kind number".into(),
        ));
    }
    if params.detect_copies {
        return score_with_copies(corpus, params);
    }
    let mut params = *params;
    if let Some(h) = &mut params.half_life {
        if corpus.published.len() != corpus.mentions.len() {
            return Err(Error::Config(
                "--half-life needs every claim's publication time: load with times kept".into(),
            ));
        }
        h.reference = h.reference.or(params.as_of).or_else(|| latest_time(corpus));
    }
    let params = &params;
    let td_method = match params.method {
        Method::DawidSkene => Some(categorical::Which::DawidSkene),
        Method::TruthFinder => Some(categorical::Which::TruthFinder),
        Method::Em if corpus.valued() => Some(categorical::Which::Em),
        Method::Vote if corpus.valued() => Some(categorical::Which::Vote),
        _ => None,
    };
    if corpus.valued() && td_method.is_none() {
        return Err(Error::Config(
            "claims with values need --method em, vote, dawid-skene or truthfinder (official responses \
             answer plain stories only)"
                .into(),
        ));
    }
    if params.topics
        && matches!(
            td_method,
            Some(categorical::Which::DawidSkene | categorical::Which::TruthFinder)
        )
    {
        return Err(Error::Config(
            "--topics pools per-topic records toward each outlet's Beta posterior: --method responses, em and \
             vote (on plain stories and values); dawid-skene and truthfinder report their own scores, so they do \
             not take topics"
                .into(),
        ));
    }
    if params.topics && corpus.mention_topics.len() != corpus.mentions.len() {
        return Err(Error::Config(
            "--topics needs every claim's topic column read (shards that merge: score each with --topics)".into(),
        ));
    }
    // Groups shape the Beta prior of reliability. em over free values refits it every iteration and vote's
    // intervals come from it, as on plain stories; em over a shared label set pools confusion rows toward
    // the crowd's (not a Beta prior), and Dawid–Skene and TruthFinder report their own scores.
    let grouped_ok = match td_method {
        None => true,
        Some(categorical::Which::Em) => corpus.value_kind != crate::value::ValueKind::Label,
        Some(categorical::Which::Vote) => true,
        Some(_) => false,
    };
    if !corpus.groups.is_empty() && !grouped_ok {
        return Err(Error::Config(
            "groups of outlets (--sources-meta) shape the Beta prior of reliability: --method responses, em \
             and vote, and em and vote over values of kind text, number, time and list; em over labels pools \
             confusion rows toward the crowd's instead, and dawid-skene and truthfinder report their own \
             scores, so they do not take groups"
                .into(),
        ));
    }
    if params.half_life.is_some() && td_method.is_some() {
        return Err(Error::Config(
            "--half-life weighs the records of --method responses, em and vote on plain stories; the \
             categorical methods (values, dawid-skene, truthfinder) do not take weights"
                .into(),
        ));
    }
    if corpus.valued() && !corpus.resolutions.is_empty() {
        return Err(Error::Config(
            "resolutions of stories with values are not read yet (their outcome is true/false); give the \
             true values to `credence eval --gold` instead"
                .into(),
        ));
    }
    if params.method == Method::DawidSkene && corpus.valued() && corpus.value_kind != crate::value::ValueKind::Label {
        return Err(Error::Config(
            "--method dawid-skene needs a shared label set: plain stories, or values with --value-kind label".into(),
        ));
    }
    let stage = crate::progress::Stage::start("crosscheck");
    let evidence = crosscheck::stories(corpus);
    // Without relays every mention is credited to its own outlet: no vector then (4 bytes a claim), and
    // readers take the mention's source ([`credited_to`]).
    let relays = corpus.mentions.any_relays();
    // The mentions grouped by story, where the credit of relays or the categorical methods read them; the
    // units are otherwise built a part of the stories at a time ([`crosscheck::ByStory::each_story`]), and
    // the outputs build the grouping when they first read it (4 bytes a claim less till then).
    let mut groups = if relays || td_method.is_some() {
        crosscheck::ByStory::new(corpus)
    } else {
        crosscheck::ByStory::default()
    };
    let mut credited = if relays {
        crosscheck::credit(corpus, &groups)
    } else {
        Vec::new()
    };

    // Responders: count every row; learn from standing answers on resolved stories.
    let mut tallies = vec![Tallies::default(); corpus.responders.len()];
    let mut answered_stories = vec![Vec::<u32>::new(); corpus.responders.len()];
    for r in &corpus.responses {
        tallies[r.responder as usize].count_verdict(r.verdict);
        answered_stories[r.responder as usize].push(r.story);
    }
    for (t, mut s) in tallies.iter_mut().zip(answered_stories) {
        s.sort_unstable();
        s.dedup();
        t.stories = s.len() as u64;
    }
    let base_tallies = tallies.clone();
    for story in 0..evidence.len() {
        let ev = evidence.story(story);
        if let Some(outcome) = ev.resolution {
            for &(who, signal) in ev.answers {
                if let Some(s) = signal {
                    tallies[who as usize].learn(s, outcome);
                }
            }
        }
    }
    let responders = responders::learn(tallies, params.responder_prior, params.level);

    // Evidence units: one per (outlet, story, stance), at full weight for the credited outlet and at the
    // relay weight for a relaying outlet that is not also credited with it.
    let mut by_name: Vec<usize> = (0..corpus.sources.len()).collect();
    by_name.sort_by(|&a, &b| corpus.sources.name(a as u32).cmp(corpus.sources.name(b as u32)));
    let mut name_rank = vec![0u32; corpus.sources.len()];
    for (k, &i) in by_name.iter().enumerate() {
        name_rank[i] = k as u32;
    }
    let mut units = em_units(corpus, &groups, &credited, params, &name_rank);

    // Each story's probability of being true, from its evidence alone; None where it has none. Truth
    // discovery on plain stories never reads them (it starts from the majority vote), so it gets none: a
    // vector per story less at the peak of the model.
    let em_plain = td_method.is_none() && params.method == Method::Em;
    let p_true: Vec<Option<f64>> = (0..if em_plain { 0 } else { evidence.len() })
        .map(|story| (story, evidence.story(story)))
        .map(|(story, ev)| match ev.resolution {
            Some(o) => Some(o.truth()),
            None if params.method == Method::Vote => majority(units.story(story)),
            None if params.trust_responses => ev.naive_truth(),
            None if ev.informative() => {
                let llr: f64 = ev
                    .answers
                    .iter()
                    .filter_map(|&(who, s)| s.map(|s| responders[who as usize].log_likelihood_ratio(s)))
                    .sum();
                Some(1.0 / (1.0 + (-llr).exp()))
            }
            None => None,
        })
        .collect();

    let n_sources = corpus.sources.len();
    let mut sources: Vec<SourceScore> = (0..n_sources as u32)
        .map(|id| SourceScore {
            id,
            claims: 0,
            originals: 0,
            relays: 0,
            credited: 0,
            answered: 0,
            resolved: 0,
            support: 0.0,
            against: 0.0,
            evidence: 0.0,
            reliability: 0.0,
            ci_low: 0.0,
            ci_high: 0.0,
            posterior_shape: (1.0, 1.0),
            rank: 0,
        })
        .collect();
    for m in &corpus.mentions {
        let s = &mut sources[m.source as usize];
        s.claims += 1;
        if m.relays().is_some() {
            s.relays += 1;
        } else {
            s.originals += 1;
        }
        let ev = evidence.story(m.story as usize);
        s.answered += u64::from(!ev.answers.is_empty());
        s.resolved += u64::from(ev.resolution.is_some());
    }

    let mut tallies = vec![Tally::default(); n_sources];
    for story in 0..evidence.len() {
        let p_story = p_true.get(story).copied().flatten();
        for (u, w) in units.weighted(story) {
            if !u.relay {
                sources[u.source as usize].credited += 1;
            }
            let Some(p) = p_story else { continue };
            let c = crosscheck::correct_given(u.stance, p);
            let known = evidence.story(story).resolution.is_some()
                || params.trust_responses
                || params.fractional_uncertain
                || params.method == Method::Vote;
            tallies[u.source as usize].add(c, known, u.relay, w);
        }
    }
    drop(stage);
    // With truth discovery the records come from the iteration, which starts from the majority vote, not
    // from the response-only records above; those then serve only the responders' learning.
    let mut em_info = None;
    // em's fitted share of copies among later reports and its rates by position, on timed claims.
    let mut copies: Option<(f64, em::CopyRates)> = None;
    let (mut td, mut td_score) = (None, None);
    // With --topics, the categorical methods' (outlet, topic) cells.
    let mut td_cells: Option<categorical::TopicCells> = None;
    let mut number_model: Option<numeric::NumberModel> = None;
    // Each story's probability of being true, NaN where nothing decides it.
    let (finished, responders, p_true): (Vec<(Record, f64, f64)>, _, Vec<f64>) = if let Some(which) = td_method {
        let _stage = crate::progress::Stage::start("truth discovery");
        let problem = categorical_problem(corpus, &groups, &credited, &evidence, &name_rank, params);
        if let categorical::Classes::PerStory { start, .. } = &problem.classes {
            let widths = start.windows(2).map(|w| (w[1] - w[0]) as usize);
            if let Some(message) = wide_story_notice(widths, which, problem.numbers.is_some()) {
                crate::progress::notice(&message);
            }
        }
        let kind = corpus.value_kind;
        let sim = |s: usize, a: u32, b: u32| match &problem.classes {
            categorical::Classes::PerStory { .. } => {
                let name = |k: u32| corpus.values.name(problem.classes.of(s)[k as usize]);
                categorical::similarity(Some(kind), name(a), name(b))
            }
            _ => 0.0,
        };
        let omits = |s: usize, a: u32, b: u32| {
            let name = |k: u32| corpus.values.name(problem.classes.of(s)[k as usize]);
            categorical::omits(name(a), name(b))
        };
        let list =
            kind == crate::value::ValueKind::List && matches!(problem.classes, categorical::Classes::PerStory { .. });
        let omits: Option<&(dyn Fn(usize, u32, u32) -> bool + Sync)> = list.then_some(&omits);
        let fit = categorical::fit(
            &problem,
            which,
            n_sources,
            &by_name,
            params.relay_weight,
            &sim,
            omits,
            (&corpus.source_group, corpus.groups.len()),
        );
        if which != categorical::Which::Vote {
            em_info = Some(fit.iterations);
        }
        let finished = fit.tallies.par_iter().map(|t| t.finish(params.relay_weight)).collect();
        td_score = fit.score;
        td_cells = Some(fit.topic_cells);
        number_model = fit.numbers;
        td = Some(Td {
            classes: problem.classes,
            post_start: problem.post_start,
            posterior: fit.posterior,
            estimate: fit.estimate,
            omission_share: fit.omission_share,
            coincidence: fit.coincidence,
        });
        (finished, responders, vec![f64::NAN; evidence.len()])
    } else if params.method == Method::Em {
        let _stage = crate::progress::Stage::start("em");
        // The fit reads the units only: the mentions' grouping by story and their credit (8 bytes a claim)
        // are rebuilt after it rather than held through it.
        groups = crosscheck::ByStory::default();
        credited = Vec::new();
        let stowed = {
            let _s = crate::progress::Stage::start("stow");
            held.stow()
        };
        let corpus = held.get();
        let problem = em::Problem {
            evidence: &evidence,
            units: &units,
            base: &base_tallies,
            responder_prior: params.responder_prior,
            level: params.level,
            by_name: &by_name,
            relay_weight: params.relay_weight,
            groups: (&corpus.source_group, corpus.groups.len()),
        };
        let start = majority_start(&units, &evidence, corpus.sources.len());
        let fit = em::fit(&problem, start, responders);
        // Only the topics read the units after the fit: without them they go before the stowed parts
        // come back (29 MiB at 3.6M votes).
        if !params.topics {
            units = em::Units::default();
        }
        {
            let _s = crate::progress::Stage::start("unstow");
            held.unstow(stowed);
        }
        em_info = Some((fit.iterations, fit.converged, fit.last_change));
        copies = fit.copy_rate;
        let finished = fit.tallies.par_iter().map(|t| t.finish(params.relay_weight)).collect();
        (finished, fit.responders, fit.p_true)
    } else {
        (
            tallies.par_iter().map(|t| t.finish(params.relay_weight)).collect(),
            responders,
            p_true.into_iter().map(|p| p.unwrap_or(f64::NAN)).collect(),
        )
    };
    let corpus = held.get();
    let records: Vec<&Record> = finished.iter().map(|f| &f.0).collect();
    for (s, f) in sources.iter_mut().zip(&finished) {
        s.support = f.1;
        s.against = f.2;
        s.evidence = f.1 + f.2;
    }

    // The prior's objective sums over sources in name order, so any numbering of the same outlets (one
    // run or merged shards) gives the same bits.
    let ordered: Vec<&Record> = by_name.iter().map(|&i| records[i]).collect();
    let group = |i: usize| corpus.source_group.get(i).copied().unwrap_or(u32::MAX);
    let priors = {
        let _stage = crate::progress::Stage::start("prior");
        let ordered_groups: Vec<u32> = by_name.iter().map(|&i| group(i)).collect();
        prior::Priors::fit(&ordered, &ordered_groups, corpus.groups.len())
    };
    let prior = priors.overall.clone();
    let _stage = crate::progress::Stage::start("posteriors");
    // Probes serve the response-judged claims' p_correct; truth discovery reads its story posteriors.
    let probe = params.method != Method::Em && td.is_none();
    let summaries: Vec<posterior::Summary> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let probes: Vec<f64> = if probe {
                r.uncertain.iter().map(|g| g.0).collect()
            } else {
                Vec::new()
            };
            let prior = priors.of(group(i));
            r.posterior(prior.alpha, prior.beta, params.level, &probes)
        })
        .collect();
    drop(_stage);
    for (s, sum) in sources.iter_mut().zip(&summaries) {
        s.reliability = sum.mean;
        s.ci_low = sum.low;
        s.ci_high = sum.high;
        s.posterior_shape = sum.shape;
    }
    // Dawid–Skene and TruthFinder report their own score; the interval stays that of the soft counts. An
    // outlet of which they learned nothing (only relays) keeps the prior's mean, inside its interval, not
    // TruthFinder's starting trust of 0.9 or Dawid–Skene's rows of nothing.
    if let Some(score) = &td_score {
        for (s, &x) in sources.iter_mut().zip(score) {
            if !x.is_nan() {
                s.reliability = x;
            }
        }
    }
    let topic_fit = params.topics.then(|| {
        let cells = td_cells.take().unwrap_or_else(|| {
            topic_cells(
                &evidence,
                &units,
                &p_true,
                params,
                &sources,
                &copies.map_or(em::CopyRates::NONE, |c| c.1),
            )
        });
        fit_topics(cells, &sources, params)
    });
    drop(units);
    if relays && credited.is_empty() {
        credited = crosscheck::credit(corpus, &crosscheck::ByStory::new(corpus));
    }
    // em's fit dropped the grouping by story: it is built again when an output first reads it.
    let groups = if groups.start.is_empty() {
        std::sync::OnceLock::new()
    } else {
        std::sync::OnceLock::from(groups)
    };
    let mut order: Vec<usize> = (0..n_sources).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&sources[i], &sources[j]);
        b.ci_low
            .total_cmp(&a.ci_low)
            .then(b.reliability.total_cmp(&a.reliability))
            .then_with(|| corpus.sources.name(a.id).cmp(corpus.sources.name(b.id)))
    });
    for (rank, &i) in order.iter().enumerate() {
        sources[i].rank = rank as u32 + 1;
    }
    let probes = records
        .iter()
        .zip(summaries)
        .map(|(r, s)| (r.uncertain.iter().map(|g| g.0).collect(), s.probes))
        .collect();
    let stories = (0..evidence.len())
        .map(|s| evidence.story(s))
        .map(|ev| (ev.resolution, ev.answer()))
        .collect();
    let (resolved, answered) = (0..evidence.len())
        .map(|s| evidence.story(s))
        .fold((0, 0), |(r, a), ev| {
            (r + u64::from(ev.resolution.is_some()), a + u64::from(ev.informative()))
        });

    Ok(Scores {
        params: *params,
        prior,
        sources,
        responders,
        stories_resolved: resolved,
        stories_answered: answered,
        em: em_info,
        copy_rate: copies.map(|c| c.0),
        copy_rates: copies.map(|c| c.1.0.to_vec()).unwrap_or_default(),
        copiers: Vec::new(),
        group_priors: priors.groups.clone(),
        topics: topic_fit,
        numbers: number_model,
        credited,
        groups,
        wide: std::sync::OnceLock::new(),
        stories,
        p_true,
        probes,
        td,
    })
}

/// Stories narrower than this cost em over numbers and TruthFinder little next to the rest of a run, and
/// are left out of [`wide_story_notice`]'s count.
const WIDE_STORY: usize = 256;

/// Pairs of a wide story's values (summed over wide stories, each story's width squared) from which
/// [`wide_story_notice`] speaks up: em over numbers weighs every value against every other in each
/// iteration's passes: one story of 5,000 values (25 million pairs, 35 iterations) took 9.8 s when a
/// story's passes ran on one core and 5.0 s with them split over two (8,000 values: 25 s and 12.7 s;
/// session 20). TruthFinder's pairs cost about a sixth as much (16,000 values: 17.1 s on one core,
/// 8.6 s on two), so its threshold ([`WIDE_PAIRS_TRUTHFINDER`]) is six times higher.
const WIDE_PAIRS_EM: f64 = 25e6;
/// [`WIDE_PAIRS_EM`] for TruthFinder.
const WIDE_PAIRS_TRUTHFINDER: f64 = 150e6;

/// The notice for stories wide enough to make `which` slow (a missing or constant `story_id` makes one
/// story of the whole file, and the run then seems to hang), given each story's width (distinct values);
/// `None` where they are not. em over numbers and TruthFinder weigh each value of a story against every
/// other, so their time grows with the square of a story's width; the other methods are linear in it.
fn wide_story_notice(widths: impl Iterator<Item = usize>, which: categorical::Which, numbers: bool) -> Option<String> {
    let (method, limit) = match which {
        categorical::Which::Em if numbers => ("em over numbers", WIDE_PAIRS_EM),
        categorical::Which::TruthFinder => ("TruthFinder", WIDE_PAIRS_TRUTHFINDER),
        _ => return None,
    };
    let (mut wide, mut widest, mut pairs) = (0usize, 0usize, 0.0f64);
    for w in widths.filter(|&w| w >= WIDE_STORY) {
        wide += 1;
        widest = widest.max(w);
        pairs += (w as f64) * (w as f64);
    }
    (pairs >= limit).then(|| {
        let stories = if wide == 1 {
            format!("a story has {widest} distinct values")
        } else {
            format!("{wide} stories have up to {widest} distinct values")
        };
        format!(
            "{stories}; {method} weighs each of a story's values against every other ({:.0} million pairs \
             an iteration), so this run may be slow: is story_id missing, or the same on many rows?",
            pairs / 1e6
        )
    })
}

/// Every story's classes and credited reports, for the categorical methods: plain stories have the
/// classes true and false; values of kind `label` share one label set; other values are each story's own.
/// With `params.topics`, each report carries its claim's topic; with `params.value_bounds`, number classes
/// at a bounded scale's ends are censored ([`numeric::Numbers::censor`]).
fn categorical_problem(
    corpus: &Corpus,
    groups: &crosscheck::ByStory,
    credited: &[u32],
    evidence: &crosscheck::Evidence,
    name_rank: &[u32],
    params: &Params,
) -> categorical::Problem {
    let (relay_weight, topics) = (params.relay_weight, params.topics);
    use categorical::Classes;
    let n = groups.stories();
    let classes = if !corpus.valued() {
        Classes::Binary
    } else if corpus.value_kind == crate::value::ValueKind::Label {
        let mut labels = corpus.mention_values.clone();
        labels.sort_unstable();
        labels.dedup();
        Classes::Shared(labels)
    } else {
        let mut values = Vec::new();
        let mut start = vec![0u32];
        for s in 0..n {
            let first = values.len();
            values.extend(groups.story(s).iter().map(|&i| corpus.mention_values[i as usize]));
            values[first..].sort_unstable();
            let mut kept = first;
            for k in first..values.len() {
                if k == first || values[k] != values[kept - 1] {
                    values[kept] = values[k];
                    kept += 1;
                }
            }
            values.truncate(kept);
            start.push(values.len() as u32);
        }
        Classes::PerStory { values, start }
    };
    let mut post_start = Vec::with_capacity(n + 1);
    post_start.push(0u32);
    for s in 0..n {
        post_start.push(post_start[s] + classes.count(s) as u32);
    }
    let mut units = Vec::with_capacity(corpus.mentions.len());
    let mut unit_topics = Vec::new();
    let mut start = Vec::with_capacity(n + 1);
    start.push(0u32);
    // Each report with its claim's topic (u32::MAX without topics).
    let mut story_units: Vec<(categorical::Unit, u32)> = Vec::new();
    for s in 0..n {
        story_units.clear();
        for &i in groups.story(s) {
            let m = corpus.mentions.get(i as usize);
            let value = corpus.mention_values.get(i as usize).copied().unwrap_or(u32::MAX);
            let class = classes
                .class(s, m.stance, value)
                .expect("every claimed value is one of its story's classes");
            let to = credited_to(credited, m, i);
            let topic = if topics {
                corpus.mention_topics.get(i as usize).copied().unwrap_or(u32::MAX)
            } else {
                u32::MAX
            };
            story_units.push((
                categorical::Unit {
                    rank: name_rank[to as usize],
                    source: to,
                    class,
                    relay: false,
                },
                topic,
            ));
            if to != m.source && relay_weight > 0.0 {
                story_units.push((
                    categorical::Unit {
                        rank: name_rank[m.source as usize],
                        source: m.source,
                        class,
                        relay: true,
                    },
                    topic,
                ));
            }
        }
        // Full weight sorts first, so dedup keeps the strongest report on each (outlet, class); among equal
        // reports, the one with the lowest topic id.
        story_units.sort_unstable();
        story_units.dedup_by(|later, kept| (later.0.source, later.0.class) == (kept.0.source, kept.0.class));
        units.extend(story_units.iter().map(|u| u.0));
        if topics {
            unit_topics.extend(story_units.iter().map(|u| u.1));
        }
        start.push(units.len() as u32);
    }
    let settled = (0..n)
        .map(|s| {
            if corpus.valued() {
                None
            } else {
                evidence.story(s).resolution
            }
        })
        .collect();
    let numbers = match &classes {
        Classes::PerStory {
            values,
            start: class_start,
        } if corpus.value_kind == crate::value::ValueKind::Number => {
            // Each vote's number as written, with its outlet (relays repeat another's).
            let written = (0..n).flat_map(|s| {
                let votes = &units[start[s] as usize..start[s + 1] as usize];
                votes.iter().filter(|u| !u.relay).map(move |u| {
                    let class = class_start[s] as usize + u.class as usize;
                    (corpus.values.name(values[class]), u.source)
                })
            });
            let resolution = numeric::resolution(written);
            let mut numbers = numeric::Numbers::new(
                values
                    .iter()
                    .map(|&v| {
                        corpus
                            .values
                            .name(v)
                            .parse::<f64>()
                            .expect("number values are normalised numbers")
                    })
                    .collect(),
                resolution,
            );
            if let Some(b) = params.value_bounds {
                numbers.censor(b, class_start);
            }
            Some(numbers)
        }
        _ => None,
    };
    categorical::Problem {
        units,
        start,
        classes,
        post_start,
        settled,
        numbers,
        topics: unit_topics,
    }
}

/// Scores with copy detection: a first fit gives reliabilities and story truths, [`copying::detect`] finds
/// copying pairs from them, and the corpus is scored again with the detected copies as relays of their
/// sources.
fn score_with_copies(corpus: &Corpus, params: &Params) -> Result<Scores> {
    if corpus.published.len() != corpus.mentions.len() {
        return Err(Error::Config(
            "--detect-copies needs every claim's publication time: load with times kept".into(),
        ));
    }
    if corpus.valued() && params.method != Method::Em {
        return Err(Error::Config(
            "--detect-copies on claims with values needs --method em: its fit judges which values are wrong \
             and how rare a wrong value is (vote, dawid-skene and truthfinder do not)"
                .into(),
        ));
    }
    let plain = Params {
        detect_copies: false,
        ..*params
    };
    let first = score(corpus, &plain)?;
    let theta: Vec<f64> = first.sources.iter().map(|s| s.reliability).collect();
    let _stage = crate::progress::Stage::start("copies");
    let judge = |s: usize, reports: &[u32]| first.judgements(corpus, s, reports);
    let (pairs, copies) = copying::detect(corpus, first.groups(corpus), &theta, &judge);
    drop(first);
    let mut marked = corpus.clone();
    for (i, &to) in copies.iter().enumerate() {
        if to != Mention::ORIGINAL {
            marked.mentions.set_attributed_to(i, to);
        }
    }
    let mut scores = score(&marked, &plain)?;
    scores.params = *params;
    scores.copiers = pairs;
    Ok(scores)
}

/// The outlet credited with mention `m` (index `i`), from [`crosscheck::credit`]'s vector, or its own
/// source when that vector is empty (no mention relays another outlet).
fn credited_to(credited: &[u32], m: Mention, i: u32) -> u32 {
    credited.get(i as usize).copied().unwrap_or(m.source)
}

/// Every story's reports: credited outlets (deduplicated per outlet and stance, full weight) and, with a
/// relay weight, relaying outlets not otherwise credited; in outlet-name order.
fn em_units(
    corpus: &Corpus,
    groups: &crosscheck::ByStory,
    credited: &[u32],
    params: &Params,
    name_rank: &[u32],
) -> em::Units {
    let relay_weight = params.relay_weight;
    let weight = |i: usize| {
        params
            .half_life
            .map_or(FULL_WEIGHT, |h| h.weight(corpus.published.get(i)))
    };
    let mut units = Vec::with_capacity(corpus.mentions.len());
    let mut weights = Vec::new();
    let mut unit_topics = Vec::new();
    let topic = |i: usize| corpus.mention_topics.get(i).copied().unwrap_or(u32::MAX);
    let mut start = Vec::with_capacity(corpus.stories.len() + 1);
    start.push(0u32);
    // Silent copies are modelled by em where publication times say which reports came first.
    let timed =
        params.method == Method::Em && !corpus.mentions.is_empty() && corpus.published.len() == corpus.mentions.len();
    // Both stay empty while no report has an earlier one (one time for every claim: 2 bytes a report less),
    // which em reads as it reads a report with none before it; `none_before` counts those reports till then.
    let (mut earlier, mut positions) = (Vec::new(), Vec::new());
    let mut none_before = 0;
    let time = |i: usize| if timed { corpus.published.get(i) } else { 0 };
    // (outlet's name rank, report, weight, topic, time): sorted, the rank puts a story's reports in the
    // order of their outlets' names, which the units keep without it.
    let mut story_units: Vec<(u32, em::Unit, u32, u32, i64)> = Vec::new();
    let mut credited_times: Vec<(i64, crate::corpus::Stance)> = Vec::new();
    // asserting[k]: assertions among the first k credited reports in time order.
    let mut asserting: Vec<u32> = Vec::new();
    let mut each = |_story: usize, members: &[u32]| {
        story_units.clear();
        for &i in members {
            let m = corpus.mentions.get(i as usize);
            let to = credited_to(credited, m, i);
            let w = weight(i as usize);
            story_units.push((
                name_rank[to as usize],
                em::Unit {
                    source: to,
                    stance: m.stance,
                    relay: false,
                },
                w,
                topic(i as usize),
                time(i as usize),
            ));
            if to != m.source && relay_weight > 0.0 {
                story_units.push((
                    name_rank[m.source as usize],
                    em::Unit {
                        source: m.source,
                        stance: m.stance,
                        relay: true,
                    },
                    w,
                    topic(i as usize),
                    time(i as usize),
                ));
            }
        }
        // Full weight sorts first, so dedup keeps the strongest report on each (outlet, stance); among
        // equal reports, the lightest, which is the earliest. A report's time is its earliest claim's.
        story_units.sort_unstable();
        story_units.dedup_by(|later, kept| {
            let same = (later.1.source, later.1.stance) == (kept.1.source, kept.1.stance);
            if same {
                kept.4 = kept.4.min(later.4);
            }
            same
        });
        if timed {
            credited_times.clear();
            credited_times.extend(story_units.iter().filter(|u| !u.1.relay).map(|u| (u.4, u.1.stance)));
            credited_times.sort_unstable();
            asserting.clear();
            asserting.push(0);
            for &(_, stance) in &credited_times {
                let last = asserting[asserting.len() - 1];
                asserting.push(last + u32::from(stance == crate::corpus::Stance::Asserts));
            }
            for u in &story_units {
                let before = if u.1.relay {
                    0
                } else {
                    credited_times.partition_point(|x| x.0 < u.4)
                };
                let same = match u.1.stance {
                    crate::corpus::Stance::Asserts => asserting[before] as usize,
                    crate::corpus::Stance::Denies => before - asserting[before] as usize,
                };
                if before == 0 && earlier.is_empty() {
                    none_before += 1;
                    continue;
                }
                if earlier.is_empty() {
                    earlier.reserve(corpus.mentions.len());
                    positions.reserve(corpus.mentions.len());
                    earlier.resize(none_before, em::NONE_BEFORE);
                    positions.resize(none_before, 0);
                }
                earlier.push(if before == 0 {
                    em::NONE_BEFORE
                } else {
                    em::share_code(same as f64 / before as f64)
                });
                let last = credited_times.partition_point(|x| x.0 <= u.4) == credited_times.len();
                positions.push(if before == 0 {
                    0
                } else {
                    em::position_code(before, last)
                });
            }
        }
        units.extend(story_units.iter().map(|u| u.1));
        if params.half_life.is_some() {
            weights.extend(story_units.iter().map(|u| u.2));
        }
        if !corpus.mention_topics.is_empty() {
            unit_topics.extend(story_units.iter().map(|u| u.3));
        }
        start.push(units.len() as u32);
    };
    // Without a grouping by story (em's own runs hold none, 4 bytes a claim less), a part at a time.
    if groups.start.is_empty() {
        crosscheck::ByStory::each_story(corpus, &mut each);
    } else {
        for story in 0..groups.stories() {
            each(story, groups.story(story));
        }
    }
    em::Units {
        units,
        start,
        weights,
        earlier,
        position: positions,
        topics: unit_topics,
    }
}

/// The per-topic reliabilities of the (outlet, topic) `cells`, pooled toward each outlet's overall score
/// in `sources`.
fn fit_topics(cells: categorical::TopicCells, sources: &[SourceScore], params: &Params) -> topics::TopicFit {
    let overall: Vec<(f64, f64)> = sources
        .iter()
        .map(|s| (s.reliability, (s.ci_high - s.ci_low) / (2.0 * 1.96)))
        .collect();
    let cells: Vec<((u32, u32), Tally, u64)> = cells.into_iter().map(|(k, (t, n))| (k, t, n)).collect();
    topics::fit(&cells, &overall, params.relay_weight, params.level)
}

/// The (outlet, topic) cells of every report on plain stories: each report counts in its topic's cell
/// exactly as it counts in its outlet's record (for `em`, with the last E-step's leave-own-vote-out
/// probability at the converged reliabilities `sources`). The categorical methods build theirs in their
/// fit ([`categorical::Fit::topic_cells`]).
fn topic_cells(
    evidence: &crosscheck::Evidence,
    units: &em::Units,
    p_true: &[f64],
    params: &Params,
    sources: &[SourceScore],
    copy: &em::CopyRates,
) -> categorical::TopicCells {
    let theta: Vec<f64> = sources.iter().map(|s| s.reliability).collect();
    let mut cells = categorical::TopicCells::new();
    for (story, &p) in p_true.iter().enumerate() {
        let p_story = (!p.is_nan()).then_some(p);
        let ev = evidence.story(story);
        let us = units.story(story);
        let start = units.start[story] as usize;
        let voters = us.iter().filter(|u| !u.relay).count();
        let answers = ev.answers.iter().filter(|a| a.1.is_some()).count();
        for (k, (u, w)) in units.weighted(story).enumerate() {
            let topic = units.topics.get(start + k).copied().unwrap_or(u32::MAX);
            if topic == u32::MAX {
                continue;
            }
            // Under em a report counts in its cell as in its outlet's record: judged without its own vote, by
            // the copy mixture's factor where it may be a silent copy.
            let (q, rate) = units.copy_terms(start + k, copy);
            let theta_u = theta[u.source as usize];
            let (c, known) = match (ev.resolution, p_story) {
                (Some(o), _) => {
                    let share = crosscheck::correct_given(u.stance, o.truth());
                    if params.method == Method::Em {
                        em::resolved_step_probability(u, share, q, rate)
                    } else {
                        (share, true)
                    }
                }
                (None, None) => continue,
                (None, Some(p)) if params.method == Method::Em => {
                    if voters + answers - usize::from(!u.relay) == 0 {
                        continue;
                    }
                    (em::unresolved_factor(u, em::logit(p), theta_u, q, rate), false)
                }
                (None, Some(p)) => (
                    crosscheck::correct_given(u.stance, p),
                    params.trust_responses || params.fractional_uncertain || params.method == Method::Vote,
                ),
            };
            if w == 0 {
                continue;
            }
            let cell = cells.entry((u.source, topic)).or_default();
            cell.0.add_units(c, known, u.relay, u64::from(w));
            cell.1 += u64::from(!u.relay);
        }
    }
    cells
}

/// The latest time anywhere in the corpus: a claim's publication, a response or a resolution.
fn latest_time(corpus: &Corpus) -> Option<i64> {
    let claims = corpus.published.iter();
    let responses = corpus.responses.iter().map(|r| r.responded_at);
    let resolutions = corpus.resolutions.iter().map(|r| r.resolved_at);
    claims.chain(responses).chain(resolutions).max()
}

/// Where the iteration starts: each outlet's share of agreement with its stories' majorities (or their
/// resolutions), smoothed by one agreement and one disagreement. Starting everyone at one reliability would
/// be a fixed point when nothing else breaks the symmetry (no responses, no resolutions): every vote would
/// weigh the same as its opposite. Dawid and Skene start from the majority vote for the same reason.
fn majority_start(units: &em::Units, evidence: &crosscheck::Evidence, n_sources: usize) -> Vec<f64> {
    let mut agree = vec![(1.0, 2.0); n_sources];
    for story in 0..evidence.len() {
        let us = units.story(story);
        let truth = match evidence.story(story).resolution {
            Some(o) => Some(o.truth()),
            None => majority(us),
        };
        let Some(t) = truth else { continue };
        for u in us.iter().filter(|u| !u.relay) {
            let a = &mut agree[u.source as usize];
            a.0 += crosscheck::correct_given(u.stance, t);
            a.1 += 1.0;
        }
    }
    agree.into_iter().map(|(hit, all)| hit / all).collect()
}

/// The majority of a story's credited reports: 1 if more assert than deny, 0 if fewer; a tie decides nothing.
fn majority(units: &[em::Unit]) -> Option<f64> {
    let (mut asserts, mut denies) = (0u32, 0u32);
    for u in units.iter().filter(|u| !u.relay) {
        match u.stance {
            crate::corpus::Stance::Asserts => asserts += 1,
            crate::corpus::Stance::Denies => denies += 1,
        }
    }
    match asserts.cmp(&denies) {
        std::cmp::Ordering::Greater => Some(1.0),
        std::cmp::Ordering::Less => Some(0.0),
        std::cmp::Ordering::Equal => None,
    }
}

fn claim_verdict(resolution: Option<Outcome>, answer: Answer, stance: crate::corpus::Stance) -> ClaimVerdict {
    use crate::corpus::Stance::{Asserts, Denies};
    match (resolution, answer, stance) {
        (Some(Outcome::Mixed), _, _) => ClaimVerdict::Mixed,
        (Some(Outcome::True), _, Asserts) | (Some(Outcome::False), _, Denies) => ClaimVerdict::Upheld,
        (Some(_), _, _) => ClaimVerdict::Refuted,
        (None, Answer::Confirmed, Asserts) | (None, Answer::Denied, Denies) => ClaimVerdict::Confirmed,
        (None, Answer::Denied, Asserts) | (None, Answer::Confirmed, Denies) => ClaimVerdict::Denied,
        (None, Answer::Partial, _) => ClaimVerdict::Partial,
        (None, Answer::Conflicting, _) => ClaimVerdict::Conflicting,
        (None, Answer::NoComment, _) => ClaimVerdict::NoComment,
        (None, Answer::Unanswered, _) => ClaimVerdict::Unanswered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn decide_takes_the_most_probable_and_breaks_near_ties_by_the_values() {
        let by_index = |a: usize, b: usize| a.cmp(&b);
        assert_eq!(decide(&[0.2, 0.7, 0.1], by_index), Some((1, 0.7)));
        // A last-bit difference is a tie: the order given decides, whichever way the sum rounded.
        let (lo, hi) = (0.5 - 1e-16, 0.5);
        assert_eq!(decide(&[lo, hi], by_index), Some((0, lo)));
        assert_eq!(decide(&[hi, lo], by_index), Some((0, hi)));
        let reverse = |a: usize, b: usize| b.cmp(&a);
        assert_eq!(decide(&[lo, hi], reverse), Some((1, hi)));
        // A real difference is not.
        assert_eq!(decide(&[0.5 - 1e-6, 0.5 + 1e-6], by_index), Some((1, 0.5 + 1e-6)));
        assert_eq!(decide(&[f64::NAN, 0.3], by_index), Some((1, 0.3)));
        assert_eq!(decide(&[f64::NAN, f64::NAN], by_index), None);
        assert_eq!(decide(&[], by_index), None);
    }

    #[test]
    fn ties_go_to_the_value_nearer_the_estimate_then_the_smaller() {
        assert_eq!(tie_break("188856", "207000", 197_720.0), Ordering::Less);
        assert_eq!(tie_break("207000", "188856", 197_720.0), Ordering::Greater);
        // Equally near, or no estimate: the smaller number, compared as numbers, not as text.
        assert_eq!(tie_break("300", "100", 200.0), Ordering::Greater);
        assert_eq!(tie_break("19000", "190", f64::NAN), Ordering::Greater);
        assert_eq!(tie_break("1e3", "999", f64::NAN), Ordering::Greater);
        // Other values in byte order.
        assert_eq!(tie_break("knuth", "aho", f64::NAN), Ordering::Greater);
        assert_eq!(tie_break("aho", "aho", f64::NAN), Ordering::Equal);
    }

    #[test]
    fn only_stories_wide_enough_to_be_slow_are_noticed() {
        use categorical::Which;
        let one = |w: usize| std::iter::once(w);
        // One story of 5,000 numbers: 25 million pairs, em's threshold; TruthFinder's is six times higher.
        let said = wide_story_notice(one(5_000), Which::Em, true).expect("em over numbers is told");
        assert!(
            said.starts_with("a story has 5000 distinct values; em over numbers"),
            "{said}"
        );
        assert!(
            said.contains("(25 million pairs an iteration)") && said.contains("story_id"),
            "{said}"
        );
        assert_eq!(wide_story_notice(one(4_999), Which::Em, true), None);
        assert_eq!(wide_story_notice(one(5_000), Which::TruthFinder, true), None);
        assert!(wide_story_notice(one(12_248), Which::TruthFinder, false).is_some());
        // em over text, vote and Dawid–Skene are linear in a story's width.
        assert_eq!(wide_story_notice(one(100_000), Which::Em, false), None);
        assert_eq!(wide_story_notice(one(100_000), Which::Vote, true), None);
        assert_eq!(wide_story_notice(one(100_000), Which::DawidSkene, true), None);
        // Wide stories add up; narrow ones, however many, do not count.
        let said = wide_story_notice([3_000, 3_000, 3_000, 7].into_iter(), Which::Em, true).unwrap();
        assert!(said.starts_with("3 stories have up to 3000 distinct values"), "{said}");
        assert_eq!(
            wide_story_notice(std::iter::repeat_n(255, 1_000_000), Which::Em, true),
            None
        );
    }
}
