//! Per-topic reliabilities, pooled towards each outlet's overall one.
//!
//! An outlet can be sound on economics and careless on war. With a `topic` column (`--topics`), each
//! (outlet, topic) cell gets its own record, built from the same evidence units as the outlet's overall
//! record, and its own posterior under a prior centred on the outlet's overall reliability `r`:
//! Beta(κ·r, κ·(1 − r)). The strength κ, shared by all cells, is fitted by empirical Bayes (the marginal
//! likelihood of every cell's record, with the same weak hyperprior on ln κ as the outlets' prior): when
//! outlets are equally reliable across their topics the fit makes κ large and every cell stays near its
//! outlet; when they differ, κ is small and cells with enough evidence move to their own rate. A cell with
//! little evidence stays near its outlet either way, which is the point of pooling.
//!
//! The outlet's reliability is itself uncertain, and a cell's interval must not be tighter than that
//! uncertainty allows: the prior a cell's posterior uses is Beta-matched to the mean `r` and the variance
//! `sd² + r(1 − r)/(κ + 1)`, where `sd` is the spread of the outlet's own posterior (from its interval,
//! `(high − low) / (2 · 1.96)`), so an outlet known only vaguely lends its topics only a vague prior. This
//! counts the cell's evidence in the outlet's spread as well, which errs towards wider intervals.

use rayon::prelude::*;
use serde::Serialize;

use super::Tally;
use super::posterior::Record;
use super::prior::HYPER_LOG_STRENGTH;

/// One (outlet, topic) cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicScore {
    /// The outlet.
    pub source: u32,
    /// The topic.
    pub topic: u32,
    /// Evidence units (reports) in the cell.
    pub reports: u64,
    /// Judged evidence in the cell (expected right plus expected wrong).
    pub evidence: f64,
    /// Posterior mean reliability on this topic.
    pub reliability: f64,
    /// Lower end of the interval.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
}

/// The fitted cells and the pooling strength.
#[derive(Debug, Clone, Default)]
pub struct TopicFit {
    /// The prior strength κ of every cell around its outlet's reliability.
    pub strength: f64,
    /// Every cell, by outlet then topic id.
    pub cells: Vec<TopicScore>,
}

/// Bounds of ln κ searched.
const LOG_STRENGTH: (f64, f64) = (-1.0, 9.2);

/// Fits the cells. `cells` are the tallies by (outlet, topic) with their report counts, sorted by key;
/// `overall` each outlet's reliability and the spread of its posterior.
pub(crate) fn fit(
    cells: &[((u32, u32), Tally, u64)],
    overall: &[(f64, f64)],
    relay_weight: f64,
    level: f64,
) -> TopicFit {
    let records: Vec<(Record, f64)> = cells
        .par_iter()
        .map(|(_, t, _)| {
            let (r, support, against) = t.finish(relay_weight);
            (r, support + against)
        })
        .collect();
    let mean = |k: usize| overall[cells[k].0.0 as usize].0.clamp(1e-3, 1.0 - 1e-3);
    let objective = |v: f64| -> f64 {
        let kappa = v.exp();
        let sum: f64 = records
            .par_iter()
            .enumerate()
            .filter(|(_, (r, _))| !r.is_empty())
            .map(|(k, (r, _))| r.log_marginal(kappa * mean(k), kappa * (1.0 - mean(k))))
            .collect::<Vec<f64>>()
            .iter()
            .sum();
        let z = (v - HYPER_LOG_STRENGTH.0) / HYPER_LOG_STRENGTH.1;
        sum - 0.5 * z * z
    };
    // Golden-section search on ln κ (the objective is smooth and, in practice, unimodal).
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = LOG_STRENGTH;
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    let (mut fc, mut fd) = (objective(c), objective(d));
    for _ in 0..48 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = objective(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = objective(d);
        }
    }
    let strength = ((a + b) / 2.0).exp();
    let scored: Vec<TopicScore> = records
        .par_iter()
        .enumerate()
        .map(|(k, (r, evidence))| {
            let m = mean(k);
            let sd = overall[cells[k].0.0 as usize].1;
            let variance = sd * sd + m * (1.0 - m) / (strength + 1.0);
            // At least half a report's worth, but never above the fitted strength, which can itself be
            // below ½ (its search runs down to e⁻¹; `clamp` would panic on bounds the wrong way round).
            let kappa = (m * (1.0 - m) / variance - 1.0).max(0.5).min(strength);
            let s = r.posterior(kappa * m, kappa * (1.0 - m), level, &[]);
            TopicScore {
                source: cells[k].0.0,
                topic: cells[k].0.1,
                reports: cells[k].2,
                evidence: *evidence,
                reliability: s.mean,
                ci_low: s.low,
                ci_high: s.high,
            }
        })
        .collect();
    TopicFit {
        strength,
        cells: scored,
    }
}
