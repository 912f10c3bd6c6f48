//! One source's record of evidence and the Beta-prior posterior of its reliability.
//!
//! A source's reliability θ is the chance that a claim it originates is correct. Each judged claim adds one
//! factor to the likelihood of θ:
//!
//! * a claim whose correctness is **known** (its story was resolved) adds θ or 1 − θ, or θ^½(1 − θ)^½ for a
//!   `mixed` outcome: these are conjugate to the Beta prior and are kept as two weighted counts;
//! * a claim whose correctness is **uncertain** (only official responses speak to it) adds
//!   `c·θ + (1 − c)·(1 − θ)`, where `c` is the probability, from the responses alone, that the claim is
//!   correct. This is the likelihood with the claim's correctness marginalised out. Counting `c` as a
//!   fractional success instead (θ^c (1 − θ)^(1−c)) is what naive tools do; it pulls every score towards
//!   one half, because a noisy response makes even a perfect source look wrong part of the time.
//!
//! Uncertain factors are not conjugate, so a record holding any is integrated numerically on the logit
//! scale φ = ln(θ / (1 − θ)), where the posterior is smooth and has no end-point singularities:
//! trapezoid sums over a range found around the mode, which converge geometrically for such integrands.
//! A record with only known claims uses the exact Beta posterior from statrs. Both paths agree to 1e-6 on
//! the same data (tested below).

use statrs::distribution::{Beta, ContinuousCDF};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::digamma;

/// The sufficient statistics of one source's likelihood.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Weighted count of claims known correct.
    pub hits: f64,
    /// Weighted count of claims known wrong.
    pub misses: f64,
    /// Uncertain claims grouped by their probability of being correct: `(c, total weight)`, sorted by `c`,
    /// with each `c` strictly between 0 and 1 and not ½ (a claim at ½ carries no information).
    pub uncertain: Vec<(f64, f64)>,
}

impl Record {
    /// Adds a claim of weight `weight` whose correct share is known: 1 correct, 0 wrong, ½ mixed.
    pub fn push_known(&mut self, share: f64, weight: f64) {
        self.hits += weight * share;
        self.misses += weight * (1.0 - share);
    }

    /// Adds a claim of weight `weight` that is correct with probability `c` given the responses alone.
    ///
    /// Call [`Record::finish`] before using the record.
    pub fn push_uncertain(&mut self, c: f64, weight: f64) {
        if c <= 0.0 || c >= 1.0 {
            self.push_known(c.clamp(0.0, 1.0), weight);
        } else if c != 0.5 && weight > 0.0 {
            self.uncertain.push((c, weight));
        }
    }

    /// Sorts the uncertain groups and merges equal probabilities, so equal data give equal records
    /// whatever order the claims came in.
    pub fn finish(&mut self) {
        self.uncertain
            .sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(self.uncertain.len());
        for &(c, w) in &self.uncertain {
            match merged.last_mut() {
                Some(last) if last.0 == c => last.1 += w,
                _ => merged.push((c, w)),
            }
        }
        self.uncertain = merged;
    }

    /// Whether the record holds no evidence at all.
    pub fn is_empty(&self) -> bool {
        self.hits == 0.0 && self.misses == 0.0 && self.uncertain.is_empty()
    }

    /// The log marginal likelihood `ln ∫ L(θ) Beta(θ; a, b) dθ` of this record under a Beta(a, b) prior.
    pub fn log_marginal(&self, a: f64, b: f64) -> f64 {
        if self.uncertain.is_empty() {
            return ln_beta(a + self.hits, b + self.misses) - ln_beta(a, b);
        }
        let density = LogitDensity {
            record: self,
            a: a + self.hits,
            b: b + self.misses,
        };
        let (lo, hi, top, sd) = density.range();
        let n = LogitDensity::points(lo, hi, sd, 3.0, 33, MARGINAL_POINTS);
        let (log_integral, _) = density.integrate(lo, hi, top, n);
        log_integral - ln_beta(a, b)
    }

    /// The posterior mean of θ under a Beta(a, b) prior, on a coarse grid (the trapezoid rule's error on
    /// a mean is far below the tolerance of the iterations that use it).
    pub fn posterior_mean(&self, a: f64, b: f64) -> f64 {
        if self.uncertain.is_empty() {
            let (pa, pb) = (a + self.hits, b + self.misses);
            return pa / (pa + pb);
        }
        if let Some(mean) = self.exact_posterior_mean(a, b) {
            return mean;
        }
        let density = LogitDensity {
            record: self,
            a: a + self.hits,
            b: b + self.misses,
        };
        let (lo, hi, top, sd) = density.range();
        let n = LogitDensity::points(lo, hi, sd, 4.0, 65, 257);
        density.mean(lo, hi, top, n)
    }

    /// The posterior of θ under a Beta(a, b) prior, summarised at credibility `level`.
    ///
    /// `probes` are probabilities `c` for which the posterior expectation of
    /// `θc / (θc + (1 − θ)(1 − c))` (the chance that a claim with response-probability `c` is correct) is
    /// wanted; they come back in [`Summary::probes`] in the same order.
    pub fn posterior(&self, a: f64, b: f64, level: f64, probes: &[f64]) -> Summary {
        let lower_p = (1.0 - level) / 2.0;
        let upper_p = 1.0 - lower_p;
        if self.uncertain.is_empty() {
            let (pa, pb) = (a + self.hits, b + self.misses);
            let dist = Beta::new(pa, pb).expect("shapes are positive and finite");
            let mean = pa / (pa + pb);
            return Summary {
                mean,
                low: dist.inverse_cdf(lower_p),
                high: dist.inverse_cdf(upper_p),
                shape: (pa, pb),
                probes: probes.iter().map(|&c| expected_correct_exact(pa, pb, c)).collect(),
            };
        }
        let density = LogitDensity {
            record: self,
            a: a + self.hits,
            b: b + self.misses,
        };
        let (lo, hi, top, sd) = density.range();
        let n = LogitDensity::points(lo, hi, sd, 60.0, 513, POSTERIOR_POINTS);
        density.summarise(lo, hi, top, n, lower_p, upper_p, probes)
    }
}

/// Most uncertain claims (their total weight) for which [`Record::exact_log_marginal`] sums the marginal
/// likelihood in closed form.
pub const EXACT_CLAIMS: f64 = 8.0;

impl Record {
    /// `ln ∫ L(θ) Beta(θ; a, b) dθ` in closed form, for a record whose uncertain claims have whole weights
    /// adding up to at most [`EXACT_CLAIMS`] (`None` otherwise). Their product
    /// `Π (c·θ + (1 − c)(1 − θ))^n` is a polynomial of degree `N = Σ n` whose coefficients in the Bernstein
    /// basis `θ^j (1 − θ)^(N − j)` are the convolution of the factors' `(1 − c, c)`, all non-negative, so
    /// there is no cancellation; each basis term integrates against the Beta to a ratio of rising
    /// factorials, `B(A + j, B + N − j) / B(A, B) = (A)_j (B)_(N − j) / (A + B)_N` with `A = a + hits`,
    /// `B = b + misses`. A record with a claim or two under a weak prior is where the quadrature is
    /// costliest (its posterior is wide, so its grid is long) and this sum cheapest.
    pub fn exact_log_marginal(&self, a: f64, b: f64) -> Option<f64> {
        let poly = self.exact_polynomial()?;
        let n = poly.len() - 1;
        let (big_a, big_b) = (a + self.hits, b + self.misses);
        // (A)_j (B)_(N − j) / (A + B)_N, term by term.
        let rising = |x: f64, k: usize| (0..k).fold(1.0, |p, i| p * (x + i as f64));
        let whole = rising(big_a + big_b, n);
        let sum: f64 = (0..=n)
            .map(|j| poly[j] * rising(big_a, j) * rising(big_b, n - j) / whole)
            .sum();
        let known = if self.hits == 0.0 && self.misses == 0.0 {
            0.0
        } else {
            ln_beta(big_a, big_b) - ln_beta(a, b)
        };
        Some(sum.ln() + known)
    }

    /// Whether [`Record::exact_log_marginal`] applies: uncertain claims of whole weights, at most
    /// [`EXACT_CLAIMS`] of them.
    pub fn has_exact_marginal(&self) -> bool {
        let total: f64 = self.uncertain.iter().map(|g| g.1).sum();
        total <= EXACT_CLAIMS && self.uncertain.iter().all(|g| g.1.fract() == 0.0)
    }
}

