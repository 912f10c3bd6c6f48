//! Truth discovery: every story's truth as a latent variable, learned together with the sources'
//! reliabilities and the responders' rates from who agrees with whom (`--method em`).
//!
//! Each unresolved story's log-odds of being true is the sum of its credited reports' votes, each
//! `±logit θ̂` of its outlet (plus for an assertion, minus for a denial), and of its standing official
//! answers' log likelihood ratios. A resolution settles the story. The iteration then alternates:
//!
//! * for every report, the probability that it is correct **given everything else on its story** (the
//!   story's log-odds minus the report's own vote); that probability `c` enters the outlet's record as the
//!   factor `c·θ + (1 − c)(1 − θ)`, exactly as a response-judged claim does in the base model. Leaving the
//!   report's own vote out is what keeps an outlet from confirming itself: a report alone on its story has
//!   `c = ½` and carries no information, however many such reports there are;
//! * every responder learns from each answer weighed by the story's truth given everything on it (EM's
//!   expected counts; `learn_answers` says why not without the answer), besides its hard counts from
//!   resolved stories;
//! * with claim times, a report that has an earlier report on its story may be a silent copy of one of
//!   them (probability ρ, fitted): its vote is that of the mixture (`mixture`), and it enters its
//!   outlet's record by the mixture's own factor (`copy_adjusted`); ρ takes one Newton step on its
//!   expected log likelihood (`CopyStats`);
//! * the prior is refitted by empirical Bayes and each outlet's reliability θ̂ set to its posterior mean;
//!   each round's search starts from the last round's optimum and keeps the tabulated likelihoods of the
//!   records that did not change (`GridCache`), which late in the iteration is nearly all of them.
//!
//! until no reliability, rate or ρ moves by more than [`TOLERANCE`], or the largest move stops shrinking
//! (by a tenth) for ten iterations, or for three once it is below [`FINE`] (a cycle of rounding, reported
//! as not converged, with its size). Probabilities `c` are rounded on the logit scale to steps of 1/64 (a
//! change of at most 0.8% in odds) so that an outlet's record stays a short list of groups, and the counts
//! are integers, so any thread count gives the same bits. Votes on a story are summed in outlet-name
//! order, so the result does not depend on how outlets were numbered (one run or merged shards).

use rayon::prelude::*;

use super::Tally;
use super::crosscheck::{Evidence, correct_given};
use super::posterior::{MarginalGrid, Record};
use super::prior::{GridCache, Priors};
use super::responders::{self, Responder, ResponderPrior, Tallies};
use crate::corpus::Stance;

/// The largest change of any reliability or responder rate at which the iteration stops.
pub const TOLERANCE: f64 = 1e-6;
/// The share of silent copies among later reports at which the iteration starts.
const COPY_START: f64 = 0.1;
/// The most iterations.
pub const MAX_ITERATIONS: usize = 500;
/// Steps per unit of logit in which a report's probability of being correct is recorded.
const STEPS: f64 = 64.0;
/// Iterations without a new smallest change (one below nine tenths of the last) after which the iteration
/// is taken as settled: rounding `c` to its grid can leave a cycle of a few 1e-5 in which a probability
/// flips between two neighbouring steps.
const STALL: usize = 10;
/// A largest change below which three such iterations settle it. A report whose `c` flips by one step
/// moves its outlet's θ̂ by about 1/(256·n) for n reports, so a cycle of a few 1e-6 is a handful of flips
/// among a large outlet's reports (2.3e-6 on the 3.6M-vote benchmark, where the ten-iteration rule spent
/// fifteen iterations confirming it). A legitimately slow iteration that shrinks by less than a tenth three
/// times running below 1e-5 stops at most a few 1e-4 from its fixed point.
pub const FINE: f64 = 1e-5;
/// Iterations without a new smallest change that settle the iteration below [`FINE`].
const FINE_STALL: usize = 3;

/// One report on a story: its outlet, its stance, and whether it only relays (no vote of its own). 8 bytes:
/// a story's reports are kept in the order of their outlets' names (votes are summed in that order), which
/// the reports are sorted by when built and need not carry (4 bytes a report, 38 MiB at 10M votes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    /// The outlet.
    pub source: u32,
    /// Asserts or denies.
    pub stance: Stance,
    /// A relaying outlet's share (weight `relay_weight`), not a vote.
    pub relay: bool,
}

/// Every story's reports, packed: story `s`'s are `units[start[s]..start[s + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct Units {
    /// The reports.
    pub units: Vec<Unit>,
    /// Where each story's run begins.
    pub start: Vec<u32>,
    /// Each report's evidence weight in units of `FULL_WEIGHT` (2^24), parallel to `units`; empty when
    /// every report weighs in full (no `--half-life`).
    pub weights: Vec<u32>,
    /// Each credited report's share of the story's earlier credited reports (strictly earlier
    /// `published_at`) that take its stance, in 254ths ([`Units::share_before`]), parallel to `units`;
    /// [`NONE_BEFORE`] for a relay or a report with none before it (a byte, not a float: at 10M claims the
    /// difference is 30 MB of the 1 GB budget). Empty without publication times: then no report can be a
    /// silent copy.
    pub earlier: Vec<u8>,
    /// Each credited report's position in its story's run ([`position_code`]), parallel to `earlier` (0 for a
    /// relay or a report with none before it): the copy rate depends on it ([`CopyRates`]).
    pub position: Vec<u8>,
    /// Each report's topic (its claim's), parallel to `units`; empty unless topics were read.
    pub topics: Vec<u32>,
}

/// [`Units::earlier`]'s code for a report with no earlier report (or a relay).
pub const NONE_BEFORE: u8 = u8::MAX;

/// A share in [0, 1] as [`Units::earlier`] stores it.
pub fn share_code(share: f64) -> u8 {
    (share * 254.0).round().clamp(0.0, 254.0) as u8
}

/// Positions in a story's run at which the copy rate is fitted apart: a report with 1, 2, …, 5, or 6 or
/// more earlier reports, each with and without a report after it.
pub const POSITIONS: usize = 12;

/// The bits of a position code that count earlier reports; the top bit marks the story's last report.
const BEFORE_BITS: u8 = 0x7f;

/// A report's position in its story's run, as [`Units::position`] keeps it: the number of credited reports
/// strictly earlier (capped at 127), and whether none is strictly later.
pub fn position_code(before: usize, last: bool) -> u8 {
    before.min(usize::from(BEFORE_BITS)) as u8 | if last { !BEFORE_BITS } else { 0 }
}

/// The share of silent copies among later reports, by position in the story's run ([`position_code`]). Where
/// a report comes says much about whether it repeats another: a story's second report can only repeat its
/// first, a tenth any of nine, and copies come after the first wave of independent reports, so they are
/// mostly a story's last reports. On the default 1M generated corpus the planted share of copies is 0.112
/// among last reports with one earlier report but 0.007 among those with a report after them, and among
/// last reports it rises from 0.11 to 0.54 with the number before. One rate for all is a misspecified
/// mixture: its maximum, even with the hidden truths and reliabilities, is 0.09 against a share of 0.113,
/// and the copies it leaves counted as independent bias their outlets' records toward the average outlet
/// (DESIGN.md, "Silent copying").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CopyRates(pub [f64; POSITIONS]);

