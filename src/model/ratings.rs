//! Predicting the rating (a label on a fact-checker's scale, such as PolitiFact's six) that a source's next
//! claim will get, from the ratings of its past claims.
//!
//! A source's ratings are taken as draws from its own distribution over the labels, and that distribution
//! as drawn from a Dirichlet centred on a mean `m` with strength `s` (a Dirichlet–multinomial). The
//! predictive probability of label k for a source with counts c (n in all) is then
//! `(s·m_k + c_k) / (s + n)`: its own shares, shrunk towards `m` as if `m` had been seen `s` times. Both
//! levels are fitted on the training ratings alone:
//!
//! * without groups, `m` is the pooled training distribution and `s` maximises the marginal likelihood of
//!   every source's counts ([`log_marginal`], a one-dimensional search on ln s);
//! * with groups (party, outlet type), each group's mean is itself the pooled distribution shrunk the same
//!   way (strength fitted across groups), and the sources' strength is fitted with their group's mean as
//!   `m`, so a source with few ratings leans on its group before the whole population.
//!
//! [`RatingFit`] holds the fit; [`RatingFit::predictive`] and [`RatingFit::predict`] apply it. The pooled
//! mean is the plug-in share rather than part of the likelihood maximisation: with ten thousand ratings
//! the two differ in the third decimal, and the plug-in has a closed form.
//!
//! Why not map the binary reliability onto the scale with fitted thresholds: a reliability is one number
//! per source, which can rank sources but not say that one speaker's misses are "false" and another's
//! "pants-fire"; the counts keep that, and on LIAR's validation split they predict better (EVALUATION.md).

use statrs::function::gamma::ln_gamma;

/// The range of strengths searched, as ln s: from 1e-3 (each source on its own) to 1e6 (everyone the
/// population mean).
const LN_STRENGTH_RANGE: (f64, f64) = (-6.907_755_278_982_137, 13.815_510_557_964_274);

/// Grid points over that range before the golden-section refinement: a step of 0.23 in ln s, fine
/// enough that the refinement starts in the right basin of these smooth, in practice unimodal curves.
const GRID_POINTS: usize = 91;

/// `ln p(c | m, s)` of one source's counts under a Dirichlet(s·m) prior, without the multinomial
/// coefficient (which does not depend on `m` or `s`):
/// `ln Γ(s) − ln Γ(s + n) + Σ_k [ln Γ(s·m_k + c_k) − ln Γ(s·m_k)]`.
/// Counts may be fractional (em's expected confusion counts use it too, `categorical`).
pub fn log_marginal(counts: &[f64], mean: &[f64], strength: f64) -> f64 {
    let n: f64 = counts.iter().sum();
    let mut total = ln_gamma(strength) - ln_gamma(strength + n);
    for (&c, &m) in counts.iter().zip(mean) {
        if c > 0.0 {
            let a = strength * m;
            total += ln_gamma(a + c) - ln_gamma(a);
        }
    }
    total
}

/// The maximiser of `f` on `[a, b]` by 60 rounds of golden-section search (one new evaluation a round),
/// for the smooth, in practice unimodal marginal likelihoods of a strength on the log scale. On a tie
/// the search moves right (toward the larger strength: full shrinkage when nothing says otherwise).
pub fn golden_max(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let golden = 0.5 * (5f64.sqrt() - 1.0);
    let (mut a, mut b) = (a, b);
    let (mut x1, mut x2) = (b - golden * (b - a), a + golden * (b - a));
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..60 {
        if f1 > f2 {
            b = x2;
            (x2, f2) = (x1, f1);
            x1 = b - golden * (b - a);
            f1 = f(x1);
        } else {
            a = x1;
            (x1, f1) = (x2, f2);
            x2 = a + golden * (b - a);
            f2 = f(x2);
        }
    }
    0.5 * (a + b)
}