/// A record's log integral `ln ∫ L(θ) θ^(a−1) (1 − θ)^(b−1) dθ` (its log marginal likelihood plus
/// `ln B(a, b)`) with its gradient and Hessian in the prior's shapes (a, b): what the Newton search for the
/// population prior ([`super::prior::Prior::fit`]) sums over records. Every record's integral is a mixture
/// of Beta functions or of grid points, so its derivatives are moments under the record's posterior:
/// exact, where a finite-difference gradient would carry the quadrature's noise into the search.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Terms {
    /// The log integral.
    pub value: f64,
    /// Its derivatives in a and b.
    pub grad: [f64; 2],
    /// Its second derivatives: `[[∂aa, ∂ab], [∂ab, ∂bb]]`.
    pub hess: [[f64; 2]; 2],
}

/// The trigamma function ψ′(x), x > 0: the recurrence ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10, then the
/// asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ / x^(2k+1), whose first omitted term is below 1e-12 there.
/// statrs has the digamma function but not its derivative.
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    acc + r + 0.5 * r2 + r * r2 * (1.0 / 6.0 - r2 * (1.0 / 30.0 - r2 * (1.0 / 42.0 - r2 / 30.0)))
}

/// [`Terms`] of `ln B(a + α, b + β)`: digammas and trigammas of the shapes.
fn beta_terms(a: f64, b: f64) -> Terms {
    let (da, db, dab) = (digamma(a), digamma(b), digamma(a + b));
    let (ta, tb, tab) = (trigamma(a), trigamma(b), trigamma(a + b));
    Terms {
        value: ln_beta(a, b),
        grad: [da - dab, db - dab],
        hess: [[ta - tab, -tab], [-tab, tb - tab]],
    }
}

/// The [`Terms`] of a mixture `ln Σⱼ exp(vⱼ)` of components with their own terms: the gradient is the
/// responsibility-weighted mean of the components' gradients, the Hessian the weighted mean of their
/// Hessians plus the weighted covariance of their gradients.
fn mixture_terms(parts: &[Terms]) -> Terms {
    let top = parts.iter().map(|t| t.value).fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = parts.iter().map(|t| (t.value - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    let mut out = Terms {
        value: total.ln() + top,
        ..Terms::default()
    };
    for (t, w) in parts.iter().zip(&weights) {
        let r = w / total;
        for i in 0..2 {
            out.grad[i] += r * t.grad[i];
        }
    }
    for (t, w) in parts.iter().zip(&weights) {
        let r = w / total;
        for i in 0..2 {
            for j in 0..2 {
                out.hess[i][j] += r * (t.hess[i][j] + (t.grad[i] - out.grad[i]) * (t.grad[j] - out.grad[j]));
            }
        }
    }
    out
}

impl Record {
    /// The record's [`Terms`] at the prior Beta(a, b) in closed form, for a record with only known
    /// outcomes or one whose marginal [`Record::exact_log_marginal`] sums exactly (`None` otherwise).
    pub fn exact_terms(&self, a: f64, b: f64) -> Option<Terms> {
        let (big_a, big_b) = (a + self.hits, b + self.misses);
        if self.uncertain.is_empty() {
            return Some(beta_terms(big_a, big_b));
        }
        let poly = self.exact_polynomial()?;
        let n = poly.len() - 1;
        let parts: Vec<Terms> = poly
            .iter()
            .enumerate()
            .map(|(j, &coefficient)| {
                let t = beta_terms(big_a + j as f64, big_b + (n - j) as f64);
                Terms {
                    value: t.value + coefficient.ln(),
                    ..t
                }
            })
            .collect();
        Some(mixture_terms(&parts))
    }

    /// The posterior mean of θ under Beta(a, b) in closed form, for a record whose marginal sums exactly
    /// ([`Record::exact_log_marginal`]; `None` otherwise): the posterior is the mixture over `j` of
    /// Beta(A + j, B + N − j) with weights `poly_j · B(A + j, B + N − j)`, so its mean is the weighted mean of
    /// `(A + j) / (A + B + N)`. A crowd or a wiki has thousands of such one- or two-claim records, each of
    /// which em asked a quadrature for every iteration.
    pub fn exact_posterior_mean(&self, a: f64, b: f64) -> Option<f64> {
        let poly = self.exact_polynomial()?;
        let n = poly.len() - 1;
        let (big_a, big_b) = (a + self.hits, b + self.misses);
        let log_weights: Vec<f64> = poly
            .iter()
            .enumerate()
            .map(|(j, &coefficient)| coefficient.ln() + ln_beta(big_a + j as f64, big_b + (n - j) as f64))
            .collect();
        let top = log_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut total, mut sum) = (0.0, 0.0);
        for (j, &l) in log_weights.iter().enumerate() {
            let w = (l - top).exp();
            total += w;
            sum += w * (big_a + j as f64);
        }
        Some(sum / total / (big_a + big_b + n as f64))
    }

    /// The Bernstein coefficients of the uncertain claims' likelihood `Π (c·θ + (1 − c)(1 − θ))^n`
    /// (see [`Record::exact_log_marginal`]), or `None` where the record is not summed exactly.
    fn exact_polynomial(&self) -> Option<Vec<f64>> {
        if !self.has_exact_marginal() {
            return None;
        }
        let n = self.uncertain.iter().map(|g| g.1).sum::<f64>() as usize;
        let mut poly = vec![0.0; n + 1];
        poly[0] = 1.0;
        let mut degree = 0;
        for &(c, w) in &self.uncertain {
            for _ in 0..w as usize {
                for j in (0..=degree + 1).rev() {
                    let up = if j > 0 { poly[j - 1] * c } else { 0.0 };
                    poly[j] = poly[j] * (1.0 - c) + up;
                }
                degree += 1;
            }
        }
        Some(poly)
    }
}

/// A record's likelihood tabulated on a fixed logit grid, so that the marginal likelihood under many
/// candidate priors (the empirical-Bayes search) costs one exponential per point, not a fresh quadrature.
///
/// The grid is laid for one prior (with 50% more range each side); it stays accurate for priors near that
/// one, which is why the search lays fresh grids at its optimum and searches again from there.
#[derive(Debug, Clone)]
pub struct MarginalGrid {
    h: f64,
    /// Per point: the log likelihood, ln σ(φ) and ln σ(−φ). Shared, so that a grid kept for the next
    /// round of an iteration ([`super::prior::GridCache`]) is kept without a copy.
    points: std::sync::Arc<[(f64, f64, f64)]>,
}

impl MarginalGrid {
    /// Whether two grids are one tabulation (a grid kept for the next fit, not laid again).
    #[cfg(test)]
    pub fn shares_points(&self, other: &MarginalGrid) -> bool {
        std::sync::Arc::ptr_eq(&self.points, &other.points)
    }

    /// `ln ∫ L(θ) Beta(θ; a, b) dθ` by the trapezoid rule on the grid.
    pub fn log_marginal(&self, a: f64, b: f64) -> f64 {
        self.log_marginal_given(a, b, ln_beta(a, b))
    }

    /// [`MarginalGrid::log_marginal`] given `ln_beta(a, b)`, which a search evaluating every record's grid
    /// at one prior computes once (three log-gammas a record and evaluation).
    pub fn log_marginal_given(&self, a: f64, b: f64, ln_beta_ab: f64) -> f64 {
        let top = self
            .points
            .iter()
            .map(|&(l, ls, lt)| l + a * ls + b * lt)
            .fold(f64::NEG_INFINITY, f64::max);
        let n = self.points.len();
        let mut sum = 0.0;
        for (i, &(l, ls, lt)) in self.points.iter().enumerate() {
            let w = exp_or_zero(l + a * ls + b * lt - top);
            sum += if i == 0 || i == n - 1 { 0.5 * w } else { w };
        }
        (sum * self.h).ln() + top - ln_beta_ab
    }

    /// The exponents `l + a·ln σ(φ) + b·ln σ(−φ)` at every point, and their largest.
    fn exponents(&self, a: f64, b: f64) -> (Vec<f64>, f64) {
        let e: Vec<f64> = self.points.iter().map(|&(l, ls, lt)| l + a * ls + b * lt).collect();
        let top = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (e, top)
    }

    /// The trapezoid weights of the posterior under Beta(a, b), relative to its largest point.
    fn weights(&self, a: f64, b: f64) -> (Vec<f64>, f64) {
        let (e, top) = self.exponents(a, b);
        (trapezoid_weights(&e, top), top)
    }

    /// The record's [`Terms`] at Beta(a, b) on the grid: the log of the trapezoid sum, and the
    /// posterior moments of `ln σ(φ)` and `ln σ(−φ)` (the derivatives of the sum are exactly those of the
    /// sum's terms, so the search's gradient is that of the objective it evaluates).
    pub fn terms(&self, a: f64, b: f64) -> Terms {
        let (w, top) = self.weights(a, b);
        let total: f64 = w.iter().sum();
        let mut mean = [0.0; 2];
        for (&wi, &(_, ls, lt)) in w.iter().zip(self.points.iter()) {
            mean[0] += wi * ls;
            mean[1] += wi * lt;
        }
        mean = mean.map(|m| m / total);
        let mut cov = [[0.0; 2]; 2];
        for (&wi, &(_, ls, lt)) in w.iter().zip(self.points.iter()) {
            let d = [ls - mean[0], lt - mean[1]];
            for i in 0..2 {
                for j in 0..2 {
                    cov[i][j] += wi * d[i] * d[j];
                }
            }
        }
        Terms {
            value: (total * self.h).ln() + top,
            grad: mean,
            hess: cov.map(|row| row.map(|c| c / total)),
        }
    }

    /// Whether the grid serves the posterior under Beta(a, b) as well as one laid there would: the
    /// density at both ends at least e^30 below its peak (the mass left out is negligible), and at least
    /// three points per posterior standard deviation (the spacing a fresh grid has is four). A grid laid
    /// for one prior stays good for the nearby priors of a search and of the next rounds.
    pub fn covers(&self, a: f64, b: f64) -> bool {
        let (e, top) = self.exponents(a, b);
        let n = e.len();
        if e[0] > top - 30.0 || e[n - 1] > top - 30.0 {
            return false;
        }
        let w = trapezoid_weights(&e, top);
        let total: f64 = w.iter().sum();
        // φ = ln σ(φ) − ln σ(−φ).
        let phi = |&(_, ls, lt): &(f64, f64, f64)| ls - lt;
        let mean = w.iter().zip(self.points.iter()).map(|(wi, p)| wi * phi(p)).sum::<f64>() / total;
        let var = w
            .iter()
            .zip(self.points.iter())
            .map(|(wi, p)| wi * (phi(p) - mean).powi(2))
            .sum::<f64>()
            / total;
        var.sqrt() >= 3.0 * self.h
    }

    /// The posterior mean of θ under Beta(a, b) on the grid (θ = σ(φ) = exp(ln σ(φ))). Valid where the
    /// grid [`covers`](MarginalGrid::covers) that prior.
    pub fn posterior_mean(&self, a: f64, b: f64) -> f64 {
        let (w, _) = self.weights(a, b);
        let total: f64 = w.iter().sum();
        w.iter()
            .zip(self.points.iter())
            .map(|(wi, &(_, ls, _))| wi * ls.exp())
            .sum::<f64>()
            / total
    }
}

/// `eˣ`, with 0 at once where it underflows to 0 (below −745.13): the same number, but libm's exp takes a
/// slow path to underflow, and a grid laid for one prior holds many such points under a prior the search
/// tries far from it (a fifth of a run's time on one corpus of many small outlets).
#[inline]
fn exp_or_zero(x: f64) -> f64 {
    if x < -746.0 { 0.0 } else { x.exp() }
}

/// The trapezoid weights `exp(e − top)` of grid exponents `e` (halved at the two ends).
fn trapezoid_weights(e: &[f64], top: f64) -> Vec<f64> {
    let n = e.len();
    e.iter()
        .enumerate()
        .map(|(i, &x)| {
            let w = exp_or_zero(x - top);
            if i == 0 || i == n - 1 { 0.5 * w } else { w }
        })
        .collect()
}

impl Record {
    /// The tabulated likelihood for priors near Beta(a, b), or `None` for a record with only known
    /// outcomes (whose marginal has a closed form).
    pub fn marginal_grid(&self, a: f64, b: f64) -> Option<MarginalGrid> {
        if self.uncertain.is_empty() {
            return None;
        }
        let density = LogitDensity {
            record: self,
            a: a + self.hits,
            b: b + self.misses,
        };
        let likelihood = LogitDensity {
            record: self,
            a: self.hits,
            b: self.misses,
        };
        let (lo, hi, n, values) = match density.grid_by_interpolation(&likelihood) {
            Some(tabulated) => tabulated,
            None => {
                let (lo, hi, _, sd) = density.range();
                let (lo, hi) = (lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo));
                match likelihood.lattice_values(lo, hi, sd) {
                    Some(tabulated) => tabulated,
                    None => {
                        let n = LogitDensity::points(lo, hi, sd, 4.0, 65, 513);
                        (lo, hi, n, likelihood.values(lo, hi, n))
                    }
                }
            }
        };
        let h = (hi - lo) / (n - 1) as f64;
        let points = values
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let phi = lo + h * i as f64;
                let sides = Sides::at(phi);
                (l, sides.ls, sides.lt)
            })
            .collect();
        Some(MarginalGrid { h, points })
    }
}

