//! Truth discovery over value classes: stories whose claims carry values (`value` column), and the
//! baselines that also run on plain stories (`--method dawid-skene`, `--method truthfinder`).
//!
//! Every story has a list of **classes**, the candidates for its truth:
//!
//! * a plain story: `true` and `false` (an assertion claims `true`, a denial `false`);
//! * values of kind `label`: the one label set shared by every story (every label seen in the file);
//! * other values: the distinct values claimed on the story.
//!
//! Each credited report ([`Unit`]) claims one class. The methods (`fit`) give every story a posterior over
//! its classes and every report a probability of being correct, which enters its outlet's record as in
//! the rest of the model:
//!
//! * **em** over a shared label set (plain stories, `--value-kind label`): every outlet has a confusion
//!   matrix as in Dawid–Skene, each row pooled toward the crowd's row for that true class with a strength
//!   fitted by maximum marginal likelihood (`em_labels`), fitted by EM with the whole posterior; a story an
//!   outlet is alone on teaches it nothing, and each report's probability of being correct is the
//!   posterior of the class it claims without its own vote.
//! * **em** over free values: a story's truth has a uniform prior over its `k` hypotheses (the values
//!   claimed plus "none of them"); an outlet of reliability θ claims the truth with probability θ and,
//!   when wrong, names any one other value with probability ρ, the chance that two wrong reports
//!   coincide, fitted in the M-step (`rho_step`), at most 1/(k − 1) on a story (where ρ would give the
//!   values claimed more than all of the wrong reports' mass; ρ = 1 is the one-coin model, em's start).
//!   As in [`super::em`], a report's probability `c` of being correct is taken from everything on its
//!   story but its own vote; its likelihood is then
//!   `c·θ + (1 − c)(1 − θ)·ρ`, recorded as the uncertain factor `c′·θ + (1 − c′)(1 − θ)` with
//!   `c′ = c / (c + (1 − c)·ρ)` (the same function of θ up to a constant), and θ is the
//!   posterior mean under the refitted empirical-Bayes prior (approached by half steps, which damp the
//!   period-two cycles of synchronous updates; over numbers every third step is a SQUAREM extrapolation,
//!   `squarem`, for the slow modes; the iteration stops at [`super::em::TOLERANCE`] or by the stall
//!   rule, `STALL`). Over `list` values a wrong report that leaves items out of
//!   a hypothesis (an omission, such as a first-author-only list) is told apart from other wrong reports:
//!   omissions share a probability π fitted in the M-step, the rest 1 − π (`Omissions`).
//! * **vote**: the plurality class (a tie decides nothing); a report counts as correct exactly when it
//!   claims it, its own vote included.
//! * **Dawid–Skene** (1979): a class prior π and a full confusion matrix per outlet,
//!   `M[j][l] = P(outlet says l | truth j)`, by EM from the soft majority vote (the paper's start, its
//!   equation 3.1); the M-step is the paper's maximum-likelihood one, with [`DS_FLOOR`] added to every
//!   cell and class count only to keep logarithms finite (a class an outlet was never seen on gets a
//!   uniform row). It needs a shared label set (plain stories or `--value-kind label`). An outlet's score
//!   is its expected accuracy `Σⱼ πⱼ M[j][j]`.
//! * **TruthFinder** (Yin, Han & Yu, KDD 2007): trust `t(w)` starts at [`TF_INITIAL_TRUST`]; a fact's
//!   confidence score is `σ(f) = Σ −ln(1 − t(w))` over the outlets claiming it, adjusted by the other
//!   facts on its story, `σ*(f) = σ(f) + ρ Σ σ(f′)·imp(f′ → f)` with `imp = sim(f′, f) − base_sim`,
//!   and its confidence is `s(f) = 1 / (1 + e^(−γ σ*(f)))` (γ the dampening factor); an outlet's trust is
//!   the mean confidence of its facts. It stops when the cosine similarity of successive trust vectors is
//!   within [`TF_DELTA`] of 1. `sim` is 0 between distinct labels, times and plain classes, the Jaccard
//!   similarity of word sets (text) or item sets (list), and `1 − |a − b| / max(|a|, |b|)` for numbers.
//!   An outlet's score is its trust.
//!
//! For vote, Dawid–Skene and TruthFinder a report's probability of being correct is the posterior (or
//! confidence) of the class it claims, own vote included, counted as a known soft outcome. A resolution
//! of a plain story settles it for every method. Official responses are not used here.

use rayon::prelude::*;

use statrs::function::gamma::ln_gamma;

use super::Tally;
use super::posterior::Record;
use super::prior::Priors;
use crate::corpus::{Outcome, Stance};
use crate::value::ValueKind;

/// Pseudo-count added to every confusion-matrix cell and class count by Dawid–Skene: small enough that the
/// estimates are the paper's maximum-likelihood ones, there only so that a cell never seen has a finite
/// logarithm. The four crowd label sets score the same with any value from 1e-6 to 1e-12. With 201 labels
/// and ten answers a task (Emotion as labels) most cells are never seen, and the floor breaks ties among
/// hypotheses that hit as many of them: 0.2857 to 0.2929 over 1e-6 to 1e-15. Until session 9 it was 1
/// (Laplace smoothing). That is not in the paper, and it made the baseline weaker on the Product set
/// (0.9376 against 0.9397).
pub const DS_FLOOR: f64 = 1e-9;
/// Facts on one story from which TruthFinder computes their confidences in parallel (each is a sum over
/// every other fact of the story).
const TF_PARALLEL_FACTS: usize = 512;

/// TruthFinder's initial trust of every outlet (the paper's 0.9).
pub const TF_INITIAL_TRUST: f64 = 0.9;
/// TruthFinder's weight of related facts, ρ (the paper's 0.5).
pub const TF_RHO: f64 = 0.5;
/// TruthFinder's dampening factor, γ (the paper's 0.3).
pub const TF_GAMMA: f64 = 0.3;
/// TruthFinder's base similarity: facts less similar than this imply each other is wrong (the paper's 0.5).
pub const TF_BASE_SIM: f64 = 0.5;
/// TruthFinder stops when `1 − cos(t, t′) < TF_DELTA` between successive trust vectors.
pub const TF_DELTA: f64 = 1e-9;
/// Iterations without a new smallest change (one below [`STALL_SHRINK`] of the last) after which an
/// iteration is taken as settled: reports' probabilities are recorded on a grid (`em::rounded`), and one
/// that flips between neighbouring steps moves its outlet's θ for ever. On the population set such flips of
/// one-claim outlets under a weak prior (strength 0.5) keep the largest change between 5e-4 and 1.2e-3 in a
/// near-periodic cycle, whose values set a "new smallest" by a hair every few rounds unless a new smallest
/// must be smaller by a tenth, as in [`super::em`].
const STALL: usize = 10;
/// How much smaller a change must be than the smallest so far to count as progress (see [`STALL`]).
const STALL_SHRINK: f64 = 0.9;

/// Which categorical method runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Em,
    Vote,
    DawidSkene,
    TruthFinder,
}

/// One credited report on a story: its outlet and the class it claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    /// The outlet's rank by name (sums run in this order).
    pub rank: u32,
    /// The outlet.
    pub source: u32,
    /// The class claimed: an index into the story's classes.
    pub class: u32,
    /// A relaying outlet's share (weight `relay_weight`), not a vote.
    pub relay: bool,
}

/// The candidates for stories' truths.
#[derive(Debug, Clone)]
pub enum Classes {
    /// Plain stories: class 0 is `true`, class 1 `false`.
    Binary,
    /// One label set for every story: value ids, sorted.
    Shared(Vec<u32>),
    /// Each story's own values: story `s`'s are `values[start[s]..start[s + 1]]`, sorted.
    PerStory {
        /// Value ids.
        values: Vec<u32>,
        /// Where each story's run begins.
        start: Vec<u32>,
    },
}

impl Classes {
    /// Story `s`'s classes, as value ids (empty for plain stories: see [`Classes::count`]).
    pub fn of(&self, s: usize) -> &[u32] {
        match self {
            Classes::Binary => &[],
            Classes::Shared(v) => v,
            Classes::PerStory { values, start } => &values[start[s] as usize..start[s + 1] as usize],
        }
    }

    /// How many classes story `s` has.
    pub fn count(&self, s: usize) -> usize {
        match self {
            Classes::Binary => 2,
            _ => self.of(s).len(),
        }
    }

    /// The class of a claim with `stance` and value id `value` (ignored for plain stories) on story `s`.
    pub fn class(&self, s: usize, stance: Stance, value: u32) -> Option<u32> {
        match self {
            Classes::Binary => Some(u32::from(stance == Stance::Denies)),
            _ => self.of(s).binary_search(&value).ok().map(|k| k as u32),
        }
    }
}

/// The reports and classes of every story.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The reports, story by story, in outlet-name order.
    pub units: Vec<Unit>,
    /// Story `s`'s reports are `units[start[s]..start[s + 1]]`.
    pub start: Vec<u32>,
    /// The candidates.
    pub classes: Classes,
    /// Where story `s`'s class posteriors begin in a flat array.
    pub post_start: Vec<u32>,
    /// Per story, a resolution that settles a plain story.
    pub settled: Vec<Option<Outcome>>,
    /// With `--value-kind number`: the classes as numbers ([`super::numeric`]).
    pub numbers: Option<super::numeric::Numbers>,
    /// With `--topics`: each report's topic (its claim's), parallel to `units` (`u32::MAX` for none); empty
    /// otherwise.
    pub topics: Vec<u32>,
}

/// A number story's classes: numbers, places on the transformed scale, bins' widths there, places on a
/// bounded scale.
type NumberParts<'a> = (&'a [f64], &'a [f64], &'a [f64], &'a [super::numeric::Side]);

/// Per (outlet, topic): the record of the outlet's reports on that topic and how many of them are votes.
pub(crate) type TopicCells = std::collections::BTreeMap<(u32, u32), (Tally, u64)>;

impl Problem {
    /// Story `s`'s reports.
    pub fn story(&self, s: usize) -> &[Unit] {
        &self.units[self.start[s] as usize..self.start[s + 1] as usize]
    }

    /// The number of stories.
    pub fn stories(&self) -> usize {
        self.start.len() - 1
    }

    /// Story `s`'s classes as numbers, on the transformed scale and their bins' widths there, for
    /// number-valued stories.
    fn numbers_of(&self, s: usize) -> Option<(&[f64], &[f64], &[f64])> {
        self.number_sides(s).map(|(x, t, w, _)| (x, t, w))
    }

    /// [`Problem::numbers_of`] with the classes' places on a bounded scale.
    fn number_sides(&self, s: usize) -> Option<NumberParts<'_>> {
        match (&self.numbers, &self.classes) {
            (Some(n), Classes::PerStory { start, .. }) => {
                let r = start[s] as usize..start[s + 1] as usize;
                Some((&n.x[r.clone()], &n.t[r.clone()], &n.w[r.clone()], &n.side[r]))
            }
            _ => None,
        }
    }

    /// Adds report `i` (an index into `units`), judged correct with probability `c` (`known` as in
    /// [`Tally::add`]), to its (outlet, topic) cell, as it is added to its outlet's record; nothing without
    /// topics.
    fn add_to_cell(&self, cells: &mut TopicCells, i: usize, c: f64, known: bool) {
        let topic = self.topics.get(i).copied().unwrap_or(u32::MAX);
        if topic == u32::MAX {
            return;
        }
        let u = self.units[i];
        let cell = cells.entry((u.source, topic)).or_default();
        cell.0.add(c, known, u.relay, super::FULL_WEIGHT);
        cell.1 += u64::from(!u.relay);
    }

    fn post(&self, s: usize) -> std::ops::Range<usize> {
        self.post_start[s] as usize..self.post_start[s + 1] as usize
    }

    fn settled_posterior(&self, s: usize) -> Option<[f64; 2]> {
        self.settled[s].map(|o| [o.truth(), 1.0 - o.truth()])
    }
}

/// What a method found.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Per outlet, its evidence counts.
    pub(crate) tallies: Vec<Tally>,
    /// Per story and class (flat, see [`Problem::post_start`]): the posterior probability (TruthFinder:
    /// the confidence) that the class is the truth; NaN where the method decides nothing.
    pub posterior: Vec<f64>,
    /// Per outlet, the method's own score where it has one (Dawid–Skene, TruthFinder); NaN for an outlet
    /// with no report of its own (only relays), of which the method learned nothing.
    pub score: Option<Vec<f64>>,
    /// With number-valued stories, per story: em's estimate ([`super::numeric::estimate`]), vote's median
    /// of the votes; `None` for the methods without one.
    pub estimate: Option<Vec<f64>>,
    /// Iterations run, whether they converged, the last change.
    pub iterations: (usize, bool, f64),
    /// em over numbers: the model as fitted.
    pub numbers: Option<super::numeric::NumberModel>,
    /// em over lists: the fitted share π of omissions among wrong reports (`Omissions`).
    pub omission_share: Option<f64>,
    /// em over free values other than numbers: the fitted chance ρ that a wrong report names one given
    /// value (`wrong_share`).
    pub coincidence: Option<f64>,
    /// With topics ([`Problem::topics`]): the (outlet, topic) cells, each report counted in its
    /// cell exactly as in its outlet's record; empty otherwise.
    pub(crate) topic_cells: TopicCells,
}