impl CopyRates {
    /// No copying at any position.
    pub const NONE: CopyRates = CopyRates([0.0; POSITIONS]);

    /// The rate at position code `position` (no copy for a report with none before it).
    pub fn at(&self, position: u8) -> f64 {
        if position & BEFORE_BITS == 0 {
            return 0.0;
        }
        self.0[Self::index(position)]
    }

    /// The rate's index for position code `position`: 0 to 5 for 1 to 6+ earlier reports with one after,
    /// 6 to 11 for a story's last report.
    fn index(position: u8) -> usize {
        let before = usize::from((position & BEFORE_BITS).max(1)).min(POSITIONS / 2);
        let last = usize::from(position & !BEFORE_BITS != 0);
        before - 1 + last * (POSITIONS / 2)
    }
}

impl Units {
    /// Report `i`'s share of earlier reports on its stance and its copy rate under `rates`: (NaN, 0) when
    /// it has none before it.
    pub fn copy_terms(&self, i: usize, rates: &CopyRates) -> (f32, f64) {
        let q = self.share_before(i);
        if q.is_nan() {
            return (q, 0.0);
        }
        (q, rates.at(self.position.get(i).copied().unwrap_or(0)))
    }

    /// Report `i`'s share of earlier reports on its stance; NaN when it has none before it.
    pub fn share_before(&self, i: usize) -> f32 {
        match self.earlier.get(i) {
            Some(&code) if code != NONE_BEFORE => f32::from(code) / 254.0,
            _ => f32::NAN,
        }
    }

    /// Story `s`'s reports.
    pub fn story(&self, s: usize) -> &[Unit] {
        &self.units[self.start[s] as usize..self.start[s + 1] as usize]
    }

    /// Story `s`'s reports with their evidence weights.
    pub fn weighted(&self, s: usize) -> impl Iterator<Item = (&Unit, u32)> {
        let range = self.start[s] as usize..self.start[s + 1] as usize;
        let weights = self.weights.get(range.clone());
        self.units[range]
            .iter()
            .enumerate()
            .map(move |(k, u)| (u, weights.map_or(super::FULL_WEIGHT, |w| w[k])))
    }
}

/// The result of the iteration.
#[derive(Debug, Clone)]
pub(crate) struct Fit {
    /// Per outlet, its evidence counts at the end.
    pub tallies: Vec<Tally>,
    /// The responders' rates at the end.
    pub responders: Vec<Responder>,
    /// Per story, the probability that it is true given all its evidence (settled for a resolved story).
    pub p_true: Vec<f64>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was reached.
    pub converged: bool,
    /// The largest change in the last iteration.
    pub last_change: f64,
    /// The share of later reports that are silent copies (the rates by position weighed by their
    /// reports), and the rates; `None` when no report has an earlier one.
    pub copy_rate: Option<(f64, CopyRates)>,
}

pub(crate) fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub(crate) fn sign(stance: Stance) -> f64 {
    match stance {
        Stance::Asserts => 1.0,
        Stance::Denies => -1.0,
    }
}

/// A credited report's likelihoods given its story true and given it false: with probability `1 − copy`
/// it is independent, right with its outlet's reliability `theta`; with probability `copy` it repeats one
/// of the story's earlier reports drawn at random, so it takes its stance with probability `q`, the share
/// of those earlier reports that do, whatever the truth. A report with no earlier one (`q` NaN) is
/// independent. Returned as (likelihood if its stance is correct, if it is wrong).
fn mixture(theta: f64, q: f32, copy: f64) -> (f64, f64) {
    let theta = theta.clamp(1e-9, 1.0 - 1e-9);
    if q.is_nan() || copy == 0.0 {
        return (theta, 1.0 - theta);
    }
    let shared = copy * f64::from(q);
    ((1.0 - copy) * theta + shared, (1.0 - copy) * (1.0 - theta) + shared)
}

/// A report's log likelihood ratio, story true against false.
fn report_llr(u: &Unit, theta: f64, q: f32, copy: f64) -> f64 {
    let (right, wrong) = mixture(theta, q, copy);
    sign(u.stance) * (right / wrong).ln()
}

/// The grid step of report `u`'s probability of being correct given story log-odds `l` less its own log
/// likelihood ratio `own` (0 for a relay).
fn own_step(u: &Unit, l: f64, own: f64) -> i32 {
    logit_step(sign(u.stance) * (l - own))
}

/// `grid_step(sigmoid(x))`, the recording grid's step of a probability given by its logit `x`, without its
/// exponential and logarithm where they cannot matter. `logit(sigmoid(x))` is `x` up to rounding: `sigmoid`
/// is within a few ulps of its value, and `logit` divides by `1 − p`, which for `x > 0` carries those ulps
/// of 1 relative to `e^−x`, so the two differ by at most about `7e-16·e^|x| + 2.3e-16·(1 + |x|)`, under
/// `3.3e-7` for `|x| ≤ 20`, `2.1e-5` after scaling by [`STEPS`] (exact: a power of two). Where `64x` is
/// further than [`STEP_MARGIN`] (five times that) from a half step, both round to the same step; the rest
/// (a few in ten thousand, and `|x| > 20`, where `logit`'s clamp at 1e-9 starts) take the slow path. The
/// same bits as the slow path, so the same outputs, and an E-step's report costs a multiply and a round
/// rather than an exponential, a logarithm and a division (on the 3.6M votes they were 14% of the run).
fn logit_step(x: f64) -> i32 {
    if x.abs() <= 20.0 {
        // Truncated, not `round` (a libm call on baseline x86-64): the fraction says which way to go.
        let y = x * STEPS;
        let whole = y as i32;
        let fraction = y - f64::from(whole);
        if (fraction.abs() - 0.5).abs() > STEP_MARGIN {
            return whole + i32::from(fraction > 0.5) - i32::from(fraction < -0.5);
        }
    }
    grid_step(sigmoid(x))
}

/// How near a half step [`logit_step`] takes the slow path (see there).
const STEP_MARGIN: f64 = 1e-4;

/// A credited report's log likelihood ratio in the iteration: its outlet's vote `±logit θ` from `votes`
/// (computed once per outlet), or the copy mixture's where the report may be a copy.
fn iteration_llr(u: &Unit, votes: &[f64], theta: &[f64], q: f32, copy: f64) -> f64 {
    if q.is_nan() || copy == 0.0 {
        sign(u.stance) * votes[u.source as usize]
    } else {
        report_llr(u, theta[u.source as usize], q, copy)
    }
}

