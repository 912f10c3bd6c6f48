//! Silent copying: outlets that repeat another outlet's reports without saying so.
//!
//! Agreement between outlets is evidence only when they report independently. An outlet that copies
//! another (a "silent relay", with no "according to") adds a second vote for whatever its source said,
//! right or wrong, and takes credit for it. Following the idea of AccuCopy (Dong, Berti-Equille and
//! Srivastava, VLDB 2009), dependence shows in two ways, both measured here per ordered pair of outlets
//! (A, then X) over the stories they both report as originals:
//!
//! * **following**: X reports, with A's stance and after A, far more of A's stories than an independent
//!   outlet would. The base rate `p0(A)` is the share of all other outlets' reports that follow an A report
//!   this way; under independence X's `k` following reports out of its `n` are Binomial(n, p0), while a
//!   copier that repeats a share `c` of what it publishes from A has Binomial(n, p0 + c(1 − p0));
//! * **shared errors**: among the following reports whose story's truth is judged (resolved, answered, or
//!   the first fit's posterior), an agreement of two independent outlets is on a false claim with
//!   probability `q0 = (1−θA)(1−θX)·b / (θAθX + (1−θA)(1−θX)·b)`, where `b` is the chance that an outlet
//!   that is wrong names that same false claim (AccuCopy's `1/n` for `n` false values): 1 for a plain
//!   story (there is one false stance), and for a story with values the fit's own spread of wrong reports
//!   over the values ([`Judgement`]), so sharing a rare wrong value is much stronger evidence than sharing
//!   a common one, and both far stronger than sharing a right one. A copier's copied share is false with
//!   A's error rate `1 − θA`.
//!
//! With values (`value` column) a report follows another when it claims the same value. Data sets of values
//! often carry no publication order (every Book claim is dated 1970-01-01, every Population claim the
//! census year): reports at the same time then follow each other both ways, each ordered pair is tested,
//! and of a pair tested both ways only the more probable direction is kept (a copier's reports are mostly
//! found in its source's, not the other way round, so the copier is the outlet whose output the other
//! explains: its `n` is smaller against the same `k`, and the shared errors run at the source's error
//! rate). On plain stories a report follows only strictly earlier ones, as before.
//!
//! The probability that X copies A is the posterior of the copying model against independence, with `c`
//! uniform on (0, 1) under copying (integrated on a grid) and a prior probability [`PRIOR`] per pair. Pairs
//! are only formed from outlets that report the same story (blocking by story), so the cost is the sum over
//! stories of the square of their original reports, with stories of more than [`MAX_REPORTS`] originals
//! skipped. A detected copier's reports that follow its source become relays of that source: the source is
//! credited once, and the copier's vote no longer counts as independent agreement.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::crosscheck::ByStory;
use crate::corpus::{Corpus, Mention, Stance};

/// Prior probability that a given ordered pair of outlets is a copier and its source.
pub const PRIOR: f64 = 0.01;
/// Stories with more original reports than this are left out of pair counting (their pairs grow as the
/// square; wide coverage of one event is also the least informative about copying).
pub const MAX_REPORTS: usize = 64;
/// Pairs with fewer following reports than this are not tested.
pub const MIN_FOLLOWS: u64 = 3;
/// Probability at and above which a pair is taken as copying.
pub const THRESHOLD: f64 = 0.5;

/// One tested pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyPair {
    /// The outlet that follows (the suspected copier).
    pub copier: u32,
    /// The outlet it follows.
    pub source: u32,
    /// Stories both report as originals.
    pub shared: u64,
    /// Reports of the copier that follow a report of the source on the same story with the same stance.
    pub follows: u64,
    /// How many following reports independence would give (`p0 × the copier's originals`).
    pub expected: f64,
    /// Expected number of following reports on a false stance (from the stories' judged truth).
    pub shared_errors: f64,
    /// How many following reports have a judged truth.
    pub judged: u64,
    /// Posterior mean share of the copier's reports copied from the source, under copying.
    pub share: f64,
    /// Posterior probability that the copier copies the source.
    pub probability: f64,
}

/// How the first fit judges one report for copy detection: the probability that its claim is wrong (NaN
/// where nothing judges it) and `b`, the chance that an outlet that is wrong names that same claim (1 for a
/// plain story's stance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// Probability that the claim is wrong; NaN where unjudged.
    pub wrong: f64,
    /// Chance that a wrong outlet names this same claim, in (0, 1].
    pub spread: f64,
}