/// The normalised exponentials of `l`, written to `out` (shifted by the largest, so none overflows).
pub(crate) fn softmax_into(l: &[f64], out: &mut [f64]) {
    let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &x) in out.iter_mut().zip(l) {
        *o = (x - top).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// The plurality class among a story's votes; `None` on a tie or without votes.
fn plurality(units: &[Unit], classes: usize) -> Option<u32> {
    let mut counts = vec![0u32; classes];
    for u in units.iter().filter(|u| !u.relay) {
        counts[u.class as usize] += 1;
    }
    let top = *counts.iter().max()?;
    let mut winners = counts.iter().enumerate().filter(|c| *c.1 == top && top > 0);
    let first = winners.next()?.0;
    winners.next().is_none().then_some(first as u32)
}

/// Runs `which` on `p` over `n_sources` outlets; `by_name` orders the outlets for the prior's objective;
/// `sim(story, a, b)` is the similarity of two classes of a story (TruthFinder only); `omits(story, a, b)`
/// says class a leaves out some of class b's items (em over list values only, `None` otherwise); `groups`
/// gives each outlet's group (by outlet id; `u32::MAX` none) and the number of groups, for em over free
/// values, whose every iteration then draws each outlet's θ toward its own group's prior
/// ([`super::prior::Priors`]); empty and 0 without groups.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
    p: &Problem,
    which: Which,
    n_sources: usize,
    by_name: &[usize],
    relay_weight: f64,
    sim: &(dyn Fn(usize, u32, u32) -> f64 + Sync),
    omits: Option<&(dyn Fn(usize, u32, u32) -> bool + Sync)>,
    groups: (&[u32], usize),
) -> Fit {
    let mut fit = match which {
        Which::Vote => vote(p, n_sources),
        Which::Em if !matches!(p.classes, Classes::PerStory { .. }) => em_labels(p, n_sources),
        Which::Em => em(p, n_sources, by_name, relay_weight, omits, groups),
        Which::DawidSkene => dawid_skene(p, n_sources),
        Which::TruthFinder => truthfinder_with(p, n_sources, sim, super::em::MAX_ITERATIONS),
    };
    // A method's own score says nothing of an outlet it learned nothing of (only relays).
    if let Some(score) = fit.score.as_mut() {
        for (x, own) in score.iter_mut().zip(own_reports(p, n_sources)) {
            if !own {
                *x = f64::NAN;
            }
        }
    }
    fit
}

/// Adds every report of story `s` with its class posterior `post` as a known soft outcome, to its outlet's
/// record and (with topics) its cell.
fn add_known(tallies: &mut [Tally], cells: &mut TopicCells, p: &Problem, s: usize, post: &[f64]) {
    let first = p.start[s] as usize;
    for (k, u) in p.story(s).iter().enumerate() {
        let c = post[u.class as usize];
        if !c.is_nan() {
            tallies[u.source as usize].add(c, true, u.relay, super::FULL_WEIGHT);
            p.add_to_cell(cells, first + k, c, true);
        }
    }
}

fn vote(p: &Problem, n_sources: usize) -> Fit {
    let mut tallies = vec![Tally::default(); n_sources];
    let mut topic_cells = TopicCells::new();
    let mut posterior = vec![f64::NAN; *p.post_start.last().unwrap_or(&0) as usize];
    for s in 0..p.stories() {
        let post = &mut posterior[p.post(s)];
        if let Some(fixed) = p.settled_posterior(s) {
            post.copy_from_slice(&fixed);
        } else if let Some(w) = plurality(p.story(s), post.len()) {
            post.fill(0.0);
            post[w as usize] = 1.0;
        }
        add_known(&mut tallies, &mut topic_cells, p, s, post);
    }
    // Number stories: the median of the votes, majority vote's numeric counterpart.
    let estimate = p.numbers.as_ref().map(|_| {
        let mut xs = Vec::new();
        (0..p.stories())
            .map(|s| {
                let (x, _, _) = p.numbers_of(s).expect("number stories have numbers");
                xs.clear();
                xs.extend(p.story(s).iter().filter(|u| !u.relay).map(|u| x[u.class as usize]));
                xs.sort_by(f64::total_cmp);
                super::numeric::median_sorted(&xs)
            })
            .collect()
    });
    Fit {
        numbers: None,
        tallies,
        posterior,
        score: None,
        iterations: (0, true, 0.0),
        estimate,
        omission_share: None,
        coincidence: None,
        topic_cells,
    }
}

/// Each outlet's share of agreement with its stories' plurality, smoothed by one agreement and one
/// disagreement (the starting point of em, as in [`super::em`]).
fn majority_start(p: &Problem, n_sources: usize) -> Vec<f64> {
    let mut agree = vec![(1.0, 2.0); n_sources];
    for s in 0..p.stories() {
        let us = p.story(s);
        let fixed = p.settled_posterior(s);
        let winner = plurality(us, p.classes.count(s));
        for u in us.iter().filter(|u| !u.relay) {
            let hit = match (fixed, winner) {
                (Some(f), _) => f[u.class as usize],
                (None, Some(w)) => f64::from(u.class == w),
                (None, None) => continue,
            };
            let a = &mut agree[u.source as usize];
            a.0 += hit;
            a.1 += 1.0;
        }
    }
    agree.into_iter().map(|(hit, all)| hit / all).collect()
}

/// The number of hypotheses em weighs on story `s`: its classes, plus "none of them" for free values
/// other than numbers.
fn hypotheses(p: &Problem, s: usize) -> usize {
    match p.classes {
        Classes::PerStory { .. } if p.numbers.is_none() => p.classes.count(s) + 1,
        _ => p.classes.count(s),
    }
}

/// A report's contribution to its outlet's record: (its index among its story's reports, probability
/// correct, known).
pub(crate) type Contribution = (u32, f64, bool);

/// em's share of wrong reports that leave items out of the truth, before the first M-step.
pub const OMISSION_START: f64 = 0.5;

/// The omission model of one list-valued story for em: `omitted[g * m + f]` says class g's items are a
/// proper subset of class f's (g leaves out some of f's items), over its `m` classes.
struct Omissions<'a> {
    omitted: &'a [bool],
    /// The share π of wrong reports that are omissions.
    share: f64,
}

impl Omissions<'_> {
    /// ln of each wrong report's weight against the model without omissions, `w[v * k + h]` for the
    /// report `v` under the hypothesis `h` (`k` hypotheses, the last "none of them"; 0 where `v = h`). An
    /// outlet that is wrong gives an omission of the truth with probability π, spread over the claimed
    /// omissions of `h`, and any other value with probability 1 − π, of which a given value gets
    /// `min(ρ, 1/(k − 1 − n))` (the other slots are the claimed values that are not omissions of `h` and
    /// the unclaimed rest); without omissions a given value gets `min(ρ, 1/(k − 1))` ([`wrong_share`]), so
    /// the weights are those over it. With ρ = 1 they are π(k − 1)/n and (1 − π)(k − 1)/(k − 1 − n), the
    /// one-coin model's.
    fn log_weights(&self, m: usize, k: usize, rho: f64) -> Vec<f64> {
        let km1 = (k - 1) as f64;
        let base = wrong_share(k, rho);
        let mut w = vec![0.0; m * k];
        for h in 0..k {
            let n = (0..m).filter(|&g| h < m && self.omitted[g * m + h]).count() as f64;
            let omission = (self.share / n.max(1.0) / base).ln();
            let other = ((1.0 - self.share) * rho.min(1.0 / (km1 - n)) / base).ln();
            for v in (0..m).filter(|&v| v != h) {
                w[v * k + h] = if h < m && self.omitted[v * m + h] {
                    omission
                } else {
                    other
                };
            }
        }
        w
    }
}

/// The chance em gives a wrong report of naming one given value on a story of `k` hypotheses (its values
/// and "none of them"): the fitted coincidence ρ, at most 1/(k − 1), where ρ would give the other
/// hypotheses more than all of a wrong report's probability. ρ = 1 gives the one-coin model's 1/(k − 1).
pub(crate) fn wrong_share(k: usize, rho: f64) -> f64 {
    rho.min(1.0 / (k.max(2) - 1) as f64)
}

/// For copy detection ([`super::copying::Judgement`]): the chance that an outlet that is wrong names class
/// `v` of a story with `hypotheses` hypotheses (its classes, plus "none of them" for free values other
/// than numbers), under em's error model (the coincidence `rho`) and the story's posterior `post` over its
/// classes (what they leave is "none of them"). Without omissions it is [`wrong_share`]; with the
/// omission model of lists (`omissions`: the story's omission matrix and the share π) it is the
/// posterior-weighted chance under the hypotheses other than `v`, `Σ_{h ≠ v} P(h)·w(v, h)·wrong_share /
/// Σ_{h ≠ v} P(h)`, so that an omission of a likely truth (a first-author-only list, which wrong stores
/// give often and independently) is a common error and a list of strangers a rare one.
pub(crate) fn wrong_spread(
    post: &[f64],
    v: usize,
    hypotheses: usize,
    rho: f64,
    omissions: Option<(&[bool], f64)>,
) -> f64 {
    let base = wrong_share(hypotheses, rho);
    let Some((omitted, share)) = omissions else {
        return base;
    };
    let m = post.len();
    let weights = Omissions { omitted, share }.log_weights(m, hypotheses, rho);
    let none = (1.0 - post.iter().sum::<f64>()).max(0.0);
    let (mut num, mut den) = (0.0, 0.0);
    for h in (0..hypotheses).filter(|&h| h != v) {
        let ph = if h < m { post[h] } else { none };
        num += ph * weights[v * hypotheses + h].exp();
        den += ph;
    }
    if den > 0.0 {
        (num / den * base).clamp(1e-12, 1.0)
    } else {
        base
    }
}

/// What one story adds to the M-steps of em's error model, expected under its posterior.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct WrongCounts {
    /// With omissions (list values): wrong votes, and those of them that are omissions of the truth.
    wrong: f64,
    omitting: f64,
    /// Pairs of wrong votes (other than omissions), and those of them naming the same value.
    pairs: f64,
    coinciding: f64,
}

impl std::ops::AddAssign for WrongCounts {
    fn add_assign(&mut self, o: WrongCounts) {
        self.wrong += o.wrong;
        self.omitting += o.omitting;
        self.pairs += o.pairs;
        self.coinciding += o.coinciding;
    }
}

/// One story's em step: the reports' leave-own-vote-out probabilities and the story's posterior, with
/// wrong reports naming a given value with chance [`wrong_share`] of the coincidence `rho`; also what
/// the story adds to the M-steps of ρ and, with `omissions` (list values), of π.
fn em_story(
    p: &Problem,
    s: usize,
    log_theta: &[(f64, f64)],
    omissions: Option<&Omissions>,
    rho: f64,
    out: &mut Vec<Contribution>,
) -> (Vec<f64>, WrongCounts) {
    let us = p.story(s);
    let m = p.classes.count(s);
    if let Some(fixed) = p.settled_posterior(s) {
        for (k, u) in us.iter().enumerate() {
            out.push((k as u32, fixed[u.class as usize], true));
        }
        return (fixed.to_vec(), WrongCounts::default());
    }
    let k = hypotheses(p, s);
    // A wrong report's chance of naming a given value is 1/km1.
    let km1 = 1.0 / wrong_share(k, rho);
    let ln_km1 = km1.ln();
    let vote = |source: u32| {
        let (a, b) = log_theta[source as usize];
        (a, b - ln_km1)
    };
    let weights = omissions.map(|o| o.log_weights(m, k, rho));
    let voters = us.iter().filter(|u| !u.relay).count();
    if weights.is_none() && k > WIDE_STORY {
        return wide_story(p, s, vote, km1, voters, out);
    }
    let mut l = vec![0.0; k];
    for u in us.iter().filter(|u| !u.relay) {
        let (hit, miss) = vote(u.source);
        for x in l.iter_mut() {
            *x += miss;
        }
        l[u.class as usize] += hit - miss;
        if let Some(w) = &weights {
            let row = &w[u.class as usize * k..(u.class as usize + 1) * k];
            for (x, wx) in l.iter_mut().zip(row) {
                *x += wx;
            }
        }
    }
    let mut post = vec![0.0; k];
    softmax_into(&l, &mut post);
    let mut wrong = WrongCounts::default();
    let omitted = |v: usize, h: usize| omissions.is_some_and(|o| h < m && o.omitted[v * m + h]);
    if omissions.is_some() {
        for u in us.iter().filter(|u| !u.relay) {
            let v = u.class as usize;
            for (h, &ph) in post.iter().enumerate().filter(|&(h, _)| h != v) {
                wrong.wrong += ph;
                if omitted(v, h) {
                    wrong.omitting += ph;
                }
            }
        }
    }
    let omitted: Option<&dyn Fn(usize, usize) -> bool> = omissions.is_some().then_some(&omitted);
    (wrong.pairs, wrong.coinciding) = coincidences(&vote_counts(us, m), &post, omitted);
    let mut cavity = vec![0.0; k];
    let mut prob = vec![0.0; k];
    for (i, u) in us.iter().enumerate() {
        if !u.relay && voters < 2 {
            continue;
        }
        cavity.copy_from_slice(&l);
        let row = weights
            .as_ref()
            .map(|w| &w[u.class as usize * k..(u.class as usize + 1) * k]);
        if !u.relay {
            let (hit, miss) = vote(u.source);
            for x in cavity.iter_mut() {
                *x -= miss;
            }
            cavity[u.class as usize] -= hit - miss;
            if let Some(row) = row {
                for (x, wx) in cavity.iter_mut().zip(row) {
                    *x -= wx;
                }
            }
        }
        softmax_into(&cavity, &mut prob);
        // The report's likelihood given the others is c·θ + (1 − θ)·R/km1, R = Σ_{h ≠ v} P(h)·w(v, h)
        // (R = 1 − c without omissions, where an outlet that is wrong names this value with probability
        // 1/km1 only, the wrong share ρ). Rescaled to the record's form c′·θ + (1 − c′)(1 − θ),
        // c′ = c·km1 / (c·km1 + R); in the one-coin model (km1 = k − 1) that is ½ at the uninformative
        // c = 1/k.
        let c = prob[u.class as usize];
        let c = match row {
            None => c * km1 / (c * km1 + 1.0 - c),
            Some(row) => {
                let rest: f64 = prob
                    .iter()
                    .zip(row)
                    .enumerate()
                    .filter(|&(h, _)| h != u.class as usize)
                    .map(|(_, (ph, wx))| ph * wx.exp())
                    .sum();
                c * km1 / (c * km1 + rest)
            }
        };
        out.push((i as u32, super::em::rounded(c), false));
    }
    post.truncate(m);
    (post, wrong)
}