/// A report's chance of being a silent copy given everything on its story (`pc`: the chance that its
/// stance is right): the copy's likelihood over the mixture's, averaged over whether the stance is right;
/// with the report's terms of [`CopyStats`]. Zero for a relay or a report with nothing before it.
fn copy_chance(u: &Unit, pc: f64, theta: f64, q: f32, copy: f64) -> (f64, f64, f64) {
    if u.relay || q.is_nan() || copy == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    let theta = theta.clamp(1e-9, 1.0 - 1e-9);
    let (right, wrong) = mixture(theta, q, copy);
    let q = f64::from(q);
    let shared = copy * q;
    let r = (pc * shared / right + (1.0 - pc) * shared / wrong).clamp(0.0, 1.0);
    // d/dρ of pc·ln(right) + (1 − pc)·ln(wrong), right = (1 − ρ)θ + ρq, wrong = (1 − ρ)(1 − θ) + ρq.
    let (gr, gw) = ((q - theta) / right, (q - 1.0 + theta) / wrong);
    (r, pc * gr + (1.0 - pc) * gw, -(pc * gr * gr + (1.0 - pc) * gw * gw))
}

/// `y.round() as i64` for `|y| < 2^53` without libm's `round` (a call on baseline x86-64): the
/// truncation's remainder `y − trunc(y)` is exact there, and says which way a half goes (away from zero).
fn round_half_away(y: f64) -> i64 {
    let whole = y as i64;
    let fraction = y - whole as f64;
    whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

/// `ρ·q` of a report that may be a silent copy: `None` for a relay, a report with nothing before it or
/// none before it on its stance, or a zero copy rate.
fn possibly_copied(u: &Unit, q: f32, rate: f64) -> Option<f64> {
    let shared = rate * f64::from(q);
    (!u.relay && !q.is_nan() && shared > 0.0).then_some(shared)
}

/// A report that may be a copy, in its outlet's record. Its likelihood given everything else on its story
/// is `ρq + (1 − ρ)(cθ + (1 − c)(1 − θ))` in its outlet's θ (`c`: the chance its stance is right given the
/// rest, `shared` = ρq): affine in θ, so exactly a multiple of `c'θ + (1 − c')(1 − θ)` with
/// `c' = (ρq + (1 − ρ)c) / (2ρq + 1 − ρ)`, which this returns. Counting the report as a whole report
/// judged by `c` but weighed by its chance of being independent (as em did) keeps most of a copy in its
/// outlet's record (at ρ = 0.2 an agreeing report is independent with odds 3 to 1) and is not the
/// likelihood; the factor is, so the outlet's interval is the posterior's.
fn copy_adjusted(c: f64, shared: f64, rate: f64) -> f64 {
    (shared + (1.0 - rate) * c) / (2.0 * shared + 1.0 - rate)
}

/// A report's step on a resolved story, whose stance is right by `share` (1, 0, or ½ for mixed): known,
/// unless it may be a copy ([`copy_adjusted`]).
pub(crate) fn resolved_step_probability(u: &Unit, share: f64, q: f32, rate: f64) -> (f64, bool) {
    let step = resolved_step(u, share, q, rate);
    (step.probability(), step.known())
}

fn resolved_step(u: &Unit, share: f64, q: f32, rate: f64) -> Step {
    match possibly_copied(u, q, rate) {
        Some(shared) => Step::Grid(grid_step(copy_adjusted(share, shared, rate))),
        None => Step::Known((share * 2.0).round() as u8),
    }
}

/// A report's step in its outlet's record on an unresolved story with log-odds `l`, its own log likelihood
/// ratio being `own` (0 for a relay): the chance its stance is right given everything but itself or, where
/// it may be a copy, the mixture's factor ([`copy_adjusted`]), on the recording grid.
fn unresolved_step(u: &Unit, l: f64, own: f64, q: f32, rate: f64) -> i32 {
    match possibly_copied(u, q, rate) {
        Some(shared) => grid_step(copy_adjusted(sigmoid(sign(u.stance) * (l - own)), shared, rate)),
        None => own_step(u, l, own),
    }
}

/// [`unresolved_step`]'s probability, with the report's own ratio from its outlet's reliability `theta`
/// (for the topic cells, which have no table of mixed votes).
pub(crate) fn unresolved_factor(u: &Unit, l: f64, theta: f64, q: f32, copy: f64) -> f64 {
    let own = if u.relay { 0.0 } else { report_llr(u, theta, q, copy) };
    sigmoid(f64::from(unresolved_step(u, l, own, q, copy)) / STEPS)
}

/// Rounds a probability on the logit scale to the recording grid.
pub(crate) fn rounded(c: f64) -> f64 {
    sigmoid(f64::from(grid_step(c)) / STEPS)
}

/// A probability's step on the recording grid: the nearest multiple of 1/STEPS to its logit.
fn grid_step(c: f64) -> i32 {
    (logit(c) * STEPS).round() as i32
}

/// Everything the iteration reads and does not change.
pub(crate) struct Problem<'a> {
    /// Each story's resolution and standing answers.
    pub evidence: &'a Evidence,
    /// Each story's reports.
    pub units: &'a Units,
    /// Responders' counts from every response row, before learning (verdict counts, stories answered).
    pub base: &'a [Tallies],
    /// The prior of responders' rates.
    pub responder_prior: ResponderPrior,
    /// Credibility level (for the responders' intervals).
    pub level: f64,
    /// Outlets in name order (for the prior's objective).
    pub by_name: &'a [usize],
    /// Weight of a relaying outlet's share.
    pub relay_weight: f64,
    /// Each outlet's group (by source id) and the number of groups; empty and 0 without groups.
    pub groups: (&'a [u32], usize),
}

/// The reports' probabilities of being correct and the responders' expected counts, given reliabilities
/// `theta` and responders `responders`.
fn expectation(p: &Problem<'_>, theta: &[f64], responders: &[Responder], copy: &CopyRates) -> Expectation {
    let votes: Vec<f64> = theta.iter().map(|&t| logit(t)).collect();
    let mixed = MixedVotes::new(p.units, theta, copy);
    let n_sources = theta.len();
    let n = p.evidence.len();
    let judge = Judge {
        p,
        votes: &votes,
        mixed: &mixed,
        theta,
        copy,
    };
    // Story log-odds in parallel (each reads only its own story).
    let log_odds: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|s| {
            let mut l = 0.0;
            let first = p.units.start[s] as usize;
            for (k, u) in p.units.story(s).iter().enumerate().filter(|(_, u)| !u.relay) {
                let (q, rate) = p.units.copy_terms(first + k, copy);
                l += judge.llr(u, first + k, q, rate);
            }
            for &(who, signal) in p.evidence.story(s).answers {
                if let Some(x) = signal {
                    l += responders[who as usize].log_likelihood_ratio(x);
                }
            }
            l
        })
        .collect();
    // The outlets' tallies in one run of stories per thread, merged after: a tally holds integer counts, so
    // the sum is the same in any order and for any number of runs. Without weights a run writes each
    // report as one sortable key and counts equal keys after sorting, which touches memory in order where
    // adding to per-outlet maps would miss the cache on nearly every report.
    let runs = rayon::current_num_threads().max(1);
    let run = n.div_ceil(runs).max(1);
    let weighted = !p.units.weights.is_empty();
    let partial: Vec<(Vec<Tally>, CopyStats)> = (0..n.div_ceil(run))
        .into_par_iter()
        .map(|k| {
            let stories = k * run..((k + 1) * run).min(n);
            let mut tallies = vec![Tally::default(); n_sources];
            let mut copied = CopyStats::default();
            if weighted {
                for s in stories {
                    judge.reports(s, log_odds[s], &mut copied, &mut |source, step, relay, w| {
                        tallies[source as usize].add_units(step.probability(), step.known(), relay, u64::from(w));
                    });
                }
                return (tallies, copied);
            }
            // Every report weighs in full: listed by outlet and counted ([`Dense`]).
            let mut dense = Dense::new(n_sources);
            for s in stories {
                judge.reports(s, log_odds[s], &mut copied, &mut |source, step, relay, _| {
                    if !dense.count(source, step, relay) {
                        tallies[source as usize].add_units(
                            step.probability(),
                            step.known(),
                            relay,
                            u64::from(super::FULL_WEIGHT),
                        );
                    }
                });
                if dense.pending > DENSE_PENDING {
                    dense.add_to(&mut tallies);
                }
            }
            dense.add_to(&mut tallies);
            (tallies, copied)
        })
        .collect();
    let (mut partial, stats): (Vec<Vec<Tally>>, Vec<CopyStats>) = partial.into_iter().unzip();
    let copied = stats.into_iter().fold(CopyStats::default(), CopyStats::plus);
    let mut tallies = if partial.is_empty() {
        vec![Tally::default(); n_sources]
    } else {
        partial.swap_remove(0)
    };
    for other in partial {
        for (t, o) in tallies.iter_mut().zip(other) {
            t.merge(o);
        }
    }
    // The responders learn in story order (their expected counts are sums of reals); without responders
    // there is nothing to learn, and each story's probability is its own, so those are taken in parallel
    // (one exponential a story, which in story order was the longest serial stretch of the E-step).
    let mut learned: Vec<Tallies> = p.base.to_vec();
    if !responders.is_empty() {
        learn_answers(p, &log_odds, &mut learned);
    }
    let mut p_true = log_odds;
    p_true.par_iter_mut().enumerate().for_each(|(s, slot)| {
        *slot = match p.evidence.story(s).resolution {
            Some(outcome) => outcome.truth(),
            None => sigmoid(*slot),
        };
    });
    Expectation {
        tallies,
        learned,
        p_true,
        copied,
    }
}

