//! The population prior of source reliability, fitted by empirical Bayes.
//!
//! Every source's reliability is drawn from one Beta(α, β). Its two shapes are chosen to maximise the
//! marginal likelihood of all sources' records together (the beta-binomial likelihood when records hold only
//! known outcomes; the same integral taken numerically when they hold uncertain ones), so that a source
//! with three claims is shrunk towards what the population of outlets looks like, not towards an arbitrary
//! one half. The search runs over (logit mean, log strength) with Nelder–Mead, which needs no gradients
//! and, started from a fixed point, takes the same steps on every run.
//!
//! Plain maximum marginal likelihood degenerates on small data: two outlets with one correct claim each
//! drive the prior mean to 1 and every interval to a point; four outlets with identical records drive the
//! strength to infinity (total shrinkage, intervals of ±0.001). A weak hyperprior prevents both:
//! logit(mean) ~ Normal(0, 2²) and ln(strength) ~ Normal(ln 10, 2²), maximised jointly with the marginal
//! likelihood (a posterior mode). Each adds at most a few nats where hundreds of outlets each contribute
//! their own log marginal likelihood, so on real corpora the fit is the empirical-Bayes one.

use rayon::prelude::*;
use serde::Serialize;

use super::posterior::{MarginalGrid, Record};
use super::tolerance::OPTIMISER;

/// A fitted Beta prior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prior {
    /// First shape α.
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    pub alpha: f64,
    /// Second shape β.
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    pub beta: f64,
    /// The prior mean α / (α + β).
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    pub mean: f64,
    /// The strength α + β, in claims' worth of evidence.
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    pub strength: f64,
    /// How it was obtained: `empirical_bayes`, or `default` where fewer than two sources had evidence.
    pub method: &'static str,
    /// Sources whose records were used.
    pub sources_used: usize,
    /// The log marginal likelihood of all records at the fitted prior (0 for the default prior).
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    pub log_marginal_likelihood: f64,
    /// The log hyperprior density at the fitted prior, up to a constant (see the module docs).
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    pub log_hyperprior: f64,
    /// Whether the strength hit its upper bound (the sources look identical; shrinkage is total).
    pub at_bound: bool,
}

/// The hyperprior on logit(mean): Normal(centre, sd²).
pub const HYPER_LOGIT_MEAN: (f64, f64) = (0.0, 2.0);
/// The hyperprior on ln(strength): Normal(centre, sd²), centred on a prior worth ten claims.
pub const HYPER_LOG_STRENGTH: (f64, f64) = (std::f64::consts::LN_10, 2.0);

/// The log density (up to a constant) of the hyperprior at (logit mean `u`, log strength `v`).
fn log_hyperprior(u: f64, v: f64) -> f64 {
    let z = |x: f64, (c, sd): (f64, f64)| (x - c) / sd;
    -0.5 * (z(u, HYPER_LOGIT_MEAN).powi(2) + z(v, HYPER_LOG_STRENGTH).powi(2))
}

/// Bounds of the search, in log strength: from 0.05 to one million claims' worth.
const LOG_STRENGTH: (f64, f64) = (-3.0, 13.8);
/// The initial steps of the search that polishes an optimum (logit mean, log strength).
const POLISH: [f64; 2] = [0.05, 0.07];
/// Bounds of the search, in logit mean.
const LOGIT_MEAN: (f64, f64) = (-12.0, 12.0);

impl Prior {
    /// The uniform prior Beta(1, 1), used where there is too little to fit.
    pub fn uniform() -> Prior {
        Prior {
            alpha: 1.0,
            beta: 1.0,
            mean: 0.5,
            strength: 2.0,
            method: "default",
            sources_used: 0,
            log_marginal_likelihood: 0.0,
            log_hyperprior: 0.0,
            at_bound: false,
        }
    }

    fn from_point(u: f64, v: f64) -> (f64, f64) {
        let mean = 1.0 / (1.0 + (-u).exp());
        let strength = v.exp();
        (mean * strength, (1.0 - mean) * strength)
    }

    /// Fits the prior to the non-empty `records`.
    pub fn fit(records: &[&Record]) -> Prior {
        Prior::fit_near(records, None)
    }

    /// The search point (logit mean, log strength) of this prior.
    fn point(&self) -> [f64; 2] {
        [(self.mean / (1.0 - self.mean)).ln(), self.strength.ln()]
    }

