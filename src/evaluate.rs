//! Measures of how well scores recover a planted or published truth: rank correlation, interval coverage,
//! mean absolute error, and the Brier score and log loss of per-claim probabilities; [`evaluate`] applies
//! them to a run's output files and a generated corpus's truth files, [`against_gold`] to a run in memory
//! and a [`Gold`] file of story values (real data sets), with the accuracy of the stories' values.

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

/// Published or observed truths to compare a run with: story values, and optionally sources' true
/// accuracies.
#[derive(Debug, Clone, Default)]
pub struct Gold {
    /// Story name → its true value, normalised as the claims' values are (`true` or `false` for a plain
    /// story).
    pub stories: std::collections::HashMap<String, String>,
    /// Source name → its true accuracy; when empty, each source's share of correct claims on the gold
    /// stories is used.
    pub sources: std::collections::HashMap<String, f64>,
}

impl Gold {
    /// Reads `stories` (columns `story_id,value`) and, if given, `sources` (columns `source,accuracy`);
    /// story values are normalised per `kind` (plain stories: `true` or `false`, any case).
    ///
    /// # Errors
    /// A file is missing, unreadable or lacks a column; a value or accuracy that does not parse (naming
    /// the file and line).
    pub fn read(
        stories: &std::path::Path,
        sources: Option<&std::path::Path>,
        kind: crate::value::ValueKind,
    ) -> crate::Result<Gold> {
        let bad = |path: &std::path::Path, line: usize, column: &str, value: &str, reason: &str| {
            crate::Error::BadRow(crate::error::RowProblem {
                file: path.display().to_string(),
                line: line as u64 + 2,
                column: Some(column.to_owned()),
                value: Some(value.to_owned()),
                reason: reason.to_owned(),
            })
        };
        let mut gold = Gold::default();
        for (line, (story, value)) in read_pairs(stories, "story_id", "value")?.into_iter().enumerate() {
            let normal = match crate::ingest::fields::outcome(value.trim()) {
                Some(crate::corpus::Outcome::True) => Some("true".to_owned()),
                Some(crate::corpus::Outcome::False) => Some("false".to_owned()),
                _ => crate::value::normalize(kind, &value),
            };
            let normal = normal.ok_or_else(|| bad(stories, line, "value", &value, "not a value of this kind"))?;
            gold.stories.insert(story.trim().to_owned(), normal);
        }
        if let Some(path) = sources {
            for (line, (source, acc)) in read_pairs(path, "source", "accuracy")?.into_iter().enumerate() {
                let a: f64 = acc
                    .trim()
                    .parse()
                    .map_err(|_| bad(path, line, "accuracy", &acc, "not a number"))?;
                gold.sources.insert(source.trim().to_owned(), a);
            }
        }
        Ok(gold)
    }
}

fn read_pairs(path: &std::path::Path, key: &str, value: &str) -> crate::Result<Vec<(String, String)>> {
    let mut rdr = crate::ingest::open_csv(path)?;
    let headers = rdr.headers().map_err(|e| crate::ingest::csv_error(path, e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
            .ok_or_else(|| crate::Error::MissingColumn {
                path: path.to_owned(),
                column: name.to_owned(),
                found: headers.iter().collect::<Vec<_>>().join(","),
            })
    };
    let (k, v) = (col(key)?, col(value)?);
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| crate::ingest::csv_error(path, e))?;
        out.push((
            rec.get(k).unwrap_or_default().to_owned(),
            rec.get(v).unwrap_or_default().to_owned(),
        ));
    }
    Ok(out)
}

/// How one method's run compares with a [`Gold`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GoldReport {
    /// Gold stories found in the claims.
    pub stories: usize,
    /// Of those, stories the method gave a value.
    pub stories_decided: usize,
    /// Share of the gold stories whose most probable value is the gold one (an undecided story counts
    /// as wrong).
    pub story_accuracy: Option<f64>,
    /// With `--value-kind number`: mean absolute error of the decided values against the gold ones.
    pub value_mae: Option<f64>,
    /// Root mean squared error likewise.
    pub value_rmse: Option<f64>,
    /// Sources compared (a true accuracy and at least the minimum of gold claims).
    pub sources: usize,
    /// Spearman's ρ between reliability and true accuracy.
    pub spearman: Option<f64>,
    /// Share of true accuracies inside `[ci_low, ci_high]`.
    pub coverage: Option<f64>,
    /// Mean absolute error of reliability against true accuracy.
    pub mean_absolute_error: Option<f64>,
    /// Claims on gold stories.
    pub claims: usize,
    /// Share of those claims with `p_correct ≥ ½` exactly when correct.
    pub claim_accuracy: Option<f64>,
    /// Brier score of `p_correct`.
    pub brier: Option<f64>,
    /// Mean log loss of `p_correct` (clipped to [1e-6, 1 − 1e-6]).
    pub log_loss: Option<f64>,
}