/// Judges each of a story's original reports (by mention index, in the order given) for copy detection.
pub type Judge<'a> = dyn Fn(usize, &[u32]) -> Vec<Judgement> + Sync + 'a;

/// The spread `b` of a judged following report is kept on a grid of quarter powers of two (key `j` stands
/// for `2^(−j/4)`, within 19% of it), so that a pair's judged reports fall into a few classes whose
/// likelihood terms are summed once each; a plain story's `b = 1` is key 0, exactly.
fn spread_key(b: f64) -> u32 {
    (-4.0 * b.clamp(1e-12, 1.0).log2()).round() as u32
}

fn spread_of(key: u32) -> f64 {
    (-f64::from(key) / 4.0).exp2()
}

/// Pair counts of one story, keyed `(earlier outlet, later outlet, spread key)`.
#[derive(Default)]
struct Counts {
    /// Same-claim following reports, the expected false ones among them and the judged ones, by the spread
    /// of the judged ones (unjudged follows count under key 0, with nothing judged).
    follows: BTreeMap<(u32, u32, u32), (u64, f64, u64)>,
    /// Pairs reporting the story as originals (unordered, smaller id first), with values also the chance
    /// that two independent outlets of their reliabilities claim the same value on it.
    shared: Vec<(u32, u32, f64)>,
    /// Per outlet: reports of others that follow it.
    precede: Vec<(u32, u64)>,
}