/// Hypotheses beyond which a story without omissions takes [`wide_story`]'s path, linear in its reports and
/// values; below it [`em_story`] adds each vote to every hypothesis, as it always has (the same bits). Not
/// the linear path everywhere: it sums in another order, so values that tie exactly can tie a last bit
/// apart and the other one win (5 stories of Population as text, their probabilities unchanged).
const WIDE_STORY: usize = 64;

/// [`em_story`] on a story of many values and no omissions (`k > WIDE_STORY`), in time linear in its
/// reports and values, where adding each vote to every hypothesis is quadratic when most reports name a
/// value of their own (20,000 reports on a story took minutes). Every vote adds its miss to every
/// hypothesis, a constant that no posterior sees, so a hypothesis's log-likelihood is the sum of its own
/// voters' `hit − miss`, "none of them" 0; a report's cavity differs from the story only in its own
/// value's term, so `c = 1 / (1 + others · e^(d − l_v))`, `others` the story's other hypotheses' total
/// (from prefix and suffix sums, not a difference that could cancel) and `d` the report's `hit − miss`.
fn wide_story(
    p: &Problem,
    s: usize,
    vote: impl Fn(u32) -> (f64, f64),
    km1: f64,
    voters: usize,
    out: &mut Vec<Contribution>,
) -> (Vec<f64>, WrongCounts) {
    let us = p.story(s);
    let (m, k) = (p.classes.count(s), hypotheses(p, s));
    let mut l = vec![0.0; k];
    for u in us.iter().filter(|u| !u.relay) {
        let (hit, miss) = vote(u.source);
        l[u.class as usize] += hit - miss;
    }
    let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = l.iter().map(|x| (x - top).exp()).collect();
    let total: f64 = e.iter().sum();
    let mut post: Vec<f64> = e.iter().map(|x| x / total).collect();
    // Prefix and suffix sums: the total of every hypothesis but one, without cancellation.
    let mut before = vec![0.0; k + 1];
    for h in 0..k {
        before[h + 1] = before[h] + e[h];
    }
    let mut after = vec![0.0; k + 1];
    for h in (0..k).rev() {
        after[h] = after[h + 1] + e[h];
    }
    let mut wrong = WrongCounts::default();
    (wrong.pairs, wrong.coinciding) = coincidences(&vote_counts(us, m), &post, None);
    for (i, u) in us.iter().enumerate() {
        if !u.relay && voters < 2 {
            continue;
        }
        let v = u.class as usize;
        let d = if u.relay {
            0.0
        } else {
            let (hit, miss) = vote(u.source);
            hit - miss
        };
        let others = before[v] + after[v + 1];
        let c = 1.0 / (1.0 + others * (d - (l[v] - top)).exp());
        let c = c * km1 / (c * km1 + 1.0 - c);
        out.push((i as u32, super::em::rounded(c), false));
    }
    post.truncate(m);
    (post, wrong)
}

/// The votes (reports other than relays) for each of a story's `m` values.
fn vote_counts(us: &[Unit], m: usize) -> Vec<f64> {
    let mut votes = vec![0.0f64; m];
    for u in us.iter().filter(|u| !u.relay) {
        votes[u.class as usize] += 1.0;
    }
    votes
}

/// For ρ's M-step: the pairs of wrong votes on a story and those of them naming the same value, expected
/// under the posterior `post` over its hypotheses (its values, then "none of them"), from the votes per
/// value; a vote that is an omission of the hypothesis (`omitted(v, h)`, lists) is not among its wrong
/// votes here, since omissions have their own share π.
fn coincidences(votes: &[f64], post: &[f64], omitted: Option<&dyn Fn(usize, usize) -> bool>) -> (f64, f64) {
    let (mut pairs, mut coinciding) = (0.0, 0.0);
    let Some(omitted) = omitted else {
        // Without omissions the wrong votes under h are all but h's own: O(m), not O(m²), per story.
        let n: f64 = votes.iter().sum();
        let same: f64 = votes.iter().map(|c| c * (c - 1.0) / 2.0).sum();
        for (h, &ph) in post.iter().enumerate() {
            let c = votes.get(h).copied().unwrap_or(0.0);
            pairs += ph * (n - c) * (n - c - 1.0) / 2.0;
            coinciding += ph * (same - c * (c - 1.0) / 2.0);
        }
        return (pairs, coinciding);
    };
    for (h, &ph) in post.iter().enumerate() {
        let (mut n, mut same) = (0.0, 0.0);
        for (v, &c) in votes.iter().enumerate() {
            if v != h && !omitted(v, h) {
                n += c;
                same += c * (c - 1.0) / 2.0;
            }
        }
        pairs += ph * n * (n - 1.0) / 2.0;
        coinciding += ph * same;
    }
    (pairs, coinciding)
}

/// em's chance that a wrong report names one given value, before the first M-step: 1, the one-coin model
/// (`wrong_share` caps it at 1/(k − 1) on every story).
pub const COINCIDENCE_START: f64 = 1.0;

/// ρ's M-step, by a half step as θ's: the share of pairs of wrong reports on a story that name the same
/// value, expected under the posterior, under a uniform prior. Where wrong values are spread evenly over
/// `1/ρ` values two of them coincide with probability ρ, so the share estimates the chance that a wrong
/// report names a given value; over claims with free values (a population, a date, a name) it is far
/// below the one-coin model's 1/(k − 1) (0.098 on the population data set, where most stories have two
/// or three values).
fn rho_step(rho: f64, counts: &WrongCounts) -> f64 {
    0.5 * (rho + (counts.coinciding + 1.0) / (counts.pairs + 2.0))
}

/// em over free values. With `omits` (list values: `omits(story, g, f)` when class g's items are a proper
/// subset of class f's) a wrong report that leaves items out of the truth is told apart from other wrong
/// reports, with the share π of omissions among wrong reports fitted in the M-step ([`Omissions`]). With
/// `groups` (outlet → group, and the number of groups) each group's prior is refitted every iteration over
/// its own outlets, as in [`super::em`], and each θ moves toward its posterior mean under its group's prior.
fn em(
    p: &Problem,
    n_sources: usize,
    by_name: &[usize],
    relay_weight: f64,
    omits: Option<&(dyn Fn(usize, u32, u32) -> bool + Sync)>,
    (groups, n_groups): (&[u32], usize),
) -> Fit {
    let group = |i: usize| groups.get(i).copied().unwrap_or(u32::MAX);
    let ordered_groups: Vec<u32> = by_name.iter().map(|&i| group(i)).collect();
    let mut theta = majority_start(p, n_sources);
    let omitted: Option<Vec<Vec<bool>>> = omits.map(|omits| {
        (0..p.stories())
            .into_par_iter()
            .map(|s| {
                let m = p.classes.count(s);
                (0..m * m)
                    .map(|i| i / m != i % m && omits(s, (i / m) as u32, (i % m) as u32))
                    .collect()
            })
            .collect()
    });
    let mut share = OMISSION_START;
    let mut rho = COINCIDENCE_START;
    let (mut iterations, mut converged) = (0, false);
    let mut last_prior: Option<Priors> = None;
    let mut accelerating: Option<Vec<f64>> = None;
    let (mut best, mut since_best, mut last_change) = (f64::INFINITY, 0, f64::NAN);
    // Number stories: the good reports' kernel, refitted every iteration (`numeric`), never narrower than
    // the data can tell (`Numbers::finest_scale`).
    let finest = p
        .numbers
        .as_ref()
        .map_or(super::numeric::MIN_SCALE, super::numeric::Numbers::finest_scale);
    let mut kernel = p.numbers.as_ref().map(|_| {
        super::numeric::start_scale((0..p.stories()).map(|s| {
            let (_, t, _) = p.numbers_of(s).expect("number stories have numbers");
            (p.story(s), t)
        }))
    });
    loop {
        // Every outlet's (ln θ, ln(1 − θ)); number stories (all of a number run's) take (θ, 1 − θ) as they
        // are instead (`numeric::vote`), so only one of the two is built.
        let clamped = theta.iter().map(|&t| t.clamp(1e-9, 1.0 - 1e-9));
        let (log_theta, theta_pairs): (Vec<_>, Vec<_>) = if p.numbers.is_some() {
            (Vec::new(), clamped.map(|t| (t, 1.0 - t)).collect())
        } else {
            (clamped.map(|t| (t.ln(), (1.0 - t).ln())).collect(), Vec::new())
        };
        let g = p.numbers.as_ref().map_or(0.0, |n| n.background());
        // Per story: the reports' contributions, the posterior, the wrong reports' and omissions' expected
        // counts, and for number stories the estimate μ (on the transformed scale) and the story's votes for
        // the kernel's M-step at μ.
        type Step = (
            Vec<Contribution>,
            Vec<f64>,
            WrongCounts,
            f64,
            Vec<super::numeric::ScaleVote>,
        );
        let per_story: Vec<Step> = (0..p.stories())
            .into_par_iter()
            .map(|s| {
                let mut out = Vec::new();
                match (&p.numbers, &kernel) {
                    (Some(_), Some(k)) => {
                        let (_, t, w, side) = p.number_sides(s).expect("number stories have numbers");
                        let story = super::numeric::NumberStory {
                            units: p.story(s),
                            t,
                            w,
                            side,
                            theta: &theta_pairs,
                            kernel: k,
                            g,
                        };
                        let post = super::numeric::story(&story, &mut out);
                        // The estimate's climb starts at the most probable value; a tie (however it
                        // rounded) at the smaller number, whatever order the values were read in.
                        let best = super::decide(&post, |a, b| t[a].total_cmp(&t[b])).map_or(0, |d| d.0);
                        let mu = super::numeric::estimate(&story, t[best]);
                        let mut votes = Vec::new();
                        super::numeric::scale_votes(&story, mu, &mut votes);
                        (out, post, WrongCounts::default(), mu, votes)
                    }
                    _ => {
                        let o = omitted.as_ref().map(|t| Omissions { omitted: &t[s], share });
                        let (post, wrong) = em_story(p, s, &log_theta, o.as_ref(), rho, &mut out);
                        (out, post, wrong, f64::NAN, Vec::new())
                    }
                }
            })
            .collect();
        // This E-step is the last when the previous iteration settled it; only the last fills topic cells.
        let last = converged || iterations >= super::em::MAX_ITERATIONS || since_best >= STALL;
        let mut tallies = vec![Tally::default(); n_sources];
        let mut topic_cells = TopicCells::new();
        let mut posterior = Vec::with_capacity(*p.post_start.last().unwrap_or(&0) as usize);
        let mut wrong = WrongCounts::default();
        let mut scale_votes = Vec::new();
        let mut estimate = Vec::new();
        for (s, (out, post, w, mu, votes)) in per_story.into_iter().enumerate() {
            let (first, us) = (p.start[s] as usize, p.story(s));
            for (k, c, known) in out {
                let u = us[k as usize];
                tallies[u.source as usize].add(c, known, u.relay, super::FULL_WEIGHT);
                if last {
                    p.add_to_cell(&mut topic_cells, first + k as usize, c, known);
                }
            }
            posterior.extend(post);
            wrong += w;
            scale_votes.extend(votes);
            estimate.push(mu);
        }
        if last {
            let estimate = p
                .numbers
                .as_ref()
                .map(|n| estimate.into_iter().map(|mu| n.number(mu)).collect());
            return Fit {
                numbers: p.numbers.as_ref().zip(kernel.as_ref()).map(|(n, k)| n.fitted(k)),
                tallies,
                posterior,
                score: None,
                iterations: (iterations, converged, last_change),
                estimate,
                omission_share: omitted.as_ref().map(|_| share),
                coincidence: p.numbers.is_none().then_some(rho),
                topic_cells,
            };
        }
        iterations += 1;
        let records: Vec<Record> = tallies.par_iter().map(|t| t.finish(relay_weight).0).collect();
        let ordered: Vec<&Record> = by_name.iter().map(|&i| &records[i]).collect();
        // Warm: the last iteration's priors are where this one's searches start (`Prior::fit_near`).
        let priors = Priors::fit_near(&ordered, &ordered_groups, n_groups, last_prior.as_ref());
        // Half steps: a full step can flip two sources that disagree on a story between "both right" and
        // "both wrong" for ever (each one's judge is the other), a period-two cycle that the population
        // data set hits; half steps have the same fixed points and damp the cycle.
        let next: Vec<f64> = records
            .par_iter()
            .zip(&theta)
            .enumerate()
            .map(|(i, (r, &t))| {
                let prior = priors.of(group(i));
                0.5 * (t + r.posterior_mean(prior.alpha, prior.beta))
            })
            .collect();
        let mut moved = theta.iter().zip(&next).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        if omitted.is_some() {
            // π's M-step under a uniform prior, by half steps as θ.
            let next_share = 0.5 * (share + (wrong.omitting + 1.0) / (wrong.wrong + 2.0));
            moved = moved.max((next_share - share).abs());
            share = next_share;
        }
        if p.numbers.is_none() {
            let next_rho = rho_step(rho, &wrong);
            moved = moved.max((next_rho - rho).abs());
            rho = next_rho;
        }
        let current_b = kernel.map_or(f64::NAN, |k| k.b);
        if let (Some(k), Some(n)) = (kernel, &p.numbers) {
            // The kernel's M-step; its relative change counts towards convergence as a reliability's does.
            let fitted = super::numeric::fit_scale(&scale_votes, g, finest, n.range(), k);
            moved = moved.max((fitted.b - k.b).abs() / k.b);
            kernel = Some(fitted);
        }
        if std::env::var_os("CREDENCE_TIMING").is_some() {
            let scale = kernel.map_or_else(String::new, |k| format!(", kernel scale {:.6e}", k.b));
            let omissions = omitted
                .as_ref()
                .map_or_else(String::new, |_| format!(", omissions {share:.4}"));
            let coincidence = if p.numbers.is_none() {
                format!(", coincidence {rho:.4}")
            } else {
                String::new()
            };
            eprintln!("em (values): iteration {iterations}: largest change {moved:.3e}{omissions}{coincidence}{scale}");
        }
        converged = moved < super::em::TOLERANCE;
        let mut next = next;
        if let Some(k) = kernel.as_mut().filter(|_| !converged) {
            // Number stories: SQUAREM every third step (`squarem`).
            let state = |theta: &[f64], b: f64| {
                let mut x: Vec<f64> = theta.iter().map(|&t| super::em::logit(t)).collect();
                x.push(b.ln());
                x
            };
            match iterations % 3 {
                1 => accelerating = Some(state(&theta, current_b)),
                2 => {
                    if let Some(s0) = accelerating.take() {
                        let (s1, s2) = (state(&theta, current_b), state(&next, k.b));
                        let x = squarem(&s0, &s1, &s2, SQUAREM_STEP);
                        let (theta_x, b) = x.split_at(theta.len());
                        next = theta_x.iter().map(|&l| super::em::sigmoid(l)).collect();
                        *k = super::numeric::Kernel::new(b[0].exp().max(finest));
                    }
                }
                _ => {}
            }
        }
        theta = next;
        last_prior = Some(priors);
        last_change = moved;
        if moved < STALL_SHRINK * best {
            (best, since_best) = (moved, 0);
        } else {
            since_best += 1;
        }
    }
}