    /// Fits the prior to the non-empty `records`, starting from `near` when given: an iteration that refits
    /// the prior after every step (em) passes the last step's prior, whose optimum is close to the new one,
    /// so that a single search with small steps on likelihoods tabulated there (the polishing round of a
    /// cold fit) replaces the two rounds from the pooled share. The tabulation is accurate near its start,
    /// so `near` should be close to the optimum (within a few percent: the fits then agree to 1e-4; tested).
    /// Without `near`, the same as [`Prior::fit`]. A default prior (fewer than two records) is no start.
    pub fn fit_near(records: &[&Record], near: Option<&Prior>) -> Prior {
        let near = near.filter(|p| p.method == "empirical_bayes");
        let used: Vec<&Record> = records.iter().copied().filter(|r| !r.is_empty()).collect();
        if used.len() < 2 {
            return Prior {
                sources_used: used.len(),
                ..Prior::uniform()
            };
        }
        // Start from the pooled share of correct claims, at the strength of two claims.
        let (mut good, mut all) = (0.5, 1.0);
        for r in &used {
            good += r.hits;
            all += r.hits + r.misses;
            for &(c, w) in &r.uncertain {
                good += c * w;
                all += w;
            }
        }
        let m = (good / all).clamp(0.01, 0.99);
        let (start, rounds): ([f64; 2], &[[f64; 2]]) = match near {
            Some(p) => (p.point(), &[POLISH]),
            None => ([(m / (1.0 - m)).ln(), HYPER_LOG_STRENGTH.0], &[[0.5, 0.7], POLISH]),
        };
        // Search on likelihoods tabulated at the start, then again on grids laid at the first optimum: the
        // second search starts where the first ended, so it only polishes.
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let mut best = start;
        let mut value = f64::INFINITY;
        for &step in rounds {
            let (a, b) = Prior::from_point(best[0], best[1]);
            // Records with a few uncertain claims are summed exactly (`Record::exact_log_marginal`): most
            // outlets of a crowd or a wiki, and the costliest to tabulate.
            let grids: Vec<Option<MarginalGrid>> = used
                .par_iter()
                .map(|r| {
                    if r.has_exact_marginal() {
                        None
                    } else {
                        r.marginal_grid(a, b)
                    }
                })
                .collect();
            let objective = |p: [f64; 2]| -> f64 {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let u = p[0].clamp(LOGIT_MEAN.0, LOGIT_MEAN.1);
                let v = p[1].clamp(LOG_STRENGTH.0, LOG_STRENGTH.1);
                // Outside the box the objective is the boundary value plus a penalty, so the simplex walks back.
                let penalty = (p[0] - u).powi(2) + (p[1] - v).powi(2);
                let (a, b) = Prior::from_point(u, v);
                let ln_beta_ab = statrs::function::beta::ln_beta(a, b);
                let terms: Vec<f64> = used
                    .par_iter()
                    .zip(&grids)
                    .map(|(r, g)| match g {
                        Some(g) => g.log_marginal_given(a, b, ln_beta_ab),
                        None => r.exact_log_marginal(a, b).unwrap_or_else(|| r.log_marginal(a, b)),
                    })
                    .collect();
                -terms.iter().sum::<f64>() - log_hyperprior(u, v) + 1e3 * penalty
            };
            (best, value) = nelder_mead(objective, best, step, 600);
        }
        if std::env::var_os("CREDENCE_TIMING").is_some() {
            eprintln!("timing: prior fit: {} objective evaluations", calls.into_inner());
        }
        let u = best[0].clamp(LOGIT_MEAN.0, LOGIT_MEAN.1);
        let v = best[1].clamp(LOG_STRENGTH.0, LOG_STRENGTH.1);
        let (alpha, beta) = Prior::from_point(u, v);
        let hyper = log_hyperprior(u, v);
        Prior {
            alpha,
            beta,
            mean: alpha / (alpha + beta),
            strength: alpha + beta,
            method: "empirical_bayes",
            sources_used: used.len(),
            log_marginal_likelihood: -value - hyper,
            log_hyperprior: hyper,
            at_bound: v >= LOG_STRENGTH.1 - 0.05,
        }
    }
}