/// Finds copying pairs. The corpus's `published` holds each mention's time; `theta` each outlet's
/// reliability and `judge` each report's judged correctness ([`Judgement`]), from a first fit. With values
/// a report's claim is its value, and reports at the same time follow each other (see the module docs).
///
/// Returns every tested pair (sorted by copier, then source) and, for each mention, the outlet it copies,
/// if it is a following report of a detected pair.
pub fn detect(corpus: &Corpus, groups: &ByStory, theta: &[f64], judge: &Judge) -> (Vec<CopyPair>, Vec<u32>) {
    let n_sources = corpus.sources.len();
    let mentions = &corpus.mentions;
    let published = &corpus.published;
    let ties_follow = corpus.valued();
    // What a report claims: its value, or its stance (as 0 or 1, in the stances' order).
    let claim = |i: u32| match corpus.mention_values.get(i as usize) {
        Some(&v) => v,
        None => u32::from(mentions.get(i as usize).stance == Stance::Denies),
    };
    // Whether report `e` is one that `later` can follow.
    let precedes = |e: &(i64, u32, u32, u32), later: &(i64, u32, u32, u32)| {
        (e.0 < later.0 || (ties_follow && e.0 == later.0 && e.1 != later.1)) && e.2 == later.2
    };
    // Each story's original reports, one per outlet (its earliest), in time order; made once, read by both
    // counting passes and by the marking.
    let first_reports = |s: usize| -> Vec<(i64, u32, u32, u32)> {
        let mut v: Vec<(i64, u32, u32, u32)> = groups
            .story(s)
            .iter()
            .map(|&i| (i, mentions.get(i as usize)))
            .filter(|(_, m)| m.relays().is_none())
            .map(|(i, m)| (published.get(i as usize), m.source, claim(i), i))
            .collect();
        v.sort_unstable();
        let mut seen = Vec::with_capacity(v.len());
        v.retain(|r| {
            let new = !seen.contains(&r.1);
            seen.push(r.1);
            new
        });
        v
    };
    let firsts: Vec<Vec<(i64, u32, u32, u32)>> = (0..groups.stories()).into_par_iter().map(first_reports).collect();
    // Pair counts over all stories. With `explained` (detected pairs and their copied shares), a report
    // that follows a detected source of its outlet counts for that source only (the one copied most),
    // not for the other outlets that happened to report the story before: the copy explains the follow.
    let count = |explained: Option<&rustc_hash::FxHashMap<(u32, u32), f64>>| {
        let per_story: Vec<Counts> = (0..groups.stories())
            .into_par_iter()
            .map(|s| {
                let reports = &firsts[s];
                let mut c = Counts::default();
                if reports.len() < 2 || reports.len() > MAX_REPORTS {
                    return c;
                }
                // Each report's judgement (made again in the second count rather than kept: a few numbers
                // per report, where keeping them would cost 16 bytes per report for the whole run).
                let idx: Vec<u32> = reports.iter().map(|r| r.3).collect();
                let judged = judge(s, &idx);
                // With values: the chance that two independent wrong reports name the same value, the sum
                // over the claimed values of the square of the chance a wrong outlet names each (em's
                // fitted coincidence ρ, at most 1/(k − 1); the unclaimed rest is left out).
                let coincide = if ties_follow {
                    let mut spreads: Vec<(u32, f64)> =
                        reports.iter().zip(&judged).map(|(r, j)| (r.2, j.spread)).collect();
                    spreads.sort_by_key(|v| v.0);
                    spreads.dedup_by_key(|v| v.0);
                    spreads.iter().map(|v| v.1 * v.1).sum::<f64>().min(1.0)
                } else {
                    0.0
                };
                for (k, later) in reports.iter().enumerate() {
                    let x = later.1;
                    let j = judged[k];
                    // Strictly earlier reports come first in time order; with ties, also the same time's.
                    let mut candidates: Vec<u32> = reports[..k]
                        .iter()
                        .filter(|e| precedes(e, later))
                        .map(|e| e.1)
                        .collect();
                    if ties_follow {
                        candidates.extend(
                            reports[k + 1..]
                                .iter()
                                .take_while(|e| e.0 == later.0)
                                .filter(|e| precedes(e, later))
                                .map(|e| e.1),
                        );
                    }
                    for e in &reports[..k] {
                        let agree = if ties_follow {
                            let (ta, tx) = (clamped(theta[e.1 as usize]), clamped(theta[x as usize]));
                            ta * tx + (1.0 - ta) * (1.0 - tx) * coincide
                        } else {
                            0.0
                        };
                        c.shared.push((e.1.min(x), e.1.max(x), agree));
                    }
                    let best = explained.and_then(|ex| {
                        candidates
                            .iter()
                            .filter_map(|&a| {
                                // Without order a detected pair explains its agreements whichever way it
                                // was found: a copier's reports then count for its source alone, and its
                                // source's for one of its copiers, so the source is the outlet whose
                                // agreements the others share, and co-copiers of one source are not
                                // taken for copiers of each other.
                                let reverse = || ex.get(&(x, a)).filter(|_| ties_follow);
                                ex.get(&(a, x)).or_else(reverse).map(|&share| (share, a))
                            })
                            .max_by(|u, v| u.0.total_cmp(&v.0).then(v.1.cmp(&u.1)))
                            .map(|(_, a)| a)
                    });
                    for &a in &candidates {
                        c.precede.push((a, 1));
                        if best.is_some_and(|b| b != a) {
                            continue;
                        }
                        let key = if j.wrong.is_nan() { 0 } else { spread_key(j.spread) };
                        let e = c.follows.entry((a, x, key)).or_default();
                        e.0 += 1;
                        if !j.wrong.is_nan() {
                            e.1 += j.wrong;
                            e.2 += 1;
                        }
                    }
                }
                c
            })
            .collect();
        // Sums in story order (integer counts; the float sums run in a fixed order too).
        let mut follows: BTreeMap<(u32, u32, u32), (u64, f64, u64)> = BTreeMap::new();
        let mut shared: BTreeMap<(u32, u32), (u64, f64)> = BTreeMap::new();
        let mut precede = vec![0u64; n_sources];
        for c in per_story {
            for (k, v) in c.follows {
                let e = follows.entry(k).or_default();
                e.0 += v.0;
                e.1 += v.1;
                e.2 += v.2;
            }
            for (a, x, agree) in c.shared {
                let e = shared.entry((a, x)).or_default();
                e.0 += 1;
                e.1 += agree;
            }
            for (a, n) in c.precede {
                precede[a as usize] += n;
            }
        }
        (follows, shared, precede)
    };
    let (follows, shared, precede) = count(None);
    // Each outlet's original reports, one per story.
    let mut originals = vec![0u64; n_sources];
    for r in firsts.iter().flatten() {
        originals[r.1 as usize] += 1;
    }
    let total: u64 = originals.iter().sum();

    let test = |follows: &BTreeMap<(u32, u32, u32), (u64, f64, u64)>| -> Vec<CopyPair> {
        // Each pair's classes of judged follows, gathered from its consecutive keys.
        let mut by_pair: Vec<((u32, u32), u64, Vec<JudgedClass>)> = Vec::new();
        for (&(a, x, key), &(k, errors, judged)) in follows {
            match by_pair.last_mut() {
                Some(last) if last.0 == (a, x) => {
                    last.1 += k;
                    last.2.push((spread_of(key), errors, judged));
                }
                _ => by_pair.push(((a, x), k, vec![(spread_of(key), errors, judged)])),
            }
        }
        let tested: Vec<CopyPair> = by_pair
            .into_iter()
            .filter(|p| p.1 >= MIN_FOLLOWS)
            .map(|((a, x), k, classes)| {
                let (both, agree) = shared.get(&(a.min(x), a.max(x))).copied().unwrap_or((0, 0.0));
                let (p0, n) = if ties_follow {
                    // With values, over the stories both report (AccuCopy's blocking): independence gives the
                    // agreement of two outlets of these reliabilities.
                    ((agree / both.max(1) as f64).clamp(1e-9, 1.0 - 1e-9), both.max(k))
                } else {
                    let others = total.saturating_sub(originals[a as usize]).max(1);
                    let p0 = (precede[a as usize] as f64 / others as f64).clamp(1e-9, 1.0 - 1e-9);
                    (p0, originals[x as usize].max(k))
                };
                let (probability, share) = posterior(k, n, p0, &classes, theta[a as usize], theta[x as usize]);
                CopyPair {
                    copier: x,
                    source: a,
                    shared: both,
                    follows: k,
                    expected: p0 * n as f64,
                    shared_errors: classes.iter().map(|c| c.1).sum(),
                    judged: classes.iter().map(|c| c.2).sum(),
                    share,
                    probability,
                }
            })
            .collect();
        if ties_follow { one_direction(tested) } else { tested }
    };
    // A first test on all follows, then a second in which detected pairs explain their follows away.
    let first = test(&follows);
    let explained: rustc_hash::FxHashMap<(u32, u32), f64> = first
        .iter()
        .filter(|p| p.probability >= THRESHOLD)
        .map(|p| ((p.source, p.copier), p.share))
        .collect();
    let mut pairs = if explained.is_empty() {
        first
    } else {
        test(&count(Some(&explained)).0)
    };
    pairs.sort_by_key(|p| (p.copier, p.source));

    // Mark the following reports of detected pairs (a copier of several sources: the earliest source).
    let detected: rustc_hash::FxHashSet<(u32, u32)> = pairs
        .iter()
        .filter(|p| p.probability >= THRESHOLD)
        .map(|p| (p.source, p.copier))
        .collect();
    let mut copies = vec![Mention::ORIGINAL; mentions.len()];
    if !detected.is_empty() {
        for (s, reports) in firsts.iter().enumerate() {
            if reports.len() > MAX_REPORTS {
                continue;
            }
            for later in reports {
                // The earliest detected source (reports are in time order; with ties, the first in order).
                let source = reports
                    .iter()
                    .take_while(|e| e.0 <= later.0)
                    .find(|e| precedes(e, later) && detected.contains(&(e.1, later.1)));
                if let Some(e) = source {
                    // Every original mention of the copier on this story relays the source.
                    for &i in groups.story(s) {
                        let m = mentions.get(i as usize);
                        if m.source == later.1 && m.relays().is_none() && claim(i) == later.2 {
                            copies[i as usize] = e.1;
                        }
                    }
                }
            }
        }
    }
    (pairs, copies)
}