/// The responders' counts from every story, in story order: hard counts from a resolved story, expected
/// counts from an unresolved one, each answer weighed by the story's truth given everything on it, the
/// answer itself included (the story's log-odds `log_odds`): EM's M-step for a rate whose answers are
/// latent-class data. Weighing by the truth given everything *but* the answer (as an outlet's record does,
/// where the weight enters a mixture likelihood, not a count) shrinks the counts toward the average answer:
/// on a generated 1M corpus the honest responder's rates (0.88 and 0.88 planted) came out 0.78 and 0.62,
/// and 0.86 and 0.85 this way.
fn learn_answers(p: &Problem<'_>, log_odds: &[f64], learned: &mut [Tallies]) {
    for (s, &l) in log_odds.iter().enumerate() {
        let ev = p.evidence.story(s);
        if let Some(outcome) = ev.resolution {
            for &(who, signal) in ev.answers {
                if let Some(x) = signal {
                    learned[who as usize].learn(x, outcome);
                }
            }
            continue;
        }
        let answers = ev.answers.iter().filter(|a| a.1.is_some()).count();
        if answers == 0 {
            continue;
        }
        let voters = p.units.story(s).iter().filter(|u| !u.relay).count();
        if voters + answers > 1 {
            let t = sigmoid(l);
            for &(who, signal) in ev.answers {
                if let Some(x) = signal {
                    learned[who as usize].learn_soft(x, t);
                }
            }
        }
    }
}

/// What one E-step gives: the outlets' tallies, the responders' counts, every story's probability of
/// being true, and the expected number of silent copies among the reports that have an earlier one.
struct Expectation {
    tallies: Vec<Tally>,
    learned: Vec<Tallies>,
    p_true: Vec<f64>,
    copied: CopyStats,
}

/// The first and second derivative in the copy rate ρ of the expected log likelihood of the reports that
/// have an earlier one, `Σ E[ln((1 − ρ)·P(stance | truth, θ) + ρ·q)]`, at the current ρ, summed in fixed
/// point (units of 2^−32) so that the sums are the same for any split of the stories among threads.
#[derive(Debug, Clone, Copy, Default)]
struct CopyStats {
    d1: [i128; POSITIONS],
    d2: [i128; POSITIONS],
}

impl CopyStats {
    fn plus(mut self, other: CopyStats) -> CopyStats {
        for b in 0..POSITIONS {
            self.d1[b] += other.d1[b];
            self.d2[b] += other.d2[b];
        }
        self
    }

    /// Adds the terms of one report at position code `position` (each clamped to ±1e6: a term that large is
    /// a report its outlet almost never makes, and the clamp keeps the fixed-point sum in range).
    fn add(&mut self, position: u8, d1: f64, d2: f64) {
        let fixed = |x: f64| i128::from(round_half_away(x.clamp(-1e6, 1e6) * COPY_UNIT));
        let b = CopyRates::index(position);
        self.d1[b] += fixed(d1);
        self.d2[b] += fixed(d2);
    }

    /// One Newton step on each position's copy rate (the expected log likelihood is concave in it and the
    /// positions' terms are separate), kept within a quarter of ρ below and half the way to 1 above so
    /// that a far step cannot overshoot.
    fn next(self, copy: &CopyRates) -> CopyRates {
        let mut next = *copy;
        for (b, rho) in next.0.iter_mut().enumerate() {
            let r = *rho;
            // The prior Beta(1, COPY_PRIOR + 1) adds −COPY_PRIOR·ln(1 − ρ).
            let (d1, d2) = (
                self.d1[b] as f64 / COPY_UNIT - COPY_PRIOR / (1.0 - r),
                self.d2[b] as f64 / COPY_UNIT - COPY_PRIOR / (1.0 - r).powi(2),
            );
            if d2 < 0.0 {
                *rho = (r - d1 / d2).clamp(0.25 * r, r + 0.5 * (1.0 - r)).max(COPY_FLOOR);
            }
        }
        next
    }
}

/// A report's chance of being a silent copy is summed in fixed point (units of 2^−32), so that the sum
/// is the same for any split of the stories among threads.
const COPY_UNIT: f64 = 4_294_967_296.0;
/// Each position's copy rate's prior, Beta(1, 1 + COPY_PRIOR): as if that many reports had been seen to be
/// independent. Most reports are; with a few dozen later reports (the seed data set) the likelihood alone
/// is too flat to tell copying from outlets that are simply right together, and with hundreds of
/// thousands the prior is negligible.
const COPY_PRIOR: f64 = 20.0;
/// The largest SQUAREM step length |α| (`categorical::squarem`).
const SQUAREM_STEP: f64 = 16.0;
/// The smallest copy rate: at zero the mixture would be fixed there for good.
const COPY_FLOOR: f64 = 1e-6;