/// The maximiser of `f` on `[a, b]` and its value, by Brent's method (Brent 1973, "Algorithms for
/// minimization without derivatives", ch. 5): parabolic steps through the three best points where they
/// behave, golden-section steps where they do not, until the bracket is within `2 (√ε |x| + tol)` of the
/// point. For smooth objectives it needs a dozen evaluations where [`golden_max`]'s fixed 60 rounds
/// need 63; closer than √ε relative the objective cannot tell points apart anyway, its change being
/// quadratic in the step. Deterministic: the same evaluations in the same order every time.
pub fn brent_max(f: impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> (f64, f64) {
    const C: f64 = 0.381_966_011_250_105_1; // (3 − √5) / 2
    let sqrt_eps = f64::EPSILON.sqrt();
    let (mut a, mut b) = (a.min(b), a.max(b));
    let mut x = a + C * (b - a);
    let (mut w, mut v) = (x, x);
    // Minimises −f.
    let mut fx = -f(x);
    let (mut fw, mut fv) = (fx, fx);
    let (mut d, mut e): (f64, f64) = (0.0, 0.0);
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        let tol1 = sqrt_eps * x.abs() + tol;
        let tol2 = 2.0 * tol1;
        if (x - m).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut parabolic = false;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            let last = e;
            e = d;
            if p.abs() < (0.5 * q * last).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = if x < m { tol1 } else { -tol1 };
                }
                parabolic = true;
            }
        }
        if !parabolic {
            e = if x < m { b - x } else { a - x };
            d = C * e;
        }
        let u = x + if d.abs() >= tol1 { d } else { tol1.copysign(d) };
        let fu = -f(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, fv, w, fw) = (w, fw, u, fu);
            } else if fu <= fv || v == x || v == w {
                (v, fv) = (u, fu);
            }
        }
    }
    (x, -fx)
}

/// The strength maximising `Σ log_marginal(counts, mean, s)` over the items: a grid on ln s, then golden
/// section around the best grid point. Where the sum does not depend on s (every item has one rating or
/// none) the largest strength wins the ties, that is, full shrinkage: nothing shows sources differ.
fn fit_strength(items: &[(&[f64], &[f64])]) -> f64 {
    let objective = |ln_s: f64| {
        let s = ln_s.exp();
        items.iter().map(|(c, m)| log_marginal(c, m, s)).sum::<f64>()
    };
    let (lo, hi) = LN_STRENGTH_RANGE;
    let step = (hi - lo) / (GRID_POINTS - 1) as f64;
    let mut best = (f64::NEG_INFINITY, lo);
    for i in 0..GRID_POINTS {
        let x = lo + step * i as f64;
        let v = objective(x);
        if v >= best.0 - 1e-12 * v.abs().max(1.0) {
            best = (v.max(best.0), x);
        }
    }
    let x = golden_max(objective, (best.1 - step).max(lo), (best.1 + step).min(hi));
    if objective(x) >= best.0 { x.exp() } else { best.1.exp() }
}

/// `(s·m_k + c_k) / (s + n)` for each label k: counts `c` (summing to n) shrunk toward the mean `m` by a
/// strength `s`, the posterior mean under Dirichlet(s·m). Responders' answer chances use it too.
pub(crate) fn shrink(counts: &[f64], mean: &[f64], strength: f64) -> Vec<f64> {
    let n: f64 = counts.iter().sum();
    counts
        .iter()
        .zip(mean)
        .map(|(&c, &m)| (strength * m + c) / (strength + n))
        .collect()
}

/// A fitted rating model: the label scale, the pooled mean, the groups' means and the strengths.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RatingFit {
    /// The labels, in the order of the count vectors.
    pub labels: Vec<String>,
    /// The pooled share of each label over every training rating.
    pub pooled: Vec<f64>,
    /// With groups: how strongly a group's distribution is pulled towards the pooled one.
    pub group_strength: Option<f64>,
    /// How strongly a source's distribution is pulled towards its group's (or the pooled) one.
    pub source_strength: f64,
    /// Per group id: its shrunk mean.
    #[serde(skip)]
    group_means: Vec<Vec<f64>>,
}

