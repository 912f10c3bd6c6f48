//! Precision, recall and F1 of claim–response links against hand-labelled pairs.
//!
//! A link is a (response, claim) pair: the response answers the claim's story. The matcher predicts a
//! pair for every claim of every story it links a response to; the gold file lists every true pair, and
//! every labelled response (a response that answers nothing in the set is still listed, so that its
//! spurious links count as false positives).

use rustc_hash::FxHashSet;

/// How predicted links compare with the true ones.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LinkScore {
    /// Responses evaluated.
    pub responses: usize,
    /// True pairs.
    pub gold: usize,
    /// Predicted pairs (of the evaluated responses).
    pub predicted: usize,
    /// Predicted pairs that are true.
    pub correct: usize,
    /// `correct / predicted` (1 when nothing is predicted).
    pub precision: f64,
    /// `correct / gold` (1 when nothing is true).
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
}

/// Scores `predicted` pairs against `gold` pairs, counting only the responses in `responses`.
///
/// ```
/// use credence::link::eval::score_links;
/// let p = |r: &str, c: &str| (r.to_owned(), c.to_owned());
/// let responses = ["r1".to_owned(), "r2".to_owned()].into_iter().collect();
/// let gold = [p("r1", "a"), p("r1", "b")];
/// let predicted = [p("r1", "a"), p("r2", "c"), p("r9", "z")];
/// let s = score_links(&predicted, &gold, &responses);
/// assert_eq!((s.correct, s.predicted, s.gold), (1, 2, 2));
/// assert_eq!((s.precision, s.recall), (0.5, 0.5));
/// ```
pub fn score_links(
    predicted: &[(String, String)],
    gold: &[(String, String)],
    responses: &FxHashSet<String>,
) -> LinkScore {
    let truth: FxHashSet<(&str, &str)> = gold
        .iter()
        .filter(|g| responses.contains(&g.0))
        .map(|(r, c)| (r.as_str(), c.as_str()))
        .collect();
    let guessed: FxHashSet<(&str, &str)> = predicted
        .iter()
        .filter(|p| responses.contains(&p.0))
        .map(|(r, c)| (r.as_str(), c.as_str()))
        .collect();
    let correct = guessed.intersection(&truth).count();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(correct, guessed.len()), ratio(correct, truth.len()));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    LinkScore {
        responses: responses.len(),
        gold: truth.len(),
        predicted: guessed.len(),
        correct,
        precision,
        recall,
        f1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sides_score_as_documented() {
        let responses: FxHashSet<String> = ["r".to_owned()].into_iter().collect();
        let s = score_links(&[], &[], &responses);
        assert_eq!((s.precision, s.recall, s.f1), (1.0, 1.0, 1.0));
        let s = score_links(&[("r".into(), "c".into())], &[], &responses);
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 1.0, 0.0));
    }
}