/// The largest SQUAREM step length |α| (`squarem`).
const SQUAREM_STEP: f64 = 16.0;

/// Posteriors on the log scale for SQUAREM (`em_labels`), a zero (an underflowed class) held at
/// `ln 1e-300` so that differences stay finite.
fn log_state(t: &[f64]) -> Vec<f64> {
    t.iter().map(|&x| x.max(1e-300).ln()).collect()
}

/// One SQUAREM extrapolation (Varadhan & Roland, Scand. J. Statist. 2008, scheme S3) from three
/// successive iterates `s0`, `s1 = F(s0)`, `s2 = F(s1)` of a fixed-point map: with `r = s1 − s0` and
/// `v = s2 − 2 s1 + s0`, the step `s0 − 2α r + α² v` with `α = −‖r‖ / ‖v‖`, kept within `[−max_step, −1]`
/// (α = −1 gives `s2` itself). For a map that contracts linearly at rate λ along one direction the S3 step
/// with α = −1 / (1 − λ) lands on the fixed point; the iteration's slow modes are such directions. Norms are
/// summed in order, so the result does not depend on scheduling.
pub(crate) fn squarem(s0: &[f64], s1: &[f64], s2: &[f64], max_step: f64) -> Vec<f64> {
    squarem_within(s0, s1, s2, 1.0, max_step)
}

/// [`squarem`] with the step length |α| kept within `[min_step, max_step]`.
pub(crate) fn squarem_within(s0: &[f64], s1: &[f64], s2: &[f64], min_step: f64, max_step: f64) -> Vec<f64> {
    let (mut rr, mut vv) = (0.0, 0.0);
    for ((a, b), c) in s0.iter().zip(s1).zip(s2) {
        let (r, v) = (b - a, c - 2.0 * b + a);
        rr += r * r;
        vv += v * v;
    }
    let alpha = if vv > 0.0 {
        -(rr / vv).sqrt().clamp(min_step, max_step)
    } else {
        -1.0
    };
    s0.iter()
        .zip(s1)
        .zip(s2)
        .map(|((a, b), c)| {
            let (r, v) = (b - a, c - 2.0 * b + a);
            a - 2.0 * alpha * r + alpha * alpha * v
        })
        .collect()
}

/// The starting posterior of every story: its share of votes per class (a resolution where there is one;
/// uniform without votes). Dawid–Skene's start, and em's over a shared label set.
fn vote_shares(p: &Problem, n_classes: usize) -> Vec<f64> {
    let total = *p.post_start.last().unwrap_or(&0) as usize;
    let mut t = vec![0.0; total];
    for s in 0..p.stories() {
        let post = &mut t[p.post(s)];
        if let Some(fixed) = p.settled_posterior(s) {
            post.copy_from_slice(&fixed);
            continue;
        }
        let voters = p.story(s).iter().filter(|u| !u.relay).count();
        for u in p.story(s).iter().filter(|u| !u.relay) {
            post[u.class as usize] += 1.0 / voters as f64;
        }
        if voters == 0 {
            post.fill(1.0 / n_classes as f64);
        }
    }
    t
}

/// The Dirichlet strength `s` that maximises the marginal likelihood of the rows `counts` (one row of
/// `m.len()` fractional counts per outlet) under `Dirichlet(s·m)` ([`super::ratings::log_marginal`]),
/// searched on log s in [[`MIN_STRENGTH`], [`MAX_STRENGTH`]] by Brent's method (the objective is smooth
/// and, in practice, unimodal in log s).
///
/// This runs for every class in every iteration, and with many labels it was most of em's time: 150
/// labels took 49 s. Two savings, the same objective: the rows' `ln Γ(s·m_l)` terms are one term times
/// the number of rows with a count in column l, and Brent's method needs about a dozen evaluations where
/// golden section's fixed 60 rounds took 62 (session 19).
fn dirichlet_strength(counts: &[f64], m: &[f64]) -> f64 {
    let (rows, totals): (Vec<&[f64]>, Vec<f64>) = counts
        .chunks(m.len())
        .map(|r| (r, r.iter().sum::<f64>()))
        .filter(|&(_, n)| n > 0.0)
        .unzip();
    if rows.is_empty() {
        return MAX_STRENGTH;
    }
    let mut used = vec![0u32; m.len()];
    for r in &rows {
        for (u, &c) in used.iter_mut().zip(r.iter()) {
            *u += u32::from(c > 0.0);
        }
    }
    let objective = |log_s: f64| {
        let s = log_s.exp();
        let mut total = rows.len() as f64 * ln_gamma(s) - totals.iter().map(|&n| ln_gamma(s + n)).sum::<f64>();
        for (l, (&k, &ml)) in used.iter().zip(m).enumerate() {
            if k == 0 {
                continue;
            }
            let a = s * ml;
            total -= f64::from(k) * ln_gamma(a);
            total += rows
                .iter()
                .map(|r| r[l])
                .filter(|&c| c > 0.0)
                .map(|c| ln_gamma(a + c))
                .sum::<f64>();
        }
        total
    };
    let (lo, hi) = (MIN_STRENGTH.ln(), MAX_STRENGTH.ln());
    // Rows that agree with the mean want full pooling, the upper bound, and rows that each hold one label
    // want none, the lower; Brent's method would close in on a bound by some 40 golden-section steps. The
    // objective being unimodal, not falling at a bound (beyond rounding: far out it is flat to the last
    // bits, and golden section, too, went right on a tie) means the maximum is there.
    let at_least = |a: f64, b: f64| a >= b - 8.0 * f64::EPSILON * a.abs();
    let top = objective(hi);
    if at_least(top, objective(hi - BOUND_STEP)) {
        return MAX_STRENGTH;
    }
    let bottom = objective(lo);
    if at_least(bottom, objective(lo + BOUND_STEP)) && bottom > top {
        return MIN_STRENGTH;
    }
    super::ratings::brent_max(objective, lo, hi, 1e-10).0.exp()
}

/// The step on ln s inside [`MIN_STRENGTH`] and [`MAX_STRENGTH`] at which [`dirichlet_strength`] checks
/// whether the marginal likelihood still rises toward a bound.
const BOUND_STEP: f64 = 1e-3;

/// Bounds of the Dirichlet strength em fits to each true class's confusion rows.
const MIN_STRENGTH: f64 = 0.1;
const MAX_STRENGTH: f64 = 1e5;

/// What one story gives em over a shared label set: its posterior, and per report its probability of
/// being correct (the class it claims under the cavity without its own vote; under the resolution on a
/// settled story; under the whole posterior for a relay, which is not a vote) and whether that is known.
/// A vote alone on its story gets none.
type LabelsStep = (Vec<f64>, Vec<Contribution>);

fn labels_story(p: &Problem, s: usize, nc: usize, log_prior: &[f64], log_m: &[f64]) -> LabelsStep {
    labels_story_judging(p, s, nc, log_prior, log_m, true)
}

/// [`labels_story`], judging the reports (each one's cavity) only with `judge`: the iteration reads the
/// posteriors alone, and the reports are judged once, when it ends.
fn labels_story_judging(p: &Problem, s: usize, nc: usize, log_prior: &[f64], log_m: &[f64], judge: bool) -> LabelsStep {
    let nn = nc * nc;
    let us = p.story(s);
    if let Some(fixed) = p.settled_posterior(s) {
        return (
            fixed.to_vec(),
            us.iter()
                .enumerate()
                .map(|(k, u)| (k as u32, fixed[u.class as usize], true))
                .collect(),
        );
    }
    let row = |u: &Unit, j: usize| log_m[u.source as usize * nn + j * nc + u.class as usize];
    let mut l = log_prior.to_vec();
    let voters = us.iter().filter(|u| !u.relay).count();
    for u in us.iter().filter(|u| !u.relay) {
        for (j, x) in l.iter_mut().enumerate() {
            *x += row(u, j);
        }
    }
    let mut post = vec![0.0; nc];
    softmax_into(&l, &mut post);
    if !judge {
        return (post, Vec::new());
    }
    let mut judged = Vec::with_capacity(us.len());
    let (mut cavity, mut prob) = (vec![0.0; nc], vec![0.0; nc]);
    for (k, u) in us.iter().enumerate() {
        if u.relay {
            judged.push((k as u32, against_chance(&post, u, nc, log_m), false));
            continue;
        }
        if voters < 2 {
            continue;
        }
        for (j, c) in cavity.iter_mut().enumerate() {
            *c = l[j] - row(u, j);
        }
        softmax_into(&cavity, &mut prob);
        judged.push((k as u32, against_chance(&prob, u, nc, log_m), false));
    }
    (post, judged)
}

/// Report `u`'s probability of naming the truth, as the factor it enters its outlet's record with, from
/// `p`, the story's class probabilities it is judged by. With c = p[u's class], the report's likelihood
/// in its outlet's reliability θ is c·θ + q·(1 − θ), where q = Σ_{t ≠ u's class} p[t]·e(t), e(t) the chance
/// that a wrong report on a story of truth t names u's class: the outlet's own confusion row for t
/// (`log_m`) with its right answer taken out and renormalised (a wrong report over nc labels names one of
/// the other nc − 1, the ones it confuses more often). Up to a constant that is the record's factor
/// c′·θ + (1 − c′)(1 − θ) with c′ = c / (c + q). On two labels q = 1 − c and c′ = c. On more, a report
/// judged at chance is no evidence (with even errors c = 1/nc gives c′ = ½), where entered as c it
/// counted against its outlet whenever the other votes said little: four workers over three labels, right
/// 81% to 28% of the time, all came out below 0.01 (audit, session 23).
fn against_chance(p: &[f64], u: &Unit, nc: usize, log_m: &[f64]) -> f64 {
    let r = u.class as usize;
    let c = p[r];
    if nc <= 2 {
        return c;
    }
    let rows = &log_m[u.source as usize * nc * nc..(u.source as usize + 1) * nc * nc];
    let q: f64 = (0..nc)
        .filter(|&t| t != r)
        .map(|t| {
            let row = &rows[t * nc..(t + 1) * nc];
            let wrong = 1.0 - row[t].exp();
            if wrong > 0.0 { p[t] * row[r].exp() / wrong } else { 0.0 }
        })
        .sum();
    if c + q > 0.0 { c / (c + q) } else { 0.5 }
}

/// Adds each vote's row of the current posteriors `t` to its outlet's confusion counts
/// (`counts[w][j][l] += t[s][j]` for a vote l by w on story s), story by story; a story that a vote is
/// alone on counts only with `lone` (Dawid–Skene) or when a resolution settles it. With `squares`, also
/// the sum of each row's squared weights (`squares[w][j] += t[s][j]²`), from which [`pooled_rows`] reads
/// how many votes' worth of evidence a row of fractional counts holds.
fn add_confusion(p: &Problem, t: &[f64], nc: usize, lone: bool, counts: &mut [f64], mut squares: Option<&mut [f64]>) {
    let nn = nc * nc;
    for s in 0..p.stories() {
        let voters = p.story(s).iter().filter(|u| !u.relay);
        if !lone && p.settled[s].is_none() && voters.clone().count() < 2 {
            continue;
        }
        for u in voters {
            let w = u.source as usize;
            let m = &mut counts[w * nn..(w + 1) * nn];
            for (j, &x) in t[p.post(s)].iter().enumerate() {
                m[j * nc + u.class as usize] += x;
            }
            if let Some(sq) = squares.as_deref_mut() {
                for (q, &x) in sq[w * nc..(w + 1) * nc].iter_mut().zip(&t[p.post(s)]) {
                    *q += x * x;
                }
            }
        }
    }
}