/// Minimises `f` over the plane by the Nelder–Mead simplex method (reflection 1, expansion 2, contraction
/// ½, shrink ½), from `start` with initial steps `step`. Returns the best point and its value.
pub fn nelder_mead(f: impl Fn([f64; 2]) -> f64, start: [f64; 2], step: [f64; 2], max_iter: usize) -> ([f64; 2], f64) {
    let mut simplex = [start, [start[0] + step[0], start[1]], [start[0], start[1] + step[1]]];
    let mut values = simplex.map(&f);
    for _ in 0..max_iter {
        // Order best to worst, ties by position so the run is reproducible.
        let mut order = [0usize, 1, 2];
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]).then(i.cmp(&j)));
        simplex = order.map(|i| simplex[i]);
        values = order.map(|i| values[i]);
        let spread = (values[2] - values[0]).abs();
        let size = (0..2)
            .map(|k| {
                (simplex[1][k] - simplex[0][k])
                    .abs()
                    .max((simplex[2][k] - simplex[0][k]).abs())
            })
            .fold(0.0, f64::max);
        if spread <= OPTIMISER * (1.0 + values[0].abs()) && size < 1e-7 {
            break;
        }
        let centroid = [
            (simplex[0][0] + simplex[1][0]) / 2.0,
            (simplex[0][1] + simplex[1][1]) / 2.0,
        ];
        let along = |t: f64| {
            [
                centroid[0] + t * (simplex[2][0] - centroid[0]),
                centroid[1] + t * (simplex[2][1] - centroid[1]),
            ]
        };
        let reflected = along(-1.0);
        let fr = f(reflected);
        if fr < values[0] {
            let expanded = along(-2.0);
            let fe = f(expanded);
            if fe < fr {
                simplex[2] = expanded;
                values[2] = fe;
            } else {
                simplex[2] = reflected;
                values[2] = fr;
            }
        } else if fr < values[1] {
            simplex[2] = reflected;
            values[2] = fr;
        } else {
            let contracted = if fr < values[2] { along(-0.5) } else { along(0.5) };
            let fc = f(contracted);
            if fc < values[2].min(fr) {
                simplex[2] = contracted;
                values[2] = fc;
            } else {
                for i in 1..3 {
                    simplex[i] = [
                        simplex[0][0] + 0.5 * (simplex[i][0] - simplex[0][0]),
                        simplex[0][1] + 0.5 * (simplex[i][1] - simplex[0][1]),
                    ];
                    values[i] = f(simplex[i]);
                }
            }
        }
    }
    let mut best = 0;
    for i in 1..3 {
        if values[i] < values[best] {
            best = i;
        }
    }
    (simplex[best], values[best])
}

/// Priors by group of outlets (`--sources-meta`): one fitted over every outlet, and one per group fitted over
/// the group's outlets alone, so that an outlet with little evidence is shrunk towards outlets of its own
/// kind (a wire service towards wires, a tabloid towards tabloids) instead of towards all of them. A group
/// with fewer than two outlets with evidence, and an outlet in no group, use the overall prior.
#[derive(Debug, Clone)]
pub struct Priors {
    /// Fitted over every outlet.
    pub overall: Prior,
    /// Per group id; `None` where the group falls back on the overall prior.
    pub groups: Vec<Option<Prior>>,
}

impl Priors {
    /// Fits the overall prior and each group's. `records` and `groups` are parallel and in outlet-name order
    /// (so any numbering of the same outlets gives the same bits); a group id of `u32::MAX` is no group.
    pub fn fit(records: &[&Record], groups: &[u32], n_groups: usize) -> Priors {
        Priors::fit_near(records, groups, n_groups, None)
    }

    /// As [`Priors::fit`], each search starting from `near`'s prior of the same group where it has one
    /// ([`Prior::fit_near`]): for an iteration that refits the priors after every step.
    pub fn fit_near(records: &[&Record], groups: &[u32], n_groups: usize, near: Option<&Priors>) -> Priors {
        let overall = Prior::fit_near(records, near.map(|p| &p.overall));
        let groups = (0..n_groups as u32)
            .map(|g| {
                let members: Vec<&Record> = records
                    .iter()
                    .zip(groups)
                    .filter(|(_, k)| **k == g)
                    .map(|(r, _)| *r)
                    .collect();
                let start = near.and_then(|p| p.groups.get(g as usize)).and_then(Option::as_ref);
                let fitted = Prior::fit_near(&members, start);
                (fitted.method == "empirical_bayes").then_some(fitted)
            })
            .collect();
        Priors { overall, groups }
    }