/// Points per unit of logit of the lattice on which grids of [`Record::marginal_grid`] are laid where they
/// can be: four to each of em's recording steps (`em::STEPS`, 64 a unit), so a report's step is on it.
const LATTICE: f64 = 256.0;

/// The furthest from zero a lattice grid reaches, in lattice points (|φ| ≤ 100: a range further out is laid
/// off the lattice).
const LATTICE_GRID: i64 = 100 * 256;

/// The largest lattice index |i| of [`softplus_table`]: a grid point plus a report's step (em's logits are
/// clamped at ±20.7, step ±1,327 of 64 a unit).
const LATTICE_REACH: i64 = LATTICE_GRID + 1_400 * 4;

/// `sp(−i/256) = ln(1 + e^(−i/256))` for every lattice index |i| ≤ [`LATTICE_REACH`], from `−LATTICE_REACH`
/// up (half a MiB, built once).
fn softplus_table() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (-LATTICE_REACH..=LATTICE_REACH)
            .map(|i| {
                let x = i as f64 / LATTICE;
                if x >= 0.0 {
                    (-x).exp().ln_1p()
                } else {
                    -x + x.exp().ln_1p()
                }
            })
            .collect()
    })
}

impl LogitDensity<'_> {
    /// The record's uncertain groups as lattice indices `k` (c = σ(k/256)), or `None` if any is off the
    /// lattice (em's records are on it; other methods' need not be).
    fn lattice_steps(&self) -> Option<Vec<i64>> {
        self.record
            .uncertain
            .iter()
            .map(|&(c, _)| {
                let x = (c.ln() - (-c).ln_1p()) * LATTICE;
                let k = x.round();
                ((x - k).abs() < 1e-6 && k.abs() <= (LATTICE_REACH - LATTICE_GRID) as f64).then_some(k as i64)
            })
            .collect()
    }

    /// The log density on a grid of lattice points that spans `[lo, hi]` at a spacing of at most `sd / 4`
    /// and 65 to 513 points, as [`LogitDensity::points`] asks of a grid: `(first, last, n, values)`, or
    /// `None` where the record or the range is off the lattice, or the spacing would be finer than it.
    ///
    /// Why: with `c = σ(a)`, `ln(c·σ(φ) + (1 − c)·σ(−φ)) = sp(−a − φ) − sp(−a) − sp(−φ)` (sp the softplus),
    /// so where `a` and every `φ` are lattice points each group adds one table entry per point, a strided
    /// run of the table, instead of a multiplication into a product whose logarithm is taken; the sum is
    /// the same to rounding (tested). On em's records of many outlets that halves a grid's cost.
    fn lattice_values(&self, lo: f64, hi: f64, sd: f64) -> Option<(f64, f64, usize, Vec<f64>)> {
        let mut stride = (LATTICE * sd / 4.0).floor() as i64;
        if stride < 1 || !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        let steps = self.lattice_steps()?;
        let snap = |stride: i64| {
            let first = (lo * LATTICE / stride as f64).floor() as i64 * stride;
            let last = (hi * LATTICE / stride as f64).ceil() as i64 * stride;
            (first, last, ((last - first) / stride) as usize + 1)
        };
        let (mut first, mut last, mut n) = snap(stride);
        while n > 513 {
            stride += (stride / 4).max(1);
            (first, last, n) = snap(stride);
        }
        while n < 65 && stride > 1 {
            stride = (stride / 2).max(1);
            (first, last, n) = snap(stride);
        }
        if first < -LATTICE_GRID || last > LATTICE_GRID {
            return None;
        }
        let table = softplus_table();
        let at = |i: i64| table[(i + LATTICE_REACH) as usize];
        let point = |p: usize| first + p as i64 * stride;
        let mut values: Vec<f64> = (0..n)
            .map(|p| -self.a * at(point(p)) - self.b * at(-point(p)))
            .collect();
        // Σ w·sp(−a − φ) group by group, each a strided run of the table; then the terms that do not depend
        // on the group's step, once per point.
        let (mut weight, mut constant) = (0.0, 0.0);
        for (&k, &(_, w)) in steps.iter().zip(&self.record.uncertain) {
            weight += w;
            constant += w * at(k);
            let run = table[(k + first + LATTICE_REACH) as usize..]
                .iter()
                .step_by(stride as usize);
            for (v, &t) in values.iter_mut().zip(run) {
                *v += w * t;
            }
        }
        for (p, v) in values.iter_mut().enumerate() {
            *v -= constant + weight * at(point(p));
        }
        Some((first as f64 / LATTICE, last as f64 / LATTICE, n, values))
    }
}