/// Every outlet's log confusion matrix from its counts (`counts[w][j][l]`, judged truth j, said l), each
/// row pooled toward the population's row for that true class with a fitted strength.
///
/// The strength is fitted to each row at its effective size (Kish's): a row of votes weighted by their
/// posteriors t holds n = Σt votes' worth of counts but varies by chance as (Σt)²/Σt² whole votes would
/// (`squares[w][j]` = Σt²), more than n where the posteriors are unsure. Read as n whole votes, the rows
/// differ from one another less than chance alone would make them, the difference between outlets is
/// taken for noise, and the strength runs to its upper bound: on a planted crowd of three labels and two
/// to five workers a task every worker got the crowd's row, so the stories were judged by a crowd of equal
/// workers and the best workers' records fell toward the middle (session 24). The rows themselves keep
/// their counts; only the fit of the strength reads them rescaled.
fn pooled_rows(counts: &[f64], squares: &[f64], nc: usize, log_m: &mut [f64]) {
    let nn = nc * nc;
    let n_sources = counts.len() / nn;
    let mut rows = Vec::with_capacity(n_sources * nc);
    // The crowd's accuracy over all classes, for the one-coin row that steadies sparse classes' rows.
    let (mut diagonal, mut all) = (0.0, 0.0);
    for (i, &x) in counts.iter().enumerate() {
        all += x;
        if (i % nn) / nc == i % nc {
            diagonal += x;
        }
    }
    let accuracy = if all > 0.0 { diagonal / all } else { 1.0 / nc as f64 };
    let off = if nc > 1 {
        (1.0 - accuracy) / (nc - 1) as f64
    } else {
        0.0
    };
    for j in 0..nc {
        // The population's row: pooled counts plus `nc` pseudo-counts of the one-coin row (the crowd's
        // accuracy on the diagonal, the rest spread evenly), so that a class that is rarely the truth
        // (most of 200 labels) still has a row that says "mostly right" instead of whatever its few
        // stories happened to hold; with thousands of counts a row the pseudo-counts vanish.
        let mut mean: Vec<f64> = (0..nc)
            .map(|l| nc as f64 * if l == j { accuracy } else { off } + 1e-9)
            .collect();
        rows.clear();
        for w in 0..n_sources {
            let r = &counts[w * nn + j * nc..w * nn + (j + 1) * nc];
            for (m, &x) in mean.iter_mut().zip(r) {
                *m += x;
            }
            let (n, sq) = (r.iter().sum::<f64>(), squares[w * nc + j]);
            let effective = if sq > 0.0 { n / sq } else { 1.0 };
            rows.extend(r.iter().map(|&x| x * effective));
        }
        let total: f64 = mean.iter().sum();
        for m in mean.iter_mut() {
            *m /= total;
        }
        let strength = dirichlet_strength(&rows, &mean);
        for w in 0..n_sources {
            let r = &counts[w * nn + j * nc..w * nn + (j + 1) * nc];
            let n: f64 = r.iter().sum();
            for l in 0..nc {
                log_m[w * nn + j * nc + l] = ((r[l] + strength * mean[l]) / (n + strength)).ln();
            }
        }
    }
}

/// em over a shared label set (plain stories or `--value-kind label`): every outlet has a confusion
/// matrix, `M[j][l] = P(says l | truth j)`, as in Dawid–Skene, but each row is pooled toward the
/// population's row for that true class, `Dirichlet(s_j · m̄_j)`, with `m̄_j` the pooled row and the
/// strength `s_j` refitted every iteration by maximum marginal likelihood ([`dirichlet_strength`]). The
/// pooling is what a worker with five answers needs: Laplace smoothing would pull such a worker's
/// rows toward uniform, i.e. toward guessing, where the crowd's rows are a far better guess.
///
/// Two departures from Dawid–Skene, both the rest of the model's rules:
///
/// * an outlet's counts come from the posterior of each story **without its own vote** (the cavity), and
///   a story it is alone on adds nothing: no outlet confirms itself;
/// * each report's probability of being correct is that cavity's weight on the class it claims, recorded
///   as an uncertain factor `c·θ + (1 − c)(1 − θ)` of its outlet's reliability θ (the share of its claims
///   that are right), so the score and its interval come from the same records as every other method's.
fn em_labels(p: &Problem, n_sources: usize) -> Fit {
    em_labels_with(p, n_sources, true)
}

/// [`em_labels`], with SQUAREM (`accelerate`) or as the plain EM iteration.
fn em_labels_with(p: &Problem, n_sources: usize, accelerate: bool) -> Fit {
    let nc = match &p.classes {
        Classes::Binary => 2,
        Classes::Shared(v) => v.len().max(1),
        Classes::PerStory { .. } => unreachable!("em_labels needs a shared label set"),
    };
    let nn = nc * nc;
    let mut t = vote_shares(p, nc);
    // Start: the confusion counts of the vote shares, as Dawid–Skene's.
    let mut counts = vec![0.0; n_sources * nn];
    let mut squares = vec![0.0; n_sources * nc];
    add_confusion(p, &t, nc, false, &mut counts, Some(&mut squares));
    let mut iterations = 0;
    let mut log_m = vec![0.0; n_sources * nn];
    let mut log_prior = vec![-(nc as f64).ln(); nc];
    // SQUAREM's first iterate and the map's input of this iteration, as log posteriors (`log_state`).
    let (mut accelerating, mut input): (Option<Vec<f64>>, Option<Vec<f64>>) = (None, None);
    loop {
        // The posteriors are the whole state of this iteration (the rows and the class prior are read
        // off them), so SQUAREM extrapolates them every third step, on the log scale and renormalised
        // per story: Product took 106 plain iterations, its largest change shrinking by 0.87 a step.
        match (iterations + 1) % 3 {
            1 if accelerate => accelerating = Some(log_state(&t)),
            2 if accelerating.is_some() => input = Some(log_state(&t)),
            _ => {}
        }
        pooled_rows(&counts, &squares, nc, &mut log_m);
        let steps: Vec<LabelsStep> = (0..p.stories())
            .into_par_iter()
            .map(|s| labels_story_judging(p, s, nc, &log_prior, &log_m, false))
            .collect();
        let mut moved: f64 = 0.0;
        for (s, (post, _)) in steps.iter().enumerate() {
            for (old, &new) in t[p.post(s)].iter_mut().zip(post) {
                moved = moved.max((*old - new).abs());
                *old = new;
            }
        }
        let converged = moved < super::em::TOLERANCE;
        // The last iteration's reports judged by the rows and class prior its posteriors came from: the
        // cavity of every report, taken once rather than every iteration.
        let judged: Option<Vec<LabelsStep>> = (converged || iterations + 1 >= super::em::MAX_ITERATIONS).then(|| {
            (0..p.stories())
                .into_par_iter()
                .map(|s| labels_story(p, s, nc, &log_prior, &log_m))
                .collect()
        });
        if let (false, Some(s1)) = (converged, input.take())
            && let Some(s0) = accelerating.take()
        {
            let x = squarem(&s0, &s1, &log_state(&t), SQUAREM_STEP);
            for s in (0..p.stories()).filter(|&s| p.settled_posterior(s).is_none()) {
                let r = p.post(s);
                softmax_into(&x[r.clone()], &mut t[r]);
            }
        }
        let mut class_counts = vec![1.0; nc];
        for s in 0..p.stories() {
            for (cc, &x) in class_counts.iter_mut().zip(&t[p.post(s)]) {
                *cc += x;
            }
        }
        // The M-step reads the whole posterior, own vote included, as Dawid–Skene's does: that is the
        // maximum-likelihood step, and judging each vote by the others alone (tried) underestimates every
        // outlet when stories have few votes (the judge is noisy), which feeds on itself: on the Product set
        // the two classes' rows merged and accuracy fell to 0.879. A story an outlet is alone on still adds
        // nothing.
        counts.fill(0.0);
        squares.fill(0.0);
        add_confusion(p, &t, nc, false, &mut counts, Some(&mut squares));
        let sum: f64 = class_counts.iter().sum();
        for (lp, c) in log_prior.iter_mut().zip(&class_counts) {
            *lp = (c / sum).ln();
        }
        iterations += 1;
        if std::env::var_os("CREDENCE_TIMING").is_some() {
            eprintln!("em (labels): iteration {iterations}: largest change {moved:.3e}");
        }
        // A plain EM (each step raises the penalised likelihood), so no stall rule: the change shrinks to
        // the tolerance, slowly at times (it rose for ten iterations running on the Product set early on).
        if let Some(judged) = judged {
            let mut tallies = vec![Tally::default(); n_sources];
            let mut topic_cells = TopicCells::new();
            for (s, (_, judged)) in judged.iter().enumerate() {
                let (first, us) = (p.start[s] as usize, p.story(s));
                for &(k, c, known) in judged {
                    let u = us[k as usize];
                    let c = if known { c } else { super::em::rounded(c) };
                    tallies[u.source as usize].add(c, known, u.relay, super::FULL_WEIGHT);
                    p.add_to_cell(&mut topic_cells, first + k as usize, c, known);
                }
            }
            return Fit {
                numbers: None,
                tallies,
                posterior: t,
                score: None,
                iterations: (iterations, converged, moved),
                estimate: None,
                omission_share: None,
                coincidence: None,
                topic_cells,
            };
        }
    }
}

fn dawid_skene(p: &Problem, n_sources: usize) -> Fit {
    let n_classes = match &p.classes {
        Classes::Binary => 2,
        Classes::Shared(v) => v.len(),
        // The caller refuses free values: they have no shared label set.
        Classes::PerStory { .. } => return vote(p, n_sources),
    };
    let mut t = vote_shares(p, n_classes);
    let nc = n_classes;
    let (mut iterations, mut converged, mut last_change) = (0, false, f64::NAN);
    let mut confusion = vec![0.0; n_sources * nc * nc];
    let mut prior = vec![1.0 / nc as f64; nc];
    loop {
        // M-step: class prior and confusion matrices from the current posteriors, in story order.
        confusion.fill(DS_FLOOR);
        add_confusion(p, &t, nc, true, &mut confusion, None);
        let mut class_counts = vec![DS_FLOOR; nc];
        for s in 0..p.stories() {
            for (j, &x) in t[p.post(s)].iter().enumerate() {
                class_counts[j] += x;
            }
        }
        let total_count: f64 = class_counts.iter().sum();
        for (pj, c) in prior.iter_mut().zip(&class_counts) {
            *pj = c / total_count;
        }
        for row in confusion.chunks_mut(nc) {
            let sum: f64 = row.iter().sum();
            for x in row.iter_mut() {
                *x = (*x / sum).ln();
            }
        }
        // No stall rule, unlike em's: nothing here is rounded to a grid, so a change that stops shrinking
        // is a slow mode, not a cycle, and the paper iterates to convergence. Stopped by a stall rule (ten
        // iterations without a new smallest change, until session 22) it stopped near iteration 100 on the
        // Product set, 0.0004 of accuracy away from where it converges.
        if converged || iterations >= super::em::MAX_ITERATIONS {
            break;
        }
        iterations += 1;
        // E-step.
        let log_prior: Vec<f64> = prior.iter().map(|x| x.ln()).collect();
        let next: Vec<Vec<f64>> = (0..p.stories())
            .into_par_iter()
            .map(|s| {
                if let Some(fixed) = p.settled_posterior(s) {
                    return fixed.to_vec();
                }
                let mut l = log_prior.clone();
                for u in p.story(s).iter().filter(|u| !u.relay) {
                    let m = &confusion[u.source as usize * nc * nc..(u.source as usize + 1) * nc * nc];
                    for (j, x) in l.iter_mut().enumerate() {
                        *x += m[j * nc + u.class as usize];
                    }
                }
                let mut post = vec![0.0; nc];
                softmax_into(&l, &mut post);
                post
            })
            .collect();
        let mut moved: f64 = 0.0;
        for (s, post) in next.into_iter().enumerate() {
            for (old, new) in t[p.post(s)].iter_mut().zip(post) {
                moved = moved.max((*old - new).abs());
                *old = new;
            }
        }
        converged = moved < super::em::TOLERANCE;
        last_change = moved;
    }
    let score = (0..n_sources)
        .map(|w| {
            let m = &confusion[w * nc * nc..(w + 1) * nc * nc];
            (0..nc).map(|j| prior[j] * m[j * nc + j].exp()).sum()
        })
        .collect();
    let (mut tallies, mut topic_cells) = (vec![Tally::default(); n_sources], TopicCells::new());
    for s in 0..p.stories() {
        add_known(&mut tallies, &mut topic_cells, p, s, &t[p.post(s)]);
    }
    Fit {
        numbers: None,
        tallies,
        posterior: t,
        score: Some(score),
        iterations: (iterations, converged, last_change),
        estimate: None,
        omission_share: None,
        coincidence: None,
        topic_cells,
    }
}

/// TruthFinder's similarity of two values' normal forms, in [0, 1].
pub(crate) fn similarity(kind: Option<ValueKind>, a: &str, b: &str) -> f64 {
    let jaccard = |x: Vec<&str>, y: Vec<&str>| {
        let (x, y): (std::collections::BTreeSet<&str>, std::collections::BTreeSet<&str>) =
            (x.into_iter().collect(), y.into_iter().collect());
        let union = x.union(&y).count();
        if union == 0 {
            0.0
        } else {
            x.intersection(&y).count() as f64 / union as f64
        }
    };
    match kind {
        Some(ValueKind::Text) => jaccard(a.split(' ').collect(), b.split(' ').collect()),
        Some(ValueKind::List) => jaccard(a.split("; ").collect(), b.split("; ").collect()),
        Some(ValueKind::Number) => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => {
                let scale = x.abs().max(y.abs());
                if scale == 0.0 {
                    1.0
                } else {
                    (1.0 - (x - y).abs() / scale).max(0.0)
                }
            }
            _ => 0.0,
        },
        _ => 0.0,
    }
}

/// Whether list value `a` (a normal form, items joined by `; `) leaves out some of `b`'s items and adds
/// none: its items are a proper subset of `b`'s.
pub(crate) fn omits(a: &str, b: &str) -> bool {
    let (x, y): (std::collections::BTreeSet<&str>, std::collections::BTreeSet<&str>) =
        (a.split("; ").collect(), b.split("; ").collect());
    x.len() < y.len() && x.is_subset(&y)
}

#[cfg(test)]
fn truthfinder(p: &Problem, n_sources: usize) -> Fit {
    truthfinder_with(p, n_sources, &|_, _, _| 0.0, super::em::MAX_ITERATIONS)
}

/// The most implications (facts × facts) TruthFinder holds for one story, 128 MiB (4,096 facts); a story with more facts
/// works each out again every iteration (quadratic time, linear memory).
const TF_HELD_PAIRS: usize = 1 << 24;

/// TruthFinder with `sim(story, class a, class b)` between facts of one story (worked out once per pair,
/// below [`TF_HELD_PAIRS`]).
pub(crate) fn truthfinder_with(
    p: &Problem,
    n_sources: usize,
    sim: &(dyn Fn(usize, u32, u32) -> f64 + Sync),
    max_iterations: usize,
) -> Fit {
    truthfinder_holding(p, n_sources, sim, max_iterations, TF_HELD_PAIRS)
}

