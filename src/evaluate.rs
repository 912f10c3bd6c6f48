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

/// Slack on cumulative probabilities when looking for a quantile, so that a sum of rounded terms that
/// should equal the level exactly (a uniform's 1/40 against 0.025) is not pushed one count further.
const CDF_SLACK: f64 = 1e-12;

/// A claim's share of a hit in `c_acc`: 1 when `p_correct` is on the side of ½ that its correctness is,
/// ½ when it is at ½ (within [`crate::model::TIE`]). A claim at even odds predicts nothing either way, and
/// counting it whole on one side made the figure turn on how the sums behind `p` rounded (which side of ½
/// a one-claim outlet's tied report landed on).
fn claim_hit(p: f64, correct: bool) -> f64 {
    if (p - 0.5).abs() <= crate::model::TIE {
        0.5
    } else if (p > 0.5) == correct {
        1.0
    } else {
        0.0
    }
}

/// McNemar's exact test of two methods' per-item hits (same items, same order): the items only `a` gets
/// right, the items only `b` gets right, and the two-sided p-value of so uneven a split if neither method
/// were better, `min(1, 2·P(X ≤ min))` with X ~ Binomial(discordant, ½). Why this and not a difference of
/// accuracies with a normal interval: the two methods are judged on the same stories, so only the
/// stories they disagree on carry information, and there are often only a handful.
pub fn mcnemar(a: &[bool], b: &[bool]) -> (usize, usize, f64) {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let only_a = a.iter().zip(b).filter(|(x, y)| **x && !**y).count();
    let only_b = a.iter().zip(b).filter(|(x, y)| !**x && **y).count();
    let n = (only_a + only_b) as u64;
    if n == 0 {
        return (0, 0, 1.0);
    }
    let tail = Binomial::new(0.5, n)
        .expect("½ is a probability")
        .cdf(only_a.min(only_b) as u64);
    (only_a, only_b, (2.0 * tail).min(1.0))
}

/// McNemar's test for clustered items (Durkalski et al. 2003, "Analysis of clustered matched-pair data",
/// Statistics in Medicine 22): items in one cluster are not independent, so the discordant counts are
/// summed per cluster, `d_k = b_k − c_k` (items only `a` gets right less items only `b` gets right), and
/// `X² = (Σ d_k)² / Σ d_k²` is referred to a χ² with one degree of freedom. With one item per cluster it
/// is the usual asymptotic McNemar statistic `(b − c)² / (b + c)`. Returns the number of clusters with a
/// discordant item and the p-value (1 when there are none). `cluster` gives each item's cluster; here the
/// clusters are stories whose input is identical, which every method decides alike, so a split of ten
/// such stories is one decision, not ten.
pub fn clustered_mcnemar(a: &[bool], b: &[bool], cluster: &[u32]) -> (usize, f64) {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let mut d: std::collections::BTreeMap<u32, i64> = std::collections::BTreeMap::new();
    for ((&x, &y), &k) in a.iter().zip(b).zip(cluster) {
        if x != y {
            *d.entry(k).or_default() += if x { 1 } else { -1 };
        }
    }
    let (sum, sq) = d.values().fold((0i64, 0i64), |(s, q), &v| (s + v, q + v * v));
    if sq == 0 {
        return (d.len(), 1.0);
    }
    let x2 = (sum * sum) as f64 / sq as f64;
    let p = 1.0 - ChiSquared::new(1.0).expect("one degree of freedom").cdf(x2);
    (d.len(), p)
}

/// The beta-binomial probabilities of 0..=n successes in `n` trials whose rate is Beta(a, b):
/// C(n, k)·B(k + a, n − k + b)/B(a, b), from statrs's `ln_binomial` and `ln_beta`, normalised by their sum
/// (which is 1 up to rounding). `None` for shapes that are not positive and finite.
pub fn beta_binomial_pmf(n: u64, a: f64, b: f64) -> Option<Vec<f64>> {
    use statrs::function::{beta::ln_beta, factorial::ln_binomial};
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return None;
    }
    let base = ln_beta(a, b);
    let mut pmf: Vec<f64> = (0..=n)
        .map(|k| (ln_binomial(n, k) + ln_beta(k as f64 + a, (n - k) as f64 + b) - base).exp())
        .collect();
    let total: f64 = pmf.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    pmf.iter_mut().for_each(|p| *p /= total);
    Some(pmf)
}

/// The smallest k whose cumulative probability reaches `q` (SciPy's `ppf` convention), from a pmf.
fn discrete_quantile(pmf: &[f64], q: f64) -> u64 {
    let mut cum = 0.0;
    for (k, p) in pmf.iter().enumerate() {
        cum += p;
        if cum >= q - CDF_SLACK {
            return k as u64;
        }
    }
    pmf.len().saturating_sub(1) as u64
}

/// The central `level` predictive interval of the number correct among `n` new claims of a source whose
/// reliability posterior is Beta(a, b): the beta-binomial's (1 − level)/2 and (1 + level)/2 quantiles, as
/// counts (divide by `n` for shares). This, not the interval for the long-run rate θ, is what a finite
/// record of k correct of n should fall in: with n = 1 the record is 0 or 1, which an interval for θ
/// almost never contains, while the predictive interval is {0, 1} unless θ is nearly sure.
///
/// `None` for `n` = 0 or shapes that are not positive and finite.
pub fn beta_binomial_interval(n: u64, a: f64, b: f64, level: f64) -> Option<(u64, u64)> {
    if n == 0 {
        return None;
    }
    let pmf = beta_binomial_pmf(n, a, b)?;
    let tail = (1.0 - level) / 2.0;
    Some((discrete_quantile(&pmf, tail), discrete_quantile(&pmf, 1.0 - tail)))
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
    /// Spearman's ρ between true accuracy and each compared source's share of correct original claims,
    /// counted against the hidden truth (the generator's claims with no attribution that are not silent
    /// copies): the ranking that knowing every claim's truth gives, which issue 5 asks `spearman` to reach
    /// 0.95 of. Over the compared sources with at least one such claim (`counted_sources` of them).
    pub counted_spearman: Option<f64>,
    /// Compared sources with at least one counted original claim.
    pub counted_sources: usize,
    /// Share of true accuracies inside `[ci_low, ci_high]`; `None` (JSON `null`) when no source is
    /// compared, as every figure over no items is: a share of nothing is undefined, not 0.
    pub coverage: Option<f64>,
    /// Mean absolute error of `reliability`; `None` when no source is compared.
    pub mean_absolute_error: Option<f64>,
    /// Mean signed error of `reliability` (positive: scores sit above the true accuracies on average). A
    /// shared bias this small against the error is what narrow intervals cannot absorb. `None` when no
    /// source is compared.
    pub mean_error: Option<f64>,
    /// Claims compared (those in both `claims.csv` and `truth_claims.csv`).
    pub claims: usize,
    /// Brier score of `p_correct` against whether the claim was correct.
    pub brier: Option<f64>,
    /// Mean log loss of `p_correct` (probabilities clipped to [1e-6, 1 − 1e-6]).
    pub log_loss: Option<f64>,
}