/// What a report adds to its outlet's record: a known outcome (correct, wrong, or half right for a mixed
/// resolution), or its probability of being correct as a step on the recording grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Known: 0 wrong, 1 half (mixed), 2 correct.
    Known(u8),
    /// Uncertain: probability σ(k / STEPS).
    Grid(i32),
}

impl Step {
    fn known(self) -> bool {
        matches!(self, Step::Known(_))
    }

    fn probability(self) -> f64 {
        match self {
            Step::Known(k) => f64::from(k) / 2.0,
            Step::Grid(k) => sigmoid(f64::from(k) / STEPS),
        }
    }
}

/// Reports by (outlet, step, relay), for an E-step's run of stories: each outlet keeps a list of its
/// reports' slots (2 bytes a report, where a sort key took 8), and [`Dense::add_to`] counts each list in a
/// small table (a few KiB, in L1). Sorting keys was 7% of the 3.6M votes' run, and counting straight into
/// one table of every outlet's slots (4.5 MiB) missed the cache on nearly every report and cost as much.
/// Counts are integers, so the tallies are the same in any order. (Until session 8 a report that might be a
/// silent copy was weighed by its chance of being independent and went through sorted keys instead; it now
/// weighs in full, by its own factor.)
struct Dense {
    slots: Vec<Vec<u16>>,
    counts: Vec<u32>,
    /// Reports recorded since the last [`Dense::add_to`].
    pending: usize,
}

/// Reports a [`Dense`] lists before they are counted (4 MiB of slots): each count adds a run's distinct
/// (outlet, step) pairs to the tallies' maps, which costs more than the counting when done per slice.
const DENSE_PENDING: usize = 1 << 21;

/// Grid steps a [`Dense`] slot holds each side of zero (`logit` clamps at ±20.7, step ±1327).
const DENSE_STEPS: i32 = 1400;
/// [`Dense`] slots per outlet: the grid steps, then the three known outcomes, each with and without relay.
const DENSE_PER_SOURCE: usize = 2 * (2 * DENSE_STEPS as usize + 1 + 3);

impl Dense {
    fn new(n_sources: usize) -> Dense {
        Dense {
            slots: vec![Vec::new(); n_sources],
            counts: vec![0; DENSE_PER_SOURCE],
            pending: 0,
        }
    }

    /// Records a report; false if it has no slot.
    fn count(&mut self, source: u32, step: Step, relay: bool) -> bool {
        let code = match step {
            Step::Grid(k) if k.abs() <= DENSE_STEPS => (k + DENSE_STEPS) as usize,
            Step::Grid(_) => return false,
            Step::Known(k) => (2 * DENSE_STEPS + 1) as usize + usize::from(k),
        };
        self.slots[source as usize].push((2 * code + usize::from(relay)) as u16);
        self.pending += 1;
        true
    }

    /// Adds the reports recorded so far to the outlets' tallies, and forgets them.
    fn add_to(&mut self, tallies: &mut [Tally]) {
        self.pending = 0;
        let full = u64::from(super::FULL_WEIGHT);
        for (source, slots) in self.slots.iter_mut().enumerate() {
            for &slot in slots.iter() {
                self.counts[usize::from(slot)] += 1;
            }
            for &slot in slots.iter() {
                let n = std::mem::take(&mut self.counts[usize::from(slot)]);
                if n == 0 {
                    continue;
                }
                let (code, relay) = (usize::from(slot) / 2, slot % 2 == 1);
                let step = match code as i32 - DENSE_STEPS {
                    k if k <= DENSE_STEPS => Step::Grid(k),
                    k => Step::Known((k - DENSE_STEPS - 1) as u8),
                };
                tallies[source].add_units(step.probability(), step.known(), relay, u64::from(n) * full);
            }
            slots.clear();
        }
    }
}

/// Each outlet's log likelihood ratio under the copy mixture for each share of earlier reports
/// ([`Units::earlier`]'s 255 codes) and each position's copy rate: `ln(right / wrong)` of [`mixture`], which
/// [`report_llr`] signs. A report's ratio depends on nothing else, so an E-step that took two logarithms a
/// later report (its story's log-odds, then its own vote taken out) takes one per slot, once. Empty
/// (nothing tabulated) without copying, or where the table would have more slots than there are later
/// reports.
struct MixedVotes {
    table: Vec<f64>,
}

/// Codes of [`Units::earlier`] that are shares (all but [`NONE_BEFORE`]).
const SHARE_CODES: usize = NONE_BEFORE as usize;

impl MixedVotes {
    fn new(units: &Units, theta: &[f64], copy: &CopyRates) -> MixedVotes {
        let slots = theta.len() * SHARE_CODES * POSITIONS;
        let later = units.earlier.iter().filter(|&&c| c != NONE_BEFORE).count();
        if *copy == CopyRates::NONE || slots > later {
            return MixedVotes { table: Vec::new() };
        }
        let table = theta
            .par_iter()
            .flat_map_iter(|&t| {
                (0..SHARE_CODES).flat_map(move |code| {
                    let q = f32::from(code as u8) / 254.0;
                    copy.0.iter().map(move |&rate| {
                        let (right, wrong) = mixture(t, q, rate);
                        (right / wrong).ln()
                    })
                })
            })
            .collect();
        MixedVotes { table }
    }

    /// Report `i`'s `ln(right / wrong)`, if tabulated.
    fn get(&self, units: &Units, source: u32, i: usize) -> Option<f64> {
        if self.table.is_empty() {
            return None;
        }
        let code = usize::from(units.earlier[i]);
        let b = CopyRates::index(units.position[i]);
        Some(self.table[(source as usize * SHARE_CODES + code) * POSITIONS + b])
    }
}

/// What judging a story's reports reads.
struct Judge<'a, 'p> {
    p: &'a Problem<'p>,
    votes: &'a [f64],
    mixed: &'a MixedVotes,
    theta: &'a [f64],
    copy: &'a CopyRates,
}

impl Judge<'_, '_> {
    /// [`iteration_llr`] of report `i` (`u`), with its copy terms `q` and `rate`, from the table of mixed
    /// votes where it has one: the same bits.
    fn llr(&self, u: &Unit, i: usize, q: f32, rate: f64) -> f64 {
        if !(q.is_nan() || rate == 0.0)
            && let Some(x) = self.mixed.get(self.p.units, u.source, i)
        {
            return sign(u.stance) * x;
        }
        iteration_llr(u, self.votes, self.theta, q, rate)
    }