/// [`truthfinder_with`], holding the implications of stories of at most `held_pairs` pairs of facts.
fn truthfinder_holding(
    p: &Problem,
    n_sources: usize,
    sim: &(dyn Fn(usize, u32, u32) -> f64 + Sync),
    max_iterations: usize,
    held_pairs: usize,
) -> Fit {
    let total = *p.post_start.last().unwrap_or(&0) as usize;
    // imp(f′ → f) = sim − base_sim, per story as an m × m table; none for stories of one fact, nor for a
    // story whose table would pass TF_HELD_PAIRS, where it is worked out again every iteration.
    let imp: Vec<Vec<f64>> = (0..p.stories())
        .into_par_iter()
        .map(|s| {
            let m = p.classes.count(s);
            if m < 2 || m * m > held_pairs {
                return Vec::new();
            }
            let mut t = vec![0.0; m * m];
            for g in 0..m {
                for f in 0..m {
                    if g != f {
                        t[g * m + f] = sim(s, g as u32, f as u32) - TF_BASE_SIM;
                    }
                }
            }
            t
        })
        .collect();
    let mut trust = vec![TF_INITIAL_TRUST; n_sources];
    let mut confidence = vec![f64::NAN; total];
    let (mut iterations, mut converged, mut last_change) = (0, false, f64::NAN);
    let (mut best, mut since_best) = (f64::INFINITY, 0);
    while !converged && iterations < max_iterations && since_best < STALL {
        iterations += 1;
        let tau: Vec<f64> = trust.iter().map(|&t| -(1.0 - t.min(1.0 - 1e-12)).ln()).collect();
        let per_story: Vec<Vec<f64>> = (0..p.stories())
            .into_par_iter()
            .map(|s| {
                if let Some(fixed) = p.settled_posterior(s) {
                    return fixed.to_vec();
                }
                let m = p.classes.count(s);
                let mut sigma = vec![0.0; m];
                for u in p.story(s).iter().filter(|u| !u.relay) {
                    sigma[u.class as usize] += tau[u.source as usize];
                }
                let held = !imp[s].is_empty();
                let confidence = |f: usize| {
                    let mut adjusted = sigma[f];
                    for (g, &sg) in sigma.iter().enumerate() {
                        if g != f && sg != 0.0 {
                            let i = if held {
                                imp[s][g * m + f]
                            } else {
                                sim(s, g as u32, f as u32) - TF_BASE_SIM
                            };
                            adjusted += TF_RHO * sg * i;
                        }
                    }
                    1.0 / (1.0 + (-TF_GAMMA * adjusted).exp())
                };
                // Each fact's sum runs over the others in order either way: a wide story's facts are
                // spread over the cores with the same bits (a missing story key makes one such story).
                if m >= TF_PARALLEL_FACTS {
                    (0..m).into_par_iter().map(confidence).collect()
                } else {
                    (0..m).map(confidence).collect()
                }
            })
            .collect();
        for (s, conf) in per_story.into_iter().enumerate() {
            confidence[p.post(s)].copy_from_slice(&conf);
        }
        let mut sums = vec![(0.0, 0u64); n_sources];
        for s in 0..p.stories() {
            let post = &confidence[p.post(s)];
            for u in p.story(s).iter().filter(|u| !u.relay) {
                let e = &mut sums[u.source as usize];
                e.0 += post[u.class as usize];
                e.1 += 1;
            }
        }
        let next: Vec<f64> = sums
            .iter()
            .zip(&trust)
            .map(|(&(sum, n), &t)| if n == 0 { t } else { sum / n as f64 })
            .collect();
        let dot: f64 = trust.iter().zip(&next).map(|(a, b)| a * b).sum();
        let norms = trust.iter().map(|a| a * a).sum::<f64>().sqrt() * next.iter().map(|a| a * a).sum::<f64>().sqrt();
        let change = if norms > 0.0 { 1.0 - dot / norms } else { 0.0 };
        trust = next;
        converged = change < TF_DELTA;
        last_change = change;
        if change < best {
            (best, since_best) = (change, 0);
        } else {
            since_best += 1;
        }
    }
    let (mut tallies, mut topic_cells) = (vec![Tally::default(); n_sources], TopicCells::new());
    for s in 0..p.stories() {
        add_known(&mut tallies, &mut topic_cells, p, s, &confidence[p.post(s)]);
    }
    Fit {
        numbers: None,
        tallies,
        posterior: confidence,
        score: Some(trust),
        iterations: (iterations, converged, last_change),
        estimate: None,
        omission_share: None,
        coincidence: None,
        topic_cells,
    }
}