/// The running product of [`LogitDensity::value`]'s factors is folded into its logarithm below this: far
/// enough from the smallest normal number (1e-308) that one more factor above [`SMALL_FACTOR`] cannot leave
/// the normal range.
const FOLD_BELOW: f64 = 1e-150;

/// A factor of [`LogitDensity::value`] at or below this (a claim all but certainly wrong, far out on the
/// grid, or a power of many) is added as its own logarithm rather than multiplied in.
const SMALL_FACTOR: f64 = 1e-100;

/// The largest whole weight of a claim group whose factor [`LogitDensity::value`] raises to its power by
/// multiplications (`powi`, a handful of them) rather than through a logarithm.
const MULTIPLIED_POWER: f64 = 1024.0;

/// Most grid points for a marginal likelihood. The trapezoid rule converges geometrically on these smooth,
/// fast-decaying integrands: three points per standard deviation (at least 33) agree with closed forms
/// to 1e-9.
const MARGINAL_POINTS: usize = 129;

/// Most grid points for a posterior summary. Quantiles need the cumulative mass, which converges more
/// slowly, hence sixty points per standard deviation (at least 513).
const POSTERIOR_POINTS: usize = 4097;

/// A summary of a reliability posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Posterior mean of θ.
    pub mean: f64,
    /// Lower end of the equal-tailed interval.
    pub low: f64,
    /// Upper end of the equal-tailed interval.
    pub high: f64,
    /// The Beta(a, b) shapes of the posterior: exact for a record of known outcomes; for a record with
    /// uncertain claims (integrated numerically, not a Beta) the Beta with the posterior's mean and
    /// variance. Moments rather than the interval's ends, because two moments fix a Beta in closed form and
    /// the predictive distribution of a count of future claims, which is what the shapes serve
    /// (`evaluate::beta_binomial_interval`), depends on the posterior through its moments first.
    pub shape: (f64, f64),
    /// Posterior expectations asked for by the caller's probes.
    pub probes: Vec<f64>,
}

/// The Beta(a, b) with mean `mean` and variance `variance`: a + b = m(1 − m)/v − 1. A variance at or
/// above m(1 − m) (only rounding can produce it) is capped so that a + b stays at least 1e-6; a variance of
/// zero gives shapes of 1e12 in total (a point mass, as near as a Beta gets).
pub fn moment_matched_beta(mean: f64, variance: f64) -> (f64, f64) {
    let m = mean.clamp(1e-12, 1.0 - 1e-12);
    let total = if variance > 0.0 {
        (m * (1.0 - m) / variance - 1.0).clamp(1e-6, 1e12)
    } else {
        1e12
    };
    (m * total, (1.0 - m) * total)
}

/// `E[θc / (θc + (1 − θ)(1 − c))]` under Beta(a, b), for the rare exact-path probe (no uncertain claims
/// of its own, yet a probe asked): a 2049-point integral on the logit scale.
fn expected_correct_exact(a: f64, b: f64, c: f64) -> f64 {
    let empty = Record::default();
    let density = LogitDensity { record: &empty, a, b };
    let (lo, hi, top, _) = density.range();
    density.summarise(lo, hi, top, POSTERIOR_POINTS, 0.5, 0.5, &[c]).probes[0]
}

/// A function interpolated at the Chebyshev points of the first kind on `[mid − half, mid + half]`, and
/// evaluated anywhere in that interval by the barycentric formula (weights (−1)^j sin θ_j).
struct Chebyshev {
    mid: f64,
    half: f64,
    /// The nodes on [−1, 1].
    x: Vec<f64>,
    /// The function at the nodes.
    f: Vec<f64>,
    /// The barycentric weights.
    w: Vec<f64>,
}

impl Chebyshev {
    /// Interpolates `f` at `m` nodes on `[lo, hi]`.
    fn new(f: impl Fn(f64) -> f64, lo: f64, hi: f64, m: usize) -> Chebyshev {
        let (mid, half) = (0.5 * (lo + hi), 0.5 * (hi - lo));
        let angle = |j: usize| std::f64::consts::PI * (j as f64 + 0.5) / m as f64;
        let x: Vec<f64> = (0..m).map(|j| angle(j).cos()).collect();
        let values = x.iter().map(|&xj| f(mid + half * xj)).collect();
        let w = (0..m)
            .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 } * angle(j).sin())
            .collect();
        Chebyshev {
            mid,
            half,
            x,
            f: values,
            w,
        }
    }

    /// Whether `phi` lies in the interval.
    fn holds(&self, phi: f64) -> bool {
        (phi - self.mid).abs() <= self.half
    }

    /// The interpolant at `phi`.
    fn at(&self, phi: f64) -> f64 {
        let t = (phi - self.mid) / self.half;
        let (mut num, mut den) = (0.0, 0.0);
        for j in 0..self.x.len() {
            let d = t - self.x[j];
            if d == 0.0 {
                return self.f[j];
            }
            num += self.w[j] * self.f[j] / d;
            den += self.w[j] / d;
        }
        num / den
    }
}

/// The Chebyshev nodes that interpolate a log density over an interval of half-width `half` to ρ^−m ≤
/// 1e−20 (ρ = q + √(q² + 1), q = π / (2·half): the Bernstein ellipse of semi-minor axis π/2), or `None`
/// when that takes more than 64 (a wide interval, which only a record with little evidence has).
fn chebyshev_nodes(half: f64) -> Option<usize> {
    let q = std::f64::consts::FRAC_PI_2 / half;
    let rho = q + (q * q + 1.0).sqrt();
    let m = (20.0 * std::f64::consts::LN_10 / rho.ln()).ceil();
    (m.is_finite() && m <= 64.0).then(|| (m as usize).max(8))
}

/// σ(φ) = 1 / (1 + e^−φ).
fn sigmoid(phi: f64) -> f64 {
    if phi >= 0.0 {
        1.0 / (1.0 + (-phi).exp())
    } else {
        let e = phi.exp();
        e / (1.0 + e)
    }
}

/// σ(φ), σ(−φ) and their logarithms, without overflow for any φ, from one exponential and one `ln_1p`:
/// [`sigmoid`] at φ and −φ to the bit, and `ln σ` as `−ln(1 + e^−φ)` or `φ − ln(1 + e^φ)`.
#[derive(Clone, Copy)]
struct Sides {
    /// σ(φ).
    s: f64,
    /// σ(−φ).
    t: f64,
    /// ln σ(φ).
    ls: f64,
    /// ln σ(−φ).
    lt: f64,
}

impl Sides {
    fn at(phi: f64) -> Sides {
        // e = e^−|φ| and l = ln(1 + e), as both functions compute them on either side of zero (−0 counts
        // as φ ≥ 0 in both, as here).
        if phi >= 0.0 {
            let e = (-phi).exp();
            let l = e.ln_1p();
            Sides {
                s: 1.0 / (1.0 + e),
                t: e / (1.0 + e),
                ls: -l,
                lt: -phi - l,
            }
        } else {
            let e = phi.exp();
            let l = e.ln_1p();
            Sides {
                s: e / (1.0 + e),
                t: 1.0 / (1.0 + e),
                ls: phi - l,
                lt: -l,
            }
        }
    }
}

/// The unnormalised log posterior of φ = logit θ:
/// `a·ln σ(φ) + b·ln σ(−φ) + Σ n_k ln(c_k σ(φ) + (1 − c_k) σ(−φ))`,
/// where `a`, `b` already include the prior shapes and the known counts (the Jacobian of θ → φ turns the
/// prior's `a − 1`, `b − 1` into `a`, `b`).
struct LogitDensity<'r> {
    record: &'r Record,
    a: f64,
    b: f64,
}