/// A class of a pair's judged following reports: the spread `b` of their claims, the expected number of
/// false ones among them and how many there are.
type JudgedClass = (f64, f64, u64);

/// Of two outlets tested both ways (each followed the other, at the same times), keeps the more probable
/// direction (on a tie, the one whose copier has the smaller id).
fn one_direction(pairs: Vec<CopyPair>) -> Vec<CopyPair> {
    let index: rustc_hash::FxHashMap<(u32, u32), f64> =
        pairs.iter().map(|p| ((p.copier, p.source), p.probability)).collect();
    pairs
        .into_iter()
        .filter(|p| match index.get(&(p.source, p.copier)) {
            Some(&reverse) => p.probability > reverse || (p.probability == reverse && p.copier < p.source),
            None => true,
        })
        .collect()
}

/// A reliability kept away from 0 and 1, where the likelihoods below degenerate.
fn clamped(theta: f64) -> f64 {
    theta.clamp(1e-3, 1.0 - 1e-3)
}

/// The chance that two independent outlets of reliabilities `ta` and `tx` that agree agree on a false
/// claim, when a wrong outlet names that claim with probability `b` (AccuCopy's `1/n`).
fn independent_shared_error(ta: f64, tx: f64, b: f64) -> f64 {
    (1.0 - ta) * (1.0 - tx) * b / (ta * tx + (1.0 - ta) * (1.0 - tx) * b)
}