/// Per outlet, whether it has a report of its own (not a relay) on some story.
fn own_reports(p: &Problem, n_sources: usize) -> Vec<bool> {
    let mut own = vec![false; n_sources];
    for s in 0..p.stories() {
        for u in p.story(s).iter().filter(|u| !u.relay) {
            own[u.source as usize] = true;
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_spread_by_hand() {
        // Two claimed author lists: class 0 "Widom; Ceri" (P = 0.6), class 1 "Widom", an omission of class 0
        // (P = 0.3), "none of them" 0.1; k = 3 hypotheses, π = 0.72. Under h = 0 one value is an omission
        // (weight π·2/1 = 1.44); under h = 1 and "none" none is (weight (1 − π)·2/2 = 0.28).
        let omitted = [false, false, true, false];
        let post = [0.6, 0.3];
        // "Widom" is wrong under h = 0 or none: (0.6·1.44 + 0.1·0.28) / 0.7 / 2.
        let b = wrong_spread(&post, 1, 3, COINCIDENCE_START, Some((&omitted, 0.72)));
        assert!((b - 0.892 / 0.7 / 2.0).abs() < 1e-12, "{b}");
        // The full list is wrong under h = 1 or none, and it omits neither: (0.3·0.28 + 0.1·0.28) / 0.4 / 2.
        let b = wrong_spread(&post, 0, 3, COINCIDENCE_START, Some((&omitted, 0.72)));
        assert!((b - 0.14).abs() < 1e-12, "{b}");
        // The one-coin model spreads wrong reports evenly.
        assert_eq!(wrong_spread(&post, 0, 3, COINCIDENCE_START, None), 0.5);
    }

    /// Plain stories from `(story, source, class)` reports, no relays, outlets ranked by id.
    /// One story of free values (`classes` of them, value ids 10, 11, ...), voter `i` outlet `i` claiming
    /// `claims[i]`.
    fn free_story(claims: &[u32], classes: u32) -> Problem {
        let units = claims
            .iter()
            .enumerate()
            .map(|(i, &class)| Unit {
                rank: i as u32,
                source: i as u32,
                class,
                relay: false,
            })
            .collect();
        Problem {
            units,
            start: vec![0, claims.len() as u32],
            classes: Classes::PerStory {
                values: (10..10 + classes).collect(),
                start: vec![0, classes],
            },
            post_start: vec![0, classes],
            settled: vec![None],
            numbers: None,
            topics: Vec::new(),
        }
    }

    fn binary(units: &[(u32, u32, u32)]) -> Problem {
        let stories = units.iter().map(|u| u.0).max().unwrap() as usize + 1;
        let mut v: Vec<Unit> = Vec::new();
        let mut start = vec![0u32];
        let mut sorted = units.to_vec();
        sorted.sort();
        for s in 0..stories {
            for &(st, source, class) in &sorted {
                if st as usize == s {
                    v.push(Unit {
                        rank: source,
                        source,
                        class,
                        relay: false,
                    });
                }
            }
            start.push(v.len() as u32);
        }
        Problem {
            units: v,
            start,
            classes: Classes::Binary,
            post_start: (0..=stories as u32).map(|s| 2 * s).collect(),
            settled: vec![None; stories],
            numbers: None,
            topics: Vec::new(),
        }
    }

    /// Vote: two say true, one false; worked by hand.
    #[test]
    fn vote_takes_the_plurality() {
        let p = binary(&[(0, 0, 0), (0, 1, 0), (0, 2, 1)]);
        let f = vote(&p, 3);
        assert_eq!(f.posterior, [1.0, 0.0]);
    }

    /// One-coin em on one story with three voters at θ = (0.8, 0.6, 0.6) and k = 2 (hand-computed):
    /// odds of true are 4 · 1.5 / 1.5 = 4, so the posterior is 0.8; source 0's cavity has odds
    /// 1.5 / 1.5 = 1 → ½; source 2 (voting false) sees odds 4 · 1.5 = 6 for true → c = 1/7.
    #[test]
    fn em_story_leaves_the_own_vote_out() {
        let p = binary(&[(0, 0, 0), (0, 1, 0), (0, 2, 1)]);
        let lt: Vec<(f64, f64)> = [0.8f64, 0.6, 0.6].iter().map(|t| (t.ln(), (1.0 - t).ln())).collect();
        let mut out = Vec::new();
        let (post, _) = em_story(&p, 0, &lt, None, COINCIDENCE_START, &mut out);
        assert!((post[0] - 0.8).abs() < 1e-12);
        let c: Vec<f64> = out.iter().map(|o| o.1).collect();
        assert!((c[0] - 0.5).abs() < 1e-9, "{c:?}");
        assert!((c[2] - 1.0 / 7.0).abs() < 0.003, "{c:?}");
    }

    /// With "none of them" (free values) and a single value claimed by two outlets at θ = 0.9 each,
    /// k = 2: the cavity of each is 0.9 / (0.9 + 0.1) = 0.9 (hand-computed).
    #[test]
    fn em_free_values_weigh_none_of_them() {
        let p = free_story(&[0, 0], 1);
        let lt: Vec<(f64, f64)> = [0.9f64, 0.9].iter().map(|t| (t.ln(), (1.0 - t).ln())).collect();
        let mut out = Vec::new();
        let (post, _) = em_story(&p, 0, &lt, None, COINCIDENCE_START, &mut out);
        // Both votes: 0.81 against 0.01, so 0.81 / 0.82.
        assert!((post[0] - 0.81 / 0.82).abs() < 1e-12);
        assert!((out[0].1 - 0.9).abs() < 0.003);
    }

    /// Three labels, two voters at θ = 0.6 both saying label 0: each one's cavity is
    /// P(0 | the other says 0) = 0.6 / (0.6 + 0.2 + 0.2) = 0.6, recorded as c′ = 0.6·2 / (1.2 + 0.4) = 0.75
    /// (hand-computed): the likelihood 0.6θ + 0.4(1 − θ)/2 is proportional to 0.75θ + 0.25(1 − θ).
    #[test]
    fn em_rescales_for_more_than_two_hypotheses() {
        let unit = |source| Unit {
            rank: source,
            source,
            class: 0,
            relay: false,
        };
        let p = Problem {
            units: vec![unit(0), unit(1)],
            start: vec![0, 2],
            classes: Classes::Shared(vec![0, 1, 2]),
            post_start: vec![0, 3],
            settled: vec![None],
            numbers: None,
            topics: Vec::new(),
        };
        let lt: Vec<(f64, f64)> = [0.6f64, 0.6].iter().map(|t| (t.ln(), (1.0 - t).ln())).collect();
        let mut out = Vec::new();
        em_story(&p, 0, &lt, None, COINCIDENCE_START, &mut out);
        assert!((out[0].1 - 0.75).abs() < 0.003, "{out:?}");
    }

    /// em's omission model on one list story, hand-computed: A = {a} and B = {a, b} (A leaves b out),
    /// one voter each at θ = 0.6, π = 0.8, k = 3 (A, B, none of them). Against the one-coin model the
    /// wrong reports weigh (k − 1 = 2 slots): A under B π·2/1 = 1.6; B under A and everything under
    /// "none" (1 − π)·2/2 = 0.2. With miss probability (1 − θ)/2 = 0.2: L(A) = 0.6 · 0.2 · 0.2 = 0.024,
    /// L(B) = 0.2 · 1.6 · 0.6 = 0.192, L(none) = 0.04² = 0.0016, so P(B) = 0.192 / 0.2176 = 0.882353
    /// where the one-coin model ties A and B. Voter A's cavity (B's vote alone) is 0.04 : 0.6 : 0.04,
    /// c = 0.058824 and R = P(B)·1.6 + P(none)·0.2 = 1.423529, c′ = 2c / (2c + R) = 0.076336; voter B's is
    /// 0.6 : 0.32 : 0.04, c = ⅓, R = (0.625 + 0.041667)·0.2 = 0.133333, c′ = 0.833333. π's statistics: wrong
    /// votes P(B) + P(none) for A and P(A) + P(none) for B, 1.007353 in all, of which omissions P(B) = 0.882353.
    #[test]
    fn em_story_omissions_by_hand() {
        let p = free_story(&[0, 1], 2);
        let lt: Vec<(f64, f64)> = [0.6f64, 0.6].iter().map(|t| (t.ln(), (1.0 - t).ln())).collect();
        let omitted = [false, true, false, false];
        let o = Omissions {
            omitted: &omitted,
            share: 0.8,
        };
        let mut out = Vec::new();
        let (post, counts) = em_story(&p, 0, &lt, Some(&o), COINCIDENCE_START, &mut out);
        assert!(
            (post[0] - 0.024 / 0.2176).abs() < 1e-12 && (post[1] - 0.192 / 0.2176).abs() < 1e-12,
            "{post:?}"
        );
        // Recorded on em's grid (`em::rounded`), hence the loose tolerance.
        assert!(
            (out[0].1 - 0.076336).abs() < 0.002 && (out[1].1 - 0.833333).abs() < 0.003,
            "{out:?}"
        );
        assert!((counts.wrong - 1.007353).abs() < 1e-6 && (counts.omitting - 0.882353).abs() < 1e-6);
        // The one-coin model ties the two lists.
        let (post, _) = em_story(&p, 0, &lt, None, COINCIDENCE_START, &mut Vec::new());
        assert!((post[0] - post[1]).abs() < 1e-12);
    }

    /// The population data set's Binghamton, 2000, in small: four outlets at θ = 0.19 agree on A, one at
    /// θ = 0.999 names B (hypotheses A, B, none of them). The one-coin model spreads a wrong report over
    /// the k − 1 = 2 other hypotheses, so a vote of θ = 0.19 weighs 0.19 · 2 / 0.81 = 0.469 for its value,
    /// less than nothing, and B wins: L(A) = 0.19⁴ · 0.001 · ½ = 6.51605e-7, L(B) = 0.405⁴ · 0.999 =
    /// 0.0268773, L(none) = 0.405⁴ · 0.0005 = 1.34521e-5, P(B) = 0.999476. With wrong values coinciding
    /// at ρ = 0.01 each of the four weighs 0.19 / (0.81 · 0.01) = 23.5: L(A) = 0.19⁴ · 0.001 · 0.01 =
    /// 1.303210e-8, L(B) = 0.0081⁴ · 0.999 = 4.300367e-9, L(none) = 0.0081⁴ · 1e-5 = 4.30467e-14, so
    /// P(A) = 0.751888 (hand-computed).
    #[test]
    fn agreement_outweighs_one_trusted_outlet_once_wrong_values_rarely_coincide() {
        let p = free_story(&[0, 0, 0, 0, 1], 2);
        let lt: Vec<(f64, f64)> = [0.19f64, 0.19, 0.19, 0.19, 0.999]
            .iter()
            .map(|t| (t.ln(), (1.0 - t).ln()))
            .collect();
        let (one_coin, _) = em_story(&p, 0, &lt, None, COINCIDENCE_START, &mut Vec::new());
        assert!((one_coin[1] - 0.999476).abs() < 1e-6, "{one_coin:?}");
        let (rare, counts) = em_story(&p, 0, &lt, None, 0.01, &mut Vec::new());
        assert!((rare[0] - 0.751888).abs() < 1e-6, "{rare:?}");
        // ρ's statistics: under A one wrong vote (no pair), under B four (6 pairs, all naming A), under
        // none five (10 pairs, 6 of them the A votes).
        let none = 1.0 - rare[0] - rare[1];
        assert!(
            (counts.pairs - (6.0 * rare[1] + 10.0 * none)).abs() < 1e-12,
            "{counts:?}"
        );
        assert!((counts.coinciding - 6.0 * (rare[1] + none)).abs() < 1e-12, "{counts:?}");
    }

    /// A story of 80 values (wider than `WIDE_STORY`) takes the linear path; its posterior and every
    /// report's recorded probability equal those of adding each vote to every hypothesis (computed here
    /// directly): 120 voters of varied θ over 80 values, some values claimed by several.
    #[test]
    fn a_wide_story_scores_as_a_narrow_one_would() {
        let claims: Vec<u32> = (0..120u32).map(|i| (i * 7 + i / 3) % 80).collect();
        let p = free_story(&claims, 80);
        let lt: Vec<(f64, f64)> = (0..120)
            .map(|i| 0.05 + 0.9 * f64::from(i) / 119.0)
            .map(|t: f64| (t.ln(), (1.0 - t).ln()))
            .collect();
        let rho = 0.02;
        let mut out = Vec::new();
        let (post, _) = em_story(&p, 0, &lt, None, rho, &mut out);
        let k = 81;
        let km1 = 1.0 / wrong_share(k, rho);
        let direct = |skip: Option<usize>| {
            let mut l = vec![0.0; k];
            for (i, &c) in claims.iter().enumerate().filter(|&(i, _)| Some(i) != skip) {
                let (hit, miss) = (lt[i].0, lt[i].1 - km1.ln());
                for x in l.iter_mut() {
                    *x += miss;
                }
                l[c as usize] += hit - miss;
            }
            let mut q = vec![0.0; k];
            softmax_into(&l, &mut q);
            q
        };
        let whole = direct(None);
        for (a, b) in post.iter().zip(&whole) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
        assert_eq!(out.len(), 120);
        for &(i, c, known) in &out {
            let q = direct(Some(i as usize))[claims[i as usize] as usize];
            let expected = super::super::em::rounded(q * km1 / (q * km1 + 1.0 - q));
            assert!(
                !known && (c - expected).abs() < 1e-9,
                "report {i}: {c} against {expected}"
            );
        }
    }

    /// ρ's statistics by hand: votes A ×3, B ×2, C ×1 and the posterior A 0.5, B 0.3, C 0.1, none 0.1.
    /// Under A the wrong votes are B B C (3 pairs, 1 naming one value), under B A A A C (6, 3), under C
    /// A A A B B (10, 4), under none all six (15, 4): 5.8 pairs, 2.2 coinciding. With B an omission of A
    /// (lists), B's votes are not wrong votes under A: 0 pairs there, 4.3 and 1.7 in all. ρ's half step
    /// from 1 is ½(1 + 3.2 / 7.8).
    #[test]
    fn coincidences_by_hand() {
        let (votes, post) = ([3.0, 2.0, 1.0], [0.5, 0.3, 0.1, 0.1]);
        let (pairs, same) = coincidences(&votes, &post, None);
        assert!(
            (pairs - 5.8).abs() < 1e-12 && (same - 2.2).abs() < 1e-12,
            "{pairs} {same}"
        );
        let (pairs, same) = coincidences(&votes, &post, Some(&|_, _| false));
        assert!(
            (pairs - 5.8).abs() < 1e-12 && (same - 2.2).abs() < 1e-12,
            "{pairs} {same}"
        );
        let (pairs, same) = coincidences(&votes, &post, Some(&|v, h| v == 1 && h == 0));
        assert!(
            (pairs - 4.3).abs() < 1e-12 && (same - 1.7).abs() < 1e-12,
            "{pairs} {same}"
        );
        let counts = WrongCounts {
            pairs: 5.8,
            coinciding: 2.2,
            ..WrongCounts::default()
        };
        assert!((rho_step(1.0, &counts) - 0.5 * (1.0 + 3.2 / 7.8)).abs() < 1e-12);
        // The cap: a wrong report cannot name each of k − 1 other hypotheses with more than 1/(k − 1).
        assert_eq!(wrong_share(3, 0.9), 0.5);
        assert_eq!(wrong_share(3, 0.1), 0.1);
    }

    /// SQUAREM on linear maps, hand-computed: for `F(x) = x* + λ(x − x*)` the S3 step leaves the error
    /// `e₀ (1 − α(λ − 1))²` with `α = −‖r‖/‖v‖ = −1/(1 − λ)`, which is 0 (the fixed point) when that α is
    /// within the bound: λ = 0.9, α = −10. At λ = 0.99 (α = −100) the bound 16 holds it at −16, error
    /// (1 − 0.16)² = 0.7056 of e₀, against λ² = 0.9801 for the two plain steps. A period-two map
    /// (λ = −1) gives α = −½, held at −1: the step is `s2` itself.
    #[test]
    fn squarem_by_hand() {
        let fixed = [0.3, -2.0];
        let iterate =
            |x: &[f64], lambda: f64| -> Vec<f64> { x.iter().zip(&fixed).map(|(x, f)| f + lambda * (x - f)).collect() };
        let s0 = [1.0, 1.0];
        for (lambda, left) in [(0.9, 0.0), (0.99, 0.7056), (-1.0, 1.0)] {
            let s1 = iterate(&s0, lambda);
            let s2 = iterate(&s1, lambda);
            let x = squarem(&s0, &s1, &s2, 16.0);
            for k in 0..2 {
                let want = fixed[k] + left * (s0[k] - fixed[k]);
                assert!((x[k] - want).abs() < 1e-12, "λ = {lambda}: {x:?}");
            }
        }
        // Nothing moves: the step is no step.
        assert_eq!(squarem(&s0, &s0, &s0, 16.0), s0);
        // A map that alternates in sign (λ = −0.45, plain em over votes alone) wants |α| = 1/(1 − λ) < 1:
        // `squarem` keeps |α| = 1 (the plain second iterate, error λ² = 0.2025), `squarem_within` down to
        // ¼ lands on the fixed point.
        let lambda = -0.45;
        let s1 = iterate(&s0, lambda);
        let s2 = iterate(&s1, lambda);
        let plain = squarem(&s0, &s1, &s2, 16.0);
        assert!(plain.iter().zip(&s2).all(|(a, b)| (a - b).abs() < 1e-12), "{plain:?}");
        let x = squarem_within(&s0, &s1, &s2, 0.25, 16.0);
        for k in 0..2 {
            assert!((x[k] - fixed[k]).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn omissions_are_proper_subsets() {
        assert!(omits("knuth", "donald; knuth"));
        assert!(!omits("donald; knuth", "donald; knuth"));
        assert!(!omits("donald; knuth", "knuth"));
        assert!(!omits("graham; knuth", "donald; knuth; patashnik"));
    }

    /// Dawid–Skene on a worked example: three workers, four binary items; worker 2 always disagrees
    /// with the other two, who agree. The fit must side with the agreeing pair and learn that worker 2
    /// is reliably wrong (its confusion matrix is off-diagonal), so its expected accuracy is low.
    #[test]
    fn dawid_skene_learns_an_adversarial_worker() {
        let mut units = vec![];
        for (s, truth) in [(0u32, 0u32), (1, 1), (2, 0), (3, 1)] {
            units.push((s, 0, truth));
            units.push((s, 1, truth));
            units.push((s, 2, 1 - truth));
        }
        let p = binary(&units);
        let f = dawid_skene(&p, 3);
        let t = f.posterior[0];
        for s in 0..4 {
            let truth = [0, 1, 0, 1][s];
            assert!(
                (f.posterior[2 * s + truth] - t).abs() < 1e-9 && t > 0.9,
                "{:?}",
                f.posterior
            );
        }
        let score = f.score.unwrap();
        // By symmetry π = (½, ½), and each row of worker 0 holds 2T on the diagonal out of 2 (two items of
        // each class, posterior T on the true class; the maximum-likelihood step, `DS_FLOOR` aside);
        // worker 2's diagonal holds 2(1 − T). So worker 0's expected accuracy is T, worker 2's 1 − T.
        // Without smoothing nothing holds T below 1: the three workers separate the classes exactly.
        assert!((score[0] - t).abs() < 1e-6, "{score:?} {t}");
        assert!((score[2] - (1.0 - t)).abs() < 1e-6, "{score:?} {t}");
        assert!(t > 1.0 - 1e-6, "{t}");
    }

    /// TruthFinder, one iteration by hand on one plain story: two outlets at trust 0.9 claim true, one
    /// claims false. τ = −ln 0.1 = 2.302585; σ(true) = 4.605170, σ(false) = 2.302585; with sim 0 and
    /// base_sim 0.5, σ*(true) = 4.605170 − 0.25 · 2.302585 = 4.029524, σ*(false) = 2.302585 − 0.25 · 4.605170
    /// = 1.151293; s = 1 / (1 + e^(−0.3 σ*)) = 0.770097 and 0.585499.
    #[test]
    fn truthfinder_first_iteration_by_hand() {
        let p = binary(&[(0, 0, 0), (0, 1, 0), (0, 2, 1)]);
        let tau = -(0.1f64).ln();
        let s_true = 1.0 / (1.0 + (-TF_GAMMA * (2.0 * tau - 0.25 * tau)).exp());
        let s_false = 1.0 / (1.0 + (-TF_GAMMA * (tau - 0.25 * 2.0 * tau)).exp());
        assert!((s_true - 0.770097).abs() < 1e-6 && (s_false - 0.585499).abs() < 1e-6);
        let one = truthfinder_with(&p, 3, &|_, _, _| 0.0, 1);
        assert!((one.posterior[0] - s_true).abs() < 1e-12 && (one.posterior[1] - s_false).abs() < 1e-12);
        // Trust after one round: the mean confidence of each outlet's facts.
        let t = one.score.unwrap();
        assert!((t[0] - s_true).abs() < 1e-12 && (t[2] - s_false).abs() < 1e-12);
        let f = truthfinder(&p, 3);
        // At the fixed point the true class is still the more confident, and its claimants more trusted.
        assert!(f.posterior[0] > f.posterior[1]);
        let t = f.score.unwrap();
        assert!(t[0] > t[2] && (t[0] - t[1]).abs() < 1e-12);
    }

    /// A story whose implications are not held (worked out again every iteration) scores exactly as one
    /// whose are: 40 facts of varied similarity, 90 reports.
    #[test]
    fn truthfinder_without_a_held_table_is_the_same() {
        let claims: Vec<u32> = (0..90u32).map(|i| (i * 11 + i / 4) % 40).collect();
        let p = free_story(&claims, 40);
        let sim = |_: usize, a: u32, b: u32| f64::from((a * 7 + b * 3) % 10) / 10.0;
        let (held, fresh) = (
            truthfinder_holding(&p, 90, &sim, 50, usize::MAX),
            truthfinder_holding(&p, 90, &sim, 50, 0),
        );
        assert_eq!(held.posterior, fresh.posterior);
        assert_eq!(held.score, fresh.score);
    }

    /// A story of more facts than [`TF_PARALLEL_FACTS`] has its confidences computed in parallel: one
    /// thread or three, held implications or not, the same bits.
    #[test]
    fn truthfinder_on_a_wide_story_is_the_same_on_any_number_of_threads() {
        let facts = TF_PARALLEL_FACTS as u32 + 88;
        let claims: Vec<u32> = (0..2 * facts).map(|i| (i * 37 + i / 5) % facts).collect();
        let p = free_story(&claims, facts);
        let sim = |_: usize, a: u32, b: u32| f64::from((a * 7 + b * 3) % 10) / 10.0;
        let run = |threads: usize, held: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| truthfinder_holding(&p, claims.len(), &sim, 20, held))
        };
        let one = run(1, usize::MAX);
        for (threads, held) in [(3, usize::MAX), (1, 0), (3, 0)] {
            let other = run(threads, held);
            assert_eq!(one.posterior, other.posterior, "{threads} threads, held {held}");
            assert_eq!(one.score, other.score);
        }
    }

    /// Rows of 30 counts with p ~ Beta(s·m, s·(1 − m)), s = 8, m = 0.75, drawn by inverting statrs' Beta
    /// CDF: the fitted strength must land near 8 (its standard error over 500 rows is about 1).
    #[test]
    fn dirichlet_strength_recovers_a_planted_strength() {
        use rand::{RngExt, SeedableRng};
        use statrs::distribution::{Beta, ContinuousCDF};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let beta = Beta::new(6.0, 2.0).unwrap();
        let mut rows = Vec::new();
        for _ in 0..500 {
            let p = beta.inverse_cdf(rng.random::<f64>());
            let yes = (0..30).filter(|_| rng.random::<f64>() < p).count() as f64;
            rows.extend([yes, 30.0 - yes]);
        }
        let s = dirichlet_strength(&rows, &[0.75, 0.25]);
        assert!((5.5..11.0).contains(&s), "{s}");
        // Identical rows leave nothing to pool away: the strength runs to its bound.
        let same: Vec<f64> = (0..50).flat_map(|_| [75.0, 25.0]).collect();
        assert!(dirichlet_strength(&same, &[0.75, 0.25]) > 1e4);
    }

    /// The strength is the one golden section finds on the sum of [`super::super::ratings::log_marginal`]
    /// over the rows, as before session 19's shared terms and Brent's method: on rows of many labels with
    /// fractional, mostly tiny counts (em's posteriors), on rows that want full pooling (the bound) and on
    /// rows that want little.
    #[test]
    fn dirichlet_strength_is_the_marginal_likelihood_maximiser() {
        use super::super::ratings::{golden_max, log_marginal};
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
        let objective = |rows: &[f64], m: &[f64], s: f64| {
            rows.chunks(m.len())
                .filter(|r| r.iter().sum::<f64>() > 0.0)
                .map(|r| log_marginal(r, m, s))
                .sum::<f64>()
        };
        let reference = |rows: &[f64], m: &[f64]| {
            golden_max(
                |log_s| objective(rows, m, log_s.exp()),
                MIN_STRENGTH.ln(),
                MAX_STRENGTH.ln(),
            )
            .exp()
        };
        let mut cases = Vec::new();
        // 60 labels, 12 rows: a few whole counts and a haze of posteriors' tiny ones, and an empty row.
        let mut m: Vec<f64> = (0..60).map(|l| 1.0 + (l % 7) as f64).collect();
        let total: f64 = m.iter().sum();
        m.iter_mut().for_each(|x| *x /= total);
        let mut rows = vec![0.0; 60];
        for _ in 0..12 {
            rows.extend((0..60).map(|_| match rng.random::<f64>() {
                u if u < 0.05 => (1.0 + 5.0 * rng.random::<f64>()).floor(),
                u if u < 0.6 => 1e-12 * rng.random::<f64>(),
                _ => 0.0,
            }));
        }
        cases.push((rows, m));
        // Rows in the mean's proportions: the marginal likelihood rises to the bound.
        cases.push(((0..40).flat_map(|_| [30.0, 10.0, 0.0]).collect(), vec![0.75, 0.25, 0.0]));
        // Rows that disagree: all of one label or all of the other, little pooling.
        cases.push((
            (0..40)
                .flat_map(|i| if i % 2 == 0 { [20.0, 0.0] } else { [0.0, 20.0] })
                .collect(),
            vec![0.5, 0.5],
        ));
        for (k, (rows, m)) in cases.iter().enumerate() {
            let (got, want) = (dirichlet_strength(rows, m), reference(rows, m));
            // As close as the objective can tell: where it is flat (at the bound) golden section stops a
            // little short of it.
            let (at_got, at_want) = (objective(rows, m, got), objective(rows, m, want));
            assert!(
                at_got >= at_want - 1e-12 * at_want.abs(),
                "case {k}: {at_got} against {at_want} at {got} against {want}"
            );
            assert!((got.ln() - want.ln()).abs() < 1e-4, "case {k}: {got} against {want}");
        }
        assert_eq!(dirichlet_strength(&cases[1].0, &cases[1].1), MAX_STRENGTH);
        assert_eq!(dirichlet_strength(&cases[2].0, &cases[2].1), MIN_STRENGTH);
    }

    /// The strength is fitted to each row at its effective size: forty workers with ten votes each on
    /// stories judged at ½ (n = 5 votes' worth, Σt² = 2.5, so each count is read twice over), half of them
    /// saying class 0's label 2 times in 10 and half 8. The strength recovered from a worker's pooled row
    /// is the one fitted to the rows doubled, not the one fitted to the rows as they are.
    #[test]
    fn pooled_rows_fit_the_strength_at_the_rows_effective_sizes() {
        let (nc, nn, workers) = (2, 4, 41);
        let (mut counts, mut squares) = (vec![0.0; workers * nn], vec![0.0; workers * nc]);
        for w in 0..40 {
            let a = if w % 2 == 0 { 2.0 } else { 8.0 };
            counts[w * nn..(w + 1) * nn].copy_from_slice(&[0.5 * a, 0.5 * (10.0 - a), 0.5 * (10.0 - a), 0.5 * a]);
            squares[w * nc..(w + 1) * nc].copy_from_slice(&[2.5, 2.5]);
        }
        // Worker 40 has no votes: its rows are the crowd's.
        let mut log_m = vec![0.0; workers * nn];
        pooled_rows(&counts, &squares, nc, &mut log_m);
        let m: Vec<f64> = (0..nc).map(|l| log_m[40 * nn + l].exp()).collect();
        let (r, p) = (&counts[0..nc], [log_m[0].exp(), log_m[1].exp()]);
        let n: f64 = r.iter().sum();
        // exp(log_m) = (r + s·m) / (n + s), solved for s.
        let s = (r[0] - p[0] * n) / (p[0] - m[0]);
        let row0 = |scale: f64| -> Vec<f64> {
            (0..workers)
                .flat_map(|w| counts[w * nn..w * nn + nc].iter().map(move |x| x * scale))
                .collect()
        };
        let (effective, raw) = (dirichlet_strength(&row0(2.0), &m), dirichlet_strength(&row0(1.0), &m));
        assert!((s - effective).abs() < 1e-9 * effective, "{s} against {effective}");
        assert!(
            (s - raw).abs() > 0.2 * raw,
            "{s} against {raw}: the test tells them apart"
        );
    }

    /// One story, three voters, two classes (hand-computed): worker 0 says class 0 with rows
    /// M = [[0.9, 0.1], [0.2, 0.8]], workers 1 and 2 are coin flips (all rows ½) and say class 1, and the
    /// class prior is uniform. Posterior of class 0: 0.9 / (0.9 + 0.2) = 0.818182; worker 0's cavity is
    /// the prior, ½; worker 1's cavity holds worker 0's and worker 2's votes: the same 0.818182.
    #[test]
    fn labels_story_by_hand() {
        let p = binary(&[(0, 0, 0), (0, 1, 1), (0, 2, 1)]);
        let mut log_m = vec![0.5f64.ln(); 3 * 4];
        log_m[..4].copy_from_slice(&[0.9f64.ln(), 0.1f64.ln(), 0.2f64.ln(), 0.8f64.ln()]);
        let (post, judged) = labels_story(&p, 0, 2, &[0.5f64.ln(); 2], &log_m);
        assert!((post[0] - 0.9 / 1.1).abs() < 1e-12, "{post:?}");
        // Worker 0 claims class 0, worker 1 class 1: their probabilities of being right.
        assert!((judged[0].1 - 0.5).abs() < 1e-12);
        assert!((1.0 - judged[1].1 - 0.9 / 1.1).abs() < 1e-12);
        assert_eq!(judged.len(), 3);
    }

    /// A report's factor in its source's record (hand-computed): judged at chance with even errors it is no
    /// evidence; with the source's own uneven confusions, the chance of naming the class by mistake is read
    /// off its rows; on two labels it is the probability itself.
    #[test]
    fn against_chance_by_hand() {
        let unit = Unit {
            rank: 0,
            source: 0,
            class: 0,
            relay: false,
        };
        let even = [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]];
        let log_m: Vec<f64> = even.iter().flatten().map(|x: &f64| x.ln()).collect();
        let third = 1.0 / 3.0;
        assert!((against_chance(&[third; 3], &unit, 3, &log_m) - 0.5).abs() < 1e-12);
        // Row 1 names class 0 in 0.3 of 0.4 wrong answers, row 2 in 0.1 of 0.2: q = 0.5·0.75 + 0.3·0.5.
        let uneven = [[0.6, 0.2, 0.2], [0.3, 0.6, 0.1], [0.1, 0.1, 0.8]];
        let log_m: Vec<f64> = uneven.iter().flatten().map(|x: &f64| x.ln()).collect();
        let got = against_chance(&[0.2, 0.5, 0.3], &unit, 3, &log_m);
        assert!((got - 0.2 / (0.2 + 0.525)).abs() < 1e-12, "{got}");
        let two: Vec<f64> = [0.9f64, 0.1, 0.2, 0.8].iter().map(|x| x.ln()).collect();
        assert_eq!(against_chance(&[0.3, 0.7], &unit, 2, &two), 0.3);
    }

    /// SQUAREM reaches the plain iteration's fixed point in fewer steps: on the class-dependent world below
    /// and on one of three classes with a rare class, the posteriors agree to 2e-5 (the tolerance is 1e-6
    /// on the largest change of a step, and the plain iteration's steps shrink slowly).
    #[test]
    fn em_labels_squarem_reaches_the_plain_fixed_point_sooner() {
        use rand::{RngExt, SeedableRng};
        for (seed, classes) in [(11u64, 2u32), (12, 3)] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let (workers, tasks) = (30u32, 600u32);
            let mut units = Vec::new();
            for s in 0..tasks {
                // Class 2 (when there are three) is rare: 10% of the tasks.
                let t = if classes == 3 && rng.random::<f64>() < 0.1 {
                    2
                } else {
                    u32::from(rng.random::<f64>() < 0.5)
                };
                for w in 0..workers {
                    if rng.random::<f64>() > 0.12 {
                        continue;
                    }
                    let skill = 0.45 + 0.5 * f64::from(w) / f64::from(workers);
                    let said = if rng.random::<f64>() < skill {
                        t
                    } else {
                        (t + 1 + rng.random_range(0..classes - 1)) % classes
                    };
                    units.push((s, w, said));
                }
            }
            let mut p = binary(&units);
            if classes == 3 {
                p.classes = Classes::Shared((0..3).collect());
                p.post_start = (0..=tasks).map(|s| 3 * s).collect();
            }
            let n = workers as usize;
            let (fast, plain) = (em_labels_with(&p, n, true), em_labels_with(&p, n, false));
            assert!(
                fast.iterations.1 && plain.iterations.1,
                "{:?} {:?}",
                fast.iterations,
                plain.iterations
            );
            assert!(
                fast.iterations.0 < plain.iterations.0,
                "{classes} classes: {} against {} iterations",
                fast.iterations.0,
                plain.iterations.0
            );
            let far = fast
                .posterior
                .iter()
                .zip(&plain.posterior)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(far < 2e-5, "{classes} classes: posteriors {far:e} apart");
        }
    }

    /// A planted world where reliability depends on the truth: half the workers say "1" nearly always
    /// when it is 1 and most of the time when it is 0, the other half the mirror image. Majority vote and
    /// one-coin em cannot tell the two kinds of error apart; confusion rows can. And a worker alone on
    /// fifty stories of its own gains no record from them.
    #[test]
    fn em_labels_learns_class_dependent_workers() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (workers, tasks) = (40u32, 1500u32);
        let mut units = Vec::new();
        let mut truth = Vec::new();
        for s in 0..tasks {
            let t = u32::from(rng.random::<f64>() < 0.5);
            truth.push(t);
            let mut chosen: Vec<u32> = Vec::new();
            while chosen.len() < 5 {
                let w = rng.random_range(0..workers);
                if !chosen.contains(&w) {
                    chosen.push(w);
                }
            }
            for w in chosen {
                // Even workers: P(1 | 1) = 0.98, P(1 | 0) = 0.6; odd ones the mirror image.
                let (hit, slip) = if w % 2 == 0 { (0.98, 0.4) } else { (0.4, 0.98) };
                let right = rng.random::<f64>() < if t == 1 { hit } else { slip };
                units.push((s, w, if right { t } else { 1 - t }));
            }
        }
        for s in tasks..tasks + 50 {
            truth.push(0);
            units.push((s, workers, 1));
        }
        let p = binary(&units);
        let n = workers as usize + 1;
        let accuracy = |f: &Fit| {
            (0..tasks as usize)
                .filter(|&s| f.posterior[2 * s + truth[s] as usize] > 0.5)
                .count() as f64
                / tasks as f64
        };
        let by_name: Vec<usize> = (0..n).collect();
        let labels = em_labels(&p, n);
        let (one_coin, majority) = (em(&p, n, &by_name, 0.5, None, (&[], 0)), vote(&p, n));
        // The best any method can do: the posterior under the true rows.
        let oracle = (0..tasks as usize)
            .filter(|&s| {
                let odds: f64 = p
                    .story(s)
                    .iter()
                    .map(|u| {
                        let (hit, slip) = if u.source % 2 == 0 { (0.98, 0.4) } else { (0.4, 0.98) };
                        // P(says u.class | truth 1) / P(says u.class | truth 0).
                        if u.class == 1 {
                            hit / (1.0 - slip)
                        } else {
                            (1.0 - hit) / slip
                        }
                    })
                    .product();
                (odds > 1.0) == (truth[s] == 1)
            })
            .count() as f64
            / tasks as f64;
        let (a, b, c) = (accuracy(&labels), accuracy(&one_coin), accuracy(&majority));
        println!("accuracy: em (labels) {a:.3}, one-coin em {b:.3}, vote {c:.3}, true rows {oracle:.3}");
        assert!(labels.iterations.1, "did not converge: {:?}", labels.iterations);
        assert!(
            a > b + 0.02 && a > c + 0.02 && a > oracle - 0.02,
            "{a} {b} {c} {oracle}"
        );
        let (record, support, against) = labels.tallies[workers as usize].finish(0.5);
        assert_eq!((support, against), (0.0, 0.0), "{record:?}");
    }

    #[test]
    fn similarities() {
        assert_eq!(similarity(Some(ValueKind::List), "a; b", "b; c"), 1.0 / 3.0);
        assert_eq!(similarity(Some(ValueKind::Number), "100", "90"), 0.9);
        assert_eq!(similarity(Some(ValueKind::Label), "1", "2"), 0.0);
        assert_eq!(similarity(Some(ValueKind::Text), "the art", "art"), 0.5);
    }
}