    /// Story `s`'s reports, each handed to `add` as (outlet, step, relay, weight): known correct or wrong on
    /// a resolved story, else each judged by everything on its story but itself (story log-odds `l`); a
    /// report that may be a silent copy by its factor under the copy mixture ([`copy_adjusted`]).
    /// Adds the story's terms of the copy rates' Newton step to `copied` (passed in rather than returned: a
    /// [`CopyStats`] is 24 fixed-point sums, and adding one per story cost the untimed fit about 7%).
    fn reports(&self, s: usize, l: f64, copied: &mut CopyStats, add: &mut impl FnMut(u32, Step, bool, u32)) {
        let p = self.p;
        let ev = p.evidence.story(s);
        let first = p.units.start[s] as usize;
        let terms = |k: usize| p.units.copy_terms(first + k, self.copy);
        let position = |k: usize| p.units.position.get(first + k).copied().unwrap_or(0);
        // `pc` is the chance that the report's stance is right, asked only of a report that may be a copy.
        let mut learn_copy = |u: &Unit, k: usize, (q, rate): (f32, f64), pc: &dyn Fn() -> f64| {
            if u.relay || q.is_nan() || rate == 0.0 {
                return;
            }
            let (_, d1, d2) = copy_chance(u, pc(), self.theta[u.source as usize], q, rate);
            if d2 != 0.0 {
                copied.add(position(k), d1, d2);
            }
        };
        if let Some(outcome) = ev.resolution {
            // Resolved stories teach the copy rate most: a copy of a wrong report is wrong whatever its
            // outlet's record.
            for (k, (u, w)) in p.units.weighted(s).enumerate() {
                let share = correct_given(u.stance, outcome.truth());
                let (q, rate) = terms(k);
                learn_copy(u, k, (q, rate), &|| share);
                add(u.source, resolved_step(u, share, q, rate), u.relay, w);
            }
            return;
        }
        let voters = p.units.story(s).iter().filter(|u| !u.relay).count();
        let answers = ev.answers.iter().filter(|a| a.1.is_some()).count();
        for (k, (u, w)) in p.units.weighted(s).enumerate() {
            let (q, rate) = terms(k);
            learn_copy(u, k, (q, rate), &|| sigmoid(sign(u.stance) * l));
            let others = voters + answers - usize::from(!u.relay);
            if others == 0 {
                continue;
            }
            let own = if u.relay { 0.0 } else { self.llr(u, first + k, q, rate) };
            add(u.source, Step::Grid(unresolved_step(u, l, own, q, rate)), u.relay, w);
        }
    }
}