impl RatingFit {
    /// Fits the model on per-source label counts (each as long as `labels`); `source_group[i]` is source
    /// i's group id below `n_groups`, or `u32::MAX` (or missing) for none. `None` when there are no
    /// ratings at all.
    pub fn fit(labels: Vec<String>, counts: &[Vec<u64>], source_group: &[u32], n_groups: usize) -> Option<RatingFit> {
        let k = labels.len();
        let counts: Vec<Vec<f64>> = counts.iter().map(|c| c.iter().map(|&x| x as f64).collect()).collect();
        let mut pooled = vec![0.0; k];
        for c in &counts {
            for (p, &x) in pooled.iter_mut().zip(c) {
                *p += x;
            }
        }
        let total: f64 = pooled.iter().sum();
        if k == 0 || total <= 0.0 {
            return None;
        }
        pooled.iter_mut().for_each(|p| *p /= total);
        let group_of = |i: usize| source_group.get(i).copied().filter(|&g| (g as usize) < n_groups);
        let mut group_counts = vec![vec![0.0; k]; n_groups];
        for (i, c) in counts.iter().enumerate() {
            if let Some(g) = group_of(i) {
                for (x, &y) in group_counts[g as usize].iter_mut().zip(c) {
                    *x += y;
                }
            }
        }
        let grouped = group_counts.iter().any(|c| c.iter().any(|&x| x > 0.0));
        let group_strength = grouped.then(|| {
            let items: Vec<(&[f64], &[f64])> = group_counts.iter().map(|c| (c.as_slice(), pooled.as_slice())).collect();
            fit_strength(&items)
        });
        let group_means: Vec<Vec<f64>> = match group_strength {
            Some(s) => group_counts.iter().map(|c| shrink(c, &pooled, s)).collect(),
            None => vec![pooled.clone(); n_groups],
        };
        let items: Vec<(&[f64], &[f64])> = counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mean = group_of(i).map_or(pooled.as_slice(), |g| group_means[g as usize].as_slice());
                (c.as_slice(), mean)
            })
            .collect();
        let source_strength = fit_strength(&items);
        Some(RatingFit {
            labels,
            pooled,
            group_strength,
            source_strength,
            group_means,
        })
    }

    /// The predictive distribution over the labels of a new rating for a source with these training
    /// counts, in group `group` (`u32::MAX` for none).
    pub fn predictive(&self, counts: &[u64], group: u32) -> Vec<f64> {
        let mean = self.group_means.get(group as usize).unwrap_or(&self.pooled);
        let counts: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
        shrink(&counts, mean, self.source_strength)
    }

    /// The most probable label's index; ties go to the label more common overall, then the first.
    pub fn predict(&self, counts: &[u64], group: u32) -> usize {
        let p = self.predictive(counts, group);
        (0..p.len())
            .max_by(|&i, &j| {
                p[i].total_cmp(&p[j])
                    .then(self.pooled[i].total_cmp(&self.pooled[j]))
                    .then(j.cmp(&i))
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("l{i}")).collect()
    }

    /// Brent's method finds what golden section finds, in far fewer evaluations on smooth objectives:
    /// a parabola (maximum at 0.3), a log likelihood `5 ln x − 3x` (at 5/3, by hand), a flat-topped
    /// `−|x − 0.7|^1.5` (at 0.7, where parabolas fit badly) and a maximum at the bracket's end.
    #[test]
    fn brent_finds_the_maximum_in_few_evaluations() {
        type Case = (fn(f64) -> f64, f64, f64, f64);
        let cases: [Case; 4] = [
            (|x| -(x - 0.3) * (x - 0.3), -2.0, 2.0, 0.3),
            (|x| 5.0 * x.ln() - 3.0 * x, 0.1, 10.0, 5.0 / 3.0),
            (|x| -(x - 0.7).abs().powf(1.5), 0.0, 3.0, 0.7),
            (|x| x, 0.0, 1.0, 1.0),
        ];
        for (i, &(f, a, b, want)) in cases.iter().enumerate() {
            let calls = std::cell::Cell::new(0);
            let counted = |x: f64| {
                calls.set(calls.get() + 1);
                f(x)
            };
            let (x, at) = brent_max(counted, a, b, 1e-10);
            assert!((x - want).abs() < 1e-6, "case {i}: {x} against {want}");
            assert_eq!(at, f(x), "case {i}");
            assert!((x - golden_max(f, a, b)).abs() < 1e-6, "case {i}");
            if i < 2 {
                assert!(calls.get() <= 20, "case {i}: {} evaluations", calls.get());
            }
        }
    }

    /// One rating under a Dirichlet(s·m): the marginal is m_k whatever s (Γ(a + 1)/Γ(a) = a, by hand);
    /// two equal ratings of a two-label scale with m = (½, ½) and s = 2: Γ(2)/Γ(4) · Γ(3)/Γ(1) = 2/6 = ⅓.
    #[test]
    fn log_marginal_by_hand() {
        for s in [0.1, 1.0, 50.0] {
            assert!((log_marginal(&[0.0, 1.0, 0.0], &[0.2, 0.3, 0.5], s) - 0.3f64.ln()).abs() < 1e-12);
        }
        assert!((log_marginal(&[2.0, 0.0], &[0.5, 0.5], 2.0) - (1.0f64 / 3.0).ln()).abs() < 1e-12);
    }

    /// Sources that all rate alike (every one 5 of label 0, 5 of label 1) look like the population: the
    /// fitted strength runs to the top of the range. Sources that each use one label only look like
    /// individuals: it runs to the bottom.
    #[test]
    fn strength_follows_the_spread_between_sources() {
        let alike = vec![vec![5, 5]; 20];
        let fit = RatingFit::fit(labels(2), &alike, &[], 0).unwrap();
        assert!(fit.source_strength > 1e5, "{fit:?}");
        let apart: Vec<Vec<u64>> = (0..20)
            .map(|i| if i % 2 == 0 { vec![10, 0] } else { vec![0, 10] })
            .collect();
        let fit = RatingFit::fit(labels(2), &apart, &[], 0).unwrap();
        assert!(fit.source_strength < 0.01, "{fit:?}");
        assert_eq!(fit.pooled, vec![0.5, 0.5]);
    }

    /// The predictive is (s·m + c)/(s + n) by hand: pooled (0.25, 0.75) from counts (1, 3) and (0, 0);
    /// with s = 4, a source with (1, 3) gets ((1 + 1)/8, (3 + 3)/8) = (¼, ¾) and picks label 1; with one
    /// rating of label 0 and strength 1 it gets ((0.25 + 1)/2, 0.75/2), label 0.
    #[test]
    fn predictive_by_hand() {
        let mut fit = RatingFit::fit(labels(2), &[vec![1, 3], vec![0, 0]], &[], 0).unwrap();
        assert_eq!(fit.pooled, vec![0.25, 0.75]);
        fit.source_strength = 4.0;
        assert_eq!(fit.predictive(&[1, 3], u32::MAX), vec![0.25, 0.75]);
        assert_eq!(fit.predict(&[1, 3], u32::MAX), 1);
        fit.source_strength = 1.0;
        assert_eq!(fit.predictive(&[1, 0], u32::MAX), vec![0.625, 0.375]);
        assert_eq!(fit.predict(&[1, 0], u32::MAX), 0);
        // A tie goes to the label more common overall.
        assert_eq!(fit.predict(&[0, 0], u32::MAX), 1);
        fit.pooled = vec![0.5, 0.5];
        assert_eq!(fit.predict(&[0, 0], u32::MAX), 0);
    }

    /// With groups, a source with no ratings gets its group's shrunk mean, not the pooled one.
    #[test]
    fn an_unrated_source_leans_on_its_group() {
        let counts = vec![vec![9, 1], vec![8, 2], vec![1, 9], vec![2, 8], vec![0, 0], vec![0, 0]];
        let groups = [0, 0, 1, 1, 0, 1];
        let fit = RatingFit::fit(labels(2), &counts, &groups, 2).unwrap();
        assert!(fit.group_strength.is_some());
        assert_eq!(fit.predict(&counts[4], 0), 0);
        assert_eq!(fit.predict(&counts[5], 1), 1);
        assert_eq!(RatingFit::fit(labels(2), &[vec![0, 0]], &[], 0), None);
    }
}
