//! Measures of how well scores recover a planted or published truth: rank correlation, interval coverage,
//! mean absolute error.

/// Ranks from 1, ties sharing the mean of their positions (the convention of Spearman's ρ).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| x[i].total_cmp(&x[j]).then(i.cmp(&j)));
    let mut r = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            r[i] = mean_rank;
        }
        start = end;
    }
    r
}

/// Pearson's correlation; `None` when either side is constant or the lengths differ or are below 2.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman's rank correlation ρ.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// The share of `truth[i]` inside `[low[i], high[i]]`.
pub fn coverage(truth: &[f64], low: &[f64], high: &[f64]) -> f64 {
    let inside = truth
        .iter()
        .zip(low.iter().zip(high))
        .filter(|(t, (l, h))| *l <= *t && *t <= *h)
        .count();
    inside as f64 / truth.len().max(1) as f64
}

/// Mean absolute error.
pub fn mean_absolute_error(estimate: &[f64], truth: &[f64]) -> f64 {
    estimate.iter().zip(truth).map(|(e, t)| (e - t).abs()).sum::<f64>() / truth.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from SciPy 1.x, `scipy.stats.spearmanr`.
    #[test]
    fn spearman_matches_scipy() {
        let cases: &[(&[f64], &[f64], f64)] = &[
            (
                &[1., 2., 3., 4., 5., 6.],
                &[2., 1., 4., 3., 6., 5.],
                0.828_571_428_571_428_7,
            ),
            (
                &[1., 2., 2., 3., 5., 4.],
                &[1., 3., 2., 2., 5., 9.],
                0.808_823_529_411_764_7,
            ),
        ];
        for (x, y, want) in cases {
            assert!((spearman(x, y).unwrap() - want).abs() < 1e-12);
        }
        assert_eq!(spearman(&[1., 1.], &[1., 2.]), None);
    }

    #[test]
    fn coverage_and_error() {
        assert_eq!(coverage(&[0.5, 0.9], &[0.4, 0.1], &[0.6, 0.8]), 0.5);
        assert!((mean_absolute_error(&[0.5, 0.7], &[0.4, 0.9]) - 0.15).abs() < 1e-12);
    }
}