/// A table eval reads (a gold file, a truth file `credence gen` wrote, or a run's `sources.csv`) read whole
/// and keyed by its first column, `spec.names[0]`: each key's values, as `values` reads them from the row
/// (checked and normalised; `spec.names[1..]` in that order), in the order of the keys' first lines.
///
/// The figures are only as good as the yardstick and the run measured against it, so a bad row stops the
/// evaluation instead of being skipped as a scoring run skips a bad claim: a row whose field count differs
/// from the header's, an empty key, a value `values` refuses, or a key given again with a different value
/// (naming the first line). A key repeated with the same values is accepted, once: nothing is lost and
/// nothing is ambiguous.
///
/// # Errors
/// The file is missing or unreadable or lacks a required column; [`crate::Error::BadRow`] for the first
/// bad row, by line.
fn read_keyed<V: Repeatable + Send, const N: usize>(
    path: &std::path::Path,
    spec: &crate::ingest::Spec,
    values: impl Fn(&crate::ingest::Row<'_>) -> Result<[V; N], crate::ingest::Refusal> + Sync,
) -> crate::Result<Vec<(String, [V; N])>> {
    let (_, rows, rejects) =
        crate::ingest::read_table(path, spec, &[], |row| Ok((row.required(0)?.to_owned(), values(row)?)))?;
    let mut first_at: FirstSeen<String, V, N> =
        FirstSeen::with_capacity_and_hasher(rows.len(), rustc_hash::FxBuildHasher);
    let mut conflict = None;
    for (line, (key, vals)) in rows {
        if let Err(refusal) = keep_first(&mut first_at, spec, line, key, vals) {
            conflict = Some(refusal.at(&path.display().to_string(), line));
            break;
        }
    }
    // Rows and rejects are each in line order: the first bad row of either kind is the one reported.
    let first_bad = match (rejects.into_iter().next(), conflict) {
        (Some(r), Some(c)) => Some(if r.line <= c.line { r } else { c }),
        (r, c) => r.or(c),
    };
    if let Some(problem) = first_bad {
        return Err(crate::Error::BadRow(problem));
    }
    // In file order, so that sums over the rows do not depend on the map's order.
    let mut keyed: Vec<(String, (u64, [V; N]))> = first_at.into_iter().collect();
    keyed.sort_unstable_by_key(|(_, (line, _))| *line);
    Ok(keyed.into_iter().map(|(k, (_, v))| (k, v)).collect())
}

/// A value that [`keep_first`] compares between a key's rows and names in its refusal: text (as read,
/// trimmed, or normalised) or a number (so that `0.5` and `0.500000` agree).
trait Repeatable: PartialEq + std::fmt::Debug + std::fmt::Display {}
impl Repeatable for String {}
impl Repeatable for std::borrow::Cow<'static, str> {}
impl Repeatable for f64 {}

/// Records `key`'s values `vals`, read at `line`, unless the key was read before: an exact repeat is
/// accepted once, a repeat that disagrees is refused naming the column and the first line. True when the
/// key is new, false for an accepted repeat (which a streamed reader must not count again).
///
/// The key is any owner of its text, so that a map of millions of claims can borrow ids another map
/// holds; the map hashes with Fx and looks a key up once, since the per-claim files make this the hot loop.
fn keep_first<K, V, const N: usize>(
    first_at: &mut FirstSeen<K, V, N>,
    spec: &crate::ingest::Spec,
    line: u64,
    key: K,
    vals: [V; N],
) -> Result<bool, crate::ingest::Refusal>
where
    K: std::borrow::Borrow<str> + std::hash::Hash + Eq,
    V: Repeatable,
{
    use std::collections::hash_map::Entry;
    let seen = match first_at.entry(key) {
        Entry::Vacant(new) => {
            new.insert((line, vals));
            return Ok(true);
        }
        Entry::Occupied(seen) => seen,
    };
    let (name, (at, first)): (&str, _) = (seen.key().borrow(), seen.get());
    match (0..N).find(|&i| first[i] != vals[i]) {
        None => Ok(false),
        Some(i) => Err(crate::ingest::Refusal::new(
            spec.names[i + 1],
            &vals[i].to_string(),
            format!(
                "{} {name:?} was given {:?} at line {at}; a repeated row must agree",
                spec.names[0], first[i]
            ),
        )),
    }
}

/// Each key [`keep_first`] has read, with the line that first gave it and its values.
type FirstSeen<K, V, const N: usize> = rustc_hash::FxHashMap<K, (u64, [V; N])>;

/// Reads the CSV file at `path` a row at a time, checking each as [`read_keyed`] does (the header's field
/// count, the spec's required columns), and hands `each` the row's line and its fields by `spec`'s names:
/// for the per-claim files (the generator's, and a run's `claims.csv`), which [`read_keyed`] would hold
/// whole.
///
/// # Errors
/// As [`read_keyed`]; [`crate::Error::BadRow`] for the first row refused by the checks or by `each`.
fn stream_rows(
    path: &std::path::Path,
    spec: &crate::ingest::Spec,
    mut each: impl FnMut(u64, &crate::ingest::Row<'_>) -> Result<(), crate::ingest::Refusal>,
) -> crate::Result<()> {
    let mut rdr = crate::ingest::open_csv(path)?;
    let headers = rdr
        .byte_headers()
        .map_err(|e| crate::ingest::csv_error(path, e))?
        .clone();
    let index = crate::ingest::resolve_columns(path, &headers, spec)?;
    let file = path.display().to_string();
    let mut record = csv::ByteRecord::new();
    while rdr
        .read_byte_record(&mut record)
        .map_err(|e| crate::ingest::csv_error(path, e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<&[u8]> = record.iter().collect();
        let outcome = if fields.len() != headers.len() {
            Err(crate::ingest::Refusal::field_count(headers.len(), &fields))
        } else {
            each(
                line,
                &crate::ingest::Row {
                    record: &fields,
                    index: &index,
                    names: spec.names,
                },
            )
        };
        if let Err(refusal) = outcome {
            return Err(crate::Error::BadRow(refusal.at(&file, line)));
        }
    }
    Ok(())
}

/// Checks that `text` (column `column`) is a share from 0 to 1, the only meaning an accuracy has.
fn share(column: &'static str, text: &str) -> Result<String, crate::ingest::Refusal> {
    share_value(column, text).map(|_| text.to_owned())
}

/// The share from 0 to 1 that `text` (column `column`) holds: an accuracy, a reliability and the ends of
/// its interval, a probability. Not a number (`NaN` included) or outside 0..=1, it is refused.
fn share_value(column: &'static str, text: &str) -> Result<f64, crate::ingest::Refusal> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(crate::ingest::Refusal::new(column, text, "not a number from 0 to 1")),
    }
}

/// The count of judged reports that `text` (column `column`) holds: a finite number of at least 0 (a
/// weighted count need not be whole).
fn evidence_value(column: &'static str, text: &str) -> Result<f64, crate::ingest::Refusal> {
    match text.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.is_finite() => Ok(x),
        _ => Err(crate::ingest::Refusal::new(column, text, "not a number of at least 0")),
    }
}

/// The columns of `truth_sources.csv` that eval reads (`originals` is required with `--min-originals`).
const TRUTH_SOURCES: [&str; 3] = ["source", "accuracy", "originals"];
/// The columns of `truth_claims.csv` that eval reads.
const TRUTH_CLAIMS: crate::ingest::Spec = crate::ingest::Spec {
    names: &["claim_id", "correct", "copy_of"],
    required: 3,
};
/// The columns of the generator's `claims.csv` that the counted ranking reads.
const TRUTH_INPUT: crate::ingest::Spec = crate::ingest::Spec {
    names: &["claim_id", "source", "attributed_to"],
    required: 3,
};
/// The columns of a run's `sources.csv` that eval reads.
const RUN_SOURCES: crate::ingest::Spec = crate::ingest::Spec {
    names: &["source", "evidence", "reliability", "ci_low", "ci_high"],
    required: 5,
};
/// The columns of a run's `claims.csv` that eval reads.
const RUN_CLAIMS: crate::ingest::Spec = crate::ingest::Spec {
    names: &["claim_id", "p_correct"],
    required: 2,
};

/// Compares a run's `sources.csv` and `claims.csv` (in `run`) with a generated corpus's
/// `truth_sources.csv`, `truth_claims.csv` and `claims.csv` (in `truth`); sources with less than
/// `min_evidence` judged reports or fewer than `min_originals` original claims (`truth_sources.csv`'s
/// `originals`) are left out of the source measures.
///
/// All five files are read strictly, the run's as the truth's: a row with the wrong number of fields, an
/// empty key, a value that is not what its column holds (a `reliability`, `ci_low`, `ci_high` or
/// `p_correct` not from 0 to 1, an `evidence` below 0), or a key given again with a different value stops
/// the evaluation, since figures over a damaged file would be wrong with nothing said. An exact repeat is
/// read once.
///
/// # Errors
/// A file is missing, unreadable or lacks a column; [`crate::Error::BadRow`] for the first bad row of a
/// file, naming the file, line and column.
pub fn evaluate(
    run: &std::path::Path,
    truth: &std::path::Path,
    min_evidence: f64,
    min_originals: u64,
) -> crate::Result<Report> {
    // Per source: its true accuracy, and its original claims in the generator's count (empty when the
    // file has no such column and none is asked for).
    let truth_sources = crate::ingest::Spec {
        names: &TRUTH_SOURCES,
        required: if min_originals > 0 { 3 } else { 2 },
    };
    let sources_truth = read_keyed(&truth.join("truth_sources.csv"), &truth_sources, |row| {
        let originals = if min_originals > 0 {
            row.required(2)?
        } else {
            row.text(2)?
        };
        if !originals.is_empty() && originals.parse::<u64>().is_err() {
            return Err(crate::ingest::Refusal::new(
                "originals",
                originals,
                "not a whole number",
            ));
        }
        Ok([share("accuracy", row.required(1)?)?, originals.to_owned()])
    })?;
    let parsed = |text: &str| text.parse::<f64>().expect("checked as read");
    let accuracy: std::collections::HashMap<&str, f64> = sources_truth
        .iter()
        .map(|(s, [a, _])| (s.as_str(), parsed(a)))
        .collect();
    let originals: std::collections::HashMap<&str, u64> = sources_truth
        .iter()
        .filter_map(|(s, [_, n])| Some((s.as_str(), n.parse::<u64>().ok()?)))
        .collect();
    // Per claim: whether it is correct, and the claim it silently copies (empty for none). Read a row at a
    // time: the generator writes a row per claim, and a 10M-claim corpus's files must not be held whole.
    // Each claim's values and the line that gave them (to name it when a repeat disagrees).
    // `correct` is one of two static strings, so that a claim's truth allocates only its id (and its
    // `copy_of`, for a copy).
    type Text = std::borrow::Cow<'static, str>;
    let mut claim_truth: FirstSeen<String, Text, 2> = FirstSeen::default();
    stream_rows(&truth.join("truth_claims.csv"), &TRUTH_CLAIMS, |line, row| {
        let id = row.required(0)?;
        let correct = match row.required(1)? {
            "0" => Text::Borrowed("0"),
            "1" => Text::Borrowed("1"),
            other => return Err(crate::ingest::Refusal::new("correct", other, "not 0 or 1")),
        };
        let copy_of = Text::Owned(row.text(2)?.to_owned());
        keep_first(&mut claim_truth, &TRUTH_CLAIMS, line, id.to_owned(), [correct, copy_of]).map(|_| ())
    })?;
    // Each source's original claims counted against the truth: no attribution, not a silent copy. Sums of
    // whole numbers, so the map's order does not change them.
    let mut counted: std::collections::HashMap<String, (f64, f64)> = std::collections::HashMap::new();
    stream_rows(&truth.join("claims.csv"), &TRUTH_INPUT, |_, row| {
        let (id, source, attributed) = (row.required(0)?, row.required(1)?, row.text(2)?);
        let Some((_, [correct, copy_of])) = claim_truth.get(id) else {
            return Ok(());
        };
        if attributed.is_empty() && copy_of.is_empty() {
            // A source's name is allocated once, not per claim.
            let e = match counted.get_mut(source) {
                Some(e) => e,
                None => counted.entry(source.to_owned()).or_default(),
            };
            e.0 += f64::from(u8::from(correct == "1"));
            e.1 += 1.0;
        }
        Ok(())
    })?;
    let mut oracle = (Vec::new(), Vec::new());
    let run_sources = read_keyed(&run.join("sources.csv"), &RUN_SOURCES, |row| {
        Ok([
            evidence_value("evidence", row.required(1)?)?,
            share_value("reliability", row.required(2)?)?,
            share_value("ci_low", row.required(3)?)?,
            share_value("ci_high", row.required(4)?)?,
        ])
    })?;
    let mut t = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (source, [evidence, reliability, ci_low, ci_high]) in &run_sources {
        let Some(&truth) = accuracy.get(source.as_str()) else {
            continue;
        };
        if *evidence < min_evidence || originals.get(source.as_str()).is_some_and(|&n| n < min_originals) {
            continue;
        }
        if let Some(&(right, all)) = counted.get(source) {
            oracle.0.push(truth);
            oracle.1.push(right / all);
        }
        t.0.push(truth);
        t.1.push(*reliability);
        t.2.push(*ci_low);
        t.3.push(*ci_high);
    }
    // Each claim the run scores, with its p_correct and line, so that a repeat is checked and counted once.
    // A run holds a row per claim, so the claim's key borrows the truth's copy of its id where there is one
    // rather than holding a second copy of millions of ids.
    let mut run_claims: FirstSeen<std::borrow::Cow<'_, str>, f64, 1> =
        FirstSeen::with_capacity_and_hasher(claim_truth.len(), rustc_hash::FxBuildHasher);
    let (mut n, mut brier, mut log_loss) = (0usize, 0.0, 0.0);
    stream_rows(&run.join("claims.csv"), &RUN_CLAIMS, |line, row| {
        let id = row.required(0)?;
        let p = share_value("p_correct", row.required(1)?)?;
        let truth = claim_truth.get_key_value(id);
        let key = truth.map_or_else(
            || std::borrow::Cow::Owned(id.to_owned()),
            |(k, _)| std::borrow::Cow::Borrowed(k.as_str()),
        );
        let first = keep_first(&mut run_claims, &RUN_CLAIMS, line, key, [p])?;
        let Some((_, (_, [y, _]))) = truth.filter(|_| first) else {
            return Ok(());
        };
        let y = if y == "1" { 1.0 } else { 0.0 };
        n += 1;
        brier += (p - y) * (p - y);
        let q = p.clamp(1e-6, 1.0 - 1e-6);
        log_loss -= y * q.ln() + (1.0 - y) * (1.0 - q).ln();
        Ok(())
    })?;
    let compared = !t.0.is_empty();
    Ok(Report {
        sources: t.0.len(),
        spearman: spearman(&t.0, &t.1),
        counted_spearman: spearman(&oracle.0, &oracle.1),
        counted_sources: oracle.0.len(),
        coverage: compared.then(|| coverage(&t.0, &t.2, &t.3)),
        mean_absolute_error: compared.then(|| mean_absolute_error(&t.1, &t.0)),
        mean_error: compared.then(|| t.1.iter().zip(&t.0).map(|(e, a)| e - a).sum::<f64>() / t.0.len() as f64),
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
    /// Story name → its rating (a label on a fact-checker's scale), from the stories file's optional
    /// `rating` column; empty when it has none.
    pub ratings: std::collections::HashMap<String, String>,
}

impl Gold {
    /// Reads `stories` (columns `story_id,value`, optionally `rating`) and, if given, `sources` (columns
    /// `source,accuracy`); story values are normalised per `kind` (plain stories: `true` or `false`, any
    /// case).
    ///
    /// A gold file is the yardstick, so a bad row stops the evaluation rather than being skipped: a row
    /// whose field count differs from the header's, an empty story or source, a value that is not of
    /// `kind`, an accuracy that is not a share from 0 to 1, or a story (source) given again with a different
    /// value, rating or accuracy. A row that repeats an earlier one exactly (after normalisation: `True`
    /// and `true` agree) is accepted once, as it changes nothing.
    ///
    /// # Errors
    /// A file is missing, unreadable or lacks a column; [`crate::Error::BadRow`] for the first bad row,
    /// naming the file, line and column.
    pub fn read(
        stories: &std::path::Path,
        sources: Option<&std::path::Path>,
        kind: crate::value::ValueKind,
    ) -> crate::Result<Gold> {
        let mut gold = Gold::default();
        for (story, [value, rating]) in read_keyed(stories, &GOLD_STORIES, |row| {
            let value = row.required(1)?;
            // `true` and `false` are plain stories' values; a number or a time is never one of them.
            let plain_words = !matches!(kind, crate::value::ValueKind::Number | crate::value::ValueKind::Time);
            let normal = match crate::ingest::fields::outcome(value).filter(|_| plain_words) {
                Some(crate::corpus::Outcome::True) => Some("true".to_owned()),
                Some(crate::corpus::Outcome::False) => Some("false".to_owned()),
                _ => crate::value::normalize(kind, value),
            };
            let normal = normal
                .ok_or_else(|| crate::ingest::Refusal::new("value", value, crate::value::refusal(kind, value)))?;
            Ok([normal, row.text(2)?.to_owned()])
        })? {
            if !rating.is_empty() {
                gold.ratings.insert(story.clone(), rating);
            }
            gold.stories.insert(story, value);
        }
        if let Some(path) = sources {
            let read = read_keyed(path, &GOLD_SOURCES, |row| Ok([share("accuracy", row.required(1)?)?]))?;
            gold.sources = read
                .into_iter()
                .map(|(source, [a])| (source, a.parse::<f64>().expect("checked as read")))
                .collect();
        }
        Ok(gold)
    }
}

impl Gold {
    /// Checks that every story's gold value is `true` or `false` (any case), as a run over plain claims (no
    /// `value` column) needs: there `maybe` or `1` would otherwise be read as a value no plain story can
    /// take, and count as `false`. The file is read again only to name the first bad row.
    ///
    /// # Errors
    /// [`crate::Error::BadRow`] for the first row whose value is neither, naming the file, line and column.
    pub fn check_plain(&self, stories: &std::path::Path) -> crate::Result<()> {
        if self.stories.values().all(|v| v == "true" || v == "false") {
            return Ok(());
        }
        let (_, _, rejects) = crate::ingest::read_table(stories, &GOLD_STORIES, &[], |row| {
            let value = row.required(1)?;
            match crate::ingest::fields::outcome(value) {
                Some(crate::corpus::Outcome::True | crate::corpus::Outcome::False) => Ok(()),
                _ => Err(crate::ingest::Refusal::new(
                    "value",
                    value,
                    "not true or false: the claims have no value column, so every story is true or false",
                )),
            }
        })?;
        rejects
            .into_iter()
            .next()
            .map_or(Ok(()), |p| Err(crate::Error::BadRow(p)))
    }
}

/// The columns of a gold file of stories; `rating` is optional.
const GOLD_STORIES: crate::ingest::Spec = crate::ingest::Spec {
    names: &["story_id", "value", "rating"],
    required: 2,
};
/// The columns of a gold file of sources' true accuracies.
const GOLD_SOURCES: crate::ingest::Spec = crate::ingest::Spec {
    names: &["source", "accuracy"],
    required: 2,
};

/// The `story_id,rating` pairs of a file with a `rating` column (a gold file or resolutions), trimmed, rows
/// with an empty rating left out; `None` when the file has no `rating` column.
///
/// # Errors
/// The file is missing or unreadable, or has a `rating` column but no `story_id`.
pub fn read_ratings(path: &std::path::Path) -> crate::Result<Option<Vec<(String, String)>>> {
    let mut rdr = crate::ingest::open_csv(path)?;
    let headers = rdr.headers().map_err(|e| crate::ingest::csv_error(path, e))?.clone();
    if !headers
        .iter()
        .any(|h| h.trim_start_matches('\u{feff}').trim() == "rating")
    {
        return Ok(None);
    }
    let pairs = read_pairs(path, "story_id", "rating")?;
    Ok(Some(
        pairs
            .into_iter()
            .map(|(s, r)| (s.trim().to_owned(), r.trim().to_owned()))
            .filter(|(_, r)| !r.is_empty())
            .collect(),
    ))
}

/// How well ratings predicted from each source's past ratings ([`crate::model::ratings`]) match the gold
/// ratings of its claims.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RatingReport {
    /// The fitted model (labels, pooled shares, strengths).
    pub fit: crate::model::ratings::RatingFit,
    /// Training ratings counted (one per claim asserting a rated story).
    pub trained: usize,
    /// Training ratings left out: their story has no asserting claim.
    pub untrained: usize,
    /// Claims asserting a story with a gold rating: the predictions scored.
    pub claims: usize,
    /// Of those, claims whose source had training ratings.
    pub with_history: usize,
    /// Share of those claims whose predicted rating is the gold one.
    pub accuracy: f64,
    /// The same for always predicting the most common training rating.
    pub base_accuracy: f64,
}

/// Fits [`crate::model::ratings::RatingFit`] on `train` (story → rating; each claim asserting a story
/// gives its source that rating), using the corpus's source groups where it has them, and predicts the
/// rating of every claim asserting a story of `gold.ratings`. Denials are left out on both sides: on a
/// scale of ratings the reverse of "mostly true" is not defined. `None` without training or gold ratings.
pub fn ratings_against_gold(
    loaded: &crate::ingest::Loaded,
    train: &[(String, String)],
    gold: &Gold,
) -> Option<RatingReport> {
    use crate::corpus::Stance;
    let corpus = &loaded.corpus;
    if train.is_empty() || gold.ratings.is_empty() {
        return None;
    }
    let labels: Vec<String> = train
        .iter()
        .map(|(_, r)| r.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let index = |r: &str| labels.binary_search_by(|l| l.as_str().cmp(r)).ok();
    let mut story_rating: Vec<Option<usize>> = vec![None; corpus.stories.len()];
    for (story, rating) in train {
        if let Some(s) = corpus.stories.get(story) {
            story_rating[s as usize] = index(rating);
        }
    }
    let mut asserted = vec![false; corpus.stories.len()];
    let mut counts = vec![vec![0u64; labels.len()]; corpus.sources.len()];
    let mut trained = 0;
    for m in corpus.mentions.iter().filter(|m| m.stance == Stance::Asserts) {
        if let Some(k) = story_rating[m.story as usize] {
            counts[m.source as usize][k] += 1;
            asserted[m.story as usize] = true;
            trained += 1;
        }
    }
    let untrained = train
        .iter()
        .filter(|(s, _)| corpus.stories.get(s).is_none_or(|s| !asserted[s as usize]))
        .count();
    let fit = crate::model::ratings::RatingFit::fit(labels, &counts, &corpus.source_group, corpus.groups.len())?;
    let mut gold_rating: Vec<Option<&str>> = vec![None; corpus.stories.len()];
    for (story, rating) in &gold.ratings {
        if let Some(s) = corpus.stories.get(story) {
            gold_rating[s as usize] = Some(rating.as_str());
        }
    }
    let most_common = (0..fit.labels.len())
        .max_by(|&i, &j| fit.pooled[i].total_cmp(&fit.pooled[j]).then(j.cmp(&i)))
        .unwrap_or(0);
    let (mut claims, mut with_history, mut right, mut base_right) = (0usize, 0usize, 0usize, 0usize);
    for m in corpus.mentions.iter().filter(|m| m.stance == Stance::Asserts) {
        let Some(truth) = gold_rating[m.story as usize] else {
            continue;
        };
        let c = &counts[m.source as usize];
        let group = corpus.source_group.get(m.source as usize).copied().unwrap_or(u32::MAX);
        claims += 1;
        with_history += usize::from(c.iter().any(|&x| x > 0));
        right += usize::from(fit.labels[fit.predict(c, group)] == truth);
        base_right += usize::from(fit.labels[most_common] == truth);
    }
    (claims > 0).then(|| RatingReport {
        trained,
        untrained,
        claims,
        with_history,
        accuracy: right as f64 / claims as f64,
        base_accuracy: base_right as f64 / claims as f64,
        fit,
    })
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
    /// Per gold story, in the run's story order: whether the method got it right (for [`mcnemar`]).
    #[serde(skip)]
    pub story_hits: Vec<bool>,
    /// Per gold story, likewise: its input's cluster, the same number for stories whose claims are the
    /// same (outlet, relayed outlet, stance, value, topic and time, as a multiset) and that have no
    /// responses or resolution (for [`clustered_mcnemar`]).
    #[serde(skip)]
    pub story_clusters: Vec<u32>,
    /// With `--value-kind number`: mean absolute error of the decided values against the gold ones.
    pub value_mae: Option<f64>,
    /// Root mean squared error likewise.
    pub value_rmse: Option<f64>,
    /// With `--value-kind number` and a method that estimates numbers (em; vote, by the median): mean
    /// absolute error of the stories' estimates against the gold values, over the gold stories with an
    /// estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_mae: Option<f64>,
    /// Root mean squared error likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_rmse: Option<f64>,
    /// Sources compared (a true accuracy and at least the minimum of gold claims).
    pub sources: usize,
    /// Spearman's ρ between reliability and true accuracy.
    pub spearman: Option<f64>,
    /// Share of true accuracies inside `[ci_low, ci_high]`.
    pub coverage: Option<f64>,
    /// Share of true accuracies (k correct of the source's n gold claims) inside the central predictive
    /// interval, at the level of the credible intervals (95% by default), of the share correct of n claims ([`beta_binomial_interval`], from the
    /// source's [`crate::model::SourceScore::posterior_shape`]); `None` when the true accuracies come from
    /// `--gold-sources` (long-run rates, not shares of a known n).
    pub predictive_coverage: Option<f64>,
    /// Mean absolute error of reliability against true accuracy.
    pub mean_absolute_error: Option<f64>,
    /// Claims on gold stories.
    pub claims: usize,
    /// Share of those claims with `p_correct` on the side of ½ that their correctness is (a claim at ½
    /// counts half).
    pub claim_accuracy: Option<f64>,
    /// Brier score of `p_correct`.
    pub brier: Option<f64>,
    /// Mean log loss of `p_correct` (clipped to [1e-6, 1 − 1e-6]).
    pub log_loss: Option<f64>,
}

/// Per story, a cluster number for the gold stories (`truth`): stories whose claims are the same multiset
/// of (outlet, relayed outlet, stance, value, topic, time) share one, numbered by first appearance; a
/// story with an official response or a resolution is a cluster of its own. Other stories get `u32::MAX`.
fn input_clusters(corpus: &crate::corpus::Corpus, truth: &[Option<&str>]) -> Vec<u32> {
    type Key = (u32, u32, bool, u32, u32, i64);
    let n = truth.len();
    let mut keys: Vec<Vec<Key>> = vec![Vec::new(); n];
    for (m, mention) in corpus.mentions.iter().enumerate() {
        let s = mention.story as usize;
        if truth[s].is_none() {
            continue;
        }
        keys[s].push((
            mention.source,
            mention.attributed_to,
            mention.stance == crate::corpus::Stance::Asserts,
            corpus.mention_values.get(m).copied().unwrap_or(u32::MAX),
            corpus.mention_topics.get(m).copied().unwrap_or(u32::MAX),
            corpus.published.get(m),
        ));
    }
    let mut own = vec![false; n];
    for r in &corpus.responses {
        own[r.story as usize] = true;
    }
    for r in &corpus.resolutions {
        own[r.story as usize] = true;
    }
    let mut seen: std::collections::HashMap<Vec<Key>, u32> = std::collections::HashMap::new();
    let mut next = 0u32;
    let mut fresh = || {
        next += 1;
        next - 1
    };
    let mut out = vec![u32::MAX; n];
    for s in 0..n {
        if truth[s].is_none() {
            continue;
        }
        let mut key = std::mem::take(&mut keys[s]);
        key.sort_unstable();
        out[s] = if own[s] {
            fresh()
        } else {
            *seen.entry(key).or_insert_with(&mut fresh)
        };
    }
    out
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
    let clusters = input_clusters(corpus, &truth);
    let mut story_clusters = Vec::new();
    let mut decided = 0usize;
    let mut story_hits = Vec::new();
    let (mut numeric, mut abs_err, mut sq_err) = (0usize, 0.0, 0.0);
    let (mut estimated, mut est_abs, mut est_sq) = (0usize, 0.0, 0.0);
    for r in &rows {
        if let Some(t) = truth[r.story as usize] {
            decided += usize::from(!r.value.is_empty());
            story_hits.push(r.value == t);
            story_clusters.push(clusters[r.story as usize]);
            let numbers = corpus.valued() && corpus.value_kind == crate::value::ValueKind::Number;
            if let (true, Ok(x), Ok(y)) = (numbers, r.value.parse::<f64>(), t.parse::<f64>()) {
                numeric += 1;
                abs_err += (x - y).abs();
                sq_err += (x - y) * (x - y);
            }
            if let (true, false, Ok(y)) = (numbers, r.estimate.is_nan(), t.parse::<f64>()) {
                estimated += 1;
                est_abs += (r.estimate - y).abs();
                est_sq += (r.estimate - y) * (r.estimate - y);
            }
        }
    }
    // Per claim on a gold story: correct or not, and its p_correct; per source: its gold record.
    let mut per_source = vec![(0u64, 0u64); corpus.sources.len()];
    let (mut n, mut hits, mut brier, mut log_loss) = (0usize, 0.0, 0.0, 0.0);
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
        hits += claim_hit(p, correct);
        brier += (p - y) * (p - y);
        let q = p.clamp(1e-6, 1.0 - 1e-6);
        log_loss -= y * q.ln() + (1.0 - y) * (1.0 - q).ln();
        let e = &mut per_source[mention.source as usize];
        e.0 += u64::from(correct);
        e.1 += 1;
    }
    let (mut t, mut est, mut low, mut high) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut predicted_inside = 0usize;
    for s in &scores.sources {
        let name = corpus.sources.name(s.id);
        let acc = if gold.sources.is_empty() {
            let (c, all) = per_source[s.id as usize];
            let (a, b) = s.posterior_shape;
            // A source whose shapes are unusable counts as not covered.
            if all >= min_claims.max(1)
                && beta_binomial_interval(all, a, b, scores.params.level).is_some_and(|(lo, hi)| lo <= c && c <= hi)
            {
                predicted_inside += 1;
            }
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
    let (stories, right) = (story_hits.len(), story_hits.iter().filter(|&&h| h).count());
    let some = |x: f64, k: usize| (k > 0).then_some(x);
    GoldReport {
        stories,
        stories_decided: decided,
        story_accuracy: some(right as f64 / stories.max(1) as f64, stories),
        story_hits,
        story_clusters,
        value_mae: some(abs_err / numeric.max(1) as f64, numeric),
        value_rmse: some((sq_err / numeric.max(1) as f64).sqrt(), numeric),
        estimate_mae: some(est_abs / estimated.max(1) as f64, estimated),
        estimate_rmse: some((est_sq / estimated.max(1) as f64).sqrt(), estimated),
        sources: t.len(),
        spearman: spearman(&t, &est),
        coverage: some(coverage(&t, &low, &high), t.len()),
        predictive_coverage: some(
            predicted_inside as f64 / t.len().max(1) as f64,
            t.len() * usize::from(gold.sources.is_empty()),
        ),
        mean_absolute_error: some(mean_absolute_error(&est, &t), t.len()),
        claims: n,
        claim_accuracy: some(hits / n.max(1) as f64, n),
        brier: some(brier / n.max(1) as f64, n),
        log_loss: some(log_loss / n.max(1) as f64, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_at_even_odds_counts_half_a_hit_whichever_way_it_rounded() {
        assert_eq!(claim_hit(0.9, true), 1.0);
        assert_eq!(claim_hit(0.9, false), 0.0);
        assert_eq!(claim_hit(0.2, false), 1.0);
        assert_eq!(claim_hit(0.5, true), 0.5);
        assert_eq!(claim_hit(0.5 - 1e-15, true), 0.5);
        assert_eq!(claim_hit(0.5 + 1e-15, false), 0.5);
        assert_eq!(claim_hit(0.5 + 1e-6, true), 1.0);
    }

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

    /// Beta-binomial probabilities worked by hand from C(n, k)·B(k + a, n − k + b)/B(a, b):
    /// n = 2, a = 2, b = 3: B(2,5)/B(2,3) = (1/30)/(1/12) = 0.4, 2·B(3,4)/B(2,3) = 2·(1/60)·12 = 0.4,
    /// B(4,3)/B(2,3) = (1/60)·12 = 0.2 (SciPy's `betabinom.pmf([0,1,2], 2, 2, 3)` gives the same);
    /// n = 3, a = 1, b = 2: B(1,2) = ½, so 2·B(1,5) = 0.4, 2·3·B(2,4) = 0.3, 2·3·B(3,3) = 0.2,
    /// 2·B(4,2) = 0.1.
    #[test]
    fn beta_binomial_pmf_by_hand() {
        let cases: &[(u64, f64, f64, &[f64])] =
            &[(2, 2.0, 3.0, &[0.4, 0.4, 0.2]), (3, 1.0, 2.0, &[0.4, 0.3, 0.2, 0.1])];
        for &(n, a, b, want) in cases {
            let got = beta_binomial_pmf(n, a, b).unwrap();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-12, "n={n} a={a} b={b}: {got:?}");
            }
        }
        assert_eq!(beta_binomial_pmf(3, 0.0, 1.0), None);
        assert_eq!(beta_binomial_pmf(3, 1.0, f64::INFINITY), None);
    }

    /// Quantiles in SciPy's convention (smallest k with cdf(k) ≥ q), on the cdfs of the cases above:
    /// 0.4, 0.8, 1 and 0.4, 0.7, 0.9, 1; a = b = 1 is the discrete uniform on 0..=n, whose cdf reaches
    /// exactly 0.025 at k = 0 when n = 39 (1/40), so the interval is all of 0..=39.
    #[test]
    fn beta_binomial_quantiles_by_hand() {
        let q = |n, a, b, p| discrete_quantile(&beta_binomial_pmf(n, a, b).unwrap(), p);
        for (n, a, b, p, want) in [
            (2, 2.0, 3.0, 0.025, 0),
            (2, 2.0, 3.0, 0.4, 0),
            (2, 2.0, 3.0, 0.41, 1),
            (2, 2.0, 3.0, 0.975, 2),
            (3, 1.0, 2.0, 0.5, 1),
            (3, 1.0, 2.0, 0.9, 2),
            (3, 1.0, 2.0, 0.95, 3),
            (39, 1.0, 1.0, 0.025, 0),
            (39, 1.0, 1.0, 0.05, 1),
            (39, 1.0, 1.0, 0.975, 38),
        ] {
            assert_eq!(q(n, a, b, p), want, "n={n} a={a} b={b} q={p}");
        }
        assert_eq!(beta_binomial_interval(39, 1.0, 1.0, 0.95), Some((0, 38)));
        assert_eq!(beta_binomial_interval(0, 1.0, 1.0, 0.95), None);
        // One claim: {0, 1} unless the posterior puts more than 97.5% on one side.
        assert_eq!(beta_binomial_interval(1, 3.0, 4.0, 0.95), Some((0, 1)));
        assert_eq!(beta_binomial_interval(1, 99.0, 1.0, 0.95), Some((1, 1)));
    }

    /// The uniform's probabilities are 1/(n + 1) whatever n, and every pmf sums to 1 (invariants).
    #[test]
    fn beta_binomial_invariants() {
        for n in [1u64, 7, 100, 5000] {
            let u = beta_binomial_pmf(n, 1.0, 1.0).unwrap();
            assert!(u.iter().all(|p| (p * (n + 1) as f64 - 1.0).abs() < 1e-9), "n={n}");
            let p = beta_binomial_pmf(n, 40.5, 3.25).unwrap();
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    /// Exact McNemar by hand: 1 against 7 discordant items, P(X ≤ 1) = (1 + 8)/256, doubled = 0.0703125;
    /// 3 against 3 is no evidence either way (p = 1).
    #[test]
    fn mcnemar_by_hand() {
        let a = [true, false, false, false, false, false, false, false, true];
        let b = [false, true, true, true, true, true, true, true, true];
        let (x, y, p) = mcnemar(&a, &b);
        assert_eq!((x, y), (1, 7));
        assert!((p - 18.0 / 256.0).abs() < 1e-12, "{p}");
        let c = [true, true, true, false, false, false];
        let d = [false, false, false, true, true, true];
        assert_eq!(mcnemar(&c, &d), (3, 3, 1.0));
        assert_eq!(mcnemar(&[true], &[true]), (0, 0, 1.0));
    }

    /// Clustered McNemar (Durkalski et al. 2003) against scipy's χ²(1) tail: one item per cluster is the
    /// usual `(b − c)² / (b + c)` (7 against 2: 25/9, p = 0.095581); clusters with net splits +3, +1, −2 and
    /// 0 (one each way) give `2² / (9 + 1 + 4 + 0)` = 0.2857, p = 0.592980, from four clusters.
    #[test]
    fn clustered_mcnemar_by_hand() {
        let a = [true, true, true, true, true, true, true, false, false, true];
        let b = [false, false, false, false, false, false, false, true, true, true];
        let own: Vec<u32> = (0..10).collect();
        let (k, p) = clustered_mcnemar(&a, &b, &own);
        assert_eq!(k, 9);
        assert!((p - 0.095581).abs() < 1e-6, "{p}");
        //            cluster 0 (+3)     1 (+1)  2 (−2)        3 (0)         4 (agree)
        let a = [true, true, true, true, false, false, true, false, true];
        let b = [false, false, false, false, true, true, false, true, true];
        let cluster = [0, 0, 0, 1, 2, 2, 3, 3, 4];
        let (k, p) = clustered_mcnemar(&a, &b, &cluster);
        assert_eq!(k, 4);
        assert!((p - 0.592980).abs() < 1e-6, "{p}");
        assert_eq!(clustered_mcnemar(&[true], &[true], &[0]), (0, 1.0));
        // Splits that cancel within every cluster say nothing either way.
        assert_eq!(clustered_mcnemar(&[true, false], &[false, true], &[0, 0]), (1, 1.0));
    }

    /// The problem a gold file raises, or `None` when it is read; the file is written to `dir`.
    fn gold_problem(dir: &std::path::Path, text: &str) -> Option<crate::error::RowProblem> {
        let path = dir.join("gold.csv");
        std::fs::write(&path, text).unwrap();
        match Gold::read(&path, None, crate::value::ValueKind::Label) {
            Ok(_) => None,
            Err(crate::Error::BadRow(p)) => Some(p),
            Err(e) => panic!("{text:?}: {e}"),
        }
    }

    /// One line per bad gold row: the line, the column at fault (none for a row that cannot be split
    /// into the header's fields) and the start of the reason. The audit's g2–g5 are the first four.
    #[test]
    fn gold_rows_that_stop_the_evaluation() {
        let dir = tempfile::tempdir().unwrap();
        let cases: &[(&str, u64, Option<&str>, &str)] = &[
            (
                "story_id,value\ns1,0\ns2,1\ns1,1\n",
                4,
                Some("value"),
                "story_id \"s1\" was given \"0\" at line 2",
            ),
            ("story_id,value\ns1,0\n,1\n", 3, Some("story_id"), "empty value"),
            (
                "story_id,value\ns1,0\nx\ns2,1\n",
                3,
                None,
                "expected 2 fields as in the header, found 1",
            ),
            (
                "story_id,value\ns1,0\ns2,1,extra\n",
                3,
                None,
                "expected 2 fields as in the header, found 3",
            ),
            ("story_id,value\ns1,\n", 2, Some("value"), "empty value"),
            (
                "story_id,value,rating\ns1,0,a\ns1,0,b\n",
                3,
                Some("rating"),
                "story_id \"s1\" was given \"a\"",
            ),
            // The earliest bad row is reported, whatever its kind.
            ("story_id,value\ns1,0\ns1,1\nx\n", 3, Some("value"), "story_id"),
            ("story_id,value\ns1,0\nx\ns1,1\n", 3, None, "expected 2 fields"),
        ];
        for &(text, line, column, reason) in cases {
            let p = gold_problem(dir.path(), text).unwrap_or_else(|| panic!("{text:?} was accepted"));
            assert_eq!((p.line, p.column.as_deref()), (line, column), "{text:?}: {p}");
            assert!(p.reason.starts_with(reason), "{text:?}: {p}");
        }
    }

    /// A repeat that agrees after normalisation is read once; a plain story's `TRUE` is `true`.
    #[test]
    fn an_exact_gold_repeat_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.csv");
        std::fs::write(&path, "story_id,value,rating\ns1,A,x\ns2,true,\ns1, a ,x\ns2,TRUE,\n").unwrap();
        let gold = Gold::read(&path, None, crate::value::ValueKind::Label).unwrap();
        assert_eq!(gold.stories.len(), 2);
        assert_eq!(gold.stories["s1"], "a");
        assert_eq!(gold.stories["s2"], "true");
        assert_eq!(gold.ratings.len(), 1);
    }

    /// A true accuracy is a share: outside 0..=1 or not a number, it stops the evaluation.
    #[test]
    fn gold_source_accuracies_are_shares() {
        let dir = tempfile::tempdir().unwrap();
        let stories = dir.path().join("gold.csv");
        std::fs::write(&stories, "story_id,value\ns1,a\n").unwrap();
        let sources = dir.path().join("sources.csv");
        for (text, line, reason) in [
            ("source,accuracy\nw1,1.5\n", 2, "not a number from 0 to 1"),
            ("source,accuracy\nw1,NaN\n", 2, "not a number from 0 to 1"),
            (
                "source,accuracy\nw1,0.5\nw1,0.6\n",
                3,
                "source \"w1\" was given \"0.5\" at line 2",
            ),
        ] {
            std::fs::write(&sources, text).unwrap();
            match Gold::read(&stories, Some(&sources), crate::value::ValueKind::Label) {
                Err(crate::Error::BadRow(p)) => {
                    assert_eq!((p.line, p.column.as_deref()), (line, Some("accuracy")), "{p}");
                    assert!(p.reason.starts_with(reason), "{p}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        std::fs::write(&sources, "source,accuracy\nw1,0.5\nw1,0.5\nw2,1\n").unwrap();
        let gold = Gold::read(&stories, Some(&sources), crate::value::ValueKind::Label).unwrap();
        assert_eq!(gold.sources.len(), 2);
    }

    /// A generated corpus and a run on it, by hand (the figures in tests/data/eval_truth/README.md):
    /// with no source compared, the figures over sources are undefined, not 0.
    #[test]
    fn planted_figures_over_no_sources_are_none() {
        let dir = tempfile::tempdir().unwrap();
        let (run, truth) = planted_folders(dir.path());
        // The folders of `planted_folders` with one claim per outlet.
        let write = |path: std::path::PathBuf, text: &str| std::fs::write(path, text).unwrap();
        write(
            truth.join("truth_claims.csv"),
            "claim_id,copy_of,correct\nc1,,1\nc2,,0\n",
        );
        write(
            truth.join("claims.csv"),
            "claim_id,source,attributed_to\nc1,s1,\nc2,s2,\n",
        );
        write(run.join("claims.csv"), "claim_id,p_correct\nc1,0.9\nc2,0.3\n");
        let none = evaluate(&run, &truth, 5.0, 0).unwrap();
        assert_eq!(none.sources, 0);
        assert_eq!(
            (none.coverage, none.mean_absolute_error, none.mean_error),
            (None, None, None)
        );
        let all = evaluate(&run, &truth, 0.0, 0).unwrap();
        assert_eq!((all.sources, all.coverage), (2, Some(1.0)));
        assert!((all.mean_absolute_error.unwrap() - 0.075).abs() < 1e-12);
        assert!((all.mean_error.unwrap() + 0.075).abs() < 1e-12);
        // --min-originals 2 leaves s2 (one original) out; a truth with a bad `correct` stops the run.
        assert_eq!(evaluate(&run, &truth, 0.0, 2).unwrap().sources, 1);
        write(truth.join("truth_claims.csv"), "claim_id,copy_of,correct\nc1,,yes\n");
        match evaluate(&run, &truth, 0.0, 0) {
            Err(crate::Error::BadRow(p)) => assert_eq!((p.line, p.column.as_deref()), (2, Some("correct")), "{p}"),
            other => panic!("{other:?}"),
        }
    }

    /// A hand-made truth as in tests/data/eval_truth (two outlets, three claims) and a run folder beside it
    /// holding the run's good files; returns (run, truth).
    fn planted_folders(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let (truth, run) = (dir.join("corpus"), dir.join("run"));
        std::fs::create_dir_all(&truth).unwrap();
        std::fs::create_dir_all(&run).unwrap();
        let write = |path: std::path::PathBuf, text: &str| std::fs::write(path, text).unwrap();
        write(
            truth.join("truth_sources.csv"),
            "source,accuracy,originals\ns1,0.8,2\ns2,0.6,1\n",
        );
        write(
            truth.join("truth_claims.csv"),
            "claim_id,copy_of,correct\nc1,,1\nc2,,1\nc3,,0\n",
        );
        write(
            truth.join("claims.csv"),
            "claim_id,source,attributed_to\nc1,s1,\nc2,s1,\nc3,s2,\n",
        );
        write(run.join("sources.csv"), GOOD_RUN_SOURCES);
        write(run.join("claims.csv"), GOOD_RUN_CLAIMS);
        (run, truth)
    }

    const GOOD_RUN_SOURCES: &str = "source,evidence,reliability,ci_low,ci_high\ns1,2,0.7,0.5,0.9\ns2,1,0.55,0.2,0.9\n";
    const GOOD_RUN_CLAIMS: &str = "claim_id,p_correct\nc1,0.9\nc2,0.8\nc3,0.3\n";

    /// One line per bad row of a run's own files, which eval read leniently before: a field that was not a
    /// number became NaN (a reliability) or dropped the claim, a short row lost its columns, an empty key or
    /// a repeat that disagrees was compared as it came, and each gave figures with nothing said. Now each
    /// stops the evaluation at its file, line and column, as a bad truth row does.
    #[test]
    fn bad_run_rows_stop_the_planted_evaluation() {
        let dir = tempfile::tempdir().unwrap();
        let (run, truth) = planted_folders(dir.path());
        let header = "source,evidence,reliability,ci_low,ci_high\n";
        let cases: &[(&str, &str, u64, Option<&str>, &str)] = &[
            (
                "sources.csv",
                "s1,2,high,0.5,0.9\n",
                2,
                Some("reliability"),
                "not a number from 0 to 1",
            ),
            (
                "sources.csv",
                "s1,2,0.7,x,0.9\n",
                2,
                Some("ci_low"),
                "not a number from 0 to 1",
            ),
            (
                "sources.csv",
                "s1,2,0.7,0.5,1.5\n",
                2,
                Some("ci_high"),
                "not a number from 0 to 1",
            ),
            (
                "sources.csv",
                "s1,2,NaN,0.5,0.9\n",
                2,
                Some("reliability"),
                "not a number from 0 to 1",
            ),
            ("sources.csv", "s1,2,0.7,0.5,\n", 2, Some("ci_high"), "empty value"),
            (
                "sources.csv",
                "s1,-1,0.7,0.5,0.9\n",
                2,
                Some("evidence"),
                "not a number of at least 0",
            ),
            (
                "sources.csv",
                "s1,2,0.7,0.5,0.9\ns2,1,0.55,0.2\n",
                3,
                None,
                "expected 5 fields as in the header, found 4",
            ),
            (
                "sources.csv",
                "s1,2,0.7,0.5,0.9,x\n",
                2,
                None,
                "expected 5 fields as in the header, found 6",
            ),
            ("sources.csv", ",2,0.7,0.5,0.9\n", 2, Some("source"), "empty value"),
            (
                "sources.csv",
                "s1,2,0.7,0.5,0.9\ns2,1,0.55,0.2,0.9\ns1,2,0.6,0.5,0.9\n",
                4,
                Some("reliability"),
                "source \"s1\" was given 0.7 at line 2; a repeated row must agree",
            ),
            (
                "claims.csv",
                "c1,likely\n",
                2,
                Some("p_correct"),
                "not a number from 0 to 1",
            ),
            (
                "claims.csv",
                "c1,0.9\nc2,1.5\n",
                3,
                Some("p_correct"),
                "not a number from 0 to 1",
            ),
            ("claims.csv", "c1,\n", 2, Some("p_correct"), "empty value"),
            (
                "claims.csv",
                "c1,0.9\nc2\n",
                3,
                None,
                "expected 2 fields as in the header, found 1",
            ),
            (
                "claims.csv",
                "c1,0.9,x\n",
                2,
                None,
                "expected 2 fields as in the header, found 3",
            ),
            ("claims.csv", ",0.9\n", 2, Some("claim_id"), "empty value"),
            (
                "claims.csv",
                "c1,0.9\nc2,0.8\nc1,0.5\n",
                4,
                Some("p_correct"),
                "claim_id \"c1\" was given 0.9 at line 2; a repeated row must agree",
            ),
            // A claim the truth does not hold is checked as well, though no figure reads it.
            (
                "claims.csv",
                "c9,0.1\nc9,0.2\n",
                3,
                Some("p_correct"),
                "claim_id \"c9\" was given 0.1",
            ),
        ];
        for &(file, rows, line, column, reason) in cases {
            let text = match file {
                "sources.csv" => format!("{header}{rows}"),
                _ => format!("claim_id,p_correct\n{rows}"),
            };
            std::fs::write(run.join(file), &text).unwrap();
            match evaluate(&run, &truth, 0.0, 0) {
                Err(crate::Error::BadRow(p)) => {
                    assert!(p.file.ends_with(file), "{text:?}: {p}");
                    assert_eq!((p.line, p.column.as_deref()), (line, column), "{text:?}: {p}");
                    assert!(p.reason.starts_with(reason), "{text:?}: {p}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
            std::fs::write(run.join("sources.csv"), GOOD_RUN_SOURCES).unwrap();
            std::fs::write(run.join("claims.csv"), GOOD_RUN_CLAIMS).unwrap();
        }
    }

    /// A run row repeated exactly is read once (before, a repeated claim was counted twice in the Brier
    /// score and a repeated source twice in every figure over sources); numbers agree as numbers.
    #[test]
    fn an_exact_run_repeat_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let (run, truth) = planted_folders(dir.path());
        let good = evaluate(&run, &truth, 0.0, 0).unwrap();
        assert_eq!((good.sources, good.claims), (2, 3));
        std::fs::write(
            run.join("sources.csv"),
            format!("{GOOD_RUN_SOURCES}s1,2.0,0.70,0.5,0.900000\n"),
        )
        .unwrap();
        std::fs::write(run.join("claims.csv"), format!("{GOOD_RUN_CLAIMS}c3,0.3\nc1,0.90\n")).unwrap();
        assert_eq!(evaluate(&run, &truth, 0.0, 0).unwrap(), good);
    }

    /// A run file without a column eval reads is refused by name; before, the column read as empty (a
    /// missing `ci_low` made every interval miss, a missing `p_correct` compared no claim).
    #[test]
    fn a_run_file_without_a_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (run, truth) = planted_folders(dir.path());
        let cases = [
            (
                "sources.csv",
                "source,evidence,reliability,ci_high\ns1,2,0.7,0.9\n",
                "ci_low",
            ),
            (
                "sources.csv",
                "source,reliability,ci_low,ci_high\ns1,0.7,0.5,0.9\n",
                "evidence",
            ),
            ("claims.csv", "claim_id,verdict\nc1,unanswered\n", "p_correct"),
            ("claims.csv", "p_correct\n0.9\n", "claim_id"),
        ];
        for (file, text, missing) in cases {
            std::fs::write(run.join(file), text).unwrap();
            match evaluate(&run, &truth, 0.0, 0) {
                Err(crate::Error::MissingColumn { path, column, .. }) => {
                    assert_eq!((path, column.as_str()), (run.join(file), missing), "{text:?}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
            std::fs::write(run.join("sources.csv"), GOOD_RUN_SOURCES).unwrap();
            std::fs::write(run.join("claims.csv"), GOOD_RUN_CLAIMS).unwrap();
        }
    }

    #[test]
    fn coverage_and_error() {
        assert_eq!(coverage(&[0.5, 0.9], &[0.4, 0.1], &[0.6, 0.8]), 0.5);
        assert!((mean_absolute_error(&[0.5, 0.7], &[0.4, 0.9]) - 0.15).abs() < 1e-12);
    }
}