impl LogitDensity<'_> {
    /// Value, first and second derivative at φ.
    fn eval(&self, phi: f64) -> (f64, f64, f64) {
        // σ(φ) and σ(−φ) are each computed directly, so neither loses precision when the other is near 1.
        let Sides { s, t, ls, lt } = Sides::at(phi);
        let st = s * t;
        let mut f = self.a * ls + self.b * lt;
        let mut d1 = self.a * t - self.b * s;
        let mut d2 = -(self.a + self.b) * st;
        for &(c, n) in &self.record.uncertain {
            // m = c·σ + (1 − c)·(1 − σ): a sum of two non-negative terms, exact to rounding.
            let m = c * s + (1.0 - c) * t;
            f += n * m.ln();
            let k = 2.0 * c - 1.0;
            let g = k * st / m;
            d1 += n * g;
            d2 += n * (k * st * (1.0 - 2.0 * s) / m - g * g);
        }
        (f, d1, d2)
    }

    /// The value alone, for the quadrature. The uncertain groups' factors are multiplied together and the
    /// product's logarithm taken once it nears the bottom of the normal range, rather than one logarithm
    /// per group: the quadratures of em's records are almost all such logarithms (a record of a few
    /// hundred claims has a wide posterior, so it is tabulated at a hundred points or more, directly), and
    /// a multiplication costs a tenth of one. Each factor is at most 1 and the product is folded before it
    /// can leave the normal range ([`FOLD_BELOW`], [`SMALL_FACTOR`]); its relative rounding error, a unit in
    /// the last place per factor, is of the order of the sum of logarithms'.
    fn value(&self, phi: f64) -> f64 {
        let Sides { s, t, ls, lt } = Sides::at(phi);
        let mut f = self.a * ls + self.b * lt;
        let mut product = 1.0;
        for &(c, n) in &self.record.uncertain {
            let m = c * s + (1.0 - c) * t;
            // A group of whole weight (em's are counts of reports at one step) is a power, by multiplications.
            let power = if n == 1.0 {
                m
            } else if n.fract() == 0.0 && n <= MULTIPLIED_POWER {
                m.powi(n as i32)
            } else {
                0.0
            };
            if power > SMALL_FACTOR {
                product *= power;
            } else {
                f += n * m.ln();
            }
            if product < FOLD_BELOW {
                f += product.ln();
                product = 1.0;
            }
        }
        f + product.ln()
    }

    /// The log density on the `n` evenly spaced points from `lo` to `hi`.
    ///
    /// A record with many groups is the costly case (one logarithm per group per point, every iteration of
    /// em), and then its range is narrow: the log density is then evaluated at a few Chebyshev nodes and
    /// interpolated. It is analytic in the strip |Im φ| < π (its nearest singularities are the zeros of
    /// `c·σ(φ) + (1 − c)·σ(−φ)`, at Im φ = π), so on a Bernstein ellipse of semi-minor axis π/2 the
    /// interpolant's error falls as ρ^−m in the number of nodes m (Trefethen, *Approximation Theory and
    /// Approximation Practice*, theorem 8.2); m is chosen for ρ^−m ≤ 1e−20, which leaves an error far
    /// below 1e−9 for any record's size (tested against the direct sum).
    fn values(&self, lo: f64, hi: f64, n: usize) -> Vec<f64> {
        let h = (hi - lo) / (n - 1) as f64;
        let half = 0.5 * (hi - lo);
        let nodes = chebyshev_nodes(half).filter(|&m| 2 * m < n && self.record.uncertain.len() >= 4);
        let Some(m) = nodes else {
            return (0..n).map(|i| self.value(lo + h * i as f64)).collect();
        };
        let interpolant = Chebyshev::new(|phi| self.value(phi), lo, hi, m);
        (0..n).map(|i| interpolant.at(lo + h * i as f64)).collect()
    }

    /// The mode, by Newton's method safeguarded with bisection on the derivative. The derivative is positive
    /// far left (`a > 0`) and negative far right (`b > 0`), so a root is always bracketed.
    fn mode(&self) -> f64 {
        let (mut lo, mut hi) = (-80.0_f64, 80.0_f64);
        let total = self.a + self.b;
        let mut x = (self.a / total).ln() - (self.b / total).ln();
        x = x.clamp(lo + 1.0, hi - 1.0);
        for _ in 0..200 {
            let (_, d1, d2) = self.eval(x);
            if d1 > 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let newton = if d2 < 0.0 { x - d1 / d2 } else { f64::NAN };
            let next = if newton.is_finite() && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if (next - x).abs() < 1e-12 * (1.0 + x.abs()) || hi - lo < 1e-12 {
                return next;
            }
            x = next;
        }
        x
    }

    /// An interval outside which the density is below e^−30 of its peak (so the mass left out is
    /// negligible), the log density at the mode, and the curvature scale (standard deviation) at the mode.
    fn range(&self) -> (f64, f64, f64, f64) {
        let m = self.mode();
        let (top, _, d2) = self.eval(m);
        let sd = if d2 < -1e-12 {
            (-d2).sqrt().recip().min(10.0)
        } else {
            10.0
        };
        let reach = |dir: f64| {
            let mut step = 3.0 * sd;
            let mut x = m + dir * step;
            while self.value(x) > top - 30.0 && x.abs() < 200.0 {
                step *= 1.25;
                x = m + dir * step;
            }
            x
        };
        (reach(-1.0), reach(1.0), top, sd)
    }

    /// The grid of [`Record::marginal_grid`] for this posterior density, and `likelihood`'s values on it,
    /// from one interpolant: the record's uncertain claims' sum `Σ n ln(c·σ + (1 − c)·σ(−φ))` is
    /// interpolated over 20 standard deviations each side of the mode ([`Chebyshev`]), and the range is
    /// found, and the grid filled, from the interpolant, where [`LogitDensity::range`] and
    /// [`LogitDensity::values`] evaluate the sum directly at a dozen more points. The grid's range is the
    /// same: outside which the density is below e^−30 of its peak, with half as much again each side.
    /// `None` (the caller takes the direct way) for a record of few claim groups, or where the range or
    /// the interpolant's interval is too wide (a record with little evidence).
    fn grid_by_interpolation(&self, likelihood: &LogitDensity) -> Option<(f64, f64, usize, Vec<f64>)> {
        if self.record.uncertain.len() < 4 {
            return None;
        }
        let mode = self.mode();
        let (_, _, d2) = self.eval(mode);
        let sd = if d2 < -1e-12 { (-d2).sqrt().recip() } else { return None };
        let m = chebyshev_nodes(20.0 * sd)?;
        let claims = LogitDensity {
            record: self.record,
            a: 0.0,
            b: 0.0,
        };
        let sum = Chebyshev::new(|phi| claims.value(phi), mode - 20.0 * sd, mode + 20.0 * sd, m);
        let known = |phi: f64, a: f64, b: f64| {
            let sides = Sides::at(phi);
            a * sides.ls + b * sides.lt
        };
        let density = |phi: f64| known(phi, self.a, self.b) + sum.at(phi);
        let top = density(mode);
        let reach = |dir: f64| {
            let mut step = 3.0 * sd;
            let mut x = mode + dir * step;
            while sum.holds(x) && density(x) > top - 30.0 {
                step *= 1.25;
                x = mode + dir * step;
            }
            sum.holds(x).then_some(x)
        };
        let (lo, hi) = (reach(-1.0)?, reach(1.0)?);
        let (lo, hi) = (lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo));
        if !(sum.holds(lo) && sum.holds(hi)) {
            return None;
        }
        let n = LogitDensity::points(lo, hi, sd, 4.0, 65, 513);
        if 2 * m >= n {
            return None;
        }
        let h = (hi - lo) / (n - 1) as f64;
        let values = (0..n)
            .map(|i| {
                let phi = lo + h * i as f64;
                known(phi, likelihood.a, likelihood.b) + sum.at(phi)
            })
            .collect();
        Some((lo, hi, n, values))
    }

    /// Grid points for a range: spacing at most `sd / per_sd`, within `[min, max]`; odd, so the
    /// grid is symmetric in its count.
    fn points(lo: f64, hi: f64, sd: f64, per_sd: f64, min: usize, max: usize) -> usize {
        let want = ((hi - lo) / sd * per_sd).ceil() as usize;
        want.clamp(min, max) | 1
    }

    /// `ln ∫ exp(f) dφ` over [lo, hi] by the trapezoid rule on `n` points, and the points' weights.
    fn integrate(&self, lo: f64, hi: f64, top: f64, n: usize) -> (f64, Vec<f64>) {
        let h = (hi - lo) / (n - 1) as f64;
        let w: Vec<f64> = self.values(lo, hi, n).into_iter().map(|v| (v - top).exp()).collect();
        let sum: f64 = w.iter().sum::<f64>() - 0.5 * (w[0] + w[n - 1]);
        ((sum * h).ln() + top, w)
    }

    /// The posterior mean of [`LogitDensity::summarise`] alone, the same bits: em asks every outlet's
    /// mean every iteration, and the quantiles, variance and cumulative masses it does not read cost as
    /// much again.
    fn mean(&self, lo: f64, hi: f64, top: f64, n: usize) -> f64 {
        let h = (hi - lo) / (n - 1) as f64;
        let (_, w) = self.integrate(lo, hi, top, n);
        let trapezoid_total: f64 = w.iter().sum::<f64>() - 0.5 * (w[0] + w[n - 1]);
        let mut acc = 0.0;
        for (i, wi) in w.iter().enumerate() {
            let edge = if i == 0 || i == n - 1 { 0.5 } else { 1.0 };
            acc += edge * wi * sigmoid(lo + h * i as f64);
        }
        acc / trapezoid_total
    }

    /// Posterior mean, quantiles and probe expectations from an `n`-point trapezoid grid.
    #[allow(clippy::too_many_arguments)]
    fn summarise(&self, lo: f64, hi: f64, top: f64, n: usize, p_lo: f64, p_hi: f64, probes: &[f64]) -> Summary {
        let h = (hi - lo) / (n - 1) as f64;
        let (_, w) = self.integrate(lo, hi, top, n);
        // Cumulative mass segment by segment, each segment by the cubic through its two nodes and their
        // neighbours, h/24·(−w₋₁ + 13w₀ + 13w₁ − w₂) (the end segments by the quadratic through three nodes):
        // fourth-order accurate, where plain trapezoids would leave a 1e-5 error in tail quantiles.
        let segment = |i: usize| -> f64 {
            if i == 0 {
                (5.0 * w[0] + 8.0 * w[1] - w[2]) / 12.0
            } else if i == n - 2 {
                (-w[n - 3] + 8.0 * w[n - 2] + 5.0 * w[n - 1]) / 12.0
            } else {
                (-w[i - 1] + 13.0 * w[i] + 13.0 * w[i + 1] - w[i + 2]) / 24.0
            }
            .max(0.0)
        };
        let mut cum = Vec::with_capacity(n);
        cum.push(0.0);
        for i in 0..n - 1 {
            cum.push(cum[i] + segment(i));
        }
        let total = cum[n - 1];
        let theta = |i: usize| sigmoid(lo + h * i as f64);
        let trapezoid_total: f64 = w.iter().sum::<f64>() - 0.5 * (w[0] + w[n - 1]);
        let expect = |g: &dyn Fn(f64) -> f64| {
            let mut acc = 0.0;
            for (i, wi) in w.iter().enumerate() {
                let edge = if i == 0 || i == n - 1 { 0.5 } else { 1.0 };
                acc += edge * wi * g(theta(i));
            }
            acc / trapezoid_total
        };
        // The quantile of the piecewise-linear density the trapezoid rule integrates: within a segment the
        // cumulative mass is quadratic, w0·t + (w1 − w0)·t²/2 for t in [0, 1] (in units of h), solved for t.
        let quantile = |p: f64| {
            let target = p * total;
            let i = cum.partition_point(|&c| c < target).clamp(1, n - 1);
            let (w0, w1) = (w[i - 1], w[i]);
            // Share of the segment's mass still needed, applied to the linear density's own mass.
            let seg = cum[i] - cum[i - 1];
            let need = if seg > 0.0 {
                (target - cum[i - 1]) / seg * 0.5 * (w0 + w1)
            } else {
                0.0
            };
            let slope = w1 - w0;
            let t = if slope.abs() <= 1e-12 * w0.max(w1) {
                if w0 > 0.0 { need / w0 } else { 0.5 }
            } else {
                let disc = (w0 * w0 + 2.0 * slope * need).max(0.0);
                (disc.sqrt() - w0) / slope
            };
            sigmoid(lo + h * ((i - 1) as f64 + t.clamp(0.0, 1.0)))
        };
        let mean = expect(&|t| t);
        let variance = (expect(&|t| t * t) - mean * mean).max(0.0);
        Summary {
            mean,
            shape: moment_matched_beta(mean, variance),
            low: quantile(p_lo),
            high: quantile(p_hi),
            probes: probes
                .iter()
                .map(|&c| expect(&|t| t * c / (t * c + (1.0 - t) * (1.0 - c))))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed-form marginal, hand-computed: one claim at c = 0.3 under Beta(2, 1) is
    /// 0.3·⅔ + 0.7·⅓ = 0.433333; two under Beta(1, 1) are ∫ (0.7 − 0.4θ)² dθ = 0.49 − 0.28 + 0.053333
    /// = 0.263333; with one known hit besides, under Beta(1, 1), ∫ θ (0.7 − 0.4θ)² dθ =
    /// 0.245 − 0.186667 + 0.04 = 0.098333. And it agrees with the quadrature on a mixed record to `INTEGRAL`; a record with
    /// more than `EXACT_CLAIMS` claims, or fractional weights, gets none.
    #[test]
    fn exact_marginal_by_hand() {
        let one = Record {
            uncertain: vec![(0.3, 1.0)],
            ..Record::default()
        };
        assert!((one.exact_log_marginal(2.0, 1.0).unwrap() - 0.433333f64.ln()).abs() < 1e-6);
        let two = Record {
            uncertain: vec![(0.3, 2.0)],
            ..Record::default()
        };
        assert!((two.exact_log_marginal(1.0, 1.0).unwrap() - 0.263333f64.ln()).abs() < 1e-5);
        let hit = Record {
            hits: 1.0,
            ..two.clone()
        };
        assert!((hit.exact_log_marginal(1.0, 1.0).unwrap() - 0.098333f64.ln()).abs() < 1e-5);
        let mixed = Record {
            hits: 2.0,
            misses: 1.0,
            uncertain: vec![(0.1, 1.0), (0.65, 2.0), (0.9, 3.0)],
        };
        for (a, b) in [(0.45, 0.09), (2.0, 3.0), (30.0, 4.0)] {
            let exact = mixed.exact_log_marginal(a, b).unwrap();
            assert!((exact - mixed.log_marginal(a, b)).abs() < INTEGRAL, "{a} {b}");
        }
        let many = Record {
            uncertain: vec![(0.6, 9.0)],
            ..Record::default()
        };
        assert!(many.exact_log_marginal(1.0, 1.0).is_none());
        let relay = Record {
            uncertain: vec![(0.6, 0.5)],
            ..Record::default()
        };
        assert!(relay.exact_log_marginal(1.0, 1.0).is_none());
    }
    use crate::model::tolerance::{INTEGRAL, QUANTILE};

    /// A record with only known claims, forced down the numerical path by one uninformative-in-the-limit
    /// uncertain group (c → ½, tiny weight), must agree with statrs' exact Beta posterior.
    #[test]
    fn numerical_path_agrees_with_exact_beta() {
        for &(hits, misses, a, b) in &[
            (7.0, 3.0, 1.0, 1.0),
            (0.0, 0.0, 0.5, 0.5),
            (95.0, 5.0, 2.0, 8.0),
            (3.0, 0.0, 0.7, 0.4),
            (4000.0, 1000.0, 3.0, 3.0),
            (2.5, 0.5, 1.0, 1.0),
        ] {
            let exact = Record {
                hits,
                misses,
                uncertain: vec![],
            };
            let nudged = Record {
                hits,
                misses,
                uncertain: vec![(0.5 + 1e-9, 1e-9)],
            };
            let e = exact.posterior(a, b, 0.95, &[]);
            let n = nudged.posterior(a, b, 0.95, &[]);
            assert!((e.mean - n.mean).abs() < QUANTILE, "mean {e:?} vs {n:?}");
            assert!((e.low - n.low).abs() < QUANTILE, "low {e:?} vs {n:?}");
            assert!((e.high - n.high).abs() < QUANTILE, "high {e:?} vs {n:?}");
            // The moment-matched shapes of the numerical path are the exact ones (relative agreement).
            assert_eq!(e.shape, (a + hits, b + misses));
            for (x, y) in [(e.shape.0, n.shape.0), (e.shape.1, n.shape.1)] {
                assert!((x - y).abs() < 1e-3 * x, "shape {e:?} vs {n:?}");
            }
            let lm_e = exact.log_marginal(a, b);
            let lm_n = nudged.log_marginal(a, b);
            assert!((lm_e - lm_n).abs() < INTEGRAL, "marginal {lm_e} vs {lm_n}");
        }
    }

    /// Beta(8, 4) (7 hits, 3 misses under a uniform prior): mean 2/3; quantiles from SciPy 1.x,
    /// `scipy.stats.beta.ppf([0.025, 0.975], 8, 4)` = 0.39025744, 0.89073656.
    #[test]
    fn exact_posterior_matches_r() {
        let s = Record {
            hits: 7.0,
            misses: 3.0,
            uncertain: vec![],
        }
        .posterior(1.0, 1.0, 0.95, &[]);
        assert!((s.mean - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.low - 0.390_257_4).abs() < 1e-6, "{}", s.low);
        assert!((s.high - 0.890_736_56).abs() < 1e-6, "{}", s.high);
    }

    /// Beta(2, 6): mean ¼, variance ab/((a+b)²(a+b+1)) = 12/(64·9) = 1/48, by hand; a zero variance gives
    /// a near point mass at the mean.
    #[test]
    fn moment_matching_recovers_a_beta() {
        let (a, b) = moment_matched_beta(0.25, 1.0 / 48.0);
        assert!((a - 2.0).abs() < 1e-12 && (b - 6.0).abs() < 1e-12, "{a} {b}");
        let (a, b) = moment_matched_beta(0.5, 0.0);
        assert!(a == b && a > 1e11);
    }

    /// One uncertain claim under a uniform prior: the marginal is ∫ (cθ + (1 − c)(1 − θ)) dθ = ½ for any c,
    /// and the posterior mean is ∫ θ(cθ + (1 − c)(1 − θ)) dθ / ½ = (c/3 + (1 − c)/6)·2 = (1 + c)/3 — by hand.
    #[test]
    fn one_uncertain_claim_by_hand() {
        for &c in &[0.1, 0.3, 0.8, 0.99] {
            let r = Record {
                hits: 0.0,
                misses: 0.0,
                uncertain: vec![(c, 1.0)],
            };
            assert!((r.log_marginal(1.0, 1.0) - 0.5_f64.ln()).abs() < INTEGRAL);
            let s = r.posterior(1.0, 1.0, 0.95, &[]);
            assert!((s.mean - (1.0 + c) / 3.0).abs() < QUANTILE, "c={c}: {}", s.mean);
        }
    }

    /// With the latent correctness marginalised, a source whose every claim is judged correct with
    /// probability 0.8 by a noisy responder is not pulled to 0.8: the likelihood Π(0.2 + 0.6θ) rises to θ = 1.
    /// Fractional counting would centre it near 0.8.
    #[test]
    fn uncertain_evidence_is_not_shrunk_to_its_probability() {
        let r = Record {
            hits: 0.0,
            misses: 0.0,
            uncertain: vec![(0.8, 200.0)],
        };
        let s = r.posterior(1.0, 1.0, 0.95, &[]);
        assert!(s.mean > 0.95, "{s:?}");
        let frac = Record {
            hits: 160.0,
            misses: 40.0,
            uncertain: vec![],
        }
        .posterior(1.0, 1.0, 0.95, &[]);
        assert!(frac.mean < 0.81);
    }

    /// The probe for a claim at c under a point-mass-like posterior θ ≈ t is tc/(tc + (1 − t)(1 − c)).
    #[test]
    fn probes_follow_bayes_rule() {
        let r = Record {
            hits: 90_000.0,
            misses: 10_000.0,
            uncertain: vec![(0.3, 1.0)],
        };
        let s = r.posterior(1.0, 1.0, 0.95, &[0.3, 0.9]);
        let t = s.mean;
        for (k, &c) in [0.3, 0.9].iter().enumerate() {
            let want = t * c / (t * c + (1.0 - t) * (1.0 - c));
            assert!((s.probes[k] - want).abs() < 1e-4, "{} vs {want}", s.probes[k]);
        }
    }

    /// A grid laid at one prior gives the marginal under nearby priors as the adaptive quadrature does.
    #[test]
    fn tabulated_marginal_matches_quadrature() {
        let r = Record {
            hits: 12.0,
            misses: 3.0,
            uncertain: vec![(0.2, 4.0), (0.85, 30.0)],
        };
        let grid = r.marginal_grid(3.0, 1.5).unwrap();
        for &(a, b) in &[(3.0, 1.5), (2.0, 1.0), (6.0, 2.5), (0.8, 0.6)] {
            assert!(
                (grid.log_marginal(a, b) - r.log_marginal(a, b)).abs() < 1e-6,
                "({a}, {b})"
            );
        }
        assert!(
            Record {
                hits: 1.0,
                misses: 0.0,
                uncertain: vec![]
            }
            .marginal_grid(1.0, 1.0)
            .is_none()
        );
    }

    /// A record of about `scale` claims over 398 groups whose probabilities spread over the logit scale,
    /// and a share of known outcomes: the interpolation tests' subject.
    fn spread_record(scale: f64) -> Record {
        let uncertain: Vec<(f64, f64)> = (1..400)
            .map(|k| {
                let c = 1.0 / (1.0 + (-(k as f64 - 200.0) / 25.0).exp());
                (c, scale * (1.0 + (k % 7) as f64) / 1000.0)
            })
            .filter(|&(c, _)| c != 0.5)
            .collect();
        Record {
            hits: 0.3 * scale,
            misses: 0.1 * scale,
            uncertain,
        }
    }

    /// The interpolated log density agrees with the direct sum on records from a handful of claims to
    /// millions, and a wide range or a record of few groups is summed directly.
    #[test]
    fn interpolated_log_density_matches_the_direct_sum() {
        for &scale in &[3.0, 100.0, 10_000.0, 3_000_000.0] {
            let record = spread_record(scale);
            let density = LogitDensity {
                record: &record,
                a: 2.0 + record.hits,
                b: 1.5 + record.misses,
            };
            let (lo, hi, _, _) = density.range();
            let interpolated = chebyshev_nodes(0.5 * (hi - lo)).is_some();
            assert_eq!(interpolated, scale >= 100.0, "scale {scale}: range {lo}..{hi}");
            for (lo, hi) in [(lo, hi), (lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo))] {
                let n = 257;
                let h = (hi - lo) / (n - 1) as f64;
                let fast = density.values(lo, hi, n);
                for (i, v) in fast.iter().enumerate() {
                    let direct = density.value(lo + h * i as f64);
                    // Within 1e-9, or a few ulps of a sum of that size (the direct sum of 400 terms rounds as much).
                    let tolerance = 1e-9_f64.max(16.0 * f64::EPSILON * direct.abs());
                    assert!(
                        (v - direct).abs() < tolerance,
                        "scale {scale}, point {i}: {v} against {direct}"
                    );
                }
            }
        }
        assert_eq!(chebyshev_nodes(40.0), None);
        assert_eq!(chebyshev_nodes(1e-3), Some(8));
    }

    /// A record on em's recording steps (each c = σ(k/64)), from a handful of claims to thousands of weight.
    fn lattice_record(scale: f64, groups: i64) -> Record {
        let mut record = Record {
            hits: 0.2 * scale,
            misses: 0.05 * scale,
            uncertain: (0..groups)
                .map(|g| {
                    let k = (g * 37) % 600 - 150;
                    (sigmoid(k as f64 / 64.0), scale * (1.0 + (g % 5) as f64) / 100.0)
                })
                .filter(|&(c, _)| c != 0.5)
                .collect(),
        };
        record.finish();
        record
    }

    /// The lattice's table lookups give the direct sum's log density at every grid point, for records
    /// narrow and wide, and a record off the lattice is left to the direct sum.
    #[test]
    fn lattice_log_density_matches_the_direct_sum() {
        let mut tabulated = 0;
        for &(scale, groups) in &[(1.0, 5), (3.0, 12), (10.0, 40), (30.0, 90), (100.0, 200)] {
            let record = lattice_record(scale, groups);
            let likelihood = LogitDensity {
                record: &record,
                a: record.hits,
                b: record.misses,
            };
            let density = LogitDensity {
                record: &record,
                a: 1.5 + record.hits,
                b: 0.7 + record.misses,
            };
            let (lo, hi, _, sd) = density.range();
            let Some((first, last, n, values)) = likelihood.lattice_values(lo, hi, sd) else {
                assert!(sd < 1.0 / 64.0, "scale {scale}: sd {sd}");
                continue;
            };
            tabulated += 1;
            assert!(first <= lo && last >= hi && (65..=513).contains(&n));
            let h = (last - first) / (n - 1) as f64;
            assert!(h <= sd / 4.0 + 1e-12 || n == 513);
            for (i, v) in values.iter().enumerate() {
                let direct = likelihood.value(first + h * i as f64);
                let tolerance = 1e-9_f64.max(16.0 * f64::EPSILON * direct.abs());
                assert!(
                    (v - direct).abs() < tolerance,
                    "scale {scale}, point {i}: {v} against {direct}"
                );
            }
        }
        assert!(tabulated >= 3);
        let off = Record {
            hits: 1.0,
            misses: 1.0,
            uncertain: vec![(0.3, 2.0), (0.8, 1.0)],
        };
        let density = LogitDensity {
            record: &off,
            a: 1.0,
            b: 1.0,
        };
        assert_eq!(density.lattice_steps(), None);
    }

    /// `Sides` gives σ at φ and −φ to the bit, and their logarithms as the textbook formulas, at zero (both
    /// signs), in the bulk, and where e^±φ underflows or would overflow.
    #[test]
    fn sides_are_both_sigmoids_and_their_logarithms() {
        let log_sigmoid = |x: f64| {
            if x >= 0.0 {
                -(-x).exp().ln_1p()
            } else {
                x - x.exp().ln_1p()
            }
        };
        for phi in [
            0.0, -0.0, 1e-300, -1e-300, 0.3, -0.3, 5.0, -17.25, 40.0, -700.0, 745.5, 800.0, -800.0,
        ] {
            let sides = Sides::at(phi);
            assert_eq!(sides.s.to_bits(), sigmoid(phi).to_bits(), "σ({phi})");
            assert_eq!(sides.t.to_bits(), sigmoid(-phi).to_bits(), "σ(−{phi})");
            assert_eq!(sides.ls.to_bits(), log_sigmoid(phi).to_bits(), "ln σ({phi})");
            assert_eq!(sides.lt.to_bits(), log_sigmoid(-phi).to_bits(), "ln σ(−{phi})");
        }
        assert!((Sides::at(0.0).ls + std::f64::consts::LN_2).abs() < 1e-16);
        assert!((Sides::at(-800.0).ls + 800.0).abs() < 1e-12 && Sides::at(-800.0).lt == 0.0);
    }

    /// The log density multiplies its factors where it can, and agrees with the sum of their logarithms:
    /// on a record of weights one (thousands of them, so the product is folded many times), whole weights
    /// below and above `MULTIPLIED_POWER`, fractional weights, and claims almost surely wrong (factors far
    /// below `SMALL_FACTOR`), from the left end of the grid to the right.
    #[test]
    fn log_density_multiplies_as_the_logarithms_add() {
        let mut uncertain: Vec<(f64, f64)> = (1..3000)
            .map(|k| (1.0 / (1.0 + (-(k as f64 - 1500.0) / 200.0).exp()), 1.0))
            .collect();
        uncertain.extend([
            (1e-200, 1.0),
            (0.2, 3.0),
            (0.35, 2.5),
            (0.9, 2000.0),
            (1.0 - 1e-15, 7.0),
        ]);
        let mut record = Record {
            hits: 2.0,
            misses: 3.0,
            uncertain,
        };
        record.finish();
        let density = LogitDensity {
            record: &record,
            a: 1.5 + record.hits,
            b: 0.5 + record.misses,
        };
        for phi in [-60.0, -12.5, -1.0, 0.0, 0.7, 9.0, 60.0] {
            let sides = Sides::at(phi);
            let logs: f64 = density.a * sides.ls
                + density.b * sides.lt
                + record
                    .uncertain
                    .iter()
                    .map(|&(c, n)| n * (c * sides.s + (1.0 - c) * sides.t).ln())
                    .sum::<f64>();
            let value = density.value(phi);
            assert!(value.is_finite(), "φ = {phi}");
            assert!(
                (value - logs).abs() < 1e-9 * (1.0 + logs.abs()),
                "φ = {phi}: {value} against {logs}"
            );
        }
    }

    /// Trigamma at textbook values: ψ′(1) = π²/6, ψ′(½) = π²/2, ψ′(x + 1) = ψ′(x) − 1/x², and
    /// ψ′(x) ≈ 1/x for large x (Abramowitz & Stegun 6.4).
    #[test]
    fn trigamma_known_values() {
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-12);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-12);
        assert!((trigamma(3.0) - (pi2 / 6.0 - 1.0 - 0.25)).abs() < 1e-12);
        for x in [0.03, 0.7, 4.2, 9.99, 10.0, 37.5] {
            assert!(
                (trigamma(x) - (trigamma(x + 1.0) + 1.0 / (x * x))).abs() < 1e-11 * trigamma(x),
                "{x}"
            );
        }
        let big = 1e6;
        assert!((trigamma(big) - (1.0 / big + 0.5 / (big * big))).abs() < 1e-18);
    }

    /// A grid laid at one prior serves that prior, reads the same posterior mean as the quadrature, and
    /// stops serving a prior that moves the posterior off it.
    #[test]
    fn grid_serves_nearby_priors_and_their_means() {
        let r = Record {
            hits: 30.0,
            misses: 6.0,
            uncertain: vec![(0.1, 3.0), (0.3, 5.5), (0.7, 20.0), (0.9, 61.0), (0.97, 8.0)],
        };
        let grid = r.marginal_grid(4.0, 1.5).unwrap();
        for (a, b) in [(4.0, 1.5), (4.4, 1.4), (2.0, 1.0)] {
            assert!(grid.covers(a, b), "({a}, {b})");
            let (fast, slow) = (grid.posterior_mean(a, b), r.posterior_mean(a, b));
            assert!((fast - slow).abs() < 1e-9, "({a}, {b}): {fast} vs {slow}");
        }
        // A prior worth 5,000 claims at mean 0.2 pulls the posterior far from where the grid was laid.
        assert!(!grid.covers(1000.0, 4000.0));
    }

    /// The grid from one interpolant ([`LogitDensity::grid_by_interpolation`]) is the grid the direct way
    /// lays, to the interpolant's accuracy, on records of thousands of claims to millions.
    #[test]
    fn interpolated_grid_matches_the_direct_one() {
        for &scale in &[100.0, 10_000.0, 3_000_000.0] {
            let record = spread_record(scale);
            let (a, b) = (2.0, 1.5);
            let density = LogitDensity {
                record: &record,
                a: a + record.hits,
                b: b + record.misses,
            };
            let likelihood = LogitDensity {
                record: &record,
                a: record.hits,
                b: record.misses,
            };
            let Some((lo, hi, n, values)) = density.grid_by_interpolation(&likelihood) else {
                // A hundred claims leave a posterior too wide for 64 nodes: the direct way lays its grid.
                assert_eq!(scale, 100.0);
                continue;
            };
            let (dlo, dhi, _, sd) = density.range();
            let (dlo, dhi) = (dlo - 0.5 * (dhi - dlo), dhi + 0.5 * (dhi - dlo));
            assert!((lo - dlo).abs() < 1e-9 * (1.0 + dlo.abs()) && (hi - dhi).abs() < 1e-9 * (1.0 + dhi.abs()));
            assert_eq!(n, LogitDensity::points(dlo, dhi, sd, 4.0, 65, 513));
            let h = (hi - lo) / (n - 1) as f64;
            for (i, v) in values.iter().enumerate() {
                let direct = likelihood.value(lo + h * i as f64);
                let tolerance = 1e-9_f64.max(16.0 * f64::EPSILON * direct.abs());
                assert!(
                    (v - direct).abs() < tolerance,
                    "scale {scale}, point {i}: {v} vs {direct}"
                );
            }
        }
    }

    /// The closed-form posterior mean of a record summed exactly: one uncertain claim by hand (the mean of
    /// θ·(cθ + (1 − c)(1 − θ)) against the Beta, over its normaliser), and up to eight claims against the
    /// quadrature.
    #[test]
    fn exact_posterior_mean_by_hand_and_against_quadrature() {
        let (a, b, c) = (2.5, 1.5, 0.8);
        let one = Record {
            hits: 0.0,
            misses: 0.0,
            uncertain: vec![(c, 1.0)],
        };
        let s = a + b;
        let want = (c * a * (a + 1.0) + (1.0 - c) * a * b) / (s * (s + 1.0)) / ((c * a + (1.0 - c) * b) / s);
        assert!((one.exact_posterior_mean(a, b).unwrap() - want).abs() < 1e-14);
        let records = [
            Record {
                hits: 2.0,
                misses: 1.0,
                uncertain: vec![(0.3, 2.0), (0.9, 3.0)],
            },
            Record {
                hits: 0.0,
                misses: 0.0,
                uncertain: vec![(0.05, 1.0), (0.6, 4.0), (0.97, 3.0)],
            },
        ];
        for r in &records {
            for (a, b) in [(0.5, 0.5), (4.0, 1.2), (30.0, 12.0)] {
                let exact = r.exact_posterior_mean(a, b).unwrap();
                let density = LogitDensity {
                    record: r,
                    a: a + r.hits,
                    b: b + r.misses,
                };
                let (lo, hi, top, sd) = density.range();
                let quadrature = density.mean(lo, hi, top, LogitDensity::points(lo, hi, sd, 4.0, 65, 257));
                assert!((exact - quadrature).abs() < 1e-9, "({a}, {b}): {exact} vs {quadrature}");
            }
        }
        // Fractional weights or more than eight claims: no closed form.
        let many = Record {
            hits: 0.0,
            misses: 0.0,
            uncertain: vec![(0.7, 9.0)],
        };
        assert_eq!(many.exact_posterior_mean(1.0, 1.0), None);
    }

    #[test]
    fn finish_merges_and_orders_groups() {
        let mut a = Record::default();
        for &(c, w) in &[(0.9, 1.0), (0.2, 1.0), (0.9, 0.5), (0.5, 3.0), (1.0, 2.0)] {
            a.push_uncertain(c, w);
        }
        a.finish();
        assert_eq!(a.uncertain, vec![(0.2, 1.0), (0.9, 1.5)]);
        assert_eq!(a.hits, 2.0);
    }
}