/// Compares a run (`loaded`, `scores`) with `gold`; sources with fewer than `min_claims` claims on gold
/// stories are left out of the source measures when their true accuracy is derived from the gold stories.
pub fn against_gold(
    loaded: &crate::ingest::Loaded,
    scores: &crate::model::Scores,
    gold: &Gold,
    min_claims: u64,
) -> GoldReport {
    let corpus = &loaded.corpus;
    let n_stories = corpus.stories.len();
    let mut truth: Vec<Option<&str>> = vec![None; n_stories];
    for (name, v) in &gold.stories {
        if let Some(s) = corpus.stories.get(name) {
            truth[s as usize] = Some(v.as_str());
        }
    }
    let rows = scores.story_rows(corpus);
    let (mut stories, mut decided, mut right) = (0usize, 0usize, 0usize);
    let (mut numeric, mut abs_err, mut sq_err) = (0usize, 0.0, 0.0);
    for r in &rows {
        if let Some(t) = truth[r.story as usize] {
            stories += 1;
            decided += usize::from(!r.value.is_empty());
            right += usize::from(r.value == t);
            let numbers = corpus.valued() && corpus.value_kind == crate::value::ValueKind::Number;
            if let (true, Ok(x), Ok(y)) = (numbers, r.value.parse::<f64>(), t.parse::<f64>()) {
                numeric += 1;
                abs_err += (x - y).abs();
                sq_err += (x - y) * (x - y);
            }
        }
    }
    // Per claim on a gold story: correct or not, and its p_correct; per source: its gold record.
    let mut per_source = vec![(0u64, 0u64); corpus.sources.len()];
    let (mut n, mut hits, mut brier, mut log_loss) = (0usize, 0usize, 0.0, 0.0);
    for (m, mention) in corpus.mentions.iter().enumerate() {
        let Some(t) = truth[mention.story as usize] else {
            continue;
        };
        let correct = match corpus.mention_values.get(m) {
            Some(&v) => corpus.values.name(v) == t,
            None => (mention.stance == crate::corpus::Stance::Asserts) == (t == "true"),
        };
        let p = scores.claim(corpus, m).p_correct;
        let y = if correct { 1.0 } else { 0.0 };
        n += 1;
        hits += usize::from((p >= 0.5) == correct);
        brier += (p - y) * (p - y);
        let q = p.clamp(1e-6, 1.0 - 1e-6);
        log_loss -= y * q.ln() + (1.0 - y) * (1.0 - q).ln();
        let e = &mut per_source[mention.source as usize];
        e.0 += u64::from(correct);
        e.1 += 1;
    }
    let (mut t, mut est, mut low, mut high) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in &scores.sources {
        let name = corpus.sources.name(s.id);
        let acc = if gold.sources.is_empty() {
            let (c, all) = per_source[s.id as usize];
            (all >= min_claims.max(1)).then(|| c as f64 / all as f64)
        } else {
            gold.sources.get(name).copied()
        };
        if let Some(a) = acc {
            t.push(a);
            est.push(s.reliability);
            low.push(s.ci_low);
            high.push(s.ci_high);
        }
    }
    let some = |x: f64, k: usize| (k > 0).then_some(x);
    GoldReport {
        stories,
        stories_decided: decided,
        story_accuracy: some(right as f64 / stories.max(1) as f64, stories),
        value_mae: some(abs_err / numeric.max(1) as f64, numeric),
        value_rmse: some((sq_err / numeric.max(1) as f64).sqrt(), numeric),
        sources: t.len(),
        spearman: spearman(&t, &est),
        coverage: some(coverage(&t, &low, &high), t.len()),
        mean_absolute_error: some(mean_absolute_error(&est, &t), t.len()),
        claims: n,
        claim_accuracy: some(hits as f64 / n.max(1) as f64, n),
        brier: some(brier / n.max(1) as f64, n),
        log_loss: some(log_loss / n.max(1) as f64, n),
    }
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
