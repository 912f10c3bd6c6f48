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
//! * **shared errors**: among the following reports whose story's truth is judged (resolved, or answered),
//!   independent outlets agree on a false stance with probability `q0 = (1−θA)(1−θX) / (θAθX +
//!   (1−θA)(1−θX))`, a copier with A's error rate `1 − θA` on its copied share.
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

/// Pair counts of one story, keyed `(earlier outlet, later outlet)`.
#[derive(Default)]
struct Counts {
    /// Same-stance following reports, and the expected false ones among them, and the judged ones.
    follows: BTreeMap<(u32, u32), (u64, f64, u64)>,
    /// Pairs reporting the story as originals (unordered, smaller id first).
    shared: Vec<(u32, u32)>,
    /// Per outlet: reports of others that follow it.
    precede: Vec<(u32, u64)>,
}

/// Finds copying pairs. `published` holds each mention's time; `theta` each outlet's reliability and
/// `p_true` each story's probability of being true (NaN where unjudged), from a first fit.
///
/// Returns every tested pair (sorted by copier, then source) and, for each mention, the outlet it copies,
/// if it is a following report of a detected pair.
pub fn detect(corpus: &Corpus, groups: &ByStory, theta: &[f64], p_true: &[f64]) -> (Vec<CopyPair>, Vec<u32>) {
    let n_sources = corpus.sources.len();
    let mentions = &corpus.mentions;
    let published = &corpus.published;
    // Each story's original reports, one per outlet (its earliest), in time order; made once, read by both
    // counting passes and by the marking.
    let first_reports = |s: usize| -> Vec<(i64, u32, Stance, u32)> {
        let mut v: Vec<(i64, u32, Stance, u32)> = groups
            .story(s)
            .iter()
            .map(|&i| (i, mentions[i as usize]))
            .filter(|(_, m)| m.relays().is_none())
            .map(|(i, m)| (published.get(i as usize), m.source, m.stance, i))
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
    let firsts: Vec<Vec<(i64, u32, Stance, u32)>> = (0..groups.stories()).into_par_iter().map(first_reports).collect();
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
                let p = p_true.get(s).copied().unwrap_or(f64::NAN);
                for (k, later) in reports.iter().enumerate() {
                    let x = later.1;
                    let candidates: Vec<u32> = reports[..k]
                        .iter()
                        .filter(|e| e.0 < later.0 && e.2 == later.2)
                        .map(|e| e.1)
                        .collect();
                    for e in &reports[..k] {
                        c.shared.push((e.1.min(x), e.1.max(x)));
                    }
                    let best = explained.and_then(|ex| {
                        candidates
                            .iter()
                            .filter_map(|&a| ex.get(&(a, x)).map(|&share| (share, a)))
                            .max_by(|u, v| u.0.total_cmp(&v.0).then(v.1.cmp(&u.1)))
                            .map(|(_, a)| a)
                    });
                    for &a in &candidates {
                        c.precede.push((a, 1));
                        if best.is_some_and(|b| b != a) {
                            continue;
                        }
                        let e = c.follows.entry((a, x)).or_default();
                        e.0 += 1;
                        if !p.is_nan() {
                            e.1 += 1.0 - super::crosscheck::correct_given(later.2, p);
                            e.2 += 1;
                        }
                    }
                }
                c
            })
            .collect();
        // Sums in story order (integer counts; the float sums run in a fixed order too).
        let mut follows: BTreeMap<(u32, u32), (u64, f64, u64)> = BTreeMap::new();
        let mut shared: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        let mut precede = vec![0u64; n_sources];
        for c in per_story {
            for (k, v) in c.follows {
                let e = follows.entry(k).or_default();
                e.0 += v.0;
                e.1 += v.1;
                e.2 += v.2;
            }
            for k in c.shared {
                *shared.entry(k).or_default() += 1;
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

    let test = |follows: &BTreeMap<(u32, u32), (u64, f64, u64)>| -> Vec<CopyPair> {
        follows
            .iter()
            .filter(|(_, v)| v.0 >= MIN_FOLLOWS)
            .map(|(&(a, x), &(k, errors, judged))| {
                let others = total.saturating_sub(originals[a as usize]).max(1);
                let p0 = (precede[a as usize] as f64 / others as f64).clamp(1e-9, 1.0 - 1e-9);
                let n = originals[x as usize].max(k);
                let (probability, share) = posterior(k, n, p0, errors, judged, theta[a as usize], theta[x as usize]);
                CopyPair {
                    copier: x,
                    source: a,
                    shared: shared.get(&(a.min(x), a.max(x))).copied().unwrap_or(0),
                    follows: k,
                    expected: p0 * n as f64,
                    shared_errors: errors,
                    judged,
                    share,
                    probability,
                }
            })
            .collect()
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
            for (k, later) in reports.iter().enumerate() {
                let source = reports[..k]
                    .iter()
                    .find(|e| e.0 < later.0 && e.2 == later.2 && detected.contains(&(e.1, later.1)));
                if let Some(e) = source {
                    // Every original mention of the copier on this story relays the source.
                    for &i in groups.story(s) {
                        let m = mentions[i as usize];
                        if m.source == later.1 && m.relays().is_none() && m.stance == later.2 {
                            copies[i as usize] = e.1;
                        }
                    }
                }
            }
        }
    }
    (pairs, copies)
}

