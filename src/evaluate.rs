//! Measures of how well scores recover a planted or published truth: rank correlation, interval coverage,
//! mean absolute error, and the Brier score and log loss of per-claim probabilities; [`evaluate`] applies
//! them to a run's output files and a generated corpus's truth files.

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

/// How well one run's scores recover a planted truth.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// Sources compared (those with at least the minimum evidence and a known true accuracy).
    pub sources: usize,
    /// Spearman's ρ between `reliability` and true accuracy.
    pub spearman: Option<f64>,
    /// Share of true accuracies inside `[ci_low, ci_high]`.
    pub coverage: f64,
    /// Mean absolute error of `reliability`.
    pub mean_absolute_error: f64,
    /// Claims compared (those in both `claims.csv` and `truth_claims.csv`).
    pub claims: usize,
    /// Brier score of `p_correct` against whether the claim was correct.
    pub brier: Option<f64>,
    /// Mean log loss of `p_correct` (probabilities clipped to [1e-6, 1 − 1e-6]).
    pub log_loss: Option<f64>,
}

fn read_map(
    path: &std::path::Path,
    key: &str,
    value: &str,
) -> crate::Result<std::collections::HashMap<String, String>> {
    let mut rdr = crate::ingest::open_csv(path)?;
    let headers = rdr.headers().map_err(|e| crate::ingest::csv_error(path, e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| crate::Error::MissingColumn {
                path: path.to_owned(),
                column: name.to_owned(),
                found: headers.iter().collect::<Vec<_>>().join(","),
            })
    };
    let (k, v) = (col(key)?, col(value)?);
    let mut out = std::collections::HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| crate::ingest::csv_error(path, e))?;
        out.insert(
            rec.get(k).unwrap_or_default().to_owned(),
            rec.get(v).unwrap_or_default().to_owned(),
        );
    }
    Ok(out)
}

/// Compares a run's `sources.csv` and `claims.csv` (in `run`) with a generated corpus's
/// `truth_sources.csv` and `truth_claims.csv` (in `truth`); sources with less than `min_evidence` judged
/// reports are left out of the source measures.
///
/// # Errors
/// A file is missing, unreadable or lacks a column.
pub fn evaluate(run: &std::path::Path, truth: &std::path::Path, min_evidence: f64) -> crate::Result<Report> {
    let accuracy = read_map(&truth.join("truth_sources.csv"), "source", "accuracy")?;
    let correct = read_map(&truth.join("truth_claims.csv"), "claim_id", "correct")?;
    let sources_path = run.join("sources.csv");
    let mut rdr = crate::ingest::open_csv(&sources_path)?;
    let headers = rdr
        .headers()
        .map_err(|e| crate::ingest::csv_error(&sources_path, e))?
        .clone();
    let at = |name: &str| headers.iter().position(|h| h == name);
    let cols = ["source", "evidence", "reliability", "ci_low", "ci_high"].map(at);
    let mut t = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec.map_err(|e| crate::ingest::csv_error(&sources_path, e))?;
        let get = |k: usize| cols[k].and_then(|i| rec.get(i)).unwrap_or_default();
        let num = |k: usize| get(k).parse::<f64>().unwrap_or(f64::NAN);
        let Some(truth) = accuracy.get(get(0)).and_then(|a| a.parse::<f64>().ok()) else {
            continue;
        };
        if num(1) < min_evidence {
            continue;
        }
        t.0.push(truth);
        t.1.push(num(2));
        t.2.push(num(3));
        t.3.push(num(4));
    }
    let claims_path = run.join("claims.csv");
    let mut rdr = crate::ingest::open_csv(&claims_path)?;
    let headers = rdr
        .headers()
        .map_err(|e| crate::ingest::csv_error(&claims_path, e))?
        .clone();
    let (id_col, p_col) = (
        headers.iter().position(|h| h == "claim_id"),
        headers.iter().position(|h| h == "p_correct"),
    );
    let (mut n, mut brier, mut log_loss) = (0usize, 0.0, 0.0);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| crate::ingest::csv_error(&claims_path, e))?;
        let (Some(id), Some(p)) = (id_col.and_then(|i| rec.get(i)), p_col.and_then(|i| rec.get(i))) else {
            continue;
        };
        let (Some(y), Ok(p)) = (correct.get(id), p.parse::<f64>()) else {
            continue;
        };
        let y = if y == "1" { 1.0 } else { 0.0 };
        n += 1;
        brier += (p - y) * (p - y);
        let q = p.clamp(1e-6, 1.0 - 1e-6);
        log_loss -= y * q.ln() + (1.0 - y) * (1.0 - q).ln();
    }
    Ok(Report {
        sources: t.0.len(),
        spearman: spearman(&t.0, &t.1),
        coverage: coverage(&t.0, &t.2, &t.3),
        mean_absolute_error: mean_absolute_error(&t.1, &t.0),
        claims: n,
        brier: (n > 0).then(|| brier / n as f64),
        log_loss: (n > 0).then(|| log_loss / n as f64),
    })
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