/// Runs the iteration from reliabilities `theta` and responders `responders` (the base model's).
pub(crate) fn fit(p: &Problem<'_>, mut theta: Vec<f64>, mut responders: Vec<Responder>) -> Fit {
    // Reports that could be silent copies: credited ones with an earlier report on their story.
    let mut later = [0usize; POSITIONS];
    for &b in p.units.position.iter().filter(|&&b| b != 0) {
        later[CopyRates::index(b)] += 1;
    }
    let all_later: usize = later.iter().sum();
    let mut copy = if all_later > 0 {
        CopyRates([COPY_START; POSITIONS])
    } else {
        CopyRates::NONE
    };
    let mut iterations = 0;
    let mut converged = false;
    let (mut best, mut since_best, mut last_change) = (f64::INFINITY, 0, f64::NAN);
    let mut accelerating: Option<Vec<f64>> = None;
    let mut grid_cache = GridCache::default();
    let mut last_priors: Option<Priors> = None;
    loop {
        let clock = std::time::Instant::now();
        let Expectation {
            tallies,
            learned,
            p_true,
            copied,
        } = expectation(p, &theta, &responders, &copy);
        let e_step = clock.elapsed().as_secs_f64();
        let settled = since_best >= STALL || (last_change < FINE && since_best >= FINE_STALL);
        if converged || iterations >= MAX_ITERATIONS || settled {
            return Fit {
                tallies,
                responders,
                p_true,
                iterations,
                converged,
                last_change,
                copy_rate: (all_later > 0).then(|| {
                    let copies: f64 = copy.0.iter().zip(&later).map(|(r, &n)| r * n as f64).sum();
                    (copies / all_later as f64, copy)
                }),
            };
        }
        iterations += 1;
        let records: Vec<Record> = tallies.par_iter().map(|t| t.finish(p.relay_weight).0).collect();
        let ordered: Vec<&Record> = p.by_name.iter().map(|&i| &records[i]).collect();
        let (groups, n_groups) = p.groups;
        let group = |i: usize| groups.get(i).copied().unwrap_or(u32::MAX);
        let ordered_groups: Vec<u32> = p.by_name.iter().map(|&i| group(i)).collect();
        let clock = std::time::Instant::now();
        let (priors, grids) = Priors::fit_cached(
            &ordered,
            &ordered_groups,
            n_groups,
            last_priors.as_ref(),
            &mut grid_cache,
        );
        let prior_time = clock.elapsed().as_secs_f64();
        // Warm: the search starts from the last round's optimum, and the grids of unchanged records are kept
        // (on 2M generated claims from 5,000 outlets the prior's refit fell from 0.57 s to 0.09 s a round late
        // in the iteration; BENCHMARKS.md, "Many outlets").
        // Each outlet's posterior mean, read off the grid its prior's search tabulated where there is one
        // (`fit_tabulated` hands out only grids that serve the prior it found).
        let mut grid_of: Vec<Option<MarginalGrid>> = vec![None; records.len()];
        for (&i, g) in p.by_name.iter().zip(grids) {
            grid_of[i] = g;
        }
        let next: Vec<f64> = records
            .par_iter()
            .zip(&grid_of)
            .enumerate()
            .map(|(i, (r, g))| {
                let prior = priors.of(group(i));
                match g {
                    Some(g) => g.posterior_mean(prior.alpha, prior.beta),
                    None => r.posterior_mean(prior.alpha, prior.beta),
                }
            })
            .collect();
        last_priors = Some(priors);
        let next_responders = responders::learn(learned, p.responder_prior, p.level);
        let next_copy = if all_later > 0 {
            copied.next(&copy)
        } else {
            CopyRates::NONE
        };
        let moved = theta
            .iter()
            .zip(&next)
            .map(|(a, b)| (a - b).abs())
            .chain(responders.iter().zip(&next_responders).flat_map(|(a, b)| {
                [
                    (a.confirm_when_true.mean - b.confirm_when_true.mean).abs(),
                    (a.deny_when_false.mean - b.deny_when_false.mean).abs(),
                ]
            }))
            .chain(next_copy.0.iter().zip(&copy.0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if std::env::var_os("CREDENCE_TIMING").is_some() {
            eprintln!(
                "em: iteration {iterations}: largest change {moved:.3e}, copies {:.4?}; E-step {e_step:.3} s, \
                 prior {prior_time:.3} s, rest {:.3} s",
                next_copy.0,
                clock.elapsed().as_secs_f64() - prior_time
            );
        }
        converged = moved < TOLERANCE;
        let mut next = next;
        if !converged && responders.is_empty() && all_later == 0 {
            // Where θ is the iteration's whole state (no responders, no copy model: votes alone, as in a
            // crowd), SQUAREM every third step (`categorical::squarem_within`). The map's slow mode there
            // alternates in sign (‖r‖ < ‖v‖), so the step may also shorten, down to |α| = ¼. With
            // responders or copy rates in the state, extrapolating θ alone slowed the iteration on every
            // generated corpus tried (20 → 24 to 27 → 31 iterations), and extrapolating the copy rates' logits
            // with it diverged on the timed crowd votes; there the plain iteration stands.
            let state = |theta: &[f64]| -> Vec<f64> { theta.iter().map(|&t| logit(t)).collect() };
            match iterations % 3 {
                1 => accelerating = Some(state(&theta)),
                2 => {
                    if let Some(s0) = accelerating.take() {
                        let (s1, s2) = (state(&theta), state(&next));
                        let x = super::categorical::squarem_within(&s0, &s1, &s2, 0.25, SQUAREM_STEP);
                        if std::env::var_os("CREDENCE_TIMING").is_some() {
                            let d: f64 = x.iter().zip(&s2).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                            eprintln!("em: SQUAREM moved logits by up to {d:.3e}");
                        }
                        next = x.iter().map(|&l| sigmoid(l)).collect();
                    }
                }
                _ => {}
            }
        }
        theta = next;
        responders = next_responders;
        copy = next_copy;
        last_change = moved;
        if moved < 0.9 * best {
            (best, since_best) = (moved, 0);
        } else {
            since_best += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Corpus;
    use crate::model::crosscheck::stories;

    /// A problem with no responders and no relay weight.
    fn problem<'a>(evidence: &'a Evidence, units: &'a Units, by_name: &'a [usize]) -> Problem<'a> {
        Problem {
            evidence,
            units,
            base: &[],
            responder_prior: ResponderPrior::default(),
            level: 0.95,
            by_name,
            relay_weight: 0.0,
            groups: (&[], 0),
        }
    }

    /// Two outlets assert a story, with no answer: each report's chance of being correct is the other
    /// outlet's reliability (rounded to the grid), worked by hand: σ(logit 0.6) = 0.6, σ(logit 0.8) = 0.8.
    #[test]
    fn a_report_is_judged_by_everything_but_itself() {
        let mut corpus = Corpus::default();
        corpus.stories.intern("s");
        let evidence = stories(&corpus);
        let units = Units {
            units: vec![
                Unit {
                    source: 0,
                    stance: Stance::Asserts,
                    relay: false,
                },
                Unit {
                    source: 1,
                    stance: Stance::Asserts,
                    relay: false,
                },
            ],
            start: vec![0, 2],
            weights: Vec::new(),
            earlier: Vec::new(),
            position: Vec::new(),
            topics: Vec::new(),
        };
        let p = problem(&evidence, &units, &[0, 1]);
        let Expectation { tallies, p_true, .. } = expectation(&p, &[0.8, 0.6], &[], &CopyRates::NONE);
        let c = |k: usize| f64::from_bits(tallies[k].groups.keys().next().unwrap().0);
        assert!(
            (c(0) - 0.6).abs() < 0.003 && (c(1) - 0.8).abs() < 0.003,
            "{} {}",
            c(0),
            c(1)
        );
        // The story's own probability includes both votes: odds 4 × 1.5 = 6, so 6/7.
        assert!((p_true[0] - 6.0 / 7.0).abs() < 1e-12);
    }

    /// The copy mixture by hand: θ = 0.8, ρ = 0.1, every earlier report on the report's stance (q = 1):
    /// right = 0.9·0.8 + 0.1 = 0.82, wrong = 0.9·0.2 + 0.1 = 0.28, so the vote is ln(0.82 / 0.28) (not
    /// logit 0.8 = ln 4); given its stance right the chance it is a copy is 0.1 / 0.82, given a coin flip
    /// ½·0.1/0.82 + ½·0.1/0.28; the derivative in ρ of ln(right) is (q − θ)/right.
    #[test]
    fn copy_mixture_by_hand() {
        let unit = |stance, relay| Unit {
            source: 0,
            stance,
            relay,
        };
        let asserts = unit(Stance::Asserts, false);
        assert!((report_llr(&asserts, 0.8, 1.0, 0.1) - (0.82f64 / 0.28).ln()).abs() < 1e-12);
        assert!((report_llr(&unit(Stance::Denies, false), 0.8, 1.0, 0.1) + (0.82f64 / 0.28).ln()).abs() < 1e-12);
        // Nothing before it, or no copying: the plain vote.
        assert!((report_llr(&asserts, 0.8, f32::NAN, 0.1) - 4f64.ln()).abs() < 1e-12);
        assert!((report_llr(&asserts, 0.8, 1.0, 0.0) - 4f64.ln()).abs() < 1e-12);
        let (r, d1, d2) = copy_chance(&asserts, 1.0, 0.8, 1.0, 0.1);
        assert!((r - 0.1 / 0.82).abs() < 1e-12);
        assert!((d1 - 0.2 / 0.82).abs() < 1e-12);
        assert!((d2 + (0.2f64 / 0.82).powi(2)).abs() < 1e-12);
        let (r, _, _) = copy_chance(&asserts, 0.5, 0.8, 1.0, 0.1);
        assert!((r - (0.05 / 0.82 + 0.05 / 0.28)).abs() < 1e-12);
        // A relay, or a report with nothing before it, is never a copy.
        assert_eq!(copy_chance(&unit(Stance::Asserts, true), 1.0, 0.8, 1.0, 0.1).0, 0.0);
        assert_eq!(copy_chance(&asserts, 1.0, 0.8, f32::NAN, 0.1).0, 0.0);
        // In its outlet's record the report's factor is its likelihood in θ: on a story resolved its way,
        // 0.1 + 0.9θ = 1.1·(c'θ + (1 − c')(1 − θ)) with c' = 1/1.1; against it, 0.1 + 0.9(1 − θ), c' = 0.1/1.1.
        let (c, known) = resolved_step_probability(&asserts, 1.0, 1.0, 0.1);
        assert!(!known && (c - 1.0 / 1.1).abs() < 1e-3, "{c}"); // within half a grid step
        assert!((copy_adjusted(1.0, 0.1, 0.1) - 1.0 / 1.1).abs() < 1e-15);
        assert!((copy_adjusted(0.0, 0.1, 0.1) - 0.1 / 1.1).abs() < 1e-15);
        // Where it cannot be a copy the outcome is known; unresolved, the factor is the plain leave-one-out
        // chance, and with a copy it lies nearer ½ (c = σ(ln 6 − ln(0.82/0.28)) ≈ 0.672 → (0.1 + 0.9c)/1.1).
        assert_eq!(resolved_step_probability(&asserts, 1.0, f32::NAN, 0.1), (1.0, true));
        let c = sigmoid(6f64.ln() - (0.82f64 / 0.28).ln());
        let f = unresolved_factor(&asserts, 6f64.ln(), 0.8, 1.0, 0.1);
        assert!((f - (0.1 + 0.9 * c) / 1.1).abs() < 0.01, "{f}");
        assert!(
            (unresolved_factor(&asserts, 6f64.ln(), 0.8, f32::NAN, 0.1) - sigmoid(6f64.ln() - 4f64.ln())).abs() < 0.01
        );
        // The share of earlier reports is kept in 254ths.
        assert_eq!(share_code(0.5), 127);
        let units = Units {
            earlier: vec![127, NONE_BEFORE],
            ..Units::default()
        };
        assert!((units.share_before(0) - 0.5).abs() < 0.002 && units.share_before(1).is_nan());
    }

    /// The copy rate's Newton steps reach the maximum of the expected log likelihood plus the prior, on
    /// later reports at θ = 0.8 given as (chance the stance is right, share of earlier reports on it): 600
    /// right and agreeing with everything before them, 100 wrong yet agreeing (which copies explain), 300
    /// right against everything before them (which no copy makes). The maximum is found by a fine grid.
    #[test]
    fn copy_rate_steps_reach_the_maximum() {
        let asserts = Unit {
            source: 0,
            stance: Stance::Asserts,
            relay: false,
        };
        let reports: Vec<(f64, f32)> = std::iter::repeat_n((1.0, 1.0), 600)
            .chain(std::iter::repeat_n((0.0, 1.0), 100))
            .chain(std::iter::repeat_n((1.0, 0.0), 300))
            .collect();
        let objective = |rho: f64| {
            let terms: f64 = reports
                .iter()
                .map(|&(pc, q)| {
                    let (right, wrong) = mixture(0.8, q, rho);
                    pc * right.ln() + (1.0 - pc) * wrong.ln()
                })
                .sum();
            terms + COPY_PRIOR * (1.0 - rho).ln()
        };
        let best = (1..10_000)
            .map(|k| k as f64 / 10_000.0)
            .max_by(|a, b| objective(*a).total_cmp(&objective(*b)))
            .unwrap();
        // All a story's last report with one before it; the other positions have no reports, so
        // only their prior speaks and their rates fall to the floor.
        let mut rates = CopyRates([COPY_START; POSITIONS]);
        for _ in 0..40 {
            let mut stats = CopyStats::default();
            for &(pc, q) in &reports {
                let (_, d1, d2) = copy_chance(&asserts, pc, 0.8, q, rates.at(position_code(1, true)));
                stats.add(position_code(1, true), d1, d2);
            }
            rates = stats.next(&rates);
        }
        let rho = rates.at(position_code(1, true));
        assert!(
            rates.0.iter().enumerate().all(|(b, &r)| b == 6 || r == COPY_FLOOR),
            "{rates:?}"
        );
        assert!((rho - best).abs() < 2e-4, "{rho} against {best}");
        assert!(best > 0.02 && best < 0.5, "{best}");
    }

    /// Positions: a report with 1 to 5 earlier reports has its own rate, 6 or more share the next, each
    /// apart for a story's last report; a report with none, or a relay, is never a copy.
    #[test]
    fn copy_rates_by_position() {
        let mut table = [0.0; POSITIONS];
        for (k, r) in table.iter_mut().enumerate() {
            *r = (k + 1) as f64 / 100.0;
        }
        let rates = CopyRates(table);
        assert_eq!(rates.at(position_code(0, false)), 0.0);
        assert_eq!(rates.at(position_code(0, true)), 0.0);
        assert_eq!(rates.at(position_code(1, false)), 0.01);
        assert_eq!(rates.at(position_code(5, false)), 0.05);
        assert_eq!(rates.at(position_code(6, false)), 0.06);
        assert_eq!(rates.at(position_code(500, false)), 0.06);
        assert_eq!(rates.at(position_code(1, true)), 0.07);
        assert_eq!(rates.at(position_code(6, true)), 0.12);
        assert_eq!(rates.at(position_code(500, true)), 0.12);
        let units = Units {
            earlier: vec![NONE_BEFORE, 254, 127, 0],
            position: vec![
                0,
                position_code(1, false),
                position_code(2, true),
                position_code(9, false),
            ],
            ..Units::default()
        };
        let (q, rate) = units.copy_terms(0, &rates);
        assert!(q.is_nan() && rate == 0.0);
        assert_eq!(units.copy_terms(1, &rates), (1.0, 0.01));
        assert_eq!(units.copy_terms(2, &rates).1, 0.08);
        assert_eq!(units.copy_terms(3, &rates), (0.0, 0.06));
        // Each position's Newton step reads only its own reports: a report at position 2 that only a copy
        // explains (wrong, yet agreeing with everything before it) raises position 2's rate alone.
        let mut stats = CopyStats::default();
        let asserts = Unit {
            source: 0,
            stance: Stance::Asserts,
            relay: false,
        };
        for _ in 0..100 {
            let (_, d1, d2) = copy_chance(&asserts, 0.0, 0.9, 1.0, 0.1);
            stats.add(position_code(2, true), d1, d2);
        }
        let next = stats.next(&CopyRates([0.1; POSITIONS]));
        assert!(next.at(position_code(2, true)) > 0.1, "{next:?}");
        assert!(next.0.iter().enumerate().all(|(b, &r)| b == 7 || r < 0.1), "{next:?}");
    }

    /// The shortcuts give the bits of the long ways: a grid step from a logit as through its probability,
    /// on a fine sweep, at and beside every half step, and past the clamp; the rounding by truncation as
    /// `round`, halves included.
    #[test]
    fn shortcuts_match_the_long_ways() {
        let mut xs: Vec<f64> = (-30_000..=30_000).map(|k| f64::from(k) / 997.0).collect();
        for k in -1400..1400 {
            let half = (f64::from(k) + 0.5) / STEPS;
            xs.extend([half, half.next_up(), half.next_down(), half + 1e-7, half - 1e-7]);
        }
        xs.extend([
            20.0, 20.72, 20.73, 25.0, 1e3, -20.0, -20.72, -20.73, -25.0, -1e3, 0.0, -0.0,
        ]);
        for &x in &xs {
            assert_eq!(logit_step(x), grid_step(sigmoid(x)), "{x}");
        }
        for y in [
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4096.0,
            1e15 + 0.5,
        ] {
            assert_eq!(round_half_away(y), y.round() as i64, "{y}");
        }
        for k in 0..100_000 {
            let y = (f64::from(k) * 0.618_033_988_749_895).sin() * 1e6 * f64::from(k % 7);
            assert_eq!(round_half_away(y), y.round() as i64, "{y}");
        }
    }

    /// An outlet alone on a story carries no information about itself.
    #[test]
    fn a_report_alone_on_its_story_adds_nothing() {
        let mut corpus = Corpus::default();
        corpus.stories.intern("s");
        let evidence = stories(&corpus);
        let units = Units {
            units: vec![Unit {
                source: 0,
                stance: Stance::Asserts,
                relay: false,
            }],
            start: vec![0, 1],
            weights: Vec::new(),
            earlier: Vec::new(),
            position: Vec::new(),
            topics: Vec::new(),
        };
        let p = problem(&evidence, &units, &[0]);
        let Expectation { tallies, .. } = expectation(&p, &[0.99], &[], &CopyRates::NONE);
        assert!(tallies[0].groups.is_empty());
    }
}