/// The posterior probability of copying and the posterior mean copied share, for `k` following reports
/// out of `n`, base rate `p0`, `errors` expected false agreements among `judged`, and the two outlets'
/// reliabilities.
fn posterior(k: u64, n: u64, p0: f64, errors: f64, judged: u64, theta_a: f64, theta_x: f64) -> (f64, f64) {
    let (k, n, judged) = (k as f64, n as f64, judged as f64);
    let (ta, tx) = (theta_a.clamp(1e-3, 1.0 - 1e-3), theta_x.clamp(1e-3, 1.0 - 1e-3));
    let q0 = (1.0 - ta) * (1.0 - tx) / (ta * tx + (1.0 - ta) * (1.0 - tx));
    let log_lik = |c: f64| {
        let p = p0 + c * (1.0 - p0);
        let w = c * (1.0 - p0) / p;
        let q = (w * (1.0 - ta) + (1.0 - w) * q0).clamp(1e-12, 1.0 - 1e-12);
        k * p.ln() + (n - k) * (1.0 - p).max(1e-300).ln() + errors * q.ln() + (judged - errors) * (1.0 - q).ln()
    };
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
        let (p, _) = posterior(5, 100, 0.05, 0.0, 0, 0.8, 0.8);
        assert!(p < 0.01, "{p}");
        // 40 of 100 follow A: copying, with about (0.40 − 0.05) / 0.95 of its reports copied.
        let (p, share) = posterior(40, 100, 0.05, 0.0, 0, 0.8, 0.8);
        assert!(p > 0.999, "{p}");
        assert!((share - 0.35 / 0.95).abs() < 0.03, "{share}");
    }

    #[test]
    fn shared_errors_are_evidence_of_copying() {
        // A modest excess of following reports: undecided on its own...
        let (alone, _) = posterior(9, 100, 0.05, 0.0, 0, 0.7, 0.9);
        // ...but when the followed reports are mostly false stances, which two accurate independent outlets
        // rarely share, copying becomes likely.
        let (with_errors, _) = posterior(9, 100, 0.05, 6.0, 8, 0.7, 0.9);
        // And when the shared reports were all right, less likely than with no judgement.
        let (all_right, _) = posterior(9, 100, 0.05, 0.0, 8, 0.7, 0.9);
        assert!(with_errors > 0.5 && alone < 0.01, "{alone} {with_errors}");
        assert!(all_right < alone, "{all_right} {alone}");
    }
}