/// The log likelihood of a pair's evidence when the copier copies a share `c` of its reports from the
/// source: `k` following reports of `n` at the rate `p = p0 + c(1 − p0)`, of which a share `w = c(1 − p0)/p`
/// are copies; each class of judged ones (`classes`, with `q0` its independent shared-error chance) has its
/// expected false ones at the rate `q = w(1 − θA) + (1 − w)q0` (`ta` = θA, clamped).
fn pair_log_likelihood(c: f64, k: f64, n: f64, p0: f64, classes: &[JudgedClass], q0: &[f64], ta: f64) -> f64 {
    let p = p0 + c * (1.0 - p0);
    let w = c * (1.0 - p0) / p;
    let mut l = k * p.ln() + (n - k) * (1.0 - p).max(1e-300).ln();
    for (&(_, errors, judged), &q0) in classes.iter().zip(q0) {
        let q = (w * (1.0 - ta) + (1.0 - w) * q0).clamp(1e-12, 1.0 - 1e-12);
        l += errors * q.ln();
        l += (judged as f64 - errors) * (1.0 - q).ln();
    }
    l
}

/// The posterior probability of copying and the posterior mean copied share, for `k` following reports
/// out of `n`, base rate `p0`, the judged following reports by class of spread (`classes`: spread `b`,
/// expected false agreements, judged), and the two outlets' reliabilities.
fn posterior(k: u64, n: u64, p0: f64, classes: &[JudgedClass], theta_a: f64, theta_x: f64) -> (f64, f64) {
    let (k, n) = (k as f64, n as f64);
    let (ta, tx) = (theta_a.clamp(1e-3, 1.0 - 1e-3), theta_x.clamp(1e-3, 1.0 - 1e-3));
    let q0: Vec<f64> = classes.iter().map(|c| independent_shared_error(ta, tx, c.0)).collect();
    let log_lik = |c: f64| pair_log_likelihood(c, k, n, p0, classes, &q0, ta);
    let l0 = log_lik(0.0);
    // ∫₀¹ L(c) dc by the midpoint rule, relative to L(0).
    const GRID: usize = 400;
    let logs: Vec<f64> = (0..GRID)
        .map(|j| log_lik((j as f64 + 0.5) / GRID as f64) - l0)
        .collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut mass, mut first) = (0.0, 0.0);
    for (j, l) in logs.iter().enumerate() {
        let w = (l - top).exp();
        mass += w;
        first += w * (j as f64 + 0.5) / GRID as f64;
    }
    let log_bayes = top + (mass / GRID as f64).ln();
    let log_odds = log_bayes + (PRIOR / (1.0 - PRIOR)).ln();
    (1.0 / (1.0 + (-log_odds).exp()), first / mass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn following_at_the_base_rate_is_independence() {
        // 5 of 100 reports follow A where 5% would by chance: no evidence of copying.
        let (p, _) = posterior(5, 100, 0.05, &[(1.0, 0.0, 0)], 0.8, 0.8);
        assert!(p < 0.01, "{p}");
        // 40 of 100 follow A: copying, with about (0.40 − 0.05) / 0.95 of its reports copied.
        let (p, share) = posterior(40, 100, 0.05, &[(1.0, 0.0, 0)], 0.8, 0.8);
        assert!(p > 0.999, "{p}");
        assert!((share - 0.35 / 0.95).abs() < 0.03, "{share}");
    }

    /// Tolerance of the hand-computed values below (Python's floats, the same formulas).
    const HAND: f64 = 1e-12;

    #[test]
    fn independent_shared_errors_by_hand() {
        // θA = 0.8, θX = 0.7: two independent outlets that agree are both wrong with (0.2·0.3·b) /
        // (0.56 + 0.2·0.3·b): 0.06/0.62 with one false stance (b = 1), 0.015/0.575 when a wrong outlet
        // names this value one time in four (AccuCopy's n = 4 false values).
        assert!((independent_shared_error(0.8, 0.7, 1.0) - 0.096_774_193_548_387_11).abs() < HAND);
        assert!((independent_shared_error(0.8, 0.7, 0.25) - 0.026_086_956_521_739_132).abs() < HAND);
        // Spreads are kept on quarter powers of two; 1 (plain stories) exactly.
        assert_eq!((spread_key(1.0), spread_of(0)), (0, 1.0));
        assert_eq!(spread_key(0.25), 8);
        assert!((spread_of(spread_key(0.3)) / 0.3 - 1.0).abs() < 0.1);
    }

    #[test]
    fn pair_likelihood_by_hand() {
        // k = 3 of n = 4 following at p0 = 0.5; 3 judged with b = 1/4, 2 of them wrong; θA = 0.8, θX = 0.7.
        let classes = [(0.25, 2.0, 3)];
        let q0 = [independent_shared_error(0.8, 0.7, 0.25)];
        // c = 0: 4 ln ½ + 2 ln q0 + ln(1 − q0).
        let l0 = pair_log_likelihood(0.0, 3.0, 4.0, 0.5, &classes, &q0, 0.8);
        assert!((l0 - -10.091_661_658_698_218).abs() < HAND, "{l0}");
        // c = ½: p = ¾, w = ⅓, q = 0.2/3 + 2q0/3: 3 ln ¾ + ln ¼ + 2 ln q + ln(1 − q).
        let l5 = pair_log_likelihood(0.5, 3.0, 4.0, 0.5, &classes, &q0, 0.8);
        assert!((l5 - -7.289_639_956_009_452).abs() < HAND, "{l5}");
    }

    #[test]
    fn shared_rare_errors_weigh_more_than_common_ones() {
        // The same agreements, the same expected errors: on values a wrong outlet rarely names (b = 1/16),
        // sharing them is far more telling than sharing a plain story's one false stance (b = 1).
        let (common, _) = posterior(9, 100, 0.05, &[(1.0, 3.0, 9)], 0.7, 0.7);
        let (rare, _) = posterior(9, 100, 0.05, &[(1.0 / 16.0, 3.0, 9)], 0.7, 0.7);
        assert!(rare > 0.5 && common < rare / 2.0, "{common} {rare}");
        // Shared right values are evidence against copying from a weak source.
        let (right, _) = posterior(9, 100, 0.05, &[(1.0 / 16.0, 0.0, 9)], 0.4, 0.7);
        let (none, _) = posterior(9, 100, 0.05, &[(1.0 / 16.0, 0.0, 0)], 0.4, 0.7);
        assert!(right < none, "{right} {none}");
    }

    #[test]
    fn one_direction_keeps_the_more_probable() {
        let pair = |copier, source, probability| CopyPair {
            copier,
            source,
            shared: 5,
            follows: 5,
            expected: 1.0,
            shared_errors: 0.0,
            judged: 0,
            share: 0.5,
            probability,
        };
        let kept = one_direction(vec![
            pair(1, 2, 0.9),
            pair(2, 1, 0.6),
            pair(3, 1, 0.7),
            pair(4, 5, 0.5),
            pair(5, 4, 0.5),
        ]);
        let kept: Vec<(u32, u32)> = kept.iter().map(|p| (p.copier, p.source)).collect();
        assert_eq!(kept, [(1, 2), (3, 1), (4, 5)]);
    }

    #[test]
    fn shared_errors_are_evidence_of_copying() {
        // A modest excess of following reports: undecided on its own...
        let (alone, _) = posterior(9, 100, 0.05, &[(1.0, 0.0, 0)], 0.7, 0.9);
        // ...but when the followed reports are mostly false stances, which two accurate independent outlets
        // rarely share, copying becomes likely.
        let (with_errors, _) = posterior(9, 100, 0.05, &[(1.0, 6.0, 8)], 0.7, 0.9);
        // And when the shared reports were all right, less likely than with no judgement.
        let (all_right, _) = posterior(9, 100, 0.05, &[(1.0, 0.0, 8)], 0.7, 0.9);
        assert!(with_errors > 0.5 && alone < 0.01, "{alone} {with_errors}");
        assert!(all_right < alone, "{all_right} {alone}");
    }
}