    /// The prior of an outlet in group `group` (`u32::MAX`: none).
    pub fn of(&self, group: u32) -> &Prior {
        self.groups
            .get(group as usize)
            .and_then(Option::as_ref)
            .unwrap_or(&self.overall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use statrs::distribution::Beta;

    #[test]
    fn nelder_mead_finds_the_rosenbrock_minimum() {
        let rosen = |p: [f64; 2]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let (x, v) = nelder_mead(rosen, [-1.2, 1.0], [0.5, 0.5], 5000);
        assert!((x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3, "{x:?}");
        assert!(v < 1e-6);
    }

    /// Planted truth: 400 sources with reliabilities from Beta(6, 2) (mean 0.75, strength 8), 30 resolved
    /// claims each. The fitted mean must come close and the strength within a factor of 2.
    #[test]
    fn recovers_a_planted_beta_prior() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let truth = Beta::new(6.0, 2.0).unwrap();
        let records: Vec<Record> = (0..400)
            .map(|_| {
                let theta: f64 = rng.sample(truth);
                let hits = (0..30).filter(|_| rng.random::<f64>() < theta).count() as f64;
                Record {
                    hits,
                    misses: 30.0 - hits,
                    uncertain: vec![],
                }
            })
            .collect();
        let refs: Vec<&Record> = records.iter().collect();
        let p = Prior::fit(&refs);
        assert!((p.mean - 0.75).abs() < 0.03, "{p:?}");
        assert!(p.strength > 4.0 && p.strength < 16.0, "{p:?}");
        assert_eq!(p.method, "empirical_bayes");
    }

    /// Two outlets with one correct claim each: without the hyperprior the fit runs to mean 1 and
    /// zero-width intervals. With it the prior stays proper and the intervals stay wide.
    #[test]
    fn tiny_data_does_not_degenerate() {
        let r = Record {
            hits: 1.0,
            misses: 0.0,
            uncertain: vec![],
        };
        let p = Prior::fit(&[&r, &r]);
        assert!(p.mean < 0.95 && p.strength < 200.0, "{p:?}");
        let s = r.posterior(p.alpha, p.beta, 0.95, &[]);
        assert!(s.high - s.low > 0.1 && s.low <= s.mean && s.mean <= s.high, "{s:?}");
    }

    /// Four outlets with identical records (one hit, one miss): the data alone favour total shrinkage; the
    /// hyperprior keeps the strength finite and the intervals honest.
    #[test]
    fn identical_records_do_not_shrink_totally() {
        let r = Record {
            hits: 1.0,
            misses: 1.0,
            uncertain: vec![],
        };
        let p = Prior::fit(&[&r, &r, &r, &r]);
        assert!(!p.at_bound && p.strength < 1e3, "{p:?}");
        let s = r.posterior(p.alpha, p.beta, 0.95, &[]);
        assert!(s.high - s.low > 0.1, "{s:?}");
    }

    /// A warm start lands on the cold fit's optimum: 300 planted sources with uncertain records (so the
    /// tabulated likelihoods are used), refitted from a prior 1% off in mean and 5% in strength (em's
    /// successive priors are closer), must agree with the cold fit to 1e-4 (measured: 1.7e-5 in strength,
    /// which the cold fit's own tabulation, laid at its first round's optimum, leaves open as well); from a
    /// start 20% and 50% off the likelihoods tabulated there are coarser and the fits agree to 1e-3 only
    /// (measured: 3.3e-4); a default prior is no start at all.
    #[test]
    fn warm_start_finds_the_cold_optimum() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let truth = Beta::new(4.0, 1.5).unwrap();
        let records: Vec<Record> = (0..300)
            .map(|i| {
                let theta: f64 = rng.sample(truth);
                let mut r = Record::default();
                for _ in 0..(1 + i % 5) {
                    let right = rng.random::<f64>() < theta;
                    r.push_uncertain(if right { 0.85 } else { 0.2 }, 1.0);
                }
                r.finish();
                r
            })
            .collect();
        let refs: Vec<&Record> = records.iter().collect();
        let cold = Prior::fit(&refs);
        for (mean, strength, within) in [(0.99, 1.05, 1e-4), (0.8, 1.5, 1e-3)] {
            let off = Prior {
                mean: cold.mean * mean,
                strength: cold.strength * strength,
                ..cold.clone()
            };
            let warm = Prior::fit_near(&refs, Some(&off));
            assert!((warm.mean - cold.mean).abs() < within, "{warm:?} {cold:?}");
            assert!(
                (warm.strength / cold.strength - 1.0).abs() < within,
                "{warm:?} {cold:?}"
            );
        }
        assert_eq!(Prior::fit_near(&refs, Some(&Prior::uniform())), cold);
    }

    #[test]
    fn too_few_sources_fall_back_to_uniform() {
        let r = Record {
            hits: 3.0,
            misses: 0.0,
            uncertain: vec![],
        };
        let p = Prior::fit(&[&r, &Record::default()]);
        assert_eq!((p.alpha, p.beta, p.method, p.sources_used), (1.0, 1.0, "default", 1));
    }
}
